/**
 * IR legality (STYLE: tinygrad's spec checked between passes). Returns every violation found;
 * an empty list means the graph is legal. Violations are bugs in a pass, not user errors.
 */
import { type DataflowGraph, type DataflowNode, OPS, type Op, PASSES, type Pass } from './graph.ts';

export interface GraphViolation {
  readonly node: string;
  readonly rule: string;
  readonly message: string;
}

/** Number of dimensions each op's shape has (graph.ts documents their meaning). */
const SHAPE_RANK: Record<Op, number> = {
  embedding: 2,
  layernorm: 2,
  linear: 3,
  'attn-scores': 5,
  softmax: 4,
  'attn-context': 5,
  residual: 2,
  activation: 2,
  'lm-head': 3,
  loss: 2,
  'weight-grad': -1, // [M, K, N] for a matmul's weight, [M, width] for LayerNorm and the embedding
  sddmm: 3,
  'grad-stream-out': 1,
  optimizer: 1,
};

/** Which passes an op may appear in. */
const OP_PASSES: Partial<Record<Op, readonly Pass[]>> = {
  embedding: ['forward'],
  'weight-grad': ['backward-weight'],
  sddmm: ['backward-weight'],
  'grad-stream-out': ['backward-weight'],
  optimizer: ['optimizer'],
};

/** A pass may only consume tensors from these passes. */
const PASS_INPUTS: Record<Pass, readonly Pass[]> = {
  forward: ['forward'],
  'backward-data': ['forward', 'backward-data'],
  'backward-weight': ['forward', 'backward-data', 'backward-weight'],
  optimizer: ['backward-weight'],
};

function checkNode(n: DataflowNode, out: GraphViolation[]): void {
  const bad = (rule: string, message: string) => out.push({ node: n.id, rule, message });
  if (!OPS.includes(n.op)) bad('op', `unknown op '${n.op}'`);
  if (!PASSES.includes(n.pass)) bad('pass', `unknown pass '${n.pass}'`);
  const allowed = OP_PASSES[n.op];
  if (allowed && !allowed.includes(n.pass)) bad('op-pass', `op ${n.op} cannot run in pass ${n.pass}`);
  const rank = SHAPE_RANK[n.op];
  if (rank !== undefined && rank >= 0 && n.shape.length !== rank) {
    bad('shape', `op ${n.op} needs a shape of rank ${rank}, has [${n.shape.join(', ')}]`);
  }
  // A gradient stream can be empty: a tiny matrix at high sparsity may keep no weight at all.
  const minSize = n.op === 'grad-stream-out' || n.op === 'optimizer' ? 0 : 1;
  if (!n.shape.every((x) => Number.isSafeInteger(x) && x >= minSize)) {
    bad('shape', `shape [${n.shape}] has a size below ${minSize}`);
  }
  // 0: an imported mask may prune a matrix fully (its op then multiplies nothing).
  if (!(n.density >= 0 && n.density <= 1)) bad('density', `density ${n.density} is outside [0, 1]`);
  if (n.density < 1 && n.op !== 'linear' && n.op !== 'sddmm' && n.op !== 'grad-stream-out') {
    bad('density', `only streamed linear weights may be sparse, not ${n.op}`);
  }
  if (n.op === 'sddmm' && n.density === 1) bad('sddmm', 'an SDDMM needs a sparse weight (density < 1)');
  if ((n.op === 'linear' || n.op === 'lm-head' || n.op === 'sddmm') && !n.weight)
    bad('weight', `${n.op} needs a weight`);
  const { dense, effective } = n.flops;
  if (!(dense >= 0 && effective >= 0 && effective <= dense * (1 + 1e-12))) {
    bad('flops', `FLOPs must satisfy 0 ≤ effective (${effective}) ≤ dense (${dense})`);
  }
  if (n.flopClass === 'none' && dense !== 0)
    bad('flops', `a ${n.op} counts no FLOPs by the papers' convention`);
  for (const [k, v] of Object.entries(n.bytes)) if (!(v >= 0)) bad('bytes', `bytes.${k} = ${v} is negative`);
}

export function verifyGraph(graph: DataflowGraph): GraphViolation[] {
  const out: GraphViolation[] = [];
  const index = new Map<string, number>();
  graph.nodes.forEach((n, i) => {
    if (index.has(n.id)) out.push({ node: n.id, rule: 'unique-id', message: 'duplicate node id' });
    index.set(n.id, i);
    checkNode(n, out);
  });
  const hasInput = new Set<string>();
  const hasOutput = new Set<string>();
  for (const e of graph.edges) {
    const from = index.get(e.from);
    const to = index.get(e.to);
    if (from === undefined || to === undefined) {
      out.push({ node: e.to, rule: 'edge', message: `edge ${e.from} → ${e.to} names a missing node` });
      continue;
    }
    // Nodes are kept in a topological order: this is also the acyclicity check.
    if (from >= to)
      out.push({ node: e.to, rule: 'order', message: `edge ${e.from} → ${e.to} goes backwards` });
    const fromPass = graph.nodes[from]!.pass;
    const toPass = graph.nodes[to]!.pass;
    if (!PASS_INPUTS[toPass].includes(fromPass)) {
      out.push({
        node: e.to,
        rule: 'pass-flow',
        message: `a ${toPass} node cannot consume ${fromPass} tensor ${e.tensor}`,
      });
    }
    hasInput.add(e.to);
    hasOutput.add(e.from);
  }
  const optimizers = graph.nodes.filter((n) => n.op === 'optimizer');
  if (optimizers.length !== 1) {
    out.push({
      node: '(graph)',
      rule: 'optimizer',
      message: `a step has exactly one optimizer node, found ${optimizers.length}`,
    });
  }
  for (const n of graph.nodes) {
    if (n.op !== 'embedding' && !hasInput.has(n.id))
      out.push({ node: n.id, rule: 'dangling', message: 'node has no inputs' });
    if (n.op !== 'optimizer' && !hasOutput.has(n.id))
      out.push({ node: n.id, rule: 'dead', message: "node's output is never used" });
  }
  return out;
}
