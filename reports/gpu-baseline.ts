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
  'one H100, dense (unstructured sparsity does not speed it up), at the rate measured for a GPT-3 XL-shaped model, scaled to other widths by the measured transformer-block rates';

/** GPUs in the node offered as a second comparison: an 8-GPU server. */
export const GPUS_PER_NODE = 8;

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
  block: z
    .array(
      z.object({
        d: z.number().int().positive().describe('Model width of the measured transformer block'),
        approx_model_tflops: z
          .number()
          .positive()
          .describe("The block's training TFLOP/s (papers' convention)"),
      }),
    )
    .min(1),
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
  /** Measured training TFLOP/s of one transformer block at each width (data/gpu-h100-sparse.json). */
  readonly blocks: readonly { readonly dModel: number; readonly modelTflops: number }[];
  /** Width of the whole model the step rate (modelTflops) was measured on. */
  readonly measuredDModel: number;
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
    blocks: sparse.block.map((b) => ({ dModel: b.d, modelTflops: b.approx_model_tflops })),
    // The step file's model is GPT-3 XL-shaped (the MediSwift-XL shape): width 2048.
    measuredDModel: 2048,
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

/** The H100's training rate for a model of width `dModel`, and how it was obtained. */
export interface GpuRate {
  readonly tflops: number;
  /**
   * 'measured': the width of the measured model; 'interpolated': between two measured block
   * widths; 'clamped': outside them, at the nearest measured width's rate.
   */
  readonly basis: 'measured' | 'interpolated' | 'clamped';
}

/**
 * The whole-model rate measured at one width, scaled to `dModel` by the ratio of the measured
 * block rates (linear in the width between the measured widths, the nearest one outside them).
 */
export function h100Rate(dModel: number, baseline: GpuBaseline): GpuRate {
  const blocks = [...baseline.blocks].sort((a, b) => a.dModel - b.dModel);
  const blockRate = (d: number): number => {
    if (d <= blocks[0]!.dModel) return blocks[0]!.modelTflops;
    if (d >= blocks.at(-1)!.dModel) return blocks.at(-1)!.modelTflops;
    const i = blocks.findIndex((b) => b.dModel >= d);
    const lo = blocks[i - 1]!;
    const hi = blocks[i]!;
    return lo.modelTflops + ((d - lo.dModel) / (hi.dModel - lo.dModel)) * (hi.modelTflops - lo.modelTflops);
  };
  const tflops = baseline.modelTflops * (blockRate(dModel) / blockRate(baseline.measuredDModel));
  const inside = dModel >= blocks[0]!.dModel && dModel <= blocks.at(-1)!.dModel;
  const basis = dModel === baseline.measuredDModel ? 'measured' : inside ? 'interpolated' : 'clamped';
  return { tflops, basis };
}

/** Seconds `gpus` H100s take for `denseFlops` of training at `rate` (dense; several GPUs: linear scaling assumed). */
export function h100Seconds(denseFlops: number, rate: GpuRate, gpus = 1): number {
  return denseFlops / (gpus * rate.tflops * 1e12);
}
