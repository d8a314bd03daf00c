import { describe, expect, it } from 'vitest';
import { loadWorkload, parseWorkload } from './load-workload.ts';
import { WORKLOAD_PRESET_NAMES } from './presets.ts';
import { applyOverrides, parseOverride } from './sweeps/index.ts';
import { toWorkloadFile } from './workload-file.ts';

describe('toWorkloadFile', () => {
  it('reproduces every workload preset exactly when read back', () => {
    for (const name of WORKLOAD_PRESET_NAMES) {
      const w = loadWorkload(name);
      const back = parseWorkload(JSON.parse(JSON.stringify(toWorkloadFile(w))), { source: name });
      expect(back, name).toEqual(w);
    }
  });

  it('keeps overridden hardware, its name, and a gradual schedule', () => {
    const w = applyOverrides(loadWorkload('spdf-gpt2-small-s75'), [
      parseOverride('hardware.fmacsPerCycle=8'),
      parseOverride(
        'phases=[{"name":"ramp","tokens":1e9,"sparsity":{"schedule":"gradual","from":0,"to":0.75,"startFraction":0.1,"endFraction":0.6}}]',
      ),
    ]);
    const file = toWorkloadFile(w);
    expect((file.hardware as { name: string }).name).toBe('cs2 (fmacsPerCycle=8)');
    const back = parseWorkload(file, { source: w.source });
    expect(back).toEqual(w);
  });
});
