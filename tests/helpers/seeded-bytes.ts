import { createHash } from 'node:crypto';
import { DEFAULT_FC_SEED } from '../setup/fast-check-seed.js';

/**
 * Test data that looks random but is the same on every run: bytes from SHA-256 in counter mode
 * over a seed, so a failure reproduces. The seed is fast-check's (`FC_SEED` overrides it, and
 * `FC_SEED=random` draws a fresh one, printed so it can be replayed).
 */
export function seededBytes(label: string): (n: number) => Buffer {
  const seed = seedOf(process.env.FC_SEED);
  let counter = 0;
  return (n) => {
    const out: Buffer[] = [];
    for (let have = 0; have < n; have += 32) out.push(createHash('sha256').update(`${seed}:${label}:${counter++}`).digest());
    return Buffer.concat(out).subarray(0, n);
  };
}

function seedOf(requested: string | undefined): number {
  if (requested === undefined || requested === '') return DEFAULT_FC_SEED;
  if (requested === 'random') {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`seededBytes: FC_SEED=${seed}`);
    return seed;
  }
  return Number(requested);
}
