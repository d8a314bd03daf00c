/**
 * Activation memory for the backward pass under a policy (DESIGN §5): how many activation
 * elements per token stay resident on the wafer, and what the policy costs instead.
 * Activations of a micro-batch are spread over the mesh: tokens across the columns, features
 * across the rows, so a PE holds tokensPerPe × ceil(width / meshRows) elements of each.
 */
import type { ModelConfig } from '../../models/model-config.ts';
import type { ActivationPolicy } from './placed-program.ts';

const ACTIVATION_BYTES = 2; // FP16

/**
 * Elements per token one block saves for its backward pass: its input, LayerNorm outputs,
 * Q, K, V, the attention context and the softmax log-sum-exp per head (attention probabilities
 * are recomputed blockwise, as in FlashAttention, rather than stored: n² per head would not fit),
 * the residual, the FFN input and activation outputs (and the gate for SwiGLU).
 */
export function savedWidthPerLayer(model: ModelConfig): number {
  const d = model.dModel;
  const ffnTensors = model.activation === 'swiglu' ? 3 : 2;
  return 8 * d + model.heads + ffnTensors * model.dFF;
}

/** Elements per token the head keeps: the final LayerNorm output and the loss's log-sum-exp. */
export function savedWidthHead(model: ModelConfig): number {
  return model.dModel + 1;
}

/** Elements per token resident across the step under each policy. */
export function residentWidth(model: ModelConfig, policy: ActivationPolicy): number {
  const layer = savedWidthPerLayer(model);
  switch (policy) {
    case 'keep':
      return model.layers * layer + savedWidthHead(model);
    case 'recompute':
      // Each block's input is checkpointed; one block's saved set is rebuilt at a time.
      return model.layers * model.dModel + layer + savedWidthHead(model);
    case 'spill':
      // One block's set on the wafer while the previous one streams out (or back in).
      return 2 * layer + savedWidthHead(model);
  }
}

export function residentBytesPerPe(
  model: ModelConfig,
  policy: ActivationPolicy,
  tokensPerPe: number,
  meshRows: number,
): number {
  const width = residentWidth(model, policy);
  return tokensPerPe * Math.ceil(width / meshRows) * ACTIVATION_BYTES;
}

/** Bytes a micro-batch sends out and back over the wafer I/O under the spill policy. */
export function spilledBytes(model: ModelConfig, tokens: number): number {
  return 2 * model.layers * savedWidthPerLayer(model) * tokens * ACTIVATION_BYTES;
}
