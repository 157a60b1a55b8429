/**
 * The one-time store: the relay's only state (ARCHITECTURE.md invariant 5). A few verbs, TTL on
 * everything, and an atomic take (invariant 3). Keys of one session share the hash tag
 * `{<sessionId>}` so that Redis Cluster keeps them in one slot. Each verb has a text form and a
 * bytes form (`…Bytes`); a value written as one can be read as the other (UTF-8), as in Redis.
 */
export interface OneTimeStore {
  /**
   * Stores `value` for `ttlMs`. With `nx`, only when the key is absent; with `xx`, only when it is
   * present (so an erased session is never brought back). Returns whether it was stored.
   */
  put(key: string, value: string, ttlMs: number, options?: PutOptions): Promise<boolean>;
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Reads and erases in one atomic step: of two concurrent takes, one gets the value. */
  take(key: string): Promise<string | undefined>;
  /**
   * `put` for bytes (a document, a challenge): stored as they are, never as text. The store may
   * keep the Buffer it is given, so the caller must not change it afterwards.
   */
  putBytes(key: string, value: Buffer, ttlMs: number, options?: PutOptions): Promise<boolean>;
  /** `get` for bytes. */
  getBytes(key: string): Promise<Buffer | undefined>;
  /** `take` for bytes: as atomic as `take`. */
  takeBytes(key: string): Promise<Buffer | undefined>;
  /** Erases keys (absent ones are ignored). */
  erase(...keys: string[]): Promise<void>;
  /** Erases every key of a session. */
  eraseSession(sessionId: string): Promise<void>;
  /** Every key the store holds for a session (tests and audits; never values). */
  sessionKeys(sessionId: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface PutOptions {
  nx?: boolean;
  xx?: boolean;
}

/** Key names. Everything of a session carries its hash tag. */
export const storeKeys = {
  session: (sid: string) => `relay:{${sid}}:session`,
  challenge: (sid: string) => `relay:{${sid}}:challenge`,
  request: (sid: string, rid: string) => `relay:{${sid}}:req:${rid}`,
  document: (sid: string, rid: string) => `relay:{${sid}}:doc:${rid}`,
  receipt: (sid: string, rid: string) => `relay:{${sid}}:receipt:${rid}`,
  /** The set of a session's keys (Redis only). */
  index: (sid: string) => `relay:{${sid}}:keys`,
  /** Prefix of every key of a session. */
  prefix: (sid: string) => `relay:{${sid}}:`,
};

/** The session ID inside a key's hash tag, if any. */
export function sessionIdOfKey(key: string): string | undefined {
  return /^relay:\{([^}]+)\}:/.exec(key)?.[1];
}
