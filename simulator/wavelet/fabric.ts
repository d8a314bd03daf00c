/**
 * The `wavelet` fidelity's fabric (DESIGN §6, issue 12): every PE of a rectangular region, its
 * router, the links between routers and every wavelet, cycle by cycle. This is the first piece:
 * routers, links, ramps, per-color queues of finite depth with back-pressure, and PEs running
 * small programs (data tasks on wavelet arrival). The kernels and the cross-check against the
 * `row` fidelity build on it.
 *
 * The model, per cycle:
 * - A router has five input and five output ports: north, east, south, west, and the ramp to and
 *   from its PE. Each input port has one queue per color, `queueDepth` wavelets deep.
 * - A route, set per (PE, color, input port), lists the output ports a wavelet goes to: one
 *   (forward) or several (multicast). A wavelet leaves only when every port of its route can take
 *   it in that cycle (multicast moves as one), and each output port sends at most one wavelet per
 *   cycle: a link carries one 32-bit wavelet per direction per cycle (docs/cs2-facts.md §13).
 *   Ports pick among their waiting colors round-robin.
 * - A wavelet sent on a link arrives `hopLatencyCycles` later; one crossing a ramp (PE to router
 *   or router to PE) `rampLatencyCycles` later. A sender sends only when the receiving queue has
 *   room, counting wavelets still on their way (credits): a full queue stalls its sender, and
 *   nothing is ever dropped. A queue's slot frees in the cycle its wavelet is taken.
 * - A PE runs one data task at a time: when idle, it takes the oldest arrived wavelet of a color
 *   its program handles, runs the handler (which may queue wavelets to send and says how many
 *   cycles the task takes), and is busy for that long. It sends at most one wavelet per cycle up
 *   its ramp, in the order queued, when the router's ramp queue has room.
 *
 * Deterministic: routers and PEs are visited in index order every cycle, no randomness.
 */

/** Ports of a router, in the order routes name them. */
export const NORTH = 0;
export const EAST = 1;
export const SOUTH = 2;
export const WEST = 3;
/** Input: from the PE; output: to the PE. */
export const RAMP = 4;
const PORTS = 5;
/** The queue into a PE, beside its router's five input ports. */
const PE_IN = 5;

/** Data tasks as they run, for a timeline (`gemm --fidelity wavelet --trace`), up to a limit. */
export interface TaskRecorder {
  readonly limit: number;
  /** (pe, start cycle, cycles, color) of each task, in the order they started. */
  readonly tasks: { pe: number; start: number; cycles: number; color: number }[];
  /** Tasks not recorded once the limit was reached. */
  dropped: number;
}

/**
 * Queue occupancy and link use of each mesh row, sampled every `interval` cycles (for a trace's
 * counters): at each sample, the wavelets waiting in the row's queues (its routers' input queues
 * and its PEs' queues) and the wavelets its routers sent on their output ports (links and ramps
 * down) since the previous sample, over `cycles` cycles. Up to `limit` samples (one per row).
 */
export interface OccupancySampler {
  readonly interval: number;
  readonly limit: number;
  readonly samples: { row: number; cycle: number; queued: number; sent: number; cycles: number }[];
  dropped: number;
}

export interface FabricParams {
  readonly rows: number;
  readonly cols: number;
  /** Colors (virtual channels) the region uses, numbered 0 … colors − 1. */
  readonly colors: number;
  readonly hopLatencyCycles: number;
  readonly rampLatencyCycles: number;
  /** Depth of each (input port, color) queue of a router and of each color's queue into a PE. */
  readonly queueDepth: number;
  /** Records every data task when given. */
  readonly recorder?: TaskRecorder;
  /** Samples queue occupancy and link use when given. */
  readonly sampler?: OccupancySampler;
}

/** What a PE's handler decides about one wavelet. */
export interface TaskContext {
  /** Queues a wavelet to send up the ramp on `color`. */
  send(color: number, value: number): void;
}

/** A PE's program: data tasks by color, and work it starts with. */
export interface PeProgram {
  /** Colors whose arriving wavelets start a task on this PE, in priority order. */
  readonly handles: readonly number[];
  /**
   * Whether the PE may take the next wavelet of `color` now (default: always). A wavelet that
   * may not wait stays at the head of its queue, holding back those behind it (an accumulator
   * not yet free, a partial sum whose own part is not computed yet).
   */
  canTake?(color: number): boolean;
  /** Runs the data task of one wavelet; returns the task's cycles (at least 1). */
  onWavelet(color: number, value: number, ctx: TaskContext): number;
  /**
   * Called once at cycle 0, a one-cycle task: wavelets to send before anything arrives (a
   * source's data), leaving one per cycle from cycle 1.
   */
  start?(ctx: TaskContext): void;
}

/** Raw additive counters of a run. */
export interface FabricCounters {
  /** Wavelets that crossed a router-to-router link. */
  hops: number;
  /** Wavelets that crossed a ramp, either way. */
  rampCrossings: number;
  /** Data tasks run, and the PE cycles they kept PEs busy. */
  tasks: number;
  busyCycles: number;
  /** Cycles in which a port had a wavelet to send but the receiving queue was full. */
  backPressureCycles: number;
  /** Wavelets that entered the region at its edge. */
  edgeWavelets: number;
}

/** Wavelets a PE has queued to send up its ramp, in order, each from a cycle on (parallel arrays). */
class Outbox {
  private readonly colors: number[] = [];
  private readonly values: number[] = [];
  private readonly froms: number[] = [];
  private head = 0;

  get length(): number {
    return this.colors.length - this.head;
  }

  push(color: number, value: number, from: number): void {
    this.colors.push(color);
    this.values.push(value);
    this.froms.push(from);
  }

  /** The next wavelet's color, value and first cycle. */
  color(): number {
    return this.colors[this.head]!;
  }

  value(): number {
    return this.values[this.head]!;
  }

  from(): number {
    return this.froms[this.head]!;
  }

  /** Sets the first cycle of the wavelets queued at positions ≥ `start` (of those not yet sent). */
  dateFrom(start: number, from: number): void {
    for (let i = this.head + start; i < this.froms.length; i++) this.froms[i] = from;
  }

  shift(): void {
    this.head++;
    // Drop the sent prefix now and then, so a long-running source does not keep it all.
    if (this.head > 1024 && this.head * 2 > this.colors.length) {
      this.colors.splice(0, this.head);
      this.values.splice(0, this.head);
      this.froms.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** The neighbour a router's output port leads to, and the input port it arrives on there. */
function neighbour(p: FabricParams, pe: number, port: number): { pe: number; inPort: number } | undefined {
  const r = Math.floor(pe / p.cols);
  const c = pe % p.cols;
  switch (port) {
    case NORTH:
      return r > 0 ? { pe: pe - p.cols, inPort: SOUTH } : undefined;
    case SOUTH:
      return r < p.rows - 1 ? { pe: pe + p.cols, inPort: NORTH } : undefined;
    case EAST:
      return c < p.cols - 1 ? { pe: pe + 1, inPort: WEST } : undefined;
    case WEST:
      return c > 0 ? { pe: pe - 1, inPort: EAST } : undefined;
    default:
      return undefined;
  }
}

export class Fabric {
  readonly pes: number;
  readonly counters: FabricCounters = {
    hops: 0,
    rampCrossings: 0,
    tasks: 0,
    busyCycles: 0,
    backPressureCycles: 0,
    edgeWavelets: 0,
  };
  /**
   * Every queue in flat typed arrays (the JIT keeps these loops free of objects): queue
   * (pe, port, color) for the router's five input ports, port 5 for the queue into the PE. A
   * queue is a ring of `queueDepth` slots holding a value and the cycle it can be taken from;
   * slots are reserved when a wavelet is sent (credits), so a queue never overflows.
   */
  private readonly qHead: Int32Array;
  private readonly qSize: Int32Array;
  private readonly qValue: Float64Array;
  private readonly qReady: Float64Array;
  /** Routes: output-port bit mask by (pe, color, inPort); 0 = not routed. */
  private readonly routes: Uint8Array;
  private readonly programs: (PeProgram | undefined)[];
  private readonly outbox: Outbox[];
  private readonly busyUntil: Float64Array;
  /** Round-robin position of each router (over input port × color). */
  private readonly turn: Uint32Array;
  /** Neighbour PE and the input port a wavelet arrives on there, by (pe, output port); −1 at an edge. */
  private readonly nextPe: Int32Array;
  private readonly nextPort: Int8Array;
  /** Wavelets waiting in (or on their way to) each router's input queues: a router with none is skipped. */
  private readonly queued: Uint32Array;
  /** The same by input port (pe · 5 + port): a port with none has its colors skipped. */
  private readonly portQueued: Uint32Array;
  /** Streams entering at the region's edge (the wafer I/O), by router input port. */
  private readonly edges: {
    /** The queue every wavelet enters, or −1 when `queues` gives one per wavelet. */
    readonly q: number;
    readonly queues: readonly number[] | undefined;
    readonly pe: number;
    readonly port: number;
    readonly values: readonly number[];
    readonly cyclesPerWavelet: number;
    next: number;
    nextCycle: number;
  }[] = [];
  private cycle = 0;
  /** Wavelets each router sent on its output ports since the last sample (only when sampling). */
  private readonly sent: Uint32Array;
  private lastSample = 0;
  /** The cycle after the last movement or the end of the last task. */
  private lastEvent = 0;
  /**
   * One task context per PE: a task's sends go to its PE's outbox. They are dated from cycle 1
   * (a PE's start is a one-cycle task); a data task's are re-dated to its end once it returns
   * its cycles.
   */
  private readonly contexts: TaskContext[];

  constructor(readonly params: FabricParams) {
    const { rows, cols, colors, queueDepth } = params;
    for (const [name, v] of Object.entries({ rows, cols, colors, queueDepth })) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new Error(`fabric: ${name} must be a positive integer, got ${v}`);
    }
    // Within a cycle routers move before PEs: a latency of 0 would let a wavelet cross a link and
    // a ramp in the same cycle one way but not the other. The CS-2's are 1 and about 2 (§13).
    for (const [name, v] of Object.entries({
      hopLatencyCycles: params.hopLatencyCycles,
      rampLatencyCycles: params.rampLatencyCycles,
    })) {
      if (!Number.isSafeInteger(v) || v < 1)
        throw new Error(`fabric: ${name} must be a whole number ≥ 1, got ${v}`);
    }
    this.pes = rows * cols;
    const queueCount = this.pes * (PORTS + 1) * colors;
    this.qHead = new Int32Array(queueCount);
    this.qSize = new Int32Array(queueCount);
    this.qValue = new Float64Array(queueCount * queueDepth);
    this.qReady = new Float64Array(queueCount * queueDepth);
    this.routes = new Uint8Array(this.pes * colors * PORTS);
    this.programs = new Array(this.pes).fill(undefined);
    this.outbox = Array.from({ length: this.pes }, () => new Outbox());
    this.busyUntil = new Float64Array(this.pes);
    this.turn = new Uint32Array(this.pes);
    this.nextPe = new Int32Array(this.pes * 4).fill(-1);
    this.nextPort = new Int8Array(this.pes * 4);
    for (let pe = 0; pe < this.pes; pe++) {
      for (let port = 0; port < 4; port++) {
        const n = neighbour(params, pe, port);
        if (!n) continue;
        this.nextPe[pe * 4 + port] = n.pe;
        this.nextPort[pe * 4 + port] = n.inPort;
      }
    }
    this.queued = new Uint32Array(this.pes);
    this.portQueued = new Uint32Array(this.pes * PORTS);
    this.sent = new Uint32Array(params.sampler ? this.pes : 0);
    this.contexts = Array.from({ length: this.pes }, (_, pe) => ({
      send: (color: number, value: number) => {
        if (!Number.isSafeInteger(color) || color < 0 || color >= colors) {
          throw new Error(`fabric: PE ${pe} sends on color ${color}, outside 0…${colors - 1}`);
        }
        this.outbox[pe]!.push(color, value, 1);
      },
    }));
  }

  /** The queue of (pe, port, color); port PE_IN is the queue into the PE. */
  private queue(pe: number, port: number, color: number): number {
    return (pe * (PORTS + 1) + port) * this.params.colors + color;
  }

  private push(q: number, value: number, readyCycle: number): void {
    const depth = this.params.queueDepth;
    const at = q * depth + ((this.qHead[q]! + this.qSize[q]!) % depth);
    this.qValue[at] = value;
    this.qReady[at] = readyCycle;
    this.qSize[q]!++;
  }

  /** Whether the oldest wavelet of queue `q` has arrived by cycle `t`. */
  private headReady(q: number, t: number): boolean {
    return this.qSize[q]! > 0 && this.qReady[q * this.params.queueDepth + this.qHead[q]!]! <= t;
  }

  private pop(q: number): number {
    const depth = this.params.queueDepth;
    const head = this.qHead[q]!;
    const value = this.qValue[q * depth + head]!;
    this.qHead[q] = head + 1 === depth ? 0 : head + 1;
    this.qSize[q]!--;
    return value;
  }

  /** PE index of (row, col). */
  at(row: number, col: number): number {
    return row * this.params.cols + col;
  }

  /** Wavelets of `color` arriving at `pe`'s router on `inPort` go to `outPorts`. */
  route(pe: number, color: number, inPort: number, outPorts: readonly number[]): void {
    let mask = 0;
    for (const port of outPorts) {
      if (port !== RAMP && neighbour(this.params, pe, port) === undefined) {
        throw new Error(`fabric: PE ${pe} has no neighbour on port ${port} (the region's edge)`);
      }
      mask |= 1 << port;
    }
    this.routes[(pe * this.params.colors + color) * PORTS + inPort] = mask;
  }

  /**
   * A stream of wavelets entering `pe`'s router on `port` from outside the region (the wafer I/O
   * at an edge, or the rest of the wafer): one every `cyclesPerWavelet` cycles (fractional rates
   * average out), from cycle 0, each when the port's queue has room.
   */
  inject(
    pe: number,
    port: number,
    color: number | readonly number[],
    values: readonly number[],
    cyclesPerWavelet = 1,
  ): void {
    if (port === RAMP || this.nextPe[pe * 4 + port] !== -1) {
      throw new Error(`fabric: PE ${pe} port ${port} is not at the region's edge`);
    }
    if (!(cyclesPerWavelet >= 1)) throw new Error(`fabric: a link carries at most one wavelet per cycle`);
    if (typeof color !== 'number' && color.length !== values.length) {
      throw new Error(`fabric: ${values.length} wavelets but ${color.length} colors`);
    }
    // A stream of several colors (an I/O channel feeding several rows) goes in order: a wavelet
    // whose queue is full holds back those behind it.
    const q = typeof color === 'number' ? this.queue(pe, port, color) : -1;
    const queues = typeof color === 'number' ? undefined : color.map((c) => this.queue(pe, port, c));
    this.edges.push({ q, queues, pe, port, values, cyclesPerWavelet, next: 0, nextCycle: 0 });
  }

  load(pe: number, program: PeProgram): void {
    this.programs[pe] = program;
  }

  /** Runs until nothing moves or is pending; returns the cycle after the last event. */
  run(maxCycles = 1e9): number {
    for (const [pe, program] of this.programs.entries()) program?.start?.(this.contexts[pe]!);
    const sampler = this.params.sampler;
    for (this.cycle = 0; this.cycle < maxCycles; this.cycle++) {
      if (sampler && this.cycle >= this.lastSample + sampler.interval) this.sample(sampler);
      const active = this.step();
      if (active) this.lastEvent = Math.max(this.lastEvent, this.cycle + 1);
      else if (this.idle()) {
        if (sampler) this.sample(sampler);
        return this.lastEvent;
      } else {
        // Nothing moved: nothing will until the next task ends or the next wavelet arrives, so
        // skip the cycles between (long AXPY tasks leave the fabric quiet for many cycles).
        const next = this.nextEvent();
        if (next === Number.POSITIVE_INFINITY) {
          throw new Error(
            `fabric: deadlock at cycle ${this.cycle}: wavelets wait and nothing is in flight or running ` +
              '(a program that never takes them, or a cycle of full queues)',
          );
        }
        if (next > this.cycle + 1) this.cycle = Math.min(next, maxCycles) - 1;
      }
    }
    throw new Error(`fabric: still running after ${maxCycles} cycles (a deadlock?)`);
  }

  /** One sample per mesh row of what waits in its queues and what its routers sent since the last. */
  private sample(sampler: OccupancySampler): void {
    const { cols, colors } = this.params;
    const cycles = this.cycle - this.lastSample;
    for (let row = 0; row < this.params.rows; row++) {
      let queued = 0;
      let sent = 0;
      for (let pe = row * cols; pe < (row + 1) * cols; pe++) {
        queued += this.queued[pe]!;
        for (let color = 0; color < colors; color++) queued += this.qSize[this.queue(pe, PE_IN, color)]!;
        sent += this.sent[pe]!;
        this.sent[pe] = 0;
      }
      if (sampler.samples.length < sampler.limit)
        sampler.samples.push({ row, cycle: this.cycle, queued, sent, cycles });
      else sampler.dropped++;
    }
    this.lastSample = this.cycle;
  }

  /** The earliest cycle after this one at which a task ends, a wavelet arrives or is due to leave. */
  private nextEvent(): number {
    const t = this.cycle;
    const depth = this.params.queueDepth;
    let next = Number.POSITIVE_INFINITY;
    const consider = (cycle: number) => {
      if (cycle > t && cycle < next) next = cycle;
    };
    for (let pe = 0; pe < this.pes; pe++) {
      consider(this.busyUntil[pe]!);
      const out = this.outbox[pe]!;
      if (out.length > 0) consider(out.from());
    }
    for (let q = 0; q < this.qSize.length; q++) {
      if (this.qSize[q]! > 0) consider(this.qReady[q * depth + this.qHead[q]!]!);
    }
    for (const e of this.edges) if (e.next < e.values.length) consider(e.nextCycle);
    return next;
  }

  /** Nothing queued anywhere, nothing in flight, every PE idle. */
  private idle(): boolean {
    for (const e of this.edges) if (e.next < e.values.length) return false;
    for (let pe = 0; pe < this.pes; pe++) {
      if (this.outbox[pe]!.length > 0 || this.busyUntil[pe]! > this.cycle) return false;
      if (this.queued[pe]! > 0) return false;
      for (let color = 0; color < this.params.colors; color++) {
        if (this.qSize[this.queue(pe, PE_IN, color)]! > 0) return false;
      }
    }
    return true;
  }

  /** One cycle: routers forward, then PEs run tasks and send. Returns whether anything moved. */
  private step(): boolean {
    const { colors, hopLatencyCycles: hop, rampLatencyCycles: ramp, queueDepth: depth } = this.params;
    const t = this.cycle;
    let moved = false;
    for (const e of this.edges) {
      if (e.next >= e.values.length || e.nextCycle > t) continue;
      const q = e.queues ? e.queues[e.next]! : e.q;
      if (this.qSize[q]! >= depth) {
        this.counters.backPressureCycles++;
        continue;
      }
      this.push(q, e.values[e.next++]!, t);
      this.queued[e.pe]!++;
      this.portQueued[e.pe * PORTS + e.port]!++;
      this.counters.edgeWavelets++;
      // The next one a rate's worth later, but never before the next cycle.
      e.nextCycle = Math.max(t + 1, e.nextCycle + e.cyclesPerWavelet);
      moved = true;
    }
    for (let pe = 0; pe < this.pes; pe++) {
      if (this.queued[pe] === 0) continue;
      // Each output port sends at most one wavelet this cycle.
      let portsUsed = 0;
      const candidates = PORTS * colors;
      for (let k = 0; k < candidates; k++) {
        const slot = (this.turn[pe]! + k) % candidates;
        const inPort = Math.floor(slot / colors);
        const color = slot % colors;
        if (this.portQueued[pe * PORTS + inPort] === 0) {
          k += colors - 1 - color; // nothing on this port: on to the next port's colors
          continue;
        }
        const q = this.queue(pe, inPort, color);
        if (!this.headReady(q, t)) continue;
        const mask = this.routes[(pe * colors + color) * PORTS + inPort]!;
        if (mask === 0)
          throw new Error(`fabric: PE ${pe} has no route for color ${color} from port ${inPort}`);
        if ((mask & portsUsed) !== 0) continue;
        // Every destination must have room (multicast moves as one).
        let room = true;
        for (let port = 0; port < PORTS && room; port++) {
          if (mask & (1 << port)) room = this.qSize[this.destination(pe, port, color)]! < depth;
        }
        if (!room) {
          this.counters.backPressureCycles++;
          continue;
        }
        const value = this.pop(q);
        this.queued[pe]!--;
        this.portQueued[pe * PORTS + inPort]!--;
        for (let port = 0; port < PORTS; port++) {
          if (!(mask & (1 << port))) continue;
          this.push(this.destination(pe, port, color), value, t + (port === RAMP ? ramp : hop));
          if (this.sent.length > 0) this.sent[pe]!++;
          if (port === RAMP) this.counters.rampCrossings++;
          else {
            this.counters.hops++;
            const next = this.nextPe[pe * 4 + port]!;
            this.queued[next]!++;
            this.portQueued[next * PORTS + this.nextPort[pe * 4 + port]!]!++;
          }
        }
        portsUsed |= mask;
        moved = true;
      }
      this.turn[pe] = (this.turn[pe]! + 1) % candidates;
    }
    for (let pe = 0; pe < this.pes; pe++) {
      const program = this.programs[pe];
      if (program && this.busyUntil[pe]! <= t) {
        for (const color of program.handles) {
          const q = this.queue(pe, PE_IN, color);
          if (!this.headReady(q, t)) continue;
          if (program.canTake && !program.canTake(color)) continue;
          const value = this.pop(q);
          // The task's cycles are known only after it ran: queue its sends, then date them.
          const before = this.outbox[pe]!.length;
          const cycles = program.onWavelet(color, value, this.contexts[pe]!);
          if (!(Number.isSafeInteger(cycles) && cycles >= 1)) {
            throw new Error(`fabric: a task must take a whole number of cycles ≥ 1, got ${cycles}`);
          }
          this.outbox[pe]!.dateFrom(before, t + cycles);
          this.busyUntil[pe] = t + cycles;
          const recorder = this.params.recorder;
          if (recorder) {
            if (recorder.tasks.length < recorder.limit) recorder.tasks.push({ pe, start: t, cycles, color });
            else recorder.dropped++;
          }
          this.lastEvent = Math.max(this.lastEvent, t + cycles);
          this.counters.tasks++;
          this.counters.busyCycles += cycles;
          moved = true;
          break;
        }
      }
      // Up the ramp: one wavelet per cycle, in order, when the router's ramp queue has room.
      const out = this.outbox[pe]!;
      if (out.length > 0 && out.from() <= t) {
        const q = this.queue(pe, RAMP, out.color());
        if (this.qSize[q]! < depth) {
          this.push(q, out.value(), t + ramp);
          this.queued[pe]!++;
          this.portQueued[pe * PORTS + RAMP]!++;
          out.shift();
          this.counters.rampCrossings++;
          moved = true;
        } else this.counters.backPressureCycles++;
      }
    }
    return moved;
  }

  /** The queue a wavelet sent from `pe` on output `port` lands in. */
  private destination(pe: number, port: number, color: number): number {
    if (port === RAMP) return this.queue(pe, PE_IN, color);
    return this.queue(this.nextPe[pe * 4 + port]!, this.nextPort[pe * 4 + port]!, color);
  }
}
