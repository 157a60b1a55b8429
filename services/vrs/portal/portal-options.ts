/** Tunables of the portal; every field has a default suited to the demo and to tests. */
export interface PortalOptions {
  /**
   * Mark the session cookie `Secure`. Default: only when the request came over HTTPS
   * (`req.secure`, which honours `trustProxy`).
   */
  secureCookies?: boolean;
  /** express `trust proxy` setting, when the portal sits behind a TLS-terminating proxy. */
  trustProxy?: boolean | string | number;
  /** A session ends after this long without a request. Default 30 minutes. */
  sessionIdleMs?: number;
  /** A session ends this long after login, whatever the activity. Default 8 hours. */
  sessionMaxMs?: number;
  /** Lifetime of a login challenge (the mailed one-time code). Default 10 minutes. */
  challengeTtlMs?: number;
  /** Wrong codes that end a challenge. Default 5. */
  maxCodeAttempts?: number;
  /**
   * One-time codes a staff member may be sent within one challenge lifetime; more password logins
   * in that window are refused (each challenge allows `maxCodeAttempts` guesses). Default 5.
   */
  maxChallengesPerWindow?: number;
  /** Active staff accounts per municipality. Default 10 (seed 004). */
  maxStaff?: number;
  /** Largest CSV upload, in bytes. Default 50 MiB. */
  importLimitBytes?: number;
  /** Sender of the one-time code mails. */
  mailFrom?: string;
  /** How long a staff invitation link works. Default 72 hours. */
  invitationTtlMs?: number;
  /**
   * The portal's address as staff reach it, for the links in invitation mails (never taken from the
   * request's Host header, which a client chooses). A function when it is known only after listening.
   * Default `http://localhost:8081`.
   */
  publicUrl?: string | (() => string);
}

export type ResolvedPortalOptions = Required<Omit<PortalOptions, 'secureCookies' | 'trustProxy' | 'publicUrl'>> &
  Pick<PortalOptions, 'secureCookies' | 'trustProxy'> & { publicUrl: () => string };

export function resolvePortalOptions(options: PortalOptions = {}): ResolvedPortalOptions {
  return {
    secureCookies: options.secureCookies,
    trustProxy: options.trustProxy,
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60_000,
    sessionMaxMs: options.sessionMaxMs ?? 8 * 60 * 60_000,
    challengeTtlMs: options.challengeTtlMs ?? 10 * 60_000,
    maxCodeAttempts: options.maxCodeAttempts ?? 5,
    maxChallengesPerWindow: options.maxChallengesPerWindow ?? 5,
    maxStaff: options.maxStaff ?? 10,
    importLimitBytes: options.importLimitBytes ?? 50 * 1024 * 1024,
    mailFrom: options.mailFrom ?? 'no-reply@vrs.example.lg.jp',
    invitationTtlMs: options.invitationTtlMs ?? 72 * 60 * 60_000,
    publicUrl: publicUrlOf(options.publicUrl),
  };
}

function publicUrlOf(v: PortalOptions['publicUrl']): () => string {
  if (typeof v === 'function') return () => v().replace(/\/+$/, '');
  const url = (v ?? 'http://localhost:8081').replace(/\/+$/, '');
  return () => url;
}
