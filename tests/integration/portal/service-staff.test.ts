import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import {
  acceptInvitation,
  addStaff,
  invite,
  loggedIn,
  mailFiles,
  PASSWORD,
  portalFixture,
  startLogin,
  TOWN_A,
  TOWN_B,
  type PortalFixture,
} from './portal-fixture.js';

describe.each(DB_KINDS)('portal service suspension, staff and audit (%s)', (kind) => {
  let f: PortalFixture;
  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
  });
  afterAll(async () => {
    await f?.close();
  });

  const municipalityRow = async (code: string): Promise<{ suspended: boolean; suspended_at: Date | null }> =>
    (await f.db.query<{ suspended: boolean; suspended_at: Date | null }>('SELECT suspended, suspended_at FROM municipalities WHERE code = $1', [code]))
      .rows[0]!;

  it('suspends and resumes the kiosk service of its own municipality at once, and audits both', async () => {
    const { agent, csrf } = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const before = await agent.get('/api/v1/service').expect(200);
    expect(before.body).toEqual({ code: TOWN_A.code, name: TOWN_A.name, participates: true, suspended: false, suspendedAt: null, contact: null });

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

  it('invites staff with lg.jp addresses only; the invited person sets the password; at most 10 accounts and open invitations', async () => {
    const session = await loggedIn(f, (await addStaff(f.db, TOWN_B.code)).email);
    const { agent, csrf } = session;
    const post = (body: object) => agent.post('/api/v1/staff').set('X-CSRF-Token', csrf).send(body);

    const mailsBefore = (await mailFiles(f.mailDir)).length;
    const foreign = await post({ email: 'clerk@example.com' }).expect(400);
    expect(foreign.body).toMatchObject({ fields: ['email'], issues: [{ field: 'email', rule: 'lg_jp' }] });
    await post({ email: 'clerk@lg.jp.example.com' }).expect(400);
    // The inviting staff member no longer chooses the password.
    await post({ email: 'clerk@city.takaoka.lg.jp', password: PASSWORD }).expect(400);
    expect(await mailFiles(f.mailDir)).toHaveLength(mailsBefore); // no invitation went out

    const listed = await agent.get('/api/v1/staff').expect(200);
    const present = listed.body.active as number;
    expect(present).toBe(1);
    const tokens: Array<{ email: string; token: string; id: string }> = [];
    for (let i = present; i < 10; i++) {
      const { res, token, mail } = await invite(f, session, `Clerk${i}@City.Takaoka.LG.JP`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ email: `clerk${i}@city.takaoka.lg.jp`, status: 'invited', expiresAt: '2026-06-18T12:00:00.000+09:00' });
      expect(mail).toContain('高岡市');
      tokens.push({ email: res.body.email as string, token: token!, id: res.body.id as string });
    }
    // Open invitations count toward the limit.
    await post({ email: 'clerk-more@city.takaoka.lg.jp' })
      .expect(409)
      .then((r) => expect(r.body.code).toBe('ERR_STAFF_LIMIT'));
    expect((await agent.get('/api/v1/staff').expect(200)).body).toMatchObject({ active: 1, invited: 10 - present, limit: 10 });

    // The invited person sets a password (the policy holds there) and can then log in with both factors.
    const first = tokens[0]!;
    const short = await acceptInvitation(f, first.token, 'short-pw').expect(400);
    expect(JSON.stringify(short.body)).not.toContain('short-pw');
    await acceptInvitation(f, first.token)
      .expect(201)
      .then((r) => expect(r.body).toEqual({ email: first.email }));
    await acceptInvitation(f, first.token)
      .expect(404)
      .then((r) => expect(r.body.code).toBe('ERR_INVITATION_INVALID'));
    await loggedIn(f, first.email);
    const after = (await agent.get('/api/v1/staff').expect(200)).body;
    expect(after).toMatchObject({ active: 2, invited: 10 - present - 1 });
    expect((after.items as Array<{ email: string; status: string }>).find((i) => i.email === first.email)?.status).toBe('active');
    for (const t of tokens.slice(1)) await acceptInvitation(f, t.token).expect(201);

    // Disabling one frees a place; a disabled account cannot log in and loses its sessions.
    const victim = (await f.db.query<{ id: string }>('SELECT id FROM staff WHERE email = $1', [first.email])).rows[0]!.id;
    const victimSession = await loggedIn(f, first.email);
    await agent
      .post(`/api/v1/staff/${victim}/disable`)
      .set('X-CSRF-Token', csrf)
      .expect(200)
      .then((r) => expect(r.body.disabled).toBe(true));
    await victimSession.agent.get('/api/v1/session').expect(401);
    await supertest(f.app).post('/api/v1/login').send({ email: first.email, password: PASSWORD }).expect(401);
    const again = await invite(f, session, 'clerk-new@lg.jp');
    expect(again.res.status).toBe(202);
    await post({ email: 'clerk-other@lg.jp' })
      .expect(409)
      .then((r) => expect(r.body.code).toBe('ERR_STAFF_LIMIT')); // full again
    // Withdrawing the invitation frees its place, and its link stops working.
    await agent
      .post(`/api/v1/staff/invitations/${again.res.body.id as string}/revoke`)
      .set('X-CSRF-Token', csrf)
      .expect(200);
    await acceptInvitation(f, again.token!)
      .expect(404)
      .then((r) => expect(r.body.code).toBe('ERR_INVITATION_INVALID'));
    expect((await agent.get('/api/v1/staff').expect(200)).body).toMatchObject({ active: 9, invited: 0, limit: 10 });

    const audit = await agent.get('/api/v1/audit?pageSize=500').expect(200);
    const actions = audit.body.items as Array<{ action: string; detail: Record<string, unknown> }>;
    expect(actions.filter((a) => a.action === 'staff.invite')).toHaveLength(10 - present + 1);
    expect(actions.filter((a) => a.action === 'staff.create')).toHaveLength(10 - present);
    expect(actions.filter((a) => a.action === 'staff.invitation.revoke')).toHaveLength(1);
    expect(actions.find((a) => a.action === 'staff.disable')?.detail).toEqual({ targetStaffId: victim });
  });

  it('lets an invitation expire, refuses a second invitation of the same address and concurrent ones past the limit', async () => {
    const me = (await addStaff(f.db, TOWN_A.code)).email;
    let session = await loggedIn(f, me);
    const post = (email: string) => session.agent.post('/api/v1/staff').set('X-CSRF-Token', session.csrf).send({ email });
    const first = await invite(f, session, 'twin@city.chiyoda.lg.jp');
    expect(first.res.status).toBe(202);
    const twin = await post('twin@city.chiyoda.lg.jp').expect(409);
    expect(twin.body.code).toBe('ERR_STAFF_EXISTS');
    f.clock.advance(72 * 60 * 60_000);
    await acceptInvitation(f, first.token!)
      .expect(404)
      .then((r) => expect(r.body.code).toBe('ERR_INVITATION_INVALID'));
    session = await loggedIn(f, me); // the session ended meanwhile
    const agent = session.agent;
    const items = (await agent.get('/api/v1/staff').expect(200)).body.items as Array<{ email: string; status: string }>;
    expect(items.find((i) => i.email === 'twin@city.chiyoda.lg.jp')?.status).toBe('expired');
    // An expired invitation can be sent again, with a new link.
    const second = await invite(f, session, 'twin@city.chiyoda.lg.jp');
    expect(second.res.status).toBe(202);
    await acceptInvitation(f, second.token!).expect(201);
    await post('twin@city.chiyoda.lg.jp')
      .expect(409)
      .then((r) => expect(r.body.code).toBe('ERR_STAFF_EXISTS'));

    const taken = (await agent.get('/api/v1/staff').expect(200)).body as { active: number; invited: number };
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(`rush${i}@city.chiyoda.lg.jp`)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(10 - taken.active - taken.invited);
    expect(answers.filter((a) => a.status !== 202).every((a) => a.body.code === 'ERR_STAFF_LIMIT')).toBe(true);
    const full = (await agent.get('/api/v1/staff').expect(200)).body as { active: number; invited: number };
    expect(full.active + full.invited).toBe(10);
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
