import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../models/diagnostics.ts';
import { lineColumnAt, locateJsonError, parseJsonText } from './read-json.ts';

describe('locateJsonError', () => {
  it.each([
    ['{"a": 1', 7],
    ['{"a": 1,}', 8],
    ['[1 2]', 3],
    ['{"a": "x\ny"}', 8],
    ['', 0],
    ['{"a": 01}', 7],
    ['{"a": 1} x', 9],
  ])('%j fails at offset %i', (text, offset) => {
    expect(locateJsonError(text)).toBe(offset);
  });

  it('agrees with JSON.parse on what is valid JSON, and with its position when it gives one', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom('}', ',', ':', '"', ']', 'x', ' ')).map(([t, i, c]) => {
        const at = t.length === 0 ? 0 : i % t.length;
        return t.slice(0, at) + c + t.slice(at);
      }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        let v8: number | undefined | 'valid' = 'valid';
        try {
          JSON.parse(text);
        } catch (e) {
          const m = /at position (\d+)/.exec((e as Error).message);
          v8 = m ? Number(m[1]) : undefined;
        }
        const ours = locateJsonError(text);
        if (v8 === 'valid') expect(ours).toBeUndefined();
        else {
          expect(ours).toBeTypeOf('number');
          if (v8 !== undefined) expect(ours).toBe(v8);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseJsonText', () => {
  it('gives 1-based line and column', () => {
    expect(lineColumnAt('ab\ncd\r\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd\r\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumnAt('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
  });

  it('reports an unexpected end at the end of the text', () => {
    try {
      parseJsonText('{\n  "a": [1,\n', 'w.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).diagnostics[0]).toMatchObject({ code: 'malformed-json', path: 'w.json:3:1' });
    }
  });

  it('skips a byte-order mark', () => {
    expect(parseJsonText('\uFEFF{"a": 1}', 'w.json')).toEqual({ a: 1 });
  });
});
