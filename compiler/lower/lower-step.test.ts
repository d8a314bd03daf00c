import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeFlops } from '../../models/flop-summary.ts';
import { MODEL_PRESET_NAMES, MODEL_PRESETS, type ModelConfig } from '../../models/model-config.ts';
import { type SparsitySpec, sparsitySpec } from '../../models/sparsity.ts';
import { layerWeights, matrixDensities } from '../../models/weights.ts';
import { TINY_MODEL } from '../../tests/fixtures.ts';
import type { DataflowGraph } from '../ir/graph.ts';
import { verifyGraph } from '../ir/verify.ts';
import { lowerTrainingStep } from './lower-step.ts';

const FORMAT = { valueBits: 16, indexBits: 16 };

function lower(model: ModelConfig, spec: SparsitySpec, sequences = 4): DataflowGraph {
  const weights = layerWeights(model, spec);
  return lowerTrainingStep({
    model,
    weights,
    densities: matrixDensities(weights, spec),
    sequences,
    format: FORMAT,
  });
}

const tiny: ModelConfig = TINY_MODEL;

const countBy = (g: DataflowGraph, key: 'pass' | 'op') => {
  const out: Record<string, number> = {};
  for (const n of g.nodes) out[n[key]] = (out[n[key]] ?? 0) + 1;
  return out;
};

describe('node and edge counts worked by hand (2-layer GELU model, tied embeddings)', () => {
  it('has 101 nodes and 152 edges', () => {
    // Forward: 14 per block (ln1, q, k, v, scores, softmax, context, attnOut, residual1, ln2, ffnIn,
    // activation, ffnOut, residual2) + embedding, final LN, LM head, loss = 14·2 + 4 = 32.
    // Backward-data: every forward op but the embedding = 31.
    // Backward-weight: 8 per block (6 linears, 2 LayerNorms) + final LN, LM head, embedding = 19;
    // gradient stream-out: one per parameter tensor, LM head and embedding share one = 18.
    // Optimizer: 1.  Total 32 + 31 + 19 + 18 + 1 = 101.
    const g = lower(tiny, sparsitySpec(0.5));
    expect(countBy(g, 'pass')).toEqual({
      forward: 32,
      'backward-data': 31,
      'backward-weight': 37,
      optimizer: 1,
    });
    expect(countBy(g, 'op')['grad-stream-out']).toBe(18);
    expect(countBy(g, 'op').sddmm).toBe(12); // the 6 sparse linears of each block
    // Edges: forward 18 per block (ln1 1, q/k/v 3, scores 2, softmax 1, context 2, attnOut 1,
    // residual1 2, ln2 1, ffnIn 1, activation 1, ffnOut 1, residual2 2) + head 3 = 39;
    // gradients mirror them except the 2 leaving the embedding = 37; loss → its backward 1;
    // backward-weight: 2 inputs each (saved input, dy) for 18 nodes + the embedding's 2 = 38;
    // 19 into the stream-outs; 18 into the optimizer.  39 + 37 + 1 + 38 + 19 + 18 = 152.
    expect(g.edges).toHaveLength(152);
    expect(verifyGraph(g)).toEqual([]);
  });

  it('SwiGLU adds the gate per block; untied embeddings add a stream-out', () => {
    const g = lower({ ...tiny, activation: 'swiglu', tiedEmbeddings: false }, sparsitySpec(0.5));
    // forward 15·2 + 4 = 34; backward-data 33; backward-weight 9·2 + 3 = 21 plus 21 stream-outs.
    expect(countBy(g, 'pass')).toEqual({
      forward: 34,
      'backward-data': 33,
      'backward-weight': 42,
      optimizer: 1,
    });
    // Edges: +2 per block forward (ln2 → gate, gate → activation) and +2 mirrored, +2 per block
    // into the gate's backward-weight, +2 into stream-outs, +3 into the optimizer (21 stream-outs).
    expect(g.edges).toHaveLength(152 + 4 + 4 + 4 + 2 + 3);
    expect(verifyGraph(g)).toEqual([]);
  });

  it('a dense step has no SDDMM and streams dense weights (no indices)', () => {
    const g = lower(tiny, sparsitySpec(0));
    expect(countBy(g, 'op').sddmm).toBeUndefined();
    const q = g.nodes.find((n) => n.id === 'L0.fwd.q')!;
    expect(q.bytes.streamedIn).toBe(64 * 64 * 2);
    const sparseQ = lower(tiny, sparsitySpec(0.75)).nodes.find((n) => n.id === 'L0.fwd.q')!;
    expect(sparseQ.bytes.streamedIn).toBe(64 * 64 * 0.25 * 4); // value + index per non-zero
  });
});

describe('FLOP conservation: the graph carries exactly the step of the FLOP accounting', () => {
  it.each(MODEL_PRESET_NAMES)('%s at 0, 0.5 and 0.75', (name) => {
    const model = MODEL_PRESETS[name]!;
    for (const level of [0, 0.5, 0.75]) {
      const spec = sparsitySpec(level);
      const g = lower(model, spec, 3);
      const summary = summarizeFlops(model, spec);
      const sum = (f: (n: DataflowGraph['nodes'][number]) => number) => g.nodes.reduce((a, n) => a + f(n), 0);
      const rel = (a: number, b: number) => Math.abs(a - b) / b;
      expect(
        rel(
          sum((n) => n.flops.effective),
          3 * summary.perSequence.training,
        ),
      ).toBeLessThan(1e-12);
      expect(
        rel(
          sum((n) => n.flops.dense),
          3 * summary.dense.perSequence.training,
        ),
      ).toBeLessThan(1e-12);
      for (const cls of ['sparseLinear', 'attention', 'lmHead'] as const) {
        const byClass = sum((n) => (n.flopClass === cls ? n.flops.effective : 0));
        expect(rel(byClass, 3 * summary.breakdown[cls])).toBeLessThan(1e-12);
      }
    }
  });

  it('each pass of a linear costs one forward: the 3× convention node by node', () => {
    const g = lower(tiny, sparsitySpec(0.5));
    const f = (id: string) => g.nodes.find((n) => n.id === id)!.flops;
    expect(f('L1.bwd-data.ffnIn')).toEqual(f('L1.fwd.ffnIn'));
    expect(f('L1.bwd-weight.ffnIn')).toEqual(f('L1.fwd.ffnIn'));
    expect(f('L1.fwd.ffnIn').effective).toBe(2 * 4 * 128 * 64 * 256 * 0.5);
    // Attention backward-data runs two products per forward product.
    expect(f('L0.bwd-data.scores').dense).toBe(2 * f('L0.fwd.scores').dense);
  });
});

describe('the verifier', () => {
  it('catches a backwards edge, a dangling node, and FLOPs above dense', () => {
    const g = lower(tiny, sparsitySpec(0.5));
    const broken: DataflowGraph = {
      ...g,
      nodes: g.nodes.map((n) => (n.id === 'L0.fwd.q' ? { ...n, flops: { dense: 1, effective: 2 } } : n)),
      edges: [
        ...g.edges.filter((e) => e.to !== 'L0.fwd.k'),
        { from: 'L1.fwd.q', to: 'L0.fwd.q', tensor: 'x' },
      ],
    };
    const rules = new Set(verifyGraph(broken).map((v) => v.rule));
    expect(rules).toEqual(new Set(['flops', 'order', 'dangling']));
  });
});

describe('property: random valid models lower to legal graphs with conserved FLOPs', () => {
  it('holds for random shapes, activations and sparsity', () => {
    fc.assert(
      fc.property(
        fc.record({
          layers: fc.integer({ min: 1, max: 4 }),
          heads: fc.integer({ min: 1, max: 8 }),
          dHead: fc.integer({ min: 1, max: 32 }),
          dFF: fc.integer({ min: 1, max: 512 }),
          vocab: fc.integer({ min: 2, max: 5000 }),
          seqLen: fc.integer({ min: 1, max: 256 }),
          activation: fc.constantFrom('gelu' as const, 'swiglu' as const),
          tiedEmbeddings: fc.boolean(),
          level: fc.constantFrom(0, 0.25, 0.5, 0.9),
          erk: fc.boolean(),
          sequences: fc.integer({ min: 1, max: 16 }),
        }),
        (r) => {
          const model: ModelConfig = { ...tiny, ...r, name: 'random', dModel: r.heads * r.dHead };
          const spec = sparsitySpec(r.level, { distribution: r.erk ? 'erk' : 'uniform' });
          const g = lower(model, spec, r.sequences);
          expect(verifyGraph(g)).toEqual([]);
          const effective = g.nodes.reduce((a, n) => a + n.flops.effective, 0);
          const expected = summarizeFlops(model, spec).perSequence.training * r.sequences;
          expect(Math.abs(effective - expected) / expected).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 150 },
    );
  });
});
