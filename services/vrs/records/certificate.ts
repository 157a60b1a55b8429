import { InternalError } from '../../common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../common/record-errors.js';
import { CertificateDataError } from '../../certificate/errors.js';
import { jstParts } from '../../common/clock.js';
import type { CertificateKind, CertificateRecord, Dose } from '../../common/lgwan-contract.js';
import { withMunicipality, type Queryable } from '../db/database.js';
import { myNumberHmac } from '../crypto/my-number.js';
import type { VrsDeps } from '../deps.js';
import { dataKeyFor } from '../crypto/data-keys.js';
import { decryptPassportNumber, encryptPassportNumber } from '../crypto/passport-number.js';
import { newCertificateId } from './certificate-id.js';
import { holderAt, isIssuableFlag } from './holder-records.js';

/**
 * Builds the data of one certificate and reserves its certificate ID: a row in
 * certificate_issuances (status 'reserved', source = the record returned) that the completion
 * notice later marks 'issued'.
 * @throws 404 ERR_NO_RECORDS; 422 ERR_MUNICIPALITY_UNAVAILABLE (not participating or suspended),
 * ERR_NOT_ISSUABLE (died / removed), ERR_NO_PASSPORT_ON_FILE (overseas without passport data),
 * ERR_CERTIFICATE_DATA (registration lacks name or birth date).
 */
export async function reserveCertificate(
  deps: VrsDeps,
  request: { myNumber: string; municipality: string; kind: CertificateKind; channel?: 'kiosk' },
): Promise<CertificateRecord> {
  const hmac = myNumberHmac(deps.keys.lookup, request.myNumber);
  const code = request.municipality;
  return withMunicipality(deps.db, code, async (tx) => {
    const { municipality: m, records: rec } = await holderAt(tx, code, hmac);
    if (!m || !rec || rec.doses === 0) throw new NoRecordsError('This municipality holds no records for this holder');
    if (!m.participates) throw new MunicipalityUnavailableError('The municipality does not take part in kiosk issuance', 'not_participating');
    if (m.suspended) throw new MunicipalityUnavailableError('The municipality has suspended kiosk issuance', 'suspended');
    if (!isIssuableFlag(rec.flag)) throw new NotIssuableError('The records cannot be issued (resident flagged deceased or removed)');
    if (request.kind === 'overseas' && !rec.hasPassport) throw new NoPassportOnFileError('No passport data on file for an overseas certificate');

    const dataKey = await dataKeyFor(tx, deps.keys.master, code);
    const record = await buildRecord(tx, { ...m }, rec.atenaNumber, request.kind, deps.clock.now(), dataKey);
    for (let attempt = 0; attempt < 5; attempt++) {
      const certificateId = newCertificateId();
      const full: CertificateRecord = { ...record, certificateId };
      // ON CONFLICT on the primary key sees every municipality's IDs, whatever RLS hides.
      const r = await tx.query(
        `INSERT INTO certificate_issuances (certificate_id, municipality_code, atena_number, kind, channel, status, source)
         VALUES ($1, $2, $3, $4, $5, 'reserved', $6::jsonb) ON CONFLICT (certificate_id) DO NOTHING`,
        [certificateId, code, rec.atenaNumber, request.kind, request.channel ?? 'kiosk', JSON.stringify(sealedSource(full, dataKey, rec.atenaNumber))],
      );
      if (r.rowCount === 1) return full;
    }
    throw new InternalError('Could not reserve a unique certificate ID');
  });
}

async function buildRecord(
  tx: Queryable,
  m: { code: string; name: string },
  atena: string,
  kind: CertificateKind,
  now: Date,
  dataKey: Buffer,
): Promise<Omit<CertificateRecord, 'certificateId'>> {
  const {
    rows: [p],
  } = await tx.query<{
    family_name: string | null;
    given_name: string | null;
    family_kana: string | null;
    given_kana: string | null;
    birth_date: string | null;
    sex: string | null;
  }>("SELECT family_name, given_name, family_kana, given_kana, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, sex FROM residents WHERE atena_number = $1", [
    atena,
  ]);
  if (!p || !p.family_name || !p.birth_date)
    throw new CertificateDataError('registration', 'The registration lacks the name or birth date a certificate needs');
  const { rows: doseRows } = await tx.query<{
    dose: number;
    date: string;
    vaccine_type: string;
    maker: string;
    product: string;
    lot: string;
    amount: string | null;
    vmc: string | null;
  }>(
    `SELECT dose, to_char(vaccinated_on, 'YYYY-MM-DD') AS date, vaccine_type, maker, product, lot, amount, vaccination_municipality_code AS vmc
       FROM vaccinations WHERE atena_number = $1 ORDER BY dose`,
    [atena],
  );
  const doses: Dose[] = doseRows.map((d) => ({
    dose: Number(d.dose),
    date: d.date,
    vaccineType: d.vaccine_type,
    maker: d.maker,
    product: d.product,
    lot: d.lot,
    ...(d.amount ? { amount: d.amount } : {}),
    ...(d.vmc ? { municipalityCode: d.vmc } : {}),
  }));
  const familyName = p.family_name;
  const givenName = p.given_name ?? '';
  const kana = [p.family_kana, p.given_kana].filter(Boolean).join('\u3000');
  let passport: CertificateRecord['person']['passport'];
  if (kind === 'overseas') {
    const {
      rows: [pp],
    } = await tx.query<{
      name_roman: string;
      nationality: string;
      passport_number: string | null;
      passport_number_enc: Uint8Array | null;
      other_name: string | null;
    }>('SELECT name_roman, nationality, passport_number, passport_number_enc, other_name FROM passports WHERE atena_number = $1', [atena]);
    if (!pp) throw new NoPassportOnFileError('No passport data on file for an overseas certificate');
    // Sealed at rest; a row from before migration 007 that the start-up sealing has not reached yet is read as it is.
    const passportNumber = pp.passport_number_enc
      ? decryptPassportNumber(dataKey, m.code, atena, Buffer.from(pp.passport_number_enc))
      : (pp.passport_number ?? '');
    passport = { nameRoman: pp.name_roman, nationality: pp.nationality, passportNumber, ...(pp.other_name ? { otherName: pp.other_name } : {}) };
  }
  const sex = (p.sex?.trim() || '0') as CertificateRecord['person']['sex'];
  return {
    kind,
    issuedOn: jstParts(now).date,
    issuer: { code: m.code, name: m.name },
    person: {
      name: givenName ? `${familyName}\u3000${givenName}` : familyName,
      familyName,
      givenName,
      ...(kana ? { nameKana: kana } : {}),
      birthDate: p.birth_date,
      sex,
      ...(passport ? { passport } : {}),
    },
    doses,
  };
}

/**
 * The record as kept in certificate_issuances.source: the passport number sealed (as
 * `passportNumberEnc`, hex), never in the clear.
 */
export function sealedSource(record: CertificateRecord, dataKey: Buffer, atena: string): unknown {
  const p = record.person.passport;
  if (!p) return record;
  const { passportNumber, ...rest } = p;
  return {
    ...record,
    person: {
      ...record.person,
      passport: { ...rest, passportNumberEnc: encryptPassportNumber(dataKey, record.issuer.code, atena, passportNumber).toString('hex') },
    },
  };
}
