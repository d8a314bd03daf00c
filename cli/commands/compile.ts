import type { Command } from 'commander';
import { emitProgramDot } from '../../compiler/emit/emit-dot.ts';
import { emitProgramJson } from '../../compiler/emit/emit-json.ts';
import { emitProgramSummary } from '../../compiler/emit/emit-summary.ts';
import { type CompiledPhase, compileWorkload } from '../../compiler/pipeline.ts';
import { type Diagnostic, InputError, inputError } from '../../models/diagnostics.ts';
import type { Workload } from '../../workloads/index.ts';
import type { Io } from '../io.ts';
import { collect, SET_HELP, SET_OPTION } from '../options.ts';
import { resolveRef } from '../workload-ref.ts';

const EMIT_FORMATS = ['json', 'dot', 'summary'] as const;
type EmitFormat = (typeof EMIT_FORMATS)[number];

interface CompileOptions {
  emit?: string;
  phase?: string;
  set?: string[];
  json?: boolean;
}

function emitFormat(options: CompileOptions): EmitFormat {
  const emit = options.emit ?? (options.json ? 'json' : 'summary');
  if (!(EMIT_FORMATS as readonly string[]).includes(emit)) {
    throw inputError(
      'invalid-value',
      '--emit',
      `'${emit}' is not an output format; accepted: ${EMIT_FORMATS.join(', ')}`,
    );
  }
  if (options.json && emit !== 'json') {
    throw inputError('invalid-value', '--json', `--json means --emit json; it cannot go with --emit ${emit}`);
  }
  return emit as EmitFormat;
}

/** Every named phase must exist in every workload; the message lists the ones that do. */
function checkPhase(workloads: readonly Workload[], phase: string | undefined): void {
  if (phase === undefined) return;
  const missing: Diagnostic[] = workloads
    .filter((w) => !w.phases.some((p) => p.name === phase))
    .map((w) => ({
      code: 'invalid-value',
      path: '--phase',
      message: `workload ${w.name} has no phase '${phase}'; its phases: ${w.phases.map((p) => p.name).join(', ')}`,
    }));
  if (missing.length > 0) throw new InputError(missing);
}

/** Compiles every workload; any infeasible placement is bad input (exit 2), nothing is printed. */
function compileAll(workloads: readonly Workload[], phase: string | undefined): CompiledPhase[] {
  const compiled: CompiledPhase[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const workload of workloads) {
    const result = compileWorkload(workload, phase === undefined ? {} : { phase });
    if (result.ok) compiled.push(...result.phases);
    else diagnostics.push(...result.diagnostics);
  }
  if (diagnostics.length > 0) throw new InputError(diagnostics);
  return compiled;
}

export function registerCompile(program: Command, io: Io): void {
  program
    .command('compile')
    .description(
      'Lower a workload to its dataflow graph and place it on the mesh; print what the compiler chose',
    )
    .argument('<workload>', 'a workload preset, a study preset or a workload JSON file')
    .option('--emit <format>', `output: ${EMIT_FORMATS.join(' | ')} (default summary)`)
    .option('--phase <name>', 'compile only this phase of the workload')
    .option(SET_OPTION, SET_HELP, collect)
    .option('--json', 'the same as --emit json')
    .action((ref: string, options: CompileOptions) => {
      const emit = emitFormat(options);
      const resolved = resolveRef(ref, options.set);
      if (emit === 'dot' && resolved.kind === 'study') {
        throw inputError(
          'invalid-value',
          ref,
          `dot needs a single workload; ${ref} is a study of ${resolved.workloads.map((w) => w.name).join(', ')}`,
        );
      }
      checkPhase(resolved.workloads, options.phase);
      const compiled = compileAll(resolved.workloads, options.phase);
      if (emit === 'dot') {
        if (compiled.length !== 1) {
          const names = compiled.map((c) => c.phase.name).join(', ');
          throw inputError(
            'invalid-value',
            '--phase',
            `dot needs a single workload phase; choose one of ${names}`,
          );
        }
        io.stdout(emitProgramDot(compiled[0]!));
        return;
      }
      if (emit === 'json') {
        // One compiled phase is the DESIGN §9 object; a study or several phases, an array of them.
        const programs = compiled.map(emitProgramJson);
        const out = resolved.kind === 'workload' && programs.length === 1 ? programs[0] : programs;
        io.stdout(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const sections = compiled.map(emitProgramSummary);
      const title =
        resolved.kind === 'study'
          ? `Study ${resolved.name}: ${resolved.workloads.map((w) => w.name).join(', ')}\n\n`
          : '';
      io.stdout(`${title}${sections.join('\n')}`);
    });
}
