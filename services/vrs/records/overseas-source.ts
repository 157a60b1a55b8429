import { OVERSEAS_SOURCE_FROM, type CertificateRecord, type OverseasDetail } from '../../common/lgwan-contract.js';
import { decryptPassportNumber } from '../crypto/passport-number.js';
import type { Queryable } from '../db/database.js';

type Passport = NonNullable<CertificateRecord['person']['passport']>;

/** Where a kiosk's overseas certificate takes its passport data from, or why it cannot. */
export type OverseasSource = { ok: true; passport: Passport; channel: 'counter' | 'app'; issuedOn: string } | { ok: false; detail: OverseasDetail };

interface SealedNumber {
  passport_number: string | null;
  passport_number_enc: Uint8Array | null;
}

/** Sealed at rest; a row the start-up sealing has not reached yet (migrations 007, 009) is read as it is. */
function numberOf(row: SealedNumber, dataKey: Buffer, code: string, atena: string): string {
  return row.passport_number_enc ? decryptPassportNumber(dataKey, code, atena, Buffer.from(row.passport_number_enc)) : (row.passport_number ?? '');
}

/**
 * The rule of kiosk issuance as it ran (DOMAIN.md, "Rules of the service as it ran"): the overseas
 * certificate uses the passport data of the holder's latest overseas certificate issued at a
 * municipal counter or in the app on or after 2022-07-21, and only when its passport number is the
 * one on file. Run inside withMunicipality(code), so row-level security shows that municipality's
 * rows only; `dataKey` is its data key.
 */
export async function overseasSource(tx: Queryable, code: string, atena: string, dataKey: Buffer): Promise<OverseasSource> {
  const {
    rows: [onFile],
  } = await tx.query<SealedNumber>('SELECT passport_number, passport_number_enc FROM passports WHERE municipality_code = $1 AND atena_number = $2', [
    code,
    atena,
  ]);
  if (!onFile) return { ok: false, detail: 'no_passport_on_file' };
  const {
    rows: [latest],
  } = await tx.query<SealedNumber & { channel: 'counter' | 'app'; issued_on: string; name_roman: string; nationality: string; other_name: string | null }>(
    `SELECT channel, to_char(issued_on, 'YYYY-MM-DD') AS issued_on, name_roman, nationality, passport_number, passport_number_enc, other_name
       FROM overseas_issuances
      WHERE municipality_code = $1 AND atena_number = $2 AND issued_on >= $3::date
      ORDER BY issued_on DESC, id DESC LIMIT 1`,
    [code, atena, OVERSEAS_SOURCE_FROM],
  );
  if (!latest) return { ok: false, detail: 'no_counter_issuance' };
  const passportNumber = numberOf(latest, dataKey, code, atena);
  if (passportNumber !== numberOf(onFile, dataKey, code, atena)) return { ok: false, detail: 'passport_changed' };
  return {
    ok: true,
    channel: latest.channel,
    issuedOn: latest.issued_on,
    passport: {
      nameRoman: latest.name_roman,
      nationality: latest.nationality.trim(),
      passportNumber,
      ...(latest.other_name ? { otherName: latest.other_name } : {}),
    },
  };
}
