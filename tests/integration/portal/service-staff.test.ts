import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { addStaff, loggedIn, PASSWORD, portalFixture, startLogin, TOWN_A, TOWN_B, type PortalFixture } from './portal-fixture.js';

describe.each(DB_KINDS)('portal service suspension, staff and audit (%s)', (kind) => {
  let f: PortalFixture;
  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
  });
  afterAll(async () => {
    await f?.close();
  });

  const municipalityRow = async (code: string): Promise<{ suspended: boolean; suspended_at: Date | null }> =>
    (await f.db.query<{ suspended: boolean; suspended_at: Date | null }>('SELECT suspended, suspended_at FROM municipalities WHERE code = $1', [code])).rows[0]!;

  it('suspends and resumes the kiosk service of its own municipality at once, and audits both', async () => {
    const { agent, csrf } = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const before = await agent.get('/api/v1/service').expect(200);
    expect(before.body).toEqual({ code: TOWN_A.code, name: TOWN_A.name, participates: true, suspended: false, suspendedAt: null });

    const off = await agent.put('/api/v1/service').set('X-CSRF-Token', csrf).send({ suspended: true }).expect(200);
    expect(off.body).toEqual({ suspended: true, suspendedAt: '2026-06-15T12:00:00.000+09:00' });
    const row = await municipalityRow(TOWN_A.code);
    expect(row.suspended).toBe(true);
    expect(new Date(row.suspended_at!).toISOString()).toBe('2026-06-15T03:00:00.000Z');
    expect((await municipalityRow(TOWN_B.code)).suspended).toBe(false);

    const on = await agent.put('/api/v1/service').set('X-CSRF-Token', csrf).send({ suspended: false }).expect(200);
    expect(on.body).toEqual({ suspended: false, suspendedAt: null });
    expect(await municipalityRow(TOWN_A.code)).toEqual({ suspended: false, suspended_at: null });

    const audit = await agent.get('/api/v1/audit').expect(200);
    expect((audit.body.items as Array<{ action: string }>).slice(0, 2).map((i) => i.action)).toEqual(['service.resume', 'service.suspend']);
    await agent.put('/api/v1/service').set('X-CSRF-Token', csrf).send({ suspended: 'yes' }).expect(400);
  });

  it('adds staff with lg.jp addresses only, enforces the password policy and at most 10 active accounts', async () => {
    const { agent, csrf } = await loggedIn(f, (await addStaff(f.db, TOWN_B.code)).email);
    const post = (body: object) => agent.post('/api/v1/staff').set('X-CSRF-Token', csrf).send(body);

    const foreign = await post({ email: 'clerk@example.com', password: PASSWORD }).expect(400);
    expect(foreign.body).toMatchObject({ fields: ['email'], issues: [{ field: 'email', rule: 'lg_jp' }] });
    await post({ email: 'clerk@lg.jp.example.com', password: PASSWORD }).expect(400);
    const short = await post({ email: 'clerk@city.takaoka.lg.jp', password: 'short-pw' }).expect(400);
    expect(JSON.stringify(short.body)).not.toContain('short-pw');

    const listed = await agent.get('/api/v1/staff').expect(200);
    const present = listed.body.active as number;
    expect(present).toBe(1);
    const created: string[] = [];
    for (let i = present; i < 10; i++) {
      const r = await post({ email: `Clerk${i}@City.Takaoka.LG.JP`, password: PASSWORD }).expect(201);
      expect(r.body).toMatchObject({ email: `clerk${i}@city.takaoka.lg.jp`, disabled: false });
      created.push(r.body.id as string);
    }
    await post({ email: 'clerk1@lg.jp', password: PASSWORD }).expect(409).then((r) => expect(r.body.code).toBe('ERR_STAFF_LIMIT'));
    const dup = await post({ email: `clerk${present}@city.takaoka.lg.jp`, password: PASSWORD }).expect(409);
    expect(dup.body.code).toBe('ERR_STAFF_LIMIT');

    // disabling one frees a place; a disabled account cannot log in and loses its sessions
    const victim = created[0]!;
    const victimEmail = `clerk${present}@city.takaoka.lg.jp`;
    const victimSession = await loggedIn(f, victimEmail);
    await agent.post(`/api/v1/staff/${victim}/disable`).set('X-CSRF-Token', csrf).expect(200).then((r) => expect(r.body.disabled).toBe(true));
    await victimSession.agent.get('/api/v1/session').expect(401);
    await supertest(f.app).post('/api/v1/login').send({ email: victimEmail, password: PASSWORD }).expect(401);
    await post({ email: 'clerk-new@lg.jp', password: PASSWORD }).expect(201);
    const exists = await post({ email: 'clerk-new@lg.jp', password: PASSWORD }).expect(409);
    expect(exists.body.code).toBe('ERR_STAFF_LIMIT'); // full again
    expect((await agent.get('/api/v1/staff').expect(200)).body).toMatchObject({ active: 10, limit: 10 });

    const audit = await agent.get('/api/v1/audit?pageSize=500').expect(200);
    const actions = (audit.body.items as Array<{ action: string; detail: Record<string, unknown> }>);
    expect(actions.filter((a) => a.action === 'staff.create')).toHaveLength(10 - present + 1);
    expect(actions.find((a) => a.action === 'staff.disable')?.detail).toEqual({ targetStaffId: victim });
  });

  it('refuses a duplicate e-mail address and concurrent additions past the limit', async () => {
    const { agent, csrf } = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const post = (email: string) => agent.post('/api/v1/staff').set('X-CSRF-Token', csrf).send({ email, password: PASSWORD });
    const first = await post('twin@city.chiyoda.lg.jp').expect(201);
    expect(first.body.email).toBe('twin@city.chiyoda.lg.jp');
    const twin = await post('twin@city.chiyoda.lg.jp').expect(409);
    expect(twin.body.code).toBe('ERR_STAFF_EXISTS');
    const active = (await agent.get('/api/v1/staff').expect(200)).body.active as number;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(`rush${i}@city.chiyoda.lg.jp`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10 - active);
    expect((await agent.get('/api/v1/staff').expect(200)).body.active).toBe(10);
  });

  it('changes staff of its own municipality only', async () => {
    const other = await addStaff(f.db, TOWN_B.code);
    const a = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const r = await a.agent.post(`/api/v1/staff/${other.id}/disable`).set('X-CSRF-Token', a.csrf).expect(404);
    expect(r.body.code).toBe('ERR_NOT_FOUND');
    const listed = await a.agent.get('/api/v1/staff').expect(200);
    expect((listed.body.items as Array<{ id: string }>).some((s) => s.id === other.id)).toBe(false);
    expect((await f.db.query<{ disabled: boolean }>('SELECT disabled FROM staff WHERE id = $1', [other.id])).rows[0]!.disabled).toBe(false);
  });

  it("keeps each municipality's audit log to itself, without personal data", async () => {
    const a = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const b = await loggedIn(f, (await addStaff(f.db, TOWN_B.code)).email);
    const auditA = (await a.agent.get('/api/v1/audit?pageSize=500').expect(200)).body.items as Array<{ id: string; action: string; staffId: string }>;
    const auditB = (await b.agent.get('/api/v1/audit?pageSize=500').expect(200)).body.items as Array<{ id: string; action: string; staffId: string }>;
    const idsB = new Set(auditB.map((e) => e.id));
    expect(auditA.some((e) => idsB.has(e.id))).toBe(false);
    expect(auditA.some((e) => e.action === 'service.suspend')).toBe(true);
    expect(auditB.some((e) => e.action === 'service.suspend')).toBe(false);
    expect(JSON.stringify(auditA)).not.toContain(PASSWORD);
    expect(auditA[0]).toMatchObject({ action: 'login.success' });
  });

  it('lets a demo-style account (demo-<自治体コード>@example.lg.jp, PROTOCOL.md) log in', async () => {
    const email = `demo-${TOWN_B.code}@example.lg.jp`;
    await addStaff(f.db, TOWN_B.code, { email });
    const { challengeId, code } = await startLogin(f, email);
    const res = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(200);
    expect(res.body.staff).toEqual({ email, municipality: TOWN_B });
  });
});
