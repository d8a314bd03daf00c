/**
 * Times the compiler on GPT-3 XL (24 layers, every pass): `npx tsx scripts/bench-compile.ts`.
 * Each run is `compileWorkload(loadWorkload('spdf-gpt3-xl-s75'))` (both phases), then the sparse
 * phase alone: one warm-up and 7 timed runs each. Prints median / min / max and the machine.
 */
import { cpus, platform, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compileWorkload } from '../compiler/pipeline.ts';
import { loadWorkload } from '../workloads/index.ts';

const RUNS = 7;
const PRESET = 'spdf-gpt3-xl-s75';

function timeRuns(label: string, compile: () => void): void {
  const coldStart = performance.now();
  compile(); // warm-up: JIT and module caches
  const cold = performance.now() - coldStart;
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    compile();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const f = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `${label}: median ${f(ms[RUNS >> 1]!)}, min ${f(ms[0]!)}, max ${f(ms[RUNS - 1]!)} (${RUNS} runs; warm-up ${f(cold)})`,
  );
}

function loadAndCompile(phase?: string): void {
  const result = compileWorkload(loadWorkload(PRESET), phase === undefined ? {} : { phase });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
}

const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${platform()} ${release()}, node ${process.version}`,
);
const phases = loadWorkload(PRESET).phases.map((p) => p.name);
timeRuns(`${PRESET}, all phases (${phases.join(' + ')})`, () => loadAndCompile());
timeRuns(`${PRESET}, phase ${phases[0]} alone`, () => loadAndCompile(phases[0]));
