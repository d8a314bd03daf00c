import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkload } from '../load-workload.ts';
import { diagnosticsOf } from '../test-support.ts';
import { expandSweep, parseSweep } from './index.ts';
import { applyOverrides, parseOverride } from './overrides.ts';

describe('--set path=value', () => {
  it('reads the value as JSON when it is JSON, else as a plain string', () => {
    expect(parseOverride('hardware.fmacsPerCycle=8')).toEqual({ path: 'hardware.fmacsPerCycle', value: 8 });
    expect(parseOverride('hardware.accumulate=fp16').value).toBe('fp16');
    expect(parseOverride('model="gpt3-large"').value).toBe('gpt3-large');
    expect(parseOverride('sparsity=0.5').value).toBe(0.5);
    expect(parseOverride('hardware.ioBitsPerSecond=2.4e12').value).toBe(2.4e12);
    expect(parseOverride('sparsity.weights=["q","k"]').value).toEqual(['q', 'k']);
  });

  it('any number or plain string survives the round trip', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseOverride(`seed=${x}`).value).toBe(x === 0 ? 0 : x); // -0 prints as 0
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9:-]{0,12}$/), (text) => {
        fc.pre(!['true', 'false', 'null'].includes(text));
        expect(parseOverride(`sparsity.pattern=${text}`).value).toBe(text);
      }),
    );
  });

  it('rejects a text without =, and an unknown path with a did-you-mean', () => {
    expect(diagnosticsOf(() => parseOverride('hardware.fmacsPerCycle'))[0]!.message).toMatch(/path=value/);
    const d = diagnosticsOf(() => parseOverride('hardwre.fmacsPerCycle=8'))[0]!;
    expect(d.path).toBe('--set hardwre.fmacsPerCycle');
    expect(d.message).toContain("Did you mean 'hardware'?");
  });

  it('applies as a layer on the workload: the named field changes, the rest, the name and the source stay', () => {
    const base = loadWorkload('spdf-gpt2-small-s75');
    const w = applyOverrides(base, [
      parseOverride('hardware.fmacsPerCycle=8'),
      parseOverride('sparsity=0.5'),
      parseOverride('model.layers=6'),
    ]);
    expect(w.hardware.fmacsPerCycle).toBe(8);
    expect(w.hardware.name).toBe('cs2 (fmacsPerCycle=8)');
    expect(w.sparsity.level).toBe(0.5);
    expect(w.model.layers).toBe(6);
    expect(w.model.dModel).toBe(base.model.dModel);
    expect({ name: w.name, source: w.source, batch: w.batch }).toEqual({
      name: base.name,
      source: base.source,
      batch: base.batch,
    });
  });

  it('a bad value names --set and the field; one path set twice is refused', () => {
    const base = loadWorkload('spdf-gpt2-small-s75');
    const d = diagnosticsOf(() => applyOverrides(base, [parseOverride('hardware.fmacsPerCycle=0')]))[0]!;
    expect(d.path).toBe('--set: hardware.fmacsPerCycle');
    const twice = diagnosticsOf(() =>
      applyOverrides(base, [parseOverride('hardware=cs3'), parseOverride('hardware.clockHz=1e9')]),
    )[0]!;
    expect(twice.message).toContain("'hardware.clockHz' and 'hardware' both set hardware");
  });

  it('in a sweep, sets the base of every point; a varied field cannot be set', () => {
    const sweep = parseSweep({
      version: 1,
      name: 's',
      base: 'spdf-gpt2-small-s75',
      vary: { sparsity: [0.5, 0.75] },
    });
    const points = expandSweep(sweep, { overrides: [parseOverride('batch.sequences=128')] }).points;
    expect(points.map((p) => [p.workload.sparsity.level, p.workload.batch.sequences])).toEqual([
      [0.5, 128],
      [0.75, 128],
    ]);
    const d = diagnosticsOf(() => expandSweep(sweep, { overrides: [parseOverride('sparsity=0.9')] }))[0]!;
    expect(d.message).toContain("the sweep varies 'sparsity'");
  });
});
