/**
 * Benchmarks of issues 4 and 9, run as a user would (the real bin, in a child process):
 *   - `wafersim run mediswift-xl-s75` (75% step, its dense equivalent, the fine-tuning phase, full
 *     757 × 996 CS-2, every layer with its own mask) with --workers 0, 1 and 2: wall time and peak
 *     resident memory of the process (all its threads);
 *   - `wafersim run mediswift-xl` (the study, three workloads) with --workers 2;
 *   - `wafersim gemm --k 12288 --n 12288 --sparsity 0.75` and `wafersim presets`: wall time;
 *   - the time the units spent drawing masks vs simulating them (from report.json meta);
 *   - a fixed reference loop timed in this process once per round: every figure is also printed
 *     as a ratio to it, so figures from different machines (or a busy one) can be compared.
 * Median of RUNS rounds. Run: npx tsx scripts/bench-run.ts [runs]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);

/** Runs the bin; polls the process's peak resident set (VmHWM covers every thread). */
function timed(args: string[]): Promise<{ seconds: number; peakMiB: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKiB = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakKiB = Math.max(peakKiB, Number(hwm[1]));
      } catch {
        // the process has exited between polls
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`wafersim ${args.join(' ')} exited ${code}`));
      else resolve({ seconds: (performance.now() - started) / 1000, peakMiB: peakKiB / 1024 });
    });
  });
}

/**
 * The reference: a max-plus recurrence over a typed array, the shape of the row kernels' work,
 * about half a second on the machine of BENCHMARKS.md. Returns seconds.
 */
function referenceLoop(): number {
  const started = performance.now();
  const a = new Float64Array(1 << 16);
  let t = 0;
  for (let i = 0; i < 200_000_000; i++) {
    const j = i & 0xffff;
    t = Math.max(t + 1, a[j]!);
    a[j] = t + (i & 7);
  }
  if (t < 0) console.log(t); // keeps the loop from being optimized away
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function main() {
  console.log(
    `machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, node ${process.version}; ${RUNS} runs each`,
  );
  const out = mkdtempSync(join(tmpdir(), 'wafersim-bench-'));
  try {
    const results: Record<string, { seconds: number[]; peakMiB: number[] }> = {};
    const reference: number[] = [];
    const record = (key: string, r: { seconds: number; peakMiB: number }) => {
      results[key] ??= { seconds: [], peakMiB: [] };
      results[key].seconds.push(r.seconds);
      results[key].peakMiB.push(r.peakMiB);
    };
    let drawMs = 0;
    let simulateMs = 0;
    for (let run = 0; run < RUNS; run++) {
      reference.push(referenceLoop());
      for (const workers of [0, 1, 2]) {
        const dir = join(out, `w${workers}-${run}`);
        const r = await timed(['run', 'mediswift-xl-s75', '--workers', String(workers), '--out', dir]);
        record(`run mediswift-xl-s75 --workers ${workers}`, r);
        if (workers === 1) {
          const meta = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).meta;
          for (const phase of meta.runs[0].phases) {
            for (const s of phase.samples) {
              drawMs += s.drawMs / RUNS;
              simulateMs += s.simulateMs / RUNS;
            }
          }
        }
      }
      record(
        'run mediswift-xl --workers 2',
        await timed(['run', 'mediswift-xl', '--workers', '2', '--out', join(out, `study-${run}`)]),
      );
      record(
        'gemm 12288 × 12288 at 0.75',
        await timed(['gemm', '--k', '12288', '--n', '12288', '--sparsity', '0.75', '--json']),
      );
      record('presets', await timed(['presets']));
    }
    const ref = median(reference);
    console.log(
      `reference loop: median ${ref.toFixed(3)} s (${reference.map((s) => s.toFixed(3)).join(', ')})`,
    );
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `${name}: median ${median(r.seconds).toFixed(2)} s (${r.seconds.map((s) => s.toFixed(2)).join(', ')}), ` +
          `${(median(r.seconds) / ref).toFixed(2)} × the reference, peak ${median(r.peakMiB).toFixed(0)} MiB`,
      );
    }
    const w1 = median(results['run mediswift-xl-s75 --workers 1']!.seconds);
    const w2 = median(results['run mediswift-xl-s75 --workers 2']!.seconds);
    console.log(`--workers 2 vs --workers 1: ${(w1 / w2).toFixed(2)}× faster`);
    console.log(
      `units (mean over runs, --workers 1): drawing masks ${(drawMs / 1000).toFixed(1)} s, simulating ${(simulateMs / 1000).toFixed(1)} s`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
