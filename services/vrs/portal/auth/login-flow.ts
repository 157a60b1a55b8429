import { randomBytes } from 'node:crypto';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality, withoutMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { hashPassword, verifyPassword } from './password.js';
import { recordAudit } from '../audit/audit-log.js';
import { LoginError } from '../../../common/auth-errors.js';
import { LoginCodeError, LoginCodeLimitError, LoginExpiredError, LoginLockedError } from '../errors.js';
import type { ResolvedPortalOptions } from '../portal-options.js';
import { lgJpAddress } from '../validation.js';
import { LoginThrottle } from './login-throttle.js';
import { writeMailFile } from './mail-writer.js';
import { newOneTimeCode, oneTimeCodeHmac, sameDigest } from './one-time-code.js';
import { createSession, purgeExpired } from './sessions.js';

/** What a successful second factor yields. */
export interface LoginResult {
  sessionId: string;
  expiresAt: Date;
  csrfToken: string;
  staff: { email: string; municipality: { code: string; name: string } };
}

export interface LoginFlow {
  /**
   * First factor: checks e-mail and password, mails a one-time code, answers a challenge id.
   * `client` is the caller's address (req.ip: the peer, or X-Forwarded-For under TRUST_PROXY).
   */
  start(email: string, password: string, client?: string): Promise<{ challengeId: string }>;
  /** Second factor: checks the code against the challenge and opens a session. */
  verify(challengeId: string, code: string, client?: string): Promise<LoginResult>;
}

const CHALLENGE_ID = /^[0-9a-f]{32}$/;
const SUBJECT = '【ワクチン接種記録システム】ログイン用確認コード';
const THROTTLE_SUBJECT = '【ワクチン接種記録システム】ログイン試行の一時制限';

interface StaffRow {
  id: string;
  municipality_code: string;
  password_hash: string;
  disabled: boolean;
}

interface ChallengeRow {
  staff_id: string;
  municipality_code: string;
  code_hmac: string;
  wrong_attempts: number;
  expires_at: Date | string;
  ended: 'verified' | 'locked' | null;
  email: string;
  disabled: boolean;
  municipality_name: string;
}

type VerifyOutcome =
  | { kind: 'unknown' }
  | { kind: 'expired' }
  | { kind: 'locked'; justLocked?: true }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'ok'; result: LoginResult };

/** The two-factor login of municipality staff (password, then a code mailed to an lg.jp address). */
export function createLoginFlow(deps: VrsDeps, options: ResolvedPortalOptions): LoginFlow {
  // A hash to check against when the address is unknown, so that answering takes as long as for a
  // known address with a wrong password (no account enumeration by timing).
  let decoyHash: Promise<string> | undefined;
  const decoy = (): Promise<string> => (decoyHash ??= hashPassword(randomBytes(16).toString('hex')));
  const throttle = new LoginThrottle(deps.clock);

  /** Counts a failure; tells the staff member by mail when it starts holding their logins back. */
  async function failed(account: string, client: string | undefined, mailTo: string | undefined): Promise<void> {
    if (!throttle.fail(account, client) || !mailTo) return;
    await writeMailFile(
      deps.mailDir,
      {
        from: options.mailFrom,
        to: mailTo,
        subject: THROTTLE_SUBJECT,
        text: [
          'お使いのアカウントで、パスワードまたは確認コードの誤りが続いたため、ログインを一時的に制限しました。',
          '制限は時間が経つと自動的に解除されます（最長15分）。正しくログインすると、回数は元に戻ります。',
          'お心当たりのない場合は、システム管理者に連絡してください。',
        ].join('\n'),
      },
      deps.clock.now(),
    );
    deps.log.warn({ event: 'portal.login.throttled' }, 'login attempts throttled');
  }

  async function start(email: string, password: string, client?: string): Promise<{ challengeId: string }> {
    throttle.check(email, client);
    const address = lgJpAddress(email);
    const staff =
      address === undefined
        ? undefined
        : (
            await withoutMunicipality(deps.db, (tx) =>
              tx.query<StaffRow>('SELECT id, municipality_code, password_hash, disabled FROM staff WHERE email = $1', [address]),
            )
          ).rows[0];
    if (!staff || address === undefined) {
      await verifyPassword(password, await decoy());
      deps.log.info({ event: 'portal.login.refused' }, 'login refused');
      await failed(email, client, undefined);
      throw new LoginError();
    }
    const passwordOk = await verifyPassword(password, staff.password_hash);
    const now = deps.clock.now();
    if (!passwordOk || staff.disabled) {
      await withMunicipality(deps.db, staff.municipality_code, (tx) =>
        recordAudit(tx, {
          municipalityCode: staff.municipality_code,
          staffId: staff.id,
          action: 'login.failure',
          detail: { reason: staff.disabled ? 'disabled' : 'password' },
          at: now,
        }),
      );
      deps.log.info({ event: 'portal.login.refused', staffId: staff.id }, 'login refused');
      await failed(email, client, staff.disabled ? undefined : address);
      throw new LoginError();
    }
    await purgeExpired(deps.db, now, options.sessionIdleMs);
    const challengeId = randomBytes(16).toString('hex');
    const code = newOneTimeCode();
    const expiresAt = new Date(now.getTime() + options.challengeTtlMs);
    const throttled = await withMunicipality(deps.db, staff.municipality_code, async (tx) => {
      // One staff member's logins are serialised by the lock, so the count below cannot be raced.
      await tx.query('SELECT id FROM staff WHERE id = $1 FOR UPDATE', [staff.id]);
      const recent = await tx.query<{ n: number; oldest: Date | string | null }>(
        'SELECT count(*)::int AS n, min(created_at) AS oldest FROM portal_login_challenges WHERE staff_id = $1 AND created_at > $2::timestamptz',
        [staff.id, new Date(now.getTime() - options.challengeTtlMs).toISOString()],
      );
      const r = recent.rows[0];
      if (r && Number(r.n) >= options.maxChallengesPerWindow && r.oldest !== null) {
        await recordAudit(tx, {
          municipalityCode: staff.municipality_code,
          staffId: staff.id,
          action: 'login.failure',
          detail: { reason: 'throttled' },
          at: now,
        });
        return Math.max(1, Math.ceil((new Date(r.oldest).getTime() + options.challengeTtlMs - now.getTime()) / 1000));
      }
      await tx.query(
        `INSERT INTO portal_login_challenges (id, staff_id, municipality_code, code_hmac, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)`,
        [challengeId, staff.id, staff.municipality_code, oneTimeCodeHmac(deps.keys.lookup, challengeId, code), now.toISOString(), expiresAt.toISOString()],
      );
      await recordAudit(tx, { municipalityCode: staff.municipality_code, staffId: staff.id, action: 'login.code_sent', at: now });
      return undefined;
    });
    if (throttled !== undefined) throw new LoginCodeLimitError(throttled);
    const minutes = Math.round(options.challengeTtlMs / 60_000);
    await writeMailFile(
      deps.mailDir,
      {
        from: options.mailFrom,
        to: address,
        subject: SUBJECT,
        text: [
          'ワクチン接種記録システム（VRS）へのログイン用確認コードをお知らせします。',
          '',
          `確認コード: ${code}`,
          '',
          `有効期限: ${toJstIso(expiresAt).slice(0, 16).replace('T', ' ')}（日本時間、発行から${minutes}分）`,
          'このコードは一度だけ使えます。お心当たりのない場合は、システム管理者に連絡してください。',
        ].join('\n'),
      },
      now,
    );
    deps.log.info({ event: 'portal.login.code_sent', staffId: staff.id }, 'one-time code mailed');
    return { challengeId };
  }

  async function verify(challengeId: string, code: string, client?: string): Promise<LoginResult> {
    if (!CHALLENGE_ID.test(challengeId)) throw new LoginExpiredError();
    const now = deps.clock.now();
    let account: string | undefined;
    const outcome = await withoutMunicipality(deps.db, async (tx): Promise<VerifyOutcome> => {
      const { rows } = await tx.query<ChallengeRow>(
        `SELECT c.staff_id, c.municipality_code, c.code_hmac, c.wrong_attempts, c.expires_at, c.ended,
                s.email, s.disabled, m.name AS municipality_name
           FROM portal_login_challenges c
           JOIN staff s ON s.id = c.staff_id
           JOIN municipalities m ON m.code = c.municipality_code
          WHERE c.id = $1
          FOR UPDATE OF c`,
        [challengeId],
      );
      const c = rows[0];
      if (!c) return { kind: 'unknown' };
      account = c.email;
      throttle.check(c.email, client);
      // From here on the transaction acts for the challenge's municipality (its audit log is behind
      // row-level security): the same scoping withMunicipality applies.
      await tx.query("SELECT set_config('app.municipality', $1, true)", [c.municipality_code]);
      const audit = (reason: string, extra: Record<string, number> = {}): Promise<void> =>
        recordAudit(tx, { municipalityCode: c.municipality_code, staffId: c.staff_id, action: 'login.failure', detail: { reason, ...extra }, at: now });
      if (c.ended === 'locked') {
        await audit('locked');
        return { kind: 'locked' };
      }
      if (c.ended === 'verified' || now.getTime() >= new Date(c.expires_at).getTime()) {
        await audit('expired');
        return { kind: 'expired' };
      }
      if (c.disabled) {
        await tx.query("UPDATE portal_login_challenges SET ended = 'locked' WHERE id = $1", [challengeId]);
        await audit('disabled');
        return { kind: 'expired' };
      }
      if (!sameDigest(oneTimeCodeHmac(deps.keys.lookup, challengeId, code), c.code_hmac)) {
        const wrong = c.wrong_attempts + 1;
        const locked = wrong >= options.maxCodeAttempts;
        await tx.query('UPDATE portal_login_challenges SET wrong_attempts = $2, ended = $3 WHERE id = $1', [challengeId, wrong, locked ? 'locked' : null]);
        await audit(locked ? 'code_locked' : 'code', { wrongAttempts: wrong });
        return locked ? { kind: 'locked', justLocked: true } : { kind: 'wrong', attemptsLeft: options.maxCodeAttempts - wrong };
      }
      await tx.query("UPDATE portal_login_challenges SET ended = 'verified' WHERE id = $1", [challengeId]);
      const session = await createSession(tx, { staffId: c.staff_id, municipalityCode: c.municipality_code, now, maxMs: options.sessionMaxMs });
      await recordAudit(tx, { municipalityCode: c.municipality_code, staffId: c.staff_id, action: 'login.success', at: now });
      return {
        kind: 'ok',
        result: { ...session, staff: { email: c.email, municipality: { code: c.municipality_code, name: c.municipality_name } } },
      };
    });
    // A challenge used up by wrong codes counts as one failure of the account (each allows 5 guesses):
    // guessing across many challenges meets the growing delay instead of 25 codes per 10 minutes forever.
    if (account !== undefined && outcome.kind === 'locked' && outcome.justLocked) await failed(account, client, account);
    switch (outcome.kind) {
      case 'ok':
        throttle.succeed(outcome.result.staff.email, client);
        deps.log.info({ event: 'portal.login.success' }, 'staff logged in');
        return outcome.result;
      case 'wrong':
        throw new LoginCodeError(outcome.attemptsLeft);
      case 'locked':
        throw new LoginLockedError();
      case 'unknown':
      case 'expired':
        throw new LoginExpiredError();
    }
  }

  return { start, verify };
}
