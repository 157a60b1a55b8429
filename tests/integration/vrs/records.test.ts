import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoMunicipalities, demoResidents } from '../../../certs/demo-cast.js';
import { certificateRecordSchema, lookupResponseSchema, type CompletionNotice } from '../../../services/common/lgwan-contract.js';
import { withMunicipality } from '../../../services/vrs/db/database.js';
import { importCsv } from '../../../services/vrs/imports/import-csv.js';
import { lookupHolder } from '../../../services/vrs/records/lookup.js';
import { reserveCertificate } from '../../../services/vrs/records/certificate.js';
import { recordCompletion } from '../../../services/vrs/records/completion.js';
import { seedDemo, demoStaffEmail } from '../../../services/vrs/seed/demo-seed.js';
import { verifyPassword } from '../../../services/vrs/portal/auth/password.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { csv, snapshot, vrsFixture, type VrsFixture } from './vrs-fixture.js';

const mn = (slug: string) => demoResidents.find((r) => r.slug === slug)!.myNumber;
const contactOf = (code: string) => demoMunicipalities.find((m) => m.code === code)!.contact;

describe.each(DB_KINDS)('lookup, certificate data and completion notices (%s)', (kind) => {
  let f: VrsFixture;
  beforeAll(async () => {
    f = await vrsFixture(kind, inject('databaseUrl'), []);
    await seedDemo(f.deps, { demoPassword: 'demo-password-1' });
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('seeds the demo idempotently, with demo staff whose password verifies', async () => {
    const before = await snapshot(f.db);
    await seedDemo(f.deps, { demoPassword: 'demo-password-1' });
    expect(await snapshot(f.db)).toEqual(before);
    const { rows } = await f.db.query<{ password_hash: string }>('SELECT password_hash FROM staff WHERE email = $1', [demoStaffEmail('162027')]);
    expect(await verifyPassword('demo-password-1', rows[0]!.password_hash)).toBe(true);
    expect(await verifyPassword('wrong', rows[0]!.password_hash)).toBe(false);
  });

  it('lists every municipality holding records, moved-out still issuable by the holding municipality', async () => {
    const res = lookupResponseSchema.parse(await lookupHolder(f.deps, mn('sato-hanako')));
    expect(res.municipalities).toEqual([
      { code: '122246', name: '鎌ケ谷市', participates: true, suspended: false, domestic: true, overseas: true, contact: contactOf('122246') },
      { code: '162027', name: '高岡市', participates: true, suspended: false, domestic: true, overseas: true, contact: contactOf('162027') },
    ]);
    const record = await reserveCertificate(f.deps, { myNumber: mn('sato-hanako'), municipality: '162027', kind: 'overseas' });
    expect(record.issuer).toEqual({ code: '162027', name: '高岡市' });
    expect(record.doses.map((d) => d.dose)).toEqual([1, 2]);
  });

  it('answers a domestic-only entry when no passport is on file', async () => {
    const res = await lookupHolder(f.deps, mn('yamada-taro'));
    expect(res.municipalities).toEqual([
      {
        code: '131016',
        name: '千代田区',
        participates: true,
        suspended: false,
        domestic: true,
        overseas: false,
        overseasUnavailableReason: 'no_passport_on_file',
        overseasDetail: 'no_passport_on_file',
        contact: contactOf('131016'),
      },
    ]);
    await expect(reserveCertificate(f.deps, { myNumber: mn('yamada-taro'), municipality: '131016', kind: 'overseas' })).rejects.toMatchObject({
      code: 'ERR_NO_PASSPORT_ON_FILE',
      status: 422,
    });
  });

  it('refuses a resident flagged deceased', async () => {
    const res = await lookupHolder(f.deps, mn('takahashi-misaki'));
    expect(res.municipalities[0]).toMatchObject({ domestic: false, overseas: false, unavailableReason: 'not_issuable' });
    await expect(reserveCertificate(f.deps, { myNumber: mn('takahashi-misaki'), municipality: '131016', kind: 'domestic' })).rejects.toMatchObject({
      code: 'ERR_NOT_ISSUABLE',
      status: 422,
    });
  });

  it('refuses a municipality that does not take part', async () => {
    const res = await lookupHolder(f.deps, mn('tanaka-ken'));
    expect(res.municipalities[0]).toMatchObject({ code: '011002', participates: false, domestic: false, unavailableReason: 'not_participating' });
    await expect(reserveCertificate(f.deps, { myNumber: mn('tanaka-ken'), municipality: '011002', kind: 'domestic' })).rejects.toMatchObject({
      code: 'ERR_MUNICIPALITY_UNAVAILABLE',
      status: 422,
    });
  });

  it('refuses a municipality that has suspended its service, and issues again once resumed', async () => {
    const set = (v: boolean) => withMunicipality(f.db, '122246', (tx) => tx.query('UPDATE municipalities SET suspended = $1 WHERE code = $2', [v, '122246']));
    await set(true);
    try {
      const res = await lookupHolder(f.deps, mn('watanabe-sho'));
      expect(res.municipalities[0]).toMatchObject({ suspended: true, domestic: false, unavailableReason: 'suspended' });
      await expect(reserveCertificate(f.deps, { myNumber: mn('watanabe-sho'), municipality: '122246', kind: 'domestic' })).rejects.toMatchObject({
        code: 'ERR_MUNICIPALITY_UNAVAILABLE',
      });
    } finally {
      await set(false);
    }
    expect((await lookupHolder(f.deps, mn('watanabe-sho'))).municipalities[0]).toMatchObject({ domestic: true });
  });

  it('answers ERR_NO_RECORDS for a holder with no records, and for a municipality not holding any', async () => {
    await expect(lookupHolder(f.deps, mn('kobayashi-jun'))).rejects.toMatchObject({ code: 'ERR_NO_RECORDS', status: 404 });
    await expect(reserveCertificate(f.deps, { myNumber: mn('yamada-taro'), municipality: '162027', kind: 'domestic' })).rejects.toMatchObject({
      code: 'ERR_NO_RECORDS',
      status: 404,
    });
  });

  it('a cancelled deceased flag (9) makes the records issuable again', async () => {
    await importCsv(f.deps, '131016', 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000003,9'));
    expect((await lookupHolder(f.deps, mn('takahashi-misaki'))).municipalities[0]).toMatchObject({ domestic: true });
    await importCsv(f.deps, '131016', 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000003,2'));
    expect((await lookupHolder(f.deps, mn('takahashi-misaki'))).municipalities[0]).toMatchObject({ domestic: false, unavailableReason: 'not_issuable' });
  });

  it('builds the certificate record and reserves a unique random certificate ID', async () => {
    const r = certificateRecordSchema.parse(await reserveCertificate(f.deps, { myNumber: mn('nakamura-yuko'), municipality: '162027', kind: 'overseas' }));
    expect(r.certificateId).toMatch(/^[A-Z0-9]{12}$/);
    expect(r.issuedOn).toBe('2024-03-01');
    expect(r.person).toEqual({
      name: '中村\u3000優子',
      familyName: '中村',
      givenName: '優子',
      nameKana: 'ナカムラ\u3000ユウコ',
      birthDate: '1962-09-18',
      sex: '2',
      passport: { nameRoman: 'NAKAMURA YUKO', nationality: 'JPN', passportNumber: 'TR0011223', otherName: '旧姓 木村' },
    });
    expect(r.doses.map((d) => d.dose)).toEqual([1, 2, 3, 4, 5]);
    expect(r.doses[3]).toEqual({
      dose: 4,
      date: '2022-06-06',
      vaccineType: 'mRNA',
      maker: 'モデルナ',
      product: 'スパイクバックス筋注',
      lot: '000152A',
      amount: '0.25',
      municipalityCode: '162027',
    });
    const domestic = await reserveCertificate(f.deps, { myNumber: mn('nakamura-yuko'), municipality: '162027', kind: 'domestic' });
    expect(domestic.person.passport).toBeUndefined();
    expect(domestic.certificateId).not.toBe(r.certificateId);
    const { rows } = await withMunicipality(f.db, '162027', (tx) =>
      tx.query<{ status: string; source: { certificateId: string } }>('SELECT status, source FROM certificate_issuances WHERE certificate_id = $1', [
        r.certificateId,
      ]),
    );
    expect(rows[0]).toMatchObject({ status: 'reserved', source: { certificateId: r.certificateId } });
  });

  it('records a completion notice once: a repeat is a duplicate and leaves one issuance', async () => {
    const r = await reserveCertificate(f.deps, { myNumber: mn('suzuki-ichiro'), municipality: '131016', kind: 'domestic' });
    const notice: CompletionNotice = {
      certificateId: r.certificateId,
      municipality: '131016',
      kind: 'domestic',
      copies: 2,
      fee: 240,
      kioskId: 'KIOSK-0001',
      storeId: 'STORE-TOKYO-001',
      issuedAt: '2024-03-01T10:00:00+09:00',
    };
    expect(await recordCompletion(f.deps, notice)).toEqual({ certificateId: r.certificateId, status: 'recorded' });
    expect(await recordCompletion(f.deps, notice)).toEqual({ certificateId: r.certificateId, status: 'duplicate' });
    const both = await Promise.all([recordCompletion(f.deps, notice), recordCompletion(f.deps, notice)]);
    expect(both.map((b) => b.status)).toEqual(['duplicate', 'duplicate']);
    const { rows } = await f.db.query<{ status: string; copies: number; fee: number; kiosk_id: string }>(
      'SELECT status, copies, fee, kiosk_id FROM certificate_issuances WHERE certificate_id = $1',
      [r.certificateId],
    );
    expect(rows).toEqual([{ status: 'issued', copies: 2, fee: 240, kiosk_id: 'KIOSK-0001' }]);
    expect((await f.db.query('SELECT 1 FROM completion_notices WHERE certificate_id = $1', [r.certificateId])).rows).toHaveLength(1);
  });

  it('records concurrent first notices exactly once', async () => {
    const r = await reserveCertificate(f.deps, { myNumber: mn('yamada-taro'), municipality: '131016', kind: 'domestic' });
    const notice: CompletionNotice = {
      certificateId: r.certificateId,
      municipality: '131016',
      kind: 'domestic',
      copies: 1,
      fee: 120,
      kioskId: 'KIOSK-0001',
      storeId: 'STORE-TOKYO-001',
      issuedAt: '2024-03-01T10:00:00+09:00',
    };
    const acks = await Promise.all(Array.from({ length: 4 }, () => recordCompletion(f.deps, notice)));
    expect(acks.filter((a) => a.status === 'recorded')).toHaveLength(1);
  });

  it('answers 404 for an unknown certificate ID and for a notice naming another municipality', async () => {
    const base = { municipality: '131016', kind: 'domestic', copies: 1, fee: 120, kioskId: 'K', storeId: 'S', issuedAt: '2024-03-01T10:00:00+09:00' } as const;
    await expect(recordCompletion(f.deps, { ...base, certificateId: 'NOSUCHCERT01' })).rejects.toMatchObject({ status: 404 });
    const r = await reserveCertificate(f.deps, { myNumber: mn('yamada-taro'), municipality: '131016', kind: 'domestic' });
    await expect(recordCompletion(f.deps, { ...base, certificateId: r.certificateId, municipality: '162027' })).rejects.toMatchObject({ status: 404 });
    const { rows } = await f.db.query<{ status: string }>('SELECT status FROM certificate_issuances WHERE certificate_id = $1', [r.certificateId]);
    expect(rows[0]!.status).toBe('reserved');
  });
});
