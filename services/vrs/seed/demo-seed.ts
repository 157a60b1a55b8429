import { randomUUID } from 'node:crypto';
import { demoMunicipalities, demoResidents } from '../../../certs/demo-cast.js';
import { withMunicipality } from '../db/database.js';
import type { VrsDeps } from '../deps.js';
import { hashPassword } from '../portal/auth/password.js';
import { importCsv, type ImportReport } from '../imports/import-csv.js';
import { CSV_HEADERS, csvDate, toCsv } from '../imports/csv-writer.js';
import { ensureMunicipality } from './municipalities.js';

/** Demo staff e-mail of a municipality (PROTOCOL.md "Demo material"). */
export const demoStaffEmail = (code: string): string => `demo-${code}@example.lg.jp`;

/**
 * Seeds the demo (idempotent): the cast's municipalities (certs/demo-cast.ts) with their 問合せ先,
 * its residents, doses, counter/app overseas issuances and passports through the CSV import path, and one demo staff account per municipality
 * when `demoPassword` is given. Residents already registered are left alone, so a restart never
 * undoes what staff changed through the portal (a cleared flag stays cleared, and so on).
 */
export async function seedDemo(deps: VrsDeps, options: { demoPassword?: string } = {}): Promise<void> {
  for (const m of demoMunicipalities) await ensureMunicipality(deps.db, deps.keys.master, m);
  for (const m of demoMunicipalities) {
    const cast = demoResidents.flatMap((p) => p.records.filter((r) => r.municipality === m.code).map((r) => ({ p, r })));
    const existing = await withMunicipality(deps.db, m.code, async (tx) => {
      const { rows } = await tx.query<{ atena_number: string }>('SELECT atena_number FROM residents WHERE atena_number = ANY($1::text[])', [
        cast.map((c) => c.r.atenaNumber),
      ]);
      return new Set(rows.map((r) => r.atena_number));
    });
    const missing = cast.filter((c) => !existing.has(c.r.atenaNumber));
    if (missing.length) {
      const residents = toCsv(
        CSV_HEADERS.residents,
        missing.map(({ p, r }) => [
          r.atenaNumber,
          p.myNumber,
          p.familyName,
          p.givenName,
          p.familyNameKana,
          p.givenNameKana,
          csvDate(p.birthDate),
          p.sex,
          r.ticketNumber,
          r.flag ?? '',
        ]),
      );
      const vaccinations = toCsv(
        CSV_HEADERS.vaccinations,
        missing.flatMap(({ r }) =>
          r.doses.map((d) => [r.atenaNumber, d.dose, csvDate(d.date), d.vaccineType, d.maker, d.product, d.lot, d.amount, d.venue, d.municipalityCode]),
        ),
      );
      const withPassport = missing.filter((c) => c.r.passport);
      const passports = toCsv(
        CSV_HEADERS.passports,
        withPassport.map(({ r }) => [r.atenaNumber, r.passport!.nameRoman, r.passport!.nationality, r.passport!.passportNumber, r.passport!.otherName ?? '']),
      );
      const issuances = toCsv(
        CSV_HEADERS['overseas-issuances'],
        missing.flatMap(({ r }) =>
          (r.overseasIssuances ?? []).map((i) => [
            r.atenaNumber,
            i.channel === 'counter' ? '窓口' : 'アプリ',
            csvDate(i.issuedOn),
            i.nameRoman,
            i.nationality,
            i.passportNumber,
            i.otherName ?? '',
            '',
          ]),
        ),
      );
      expectOk(await importCsv(deps, m.code, 'residents', Buffer.from(residents)));
      expectOk(await importCsv(deps, m.code, 'vaccinations', Buffer.from(vaccinations)));
      // Issuances first: the passport CSV after them sets the passport on file (a new one, for a
      // resident whose passport changed since the last counter issuance).
      if (missing.some((c) => c.r.overseasIssuances?.length)) expectOk(await importCsv(deps, m.code, 'overseas-issuances', Buffer.from(issuances)));
      if (withPassport.length) expectOk(await importCsv(deps, m.code, 'passports', Buffer.from(passports)));
    }
    if (options.demoPassword) await seedDemoStaff(deps, m.code, options.demoPassword);
  }
  deps.log.info({ municipalities: demoMunicipalities.length }, 'demo data seeded');
}

/** Creates the municipality's demo staff account unless it exists (the password is not reset). */
export async function seedDemoStaff(deps: VrsDeps, code: string, password: string): Promise<void> {
  const email = demoStaffEmail(code);
  const { rows } = await deps.db.query('SELECT 1 FROM staff WHERE email = $1', [email]);
  if (rows.length) return;
  const hash = await hashPassword(password);
  await withMunicipality(deps.db, code, (tx) =>
    tx.query('INSERT INTO staff (id, municipality_code, email, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING', [
      randomUUID(),
      code,
      email,
      hash,
    ]),
  );
}

function expectOk(report: ImportReport): void {
  if (!report.ok) {
    throw new Error(`demo seed: ${report.kind} import refused: ${report.errors.map((e) => `line ${e.row} ${e.column ?? ''} ${e.code}`).join('; ')}`);
  }
}
