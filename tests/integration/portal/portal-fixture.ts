import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import supertest from 'supertest';
import type { Express } from 'express';
import { ManualClock } from '../../../services/common/clock.js';
import { createLogger } from '../../../services/common/logger.js';
import { withMunicipality, type Database } from '../../../services/vrs/db/database.js';
import type { VrsDeps } from '../../../services/vrs/deps.js';
import { hashPassword } from '../../../services/vrs/portal/auth/password.js';
import { createPortalApp, type PortalOptions } from '../../../services/vrs/portal/portal-app.js';
import { ensureMunicipality } from '../../../services/vrs/seed/municipalities.js';
import { freshVrsDatabase, type DbKind } from '../../helpers/vrs-db.js';

export const PASSWORD = 'correct horse battery staple';
export const TOWN_A = { code: '131016', name: '千代田区' };
export const TOWN_B = { code: '162027', name: '高岡市' };

/** A portal over a fresh database with two municipalities, a manual clock and a private mailbox. */
export interface PortalFixture {
  db: Database;
  deps: VrsDeps;
  clock: ManualClock;
  app: Express;
  mailDir: string;
  close(): Promise<void>;
}

export async function portalFixture(kind: DbKind, serverUrl: string, options: PortalOptions = {}): Promise<PortalFixture> {
  const fresh = await freshVrsDatabase(kind, serverUrl);
  const clock = new ManualClock(new Date('2026-06-15T03:00:00Z'));
  const mailDir = await mkdtemp(join(tmpdir(), 'vrs-mail-'));
  const deps: VrsDeps = {
    db: fresh.db,
    keys: { master: randomBytes(32), lookup: randomBytes(32) },
    clock,
    log: createLogger({ service: 'vrs-portal-test', level: 'silent' }),
    mailDir,
  };
  for (const m of [TOWN_A, TOWN_B]) await ensureMunicipality(fresh.db, deps.keys.master, { ...m, participates: true });
  return {
    db: fresh.db,
    deps,
    clock,
    app: createPortalApp(deps, options),
    mailDir,
    async close() {
      if (fresh.url) await dropWhenIdle(fresh.db, fresh.url, serverUrl);
      else await fresh.drop();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

/**
 * Closes the pool, waits until the server has let go of its connections, then drops the database.
 * (pg's pool.end() resolves before the backends are gone, and `DROP DATABASE … WITH (FORCE)` then
 * kills them: the closing clients get an unhandled FATAL 57P01 that fails the run.)
 */
async function dropWhenIdle(db: Database, url: string, serverUrl: string): Promise<void> {
  await db.close();
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

/** A staff account with a random lg.jp address (cheap scrypt parameters keep tests fast). */
export async function addStaff(
  db: Database,
  municipalityCode: string,
  opts: { disabled?: boolean; email?: string } = {},
): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const email = opts.email ?? `staff-${randomBytes(4).toString('hex')}@city.example.lg.jp`;
  const hash = await hashPassword(PASSWORD, { N: 1024 });
  await withMunicipality(db, municipalityCode, (tx) =>
    tx.query('INSERT INTO staff (id, municipality_code, email, password_hash, disabled) VALUES ($1, $2, $3, $4, $5)', [
      id,
      municipalityCode,
      email,
      hash,
      opts.disabled ?? false,
    ]),
  );
  return { id, email };
}

/** Mail files in the mailbox. */
export async function mailFiles(mailDir: string): Promise<string[]> {
  return (await readdir(mailDir)).filter((f) => f.endsWith('.eml')).sort();
}

/** Reads the one-time code from a mail file, checking it is addressed to `to`. */
export async function codeFromMail(mailDir: string, file: string, to: string): Promise<{ code: string; raw: string }> {
  const raw = await readFile(join(mailDir, file), 'utf8');
  const sep = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, sep);
  const body = raw.slice(sep + 4);
  if (!head.split('\r\n').includes(`To: ${to}`)) throw new Error(`mail ${file} is not addressed to ${to}`);
  const m = /確認コード: (\d{6})/.exec(body);
  if (!m) throw new Error(`no code in mail ${file}`);
  return { code: m[1]!, raw };
}

/** Password step: answers the challenge id and the code mailed for it. */
export async function startLogin(f: PortalFixture, email: string, password = PASSWORD): Promise<{ challengeId: string; code: string; raw: string }> {
  const before = new Set(await mailFiles(f.mailDir));
  const res = await supertest(f.app).post('/api/v1/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${JSON.stringify(res.body)}`);
  const fresh = (await mailFiles(f.mailDir)).filter((x) => !before.has(x));
  if (fresh.length !== 1) throw new Error(`expected one new mail, found ${fresh.length}`);
  return { challengeId: res.body.challengeId as string, ...(await codeFromMail(f.mailDir, fresh[0]!, email)) };
}

/** Both factors: an agent holding the session cookie, and the CSRF token. */
export async function loggedIn(f: PortalFixture, email: string): Promise<{ agent: supertest.Agent; csrf: string }> {
  const { challengeId, code } = await startLogin(f, email);
  const agent = supertest.agent(f.app);
  const res = await agent.post('/api/v1/login/verify').send({ challengeId, code });
  if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken as string };
}

/** An issued certificate row, inserted as the municipality itself (through row-level security). */
export async function addIssuance(
  db: Database,
  municipalityCode: string,
  row: { certificateId?: string; atenaNumber?: string; kind?: 'domestic' | 'overseas'; copies?: number; issuedAt: string; status?: 'issued' | 'reserved' },
): Promise<string> {
  const certificateId = row.certificateId ?? randomBytes(6).toString('hex').toUpperCase();
  const copies = row.copies ?? 1;
  await withMunicipality(db, municipalityCode, (tx) =>
    tx.query(
      `INSERT INTO certificate_issuances (certificate_id, municipality_code, atena_number, kind, channel, status, reserved_at, issued_at, copies, fee, kiosk_id, store_id, source)
       VALUES ($1, $2, $3, $4, 'kiosk', $5, $6::timestamptz, $7::timestamptz, $8, $9, 'K-0001', 'S-0001', '{}'::jsonb)`,
      [
        certificateId,
        municipalityCode,
        row.atenaNumber ?? '100000000000001',
        row.kind ?? 'domestic',
        row.status ?? 'issued',
        row.issuedAt,
        row.status === 'reserved' ? null : row.issuedAt,
        copies,
        copies * 120,
      ],
    ),
  );
  return certificateId;
}

/**
 * Invites `email` as the logged-in staff member: answers the response and, when a mail went out,
 * the token of the link in it (checked to be addressed to `email` and to point at the portal's page).
 */
export async function invite(
  f: PortalFixture,
  session: { agent: supertest.Agent; csrf: string },
  email: string,
): Promise<{ res: supertest.Response; token?: string; mail?: string }> {
  const before = new Set(await mailFiles(f.mailDir));
  const res = await session.agent.post('/api/v1/staff').set('X-CSRF-Token', session.csrf).send({ email });
  const fresh = (await mailFiles(f.mailDir)).filter((x) => !before.has(x));
  if (fresh.length === 0) return { res };
  if (fresh.length !== 1) throw new Error(`expected one new mail, found ${fresh.length}`);
  const raw = await readFile(join(f.mailDir, fresh[0]!), 'utf8');
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  if (!head.split('\r\n').includes(`To: ${email.toLowerCase()}`)) throw new Error(`invitation mail is not addressed to ${email}`);
  const m = /\/invitation\.html#token=([A-Za-z0-9_-]{43})\r\n/.exec(raw.slice(head.length));
  if (!m) throw new Error(`no invitation link in mail: ${body.slice(0, 200)}`);
  return { res, token: m[1]!, mail: raw };
}

/** The invited person sets a password with the link's token. */
export function acceptInvitation(f: PortalFixture, token: string, password = PASSWORD): supertest.Test {
  return supertest(f.app).post('/api/v1/invitation/accept').send({ token, password });
}
