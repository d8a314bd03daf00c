#!/usr/bin/env node
// The wafersim command. It runs the compiled JavaScript in dist/ (built by `npm install` through the
// `prepare` script, or `npm run build`), so nothing is transpiled at run time. If dist/ is missing
// or older than any TypeScript source (a checkout being edited), it runs the sources through tsx
// instead: slower to start, never stale. WAFERSIM_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const COMPILED_MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const SOURCES = ['index.ts', 'cli', 'models', 'hardware', 'workloads', 'compiler', 'simulator', 'reports'];

/** The newest modification time of a TypeScript source at `path` (a file, or a folder's files). */
function newestSource(path) {
  if (!existsSync(path)) return 0; // an installed package ships dist/ without the sources
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.ts') ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

function compiledIsFresh() {
  if (process.env.WAFERSIM_FROM_SOURCE || !existsSync(COMPILED_MAIN)) return false;
  const built = statSync(COMPILED_MAIN).mtimeMs;
  return SOURCES.every((source) => newestSource(join(ROOT, source)) <= built);
}

let main;
if (compiledIsFresh()) {
  ({ main } = await import(new URL('../dist/cli/main.js', import.meta.url).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
