import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRelayConfig } from '../../../services/relay/config.js';
import { startRelay, type RunningRelay } from '../../../services/relay/server.js';
import { loadVrsConfig } from '../../../services/vrs/config.js';
import { startVrs, type RunningVrs } from '../../../services/vrs/server.js';
import { freshVrsDatabase } from '../../helpers/vrs-db.js';

/** This project's own VRS (PGlite in memory, demo cast) and relay on free ports, for the kit to test. */
export interface OwnStack {
  vrs: RunningVrs;
  relay: RunningRelay;
  stop(): Promise<void>;
}

export async function startOwnStack(options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<OwnStack> {
  const tmp = await mkdtemp(join(tmpdir(), 'conformance-stack-'));
  const fresh = await freshVrsDatabase('pglite');
  const vrs = await startVrs(loadVrsConfig({ VRS_PORT: '0', PORTAL_PORT: '0', MAIL_DIR: join(tmp, 'mail'), LOG_LEVEL: 'silent' }), { db: fresh.db });
  let relay: RunningRelay;
  try {
    relay = await startRelay(
      loadRelayConfig({
        RELAY_PORT: '0',
        SERVICE_HOURS: '00:00-24:00',
        SESSION_TTL_S: '20',
        DOCUMENT_TTL_S: '6',
        VRS_URL: vrs.lgwanUrl,
        OUTBOX_DIR: join(tmp, 'outbox'),
        BOOKS_DIR: join(tmp, 'books'),
        NOTICE_POLL_MS: '200',
        LOG_LEVEL: 'silent',
        ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
        ...options.env,
      }),
    );
  } catch (err) {
    await vrs.close();
    await fresh.drop();
    throw err;
  }
  return {
    vrs,
    relay,
    async stop() {
      await relay.stop().catch(() => undefined);
      await vrs.close().catch(() => undefined);
      await fresh.drop().catch(() => undefined);
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
