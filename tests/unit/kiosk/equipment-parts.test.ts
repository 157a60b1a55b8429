import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { CoinBox } from '../../../kiosk-sim/agent/coin-box.js';
import { KioskLog } from '../../../kiosk-sim/agent/kiosk-log.js';
import { PrintError, Printer, contentDigestOf, sha256FromContentDigest } from '../../../kiosk-sim/agent/printer.js';
import { maintenanceRouter, passwordMatches } from '../../../kiosk-sim/maintenance.js';

const pdf = Buffer.from('%PDF-1.7\n% a tiny document\n%%EOF\n');

describe('coin box', () => {
  it('takes 10, 50, 100, 500 yen coins and 1,000-yen notes only', () => {
    const box = new CoinBox();
    for (const v of [10, 50, 100, 500, 1000]) box.insert(v);
    expect(box.inserted).toBe(1660);
    for (const v of [1, 5, 5000, 2000, 0, -10]) expect(() => box.insert(v)).toThrow(TypeError);
  });
  it('keeps the fee and returns the change', () => {
    const box = new CoinBox();
    box.insert(500);
    expect(() => box.settle(600)).toThrow(TypeError);
    expect(box.settle(240)).toEqual({ paid: 500, change: 260 });
    expect(box.inserted).toBe(0);
    expect(box.returned).toBe(260);
  });
  it('refunds everything inserted', () => {
    const box = new CoinBox();
    box.insert(100);
    box.insert(10);
    expect(box.refund()).toBe(110);
    expect(box.inserted).toBe(0);
  });
});

describe('printer', () => {
  it('prints only a document matching its Content-Digest', () => {
    const p = new Printer();
    expect(p.check(pdf, contentDigestOf(pdf))).toBe(contentDigestOf(pdf));
    const other = `sha-256=:${createHash('sha256').update('something else').digest('base64')}:`;
    expect(() => p.check(pdf, other)).toThrow(PrintError);
    expect(() => p.check(pdf, undefined)).toThrow(PrintError);
    expect(() => p.check(pdf, 'sha-512=:AAAA:')).toThrow(PrintError);
    expect(() => p.check(Buffer.from('not a pdf'), contentDigestOf(Buffer.from('not a pdf')))).toThrow(PrintError);
  });
  it('reads the sha-256 member of a Content-Digest with several members', () => {
    expect(sha256FromContentDigest('sha-512=:AAAA:, sha-256=:QUJD:')).toBe('QUJD');
  });
  it('keeps the paper only until it is taken, and wipes it', () => {
    const p = new Printer();
    const item = p.print('certificate', 'c.pdf', pdf);
    expect(p.item(item.id)?.pdf.equals(pdf)).toBe(true);
    const held = p.item(item.id)!.pdf;
    expect(p.clearTray()).toBe(1);
    expect(p.tray).toHaveLength(0);
    expect(held.every((b) => b === 0)).toBe(true);
  });
  it('jams once when maintenance asks it to', () => {
    const p = new Printer();
    p.jamNext = true;
    expect(() => p.print('certificate', 'c.pdf', pdf)).toThrow(/jam/);
    expect(p.tray).toHaveLength(0);
    p.print('certificate', 'c.pdf', pdf);
    expect(p.tray).toHaveLength(1);
  });
});

describe('kiosk log', () => {
  it('keeps issuance date-time, kind and copies only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-log-'));
    try {
      const log = new KioskLog(join(dir, 'k.jsonl'));
      await log.append({ issuedAt: '2026-06-15T12:00:00+09:00', kind: 'overseas', copies: 2, name: '山田　太郎', certificateId: 'X1' } as never);
      const text = await readFile(join(dir, 'k.jsonl'), 'utf8');
      expect(JSON.parse(text.trim())).toEqual({ issuedAt: '2026-06-15T12:00:00+09:00', kind: 'overseas', copies: 2 });
      expect(text).not.toContain('山田');
      expect(await log.entries()).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('maintenance access', () => {
  const PASSWORD = 'maintenance-secret-1';
  const app = (password: string | undefined) => express().use('/maintenance', maintenanceRouter([], password));

  it('compares passwords in constant time over their digests', () => {
    expect(passwordMatches(PASSWORD, PASSWORD)).toBe(true);
    expect(passwordMatches('short', PASSWORD)).toBe(false);
    expect(passwordMatches(`${PASSWORD}x`, PASSWORD)).toBe(false);
  });

  it('refuses everything without a login, and everything when no password is configured', async () => {
    const a = supertest(app(PASSWORD));
    await a.get('/maintenance/api/kiosks').expect(401);
    await a.post('/maintenance/api/kiosks/KIOSK-0001/service').send({ inService: false }).expect(401);
    await a.post('/maintenance/api/login').send({ password: 'wrong' }).expect(401);
    const off = supertest(app(undefined));
    await off.post('/maintenance/api/login').send({ password: '' }).expect(503);
    await off.get('/maintenance/api/kiosks').expect(401);
  });

  it('logs in with the password, and changes need the CSRF token', async () => {
    const a = supertest(app(PASSWORD));
    const login = await a.post('/maintenance/api/login').send({ password: PASSWORD }).expect(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const list = await a.get('/maintenance/api/kiosks').set('cookie', cookie).expect(200);
    expect(list.body.csrf).toBe(login.body.csrf);
    await a.post('/maintenance/api/logout').set('cookie', cookie).expect(403);
    await a.post('/maintenance/api/logout').set('cookie', cookie).set('x-csrf-token', login.body.csrf).expect(200);
    await a.get('/maintenance/api/kiosks').set('cookie', cookie).expect(401);
  });

  it('holds the login back for a while after five wrong passwords (429 ERR_LOGIN_THROTTLED), then lets it through', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const a = supertest(express().use('/maintenance', maintenanceRouter([], PASSWORD, { clock })));
    for (let i = 0; i < 5; i++)
      await a
        .post('/maintenance/api/login')
        .send({ password: `guess-${i}` })
        .expect(401);
    const held = await a.post('/maintenance/api/login').send({ password: PASSWORD }).expect(429);
    expect(held.body.code).toBe('ERR_LOGIN_THROTTLED');
    expect(Number(held.headers['retry-after'])).toBe(30);
    clock.advance(30_000);
    await a.post('/maintenance/api/login').send({ password: PASSWORD }).expect(200);
  });
});

describe('health monitor (store controller)', () => {
  it('reports each fault once while it lasts, and again after the relay was reached', async () => {
    const { HealthMonitor } = await import('../../../kiosk-sim/agent/health.js');
    const h = new HealthMonitor({ kioskId: 'K', storeId: 'S', storeName: 'n' });
    const reported: string[] = [];
    h.onFault((f) => reported.push(f.code));
    h.fault('ERR_RELAY_UNREACHABLE', 'GET v1/service: ECONNREFUSED', new Date());
    h.fault('ERR_RELAY_UNREACHABLE', 'GET v1/service: ECONNREFUSED', new Date());
    expect(h.snapshot()).toMatchObject({ connected: false, lastFault: { code: 'ERR_RELAY_UNREACHABLE', count: 2 } });
    h.contact(new Date());
    expect(h.snapshot().connected).toBe(true);
    h.fault('ERR_RELAY_UNREACHABLE', 'again', new Date());
    expect(reported).toEqual(['ERR_RELAY_UNREACHABLE', 'ERR_RELAY_UNREACHABLE']);
    expect(h.snapshot().faults).toHaveLength(2);
  });
});
