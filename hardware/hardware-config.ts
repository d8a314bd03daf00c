/**
 * The machine (DESIGN §4): every parameter has a unit in its name, a default, a description and
 * the source of its value (a section of docs/cs2-facts.md and its confidence tag).
 * Figures tagged [UNC] there are parameters with a stated default, never hidden constants.
 * Data only: this module imports nothing from the rest of the project.
 */
import { z } from 'zod';

/**
 * Every field has an upper bound (docs/limits.md): far beyond any machine built or planned, small
 * enough that what the simulator allocates per mesh row and the times it computes stay bounded
 * and finite. A what-if outside them is refused with the bound, not simulated into NaN.
 */
export const HARDWARE_LIMITS = {
  /** PEs per mesh side: about 10× a wafer's (757 × 996 on a CS-2, 762 × 1176 on a CS-3). */
  meshSide: 8192,
  /** 1 kHz (a toy clock for hand-worked examples) to 100 GHz. */
  clockHz: { min: 1e3, max: 1e11 },
  /** 1 GiB of SRAM per PE (a CS-2 PE has 48 KiB). */
  sramBytesPerPe: 2 ** 30,
  /** SIMD width, bytes per cycle, bits per wavelet, colors, accumulators: 1,024 (4 or 8 today). */
  perPe: 1024,
  /** Latencies in cycles: a million (1–2 today). */
  cycles: 1e6,
  /** 1 kb/s to 1 Eb/s of wafer or MemoryX bandwidth (1.2 Tb/s today). */
  bitsPerSecond: { min: 1e3, max: 1e18 },
  /** Bits of a streamed value or index. */
  weightBits: 64,
  /** Seconds of a fixed pause or a SwarmX level: one day. */
  seconds: 86_400,
  /** Vector instructions per element, or the backward factor of an element-wise kernel. */
  opsPerElement: 1e6,
  /** Weight FIFO depth (wavelets): 16 M. */
  fifoWavelets: 2 ** 24,
  /** Power per PE (W; above 0: a chip that draws nothing has no energy per token) and energy per event (pJ). */
  wattsPerPe: 1e3,
  picojoules: 1e6,
} as const;

const L = HARDWARE_LIMITS;
const intIn = (min: number, max: number) => z.number().int().min(min).max(max);
const posInt = (max: number) => intIn(1, max);
const nonNegInt = (max: number) => intIn(0, max);
const numberIn = (min: number, max: number) => z.number().min(min).max(max);
const opsPerElement = (what: string) =>
  z.number().positive().max(L.opsPerElement).describe(`Vector instructions per element of ${what}; [UNC]`);

export const HardwareConfigSchema = z.strictObject({
  name: z.string().min(1).describe('Name used in reports'),
  // cs2-facts §2: "CS-2: 757 × 996" programmable fabric (SDK running-system page) [OFF].
  meshRows: posInt(L.meshSide).describe('PE rows of the programmable fabric (PEs)'),
  meshCols: posInt(L.meshSide).describe('PE columns of the programmable fabric (PEs)'),
  // cs2-facts §1: 1.1 GHz, Hot Chips 34 via a third-party summary [OFF via 3P].
  clockHz: numberIn(L.clockHz.min, L.clockHz.max).describe('Core clock (Hz)'),
  // cs2-facts §2: 48 KB per PE = 8 banks × 6 KB (SDK appendix) [OFF].
  sramBytesPerPe: posInt(L.sramBytesPerPe).describe('Local SRAM per PE (bytes)'),
  // cs2-facts §2 SIMD table: @fmach 4-wide on WSE-2, 8-wide on WSE-3 [OFF].
  fmacsPerCycle: posInt(L.perPe).describe(
    'FP16 multiply-accumulates per PE per cycle with FP16 accumulation (SIMD width)',
  ),
  // cs2-facts §2 SIMD table: @fmachs 2-wide on WSE-2, 4-wide on WSE-3 [OFF].
  fmacsPerCycleFp32Accumulate: posInt(L.perPe).describe(
    'FP16 multiply, FP32 accumulate MACs per PE per cycle',
  ),
  // Training kernels accumulate in FP32: "float16, cbfloat16, or bfloat16 input data types, while
  // arithmetic operations utilize float32 precision" (Cerebras docs, data formats) [OFF]. The
  // 7.5 PF marketing figure is the FP16-accumulate rate (cs2-facts §1, §2), which training does not use.
  accumulate: z
    .enum(['fp16', 'fp32'])
    .describe('Accumulation precision of the GEMM kernels, selecting the MAC rate'),
  // cs2-facts §2: SDK "two 32-bit reads + one 32-bit write" per cycle [OFF]; HC34 says 64-bit [OFF via 3P].
  memReadBytesPerCycle: posInt(L.perPe).describe('Local memory read bandwidth per PE (bytes/cycle)'),
  memWriteBytesPerCycle: posInt(L.perPe).describe('Local memory write bandwidth per PE (bytes/cycle)'),
  // cs2-facts §3, §13: one 32-bit wavelet per link per direction per cycle [OFF].
  waveletBits: posInt(L.perPe).describe(
    'Payload of one wavelet (bits); each link carries one per direction per cycle',
  ),
  // cs2-facts §13: 1 cycle per hop (vendor clock-sync code subtracts px + py) [measured code].
  hopLatencyCycles: nonNegInt(L.cycles).describe('Latency of one router-to-router hop (cycles)'),
  // cs2-facts §13: T_R ≈ 2 cycles on WSE-2 (Luczynski et al. timing code) [3P].
  rampLatencyCycles: nonNegInt(L.cycles).describe('Latency between a PE and its router, each way (cycles)'),
  // cs2-facts §2/§3: 24 routable colors on WSE-2 [OFF].
  routerColors: posInt(L.perPe).describe('Routable colors (virtual channels) per router'),
  // cs2-facts §2: "within a few cycles, respond to the arrival of a wavelet" [OFF, value UNC].
  taskOverheadCycles: nonNegInt(L.cycles).describe(
    'Cycles to activate and start a data task on wavelet arrival; [UNC] "a few cycles", a calibration parameter',
  ),
  // Kernel buffering, a software choice of the GEMM and SDDMM kernels; no published figure [UNC].
  // gemmAccumulators is fitted to the 50% and 90% points of data/cs2-gemm-speedup.json by
  // scripts/calibrate.ts (the 75% point is held out; see `wafersim validate`).
  gemmAccumulators: posInt(L.perPe).describe(
    'Partial-sum accumulators per PE in a streamed GEMM: how many output columns a row may have in flight; [UNC], calibrated',
  ),
  sddmmColumnBuffers: posInt(L.perPe).describe(
    'Output-gradient columns an SDDMM row can hold ahead of its work; [UNC], no published figure',
  ),
  // cs2-facts §1: 1.2 Tb/s per CS-2 (SwarmX glossary) [OFF]; CS-3 same [3P].
  ioBitsPerSecond: numberIn(L.bitsPerSecond.min, L.bitsPerSecond.max).describe(
    'Wafer I/O bandwidth for weights in and gradients out (bits/s)',
  ),
  // cs2-facts §5: MemoryX's "storage and I/O interface ... can match or exceed the I/O bandwidth of a
  // CS-2" [OFF]: omitted, it keeps up with the wafer I/O; set it for a slower external memory.
  memoryxBitsPerSecond: numberIn(L.bitsPerSecond.min, L.bitsPerSecond.max)
    .optional()
    .describe(
      'Bandwidth at which MemoryX serves weights to each system and takes its gradients (bits/s); the stream runs at the lower of this and ioBitsPerSecond; omitted: it keeps up with the wafer I/O',
    ),
  // cs2-facts §5: SwarmX nodes do "1:4 broadcast-reduce operations or a pair of 1:2" [OFF].
  swarmxFanout: intIn(2, L.perPe).describe(
    'Systems (or SwarmX nodes) each SwarmX node broadcasts to and reduces from (fan-out)',
  ),
  // cs2-facts §5: "latency ... growing logarithmically with N" [OFF]; the latency of one level is [UNC].
  swarmxHopLatencySeconds: numberIn(0, L.seconds).describe(
    'Latency through one level of the SwarmX broadcast-reduce tree (s); [UNC], no published figure',
  ),
  // cs2-facts §2 GEMV kernel: each wavelet carries an FP16 value and a u16 index [OFF].
  weightValueBits: posInt(L.weightBits).describe('Bits of one streamed weight value'),
  weightIndexBits: nonNegInt(L.weightBits).describe(
    'Bits of the index sent with each non-zero of a sparse weight',
  ),
  // cs2-facts §5: "the only bubble is at the iteration boundary (weight update)" [OFF]; its length is
  // [UNC]. Calibrated (see the preset): the step's fixed cost beyond the last gradients leaving.
  stepBubbleSeconds: numberIn(0, L.seconds).describe(
    'Fixed pause at each optimizer step: MemoryX updates the weights and the runtime starts the next step (s); [UNC], calibrated',
  ),
  // Costs of the kernels that are not GEMMs, and fixed SRAM reservations. No published figure
  // exists for any of these (docs/cs2-facts.md has none): each is a parameter with a stated default
  // and the reasoning behind it, all [UNC]. Element-wise kernels run vector instructions at the width
  // of the configured arithmetic: FP32 (`@fadds`, 2 on WSE-2, 4 on WSE-3) when the kernels
  // accumulate in FP32 as training does, FP16 (`@faddh`/`@fmulh`, 4 and 8) otherwise (cs2-facts §2).
  // Counted for a straightforward kernel: residual 1 add; LayerNorm 2 for the statistics + 4 to
  // normalize, scale and shift; softmax max, subtract, exp (≈ 4 with a polynomial), sum, scale;
  // GELU's tanh approximation ≈ 10; SwiGLU's SiLU ≈ 8 plus the gating multiply; loss = softmax +
  // pick. Backward-data of each costs about twice its forward (recomputing and chaining the terms).
  embeddingOpsPerElement: opsPerElement('the embedding lookup (token + position add)'),
  layernormOpsPerElement: opsPerElement('LayerNorm (statistics, normalize, scale and shift)'),
  softmaxOpsPerElement: opsPerElement('the attention softmax'),
  residualOpsPerElement: opsPerElement('a residual add'),
  geluOpsPerElement: opsPerElement("GELU (the tanh approximation), a GELU model's activation"),
  swigluOpsPerElement: opsPerElement("SwiGLU (SiLU and the gating multiply), a SwiGLU model's activation"),
  lossOpsPerElement: opsPerElement('the softmax cross-entropy loss over the vocabulary'),
  weightGradOpsPerElement: opsPerElement('a dense weight gradient (LayerNorm γ/β, embedding)'),
  backwardElementwiseFactor: z
    .number()
    .positive()
    .max(L.opsPerElement)
    .describe("Backward-data cost of an element-wise kernel as a multiple of its forward's; [UNC]"),
  reservedSramBytesPerPe: nonNegInt(L.sramBytesPerPe).describe(
    'SRAM per PE held by the program, its stacks and runtime buffers (bytes); [UNC]',
  ),
  weightFifoWavelets: nonNegInt(L.fifoWavelets).describe(
    'Depth of the queue holding arriving weight wavelets on each PE (wavelets of 4 bytes); [UNC]',
  ),
  // First-order energy (reports/energy.ts): power = static + energy per MAC × MAC rate, derived
  // [DER] from two third-party figures (data/cs2-power.json): an FP32 GEMM measured at 349 TFLOP/s
  // and 79.66 GFLOP/s/W, and 30 mW peak per core. The fabric's and the on-wafer memory's energy
  // scale with the MACs in that measurement and are inside these two; separate per-hop and per-I/O
  // figures have no source and default to 0 [UNC].
  staticPowerWattsPerPe: z
    .number()
    .positive()
    .max(L.wattsPerPe)
    .describe(
      "Power of each PE that does not scale with its work: leakage, clocks, idle time (W per PE; the mesh's PEs draw it whether used or not); [DER]",
    ),
  energyPerMacPicojoules: numberIn(0, L.picojoules).describe(
    'Energy of one multiply-accumulate with its operand traffic (pJ); [DER]',
  ),
  energyPerWaveletHopPicojoules: numberIn(0, L.picojoules).describe(
    'Energy of one 32-bit wavelet crossing one fabric hop, beyond energyPerMacPicojoules (pJ); [UNC]',
  ),
  energyPerIoBitPicojoules: numberIn(0, L.picojoules).describe(
    'Energy of one bit through the wafer I/O, weights in and gradients out (pJ); [UNC]',
  ),
});

/** Field names of the element-wise costs, by the dataflow op they cost (compiler/ir/graph.ts). */
export const ELEMENTWISE_COST_FIELD = {
  embedding: 'embeddingOpsPerElement',
  layernorm: 'layernormOpsPerElement',
  softmax: 'softmaxOpsPerElement',
  residual: 'residualOpsPerElement',
  loss: 'lossOpsPerElement',
  'weight-grad': 'weightGradOpsPerElement',
} as const;

export type HardwareConfig = z.infer<typeof HardwareConfigSchema>;
export const HARDWARE_CONFIG_KEYS = Object.keys(HardwareConfigSchema.shape) as readonly string[];

const CS2: HardwareConfig = {
  name: 'cs2',
  meshRows: 757,
  meshCols: 996,
  clockHz: 1.1e9,
  sramBytesPerPe: 48 * 1024,
  fmacsPerCycle: 4,
  fmacsPerCycleFp32Accumulate: 2,
  accumulate: 'fp32',
  memReadBytesPerCycle: 8,
  memWriteBytesPerCycle: 4,
  waveletBits: 32,
  hopLatencyCycles: 1,
  rampLatencyCycles: 2,
  routerColors: 24,
  // "A few cycles" (cs2-facts §2). Fitted with stepBubbleSeconds to the T1 and T2 training steps
  // (data/cs-training-steps.json) by scripts/calibrate.ts: whole steps are sensitive to it (about
  // 2.8% of Llama-7B's step per cycle) while the GEMM speedups barely are (under 0.5% over 0–12).
  taskOverheadCycles: 8,
  gemmAccumulators: 4,
  sddmmColumnBuffers: 8,
  ioBitsPerSecond: 1.2e12,
  weightValueBits: 16,
  weightIndexBits: 16,
  swarmxFanout: 4,
  // [UNC]: a store-and-forward level of 100 GbE NICs and a node's reduction; microseconds, not
  // milliseconds. At this value the tree's latency is a few microseconds per step even at 16 systems.
  swarmxHopLatencySeconds: 5e-6,
  // Fitted with taskOverheadCycles to T1 and T2 (closed form from T2 for each overhead) by
  // scripts/calibrate.ts. Held-out check: the BERT-large batch sweep's intercept, ≈ 0.13 s per
  // step that does not grow with the batch [DER], was not used.
  stepBubbleSeconds: 0.13,
  // [UNC], counted as described at the schema.
  embeddingOpsPerElement: 1,
  layernormOpsPerElement: 6,
  softmaxOpsPerElement: 8,
  residualOpsPerElement: 1,
  geluOpsPerElement: 10,
  swigluOpsPerElement: 9,
  lossOpsPerElement: 9,
  weightGradOpsPerElement: 2,
  backwardElementwiseFactor: 2,
  reservedSramBytesPerPe: 4096,
  weightFifoWavelets: 64,
  // [DER] by reports/energy.ts from data/cs2-power.json (a test keeps these equal to the derivation).
  staticPowerWattsPerPe: 0.002967,
  energyPerMacPicojoules: 12.29,
  // [UNC]: no published figure; inside the two above for on-wafer traffic, not counted for I/O.
  energyPerWaveletHopPicojoules: 0,
  energyPerIoBitPicojoules: 0,
};

/**
 * Hardware presets. CS-3 (cs2-facts §4): 762 × 1176 fabric [OFF]; 8-wide FP16 FMAC, 4-wide with
 * FP32 accumulation (SDK appendix) [OFF]; "enhances the ingress/egress bandwidth by 30%" over the
 * CS-2 (Cerebras docs, wafer-scale cluster concepts) [OFF], so 1.56 Tb/s (a third-party page says
 * 1.2 [3P]; the vendor's statement wins). Its clock is not published: the CS-2's 1.1 GHz [UNC].
 * The calibrated kernel and step-boundary parameters carry over from the CS-2 [UNC]: no CS-3 run
 * is in our data to fit them to.
 */
export const HARDWARE_PRESETS: Readonly<Record<string, HardwareConfig>> = {
  cs2: CS2,
  cs3: {
    ...CS2,
    name: 'cs3',
    meshRows: 762,
    meshCols: 1176,
    fmacsPerCycle: 8,
    fmacsPerCycleFp32Accumulate: 4,
    ioBitsPerSecond: 1.56e12,
  },
  // What-if: kernels accumulating in FP16 at the full SIMD width (the 7.5 PF peak, cs2-facts §1).
  'cs2-fp16acc': { ...CS2, name: 'cs2-fp16acc', accumulate: 'fp16' },
  'cs2-2x-io': { ...CS2, name: 'cs2-2x-io', ioBitsPerSecond: 2.4e12 },
  'cs2-8wide': { ...CS2, name: 'cs2-8wide', fmacsPerCycle: 8, fmacsPerCycleFp32Accumulate: 4 },
};

export const HARDWARE_PRESET_NAMES = Object.keys(HARDWARE_PRESETS) as readonly string[];

/** The hardware field of a workload: a preset plus overrides of any field. */
export const HardwareRefSchema = HardwareConfigSchema.omit({ name: true })
  .partial()
  .extend({
    preset: z
      .string()
      .default('cs2')
      .describe(`A hardware preset: ${HARDWARE_PRESET_NAMES.join(', ')}`),
  })
  .strict();
export type HardwareRef = z.infer<typeof HardwareRefSchema>;
