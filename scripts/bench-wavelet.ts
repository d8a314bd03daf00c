/**
 * Benchmark of the `wavelet` fabric (issue 12): simulated PE-cycles per second of wall time on
 * the chain reduce of B = 4096 wavelets across P = 512 PEs (every router busy every cycle once the
 * pipeline fills), on a broadcast, and on the GEMM of issue 12's target (`gemm --fidelity
 * wavelet` on a 64 × 64 mesh at 75% sparsity, its sparse and dense runs: every PE of every row
 * group), with a fixed reference loop timed in the same run so that figures from different
 * machines compare as ratios. Median of RUNS runs.
 *   npx tsx scripts/bench-wavelet.ts [runs]
 */
import { cpus } from 'node:os';
import { HARDWARE_PRESETS } from '../hardware/hardware-config.ts';
import { simulateGemm } from '../simulator/gemm.ts';
import { broadcastRow, chainReduce } from '../simulator/wavelet/collectives.ts';

const RUNS = Number(process.argv[2] ?? 5);
const CASE = { pes: 512, wavelets: 4096, hopLatencyCycles: 1, rampLatencyCycles: 2, queueDepth: 4 } as const;

/** A max-plus recurrence over a typed array (the shape of the simulators' work), fixed size. */
function referenceLoop(): number {
  const a = new Float64Array(4096);
  let x = 0;
  for (let rep = 0; rep < 20_000; rep++) {
    for (let i = 1; i < a.length; i++) {
      x = Math.max(a[i]!, a[i - 1]! + 1) + (rep & 1);
      a[i] = x;
    }
  }
  return x;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const MESH = { ...HARDWARE_PRESETS.cs2!, meshRows: 64, meshCols: 64 };
const GEMM = { k: 2048, n: 64, m: 4096, sparsity: 0.75, hardware: MESH, fidelity: 'wavelet' } as const;

const rows: Record<string, number[]> = { reference: [], reduce: [], broadcast: [], gemm: [] };
const peCycles: Record<string, number> = {};
for (let run = 0; run < RUNS + 1; run++) {
  let t = performance.now();
  referenceLoop();
  const ref = (performance.now() - t) / 1000;
  t = performance.now();
  const r = chainReduce(CASE);
  const reduce = (performance.now() - t) / 1000;
  t = performance.now();
  const b = broadcastRow(CASE);
  const broadcast = (performance.now() - t) / 1000;
  t = performance.now();
  const g = simulateGemm(GEMM);
  const gemm = (performance.now() - t) / 1000;
  peCycles.reduce = r.cycles * CASE.pes;
  peCycles.broadcast = b.cycles * CASE.pes;
  // Every PE of every row group, for each run's cycles.
  peCycles.gemm = [g.sparse, g.dense].reduce(
    (sum, run) => sum + run.cycles * run.tiling.rowGroups * run.tiling.rowsPerGroup * run.tiling.activeCols,
    0,
  );
  if (run === 0) continue; // warm-up
  rows.reference!.push(ref);
  rows.reduce!.push(reduce);
  rows.broadcast!.push(broadcast);
  rows.gemm!.push(gemm);
}
const ref = median(rows.reference!);
console.log(`machine: ${cpus()[0]?.model.trim()}, node ${process.version}; median of ${RUNS} runs`);
console.log(`reference loop: ${ref.toFixed(3)} s`);
const label = {
  reduce: `chain reduce P=${CASE.pes} B=${CASE.wavelets}`,
  broadcast: `broadcast P=${CASE.pes} B=${CASE.wavelets}`,
  gemm: `gemm --fidelity wavelet K=${GEMM.k} N=${GEMM.n} M=${GEMM.m} at ${GEMM.sparsity * 100}% on 64 × 64 (sparse + dense)`,
};
for (const name of ['reduce', 'broadcast', 'gemm'] as const) {
  const s = median(rows[name]!);
  console.log(
    `${label[name]}: ${s.toFixed(3)} s, ${(peCycles[name]! / s / 1e6).toFixed(2)} M PE-cycles/s, ` +
      `${(s / ref).toFixed(3)} × the reference`,
  );
}
