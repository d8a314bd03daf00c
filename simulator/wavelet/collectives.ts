/**
 * The two collectives of the fabric every kernel leans on, as `wavelet`-fidelity programs on a
 * row of P PEs (simulator/wavelet/fabric.ts), with the values they carry:
 * - chain reduce: each PE holds B FP32 values; the easternmost sends its B, every PE on the way
 *   west adds its own (one data task of `addCycles` per wavelet) and passes the sum on; the
 *   westernmost ends with the B sums. Closed form (Luczynski et al., HPDC'24; docs/cs2-facts.md §13):
 *   B + (2·T_R + 2)·(P − 1) cycles with one-cycle hops and adds, within 4% of CS-2 measurements
 *   according to its authors.
 * - broadcast: the westernmost PE sends B values east; every router passes each wavelet on east and
 *   down its ramp at once (multicast), every PE stores it (one task per wavelet). From the same
 *   constants: B + 2·T_R + (P − 1)·hop + 1 cycles: B cycles to send, the last wavelet's trip up
 *   a ramp, across P − 1 hops and down a ramp, and the task that stores it.
 * Both start with the source's own one-cycle task, so its first wavelet leaves at cycle 1.
 */
import { EAST, Fabric, type FabricCounters, type PeProgram, RAMP, WEST } from './fabric.ts';

export interface CollectiveParams {
  /** PEs in the row (P ≥ 2). */
  readonly pes: number;
  /** Wavelets per PE (B ≥ 1). */
  readonly wavelets: number;
  readonly hopLatencyCycles: number;
  readonly rampLatencyCycles: number;
  /** Depth of every queue (wavelets). */
  readonly queueDepth: number;
  /** Cycles of the data task that adds (reduce) or stores (broadcast) one wavelet. */
  readonly taskCycles?: number;
  /** The values of PE p, element k: default a small integer pattern, exact in FP32. */
  readonly value?: (pe: number, k: number) => number;
}

export interface CollectiveResult {
  readonly cycles: number;
  /** The closed form for the same P, B and latencies. */
  readonly closedFormCycles: number;
  /** Reduce: the B sums at the westernmost PE; broadcast: what the easternmost PE received. */
  readonly values: Float64Array;
  readonly counters: FabricCounters;
}

const defaultValue = (pe: number, k: number) => ((pe * 7 + k * 3) % 17) - 8;

function check(p: CollectiveParams): void {
  if (!Number.isSafeInteger(p.pes) || p.pes < 2) throw new Error(`collective: pes must be ≥ 2, got ${p.pes}`);
  if (!Number.isSafeInteger(p.wavelets) || p.wavelets < 1) {
    throw new Error(`collective: wavelets must be ≥ 1, got ${p.wavelets}`);
  }
}

function rowFabric(p: CollectiveParams): Fabric {
  return new Fabric({
    rows: 1,
    cols: p.pes,
    colors: 1,
    hopLatencyCycles: p.hopLatencyCycles,
    rampLatencyCycles: p.rampLatencyCycles,
    queueDepth: p.queueDepth,
  });
}

/** Chain reduce of B wavelets across a row of P PEs, east to west, in FP32. */
export function chainReduce(p: CollectiveParams): CollectiveResult {
  check(p);
  const { pes, wavelets: B } = p;
  const task = p.taskCycles ?? 1;
  const value = p.value ?? defaultValue;
  const fabric = rowFabric(p);
  const sums = new Float64Array(B);
  const last = pes - 1;
  fabric.route(last, 0, RAMP, [WEST]);
  fabric.load(last, {
    handles: [],
    onWavelet: () => 1,
    start: (ctx) => {
      for (let k = 0; k < B; k++) ctx.send(0, Math.fround(value(last, k)));
    },
  });
  for (let pe = last - 1; pe >= 0; pe--) {
    fabric.route(pe, 0, EAST, [RAMP]);
    if (pe > 0) fabric.route(pe, 0, RAMP, [WEST]);
    let k = 0;
    const program: PeProgram = {
      handles: [0],
      onWavelet: (_color, partial, ctx) => {
        const sum = Math.fround(partial + Math.fround(value(pe, k)));
        if (pe > 0) ctx.send(0, sum);
        else sums[k] = sum;
        k++;
        return task;
      },
    };
    fabric.load(pe, program);
  }
  const cycles = fabric.run();
  const closedFormCycles = B + (2 * p.rampLatencyCycles + p.hopLatencyCycles + task) * (pes - 1);
  return { cycles, closedFormCycles, values: sums, counters: fabric.counters };
}

/** Broadcast of B wavelets from the westernmost PE of a row of P to every other, by multicast. */
export function broadcastRow(p: CollectiveParams): CollectiveResult {
  check(p);
  const { pes, wavelets: B } = p;
  const task = p.taskCycles ?? 1;
  const value = p.value ?? defaultValue;
  const fabric = rowFabric(p);
  const received = new Float64Array(B);
  const last = pes - 1;
  fabric.route(0, 0, RAMP, [EAST]);
  fabric.load(0, {
    handles: [],
    onWavelet: () => 1,
    start: (ctx) => {
      for (let k = 0; k < B; k++) ctx.send(0, Math.fround(value(0, k)));
    },
  });
  for (let pe = 1; pe <= last; pe++) {
    fabric.route(pe, 0, WEST, pe < last ? [EAST, RAMP] : [RAMP]);
    let k = 0;
    fabric.load(pe, {
      handles: [0],
      onWavelet: (_color, v) => {
        if (pe === last) received[k] = v;
        k++;
        return task;
      },
    });
  }
  const cycles = fabric.run();
  const closedFormCycles = B + 2 * p.rampLatencyCycles + (pes - 1) * p.hopLatencyCycles + task;
  return { cycles, closedFormCycles, values: received, counters: fabric.counters };
}
