/**
 * `compile --emit dot`: the step graph as Graphviz DOT, one cluster per (layer, pass) and one per
 * pass for the embedding, head and optimizer; labels show op, role and effective FLOPs per step.
 * Render with `dot -Tsvg graph.dot > graph.svg` (Graphviz is not a dependency).
 */
import type { DataflowNode, Pass } from '../ir/graph.ts';
import type { CompiledPhase } from '../pipeline.ts';
import { formatFlops } from './format-text.ts';

const PASS_COLOR: Record<Pass, string> = {
  forward: '#dbe9f6',
  'backward-data': '#fbe3cf',
  'backward-weight': '#dcefd8',
  optimizer: '#e6e6e6',
};

/** A DOT double-quoted string; newlines become the `\n` label escape. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Where a node outside the blocks sits: the embedding (first and last), the head, the optimizer. */
function nonLayerGroup(node: DataflowNode): string {
  if (node.pass === 'optimizer') return 'optimizer';
  const embedding =
    node.op === 'embedding' || node.role === 'embedding' || node.role === 'grad-out:embedding';
  return embedding ? 'embedding' : 'head';
}

function clusterOf(node: DataflowNode): { key: string; label: string } {
  const group = node.layer === null ? nonLayerGroup(node) : `L${node.layer}`;
  const label =
    node.layer !== null
      ? `layer ${node.layer} · ${node.pass}`
      : group === 'optimizer'
        ? 'optimizer (off-wafer)'
        : `${group} · ${node.pass}`;
  const key = group === 'optimizer' ? 'cluster_optimizer' : `cluster_${group}_${node.pass}`;
  return { key: key.replace(/[^A-Za-z0-9_]/g, '_'), label };
}

function nodeLabel(node: DataflowNode): string {
  const lines = [node.role === node.op ? node.op : `${node.op} ${node.role}`];
  if (node.density < 1) lines.push(`density ${node.density}`);
  if (node.flops.effective > 0) lines.push(formatFlops(node.flops.effective));
  return lines.join('\n');
}

export function emitProgramDot(compiled: CompiledPhase): string {
  const { program } = compiled;
  const graph = program.stepGraph;
  const title = `${program.workload} · ${program.phase} · sparsity ${compiled.level} · ${graph.sequences} sequences per step`;
  // Clusters in the order their first node appears (topological, forward first).
  const clusters = new Map<string, { label: string; nodes: DataflowNode[] }>();
  for (const node of graph.nodes) {
    const { key, label } = clusterOf(node);
    const cluster = clusters.get(key) ?? { label, nodes: [] };
    cluster.nodes.push(node);
    clusters.set(key, cluster);
  }
  const out = [
    `digraph ${dotString(`${program.workload} ${program.phase}`)} {`,
    `  graph [label=${dotString(title)}, labelloc=t, fontname="Helvetica", rankdir=TB, newrank=true];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
    '  edge [color="#777777", fontsize=8];',
  ];
  for (const [key, cluster] of clusters) {
    out.push(`  subgraph ${key} {`);
    out.push(`    label=${dotString(cluster.label)};`);
    out.push('    style="rounded"; color="#aaaaaa";');
    for (const node of cluster.nodes) {
      out.push(
        `    ${dotString(node.id)} [label=${dotString(nodeLabel(node))}, tooltip=${dotString(node.id)}, fillcolor=${dotString(PASS_COLOR[node.pass])}];`,
      );
    }
    out.push('  }');
  }
  for (const edge of graph.edges) {
    out.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)} [tooltip=${dotString(edge.tensor)}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
