import { NotFoundError } from '../../common/errors.js';
import { withMunicipality } from '../db/database.js';
import { dataKeyFor } from '../crypto/data-keys.js';
import type { VrsDeps } from '../deps.js';
import type { ImportKind } from './columns.js';
import { decodeCsv } from './decode.js';
import { MAX_REPORTED_ISSUES, parseRows, type ImportIssue } from './parse-rows.js';
import { myNumberIssues, writeResidents } from './write-residents.js';
import { unknownAtenaIssues, writeOverseasIssuances, writePassports, writeVaccinations } from './write-records.js';
import { jstParts } from '../../common/clock.js';

export type { ImportKind } from './columns.js';
export type { ImportIssue } from './parse-rows.js';

export interface ImportReport {
  /** false means nothing was changed. */
  ok: boolean;
  kind: ImportKind;
  encoding: 'utf-8' | 'shift_jis';
  /** Data rows in the file (the header not counted). */
  rows: number;
  inserted: number;
  updated: number;
  /** Every bad row and column (row = line of the file, header = 1); never the values. */
  errors: ImportIssue[];
}

/** Thrown inside the transaction to roll it back with a report. */
class Rejected extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super('import rejected');
  }
}

/**
 * Imports one CSV file (residents 接種対象者登録, vaccinations, passports on file, or overseas
 * certificates issued at the counter or in the app) for one
 * municipality, all or nothing: every row is validated first; any bad row means nothing changes and
 * the report lists every bad row and column. Writes run in one transaction inside
 * `withMunicipality`, so row-level security confines them to `municipalityCode`; imports of one
 * municipality are serialised by an advisory lock.
 */
export async function importCsv(deps: VrsDeps, municipalityCode: string, kind: ImportKind, body: Buffer): Promise<ImportReport> {
  if (!/^\d{6}$/.test(municipalityCode)) throw new TypeError('importCsv needs a 6-digit 自治体コード');
  const { text, encoding } = decodeCsv(body);
  const parsed = parseRows(kind, text);
  const base = { kind, encoding, rows: parsed.dataRows } as const;

  try {
    const counts = await withMunicipality(deps.db, municipalityCode, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7301, $1::int)', [Number(municipalityCode)]);
      const known = await tx.query('SELECT 1 FROM municipalities WHERE code = $1', [municipalityCode]);
      if (known.rows.length === 0) throw new NotFoundError('Unknown municipality');
      // Checks against stored data run even when rows already failed, so one report lists everything.
      const check = kind === 'residents' ? await myNumberIssues(tx, parsed.rows, deps.keys.lookup, municipalityCode) : undefined;
      const dbIssues = check ? check.issues : await unknownAtenaIssues(tx, municipalityCode, parsed.rows);
      if (parsed.issues.length || dbIssues.length) throw new Rejected([...parsed.issues, ...dbIssues]);
      if (check) {
        const dataKey = await dataKeyFor(tx, deps.keys.master, municipalityCode);
        return writeResidents(tx, municipalityCode, parsed.rows, dataKey, check);
      }
      if (kind === 'vaccinations') return writeVaccinations(tx, municipalityCode, parsed.rows);
      const dataKey = await dataKeyFor(tx, deps.keys.master, municipalityCode);
      return kind === 'passports'
        ? writePassports(tx, municipalityCode, parsed.rows, dataKey, jstParts(deps.clock.now()).date)
        : writeOverseasIssuances(tx, municipalityCode, parsed.rows, dataKey);
    });
    deps.log.info({ municipality: municipalityCode, kind, rows: parsed.dataRows, inserted: counts.inserted, updated: counts.updated }, 'csv import applied');
    return { ...base, ok: true, inserted: counts.inserted, updated: counts.updated, errors: [] };
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    const errors = err.issues.sort((a, b) => a.row - b.row).slice(0, MAX_REPORTED_ISSUES + 1);
    deps.log.info({ municipality: municipalityCode, kind, rows: parsed.dataRows, errors: errors.length }, 'csv import rejected');
    return { ...base, ok: false, inserted: 0, updated: 0, errors };
  }
}
