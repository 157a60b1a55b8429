import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality } from '../../../services/vrs/db/database.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { addIssuance, addStaff, loggedIn, portalFixture, TOWN_A, TOWN_B, type PortalFixture } from './portal-fixture.js';

const contactRow = async (f: PortalFixture, code: string) =>
  (
    await f.db.query<{ contact_office: string | null; contact_phone: string | null }>(
      'SELECT contact_office, contact_phone FROM municipalities WHERE code = $1',
      [code],
    )
  ).rows[0]!;

/** Issue 18: the 問合せ先 each municipality edits, and the issuance log of every channel. */
describe.each(DB_KINDS)('portal 問合せ先 and issuance channels (%s)', (kind) => {
  let f: PortalFixture;
  let a: Awaited<ReturnType<typeof loggedIn>>;
  let b: Awaited<ReturnType<typeof loggedIn>>;
  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
    a = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    b = await loggedIn(f, (await addStaff(f.db, TOWN_B.code)).email);
  });
  afterAll(async () => {
    await f?.close();
  });

  it("changes its own municipality's 問合せ先 only, and audits it", async () => {
    const put = (s: typeof a, body: object) => s.agent.put('/api/v1/service/contact').set('X-CSRF-Token', s.csrf).send(body);
    const res = await put(a, { office: ' 千代田区 保健所 健康推進課 ', phone: '03-5211-0001' }).expect(200);
    expect(res.body).toEqual({ contact: { office: '千代田区 保健所 健康推進課', phone: '03-5211-0001' } });
    expect(await contactRow(f, TOWN_A.code)).toEqual({ contact_office: '千代田区 保健所 健康推進課', contact_phone: '03-5211-0001' });
    expect(await contactRow(f, TOWN_B.code)).toEqual({ contact_office: null, contact_phone: null });
    expect((await a.agent.get('/api/v1/service').expect(200)).body.contact).toEqual({ office: '千代田区 保健所 健康推進課', phone: '03-5211-0001' });
    expect((await b.agent.get('/api/v1/service').expect(200)).body.contact).toBeNull();

    await put(b, { office: '高岡市 健康増進課', phone: '0766-20-1234' }).expect(200);
    expect((await contactRow(f, TOWN_A.code)).contact_phone).toBe('03-5211-0001');
    // Row-level security: staff of B cannot reach A's row even with SQL of their own.
    const r = await withMunicipality(f.db, TOWN_B.code, (tx) => tx.query("UPDATE municipalities SET contact_phone = '000' WHERE code = $1", [TOWN_A.code]));
    expect(r.rowCount).toBe(0);

    const auditA = (await a.agent.get('/api/v1/audit').expect(200)).body.items as Array<{ action: string; detail: Record<string, unknown> }>;
    expect(auditA[0]).toMatchObject({
      action: 'service.contact',
      detail: { office: '千代田区 保健所 健康推進課', phone: '03-5211-0001', officeChanged: true, phoneChanged: true },
    });
    const auditB = (await b.agent.get('/api/v1/audit').expect(200)).body.items as Array<{ action: string; detail: Record<string, unknown> }>;
    expect(auditB.filter((e) => e.action === 'service.contact').map((e) => e.detail.phone)).toEqual(['0766-20-1234']);
  });

  it('refuses a bad telephone number or office with a coded error, and a write without the CSRF token', async () => {
    for (const phone of ['0766201234', '766-20-1234', '0766-20-12345', '03-1234-567', '0766-20-1234 内線5', '090-1234-56789', '']) {
      const res = await a.agent.put('/api/v1/service/contact').set('X-CSRF-Token', a.csrf).send({ office: '千代田区 健康推進課', phone }).expect(400);
      expect(res.body).toMatchObject({ code: 'ERR_BAD_REQUEST', fields: ['phone'] });
    }
    for (const phone of ['090-1234-5678', '0120-123-456']) {
      await a.agent.put('/api/v1/service/contact').set('X-CSRF-Token', a.csrf).send({ office: '千代田区 健康推進課', phone }).expect(200);
    }
    const office = await a.agent.put('/api/v1/service/contact').set('X-CSRF-Token', a.csrf).send({ office: '  ', phone: '03-5211-0001' }).expect(400);
    expect(office.body).toMatchObject({ code: 'ERR_BAD_REQUEST', fields: ['office'] });
    const csrf = await a.agent.put('/api/v1/service/contact').send({ office: '千代田区', phone: '03-5211-0001' }).expect(403);
    expect(csrf.body.code).toBe('ERR_CSRF');
    expect((await contactRow(f, TOWN_A.code)).contact_phone).toBe('0120-123-456');
  });

  it('lists kiosk, counter and app issuances in the log and its CSV, own municipality only', async () => {
    const atena = '100000000000077';
    const residents = `個別宛名番号,マイナンバー,氏名（姓）,氏名（名）,生年月日\n${atena},,試験,花子,19900101\n`;
    await a.agent.post('/api/v1/imports/residents').set('X-CSRF-Token', a.csrf).type('text/csv').send(residents).expect(200);
    const kioskId = await addIssuance(f.db, TOWN_A.code, { atenaNumber: atena, kind: 'overseas', issuedAt: '2026-06-10T05:00:00Z' });
    await addIssuance(f.db, TOWN_B.code, { issuedAt: '2026-06-10T05:00:00Z' });
    const file = `個別宛名番号,交付方法,交付日,ローマ字氏名,国籍,旅券番号,旧姓・別姓・別名,証明書ID\n${atena},窓口,20260609,SHIKEN HANAKO,JPN,TK7777777,,C0000001\n${atena},アプリ,20260611,SHIKEN HANAKO,JPN,TK7777777,,\n`;
    const imported = await a.agent.post('/api/v1/imports/overseas-issuances').set('X-CSRF-Token', a.csrf).type('text/csv').send(file).expect(200);
    expect(imported.body).toMatchObject({ ok: true, kind: 'overseas-issuances', rows: 2, inserted: 2 });

    const log = await a.agent.get('/api/v1/issuances?from=2026-06-01&to=2026-06-15').expect(200);
    expect(log.body.total).toBe(3);
    expect(log.body.totals).toEqual({ copies: 1, fee: 120 });
    expect(log.body.items).toEqual([
      {
        certificateId: null,
        atenaNumber: atena,
        kind: 'overseas',
        channel: 'app',
        copies: null,
        fee: null,
        kioskId: null,
        storeId: null,
        issuedAt: '2026-06-11T00:00:00.000+09:00',
      },
      expect.objectContaining({ certificateId: kioskId, channel: 'kiosk', copies: 1, fee: 120, kioskId: 'K-0001' }),
      expect.objectContaining({ certificateId: 'C0000001', channel: 'counter', issuedAt: '2026-06-09T00:00:00.000+09:00' }),
    ]);
    // The JST day of a counter issuance decides the period it falls in.
    const day = await a.agent.get('/api/v1/issuances?from=2026-06-09&to=2026-06-09').expect(200);
    expect((day.body.items as Array<{ channel: string }>).map((i) => i.channel)).toEqual(['counter']);

    const csv = await a.agent.get('/api/v1/issuances.csv?from=2026-06-01&to=2026-06-15').expect(200);
    const rows = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r['交付方法'])).toEqual(['app', 'kiosk', 'counter']);
    expect(JSON.stringify(rows)).not.toContain('TK7777777');

    const other = await b.agent.get('/api/v1/issuances?from=2026-06-01&to=2026-06-15').expect(200);
    expect((other.body.items as Array<{ channel: string }>).map((i) => i.channel)).toEqual(['kiosk']);
  });
});
