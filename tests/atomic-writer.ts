/**
 * A child process for tests/atomic-write-crash.test.ts: writes token sets (tests/token-set.ts)
 * into a folder in a loop, printing each token once its write has returned.
 *
 *   node --import tsx tests/atomic-writer.ts <out> <prefix> <writes> [<kill-at-call>]
 *
 * With <kill-at-call>, the process SIGKILLs itself just before that file-system call of the
 * writer (counted from 0 over all its writes): a kill at a known point, with no clean-up run.
 */
import { NODE_FS, type WriteFs, writeFilesAtomically } from '../reports/atomic-write.ts';
import { TOKEN_FILES } from './token-set.ts';

const [out, prefix, writesText, killAtText] = process.argv.slice(2);
const killAt = killAtText === undefined ? -1 : Number(killAtText);
let calls = 0;
const fs = {} as Record<string, unknown>;
for (const [call, real] of Object.entries(NODE_FS) as [string, (...args: unknown[]) => Promise<void>][]) {
  fs[call] = (...args: unknown[]) => {
    if (calls++ === killAt) process.kill(process.pid, 'SIGKILL');
    return real(...args);
  };
}
for (let i = 0; i < Number(writesText); i++) {
  const token = `${prefix}-${i}`;
  await writeFilesAtomically(token, TOKEN_FILES, out!, { fs: fs as unknown as WriteFs });
  process.stdout.write(`${token}\n`);
}
