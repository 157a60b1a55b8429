import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** The application role (owner of nothing; db/database.ts `withMunicipality` switches to it). */
export const APP_ROLE = 'vrs_app';

/**
 * Creates the application role unless it exists. A role belongs to the whole PostgreSQL server,
 * not to one database, so two databases migrated at the same moment (parallel tests, two load
 * runs) both try to create it: the loser of that race (duplicate_object, or unique_violation on
 * pg_authid) carries on. Kept here rather than in a numbered migration, because it is not part of
 * any one database's schema and must run before every migration, including on databases that
 * applied 001 long ago.
 */
export async function ensureAppRole(db: Database): Promise<void> {
  await db.exec(`DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;`);
}

/**
 * Applies the numbered SQL migrations not yet applied, each in its own transaction, after
 * {@link ensureAppRole}. A migration is recorded by file name; once released its text never
 * changes (tests/unit/vrs/migration-checksums.test.ts holds each one's SHA-256): a change to the
 * schema is a new numbered file.
 */
export async function migrate(db: Database): Promise<string[]> {
  await ensureAppRole(db);
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const f of files) {
    if (done.has(f)) continue;
    const sql = await readFile(join(MIGRATIONS_DIR, f), 'utf8');
    // One script per file, so multi-statement SQL runs through the simple-query path of both drivers.
    const name = f.replace(/'/g, "''");
    try {
      await db.exec(`BEGIN;\n${sql}\n;INSERT INTO schema_migrations (name) VALUES ('${name}');\nCOMMIT;`);
    } catch (err) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    applied.push(f);
  }
  return applied;
}
