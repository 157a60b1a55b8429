import { Redis } from 'ioredis';

/** Waits for Redis to expire keys, told by Redis itself (keyspace notifications), not by a sleep. */
export interface ExpiryWatch {
  /** Resolves once Redis has expired `key` (the full name, key prefix included); rejects after `ms`. */
  expired(key: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes to the expired events of the test Redis. Keyspace notifications for expired keys
 * (`E` + `x`) are switched on and left on: other test files may watch at the same time, and on a
 * test server the events cost nothing. Start watching before the keys are written.
 */
export async function watchExpiry(redisUrl: string): Promise<ExpiryWatch> {
  const admin = new Redis(redisUrl);
  const sub = new Redis(redisUrl);
  try {
    const [, flags = ''] = (await admin.config('GET', 'notify-keyspace-events')) as string[];
    const want = [...new Set([...flags, ...(flags.includes('A') ? 'E' : 'Ex')])].join('');
    if (want !== flags) await admin.config('SET', 'notify-keyspace-events', want);
  } finally {
    await admin.quit();
  }
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  sub.on('pmessage', (_pattern: string, _channel: string, key: string) => {
    seen.add(key);
    waiters.get(key)?.();
  });
  await sub.psubscribe('__keyevent@*__:expired');
  return {
    expired(key, ms = 15_000) {
      if (seen.has(key)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          reject(new Error(`Redis did not expire ${key} within ${ms} ms`));
        }, ms);
        waiters.set(key, () => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve();
        });
      });
    },
    close: async () => {
      await sub.quit();
    },
  };
}
