import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'services/vrs/db/migrations';

/**
 * Released migrations and the SHA-256 of their text. The runner (services/vrs/db/migrate.ts)
 * records a migration by file name only, so a released file that changes is never run again on a
 * database that already applied it: deployed databases and fresh ones would drift apart without
 * an error. A schema change is a new numbered file; when it is released, add it here.
 *
 * 001 is the text first released (769580d). It was edited once afterwards (a0a9ff0, SHA-256
 * a19f7c20…, an exception handler for a race in creating the role vrs_app); databases that ran
 * that edit hold the same objects, and the role is now created by the runner before any migration.
 */
const RELEASED: Record<string, string> = {
  '001_schema.sql': 'df6236bf729971935729f4d40112a48df88f333727675ad3dbc784ddf3987b83',
  '005_portal.sql': 'af066ea923f02c5810df1907e088527296eabf4cdb86d604843c96216e9ac01b',
  '006_released.sql': '777ff9c0f0e53d45085bcb9933a8318b0a7523afeb7c25b3d223d857e2cd951b',
  '007_passport_sealed.sql': '257cf646b6569a1bfa87e94e68d7baf80cd91523929bcfa792204c6f0db64a16',
  '008_staff_invitations.sql': '318a52c3fddbf78395c2f32fc72a9c5605d4401430114eacb2bb5be0c052735b',
  '009_overseas_sources_contacts.sql': '893efb203d217a19a606b4ee021ddb7bbb9eb8f3bc19b65ae04ba551661677b6',
};

const sha256 = (file: string) =>
  createHash('sha256')
    .update(readFileSync(join(DIR, file)))
    .digest('hex');

describe('released migrations', () => {
  it.each(Object.entries(RELEASED))('keeps %s byte for byte as released', (file, digest) => {
    expect(sha256(file), `${file} changed after release: write a new numbered migration instead`).toBe(digest);
  });

  it('adds new migrations only after the last released one', () => {
    const files = readdirSync(DIR)
      .filter((f) => /^\d{3}_.+\.sql$/.test(f))
      .sort();
    const last = Object.keys(RELEASED).sort().at(-1)!;
    const unlisted = files.filter((f) => !(f in RELEASED));
    // A file numbered at or below the last released one would run out of order on deployed databases.
    expect(unlisted.filter((f) => f.slice(0, 3) <= last.slice(0, 3))).toEqual([]);
  });
});
