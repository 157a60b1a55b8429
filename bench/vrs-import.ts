/**
 * CSV import throughput: 100,000 residents then 100,000 vaccinations (one file each) into a fresh
 * database, on PGlite and, when TEST_DATABASE_URL or DATABASE_URL is set, on PostgreSQL (a
 * temporary database made and dropped on that server). Prints figures, passes or fails nothing.
 *   npm run bench:vrs-import [-- --rows 100000]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { systemClock } from '../services/common/clock.js';
import { createLogger } from '../services/common/logger.js';
import { openDatabase, type Database } from '../services/vrs/db/database.js';
import { migrate } from '../services/vrs/db/migrate.js';
import type { VrsDeps } from '../services/vrs/deps.js';
import { importCsv } from '../services/vrs/imports/import-csv.js';
import { CSV_HEADERS, toCsv } from '../services/vrs/imports/csv-writer.js';
import { ensureMunicipality } from '../services/vrs/seed/municipalities.js';
import { residentCsvRow, syntheticResidents, vaccinationCsvRows } from '../services/vrs/seed/synthetic.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const rows = Number(values.rows);
const CODE = '162027';

const people = syntheticResidents(rows, 42, CODE);
const residentsCsv = Buffer.from(toCsv(CSV_HEADERS.residents, people.map(residentCsvRow)));
// Exactly `rows` vaccination rows: doses taken in order across the population.
const doseRows = people.flatMap(vaccinationCsvRows).slice(0, rows);
const vaccinationsCsv = Buffer.from(toCsv(CSV_HEADERS.vaccinations, doseRows));

async function run(label: string, db: Database): Promise<void> {
  await migrate(db);
  const deps: VrsDeps = {
    db,
    keys: { master: randomBytes(32), lookup: randomBytes(32) },
    clock: systemClock,
    log: createLogger({ service: 'bench', level: 'silent' }),
    mailDir: '/tmp',
  };
  await ensureMunicipality(db, deps.keys.master, { code: CODE, name: '高岡市', participates: true });
  for (const [kind, body] of [
    ['residents', residentsCsv],
    ['vaccinations', vaccinationsCsv],
    ['residents', residentsCsv],
  ] as const) {
    const t = performance.now();
    const report = await importCsv(deps, CODE, kind, body);
    const s = (performance.now() - t) / 1000;
    if (!report.ok) throw new Error(`${label} ${kind}: refused, first issue ${JSON.stringify(report.errors[0])}`);
    const what = report.updated ? 're-import (all updates)' : 'first import';
    console.log(
      `${label.padEnd(10)} ${kind.padEnd(12)} ${what.padEnd(24)} ${report.rows} rows in ${s.toFixed(2)} s = ${Math.round(report.rows / s).toLocaleString('en-US')} rows/s`,
    );
  }
}

console.log(`vrs-import bench: ${rows} residents, ${doseRows.length} vaccinations (residents CSV ${(residentsCsv.length / 1e6).toFixed(1)} MB)`);
{
  const db = await openDatabase({});
  try {
    await run('pglite', db);
  } finally {
    await db.close();
  }
}
const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (serverUrl) {
  const name = `vrs_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  try {
    await run('postgres', db);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
} else {
  console.log('postgres: skipped (set TEST_DATABASE_URL or DATABASE_URL)');
}
