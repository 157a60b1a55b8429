/**
 * Property tests run with a fixed seed, so a run in CI is repeatable; fast-check prints the seed
 * (and the path of the counterexample) when a property fails. `FC_SEED=<n>` replays a seed,
 * `FC_SEED=random` runs with a fresh one (a separate, exploratory run).
 */
import fc from 'fast-check';

/** The seed every property test uses unless FC_SEED says otherwise. */
export const DEFAULT_FC_SEED = 20261202;

const requested = process.env.FC_SEED;
if (requested !== 'random') {
  const seed = requested === undefined || requested === '' ? DEFAULT_FC_SEED : Number(requested);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`FC_SEED must be an integer or "random", not ${JSON.stringify(requested)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
