/**
 * Issue 15, maintenance finding: five wrong passwords from one browser used to lock the screen
 * for everyone for 60 s. Now the back-off is per browser (a cookie-bound counter) and per account
 * only for browsers the screen does not know: staff who logged in before are never held back.
 * Drives the real simulator over HTTP; time moves on an injected clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../services/common/clock.js';
import { createLogger } from '../../services/common/logger.js';
import { pkiPaths } from '../../services/common/pki-paths.js';
import { startKioskSim, type RunningKioskSim } from '../../kiosk-sim/server.js';

const PASSWORD = 'maintenance-security-test';
const clock = new ManualClock(Date.UTC(2030, 5, 1, 3));
let sim: RunningKioskSim;
let dir: string;
beforeAll(async () => {
  const pki = pkiPaths(resolve('certs/out'));
  dir = await mkdtemp(join(tmpdir(), 'maint-sec-'));
  // No relay is running: the maintenance screen does not need it.
  sim = await startKioskSim({
    port: 0,
    relayUrl: 'https://127.0.0.1:9',
    kioskCertDir: pki.kiosksDir,
    relayCa: pki.serverCa,
    cardsDir: pki.cardsDir,
    logDir: join(dir, 'logs'),
    maintenancePassword: PASSWORD,
    heartbeatMs: 0,
    kioskIds: ['KIOSK-0001'],
    clock,
    logger: createLogger({ service: 'kiosk-sim', level: 'silent' }),
  });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A browser: keeps the cookies the screen sets. */
function browser() {
  const jar = new Map<string, string>();
  return async (password: string) => {
    const res = await fetch(`${sim.maintenanceUrl}api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: JSON.stringify({ password }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const [k, v] = kv!.split('=');
      jar.set(k!, v!);
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { code?: string } };
  };
}

describe('maintenance login back-off', () => {
  it('holds back the guessing browser with 429 ERR_LOGIN_THROTTLED, never the staff member who logged in before', async () => {
    const staff = browser();
    expect((await staff(PASSWORD)).status).toBe(200);
    const attacker = browser();
    for (let i = 0; i < 5; i++) expect((await attacker(`guess-${i}`)).status).toBe(401);
    const held = await attacker(PASSWORD);
    expect(held.status).toBe(429);
    expect(held.body.code).toBe('ERR_LOGIN_THROTTLED');
    expect(Number(held.retryAfter)).toBeGreaterThan(0);
    // A guesser dropping its cookies meets the account-wide back-off of unknown browsers.
    expect((await browser()(PASSWORD)).status).toBe(429);
    // The staff member's browser is not locked out by someone else's guesses (main: 429 for everyone).
    expect((await staff(PASSWORD)).status).toBe(200);
    // Every delay runs out: no permanent lock.
    clock.advance(Number(held.retryAfter) * 1000);
    expect((await attacker(PASSWORD)).status).toBe(200);
  });

  it('grows the delay with more failures, capped at 15 minutes', async () => {
    const attacker = browser();
    let last = 0;
    for (let i = 0; i < 20; i++) {
      const r = await attacker(`wrong-${i}`);
      if (r.status === 429) {
        last = Number(r.retryAfter);
        clock.advance(last * 1000);
      }
    }
    expect(last).toBe(15 * 60);
  });
});
