import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../services/vrs/db/database.js';
import { migrate } from '../../../services/vrs/db/migrate.js';
import { startPostgres, type RunningServer } from '../../setup/test-servers.js';

/**
 * The role vrs_app belongs to the whole PostgreSQL server, the schema to each database: several
 * VRS databases migrated at the same moment on a server that has never seen the role (parallel
 * test files, two load runs) must all succeed (the runner's ensureAppRole, not a numbered migration,
 * creates the role). A fresh server, since the shared one has the role.
 */
describe('migrations of several databases at once on a fresh server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('all succeed, and each database has the schema and vrs_app', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `vrs_race_${i}`);
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    for (const n of names) await admin.query(`CREATE DATABASE ${n}`);
    const dbs = await Promise.all(
      names.map((n) => {
        const url = new URL(server.url);
        url.pathname = `/${n}`;
        return openDatabase({ databaseUrl: url.toString() });
      }),
    );
    try {
      const results = await Promise.allSettled(dbs.map((db) => migrate(db)));
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      for (const db of dbs) {
        const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM schema_migrations');
        expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      }
      const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'vrs_app'");
      expect(rows[0].n).toBe(1);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await admin.end();
    }
  }, 60_000);
});
