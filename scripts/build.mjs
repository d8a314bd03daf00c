// `npm run build` (and `prepare`, so `npm install` / `npm ci` build it): compiles the TypeScript
// sources to dist/ and copies the data files the code reads next to the compiled modules, so the
// bin and its workers run plain JavaScript, with no transpiler at run time.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
mkdirSync(join(dist, 'data'), { recursive: true });
cpSync(join(root, 'data'), join(dist, 'data'), { recursive: true });
