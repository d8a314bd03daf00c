/**
 * Non-zeros per k-slice of a dense operand: every entry counts, so each row of the mesh holds its
 * slice's height in every output column. One count per row (the kernels read it with colStep 0).
 * Sparse weights are counted from their masks in units.ts (one draw per matrix, every pass's
 * tiling counted from it: models/masks/multi-tiling.ts).
 */

export interface RowCounts {
  /** Non-zeros per k-slice, the same in every column. */
  readonly perRow: Uint32Array;
}

export function denseRowCounts(k: number, kSlice: number): RowCounts {
  const slices = Math.ceil(k / kSlice);
  const perRow = new Uint32Array(slices);
  for (let i = 0; i < slices; i++) perRow[i] = Math.min(kSlice, k - i * kSlice);
  return { perRow };
}
