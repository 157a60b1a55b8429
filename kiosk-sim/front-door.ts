/**
 * The kiosk simulator's front door: which host names it answers, which origin may change a kiosk,
 * and the per-page token every state-changing call of a kiosk page carries.
 *
 * - Host allow-list (DNS rebinding): only `localhost`, `127.0.0.1`, `[::1]` and the kiosks' own
 *   `kiosk-<id>.localhost` names, on the simulator's own port; anything else is 421.
 * - One origin per kiosk: `/kiosks/<id>/…` answers only on `kiosk-<id>.localhost` (Chromium
 *   resolves every `*.localhost` name to loopback), so one kiosk's page cannot read another's.
 *   A kiosk origin serves nothing but its kiosk and the shared assets.
 * - State-changing calls (anything but GET/HEAD) must be same-origin (`Sec-Fetch-Site`, `Origin`)
 *   and carry the `x-kiosk-token` the kiosk page was served with.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { toProblem } from '../services/common/errors.js';
import { CrossSiteRequestError, HostNotAllowedError, KioskOriginError, KioskTokenError } from './kiosk-errors.js';

/** Header that carries a kiosk page's token. */
export const KIOSK_TOKEN_HEADER = 'x-kiosk-token';
const TOKENS_KEPT = 32;

/** The host name of a kiosk's own origin: `kiosk-0001.localhost` for `KIOSK-0001`. */
export function kioskHostName(kioskId: string): string {
  return `${kioskId.toLowerCase()}.localhost`;
}

/** Host name and port of a Host header (`[::1]:80` keeps its brackets), lower-cased. */
export function parseHost(header: string | undefined): { name: string; port?: number } | undefined {
  if (!header) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return { name: m[1]!.toLowerCase(), ...(m[2] ? { port: Number(m[2]) } : {}) };
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface FrontDoorOptions {
  kioskIds: string[];
  /** The port the server listens on (known after listen). */
  port: () => number;
  /** Folder of the static pages (kiosk.html). */
  publicDir: string;
}

/** The front-door middleware set of the simulator. */
export interface FrontDoor {
  /** Host allow-list and the per-kiosk origin rule; mount first. */
  hosts: RequestHandler;
  /** Same-origin check of every state-changing call (kiosks and maintenance); mount after `hosts`. */
  sameOriginWrites: RequestHandler;
  /** The token check of a kiosk's state-changing calls; mount before its router. */
  kioskGuard(kioskId: string): RequestHandler;
  /** Serves a kiosk's page with a fresh per-page token. */
  kioskPage(kioskId: string): RequestHandler;
  /** Answers the front door's errors as problem+json. */
  problems: ErrorRequestHandler;
}

/** Builds the front door for the given kiosks. */
export function createFrontDoor(options: FrontDoorOptions): FrontDoor {
  const byHost = new Map(options.kioskIds.map((id) => [kioskHostName(id), id]));
  const tokens = new Map<string, string[]>(options.kioskIds.map((id) => [id, []]));
  const template = readFileSync(join(options.publicDir, 'kiosk.html'), 'utf8');

  const hosts: RequestHandler = (req, res, next) => {
    const host = parseHost(req.headers.host);
    if (!host || (host.port ?? 80) !== options.port() || (!LOOPBACK_NAMES.has(host.name) && !byHost.has(host.name))) {
      next(new HostNotAllowedError());
      return;
    }
    const kioskOfHost = byHost.get(host.name);
    const m = /^\/kiosks\/([^/]+)(?:\/|$)/.exec(req.path);
    if (m) {
      const wanted = options.kioskIds.find((id) => id === m[1]);
      if (wanted && kioskOfHost !== wanted) {
        // A resident following an old link is sent to the kiosk's own origin; nothing else is.
        if (!kioskOfHost && req.method === 'GET' && /^\/kiosks\/[^/]+\/?$/.test(req.path)) {
          res.redirect(`http://${kioskHostName(wanted)}:${options.port()}/kiosks/${wanted}/`);
          return;
        }
        next(new KioskOriginError());
        return;
      }
    } else if (kioskOfHost && !req.path.startsWith('/assets/')) {
      next(new KioskOriginError());
      return;
    }
    next();
  };

  const sameOrigin = (req: Request): boolean => {
    const site = req.get('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin') return false;
    const origin = req.get('origin');
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return false;
    return true;
  };

  return {
    hosts,
    sameOriginWrites: (req, _res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD' || sameOrigin(req)) next();
      else next(new CrossSiteRequestError());
    },
    kioskGuard(kioskId) {
      return (req, _res, next) => {
        if (req.method === 'GET' || req.method === 'HEAD') return next();
        const given = req.get(KIOSK_TOKEN_HEADER);
        if (!given || !tokens.get(kioskId)!.includes(given)) return next(new KioskTokenError());
        next();
      };
    },
    kioskPage(kioskId) {
      return (_req, res) => {
        const token = randomBytes(24).toString('base64url');
        const list = tokens.get(kioskId)!;
        list.push(token);
        if (list.length > TOKENS_KEPT) list.shift();
        res.set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.send(template.replace('<head>', `<head>\n  <meta name="kiosk-token" content="${token}">`));
      };
    },
    problems: (err, req, res, next) => {
      if (
        res.headersSent ||
        !(err instanceof HostNotAllowedError || err instanceof KioskOriginError || err instanceof CrossSiteRequestError || err instanceof KioskTokenError)
      ) {
        next(err);
        return;
      }
      const problem = toProblem(err, req.path);
      res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
    },
  };
}
