import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../../services/common/clock.js';
import { loadRelayConfig } from '../../../../services/relay/config.js';
import { startRelay, type RunningRelay } from '../../../../services/relay/server.js';
import type { LogCapture } from './log-capture.js';

export type StoreKind = 'redis' | 'memory';

/** A relay as `npm run relay` starts it (real mTLS server on a free port), configured for tests. */
export async function startTestRelay(options: {
  vrsUrl: string;
  store: StoreKind;
  redisUrl: string;
  logs: LogCapture;
  clock?: Clock;
  env?: Record<string, string>;
  startWorker?: boolean;
}): Promise<RunningRelay & { outboxDir: string; env: Record<string, string> }> {
  const outboxDir = options.env?.OUTBOX_DIR ?? (await mkdtemp(join(tmpdir(), 'relay-outbox-')));
  const env: Record<string, string> = {
    RELAY_PORT: '0',
    SERVICE_HOURS: '00:00-24:00',
    VRS_URL: options.vrsUrl,
    VRS_TIMEOUT_MS: '5000',
    NOTICE_RETRY_BASE_MS: '100',
    NOTICE_RETRY_MAX_MS: '400',
    NOTICE_POLL_MS: '100',
    OUTBOX_DIR: outboxDir,
    BOOKS_DIR: options.env?.BOOKS_DIR ?? (await mkdtemp(join(tmpdir(), 'relay-books-'))),
    LOG_LEVEL: 'info',
    // Each test's relays get their own Redis namespace (outbox included) unless told to share one.
    ...(options.store === 'redis' ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:` } : {}),
    ...options.env,
  };
  const relay = await startRelay(loadRelayConfig(env), {
    logDestination: options.logs,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.startWorker === undefined ? {} : { startWorker: options.startWorker }),
  });
  return Object.assign(relay, { outboxDir, env });
}
