import iconv from 'iconv-lite';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality } from '../../../services/vrs/db/database.js';
import { withMyNumberCheckDigit } from '../../../services/common/check-digits.js';
import { CSV_HEADERS, toCsv } from '../../../services/vrs/imports/csv-writer.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { addStaff, loggedIn, portalFixture, TOWN_A, TOWN_B, type PortalFixture } from './portal-fixture.js';

describe.each(DB_KINDS)('portal CSV imports (%s)', (kind) => {
  let f: PortalFixture;
  let a: Awaited<ReturnType<typeof loggedIn>>;
  const people = testResidents(6);
  const csv = testCsv(people);

  const residentCount = (code: string): Promise<number> =>
    withMunicipality(f.db, code, async (tx) => Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM residents')).rows[0]!.n));

  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
    a = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('imports residents, vaccinations and passports into its own municipality and reports counts', async () => {
    const res = await a.agent.post('/api/v1/imports/residents').set('X-CSRF-Token', a.csrf).type('text/csv').send(csv.residents).expect(200);
    expect(res.body).toMatchObject({ ok: true, kind: 'residents', encoding: 'utf-8', rows: 6, inserted: 6, updated: 0, errors: [] });
    const doses = csv.vaccinations.trim().split('\r\n').length - 1;
    const vac = await a.agent
      .post('/api/v1/imports/vaccinations')
      .set('X-CSRF-Token', a.csrf)
      .type('application/octet-stream')
      .send(Buffer.from(csv.vaccinations))
      .expect(200);
    expect(vac.body).toMatchObject({ ok: true, kind: 'vaccinations', rows: doses, inserted: doses });
    const passports = people.filter((p) => p.passport).length;
    const pass = await a.agent.post('/api/v1/imports/passports').set('X-CSRF-Token', a.csrf).type('text/csv').send(csv.passports).expect(200);
    expect(pass.body).toMatchObject({ ok: true, kind: 'passports', rows: passports });
    expect(await residentCount(TOWN_A.code)).toBe(6);
    expect(await residentCount(TOWN_B.code)).toBe(0);
  });

  it('takes Shift_JIS files', async () => {
    const res = await a.agent
      .post('/api/v1/imports/residents')
      .set('X-CSRF-Token', a.csrf)
      .type('text/csv')
      .send(iconv.encode(csv.residents, 'Shift_JIS'))
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, encoding: 'shift_jis', rows: 6, inserted: 0, updated: 6 });
  });

  it('answers 422 with the report and changes nothing when a row is bad', async () => {
    const lines = csv.residents.split('\r\n');
    const extra = people[0]!;
    // a new resident whose My Number fails its check digit
    const badMyNumber = `${extra.myNumber.slice(0, 11)}${(Number(extra.myNumber[11]) + 1) % 10}`;
    lines.splice(lines.length - 1, 0, ['999999999999999', badMyNumber, '試験', '太郎', 'シケン', 'タロウ', '19800101', '1', '', ''].join(','));
    const res = await a.agent.post('/api/v1/imports/residents').set('X-CSRF-Token', a.csrf).type('text/csv').send(lines.join('\r\n')).expect(422);
    expect(res.body.ok).toBe(false);
    expect(res.body.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toContain(badMyNumber);
    expect(await residentCount(TOWN_A.code)).toBe(6);
  });

  it('refuses other media types, missing CSRF tokens and anonymous uploads', async () => {
    const json = await a.agent.post('/api/v1/imports/residents').set('X-CSRF-Token', a.csrf).send({ rows: [] }).expect(415);
    expect(json.body.code).toBe('ERR_UNSUPPORTED_MEDIA_TYPE');
    await a.agent.post('/api/v1/imports/residents').type('text/csv').send(csv.residents).expect(403);
    await supertest(f.app).post('/api/v1/imports/residents').type('text/csv').send(csv.residents).expect(401);
  });

  it('refuses a body over the limit', async () => {
    const small = await portalFixture(kind, inject('databaseUrl'), { importLimitBytes: 1024 });
    try {
      const s = await loggedIn(small, (await addStaff(small.db, TOWN_A.code)).email);
      const r = await s.agent.post('/api/v1/imports/residents').set('X-CSRF-Token', s.csrf).type('text/csv').send('x'.repeat(4096)).expect(413);
      expect(r.body.code).toBe('ERR_BODY_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('audits every import with counts and no values', async () => {
    const audit = await a.agent.get('/api/v1/audit?pageSize=500').expect(200);
    const imports = (audit.body.items as Array<{ action: string; detail: Record<string, unknown> }>).filter((e) => e.action === 'import');
    expect(imports.map((e) => [e.detail.kind, e.detail.ok])).toEqual([
      ['residents', false],
      ['residents', true],
      ['passports', true],
      ['vaccinations', true],
      ['residents', true],
    ]);
    expect(imports[0]!.detail).toMatchObject({ rows: 7, inserted: 0, updated: 0, errors: expect.any(Number) });
    const text = JSON.stringify(audit.body);
    for (const p of people) {
      expect(text).not.toContain(p.myNumber);
      expect(text).not.toContain(p.familyName);
      expect(text).not.toContain(p.atenaNumber);
    }
  });
});

interface TestResident {
  atenaNumber: string;
  myNumber: string;
  familyName: string;
  passport: boolean;
}

/** Fictional residents with valid My Numbers (random, so suites on one server never collide). */
function testResidents(n: number): TestResident[] {
  const names = ['試験', '見本', '仮名', '架空', '例示', '模擬'];
  return Array.from({ length: n }, (_, i) => ({
    atenaNumber: `7${String(i + 1).padStart(14, '0')}`,
    myNumber: withMyNumberCheckDigit(String(Math.floor(Math.random() * 1e11)).padStart(11, '0')),
    familyName: `${names[i % names.length]}${i}`,
    passport: i % 2 === 0,
  }));
}

function testCsv(people: TestResident[]): { residents: string; vaccinations: string; passports: string } {
  return {
    residents: toCsv(
      CSV_HEADERS.residents,
      people.map((p) => [p.atenaNumber, p.myNumber, p.familyName, '花子', 'シケン', 'ハナコ', '19800401', '2', '', '']),
    ),
    vaccinations: toCsv(
      CSV_HEADERS.vaccinations,
      people.flatMap((p) =>
        [1, 2].map((dose) => [
          p.atenaNumber,
          dose,
          dose === 1 ? '20210601' : '2021/06/22',
          'mRNA',
          'ファイザー',
          'コミナティ筋注',
          `FA${dose}000`,
          '0.3',
          '集団接種会場',
          '131016',
        ]),
      ),
    ),
    passports: toCsv(
      CSV_HEADERS.passports,
      people.filter((p) => p.passport).map((p) => [p.atenaNumber, 'SHIKEN HANAKO', 'JPN', `TZ${p.atenaNumber.slice(-7)}`, '']),
    ),
  };
}
