import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { KioskAgent } from './agent/agent.js';

const COOKIE = 'kiosk_maint';
const SESSION_MS = 30 * 60_000;
const MAX_FAILURES = 5;
const LOCK_MS = 60_000;

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Compares a password in constant time (both sides hashed to equal length first). */
export function passwordMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * The maintenance screen's API (seed 001 別紙 4: maintenance access only with a password; store staff
 * cannot operate the program without it). Without a configured password nothing here can be used.
 * Session by an HttpOnly SameSite=Strict cookie; every change also needs the CSRF token from login.
 */
export function maintenanceRouter(agents: KioskAgent[], password: string | undefined): Router {
  const sessions = new Map<string, { csrf: string; until: number }>();
  let failures = 0;
  let lockedUntil = 0;
  const router = express.Router();
  router.use(express.json({ limit: '4kb' }));

  router.post('/api/login', (req, res) => {
    if (!password) {
      res.status(503).json({ code: 'ERR_MAINTENANCE_DISABLED' });
      return;
    }
    if (Date.now() < lockedUntil) {
      res.status(429).json({ code: 'ERR_LOGIN_LOCKED' });
      return;
    }
    const given = (req.body as { password?: unknown } | undefined)?.password;
    if (typeof given !== 'string' || !passwordMatches(given, password)) {
      failures += 1;
      if (failures >= MAX_FAILURES) {
        failures = 0;
        lockedUntil = Date.now() + LOCK_MS;
      }
      res.status(401).json({ code: 'ERR_LOGIN' });
      return;
    }
    failures = 0;
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(16).toString('base64url');
    sessions.set(token, { csrf, until: Date.now() + SESSION_MS });
    res.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/maintenance; Max-Age=${SESSION_MS / 1000}`);
    res.json({ csrf });
  });

  const auth: RequestHandler = (req, res, next) => {
    const token = cookieOf(req, COOKIE);
    const s = token ? sessions.get(token) : undefined;
    if (!password || !s || s.until < Date.now()) {
      if (token) sessions.delete(token);
      res.status(401).json({ code: 'ERR_UNAUTHENTICATED' });
      return;
    }
    if (req.method !== 'GET' && req.get('x-csrf-token') !== s.csrf) {
      res.status(403).json({ code: 'ERR_CSRF' });
      return;
    }
    res.locals.token = token;
    res.locals.csrf = s.csrf;
    next();
  };

  router.post('/api/logout', auth, (_req, res) => {
    sessions.delete(String(res.locals.token));
    res.setHeader('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/maintenance; Max-Age=0`);
    res.json({ ok: true });
  });

  router.get('/api/kiosks', auth, async (_req, res) => {
    const out = [];
    for (const a of agents) {
      out.push({
        kioskId: a.kioskId,
        step: a.flow.step,
        inService: a.flow.inService,
        printerJamNext: a.printer.jamNext,
        trayItems: a.printer.tray.length,
        // The kiosk log: issuance date and time, kind and copies only.
        log: (await a.log.entries()).slice(-50).reverse(),
      });
    }
    // The page reads the CSRF token from its session (same-origin only: the cookie is SameSite=Strict).
    res.json({ csrf: res.locals.csrf, kiosks: out });
  });

  const find = (req: Request): KioskAgent | undefined => agents.find((a) => a.kioskId === req.params.kioskId);
  router.post('/api/kiosks/:kioskId/service', auth, (req, res) => {
    const agent = find(req);
    const on = (req.body as { inService?: unknown } | undefined)?.inService;
    if (!agent || typeof on !== 'boolean') {
      res.status(400).json({ code: 'ERR_BAD_REQUEST' });
      return;
    }
    agent.flow.setInService(on);
    res.json({ ok: true });
  });
  router.post('/api/kiosks/:kioskId/printer', auth, (req, res) => {
    const agent = find(req);
    const jam = (req.body as { jamNext?: unknown } | undefined)?.jamNext;
    if (!agent || typeof jam !== 'boolean') {
      res.status(400).json({ code: 'ERR_BAD_REQUEST' });
      return;
    }
    agent.printer.jamNext = jam;
    res.json({ ok: true });
  });
  router.post('/api/kiosks/:kioskId/tray/clear', auth, (req, res) => {
    const agent = find(req);
    if (!agent) {
      res.status(400).json({ code: 'ERR_BAD_REQUEST' });
      return;
    }
    res.json({ cleared: agent.printer.clearTray() });
  });
  return router;
}
