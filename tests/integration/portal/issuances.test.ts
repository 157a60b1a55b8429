import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { addIssuance, addStaff, loggedIn, portalFixture, TOWN_A, TOWN_B, type PortalFixture } from './portal-fixture.js';

interface Item {
  certificateId: string;
  atenaNumber: string;
  kind: string;
  channel: string;
  copies: number;
  fee: number;
  kioskId: string;
  storeId: string;
  issuedAt: string;
}

describe.each(DB_KINDS)('portal issuance log (%s)', (kind) => {
  let f: PortalFixture;
  let a: Awaited<ReturnType<typeof loggedIn>>;
  let b: Awaited<ReturnType<typeof loggedIn>>;
  const ownIds: string[] = [];
  const otherIds: string[] = [];
  let emailA: string;

  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
    // Town A: 12 issued certificates over three JST days, one reserved (not yet issued) row.
    // 2026-06-01 23:30 JST is 14:30 UTC the same day; 2026-06-02 00:30 JST is 15:30 UTC on 06-01.
    const times = [
      ...Array.from({ length: 5 }, (_, i) => `2026-06-01T${String(1 + i).padStart(2, '0')}:00:00Z`),
      '2026-06-01T14:30:00Z',
      '2026-06-01T15:30:00Z',
      ...Array.from({ length: 5 }, (_, i) => `2026-06-03T${String(1 + i).padStart(2, '0')}:00:00Z`),
    ];
    for (const [i, t] of times.entries()) {
      ownIds.push(await addIssuance(f.db, TOWN_A.code, { issuedAt: t, copies: 1 + (i % 3), kind: i % 4 === 0 ? 'overseas' : 'domestic' }));
    }
    await addIssuance(f.db, TOWN_A.code, { issuedAt: '2026-06-01T02:00:00Z', status: 'reserved' });
    for (const t of ['2026-06-01T03:00:00Z', '2026-06-02T03:00:00Z', '2026-06-03T03:00:00Z']) {
      otherIds.push(await addIssuance(f.db, TOWN_B.code, { issuedAt: t, atenaNumber: '900000000000009' }));
    }
    emailA = (await addStaff(f.db, TOWN_A.code)).email;
    a = await loggedIn(f, emailA);
    b = await loggedIn(f, (await addStaff(f.db, TOWN_B.code)).email);
  });
  afterAll(async () => {
    await f?.close();
  });

  it("shows only the municipality's own issued certificates, newest first, with totals", async () => {
    const res = await a.agent.get('/api/v1/issuances').expect(200);
    const items = res.body.items as Item[];
    expect(res.body.total).toBe(12);
    expect(items.map((i) => i.certificateId).sort()).toEqual([...ownIds].sort());
    expect(items.some((i) => otherIds.includes(i.certificateId))).toBe(false);
    const times = items.map((i) => Date.parse(i.issuedAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(items[0]).toEqual({
      certificateId: expect.any(String),
      atenaNumber: '100000000000001',
      kind: expect.stringMatching(/^(domestic|overseas)$/),
      channel: 'kiosk',
      copies: expect.any(Number),
      fee: expect.any(Number),
      kioskId: 'K-0001',
      storeId: 'S-0001',
      issuedAt: expect.stringMatching(/\+09:00$/),
    });
    const copies = items.reduce((s, i) => s + i.copies, 0);
    expect(res.body.totals).toEqual({ copies, fee: copies * 120 });

    const other = await b.agent.get('/api/v1/issuances').expect(200);
    expect((other.body.items as Item[]).map((i) => i.certificateId).sort()).toEqual([...otherIds].sort());
  });

  it('pages without gaps or repeats', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await a.agent.get(`/api/v1/issuances?page=${page}&pageSize=5`).expect(200);
      expect(res.body).toMatchObject({ page, pageSize: 5, total: 12 });
      expect(res.body.items).toHaveLength(page < 3 ? 5 : 2);
      seen.push(...(res.body.items as Item[]).map((i) => i.certificateId));
    }
    expect(new Set(seen).size).toBe(12);
    const beyond = await a.agent.get('/api/v1/issuances?page=4&pageSize=5').expect(200);
    expect(beyond.body.items).toEqual([]);
  });

  it('filters by JST calendar days, both ends included', async () => {
    const day1 = await a.agent.get('/api/v1/issuances?from=2026-06-01&to=2026-06-01').expect(200);
    expect(day1.body.total).toBe(6); // 01:00–05:00Z and 14:30Z; 15:30Z is already 06-02 in Japan
    const day2 = await a.agent.get('/api/v1/issuances?from=2026-06-02&to=2026-06-02').expect(200);
    expect(day2.body.total).toBe(1);
    expect(day2.body.items[0].issuedAt).toBe('2026-06-02T00:30:00.000+09:00');
    const from2 = await a.agent.get('/api/v1/issuances?from=2026-06-02').expect(200);
    expect(from2.body.total).toBe(6);
    const to2 = await a.agent.get('/api/v1/issuances?to=2026-06-02').expect(200);
    expect(to2.body.total).toBe(7);
  });

  it('refuses bad dates and paging', async () => {
    for (const q of ['from=2026-02-30', 'to=20260601', 'from=2026-06-03&to=2026-06-01', 'page=0', 'pageSize=1000', 'page=abc']) {
      const res = await a.agent.get(`/api/v1/issuances?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.code).toBe('ERR_BAD_REQUEST');
    }
  });

  it('exports the same rows as CSV: UTF-8 with BOM, Japanese header, CRLF, as an attachment', async () => {
    const json = await a.agent.get('/api/v1/issuances?from=2026-06-01&to=2026-06-03&pageSize=500').expect(200);
    const res = await a.agent
      .get('/api/v1/issuances.csv?from=2026-06-01&to=2026-06-03')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?issuances-131016-2026-06-01-2026-06-03\.csv"?$/);
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe('証明書ID,個別宛名番号,種類,交付方法,部数,手数料,端末ID,店舗ID,交付日時');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    const expected = (json.body.items as Item[]).map((i) => ({
      証明書ID: i.certificateId,
      個別宛名番号: i.atenaNumber,
      種類: i.kind,
      交付方法: i.channel,
      部数: String(i.copies),
      手数料: String(i.fee),
      端末ID: i.kioskId,
      店舗ID: i.storeId,
      交付日時: i.issuedAt,
    }));
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(12);
  });

  it("gives municipality B none of A's rows and none of A's audit entries", async () => {
    const csv = await b.agent.get('/api/v1/issuances.csv').expect(200);
    for (const id of ownIds) expect(csv.text).not.toContain(id);
    const auditA = await a.agent.get('/api/v1/audit').expect(200);
    const auditB = await b.agent.get('/api/v1/audit').expect(200);
    const idsA = new Set((auditA.body.items as Array<{ id: string }>).map((i) => i.id));
    expect(auditA.body.items.length).toBeGreaterThan(0);
    expect(auditB.body.items.length).toBeGreaterThan(0);
    for (const e of auditB.body.items as Array<{ id: string; staffEmail: string }>) {
      expect(idsA.has(e.id)).toBe(false);
      expect(e.staffEmail).not.toBe(emailA);
    }
  });

  it('audits log views and CSV exports with counts only, newest first', async () => {
    await a.agent.get('/api/v1/issuances?from=2026-06-02&to=2026-06-02').expect(200);
    await a.agent.get('/api/v1/issuances.csv?from=2026-06-03&to=2026-06-03').expect(200);
    const audit = await a.agent.get('/api/v1/audit').expect(200);
    const items = audit.body.items as Array<{ action: string; detail: Record<string, unknown>; at: string }>;
    expect(items[0]).toMatchObject({ action: 'issuances.export_csv', detail: { from: '2026-06-03', to: '2026-06-03', rows: 5 } });
    expect(items[1]).toMatchObject({ action: 'issuances.view', detail: { from: '2026-06-02', to: '2026-06-02', rows: 1, page: 1 } });
    const text = JSON.stringify(items);
    expect(text).not.toContain('100000000000001'); // no 個別宛名番号 in the audit
    for (const id of ownIds) expect(text).not.toContain(id);
  });

  it('reports statistics as counts per JST day and kind only', async () => {
    const res = await a.agent.get('/api/v1/statistics?from=2026-06-01&to=2026-06-03').expect(200);
    expect(res.body.municipality).toBe(TOWN_A.code);
    const days = res.body.days as Array<{ date: string; kind: string; issuances: number; copies: number }>;
    expect(days.reduce((s, d) => s + d.issuances, 0)).toBe(12);
    expect(days.filter((d) => d.date === '2026-06-02')).toEqual([{ date: '2026-06-02', kind: expect.any(String), issuances: 1, copies: expect.any(Number) }]);
    expect(Object.keys(days[0]!).sort()).toEqual(['copies', 'date', 'issuances', 'kind']);
  });
});
