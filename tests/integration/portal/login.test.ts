import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality } from '../../../services/vrs/db/database.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { addStaff, loggedIn, mailFiles, PASSWORD, portalFixture, startLogin, TOWN_A, type PortalFixture } from './portal-fixture.js';

describe.each(DB_KINDS)('portal login (%s)', (kind) => {
  let f: PortalFixture;
  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('logs in with the password and the code mailed as an RFC 5322 message', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { challengeId, code, raw } = await startLogin(f, staff.email);
    expect(challengeId).toMatch(/^[0-9a-f]{32}$/);
    expect(code).toMatch(/^\d{6}$/);
    const head = raw.split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^From: [^\r\n]+@[^\r\n]+$/m);
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=/m);
    expect(head).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0900$/m);
    expect(head).toMatch(/^Message-ID: <[^>]+@[^>]+>$/m);
    expect(head).toContain('Content-Type: text/plain; charset=UTF-8');
    // the code itself is not stored in the clear
    const stored = await f.db.query<{ code_hmac: string }>('SELECT code_hmac FROM portal_login_challenges WHERE id = $1', [challengeId]);
    expect(stored.rows[0]!.code_hmac).not.toContain(code);

    const agent = supertest.agent(f.app);
    const res = await agent.post('/api/v1/login/verify').send({ challengeId, code }).expect(200);
    expect(res.body.staff).toEqual({ email: staff.email, municipality: TOWN_A });
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/vrs_portal_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here

    const session = await agent.get('/api/v1/session').expect(200);
    expect(session.body).toEqual({ csrfToken: res.body.csrfToken, staff: { email: staff.email, municipality: TOWN_A } });
    // a code works once
    const again = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(401);
    expect(again.body.code).toBe('ERR_LOGIN_EXPIRED');
  });

  it('marks the cookie Secure when asked to (HTTPS)', async () => {
    const secure = await portalFixture(kind, inject('databaseUrl'), { secureCookies: true });
    try {
      const staff = await addStaff(secure.db, TOWN_A.code);
      const { challengeId, code } = await startLogin(secure, staff.email);
      const res = await supertest(secure.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(200);
      expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it('answers a wrong password, an unknown address, a disabled account and a non-lg.jp address alike, and mails nothing', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const disabled = await addStaff(f.db, TOWN_A.code, { disabled: true });
    const n = (await mailFiles(f.mailDir)).length;
    const answers = await Promise.all([
      supertest(f.app).post('/api/v1/login').send({ email: staff.email, password: 'wrong password!' }),
      supertest(f.app).post('/api/v1/login').send({ email: 'nobody@city.example.lg.jp', password: PASSWORD }),
      supertest(f.app).post('/api/v1/login').send({ email: disabled.email, password: PASSWORD }),
      supertest(f.app).post('/api/v1/login').send({ email: 'someone@example.com', password: PASSWORD }),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.headers['content-type']).toMatch(/application\/problem\+json/);
      expect({ ...a.body, instance: '' }).toEqual({ ...answers[0]!.body, instance: '' });
      expect(a.body.code).toBe('ERR_LOGIN');
    }
    expect((await mailFiles(f.mailDir)).length).toBe(n);
    const audit = await withMunicipality(f.db, TOWN_A.code, (tx) =>
      tx.query<{ action: string; detail: { reason: string } }>('SELECT action, detail FROM staff_audit WHERE staff_id = $1', [staff.id]),
    );
    expect(audit.rows).toEqual([{ action: 'login.failure', detail: { reason: 'password' } }]);
  });

  it('ends the challenge after five wrong codes: the fifth and every later answer, even the right code, is ERR_LOGIN_LOCKED', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { challengeId, code } = await startLogin(f, staff.email);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 1; i <= 4; i++) {
      const r = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code: wrong }).expect(401);
      expect(r.body).toMatchObject({ code: 'ERR_LOGIN_CODE', attemptsLeft: 5 - i });
    }
    const fifth = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code: wrong }).expect(401);
    expect(fifth.body.code).toBe('ERR_LOGIN_LOCKED');
    const right = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(401);
    expect(right.body.code).toBe('ERR_LOGIN_LOCKED');
    expect(right.headers['set-cookie']).toBeUndefined();
  });

  it('refuses concurrent guesses beyond the limit', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { challengeId, code } = await startLogin(f, staff.email);
    const wrong = code === '999999' ? '999998' : '999999';
    const answers = await Promise.all(Array.from({ length: 8 }, () => supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code: wrong })));
    expect(answers.filter((a) => a.body.code === 'ERR_LOGIN_CODE')).toHaveLength(4);
    expect(answers.filter((a) => a.body.code === 'ERR_LOGIN_LOCKED')).toHaveLength(4);
  });

  it('sends at most five codes per account within ten minutes', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    for (let i = 0; i < 5; i++) await startLogin(f, staff.email);
    const n = (await mailFiles(f.mailDir)).length;
    const sixth = await supertest(f.app).post('/api/v1/login').send({ email: staff.email, password: PASSWORD }).expect(429);
    expect(sixth.body).toMatchObject({ code: 'ERR_LOGIN_CODE_LIMIT', retryAfter: 600 });
    expect((await mailFiles(f.mailDir)).length).toBe(n);
    f.clock.advance(10 * 60_000 + 1000);
    await startLogin(f, staff.email);
    f.clock.advance(-(10 * 60_000 + 1000));
  });

  it('ends the challenge after 10 minutes', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { challengeId, code } = await startLogin(f, staff.email);
    f.clock.advance(10 * 60_000);
    const r = await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(401);
    expect(r.body.code).toBe('ERR_LOGIN_EXPIRED');
    f.clock.advance(-10 * 60_000);
  });

  it('accepts the code just before 10 minutes', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { challengeId, code } = await startLogin(f, staff.email);
    f.clock.advance(10 * 60_000 - 1000);
    await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code }).expect(200);
    f.clock.advance(-(10 * 60_000 - 1000));
  });

  it('refuses an unknown challenge', async () => {
    const r = await supertest(f.app)
      .post('/api/v1/login/verify')
      .send({ challengeId: '0'.repeat(32), code: '123456' })
      .expect(401);
    expect(r.body.code).toBe('ERR_LOGIN_EXPIRED');
  });

  it('refuses state changes without or with a wrong X-CSRF-Token, and accepts the right one', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const { agent, csrf } = await loggedIn(f, staff.email);
    const none = await agent.put('/api/v1/service').send({ suspended: false }).expect(403);
    expect(none.body.code).toBe('ERR_CSRF');
    const bad = await agent
      .put('/api/v1/service')
      .set('X-CSRF-Token', `${csrf.slice(0, -1)}x`)
      .send({ suspended: false })
      .expect(403);
    expect(bad.body.code).toBe('ERR_CSRF');
    await agent.post('/api/v1/logout').expect(403);
    await agent.put('/api/v1/service').set('X-CSRF-Token', csrf).send({ suspended: false }).expect(200);
  });

  it('refuses requests without a session and ends the session at logout', async () => {
    const anon = await supertest(f.app).get('/api/v1/issuances').expect(401);
    expect(anon.body.code).toBe('ERR_UNAUTHENTICATED');
    await supertest(f.app)
      .get('/api/v1/session')
      .set('Cookie', 'vrs_portal_session=' + 'A'.repeat(43))
      .expect(401);
    const staff = await addStaff(f.db, TOWN_A.code);
    const { agent, csrf } = await loggedIn(f, staff.email);
    await agent.post('/api/v1/logout').set('X-CSRF-Token', csrf).expect(204);
    await agent.get('/api/v1/session').expect(401);
  });

  it('ends an idle session after 30 minutes and any session after 8 hours', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const start = f.clock.now();
    const idle = await loggedIn(f, staff.email);
    f.clock.advance(29 * 60_000);
    await idle.agent.get('/api/v1/session').expect(200);
    f.clock.advance(29 * 60_000);
    await idle.agent.get('/api/v1/session').expect(200);
    f.clock.advance(30 * 60_000);
    await idle.agent.get('/api/v1/session').expect(401);

    f.clock.set(start);
    const busy = await loggedIn(f, staff.email);
    for (let t = 0; t < 8 * 60; t += 20) {
      f.clock.advance(20 * 60_000);
      if (t + 20 < 8 * 60) await busy.agent.get('/api/v1/session').expect(200);
    }
    await busy.agent.get('/api/v1/session').expect(401);
    f.clock.set(start);
  });
});
