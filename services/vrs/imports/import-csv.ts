import type { VrsDeps } from '../deps.js';

export type ImportKind = 'residents' | 'vaccinations' | 'passports';

/** One bad row or column. Messages name the row/column and the rule, never the value. */
export interface ImportIssue {
  /** 1-based data row (the header is row 0); 0 for header problems. */
  row: number;
  column: string | null;
  code: string;
  message: string;
}

export interface ImportReport {
  /** false means nothing was changed. */
  ok: boolean;
  kind: ImportKind;
  encoding: 'utf-8' | 'shift_jis';
  rows: number;
  inserted: number;
  updated: number;
  errors: ImportIssue[];
}

/** Imports one CSV file for one municipality, all or nothing. (Implementation in progress.) */
export async function importCsv(_deps: VrsDeps, _municipalityCode: string, _kind: ImportKind, _body: Buffer): Promise<ImportReport> {
  throw new Error('importCsv: not implemented yet');
}
