/**
 * The calibration of the GEMM model (DESIGN §5, issue 4): the free parameters of the cs2 preset
 * that no source gives, fitted to the three measured CS-2 points in data/cs2-gemm-speedup.json at
 * the documented token count (simulator/gemm.ts CALIBRATION_TOKENS), and nothing else. The fit
 * minimizes the largest relative error over the points. Run: npx tsx scripts/calibrate.ts
 * The chosen values are written by hand into simulator/arch/hardware-config.ts (cs2 preset).
 */
import { validateGemmPoints } from '../reports/validation.ts';
import { HARDWARE_PRESETS } from '../simulator/arch/hardware-config.ts';

const OVERHEADS = Array.from({ length: 13 }, (_, i) => i); // task start-up, "a few cycles" (cs2-facts §2)
const ACCUMULATORS = [1, 2, 3, 4];

const rows: { overhead: number; accumulators: number; worst: number; errors: number[] }[] = [];
for (const accumulators of ACCUMULATORS) {
  for (const overhead of OVERHEADS) {
    const hw = { ...HARDWARE_PRESETS.cs2!, taskOverheadCycles: overhead, gemmAccumulators: accumulators };
    const errors = validateGemmPoints(hw).map((p) => p.relativeError);
    const worst = Math.max(...errors.map(Math.abs));
    rows.push({ overhead, accumulators, worst, errors });
    console.log(
      `accumulators ${accumulators}  overhead ${String(overhead).padStart(2)}  ` +
        `errors ${errors.map((e) => `${(e * 100).toFixed(2).padStart(6)}%`).join(' ')}  worst ${(worst * 100).toFixed(2)}%`,
    );
  }
}
rows.sort((a, b) => a.worst - b.worst || a.accumulators - b.accumulators || a.overhead - b.overhead);
const best = rows[0]!;
console.log(
  `\nbest: gemmAccumulators = ${best.accumulators}, taskOverheadCycles = ${best.overhead} ` +
    `(largest relative error ${(best.worst * 100).toFixed(2)}%)`,
);
