/**
 * The `wavelet` fabric against closed forms and conservation laws: the chain reduce of
 * docs/cs2-facts.md §13 (B + (2·T_R + 2)·(P − 1) cycles, within 4% of CS-2 measurements by its
 * authors) and the 1-D broadcast, for P = 4…512 PEs and B = 1…4096 wavelets; the values they carry
 * (FP32, the same order of additions as a plain loop); and back-pressure, where queues shallower
 * than a link's round trip or a slow consumer hold the senders back and nothing is dropped.
 */
import { describe, expect, it } from 'vitest';
import { broadcastRow, type CollectiveParams, chainReduce } from './collectives.ts';
import { EAST, Fabric, RAMP, WEST } from './fabric.ts';

/** CS-2 figures: one-cycle hops, T_R ≈ 2 (docs/cs2-facts.md §13); queues deep enough for a full link. */
const CS2 = { hopLatencyCycles: 1, rampLatencyCycles: 2, queueDepth: 4 } as const;

const value = (pe: number, k: number) => Math.fround(((pe * 13 + k * 7) % 29) / 8 - 1.5);

describe('chain reduce and broadcast against their closed forms', () => {
  const cases: [number, number][] = [
    [4, 1],
    [4, 4096],
    [8, 16],
    [32, 256],
    [128, 1],
    [128, 1024],
    [512, 1],
    [512, 64],
    [512, 4096],
  ];

  it.each(cases)('P = %i PEs, B = %i wavelets: within 4% (here exact)', (pes, wavelets) => {
    for (const collective of [chainReduce, broadcastRow]) {
      const r = collective({ ...CS2, pes, wavelets });
      expect(Math.abs(r.cycles / r.closedFormCycles - 1)).toBeLessThanOrEqual(0.04);
      expect(r.cycles).toBe(r.closedFormCycles);
    }
    // The published form itself, with T_R = 2 and one-cycle hops and adds.
    expect(chainReduce({ ...CS2, pes, wavelets }).closedFormCycles).toBe(wavelets + (2 * 2 + 2) * (pes - 1));
  });

  it('other latencies and task lengths follow the same forms', () => {
    for (const [hop, ramp, task] of [
      [1, 1, 1],
      [2, 1, 1],
      [1, 3, 2],
      [3, 2, 1],
    ] as const) {
      const p: CollectiveParams = {
        pes: 24,
        wavelets: 100,
        hopLatencyCycles: hop,
        rampLatencyCycles: ramp,
        // A queue as deep as the longest round trip keeps every link busy every cycle.
        queueDepth: Math.max(hop, ramp) + task + 1,
        taskCycles: task,
      };
      // A task longer than a cycle paces the stream: B tasks in a row, not B cycles.
      const reduce = chainReduce(p);
      expect(reduce.cycles).toBe(
        task === 1 ? reduce.closedFormCycles : reduce.closedFormCycles + (task - 1) * (p.wavelets - 1),
      );
      const bcast = broadcastRow(p);
      expect(bcast.cycles).toBe(
        task === 1 ? bcast.closedFormCycles : bcast.closedFormCycles + (task - 1) * (p.wavelets - 1),
      );
    }
  });
});

describe('the values the wavelets carry', () => {
  it('the chain reduce sums in FP32, in the order of the chain, exactly as a plain loop does', () => {
    const pes = 37;
    const wavelets = 300;
    const r = chainReduce({ ...CS2, pes, wavelets, value });
    for (let k = 0; k < wavelets; k++) {
      let sum = value(pes - 1, k);
      for (let pe = pes - 2; pe >= 0; pe--) sum = Math.fround(sum + value(pe, k));
      expect(r.values[k]).toBe(sum);
    }
  });

  it('the broadcast delivers every wavelet, in order, to the far end', () => {
    const r = broadcastRow({ ...CS2, pes: 50, wavelets: 200, value });
    expect([...r.values]).toEqual(Array.from({ length: 200 }, (_, k) => value(0, k)));
  });
});

describe('back-pressure: a full queue stalls its sender, nothing is dropped', () => {
  it('queues shallower than a ramp round trip halve the stream, and every wavelet still arrives', () => {
    const pes = 16;
    const wavelets = 512;
    const full = chainReduce({ ...CS2, pes, wavelets, value });
    const shallow = chainReduce({ ...CS2, queueDepth: 2, pes, wavelets, value });
    expect(shallow.cycles).toBeGreaterThan(full.cycles * 1.2);
    expect(shallow.counters.backPressureCycles).toBeGreaterThan(0);
    expect([...shallow.values]).toEqual([...full.values]);
    // Conservation: each wavelet crosses each of the P − 1 links once, and two ramps per hop.
    for (const r of [full, shallow]) {
      expect(r.counters.hops).toBe(wavelets * (pes - 1));
      expect(r.counters.rampCrossings).toBe(2 * wavelets * (pes - 1));
      expect(r.counters.tasks).toBe(wavelets * (pes - 1));
    }
  });

  it('a slow consumer at the end of a broadcast paces the whole row', () => {
    const fabric = new Fabric({
      rows: 1,
      cols: 3,
      colors: 1,
      hopLatencyCycles: 1,
      rampLatencyCycles: 2,
      queueDepth: 2,
    });
    const got: number[] = [];
    fabric.route(0, 0, RAMP, [EAST]);
    fabric.route(1, 0, WEST, [EAST]);
    fabric.route(2, 0, WEST, [RAMP]);
    fabric.load(0, {
      handles: [],
      onWavelet: () => 1,
      start: (ctx) => {
        for (const v of [1, 2, 3, 4, 5, 6]) ctx.send(0, v);
      },
    });
    fabric.load(2, {
      handles: [0],
      onWavelet: (_c, v) => {
        got.push(v);
        return 10;
      },
    });
    const cycles = fabric.run();
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    // Six ten-cycle tasks back to back after the first wavelet's trip (1 + 2 + 2 hops + 2).
    expect(cycles).toBe(1 + 2 + 2 + 2 + 6 * 10);
    expect(fabric.counters.backPressureCycles).toBeGreaterThan(0);
  });
});

describe('the fabric refuses what it cannot simulate', () => {
  it('a route off the region, a wavelet with no route, a task of no cycles, a deadlock', () => {
    const make = () =>
      new Fabric({ rows: 1, cols: 2, colors: 1, hopLatencyCycles: 1, rampLatencyCycles: 2, queueDepth: 2 });
    expect(() => make().route(1, 0, RAMP, [EAST])).toThrow(/no neighbour on port/);
    expect(
      () =>
        new Fabric({ rows: 1, cols: 2, colors: 1, hopLatencyCycles: 1, rampLatencyCycles: 0, queueDepth: 2 }),
    ).toThrow(/rampLatencyCycles must be a whole number ≥ 1/);
    const unrouted = make();
    unrouted.load(0, { handles: [], onWavelet: () => 1, start: (ctx) => ctx.send(0, 1) });
    expect(() => unrouted.run()).toThrow(/no route for color 0/);
    const instant = make();
    instant.route(0, 0, RAMP, [RAMP]);
    instant.load(0, { handles: [0], onWavelet: () => 0, start: (ctx) => ctx.send(0, 1) });
    expect(() => instant.run()).toThrow(/at least one cycle|≥ 1/);
    // A PE that sends back to itself forever never goes idle.
    const loop = make();
    loop.route(0, 0, RAMP, [RAMP]);
    loop.load(0, {
      handles: [0],
      onWavelet: (_c, v, ctx) => {
        ctx.send(0, v);
        return 1;
      },
      start: (ctx) => ctx.send(0, 1),
    });
    expect(() => loop.run(500)).toThrow(/still running after 500 cycles/);
    // A wavelet no program will ever take: reported at once, not after a billion empty cycles.
    const stuck = make();
    stuck.route(0, 0, RAMP, [EAST]);
    stuck.route(1, 0, WEST, [RAMP]);
    stuck.load(0, { handles: [], onWavelet: () => 1, start: (ctx) => ctx.send(0, 1) });
    stuck.load(1, { handles: [0], canTake: () => false, onWavelet: () => 1 });
    expect(() => stuck.run()).toThrow(/deadlock at cycle \d+/);
  });

  it('runs are deterministic: the same program gives the same cycles and counters', () => {
    const p = { ...CS2, queueDepth: 2, pes: 20, wavelets: 123, value };
    expect(chainReduce(p)).toEqual(chainReduce(p));
    expect(broadcastRow(p)).toEqual(broadcastRow(p));
  });
});
