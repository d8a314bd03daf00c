/**
 * Every property test of the suite draws from one fixed seed, so CI gives the same verdict on
 * every run: a property that fails does so every time, with the same counterexample. To explore
 * beyond it, run with FC_SEED set (a number, or `random`): `FC_SEED=random npx vitest run`. The
 * fuzz harness (scripts/fuzz.ts --seed S) explores the CLI the same way.
 */
import fc from 'fast-check';

const requested = process.env.FC_SEED;
if (requested !== 'random') {
  const seed = requested === undefined ? 20_261_203 : Number(requested);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FC_SEED must be an integer or 'random'; got ${requested}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
