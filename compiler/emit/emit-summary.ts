/**
 * `compile --emit summary`: one phase on a page: micro-batch, activation policy, estimated step
 * time, and how layer 0's and the head's ops are placed (equal placements share a row).
 */
import type { DataflowNode } from '../ir/graph.ts';
import type { CompiledPhase } from '../pipeline.ts';
import { estimateStepCycles } from '../place/choose-policy.ts';
import type { Placement, Tiling } from '../place/placed-program.ts';
import { graphFlops } from './emit-json.ts';
import {
  formatBytes,
  formatFlops,
  formatKib,
  formatSeconds,
  formatTable,
  groupDigits,
} from './format-text.ts';

export function formatTiling(t: Tiling): string {
  switch (t.kernel) {
    case 'streamed-gemm':
    case 'sddmm':
    case 'attention':
      return `G=${t.rowGroups} ${t.rowsPerGroup}×${t.kSlice} tpp=${t.tokensPerPe}`;
    case 'elementwise':
      return `${t.elementsPerPe} el/PE × ${t.opsPerElement} ops${t.reducesAcrossRows ? ' + col reduce' : ''}`;
    case 'stream-in':
    case 'stream-out':
      return formatBytes(t.bytes);
    case 'optimizer-bubble':
      return `${t.seconds} s`;
  }
}

function kernelName(t: Tiling): string {
  return 'transposed' in t && t.transposed ? `${t.kernel} (Wᵀ)` : t.kernel;
}

interface Row {
  readonly prefix: string;
  readonly roles: string[];
  readonly placement: Placement;
}

/** A grad-out node is named after its weight: `layers.0.ffnIn` → `ffnIn`, `ln.0.2` → `ln2`. */
function labelParts(node: DataflowNode): { prefix: string; role: string } {
  const prefix = node.id.slice(0, node.id.length - node.role.length);
  if (node.op !== 'grad-stream-out' || node.weight === null) return { prefix, role: node.role };
  const weight = node.weight
    .replace(/^layers\.\d+\./, '')
    .replace(/^ln\.(\d+)\.(\d+)$/, 'ln$2')
    .replace(/^ln\.final$/, 'ln-final');
  return { prefix: `${prefix}grad-out:`, role: weight };
}

/** Rows for layer 0 and the head, one per pass and identical placement, in graph order. */
function representativeRows(compiled: CompiledPhase): Row[] {
  const mb = compiled.program.microBatches[0];
  if (!mb) return [];
  const rows = new Map<string, Row>();
  mb.graph.nodes.forEach((node, i) => {
    const placement = mb.placements[i];
    if (!placement || (node.layer !== null && node.layer !== 0)) return;
    const { prefix, role } = labelParts(node);
    const key = [
      prefix,
      node.op,
      JSON.stringify(placement.tiling),
      placement.sram.totalBytes,
      placement.estimatedCycles,
      placement.boundBy,
    ].join('|');
    const row = rows.get(key);
    if (row) row.roles.push(role);
    else rows.set(key, { prefix, roles: [role], placement });
  });
  return [...rows.values()];
}

export function emitProgramSummary(compiled: CompiledPhase): string {
  const { program } = compiled;
  const hw = program.hardware;
  const graph = program.stepGraph;
  const mb0 = program.microBatches[0];
  const flops = graphFlops(graph);
  const cycles = estimateStepCycles(program);
  const split = program.microBatches.map((mb) => `${mb.count} × ${mb.sequences}`).join(' + ');
  const resident = mb0?.placements[0]?.sram.residentBytes ?? 0;
  const recompute =
    program.recomputedNodes > 0 ? `; ${program.recomputedNodes} forward ops per micro-batch run twice` : '';
  const header = [
    `${program.workload} · phase ${program.phase} · sparsity ${compiled.level} · ${graph.model} on ${hw.name}`,
    `step: ${graph.sequences} sequences (${groupDigits(graph.tokens)} tokens) = ${split} sequences per micro-batch` +
      (compiled.systems > 1
        ? `, on each of ${compiled.systems} systems in data parallel (${compiled.systems * graph.sequences} sequences in all)`
        : ''),
    `activations: policy ${program.activationPolicy}, resident ${formatKib(resident)} KiB/PE of ${formatKib(hw.sramBytesPerPe)} KiB SRAM${recompute}`,
    `graph: ${graph.nodes.length} nodes, ${graph.edges.length} edges; ${formatFlops(flops.effective)} effective per step${compiled.systems > 1 ? ' per system' : ''} (${formatFlops(flops.dense)} dense)`,
    `estimated step time: ${formatSeconds(cycles / hw.clockHz)} (${groupDigits(cycles)} cycles at ${hw.clockHz / 1e9} GHz; compiler estimate; the simulator measures)`,
  ];
  const rows = representativeRows(compiled).map(({ prefix, roles, placement: p }) => [
    roles.length === 1 ? `${prefix}${roles[0]}` : `${prefix}{${roles.join(',')}}`,
    kernelName(p.tiling),
    formatTiling(p.tiling),
    formatKib(p.sram.totalBytes),
    groupDigits(p.estimatedCycles),
    p.boundBy,
  ]);
  const table = formatTable(['node', 'kernel', 'tiling', 'SRAM KiB/PE', 'est. cycles', 'bound by'], rows, [
    false,
    false,
    false,
    true,
    true,
    false,
  ]);
  const layers = graph.nodes.reduce((max, n) => Math.max(max, (n.layer ?? -1) + 1), 0);
  return [
    ...header,
    '',
    `Layer 0 (of ${layers}) and the head, per micro-batch of ${mb0?.sequences ?? 0} sequences` +
      ' (G row groups, rows × k-slice, tpp tokens per PE):',
    table,
    '',
  ].join('\n');
}
