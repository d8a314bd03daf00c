import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../models/model-config.ts';
import { loadWorkload, resolveStudyOrWorkload } from './load-workload.ts';
import { countParameters } from './parameter-count.ts';
import {
  chinchillaTokens,
  STUDY_PRESET_NAMES,
  STUDY_PRESETS,
  WORKLOAD_PRESET_NAMES,
  WORKLOAD_PRESETS,
} from './presets.ts';

describe('every workload preset', () => {
  it.each(WORKLOAD_PRESET_NAMES)('%s loads, validates and cites its sources', (name) => {
    const w = loadWorkload(name);
    expect(w.name).toBe(name);
    expect(w.source).toBe(name);
    expect(w.description).toMatch(/arXiv \d{4}\.\d{5}|docs\/cs2-facts\.md §\d/);
    // Every section cited names the file it is in, so it resolves in a clone.
    expect(w.description).not.toMatch(/(?<!docs\/)cs2-facts §|DESIGN §/);
    expect(w.phases.length).toBeGreaterThan(0);
    for (const phase of w.phases) expect(phase.tokens).toBeGreaterThan(0);
  });

  it('covers the presets DESIGN §7 names', () => {
    const expected = [
      ...['m', 'l', 'xl'].flatMap((s) => ['dense', 's50', 's75'].map((l) => `mediswift-${s}-${l}`)),
      'spdf-gpt2-small-s50',
      'spdf-gpt2-small-s75',
      'spdf-gpt3-xl-s50',
      'spdf-gpt3-xl-s75',
      'llama2-7b-s50',
      'llama2-7b-s70',
      'mediswift-xl-s75-cs3',
      'spdf-gpt3-xl-s75-cs3',
      'gpt3-xl-gradual-s75',
      'cerebras-gpt-1.3b',
      'cerebras-gpt-2.7b',
      'cerebras-gpt-6.7b',
      'cerebras-gpt-13b-8x',
      'cerebras-gpt-13b-12x',
    ];
    expect([...WORKLOAD_PRESET_NAMES].sort()).toEqual(expected.sort());
  });

  it('labels every number that no source gives as an assumption', () => {
    for (const name of WORKLOAD_PRESET_NAMES) {
      const description = WORKLOAD_PRESETS[name]!.description ?? '';
      if (name.endsWith('-cs3')) expect(description).toContain('What-if');
      else expect(description, name).toContain('ASSUMPTION');
    }
  });
});

describe('Cerebras-GPT on clusters (Model Zoo R1.9.1 configs)', () => {
  it.each([
    ['cerebras-gpt-1.3b', 'gpt3-xl', 4, 528],
    ['cerebras-gpt-2.7b', 'gpt3-2.7b', 4, 528],
    ['cerebras-gpt-6.7b', 'gpt3-6.7b', 8, 1040],
    ['cerebras-gpt-13b-8x', 'gpt3-13b', 8, 720],
    ['cerebras-gpt-13b-12x', 'gpt3-13b', 12, 1080],
  ])('%s: %s on %i CS-2s, global batch %i split evenly', (name, model, systems, sequences) => {
    const w = loadWorkload(name);
    expect(w.model.name).toBe(model);
    expect(w.cluster.systems).toBe(systems);
    expect(w.batch.sequences).toBe(sequences);
    expect(sequences % systems).toBe(0);
    expect(w.hardware.name).toBe('cs2');
  });
});

describe('published data (cs2-facts §8)', () => {
  it('the shapes count to the published parameter counts', () => {
    expect(countParameters(MODEL_PRESETS['gpt2-small']!) / 1e6).toBeCloseTo(125, -1);
    expect(countParameters(MODEL_PRESETS['gpt3-xl']!) / 1e9).toBeCloseTo(1.3, 1);
    expect(countParameters(MODEL_PRESETS['llama2-7b']!) / 1e9).toBeCloseTo(6.74, 2);
  });

  it('20 tokens per parameter reproduces SPDF supp. Table 1 (2.5B and 26B tokens)', () => {
    expect(chinchillaTokens('gpt2-small')).toBe(2.5e9);
    expect(chinchillaTokens('gpt3-xl')).toBe(26e9);
  });

  it.each([
    ['spdf-gpt2-small-s75', 256, undefined, 2.5e9, 0.75],
    ['spdf-gpt3-xl-s50', 512, undefined, 26e9, 0.5],
    ['mediswift-xl-s75', 512, undefined, 26e9, 0.75],
    ['mediswift-m-s50', 512, undefined, 7.1e9, 0.5],
    ['mediswift-l-dense', 512, undefined, 15e9, 0],
  ])(
    '%s: batch %i, micro-batch %s, %d pre-training tokens at %d',
    (name, sequences, micro, tokens, level) => {
      const w = loadWorkload(name);
      expect(w.batch.sequences).toBe(sequences);
      expect(w.batch.microBatchSequences).toBe(micro);
      expect(w.phases.map((p) => p.name)).toEqual(['sparse-pretraining', 'dense-finetuning']);
      expect(w.phases[0]).toEqual({
        name: 'sparse-pretraining',
        tokens,
        sparsity: { schedule: 'constant', level },
      });
      expect(w.phases[1]).toEqual({
        name: 'dense-finetuning',
        tokens: tokens / 100,
        sparsity: { schedule: 'constant', level: 0 },
      });
    },
  );

  it('Sparse Llama runs on a CS-3 at 50% and 70%', () => {
    expect(loadWorkload('llama2-7b-s70')).toMatchObject({
      hardware: { name: 'cs3' },
      sparsity: { level: 0.7 },
    });
    expect(loadWorkload('llama2-7b-s50').model.activation).toBe('swiglu');
  });

  it('a CS-3 what-if differs from its CS-2 preset in the hardware only', () => {
    for (const base of ['mediswift-xl-s75', 'spdf-gpt3-xl-s75']) {
      const { hardware: h2, name: _n2, description: _d2, source: _s2, ...cs2 } = loadWorkload(base);
      const { hardware: h3, name: _n3, description: _d3, source: _s3, ...cs3 } = loadWorkload(`${base}-cs3`);
      expect(cs3).toEqual(cs2);
      expect([h2.name, h3.name]).toEqual(['cs2', 'cs3']);
    }
  });
});

describe('study presets', () => {
  it('name only workload presets, and no study shares a name with a workload', () => {
    for (const name of STUDY_PRESET_NAMES) {
      expect(WORKLOAD_PRESET_NAMES).not.toContain(name);
      for (const w of STUDY_PRESETS[name]!.workloads) expect(WORKLOAD_PRESET_NAMES).toContain(w);
    }
  });

  it.each(['mediswift-m', 'mediswift-l', 'mediswift-xl'])(
    '%s is dense, 50% and 75% of one model',
    (study) => {
      const r = resolveStudyOrWorkload(study);
      expect(r.workloads.map((w) => w.sparsity.level)).toEqual([0, 0.5, 0.75]);
      expect(new Set(r.workloads.map((w) => w.model.name))).toEqual(new Set([study]));
    },
  );

  it('spdf-gpt3-xl is 50% and 75%', () => {
    expect(resolveStudyOrWorkload('spdf-gpt3-xl').workloads.map((w) => w.name)).toEqual([
      'spdf-gpt3-xl-s50',
      'spdf-gpt3-xl-s75',
    ]);
  });
});
