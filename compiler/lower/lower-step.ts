/**
 * Lowers one training step of a model to a `DataflowGraph` (DESIGN §1, §5): forward,
 * backward-data for every op, backward-weight for every op with weights (a masked SDDMM for the
 * sparse ones), gradient stream-out and the off-wafer optimizer. FLOPs follow the papers'
 * accounting (models/flops.ts) exactly, so the graph's effective FLOPs equal the step's.
 */
import { FLOPS_PER_MAC } from '../../models/flops.ts';
import type { ModelConfig } from '../../models/model-config.ts';
import type { LayerWeightKind } from '../../models/sparsity.ts';
import type { WeightMatrix } from '../../models/weights.ts';
import type { DataflowEdge, DataflowGraph, DataflowNode, FlopClass, Op, Pass } from '../ir/graph.ts';

export interface WeightFormat {
  /** Bits of one weight value as streamed (FP16: 16). */
  readonly valueBits: number;
  /** Bits of the index sent with each non-zero of a sparse weight. */
  readonly indexBits: number;
}

export interface LowerInput {
  readonly model: ModelConfig;
  /** The per-layer weight matrices, with which are sparse (models/weights.ts). */
  readonly weights: readonly WeightMatrix[];
  /** Fraction of non-zeros of each matrix by name; missing means dense. */
  readonly densities: ReadonlyMap<string, number>;
  /** Sequences in one optimizer step (the global batch). */
  readonly sequences: number;
  readonly format: WeightFormat;
}

const ACTIVATION_BYTES = 2; // FP16 activations

/** Builds nodes and edges in topological order; every edge goes from an earlier node to a later one. */
class GraphBuilder {
  readonly nodes: DataflowNode[] = [];
  readonly edges: DataflowEdge[] = [];
  private readonly ids = new Set<string>();

  add(node: DataflowNode, inputs: readonly (readonly [string, string])[] = []): string {
    if (this.ids.has(node.id)) throw new Error(`duplicate node id ${node.id}`);
    this.ids.add(node.id);
    this.nodes.push(node);
    for (const [from, tensor] of inputs) this.edges.push({ from, to: node.id, tensor });
    return node.id;
  }
}

const PASS_TAG: Record<Pass, string> = {
  forward: 'fwd',
  'backward-data': 'bwd-data',
  'backward-weight': 'bwd-weight',
  optimizer: 'opt',
};

export function lowerTrainingStep(input: LowerInput): DataflowGraph {
  const { model, sequences, format } = input;
  const M = sequences * model.seqLen;
  const d = model.dModel;
  const dHead = d / model.heads;
  const g = new GraphBuilder();
  const weightByName = new Map(input.weights.map((w) => [w.name, w]));
  const densityOf = (name: string) => input.densities.get(name) ?? 1;

  const prefix = (layer: number | null) => (layer === null ? 'head' : `L${layer}`);
  const idOf = (layer: number | null, pass: Pass, role: string) =>
    `${prefix(layer)}.${PASS_TAG[pass]}.${role}`;

  interface Spec {
    op: Op;
    pass: Pass;
    layer: number | null;
    role: string;
    shape: readonly number[];
    weight?: string;
    density?: number;
    flopClass?: FlopClass;
    denseFlops?: number;
    streamedIn?: number;
    streamedOut?: number;
    activations?: number;
    dtype?: 'fp16' | 'fp32';
  }
  const node = (s: Spec): DataflowNode => {
    const density = s.density ?? 1;
    const dense = s.denseFlops ?? 0;
    return {
      id: idOf(s.layer, s.pass, s.role),
      op: s.op,
      pass: s.pass,
      layer: s.layer,
      role: s.role,
      shape: s.shape,
      dtype: s.dtype ?? 'fp16',
      weight: s.weight ?? null,
      density,
      flopClass: s.flopClass ?? 'none',
      flops: { dense, effective: dense * density },
      bytes: {
        streamedIn: s.streamedIn ?? 0,
        streamedOut: s.streamedOut ?? 0,
        activations: s.activations ?? 0,
      },
    };
  };

  /** Bytes to stream a weight in: dense as values, sparse as (value, index) per non-zero. */
  const weightBytes = (rows: number, cols: number, density: number) =>
    density < 1
      ? (Math.round(rows * cols * density) * (format.valueBits + format.indexBits)) / 8
      : (rows * cols * format.valueBits) / 8;
  const gradBytes = (elements: number) => (elements * format.valueBits) / 8;

  // Per forward node: its inputs (node id, tensor) so the backward pass can mirror the edges.
  const forwardInputs = new Map<string, readonly (readonly [string, string])[]>();
  const forwardOrder: string[] = [];
  const forward = (s: Omit<Spec, 'pass'>, inputs: readonly (readonly [string, string])[]) => {
    const id = g.add(node({ ...s, pass: 'forward' }), inputs);
    forwardInputs.set(id, inputs);
    forwardOrder.push(id);
    return id;
  };

  const linearSpec = (layer: number, kind: LayerWeightKind) => {
    const name = `layers.${layer}.${kind}`;
    const w = weightByName.get(name);
    if (!w) throw new Error(`lowering: no weight ${name} for model ${model.name}`);
    const density = w.sparse ? densityOf(name) : 1;
    return {
      op: 'linear' as const,
      layer,
      role: kind,
      shape: [M, w.rows, w.cols],
      weight: name,
      density,
      flopClass: 'sparseLinear' as const,
      denseFlops: FLOPS_PER_MAC * M * w.rows * w.cols,
      streamedIn: weightBytes(w.rows, w.cols, density),
      activations: M * w.cols * ACTIVATION_BYTES,
      w,
    };
  };
  const elementwise = (op: Op, layer: number | null, role: string, width: number, weight?: string) => ({
    op,
    layer,
    role,
    shape: [M, width],
    activations: M * width * ACTIVATION_BYTES,
    ...(weight ? { weight } : {}),
  });
  const attentionFlops = FLOPS_PER_MAC * M * model.seqLen * d; // per product: Q·Kᵀ or P·V
  const attentionShape = [sequences, model.heads, model.seqLen, model.seqLen, dHead];
  const attention = (op: Op, layer: number, role: string) => ({
    op,
    layer,
    role,
    shape: attentionShape,
    flopClass: 'attention' as const,
    denseFlops: attentionFlops,
    activations:
      op === 'attn-scores'
        ? sequences * model.heads * model.seqLen * model.seqLen * ACTIVATION_BYTES
        : M * d * ACTIVATION_BYTES,
  });

  // ---- forward
  const vocabBytes = gradBytes(model.vocab * d + model.seqLen * d);
  const embedding = forward(
    { ...elementwise('embedding', null, 'embedding', d, 'embedding'), streamedIn: vocabBytes },
    [],
  );
  let x = embedding;
  for (let layer = 0; layer < model.layers; layer++) {
    const t = (name: string) => `L${layer}.${name}`;
    const ln1 = forward(elementwise('layernorm', layer, 'ln1', d, `ln.${layer}.1`), [[x, t('x')]]);
    const q = forward(linearSpec(layer, 'q'), [[ln1, t('h1')]]);
    const k = forward(linearSpec(layer, 'k'), [[ln1, t('h1')]]);
    const v = forward(linearSpec(layer, 'v'), [[ln1, t('h1')]]);
    const scores = forward(attention('attn-scores', layer, 'scores'), [
      [q, t('q')],
      [k, t('k')],
    ]);
    const probs = forward(
      { ...elementwise('softmax', layer, 'softmax', model.seqLen), shape: attentionShape.slice(0, 4) },
      [[scores, t('s')]],
    );
    const context = forward(attention('attn-context', layer, 'context'), [
      [probs, t('p')],
      [v, t('v')],
    ]);
    const attnOut = forward(linearSpec(layer, 'attnOut'), [[context, t('o')]]);
    const res1 = forward(elementwise('residual', layer, 'residual1', d), [
      [attnOut, t('a')],
      [x, t('x')],
    ]);
    const ln2 = forward(elementwise('layernorm', layer, 'ln2', d, `ln.${layer}.2`), [[res1, t('r1')]]);
    const ffnIn = forward(linearSpec(layer, 'ffnIn'), [[ln2, t('h2')]]);
    const actInputs: (readonly [string, string])[] = [[ffnIn, t('u')]];
    if (model.activation === 'swiglu') {
      actInputs.push([forward(linearSpec(layer, 'ffnGate'), [[ln2, t('h2')]]), t('gate')]);
    }
    const act = forward(elementwise('activation', layer, 'activation', model.dFF), actInputs);
    const ffnOut = forward(linearSpec(layer, 'ffnOut'), [[act, t('f')]]);
    x = forward(elementwise('residual', layer, 'residual2', d), [
      [ffnOut, t('m')],
      [res1, t('r1')],
    ]);
  }
  const lnf = forward(elementwise('layernorm', null, 'ln-final', d, 'ln.final'), [[x, 'head.x']]);
  const headWeight = model.tiedEmbeddings ? 'embedding' : 'lm-head';
  const lmHeadFlops = FLOPS_PER_MAC * M * d * model.vocab;
  const lmHeadSpec = {
    op: 'lm-head' as const,
    layer: null,
    role: 'lm-head',
    shape: [M, d, model.vocab],
    weight: headWeight,
    flopClass: 'lmHead' as const,
    denseFlops: lmHeadFlops,
    streamedIn: gradBytes(d * model.vocab),
    activations: M * model.vocab * ACTIVATION_BYTES,
  };
  const logits = forward(lmHeadSpec, [[lnf, 'head.h']]);
  forward({ ...elementwise('loss', null, 'loss', model.vocab), dtype: 'fp32', activations: M * 4 }, [
    [logits, 'head.logits'],
  ]);

  // ---- backward, last op first: backward-data for every op but the embedding (gradients flow
  // back along the mirrored edges), then, for an op with weights, its backward-weight (a masked
  // SDDMM when the weight is sparse) and, once a parameter's last gradient is in, its stream-out.
  const bwdId = (fwdId: string) => fwdId.replace('.fwd.', '.bwd-data.');
  const forwardNodes = new Map(g.nodes.map((n) => [n.id, n]));
  const consumersOf = new Map<string, (readonly [string, string])[]>();
  for (const [consumer, inputs] of forwardInputs) {
    for (const [from, tensor] of inputs) {
      const list = consumersOf.get(from) ?? [];
      list.push([bwdId(consumer), `d${tensor}`]);
      consumersOf.set(from, list);
    }
  }
  const pendingGrads = new Map<string, number>();
  for (const id of forwardOrder) {
    const w = forwardNodes.get(id)!.weight;
    if (w) pendingGrads.set(w, (pendingGrads.get(w) ?? 0) + 1);
  }
  const gradSources = new Map<string, string[]>();
  const gradOutIds: string[] = [];
  let parameters = 0;

  for (let i = forwardOrder.length - 1; i >= 0; i--) {
    const fwd = forwardNodes.get(forwardOrder[i]!)!;
    const gradIn = consumersOf.get(fwd.id) ?? [];
    if (fwd.op !== 'embedding') {
      const backwardFlops =
        fwd.flopClass === 'attention' ? 2 * fwd.flops.dense : fwd.flopClass === 'none' ? 0 : fwd.flops.dense;
      g.add(
        {
          ...fwd,
          id: bwdId(fwd.id),
          pass: 'backward-data',
          flops: { dense: backwardFlops, effective: backwardFlops * fwd.density },
          // A streamed weight travels again for the backward pass (cs2-facts §5).
          bytes: { streamedIn: fwd.bytes.streamedIn, streamedOut: 0, activations: fwd.bytes.activations },
        },
        fwd.op === 'loss' ? [[fwd.id, 'head.loss']] : gradIn,
      );
    }
    if (!fwd.weight) continue;

    const id = fwd.id.replace('.fwd.', '.bwd-weight.');
    const isMatmul = fwd.op === 'linear' || fwd.op === 'lm-head';
    const elements =
      fwd.op === 'embedding'
        ? (model.vocab + model.seqLen) * d
        : isMatmul
          ? Math.round(fwd.shape[1]! * fwd.shape[2]! * fwd.density)
          : 2 * d; // LayerNorm γ and β
    g.add(
      {
        ...fwd,
        id,
        op: fwd.op === 'linear' && fwd.density < 1 ? 'sddmm' : 'weight-grad',
        pass: 'backward-weight',
        shape: isMatmul ? fwd.shape : [M, d],
        bytes: { streamedIn: 0, streamedOut: 0, activations: 0 },
      },
      // The embedding's output gradient is what its consumers send back; other ops pair the
      // saved forward input with the output gradient their backward-data received.
      fwd.op === 'embedding'
        ? gradIn
        : [
            [fwd.id, 'saved input'],
            [bwdId(fwd.id), 'dy'],
          ],
    );
    const sources = gradSources.get(fwd.weight) ?? [];
    sources.push(id);
    gradSources.set(fwd.weight, sources);
    const left = pendingGrads.get(fwd.weight)! - 1;
    pendingGrads.set(fwd.weight, left);
    if (left > 0) continue;
    parameters += elements;
    const layerMatch = /^(?:layers|ln)\.(\d+)\./.exec(fwd.weight);
    gradOutIds.push(
      g.add(
        node({
          op: 'grad-stream-out',
          pass: 'backward-weight',
          layer: layerMatch ? Number(layerMatch[1]) : null,
          role: `grad-out:${fwd.weight}`,
          shape: [elements],
          weight: fwd.weight,
          streamedOut: gradBytes(elements),
        }),
        sources.map((from) => [from, `grad ${fwd.weight}`] as const),
      ),
    );
  }
  g.add(
    node({ op: 'optimizer', pass: 'optimizer', layer: null, role: 'optimizer', shape: [parameters] }),
    gradOutIds.map((from) => [from, 'gradient'] as const),
  );
  return { model: model.name, sequences, tokens: M, nodes: g.nodes, edges: g.edges };
}
