import { randomBytes } from 'node:crypto';
import { readFileSync, watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../services/common/clock.js';
import { createLogger } from '../../../services/common/logger.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import type { Database } from '../../../services/vrs/db/database.js';
import type { VrsDeps } from '../../../services/vrs/deps.js';
import { createLgwanApp } from '../../../services/vrs/lgwan/lgwan-app.js';
import { createPortalApp, type PortalOptions } from '../../../services/vrs/portal/portal-app.js';
import { demoStaffEmail, seedDemo } from '../../../services/vrs/seed/demo-seed.js';
import { freshVrsDatabase, type DbKind } from '../../helpers/vrs-db.js';

export const DEMO_PASSWORD = 'demo-password-e2e';
export { demoStaffEmail };

/** VRS as `npm start` runs it: the portal (HTTP, loopback) and the LGWAN API (mTLS), one database. */
export interface PortalStack {
  portalUrl: string;
  lgwanUrl: string;
  db: Database;
  deps: VrsDeps;
  mailDir: string;
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Starts VRS over a fresh migrated database seeded with the demo cast (municipalities, residents,
 * doses, passports and one demo staff account each, password DEMO_PASSWORD), with a private mailbox.
 */
export async function startPortalStack(kind: DbKind, databaseUrl: string, options: PortalOptions = {}): Promise<PortalStack> {
  const fresh = await freshVrsDatabase(kind, databaseUrl);
  const mailDir = await mkdtemp(join(tmpdir(), 'portal-e2e-mail-'));
  const deps: VrsDeps = {
    db: fresh.db,
    keys: { master: randomBytes(32), lookup: randomBytes(32) },
    clock: systemClock,
    log: createLogger({ service: 'vrs-e2e', level: 'silent' }),
    mailDir,
  };
  await seedDemo(deps, { demoPassword: DEMO_PASSWORD });

  let portalPort = 0;
  const portal = http.createServer(createPortalApp(deps, { publicUrl: () => `http://127.0.0.1:${portalPort}`, ...options }));
  portalPort = await listen(portal);
  const pki = pkiPaths();
  const read = (p: string): string => readFileSync(p, 'utf8');
  const lgwan = https.createServer(
    {
      cert: read(pki.server('vrs').cert),
      key: read(pki.server('vrs').key),
      ca: read(pki.lgwanCa),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    createLgwanApp(deps),
  );
  const lgwanPort = await listen(lgwan);
  return {
    portalUrl: `http://127.0.0.1:${portalPort}`,
    lgwanUrl: `https://localhost:${lgwanPort}`,
    db: fresh.db,
    deps,
    mailDir,
    async close() {
      await closeServer(portal);
      await closeServer(lgwan);
      await fresh.drop();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

/**
 * The first capture of `pattern` in the newest mail to `to` in a mail file the test had not seen
 * before. Waits for the mail writer's file to appear (fs.watch on the mail folder; the writer
 * renames a finished file into place), not in a polling loop.
 */
export async function waitForMail(mailDir: string, to: string, seen: Set<string>, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const scan = async (): Promise<string | undefined> => {
    const files = (await readdir(mailDir)).filter((f) => f.endsWith('.eml') && !seen.has(f)).sort();
    for (const f of files.reverse()) {
      const raw = await readFile(join(mailDir, f), 'utf8');
      const sep = raw.indexOf('\r\n\r\n');
      if (!raw.slice(0, sep).split('\r\n').includes(`To: ${to}`)) continue;
      const m = pattern.exec(raw.slice(sep + 4));
      if (m) {
        seen.add(f);
        return m[1]!;
      }
    }
    return undefined;
  };
  return new Promise<string>((resolve, reject) => {
    let done = false;
    let busy = false;
    let again = false;
    const finish = (end: () => void) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      end();
    };
    // One look at a time; a change during a look asks for another.
    const look = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const code = await scan();
          if (code) return finish(() => resolve(code));
        } while (again && !done);
      } catch (e) {
        finish(() => reject(e as Error));
      } finally {
        busy = false;
      }
    };
    // Watching starts before the first look, so a mail written in between is not missed.
    const watcher = watch(mailDir, () => void look());
    const timer = setTimeout(() => finish(() => reject(new Error(`no mail matching ${pattern} to ${to} within ${timeoutMs} ms`))), timeoutMs);
    void look();
  });
}

/** The newest one-time code mailed to `to` after `seen`. */
export function waitForCode(mailDir: string, to: string, seen: Set<string>, timeoutMs = 10_000): Promise<string> {
  return waitForMail(mailDir, to, seen, /確認コード: (\d{6})/, timeoutMs);
}

/** Mail files present now (so the next code read is a new one). */
export async function mailSeen(mailDir: string): Promise<Set<string>> {
  return new Set((await readdir(mailDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')));
}
