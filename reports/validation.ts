/**
 * Model vs measured, for every published CS-2 point the repository ships
 * (data/cs2-gemm-speedup.json: a 12k × 12k GEMM at 50%, 75% and 90% sparsity). The same comparison
 * drives `wafersim validate` and the fit in scripts/calibrate.ts, so the fit is reproducible.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { HardwareConfig } from '../simulator/arch/hardware-config.ts';
import { CALIBRATION_TOKENS, simulateGemm } from '../simulator/gemm.ts';

/** A modeled speedup more than this far from a measured one (relative) fails validation. */
export const VALIDATION_TOLERANCE = 0.03;

const MeasuredSchema = z.object({
  description: z.string(),
  source: z.string(),
  k: z.number().int().positive(),
  n: z.number().int().positive(),
  points: z
    .array(z.object({ sparsity: z.number().min(0).lt(1), measuredSpeedup: z.number().positive() }))
    .min(1),
});
export type MeasuredGemmPoints = z.infer<typeof MeasuredSchema>;

export function loadMeasuredPoints(): MeasuredGemmPoints {
  const url = new URL('../data/cs2-gemm-speedup.json', import.meta.url);
  return MeasuredSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

export interface ValidationPoint {
  readonly name: string;
  readonly sparsity: number;
  readonly measuredSpeedup: number;
  readonly modeledSpeedup: number;
  /** modeled / measured − 1. */
  readonly relativeError: number;
  readonly pass: boolean;
  readonly source: string;
}

/** Simulates every measured point on `hardware` (the CS-2 preset, for validation). */
export function validateGemmPoints(
  hardware: HardwareConfig,
  measured = loadMeasuredPoints(),
): ValidationPoint[] {
  return measured.points.map((p) => {
    const r = simulateGemm({
      k: measured.k,
      n: measured.n,
      m: CALIBRATION_TOKENS,
      sparsity: p.sparsity,
      hardware,
    });
    const modeled = r.dense.cycles / r.sparse.cycles;
    const relativeError = modeled / p.measuredSpeedup - 1;
    return {
      name: `${measured.k}×${measured.n} GEMM at ${p.sparsity} sparsity`,
      sparsity: p.sparsity,
      measuredSpeedup: p.measuredSpeedup,
      modeledSpeedup: modeled,
      relativeError,
      pass: Math.abs(relativeError) <= VALIDATION_TOLERANCE,
      source: measured.source,
    };
  });
}
