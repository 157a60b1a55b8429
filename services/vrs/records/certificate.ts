import { InternalError } from '../../common/errors.js';
import { MunicipalityUnavailableError, NoPassportOnFileError, NoRecordsError, NotIssuableError } from '../../common/record-errors.js';
import { CertificateDataError } from '../../certificate/errors.js';
import { jstParts } from '../../common/clock.js';
import type { CertificateKind, CertificateRecord, Dose, OverseasDetail } from '../../common/lgwan-contract.js';
import { withMunicipality, type Queryable } from '../db/database.js';
import { myNumberHmac } from '../crypto/my-number.js';
import type { VrsDeps } from '../deps.js';
import { dataKeyFor } from '../crypto/data-keys.js';
import { encryptPassportNumber } from '../crypto/passport-number.js';
import { newCertificateId } from './certificate-id.js';
import { holderAt, isIssuableFlag } from './holder-records.js';
import { overseasSource } from './overseas-source.js';

/**
 * Builds the data of one certificate and reserves its certificate ID: a row in
 * certificate_issuances (status 'reserved', source = the record returned) that the completion
 * notice later marks 'issued'.
 * @throws 404 ERR_NO_RECORDS; 422 ERR_MUNICIPALITY_UNAVAILABLE (not participating or suspended),
 * ERR_NOT_ISSUABLE (died / removed), ERR_NO_PASSPORT_ON_FILE (overseas without a qualifying counter or
 * app issuance, records/overseas-source.ts; `overseasDetail` says why),
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
    if (request.kind === 'overseas' && !rec.hasPassport) {
      throw new NoPassportOnFileError('No passport data on file for an overseas certificate', 'no_passport_on_file');
    }

    const dataKey = await dataKeyFor(tx, deps.keys.master, code);
    let passport: CertificateRecord['person']['passport'];
    if (request.kind === 'overseas') {
      const source = await overseasSource(tx, code, rec.atenaNumber, dataKey);
      if (!source.ok) throw new NoPassportOnFileError(OVERSEAS_REFUSALS[source.detail], source.detail);
      passport = source.passport;
    }
    const record = await buildRecord(tx, { code: m.code, name: m.name }, rec.atenaNumber, request.kind, deps.clock.now(), passport);
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

const OVERSEAS_REFUSALS: Record<OverseasDetail, string> = {
  no_passport_on_file: 'No passport data on file for an overseas certificate',
  no_counter_issuance: 'No overseas certificate issued at a counter or in the app on or after 2022-07-21',
  passport_changed: 'The passport on file is not the one of the latest counter or app issuance',
};

async function buildRecord(
  tx: Queryable,
  m: { code: string; name: string },
  atena: string,
  kind: CertificateKind,
  now: Date,
  passport: CertificateRecord['person']['passport'],
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
  if (kind === 'overseas' && !passport) throw new TypeError('buildRecord: an overseas record needs its passport data');
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
