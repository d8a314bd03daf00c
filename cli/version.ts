/**
 * Which wafersim produced a result: the package version and the git commit, so a report can be
 * traced to the exact code. In a git checkout the commit comes from git (with '-dirty' when
 * tracked files were edited); an installed package has no .git, and uses the commit that
 * `npm run build` recorded in dist/build-info.json (scripts/build.mjs), or 'unknown'.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  /** Short commit hash, with '-dirty' when tracked files differ from it; or 'unknown'. */
  readonly commit: string;
}

let cached: BuildInfo | undefined;

function readJson(url: URL): Record<string, unknown> | undefined {
  return existsSync(url) ? (JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>) : undefined;
}

/** The commit of the checkout at `root`, from git; 'unknown' when git or the checkout is missing. */
export function gitCommit(root: URL): string {
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const head = git(['rev-parse', '--short=12', 'HEAD']);
  if (head.status !== 0 || !head.stdout) return 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no']).stdout?.trim() !== '';
  return `${head.stdout.trim()}${dirty ? '-dirty' : ''}`;
}

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  // Compiled, this module is dist/cli/version.js and the build recorded its commit one folder up;
  // from the sources it is cli/version.ts, in the checkout itself.
  const compiled = import.meta.url.endsWith('.js');
  const root = new URL(compiled ? '../../' : '../', import.meta.url);
  const pkg = readJson(new URL('package.json', root));
  if (!pkg) throw new Error('package.json not found above cli/');
  const recorded = compiled ? readJson(new URL('../build-info.json', import.meta.url)) : undefined;
  const commit = existsSync(new URL('.git', root))
    ? gitCommit(root)
    : typeof recorded?.commit === 'string'
      ? recorded.commit
      : 'unknown';
  cached = { version: String(pkg.version), commit };
  return cached;
}

/** `wafersim 0.1.0 (commit 1a2b3c4d5e6f)`: how outputs name the tool. */
export function versionLine(): string {
  const { version, commit } = buildInfo();
  return `wafersim ${version} (commit ${commit})`;
}
