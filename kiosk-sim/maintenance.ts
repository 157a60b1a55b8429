import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { Backoff, LOGIN_BACKOFF } from '../services/common/backoff.js';
import { CsrfError, LoginAttemptsThrottledError, LoginError, UnauthenticatedError } from '../services/common/auth-errors.js';
import { systemClock, type Clock } from '../services/common/clock.js';
import { BadRequestError, problemHandler, type ErrorLogger } from '../services/common/errors.js';
import { MaintenanceDisabledError } from './kiosk-errors.js';
import type { KioskAgent } from './agent/agent.js';

const COOKIE = 'kiosk_maint';
/** The browser's attempt counter (a random id, counted here). */
const BROWSER_COOKIE = 'kiosk_maint_browser';
/** Given to a browser that once logged in: the account-wide back-off never applies to it. */
const DEVICE_COOKIE = 'kiosk_maint_device';
const SESSION_MS = 30 * 60_000;
const YEAR_S = 365 * 24 * 3600;

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
export function maintenanceRouter(agents: KioskAgent[], password: string | undefined, options: { clock?: Clock; log?: ErrorLogger } = {}): Router {
  const clock = options.clock ?? systemClock;
  const sessions = new Map<string, { csrf: string; until: number }>();
  // Back-off per browser (cookie-bound counter) and for the account from browsers it does not know;
  // a browser that logged in before keeps only its own counter, so no page can shut staff out.
  const perBrowser = new Backoff(LOGIN_BACKOFF, clock);
  const perAccount = new Backoff(LOGIN_BACKOFF, clock);
  const devices = new Set<string>();
  const router = express.Router();
  router.use(express.json({ limit: '4kb' }));

  const cookie = (name: string, value: string, maxAgeS: number) => `${name}=${value}; HttpOnly; SameSite=Strict; Path=/maintenance; Max-Age=${maxAgeS}`;

  router.post('/api/login', (req, res) => {
    if (!password) throw new MaintenanceDisabledError();
    const cookies: string[] = [];
    let browser = cookieOf(req, BROWSER_COOKIE);
    if (!browser || !/^[A-Za-z0-9_-]{22}$/.test(browser)) {
      browser = randomBytes(16).toString('base64url');
      cookies.push(cookie(BROWSER_COOKIE, browser, YEAR_S));
    }
    const device = cookieOf(req, DEVICE_COOKIE);
    const known = device !== undefined && devices.has(device);
    const wait = Math.max(perBrowser.waitMs(browser), known ? 0 : perAccount.waitMs('account'));
    if (cookies.length) res.setHeader('set-cookie', cookies);
    if (wait > 0) throw new LoginAttemptsThrottledError(Math.max(1, Math.ceil(wait / 1000)));
    const given = (req.body as { password?: unknown } | undefined)?.password;
    if (typeof given !== 'string' || !passwordMatches(given, password)) {
      perBrowser.fail(browser);
      if (!known) perAccount.fail('account');
      throw new LoginError();
    }
    perBrowser.reset(browser);
    perAccount.reset('account');
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(16).toString('base64url');
    sessions.set(token, { csrf, until: Date.now() + SESSION_MS });
    const deviceToken = known ? device : randomBytes(24).toString('base64url');
    devices.add(deviceToken);
    res.setHeader('set-cookie', [cookie(COOKIE, token, SESSION_MS / 1000), ...cookies, cookie(DEVICE_COOKIE, deviceToken, YEAR_S)]);
    res.json({ csrf });
  });

  const auth: RequestHandler = (req, res, next) => {
    const token = cookieOf(req, COOKIE);
    const s = token ? sessions.get(token) : undefined;
    if (!password || !s || s.until < Date.now()) {
      if (token) sessions.delete(token);
      throw new UnauthenticatedError();
    }
    if (req.method !== 'GET' && req.get('x-csrf-token') !== s.csrf) throw new CsrfError();
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
    if (!agent || typeof on !== 'boolean')
      throw new BadRequestError('Name a kiosk of this store and give inService as true or false', [{ field: 'inService', rule: 'boolean' }]);
    agent.flow.setInService(on);
    res.json({ ok: true });
  });
  router.post('/api/kiosks/:kioskId/printer', auth, (req, res) => {
    const agent = find(req);
    const jam = (req.body as { jamNext?: unknown } | undefined)?.jamNext;
    if (!agent || typeof jam !== 'boolean')
      throw new BadRequestError('Name a kiosk of this store and give jamNext as true or false', [{ field: 'jamNext', rule: 'boolean' }]);
    agent.printer.jamNext = jam;
    res.json({ ok: true });
  });
  router.post('/api/kiosks/:kioskId/tray/clear', auth, (req, res) => {
    const agent = find(req);
    if (!agent) throw new BadRequestError('No such kiosk in this store');
    res.json({ cleared: agent.printer.clearTray() });
  });
  // Every refusal above is a coded error, answered here as problem+json (also when the router is mounted alone).
  router.use(problemHandler(options.log ?? { warn: () => undefined, error: () => undefined }));
  return router;
}
