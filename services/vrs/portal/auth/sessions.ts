import { createHash, randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../../db/database.js';
import { withoutMunicipality } from '../../db/database.js';

/** The logged-in staff member a request acts for. */
export interface PortalSession {
  /** SHA-256 of the cookie value (what the database keeps). */
  idHash: string;
  staffId: string;
  email: string;
  municipality: { code: string; name: string };
  csrfToken: string;
}

/** Session cookie values: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function sessionIdHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/**
 * Opens a server-side session for a staff member who has just passed both login factors.
 * Returns the cookie value (shown once, stored only as a hash) and the CSRF token.
 */
export async function createSession(
  tx: Queryable,
  input: { staffId: string; municipalityCode: string; now: Date; maxMs: number },
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const expiresAt = new Date(input.now.getTime() + input.maxMs);
  await tx.query(
    `INSERT INTO portal_sessions (id_hash, staff_id, municipality_code, csrf_token, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz, $6::timestamptz)`,
    [sessionIdHash(sessionId), input.staffId, input.municipalityCode, csrfToken, input.now.toISOString(), expiresAt.toISOString()],
  );
  return { sessionId, csrfToken, expiresAt };
}

interface SessionRow {
  staff_id: string;
  municipality_code: string;
  csrf_token: string;
  last_seen_at: Date | string;
  expires_at: Date | string;
  email: string;
  disabled: boolean;
  municipality_name: string;
}

/**
 * The live session behind a cookie value, or undefined. A session past its idle or absolute
 * limit, or of a disabled staff member, is deleted on sight. A live one has its idle clock reset.
 */
export async function loadSession(db: Database, sessionId: string, now: Date, idleMs: number): Promise<PortalSession | undefined> {
  if (!SESSION_ID.test(sessionId)) return undefined;
  const idHash = sessionIdHash(sessionId);
  return withoutMunicipality(db, async (tx) => {
    const { rows } = await tx.query<SessionRow>(
      `SELECT s.staff_id, s.municipality_code, s.csrf_token, s.last_seen_at, s.expires_at,
              st.email, st.disabled, m.name AS municipality_name
         FROM portal_sessions s
         JOIN staff st ON st.id = s.staff_id
         JOIN municipalities m ON m.code = s.municipality_code
        WHERE s.id_hash = $1`,
      [idHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const idleEnd = new Date(row.last_seen_at).getTime() + idleMs;
    if (row.disabled || now.getTime() >= new Date(row.expires_at).getTime() || now.getTime() >= idleEnd) {
      await tx.query('DELETE FROM portal_sessions WHERE id_hash = $1', [idHash]);
      return undefined;
    }
    await tx.query('UPDATE portal_sessions SET last_seen_at = $2::timestamptz WHERE id_hash = $1', [idHash, now.toISOString()]);
    return {
      idHash,
      staffId: row.staff_id,
      email: row.email,
      municipality: { code: row.municipality_code, name: row.municipality_name },
      csrfToken: row.csrf_token,
    };
  });
}

/** Ends one session. */
export async function deleteSession(tx: Queryable, idHash: string): Promise<void> {
  await tx.query('DELETE FROM portal_sessions WHERE id_hash = $1', [idHash]);
}

/** Ends every session of a staff member (used when the account is disabled). */
export async function deleteStaffSessions(tx: Queryable, staffId: string): Promise<void> {
  await tx.query('DELETE FROM portal_sessions WHERE staff_id = $1', [staffId]);
}

/** Removes sessions and login challenges past their end (housekeeping; safe to run any time). */
export async function purgeExpired(db: Database, now: Date, idleMs: number): Promise<void> {
  await withoutMunicipality(db, async (tx) => {
    await tx.query('DELETE FROM portal_sessions WHERE expires_at <= $1::timestamptz OR last_seen_at <= $1::timestamptz - make_interval(secs => $2)', [
      now.toISOString(),
      idleMs / 1000,
    ]);
    await tx.query('DELETE FROM portal_login_challenges WHERE expires_at <= $1::timestamptz', [now.toISOString()]);
  });
}
