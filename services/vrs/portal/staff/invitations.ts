import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality, withoutMunicipality, type Queryable } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { hashPassword } from '../auth/password.js';
import { recordAudit } from '../audit/audit-log.js';
import { writeMailFile } from '../auth/mail-writer.js';
import { InvitationInvalidError, StaffExistsError, StaffLimitError } from '../errors.js';
import type { ResolvedPortalOptions } from '../portal-options.js';

/**
 * Staff are added by invitation (issue 15). Adding an address records an invitation of the
 * municipality and mails a one-time link to the address; nothing else is looked at, so the answer
 * and its timing are the same whether or not the address has an account elsewhere. The account is
 * made when the person at the address opens the link and sets a password; only that person can
 * learn that the address has an account already.
 */

export interface InvitationRow {
  id: string;
  email: string;
  created_at: Date | string;
  expires_at: Date | string;
}

/** An invitation as the staff list shows it: `invited` while its link works, then `expired`. */
export interface InvitationView {
  id: string;
  email: string;
  status: 'invited' | 'expired';
  disabled: false;
  createdAt: string;
  expiresAt: string;
}

const INVITE_SUBJECT = '【ワクチン接種記録システム】職員アカウントへの招待';

export const tokenDigest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function toInvitationView(r: InvitationRow, now: Date): InvitationView {
  const expires = new Date(r.expires_at);
  return {
    id: r.id,
    email: r.email,
    status: expires.getTime() > now.getTime() ? 'invited' : 'expired',
    disabled: false,
    createdAt: toJstIso(new Date(r.created_at)),
    expiresAt: toJstIso(expires),
  };
}

/** Open invitations of a municipality (not accepted, not revoked), expired ones included. */
export async function openInvitations(tx: Queryable, code: string): Promise<InvitationRow[]> {
  return (
    await tx.query<InvitationRow>(
      'SELECT id, email, created_at, expires_at FROM staff_invitations WHERE municipality_code = $1 AND ended IS NULL ORDER BY created_at, email',
      [code],
    )
  ).rows;
}

/** Active accounts plus invitations whose link still works: what the staff limit counts. */
async function placesTaken(tx: Queryable, code: string, now: Date): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM staff WHERE municipality_code = $1 AND NOT disabled)
          + (SELECT count(*) FROM staff_invitations WHERE municipality_code = $1 AND ended IS NULL AND expires_at > $2::timestamptz) AS n`,
    [code, now.toISOString()],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Invites `email` to the municipality `code`: refuses an address that is already an account or an
 * open invitation of this municipality (its own list shows those), and a full municipality;
 * otherwise records the invitation and mails the link. Never looks at other municipalities.
 */
export async function inviteStaff(
  deps: VrsDeps,
  options: ResolvedPortalOptions,
  by: { code: string; name: string; staffId: string },
  email: string,
): Promise<InvitationView> {
  const now = deps.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expires = new Date(now.getTime() + options.invitationTtlMs);
  const row = await withMunicipality(deps.db, by.code, async (tx) => {
    // Locking the municipality's own row serialises additions and acceptances, so the limit holds.
    await tx.query('SELECT code FROM municipalities WHERE code = $1 FOR UPDATE', [by.code]);
    await tx.query(
      "UPDATE staff_invitations SET ended = 'expired' WHERE municipality_code = $1 AND email = $2 AND ended IS NULL AND expires_at <= $3::timestamptz",
      [by.code, email, now.toISOString()],
    );
    const own = await tx.query(
      `SELECT 1 FROM staff WHERE municipality_code = $1 AND email = $2
       UNION ALL SELECT 1 FROM staff_invitations WHERE municipality_code = $1 AND email = $2 AND ended IS NULL`,
      [by.code, email],
    );
    if (own.rows.length > 0) throw new StaffExistsError();
    if ((await placesTaken(tx, by.code, now)) >= options.maxStaff) throw new StaffLimitError(options.maxStaff);
    const id = randomUUID();
    const { rows } = await tx.query<InvitationRow>(
      `INSERT INTO staff_invitations (id, municipality_code, email, token_hash, invited_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz) RETURNING id, email, created_at, expires_at`,
      [id, by.code, email, tokenDigest(token), by.staffId, now.toISOString(), expires.toISOString()],
    );
    await recordAudit(tx, { municipalityCode: by.code, staffId: by.staffId, action: 'staff.invite', detail: { invitationId: id }, at: now });
    return rows[0];
  });
  if (!row) throw new TypeError('invitation insert returned no row');
  await writeMailFile(
    deps.mailDir,
    {
      from: options.mailFrom,
      to: email,
      subject: INVITE_SUBJECT,
      text: [
        `${by.name}の職員アカウントに、このメールアドレスが登録されようとしています。`,
        '次のリンクを開いてパスワードを決めると、アカウントが使えるようになります。',
        '',
        `${options.publicUrl()}/invitation.html#token=${token}`,
        '',
        `リンクの有効期限: ${toJstIso(expires)}`,
        'お心当たりのない場合は、このメールを破棄してください。アカウントは作られません。',
      ].join('\n'),
    },
    now,
  );
  return toInvitationView(row, now);
}

/**
 * The person at the invited address sets a password: the account is made in the inviting
 * municipality. An unknown, used, revoked or expired link is `ERR_INVITATION_INVALID`; an address
 * that has an account already (in any municipality) is `ERR_STAFF_EXISTS`, told only to whoever
 * holds the link, that is, to the address's owner. Such an invitation stays open, so the inviting
 * municipality sees it expire like any unanswered one.
 */
export async function acceptInvitation(deps: VrsDeps, options: ResolvedPortalOptions, token: string, password: string): Promise<{ email: string }> {
  const now = deps.clock.now();
  const found = (
    await withoutMunicipality(deps.db, (tx) =>
      tx.query<{ id: string; municipality_code: string; email: string; expires_at: Date | string; ended: string | null }>(
        'SELECT id, municipality_code, email, expires_at, ended FROM staff_invitations WHERE token_hash = $1',
        [tokenDigest(token)],
      ),
    )
  ).rows[0];
  if (!found || found.ended !== null || new Date(found.expires_at).getTime() <= now.getTime()) throw new InvitationInvalidError();
  const passwordHash = await hashPassword(password);
  const code = found.municipality_code;
  try {
    return await withMunicipality(deps.db, code, async (tx) => {
      await tx.query('SELECT code FROM municipalities WHERE code = $1 FOR UPDATE', [code]);
      // Read again under the lock: a second use of the same link waits here, then finds it ended.
      const still = await tx.query('SELECT 1 FROM staff_invitations WHERE id = $1 AND ended IS NULL', [found.id]);
      if (still.rows.length === 0) throw new InvitationInvalidError();
      if ((await tx.query('SELECT 1 FROM staff WHERE email = $1', [found.email])).rows.length > 0) throw new StaffExistsError();
      // This invitation holds a place already; the limit counts the others.
      if ((await placesTaken(tx, code, now)) > options.maxStaff) throw new StaffLimitError(options.maxStaff);
      const staffId = randomUUID();
      await tx.query('INSERT INTO staff (id, municipality_code, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)', [
        staffId,
        code,
        found.email,
        passwordHash,
        now.toISOString(),
      ]);
      await tx.query("UPDATE staff_invitations SET ended = 'accepted', staff_id = $2 WHERE id = $1", [found.id, staffId]);
      await recordAudit(tx, { municipalityCode: code, staffId, action: 'staff.create', detail: { targetStaffId: staffId }, at: now });
      return { email: found.email };
    });
  } catch (err) {
    // Two municipalities' invitations of one address accepted at the same moment: one wins.
    if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505') throw new StaffExistsError();
    throw err;
  }
}

/** Withdraws an open invitation of the municipality; its link stops working. False when none. */
export async function revokeInvitation(deps: VrsDeps, by: { code: string; staffId: string }, id: string): Promise<boolean> {
  const now = deps.clock.now();
  return withMunicipality(deps.db, by.code, async (tx) => {
    const { rows } = await tx.query("UPDATE staff_invitations SET ended = 'revoked' WHERE id = $1 AND municipality_code = $2 AND ended IS NULL RETURNING id", [
      id,
      by.code,
    ]);
    if (rows.length === 0) return false;
    await recordAudit(tx, { municipalityCode: by.code, staffId: by.staffId, action: 'staff.invitation.revoke', detail: { invitationId: id }, at: now });
    return true;
  });
}
