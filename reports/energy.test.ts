import { describe, expect, it } from 'vitest';
import { HARDWARE_PRESETS } from '../hardware/hardware-config.ts';
import { meshPes } from '../hardware/machine-rates.ts';
import { zeroCounters } from '../simulator/counters.ts';
import { deriveEnergyTable, loadPowerPoints, peakPowerWatts, stepEnergy } from './energy.ts';
import { buildReport } from './report-json.ts';
import { FIXTURE_META, fixtureSummary } from './test-support.ts';

const cs2 = HARDWARE_PRESETS.cs2!;

describe('the energy table of the CS-2', () => {
  it('is the derivation from data/cs2-power.json, to the rounding of the preset', () => {
    const derived = deriveEnergyTable(cs2);
    expect(cs2.staticPowerWattsPerPe / derived.staticPowerWattsPerPe - 1).toBeLessThan(1e-4);
    expect(Math.abs(cs2.energyPerMacPicojoules / derived.energyPerMacPicojoules - 1)).toBeLessThan(1e-3);
  });

  it('passes through both points: the GEMM power at its MAC rate, and 30 mW per PE at peak', () => {
    const data = loadPowerPoints();
    const [gemm, peak] = data.points;
    const t = { ...cs2, ...deriveEnergyTable(cs2, data) };
    const gemmWatts =
      meshPes(t) * t.staticPowerWattsPerPe + t.energyPerMacPicojoules * 1e-12 * ((gemm.tflops * 1e12) / 2);
    expect(gemmWatts).toBeCloseTo((gemm.tflops * 1e12) / (gemm.gflopsPerWatt * 1e9), 6);
    expect(peakPowerWatts(t) / meshPes(t)).toBeCloseTo(peak.wattsPerPe, 12);
  });
});

describe('stepEnergy', () => {
  const hw = { ...cs2, energyPerWaveletHopPicojoules: 0.5, energyPerIoBitPicojoules: 4 };
  const counters = { ...zeroCounters(), macsIssued: 1e12, fabricWavelets: 2e9, bytesIn: 1e8, bytesOut: 5e7 };

  it('is the closed form, part by part, and scales with the systems', () => {
    const one = stepEnergy(hw, counters, 0.5, 1);
    expect(one.staticJoules).toBeCloseTo(meshPes(hw) * hw.staticPowerWattsPerPe * 0.5, 9);
    expect(one.macJoules).toBeCloseTo(12.29, 9);
    expect(one.fabricJoules).toBeCloseTo(1e-3, 12);
    expect(one.ioJoules).toBeCloseTo(4e-12 * 8 * 1.5e8, 12);
    expect(one.joules).toBe(one.staticJoules + one.macJoules + one.fabricJoules + one.ioJoules);
    expect(stepEnergy(hw, counters, 0.5, 4).joules).toBeCloseTo(4 * one.joules, 9);
  });

  it("in a report, a sparse phase's saving lies between its speedup and its MAC reduction", () => {
    // Static energy shrinks with the step time (the speedup), MAC energy with the MACs issued: the
    // saving is a weighted mean of the two ratios.
    const summary = fixtureSummary();
    const report = buildReport([summary], FIXTURE_META);
    const [sparse, dense] = report.runs[0]!.phases;
    const macRatio =
      summary.phases[0]!.dense.counters.macsIssued / summary.phases[0]!.stepCounters.macsIssued;
    expect(macRatio).toBeGreaterThan(sparse!.realizedSpeedup); // the fixture: MACs fall faster than time
    const e = sparse!.energy;
    expect(e.savings).toBeGreaterThan(sparse!.realizedSpeedup);
    expect(e.savings).toBeLessThan(macRatio);
    expect(e.stepJoules).toBeCloseTo(e.staticJoules + e.macJoules + e.fabricJoules + e.ioJoules, 9);
    expect(e.joulesPerToken * e.tokensPerJoule).toBeCloseTo(1, 12);
    expect(dense!.energy.savings).toBe(1);
    expect(e.trainKilowattHours).toBeCloseTo((sparse!.steps * e.stepJoules) / 3.6e6, 12);
  });
});
