import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARDWARE_PRESETS } from '../hardware/hardware-config.ts';
import { hardwareFileJsonSchema, loadHardware, loadHardwareFile } from './hardware-file.ts';
import { loadWorkload, resolveHardwareField } from './load-workload.ts';
import { expandSweep, parseSweep } from './sweeps/index.ts';
import { diagnosticsOf } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafersim-hw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const cs2 = HARDWARE_PRESETS.cs2!;
write('wide.json', {
  version: 1,
  extends: 'cs2',
  name: 'cs2-wide',
  fmacsPerCycle: 8,
  fmacsPerCycleFp32Accumulate: 4,
});
write('nested/faster-io.json', { version: 1, extends: '../wide.json', ioBitsPerSecond: 2.4e12 });

describe('hardware files', () => {
  it('override the preset they extend, field by field, and take their own name', () => {
    const hw = loadHardwareFile(join(dir, 'wide.json'));
    expect(hw).toEqual({ ...cs2, name: 'cs2-wide', fmacsPerCycle: 8, fmacsPerCycleFp32Accumulate: 4 });
  });

  it('extend other files relative to their own folder; the name defaults to the file name', () => {
    const hw = loadHardware('./nested/faster-io.json', dir, 'hardware');
    expect(hw.name).toBe('faster-io');
    expect(hw.fmacsPerCycle).toBe(8);
    expect(hw.ioBitsPerSecond).toBe(2.4e12);
    expect(hw.meshRows).toBe(cs2.meshRows);
  });

  it('a preset name is the preset itself', () => {
    expect(loadHardware('cs3', dir, 'hardware')).toBe(HARDWARE_PRESETS.cs3);
  });

  it('report a cycle, a missing file, an unknown key, a bad value and a missing version, naming the file', () => {
    write('a.json', { version: 1, extends: './b.json' });
    write('b.json', { version: 1, extends: './a.json' });
    expect(diagnosticsOf(() => loadHardwareFile(join(dir, 'a.json')))[0]!.message).toMatch(
      /extends cycle: .*a\.json → .*b\.json → .*a\.json/,
    );
    write('missing.json', { version: 1, extends: './nope.json' });
    const missing = diagnosticsOf(() => loadHardwareFile(join(dir, 'missing.json')))[0]!;
    expect(missing.code).toBe('missing-file');
    expect(missing.path).toMatch(/missing\.json: extends$/);
    write('typo.json', { version: 1, extends: 'cs2', fmacsPerCycel: 8 });
    const typo = diagnosticsOf(() => loadHardwareFile(join(dir, 'typo.json')))[0]!;
    expect(typo.code).toBe('unknown-key');
    expect(typo.message).toContain("Did you mean 'fmacsPerCycle'?");
    write('bad.json', { version: 1, extends: 'cs2', clockHz: -1 });
    const bad = diagnosticsOf(() => loadHardwareFile(join(dir, 'bad.json')))[0]!;
    expect(bad.path).toMatch(/bad\.json: clockHz$/);
    expect(bad.message).toMatch(/clockHz must be a number ≥ 1,000 and ≤ 100,000,000,000/);
    write('noversion.json', { extends: 'cs2' });
    expect(diagnosticsOf(() => loadHardwareFile(join(dir, 'noversion.json')))[0]!.path).toMatch(/version$/);
    write('unknown-preset.json', { version: 1, extends: 'cs9' });
    expect(diagnosticsOf(() => loadHardwareFile(join(dir, 'unknown-preset.json')))[0]!.message).toContain(
      "Did you mean 'cs2'?",
    );
  });

  it('without extends must give every field, and says so', () => {
    write('partial.json', { version: 1, meshRows: 10 });
    const messages = diagnosticsOf(() => loadHardwareFile(join(dir, 'partial.json'))).map((d) => d.message);
    expect(messages.join('\n')).toContain('a hardware file without extends must give every field');
    const { name: _name, ...all } = cs2;
    write('complete.json', { version: 1, ...all, meshRows: 10 });
    expect(loadHardwareFile(join(dir, 'complete.json'))).toEqual({ ...cs2, meshRows: 10, name: 'complete' });
  });

  it('has a JSON Schema that describes every field and requires only version', () => {
    const schema = hardwareFileJsonSchema() as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };
    expect(schema.required).toEqual(['version']);
    for (const [key, field] of Object.entries(schema.properties)) expect(field.description, key).toBeTruthy();
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['extends', 'fmacsPerCycle', 'reservedSramBytesPerPe']),
    );
  });
});

describe("a workload's hardware", () => {
  it('may be a file path relative to the workload file, a preset name, or a file with overrides', () => {
    write('w/uses-file.json', { version: 1, extends: 'spdf-gpt2-small-s75', hardware: '../wide.json' });
    expect(loadWorkload(join(dir, 'w/uses-file.json')).hardware.name).toBe('cs2-wide');
    write('w/uses-preset.json', { version: 1, extends: 'spdf-gpt2-small-s75', hardware: 'cs3' });
    expect(loadWorkload(join(dir, 'w/uses-preset.json')).hardware).toEqual(HARDWARE_PRESETS.cs3);
    write('w/file-and-field.json', {
      version: 1,
      extends: 'spdf-gpt2-small-s75',
      hardware: { file: '../wide.json', clockHz: 1.2e9 },
    });
    const hw = loadWorkload(join(dir, 'w/file-and-field.json')).hardware;
    expect(hw.name).toBe('cs2-wide (clockHz=1200000000)');
    expect(hw.fmacsPerCycle).toBe(8);
    expect(hw.clockHz).toBe(1.2e9);
  });

  it('a layer naming a preset drops the file below it, and the other way round', () => {
    write('w/base-file.json', { version: 1, extends: 'spdf-gpt2-small-s75', hardware: '../wide.json' });
    write('w/back-to-cs3.json', { version: 1, extends: './base-file.json', hardware: { preset: 'cs3' } });
    expect(loadWorkload(join(dir, 'w/back-to-cs3.json')).hardware.name).toBe('cs3');
    write('w/base-preset.json', {
      version: 1,
      extends: 'spdf-gpt2-small-s75',
      hardware: { preset: 'cs3', clockHz: 1e9 },
    });
    write('w/to-file.json', { version: 1, extends: './base-preset.json', hardware: '../wide.json' });
    const hw = loadWorkload(join(dir, 'w/to-file.json')).hardware;
    expect(hw.name).toBe('cs2-wide (clockHz=1000000000)');
  });

  it('both preset and file in one layer is an error naming hardware.file', () => {
    write('w/both.json', {
      version: 1,
      extends: 'spdf-gpt2-small-s75',
      hardware: { preset: 'cs3', file: '../wide.json' },
    });
    const d = diagnosticsOf(() => loadWorkload(join(dir, 'w/both.json')))[0]!;
    expect(d.path).toMatch(/hardware\.file$/);
    expect(d.message).toContain('both preset and file');
  });

  it('resolveHardwareField takes the same forms on its own (gemm --hardware)', () => {
    expect(resolveHardwareField('cs3')).toEqual(HARDWARE_PRESETS.cs3);
    expect(resolveHardwareField('./wide.json', { cwd: dir }).name).toBe('cs2-wide');
    expect(resolveHardwareField({ preset: 'cs2', meshRows: 100 }).name).toBe('cs2 (meshRows=100)');
  });

  it("a sweep may vary hardware over presets and files, relative to the sweep's folder", () => {
    const sweep = parseSweep(
      { version: 1, name: 'hw', base: 'spdf-gpt2-small-s75', vary: { hardware: ['cs2', './wide.json'] } },
      { cwd: dir },
    );
    const points = expandSweep(sweep).points;
    expect(points.map((p) => p.workload.hardware.name)).toEqual(['cs2', 'cs2-wide']);
  });
});
