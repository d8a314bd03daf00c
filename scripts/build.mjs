// `npm run build` (and `prepare`, so `npm install` / `npm ci` build it): compiles the TypeScript
// sources to dist/ and copies the data files the code reads next to the compiled modules, so the
// bin and its workers run plain JavaScript, with no transpiler at run time.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// The version and the commit the build came from, so reports name the exact code (cli/version.ts).
const git = (args) =>
  spawnSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const head = git(['rev-parse', '--short=12', 'HEAD']);
let commit = 'unknown';
if (head.status === 0 && head.stdout) {
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).stdout?.trim() !== '';
  commit = `${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
}
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(dist, 'build-info.json'), `${JSON.stringify({ version, commit }, null, 2)}\n`);
