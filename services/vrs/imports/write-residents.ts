import type { Queryable } from '../db/database.js';
import { encryptMyNumber, myNumberHmac } from '../crypto/my-number.js';
import type { ImportIssue, ImportRow } from './parse-rows.js';

/**
 * Rows per statement. 5,000 made the re-import UPDATE hash-join (and scan) the municipality's
 * residents 20 times per 100k file; 20,000 cuts that to 5 while one batch's unnest still fits in
 * PostgreSQL's default work_mem (a 100k-row unnest spills to temp files).
 */
export const BATCH = 20_000;

export function* batches<T>(items: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

const str = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Writes validated resident rows (接種対象者登録). New 個別宛名番号 are inserted; known ones are
 * updated field by field: a null (empty cell or absent column) keeps the stored value, and the flag
 * changes only by 1/2/3 (set) or 9 (clear), so no later file without a flag can undo one
 * (invariant 8). My Number goes only to my_number_links (encrypted) and my_number_index (HMAC).
 * Returns issues that need the database (a My Number already linked to another 個別宛名番号);
 * the caller rolls back when there are any.
 */
export async function writeResidents(
  tx: Queryable,
  code: string,
  rows: ImportRow[],
  dataKey: Buffer,
  check: MyNumberCheck,
): Promise<{ inserted: number; updated: number }> {
  const atenas = rows.map((r) => r.values.atenaNumber as string);
  const existing = new Set<string>();
  for (const b of batches(atenas)) {
    // municipality_code = $1 lets the primary key (municipality_code, atena_number) serve the lookup.
    const { rows: found } = await tx.query<{ atena_number: string }>(
      'SELECT atena_number FROM residents WHERE municipality_code = $1 AND atena_number = ANY($2::text[])',
      [code, b],
    );
    for (const f of found) existing.add(f.atena_number);
  }

  const { hmacHex, linkedBefore } = check;
  const withNumber = rows.filter((r) => r.values.myNumber);
  // A resident already linked to the same My Number (same keyed hash) needs no new ciphertext:
  // re-importing an unchanged file then skips the encryption and the upsert of its link.
  const changedLinks = withNumber.filter((r) => linkedBefore.get(r.values.atenaNumber as string) !== hmacHex.get(r));

  const cols = (rs: ImportRow[]) => [
    rs.map((r) => r.values.atenaNumber as string),
    rs.map((r) => str(r.values.familyName)),
    rs.map((r) => str(r.values.givenName)),
    rs.map((r) => str(r.values.familyKana)),
    rs.map((r) => str(r.values.givenKana)),
    rs.map((r) => str(r.values.birthDate)),
    rs.map((r) => str(r.values.sex)),
    rs.map((r) => str(r.values.ticketNumber)),
    rs.map((r) => str(r.values.flag)),
  ];
  const unnest =
    'unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[]) AS u(atena_number, family_name, given_name, family_kana, given_kana, birth_date, sex, ticket_number, flag)';

  const inserts = rows.filter((r) => !existing.has(r.values.atenaNumber as string));
  const updates = rows.filter((r) => existing.has(r.values.atenaNumber as string));
  // The resident statements are sent first; the ciphertexts are computed while the server runs
  // them (on PostgreSQL that overlaps ~1.5 s of AES-GCM per 100k rows with the INSERT/UPDATE).
  const residentWrites = (async () => {
    for (const b of batches(inserts)) {
      await tx.query(
        `INSERT INTO residents (municipality_code, atena_number, family_name, given_name, family_kana, given_kana, birth_date, sex, ticket_number, flag)
         SELECT $1, u.atena_number, u.family_name, u.given_name, u.family_kana, u.given_kana, u.birth_date, u.sex, u.ticket_number,
                CASE WHEN u.flag IN ('1', '2', '3') THEN u.flag END
         FROM ${unnest}`,
        [code, ...cols(b)],
      );
    }
    for (const b of batches(updates)) {
      await tx.query(
        `UPDATE residents r SET
           family_name = COALESCE(u.family_name, r.family_name), given_name = COALESCE(u.given_name, r.given_name),
           family_kana = COALESCE(u.family_kana, r.family_kana), given_kana = COALESCE(u.given_kana, r.given_kana),
           birth_date = COALESCE(u.birth_date, r.birth_date), sex = COALESCE(u.sex, r.sex),
           ticket_number = COALESCE(u.ticket_number, r.ticket_number),
           flag = CASE WHEN u.flag = '9' THEN NULL ELSE COALESCE(u.flag, r.flag) END,
           updated_at = now()
         FROM ${unnest}
         WHERE r.municipality_code = $1 AND r.atena_number = u.atena_number`,
        [code, ...cols(b)],
      );
    }
  })();
  let sealed: string[];
  try {
    sealed = changedLinks.map((r) => encryptMyNumber(dataKey, code, r.values.atenaNumber as string, r.values.myNumber as string).toString('hex'));
  } finally {
    // Always settle the statements before leaving (the transaction rolls back on any error).
    await residentWrites;
  }

  // A resident inserted by this file has no link yet (links cascade from residents): plain INSERT.
  // Existing residents whose number changed: upsert.
  const sealedOf = new Map(changedLinks.map((r, i) => [r, sealed[i]!]));
  for (const [fresh, group] of [
    [true, changedLinks.filter((r) => !existing.has(r.values.atenaNumber as string))],
    [false, changedLinks.filter((r) => existing.has(r.values.atenaNumber as string))],
  ] as const) {
    for (const b of batches(group)) {
      const a = b.map((r) => r.values.atenaNumber as string);
      const h = b.map((r) => hmacHex.get(r)!);
      const e = b.map((r) => sealedOf.get(r)!);
      await tx.query(
        `INSERT INTO my_number_links AS l (municipality_code, atena_number, my_number_hmac, my_number_enc)
         SELECT $1, u.a, decode(u.h, 'hex'), decode(u.e, 'hex') FROM unnest($2::text[], $3::text[], $4::text[]) AS u(a, h, e)` +
          (fresh
            ? ''
            : ' ON CONFLICT (municipality_code, atena_number) DO UPDATE SET my_number_hmac = EXCLUDED.my_number_hmac, my_number_enc = EXCLUDED.my_number_enc'),
        [code, a, h, e],
      );
    }
  }
  // Every linked number stays in the index (also the unchanged ones, so a missing entry is restored).
  for (const b of batches(withNumber)) {
    const h = b.map((r) => hmacHex.get(r)!);
    await tx.query(
      // No DISTINCT needed: a file naming one My Number twice was rejected (DUPLICATE_MY_NUMBER).
      `INSERT INTO my_number_index (my_number_hmac, municipality_code)
       SELECT decode(x, 'hex'), $1 FROM unnest($2::text[]) AS x ON CONFLICT DO NOTHING`,
      [code, h],
    );
  }
  // Drop index entries of corrected My Numbers that no one here is linked to any more.
  const stillUsed = new Set(hmacHex.values());
  const replaced = [...new Set(withNumber.map((r) => linkedBefore.get(r.values.atenaNumber as string)))].filter(
    (h): h is string => h !== undefined && !stillUsed.has(h),
  );
  for (const b of batches(replaced)) {
    await tx.query(
      `DELETE FROM my_number_index i WHERE i.municipality_code = $1 AND i.my_number_hmac = ANY(SELECT decode(x, 'hex') FROM unnest($2::text[]) AS x)
         AND NOT EXISTS (SELECT 1 FROM my_number_links l WHERE l.municipality_code = $1 AND l.my_number_hmac = i.my_number_hmac)`,
      [code, b],
    );
  }
  return { inserted: inserts.length, updated: updates.length };
}

/**
 * Checks that needs the database for resident rows: a My Number may belong to one 個別宛名番号
 * only within a municipality (in the file and against what is stored).
 */
export async function myNumberIssues(tx: Queryable, rows: ImportRow[], lookup: Buffer, code: string): Promise<MyNumberCheck> {
  const keys = { lookup };
  const withNumber = rows.filter((r) => r.values.myNumber);
  const hmacHex = new Map<ImportRow, string>();
  const byHmac = new Map<string, ImportRow>();
  const issues: ImportIssue[] = [];
  for (const r of withNumber) {
    const h = myNumberHmac(keys.lookup, r.values.myNumber as string).toString('hex');
    const other = byHmac.get(h);
    if (other) issues.push({ row: r.row, column: 'マイナンバー', code: 'DUPLICATE_MY_NUMBER', message: `same マイナンバー as line ${other.row}` });
    byHmac.set(h, r);
    hmacHex.set(r, h);
  }
  const newHmacOf = new Map(withNumber.map((r) => [r.values.atenaNumber as string, hmacHex.get(r)!]));
  for (const b of batches([...byHmac.keys()])) {
    const { rows: linked } = await tx.query<{ atena_number: string; h: string }>(
      "SELECT atena_number, encode(my_number_hmac, 'hex') AS h FROM my_number_links WHERE my_number_hmac = ANY(SELECT decode(x, 'hex') FROM unnest($1::text[]) AS x)",
      [b],
    );
    for (const l of linked) {
      const r = byHmac.get(l.h)!;
      if (l.atena_number === r.values.atenaNumber) continue;
      // Fine only if this file moves that other 個別宛名番号 to a different number.
      const moved = newHmacOf.get(l.atena_number);
      if (moved === undefined || moved === l.h) {
        issues.push({ row: r.row, column: 'マイナンバー', code: 'DUPLICATE_MY_NUMBER', message: 'マイナンバー already linked to another 個別宛名番号' });
      }
    }
  }
  // The numbers the file's residents are linked to now (to clean the index when one is corrected).
  const linkedBefore = new Map<string, string>();
  for (const b of batches(withNumber.map((r) => r.values.atenaNumber as string))) {
    const { rows: found } = await tx.query<{ atena_number: string; h: string }>(
      "SELECT atena_number, encode(my_number_hmac, 'hex') AS h FROM my_number_links WHERE municipality_code = $1 AND atena_number = ANY($2::text[])",
      [code, b],
    );
    for (const f of found) linkedBefore.set(f.atena_number, f.h);
  }
  return { issues, hmacHex, linkedBefore };
}

export interface MyNumberCheck {
  issues: ImportIssue[];
  /** HMAC (hex) of each row's My Number. */
  hmacHex: Map<ImportRow, string>;
  /** 個別宛名番号 → HMAC (hex) of the My Number linked before this import. */
  linkedBefore: Map<string, string>;
}
