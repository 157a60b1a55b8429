import { parse } from 'csv-parse/sync';
import { COLUMNS, KEY_FIELDS, normalizeHeader, type ColumnSpec, type ImportKind } from './columns.js';

/** One bad row or column. Messages name the row/column and the rule, never the value. */
export interface ImportIssue {
  /** Line of the file (the header is line 1); 0 when the file as a whole is wrong. */
  row: number;
  /** Column header (as in PROTOCOL.md), or null when the problem is the row or file. */
  column: string | null;
  code: string;
  message: string;
}

/** A validated data row: field → value (null = empty cell, "no change"). */
export interface ImportRow {
  row: number;
  values: Record<string, string | number | null>;
}

/** At most this many issues are listed; a last entry says when more were found. */
export const MAX_REPORTED_ISSUES = 10_000;

/** C0 control characters and DEL, except tab, line feed and carriage return (which a quoted cell may hold). */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Parses CSV text and checks every row and column against the rules of `kind`, without touching
 * the database. Returns the rows, which columns the header names, and every issue found.
 */
export function parseRows(kind: ImportKind, text: string): { rows: ImportRow[]; present: Set<string>; issues: ImportIssue[]; dataRows: number } {
  const issues: ImportIssue[] = [];
  const push = (i: ImportIssue) => {
    if (issues.length < MAX_REPORTED_ISSUES) issues.push(i);
    else if (issues.length === MAX_REPORTED_ISSUES)
      issues.push({ row: 0, column: null, code: 'TOO_MANY_ERRORS', message: `more than ${MAX_REPORTED_ISSUES} issues; the rest are not listed` });
  };
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 0;
    return {
      rows: [],
      present: new Set(),
      dataRows: 0,
      issues: [{ row: line, column: null, code: 'CSV_SYNTAX', message: 'CSV syntax error (unbalanced quotes or stray characters)' }],
    };
  }
  const header = records[0];
  if (!header)
    return { rows: [], present: new Set(), dataRows: 0, issues: [{ row: 0, column: null, code: 'EMPTY_FILE', message: 'the file has no header row' }] };

  const specs = COLUMNS[kind];
  const byHeader = new Map(specs.map((s) => [normalizeHeader(s.header), s]));
  const columns: Array<ColumnSpec | undefined> = [];
  const present = new Set<string>();
  header.record.forEach((h, i) => {
    const spec = byHeader.get(normalizeHeader(h));
    if (!spec) {
      push({ row: 1, column: h.slice(0, 40), code: 'UNKNOWN_COLUMN', message: `column ${i + 1} is not a ${kind} column` });
    } else if (present.has(spec.field)) {
      push({ row: 1, column: spec.header, code: 'DUPLICATE_COLUMN', message: 'column named twice in the header' });
    } else {
      present.add(spec.field);
    }
    columns.push(spec && columns.includes(spec) ? undefined : spec);
  });
  for (const s of specs) {
    if (s.requiredColumn && !present.has(s.field))
      push({ row: 1, column: s.header, code: 'MISSING_COLUMN', message: 'required column missing from the header' });
  }

  const keyFields = KEY_FIELDS[kind];
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    const line = info.lines;
    if (record.length !== header.record.length) {
      push({ row: line, column: null, code: 'COLUMN_COUNT', message: `row has ${record.length} cells, the header ${header.record.length}` });
      continue;
    }
    const values: Record<string, string | number | null> = {};
    let rowOk = true;
    for (let c = 0; c < record.length; c++) {
      const spec = columns[c];
      if (!spec) continue;
      if (CONTROL.test(record[c]!)) {
        // A NUL byte would reach PostgreSQL (which refuses it in text) as an uncoded error.
        push({ row: line, column: spec.header, code: 'CONTROL_CHARACTER', message: 'cell holds a control character (such as NUL)' });
        rowOk = false;
        continue;
      }
      const parsed = spec.parse(record[c]!);
      if (!parsed.ok) {
        push({ row: line, column: spec.header, code: parsed.code, message: parsed.message });
        rowOk = false;
      } else if (parsed.value === null && spec.requiredValue) {
        push({ row: line, column: spec.header, code: 'REQUIRED', message: 'value required' });
        rowOk = false;
      } else {
        values[spec.field] = parsed.value;
      }
    }
    if (!rowOk) continue;
    const key = keyFields.map((k) => values[k]).join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      push({
        row: line,
        column: specs.find((s) => s.field === keyFields[keyFields.length - 1])!.header,
        code: 'DUPLICATE_KEY',
        message: `same key as line ${first}`,
      });
      continue;
    }
    seen.set(key, line);
    rows.push({ row: line, values });
  }
  return { rows, present, issues, dataRows: records.length - 1 };
}
