/**
 * `wafersim compile` through the real bin. Oracles: the hand-worked size of a 2-layer graph, FLOP
 * conservation against `wafersim flops`, a golden compiled program, the structure of the DOT, and
 * the bad-input contract (exit 2, a message naming what to change, nothing on stdout).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_MESH } from './fixtures.ts';
import { type CliResult, runCli } from './run-cli.ts';

const SMALL_MODEL = {
  name: 'tiny',
  layers: 2,
  dModel: 64,
  heads: 4,
  dFF: 256,
  vocab: 1000,
  seqLen: 128,
  activation: 'gelu',
  tiedEmbeddings: true,
};

const SMALL_WORKLOAD = {
  version: 1,
  model: SMALL_MODEL,
  sparsity: 0.5,
  batch: { sequences: 8 },
  hardware: TINY_MESH,
  phases: [{ name: 'pretrain', tokens: 1e6 }],
};

/** The case: GPT-3 XL on a 4 × 4 mesh with 1 KiB of SRAM per PE cannot be placed. */
const INFEASIBLE_WORKLOAD = {
  version: 1,
  model: 'gpt3-xl',
  sparsity: 0.75,
  batch: { sequences: 8 },
  hardware: { preset: 'cs2', meshRows: 4, meshCols: 4, sramBytesPerPe: 1024 },
  phases: [{ name: 'p', tokens: 1e9 }],
};

interface NodeJson {
  id: string;
  op: string;
  pass: string;
  layer: number | null;
  shape: number[];
  flops: { dense: number; effective: number };
  placement?: { kernel: string; estimatedCycles: number; sram: { totalBytes: number } };
}

let dir: string;
let json: CliResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-compile-'));
  writeFileSync(join(dir, 'tiny.json'), JSON.stringify(SMALL_MODEL));
  writeFileSync(join(dir, 'small.json'), JSON.stringify(SMALL_WORKLOAD));
  writeFileSync(join(dir, 'infeasible.json'), JSON.stringify(INFEASIBLE_WORKLOAD));
  json = runCli(['compile', 'small.json', '--emit', 'json'], { cwd: dir });
});

/** JSON as Biome formats it (arrays of numbers on one line), so the committed golden passes `biome check`. */
function biomeStableJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\n\s*([^[\]{}]*?)\n\s*\]/g,
    (_, body: string) => `[${body.split(/,\n\s*/).join(', ')}]`,
  );
  return `${text}\n`;
}

describe('compile --emit json', () => {
  it('prints the step graph of a 2-layer model: 101 nodes, 152 edges, every node placed', () => {
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const j = JSON.parse(json.stdout);
    expect(j).toMatchObject({
      workload: 'small',
      phase: 'pretrain',
      level: 0.5,
      model: 'tiny',
      sequences: 8,
      tokens: 1024,
      microBatches: [{ sequences: 8, count: 1 }],
      hardware: 'cs2 (meshRows=16, meshCols=16, stepBubbleSeconds=0)',
    });
    expect(j.nodes).toHaveLength(101);
    expect(j.edges).toHaveLength(152);
    const nodes = j.nodes as NodeJson[];
    const ids = new Set(nodes.map((n) => n.id));
    expect(ids.size).toBe(nodes.length);
    for (const e of j.edges as { from: string; to: string; tensor: string }[]) {
      expect(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`).toBe(true);
      expect(e.tensor).not.toBe('');
    }
    for (const n of nodes) {
      expect(Object.keys(n).slice(0, 6)).toEqual(['id', 'op', 'pass', 'layer', 'role', 'shape']);
      expect(n.placement, n.id).toBeDefined();
      expect(n.placement!.estimatedCycles).toBeGreaterThanOrEqual(0);
      expect(n.placement!.sram.totalBytes).toBeLessThanOrEqual(48 * 1024);
    }
    const q = nodes.find((n) => n.id === 'L0.fwd.q')!;
    expect(q).toMatchObject({ op: 'linear', pass: 'forward', layer: 0, shape: [1024, 64, 64], density: 0.5 });
    expect(q.flops).toEqual({ dense: 2 * 1024 * 64 * 64, effective: 1024 * 64 * 64 });
    expect(q.placement).toMatchObject({ kernel: 'streamed-gemm', m: 1024, k: 64, n: 64 });
  });

  it('its effective FLOPs per step are `wafersim flops` per sequence × 8 sequences', () => {
    const flops = runCli(['flops', '--model', 'tiny.json', '--sparsity', '0.5', '--json'], { cwd: dir });
    expect(flops.code).toBe(0);
    const perSequence = JSON.parse(flops.stdout).perSequence.training as number;
    const j = JSON.parse(json.stdout);
    const effective = (j.nodes as NodeJson[]).reduce((sum, n) => sum + n.flops.effective, 0);
    expect(effective).toBe(perSequence * 8);
    expect(j.totals.flops.effective).toBe(perSequence * 8);
  });

  it('matches the golden compiled program', async () => {
    await expect(biomeStableJson(JSON.parse(json.stdout))).toMatchFileSnapshot(
      './__snapshots__/compile-small.json',
    );
  });

  it('--json is --emit json', () => {
    const r = runCli(['compile', 'small.json', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(json.stdout);
  });
});

describe('compile --emit dot and summary', () => {
  it('dot: balanced braces, every edge endpoint declared, unique clusters', () => {
    const r = runCli(['compile', 'small.json', '--emit', 'dot'], { cwd: dir });
    expect(r.code).toBe(0);
    const dot = r.stdout;
    expect(dot).toMatch(/^digraph "[^"]*" \{\n/);
    // Braces balance outside quoted strings.
    const unquoted = dot.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    let depth = 0;
    for (const ch of unquoted) {
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    const quoted = '"((?:[^"\\\\]|\\\\.)*)"';
    const declared = [...dot.matchAll(new RegExp(`^\\s+${quoted} \\[label=`, 'gm'))].map((m) => m[1]);
    const edges = [...dot.matchAll(new RegExp(`^\\s+${quoted} -> ${quoted}`, 'gm'))];
    expect(declared).toHaveLength(101);
    expect(new Set(declared).size).toBe(101);
    expect(edges).toHaveLength(152);
    for (const [, from, to] of edges) {
      expect(declared).toContain(from);
      expect(declared).toContain(to);
    }
    const clusters = [...dot.matchAll(/subgraph (cluster_\w+) \{/g)].map((m) => m[1]);
    expect(new Set(clusters).size).toBe(clusters.length);
    // 2 layers × 3 passes; embedding (fwd, bwd-weight); head × 3 passes; the optimizer.
    expect(clusters).toHaveLength(12);
    expect(dot).toContain('label="layer 1 · backward-data"');
  });

  it('summary: header with the estimate, and the op table of layer 0 and the head', () => {
    const r = runCli(['compile', 'small.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toMatch(/^small · phase pretrain · sparsity 0\.5 · tiny on cs2/);
    expect(out).toMatch(/1 × 8 sequences per micro-batch/);
    expect(out).toMatch(/activations: policy \w+, resident [\d.]+ KiB\/PE/);
    expect(out).toMatch(/estimated step time: [\d.]+ \S+ .*compiler estimate; the simulator measures/);
    expect(out).toMatch(/node +kernel +tiling +SRAM KiB\/PE +est\. cycles +bound by/);
    expect(out).toMatch(/L0\.fwd\.\{q,k,v,attnOut\} +streamed-gemm +G=\d+ \d+×\d+ tpp=64 /);
    expect(out).toMatch(/head\.fwd\.lm-head +streamed-gemm/);
    expect(out).not.toMatch(/L1\./);
    expect(out.split('\n').length).toBeLessThan(60);
  });

  it('a study prints one section per workload phase', () => {
    const r = runCli(['compile', 'mediswift-m', '--phase', 'sparse-pretraining']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Study mediswift-m: mediswift-m-dense, mediswift-m-s50, mediswift-m-s75\n/);
    for (const name of ['mediswift-m-dense', 'mediswift-m-s50', 'mediswift-m-s75']) {
      expect(r.stdout).toContain(`${name} · phase sparse-pretraining`);
    }
    expect(r.stdout.match(/estimated step time/g)).toHaveLength(3);
  });
});

describe('compile: bad input exits 2 with a message, no stack trace, nothing on stdout', () => {
  it('an infeasible placement names the op, the SRAM and what to change', () => {
    const r = runCli(['compile', 'infeasible.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wafersim: infeasible: phase p: L\d+\.fwd\.\S+ .*does not fit in SRAM/);
    expect(r.stderr).toMatch(/KiB per PE/);
    expect(r.stderr).toMatch(/To make it fit: .*more PEs \(hardware\.meshRows × meshCols, now 4 × 4\)/);
    expect(r.stderr).toMatch(/hardware\.sramBytesPerPe, now 1024/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  const cases: [string, string[], RegExp][] = [
    ['an unknown --emit', ['compile', 'small.json', '--emit', 'svg'], /--emit: 'svg' .*json, dot, summary/],
    [
      'an unknown --phase',
      ['compile', 'small.json', '--phase', 'finetune'],
      /--phase: .*no phase 'finetune'.*pretrain/,
    ],
    ['dot of a study', ['compile', 'mediswift-m', '--emit', 'dot'], /dot needs a single workload/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = runCli(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });
});
