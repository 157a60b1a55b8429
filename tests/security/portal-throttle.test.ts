/**
 * Issue 15, portal findings: wrong passwords were never throttled (30 tries in 1.8 s, all plain
 * 401). Now password and code failures grow a delay per account (429 ERR_LOGIN_THROTTLED with
 * Retry-After, capped at 15 minutes, reset by a successful login, the staff member mailed when it
 * starts) and per client address (X-Forwarded-For only under TRUST_PROXY). Time moves on the
 * fixture's manual clock.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addStaff, mailFiles, PASSWORD, portalFixture, startLogin, TOWN_A, type PortalFixture } from '../integration/portal/portal-fixture.js';

let f: PortalFixture;
beforeAll(async () => {
  f = await portalFixture('pglite', inject('databaseUrl'), { trustProxy: true });
});
afterAll(async () => {
  await f?.close();
});

const login = (email: string, password: string, ip = '192.0.2.10') =>
  supertest(f.app).post('/api/v1/login').set('x-forwarded-for', ip).send({ email, password });

describe('portal login throttling', () => {
  it('holds an account back after repeated wrong passwords, mails its owner once, and lets the right password in after Retry-After', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const before = new Set(await mailFiles(f.mailDir));
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await login(staff.email, `wrong password ${i}`));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    const held = answers.slice(5);
    expect(held.every((a) => a.status === 429 && a.body.code === 'ERR_LOGIN_THROTTLED')).toBe(true);
    const retryAfter = Number(held[0]!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(held[0]!.body.retryAfter).toBe(retryAfter);
    // Even the right password waits: a throttled account answers nothing about the password.
    expect((await login(staff.email, PASSWORD)).status).toBe(429);
    const fresh = (await mailFiles(f.mailDir)).filter((m) => !before.has(m));
    expect(fresh).toHaveLength(1);
    const mail = await readFile(join(f.mailDir, fresh[0]!), 'utf8');
    expect(mail).toContain(`To: ${staff.email}`);
    expect(mail).not.toContain('確認コード:');
    f.clock.advance(retryAfter * 1000);
    // Never a lock: after the delay the real staff member logs in, and that resets the count.
    const { challengeId, code } = await startLogin(f, staff.email);
    await supertest(f.app).post('/api/v1/login/verify').set('x-forwarded-for', '192.0.2.10').send({ challengeId, code }).expect(200);
    for (let i = 0; i < 4; i++) expect((await login(staff.email, `again ${i}`)).status).toBe(401);
  });

  it('counts each challenge used up by wrong codes, so code guessing meets a growing delay rather than 5 × 5 codes per 10 minutes forever', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const burn = async () => {
      const { challengeId, code } = await startLogin(f, staff.email);
      const wrong = code === '000000' ? '000001' : '000000';
      for (let i = 0; i < 5; i++) await supertest(f.app).post('/api/v1/login/verify').send({ challengeId, code: wrong });
    };
    for (let i = 0; i < 5; i++) await burn();
    const first = await supertest(f.app).post('/api/v1/login').send({ email: staff.email, password: PASSWORD }).expect(429);
    expect(first.body.code).toBe('ERR_LOGIN_THROTTLED');
    // A new window of challenges: one more used-up challenge doubles the delay.
    f.clock.advance(10 * 60_000 + 1000);
    await burn();
    const second = await supertest(f.app).post('/api/v1/login').send({ email: staff.email, password: PASSWORD }).expect(429);
    expect(second.body.code).toBe('ERR_LOGIN_THROTTLED');
    expect(Number(second.headers['retry-after'])).toBe(2 * Number(first.headers['retry-after']));
    f.clock.advance(15 * 60_000);
  });

  it('caps the delay at 15 minutes however long the guessing goes on', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    let longest = 0;
    for (let i = 0; i < 40; i++) {
      const r = await login(staff.email, `guess ${i}`, `198.51.100.${i}`);
      if (r.status === 429) {
        longest = Math.max(longest, Number(r.headers['retry-after']));
        f.clock.advance(Number(r.headers['retry-after']) * 1000);
      }
    }
    expect(longest).toBe(15 * 60);
    f.clock.advance(15 * 60_000);
    await startLogin(f, staff.email);
  });

  it('throttles an unknown address exactly like a known one (no enumeration by the 429)', async () => {
    const staff = await addStaff(f.db, TOWN_A.code);
    const unknown = 'nobody-here@city.example.lg.jp';
    const known = [];
    const none = [];
    for (let i = 0; i < 6; i++) known.push((await login(staff.email, `x${i}`, '203.0.113.1')).status);
    for (let i = 0; i < 6; i++) none.push((await login(unknown, `x${i}`, '203.0.113.2')).status);
    expect(none).toEqual(known);
    expect(known[5]).toBe(429);
  });

  it('throttles a client address spraying many accounts, and not another client', async () => {
    const sprayer = '203.0.113.66';
    const statuses = [];
    for (let i = 0; i < 45; i++) statuses.push((await login(`spray-${i}@city.example.lg.jp`, 'password guess', sprayer)).status);
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(41).every((s) => s === 429)).toBe(true);
    const staff = await addStaff(f.db, TOWN_A.code);
    expect((await login(staff.email, PASSWORD, '198.51.100.200')).status).toBe(200);
  });
});
