/**
 * A child process for tests/atomic-write-crash.test.ts: the write phase of a command under the
 * CLI's signal handlers (cli/simulate.ts). It writes an old token set, then, inside
 * `simulateCancellably` (nothing to simulate), a new one that pauses, printing `paused`, until
 * the parent's signal arrives: before the commit (at the third file) or just after it.
 *
 *   node --import tsx tests/write-phase-signal.ts <out> before-commit|after-commit
 */
import { once } from 'node:events';
import { sep } from 'node:path';
import { processIo } from '../cli/io.ts';
import { simulateCancellably } from '../cli/simulate.ts';
import { NODE_FS, type WriteFs, writeFilesAtomically } from '../reports/atomic-write.ts';
import { TOKEN_FILES } from './token-set.ts';

const [out, when] = process.argv.slice(2) as [string, 'before-commit' | 'after-commit'];
await writeFilesAtomically('old', TOKEN_FILES, out);
let exitCode = 0;
// Signal listeners do not keep Node running while the writer waits for the signal.
const keepAlive = setInterval(() => {}, 1000);
await simulateCancellably(
  processIo,
  { workloads: [], workers: 0, json: false, what: 'test run' },
  (code) => {
    exitCode = code;
  },
  async (_summaries, _wallSeconds, signal) => {
    const pause = async () => {
      process.stdout.write('paused\n');
      if (!signal.aborted) await once(signal, 'abort');
    };
    let files = 0;
    const fs: Partial<WriteFs> =
      when === 'before-commit'
        ? {
            writeFile: async (path, text) => {
              if (++files === 3) await pause();
              await NODE_FS.writeFile(path, text);
            },
          }
        : {
            rename: async (from, to) => {
              await NODE_FS.rename(from, to);
              if (to.endsWith(`${sep}current`)) await pause();
            },
          };
    await writeFilesAtomically('new', TOKEN_FILES, out, { signal, fs });
    process.stdout.write('written\n');
  },
);
clearInterval(keepAlive);
process.exitCode = exitCode;
