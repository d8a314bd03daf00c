/** Helpers the input-checking tests share. */
import { type Diagnostic, InputError } from '../models/diagnostics.ts';

/** The diagnostics of the InputError that `run` throws; fails the test if it throws anything else. */
export function diagnosticsOf(run: () => unknown): readonly Diagnostic[] {
  try {
    run();
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}
