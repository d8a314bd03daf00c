/**
 * The GPU context of a report (DESIGN §8): what one H100 would take for the same training, from
 * measurements the repository ships (data/README.md). Two files:
 * - data/gpu-h100-gpt3xl-step.json: a dense GPT-3 XL-shaped model trained in bf16 on one H100;
 *   its model TFLOP/s by the papers' convention (the FLOP accounting of DESIGN §3) is the rate.
 * - data/gpu-h100-sparse.json: dense GEMMs vs cuSPARSE CSR and cuSPARSELt 2:4 at GPT shapes;
 *   a speedup below 1 is a slowdown. Context rows only: they show why the GPU stays dense.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const GPU_STEP_FILE = 'data/gpu-h100-gpt3xl-step.json';
export const GPU_SPARSE_FILE = 'data/gpu-h100-sparse.json';

export const H100_LABEL =
  'one H100, dense, at the measured rate for GPT-3 XL; unstructured sparsity does not speed it up';

const StepFileSchema = z.object({
  device: z.string(),
  torch: z.string(),
  runs: z
    .array(
      z.object({
        B: z.number().int().positive().describe('Micro-batch (sequences)'),
        T: z.number().int().positive().describe('Context length (tokens)'),
        step_s: z.number().positive().describe('Seconds per training step'),
        tokens_per_s: z.number().positive(),
        model_tflops_papers_convention: z
          .number()
          .positive()
          .describe("Model TFLOP/s by the papers' FLOP accounting (docs/design.md §3)"),
      }),
    )
    .min(1),
});

const speedup = z.number().positive();
const SparseFileSchema = z.object({
  device: z.string(),
  gemm: z
    .array(
      z.object({
        M: z.number().int().positive(),
        K: z.number().int().positive(),
        N: z.number().int().positive(),
        dense_tflops: z.number().positive(),
        csr_fp32_s50_speedup_vs_dense_bf16: speedup,
        csr_bf16_s50_speedup_vs_dense_bf16: speedup,
        csr_fp32_s75_speedup_vs_dense_bf16: speedup,
        csr_bf16_s75_speedup_vs_dense_bf16: speedup,
        csr_fp32_s90_speedup_vs_dense_bf16: speedup,
        csr_bf16_s90_speedup_vs_dense_bf16: speedup,
        semi24_speedup: speedup,
      }),
    )
    .min(1),
});

/** Measured speedups over dense bf16 at one GEMM shape (below 1: slower than dense). */
export interface GemmContextRow {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly denseTflops: number;
  readonly csrBf16: { readonly s50: number; readonly s75: number; readonly s90: number };
  readonly csrFp32: { readonly s50: number; readonly s75: number; readonly s90: number };
  /** cuSPARSELt 2:4 (50% structured) speedup. */
  readonly semi24: number;
}

export interface GpuBaseline {
  readonly device: string;
  readonly sources: readonly string[];
  readonly label: string;
  /** Median over the measured runs of the dense GPT-3 XL model TFLOP/s (papers' convention). */
  readonly modelTflops: number;
  readonly runs: readonly {
    readonly microBatch: number;
    readonly seqLen: number;
    readonly modelTflops: number;
  }[];
  readonly gemm: readonly GemmContextRow[];
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
}

function parseShipped<T>(schema: z.ZodType<T>, file: string): T {
  const result = schema.safeParse(readJson(file));
  // The files ship with the package: a mismatch is a bug of the repository, not of user input.
  if (!result.success) throw new Error(`${file} does not match its schema: ${result.error.message}`);
  return result.data;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function loadGpuBaseline(): GpuBaseline {
  const step = parseShipped(StepFileSchema, GPU_STEP_FILE);
  const sparse = parseShipped(SparseFileSchema, GPU_SPARSE_FILE);
  const runs = step.runs.map((r) => ({
    microBatch: r.B,
    seqLen: r.T,
    modelTflops: r.model_tflops_papers_convention,
  }));
  return {
    device: step.device,
    sources: [GPU_STEP_FILE, GPU_SPARSE_FILE],
    label: H100_LABEL,
    modelTflops: median(runs.map((r) => r.modelTflops)),
    runs,
    gemm: sparse.gemm.map((g) => ({
      m: g.M,
      k: g.K,
      n: g.N,
      denseTflops: g.dense_tflops,
      csrBf16: {
        s50: g.csr_bf16_s50_speedup_vs_dense_bf16,
        s75: g.csr_bf16_s75_speedup_vs_dense_bf16,
        s90: g.csr_bf16_s90_speedup_vs_dense_bf16,
      },
      csrFp32: {
        s50: g.csr_fp32_s50_speedup_vs_dense_bf16,
        s75: g.csr_fp32_s75_speedup_vs_dense_bf16,
        s90: g.csr_fp32_s90_speedup_vs_dense_bf16,
      },
      semi24: g.semi24_speedup,
    })),
  };
}

/** Seconds one H100 takes for `denseFlops` of training at the measured rate (it runs dense). */
export function h100Seconds(denseFlops: number, baseline: GpuBaseline): number {
  return denseFlops / (baseline.modelTflops * 1e12);
}
