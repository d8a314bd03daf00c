/**
 * The command line: a thin layer over the library (DESIGN §9). Parse arguments, call the library,
 * print. Bad input exits 2 with a message naming the field; bugs exit 1 (stack trace with --debug).
 */
import { Command, CommanderError } from 'commander';
import { formatDiagnostic, InputError } from '../models/diagnostics.ts';
import { registerCompare } from './commands/compare.ts';
import { registerCompile } from './commands/compile.ts';
import { registerCrosscheck } from './commands/crosscheck.ts';
import { registerFlops } from './commands/flops.ts';
import { registerGemm } from './commands/gemm.ts';
import { registerMerge } from './commands/merge.ts';
import { registerPresets } from './commands/presets.ts';
import { registerResolve } from './commands/resolve.ts';
import { registerRun } from './commands/run.ts';
import { registerSchema } from './commands/schema.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerValidate } from './commands/validate.ts';
import { type Io, processIo, readerWentAway } from './io.ts';
import { versionLine } from './version.ts';

export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_BAD_INPUT = 2;

/** What a command reports besides its output: an exit code other than 0 for a result, not an error. */
export interface CommandOutcome {
  exitCode: number;
}

export function buildProgram(io: Io, outcome: CommandOutcome = { exitCode: EXIT_OK }): Command {
  const program = new Command('wafersim')
    .description('Simulate sparse transformer training on a wafer-scale PE mesh (Cerebras CS-2 model)')
    // Handled in main() before parsing, so other commands never ask git for the commit.
    .option('-V, --version', 'print the version and the git commit it was built from')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  registerRun(program, io, (code) => {
    outcome.exitCode = code;
  });
  registerSweep(program, io, (code) => {
    outcome.exitCode = code;
  });
  registerMerge(program, io);
  registerCompare(program, io);
  registerFlops(program, io);
  registerCompile(program, io);
  registerResolve(program, io);
  registerPresets(program, io);
  registerSchema(program, io);
  registerGemm(program, io);
  registerValidate(program, io, (code) => {
    outcome.exitCode = code;
  });
  registerCrosscheck(program, io, (code) => {
    outcome.exitCode = code;
  });
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  }
  return program;
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const code = await runCommand(argv, io);
  const failure = await io.finish?.();
  // A reader that stopped reading (`| head`) ends the output quietly; anything else that kept the
  // output from being written (a full disk, /dev/full) is said on stderr if stderr still works.
  if (failure === undefined || readerWentAway(failure)) return code;
  io.stderr(`wafersim: could not write to ${failure.stream}: ${failure.message}\n`);
  return code === EXIT_OK ? EXIT_BAD_INPUT : code;
}

async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout(`${versionLine()}\n`);
    return EXIT_OK;
  }
  const outcome: CommandOutcome = { exitCode: EXIT_OK };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit cleanly; usage errors (unknown option, missing argument) are bad input.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    if (error instanceof InputError) {
      io.stderr(`wafersim: ${error.diagnostics.map(formatDiagnostic).join('\nwafersim: ')}\n`);
      if (debug) io.stderr(`${error.stack}\n`);
      return EXIT_BAD_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`wafersim: internal error: ${message}\n`);
    io.stderr(
      debug && error instanceof Error ? `${error.stack}\n` : 'Run again with --debug for a stack trace.\n',
    );
    return EXIT_BUG;
  }
}
