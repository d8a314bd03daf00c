/**
 * Raw, additive counters of a simulation (DESIGN §6, STYLE §8): cycles by cause, MACs issued and
 * skipped, what crossed the fabric and the wafer I/O. Sums of counters are counters; every ratio
 * is derived once, in reports/, from summed counts.
 */

/** Where a cycle of the step went. Each simulated cycle of the critical path is given exactly one. */
export const STALL_CAUSES = [
  'compute',
  'imbalance',
  'reduction',
  'io',
  'overhead',
  'fillDrain',
  'dense',
  'bubble',
] as const;
export type StallCause = (typeof STALL_CAUSES)[number];

/** One line per cause: what its cycles are. Reports print these as the definitions. */
export const STALL_CAUSE_DEFINITIONS: Readonly<Record<StallCause, string>> = {
  compute: "FMAC cycles of effectual (non-zero) MACs on the most loaded row's balanced share",
  imbalance: 'extra cycles the most loaded row works beyond the mean row (uneven non-zeros)',
  reduction: 'waiting on partial-sum reduction chains or operand broadcasts (links, accumulators)',
  io: 'waiting for streamed weights (wafer I/O bandwidth), and streams on the critical path',
  overhead: 'task start-up per streamed weight, and the vector adds of the reduction',
  fillDrain: 'pipeline fill before the first MAC and drain after the last, multicast latency',
  dense: 'work that sparsity cannot touch (attention products, element-wise ops, the LM head, dense weights)',
  bubble: 'the step boundary: the off-wafer optimizer and the last gradients leaving the wafer',
};

export type CyclesByCause = Record<StallCause, number>;

export interface Counters {
  readonly cycles: CyclesByCause;
  /** Multiply-accumulates executed on non-zero weights (weight × token). */
  readonly macsIssued: number;
  /** Multiply-accumulates a dense execution would do that zero weights skipped. */
  readonly macsSkipped: number;
  /** Weights (non-zeros, or all of a dense matrix) streamed onto the wafer. */
  readonly weightsStreamed: number;
  /** Wavelets sent along reduction chains and broadcasts (per mesh column, summed over columns). */
  readonly fabricWavelets: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Sum over PEs of the cycles their datapath was busy. */
  readonly peBusyCycles: number;
}

export function zeroCycles(): CyclesByCause {
  return { compute: 0, imbalance: 0, reduction: 0, io: 0, overhead: 0, fillDrain: 0, dense: 0, bubble: 0 };
}

export function zeroCounters(): Counters {
  return {
    cycles: zeroCycles(),
    macsIssued: 0,
    macsSkipped: 0,
    weightsStreamed: 0,
    fabricWavelets: 0,
    bytesIn: 0,
    bytesOut: 0,
    peBusyCycles: 0,
  };
}

export function totalCycles(c: Counters | CyclesByCause): number {
  const cycles = 'cycles' in c ? c.cycles : c;
  let sum = 0;
  for (const cause of STALL_CAUSES) sum += cycles[cause];
  return sum;
}

/** a + k·b, field by field (k counts repeated micro-batches). */
export function addCounters(a: Counters, b: Counters, k = 1): Counters {
  const cycles = zeroCycles();
  for (const cause of STALL_CAUSES) cycles[cause] = a.cycles[cause] + k * b.cycles[cause];
  return {
    cycles,
    macsIssued: a.macsIssued + k * b.macsIssued,
    macsSkipped: a.macsSkipped + k * b.macsSkipped,
    weightsStreamed: a.weightsStreamed + k * b.weightsStreamed,
    fabricWavelets: a.fabricWavelets + k * b.fabricWavelets,
    bytesIn: a.bytesIn + k * b.bytesIn,
    bytesOut: a.bytesOut + k * b.bytesOut,
    peBusyCycles: a.peBusyCycles + k * b.peBusyCycles,
  };
}
