/**
 * The 'auto' activation policy: place the step under keep, recompute and spill, and keep the one
 * the cost model says is fastest, counting what each policy costs (recomputed forward ops,
 * spilled bytes over the wafer I/O). A policy the user fixes is placed as given.
 */
import { ioBitsPerCycle } from '../../hardware/machine-rates.ts';
import { type PlaceStepInput, type PlaceStepResult, placeStep } from './place-step.ts';
import type { ActivationPolicy, PlacedProgram } from './placed-program.ts';

export type ActivationPolicyChoice = ActivationPolicy | 'auto';
export const POLICIES: readonly ActivationPolicy[] = ['keep', 'recompute', 'spill'];

/**
 * Estimated cycles of one step under the program's policy, from the placements' estimates. The
 * optimizer's bubble comes once per step, whatever the number of micro-batches.
 */
export function estimateStepCycles(program: PlacedProgram): number {
  const ioRate = ioBitsPerCycle(program.hardware);
  let cycles = 0;
  let optimizer = 0;
  for (const mb of program.microBatches) {
    let micro = (mb.spilledBytes * 8) / ioRate;
    mb.placements.forEach((p, i) => {
      const node = mb.graph.nodes[i]!;
      if (node.op === 'optimizer') {
        optimizer = p.estimatedCycles;
        return;
      }
      const rerun =
        program.activationPolicy === 'recompute' && node.pass === 'forward' && node.layer !== null;
      micro += rerun ? 2 * p.estimatedCycles : p.estimatedCycles;
    });
    cycles += mb.count * micro;
  }
  return cycles + optimizer;
}
export function placeStepWithPolicy(
  input: Omit<PlaceStepInput, 'activationPolicy'> & { readonly activationPolicy: ActivationPolicyChoice },
): PlaceStepResult {
  if (input.activationPolicy !== 'auto')
    return placeStep({ ...input, activationPolicy: input.activationPolicy });
  let best: { program: PlacedProgram; cycles: number } | undefined;
  let closest: Extract<PlaceStepResult, { ok: false }> | undefined;
  for (const policy of POLICIES) {
    const result = placeStep({ ...input, activationPolicy: policy });
    if (!result.ok) {
      // When nothing fits, report the policy that came closest: its fixes are the useful ones.
      if (!closest || result.overBytes < closest.overBytes) closest = result;
      continue;
    }
    const cycles = estimateStepCycles(result.program);
    if (!best || cycles < best.cycles) best = { program: result.program, cycles };
  }
  return best ? { ok: true, program: best.program } : closest!;
}
