import { lockDownTree, makePrivateDir } from '../../common/private-dir.js';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

/** What a query answers. */
export interface QueryResult<T> {
  rows: T[];
  /** Rows inserted, updated or deleted (when the driver reports it). */
  rowCount: number;
}

/** Something that runs SQL with positional parameters ($1, $2, …). */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

/**
 * The VRS database: PostgreSQL server through `pg`, or embedded PGlite. The same numbered
 * migrations serve both.
 */
export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs a multi-statement script (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction; commits on success, rolls back on error. `setup` is a fixed SQL
   * script (no parameters) run at the start of the transaction in the same round trip as BEGIN.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: { setup?: string }): Promise<T>;
  close(): Promise<void>;
}

/** Opens PostgreSQL at `databaseUrl`, or PGlite with data under `dataDir` (in memory when undefined). */
export async function openDatabase(options: { databaseUrl?: string; dataDir?: string; maxConnections?: number }): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  if (options.dataDir) await makePrivateDir(options.dataDir);
  const db = options.dataDir ? await PGlite.create(options.dataDir) : await PGlite.create();
  // PGlite makes its folders and 0666 files itself: close every folder it made.
  if (options.dataDir) await lockDownTree(options.dataDir);
  return wrapPglite(db);
}

function wrapPglite(db: PGlite): Database {
  const asQueryable = (q: { query: PGlite['query'] }): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await q.query<T>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  });
  const base = asQueryable(db);
  return {
    kind: 'pglite',
    query: base.query,
    async exec(sql) {
      await db.exec(sql);
    },
    // PGlite is single-connection: its transaction() serialises callers, which is what we want.
    transaction: (fn, options) =>
      db.transaction(async (tx) => {
        if (options?.setup) await tx.exec(options.setup);
        return fn(asQueryable(tx));
      }),
    close: () => db.close(),
  };
}

function openPostgres(url: string, max: number): Database {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client the server terminated (restart, admin, DROP DATABASE … FORCE) is dropped by the
  // pool and the next query opens a fresh one; without a listener the error would crash the process.
  pool.on('error', () => undefined);
  const query = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> => {
    const r = await client.query(sql, params);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query: (sql, params) => query(pool, sql, params),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn, options) {
      const client = await pool.connect();
      try {
        // One simple-protocol round trip for BEGIN and the setup script.
        await client.query(options?.setup ? `BEGIN; ${options.setup}` : 'BEGIN');
        const out = await fn({ query: (sql, params) => query(client, sql, params) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Runs `fn` in a transaction as the application role `vrs_app` (owner of nothing), scoped to one
 * municipality: row-level security then shows and accepts only that municipality's rows, whatever
 * SQL `fn` sends.
 */
export async function withMunicipality<T>(db: Database, code: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  // The code is checked to be six digits, so it can sit in the setup script as a literal.
  if (!/^\d{6}$/.test(code)) throw new TypeError('withMunicipality needs a 6-digit 自治体コード');
  return db.transaction(fn, { setup: `SET LOCAL ROLE vrs_app; SELECT set_config('app.municipality', '${code}', true)` });
}

/** Runs `fn` as `vrs_app` with no municipality: only the tables readable by all answer. */
export async function withoutMunicipality<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(fn, { setup: "SET LOCAL ROLE vrs_app; SELECT set_config('app.municipality', '', true)" });
}
