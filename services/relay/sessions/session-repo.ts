import { randomBytes } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { InternalError } from '../../common/errors.js';
import { SessionNotFoundError } from '../relay-errors.js';
import type { ClientIdentity } from '../../common/mtls.js';
import type { LookupMunicipality } from '../../common/lgwan-contract.js';
import { storeKeys, type OneTimeStore } from '../one-time/store.js';

/** The kiosk a session belongs to (client certificate CN and OU). */
export interface KioskIdentity {
  kioskId: string;
  storeId: string;
}

/** The holder data of a verified card: kept only here, encrypted, for the session's life. */
export interface SessionHolder {
  myNumber: string;
  name: string;
  birthDate: string;
}

/** A session as kept (sealed) in the one-time store under `relay:{sid}:session`. */
export interface SessionRecord {
  kioskId: string;
  storeId: string;
  /** open → verified (card accepted) → ended (completed; holder data erased). */
  state: 'open' | 'verified' | 'ended';
  /** Epoch ms; the store TTL ends the session then. */
  expiresAt: number;
  holder?: SessionHolder;
  /** What VRS answered at step 3: the municipalities holding records. */
  municipalities?: LookupMunicipality[];
}

/** A fresh 128-bit random identifier, base64url (22 characters). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export const kioskOf = (client: ClientIdentity): KioskIdentity => ({ kioskId: client.cn, storeId: client.ou ?? '' });

/**
 * Sessions in the one-time store. A session belongs to the kiosk that opened it: for any other
 * kiosk it does not exist (404), so its ID reveals nothing.
 */
export class SessionRepo {
  constructor(
    private readonly store: OneTimeStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Opens a session with a fresh 32-byte challenge (a one-time item of its own). */
  async open(kiosk: KioskIdentity): Promise<{ sessionId: string; challenge: Buffer; expiresAt: number }> {
    const sessionId = randomId();
    const challenge = randomBytes(32);
    const expiresAt = this.clock.now().getTime() + this.ttlMs;
    const record: SessionRecord = { kioskId: kiosk.kioskId, storeId: kiosk.storeId, state: 'open', expiresAt };
    // NX: a (never expected) identifier collision must not take over someone else's session.
    if (!(await this.store.put(storeKeys.session(sessionId), JSON.stringify(record), this.ttlMs, { nx: true }))) {
      throw new InternalError('session identifier collision');
    }
    // A copy goes to the store (which may keep the Buffer it is given); `challenge` goes to the kiosk.
    await this.store.putBytes(storeKeys.challenge(sessionId), Buffer.from(challenge), this.ttlMs);
    return { sessionId, challenge, expiresAt };
  }

  /** The session if it exists and belongs to `kiosk`; else 404 ERR_SESSION_NOT_FOUND. */
  async load(sessionId: string, kiosk: KioskIdentity): Promise<SessionRecord> {
    const raw = /^[A-Za-z0-9_-]{22}$/.test(sessionId) ? await this.store.get(storeKeys.session(sessionId)) : undefined;
    const rec = raw === undefined ? undefined : (JSON.parse(raw) as SessionRecord);
    if (!rec || rec.kioskId !== kiosk.kioskId || rec.storeId !== kiosk.storeId || rec.expiresAt <= this.clock.now().getTime()) {
      throw new SessionNotFoundError();
    }
    return rec;
  }

  /** Milliseconds the session has left (≥ 1 or 404). */
  remainingMs(rec: SessionRecord): number {
    const left = rec.expiresAt - this.clock.now().getTime();
    if (left <= 0) throw new SessionNotFoundError();
    return left;
  }

  /**
   * Rewrites the session, keeping its original expiry, only while it exists: a DELETE or expiry
   * that landed during a running request is never undone (404 instead).
   */
  async save(sessionId: string, rec: SessionRecord): Promise<void> {
    if (!(await this.store.put(storeKeys.session(sessionId), JSON.stringify(rec), this.remainingMs(rec), { xx: true }))) {
      await this.store.eraseSession(sessionId);
      throw new SessionNotFoundError();
    }
  }

  /** Whether the session is still there (it may have been erased while a request was running). */
  async exists(sessionId: string): Promise<boolean> {
    return (await this.store.get(storeKeys.session(sessionId))) !== undefined;
  }

  /** Takes the challenge (atomic: a challenge answers one card data set, once). */
  async takeChallenge(sessionId: string): Promise<Buffer | undefined> {
    return this.store.takeBytes(storeKeys.challenge(sessionId));
  }

  /** Erases everything the session holds. */
  async erase(sessionId: string): Promise<void> {
    await this.store.eraseSession(sessionId);
  }
}
