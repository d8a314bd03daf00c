/**
 * A child process for the Ctrl-C tests of tests/cli-run.test.ts: `wafersim run mediswift-xl` through
 * the CLI's own `main`, with stderr presented as a terminal so that the progress bar starts. The
 * bar's first output means the simulation is under way: this prints `simulating` on stdout then,
 * so the parent sends its signal at a known moment instead of after a guessed delay. The CLI's
 * own messages (`wafersim: …`) go to stderr.
 *
 *   node --import tsx tests/run-signal.ts <out>
 */
import { main } from '../cli/main.ts';

const [out] = process.argv.slice(2) as [string];
let simulating = false;
process.exitCode = await main(['run', 'mediswift-xl', '--workers', '0', '--out', out], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => {
    if (text.startsWith('wafersim:')) process.stderr.write(text);
    else if (!simulating) {
      simulating = true;
      process.stdout.write('simulating\n');
    }
  },
  stderrIsTty: true,
});
