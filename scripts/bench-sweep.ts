/**
 * Benchmark of the sweep issue, run as a user would (the real bin, in a child process):
 * `wafersim sweep sparsity-gpt3-xl --workers 2`, the 20-point sparsity sweep of GPT-3 XL (0 to
 * 0.95, one sparse pre-training phase, batch 512, the full 757 × 996 CS-2). Prints the wall time of
 * each run and, from sweep.json `meta`, where the units' time went per point: drawing masks vs
 * simulating them (summed over units, so on 2 workers about twice the wall time they cover).
 * Run: npx tsx scripts/bench-sweep.ts [runs]   (default 1 run; the target is ≤ 2 minutes)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const RUNS = Number(process.argv[2] ?? 1);
const ARGS = ['sweep', 'sparsity-gpt3-xl', '--workers', '2'];

function timed(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`wafersim ${args.join(' ')} exited ${code}`));
      else resolve((performance.now() - started) / 1000);
    });
  });
}

interface Timing {
  readonly drawMs: number;
  readonly simulateMs: number;
}

interface SweepJson {
  readonly points: readonly { readonly index: number; readonly values: Record<string, unknown> }[];
  readonly meta: {
    readonly wallSeconds: number;
    readonly points: readonly {
      readonly index: number;
      readonly phases: readonly { readonly samples: readonly Timing[]; readonly dense: Timing }[];
    }[];
  };
}

async function main() {
  console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, node ${process.version}`);
  console.log(`command: wafersim ${ARGS.join(' ')}; ${RUNS} run(s)`);
  const out = mkdtempSync(join(tmpdir(), 'wafersim-bench-sweep-'));
  try {
    const walls: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = join(out, `run-${run}`);
      const seconds = await timed([...ARGS, '--out', dir]);
      walls.push(seconds);
      const sweep = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as SweepJson;
      console.log(
        `run ${run + 1}: ${seconds.toFixed(1)} s wall (simulation ${sweep.meta.wallSeconds.toFixed(1)} s of it)`,
      );
      if (run > 0) continue;
      let draw = 0;
      let simulate = 0;
      for (const p of sweep.meta.points) {
        // Only the sparse samples: a cached dense step repeats the timing of the one that was simulated.
        const d = p.phases.reduce((a, ph) => a + ph.samples.reduce((b, s) => b + s.drawMs, 0), 0);
        const s = p.phases.reduce((a, ph) => a + ph.samples.reduce((b, x) => b + x.simulateMs, 0), 0);
        draw += d;
        simulate += s;
        const values = JSON.stringify(sweep.points.find((q) => q.index === p.index)?.values);
        console.log(
          `  point ${p.index} ${values}: draw ${(d / 1000).toFixed(1)} s, simulate ${(s / 1000).toFixed(1)} s`,
        );
      }
      const dense = sweep.meta.points[0]?.phases[0]?.dense;
      if (dense) {
        console.log(
          `  dense equivalent (once): draw ${(dense.drawMs / 1000).toFixed(1)} s, simulate ${(dense.simulateMs / 1000).toFixed(1)} s`,
        );
      }
      console.log(
        `  units in all (summed over workers): draw ${(draw / 1000).toFixed(1)} s, simulate ${(simulate / 1000).toFixed(1)} s`,
      );
    }
    const sorted = [...walls].sort((a, b) => a - b);
    console.log(`median wall time: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s (target ≤ 120 s)`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
