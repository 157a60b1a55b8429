import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { systemClock, type Clock } from '../../../../services/common/clock.js';
import { createLogger } from '../../../../services/common/logger.js';
import { pkiPaths } from '../../../../services/common/pki-paths.js';
import type { Database } from '../../../../services/vrs/db/database.js';
import { readKeyFile, type VrsDeps } from '../../../../services/vrs/deps.js';
import { createLgwanApp } from '../../../../services/vrs/lgwan/lgwan-app.js';
import { seedDemo } from '../../../../services/vrs/seed/demo-seed.js';
import { freshVrsDatabase } from '../../../helpers/vrs-db.js';
import type { LogCapture } from './log-capture.js';

/** The real VRS LGWAN service (mTLS, LGWAN CA only) on a loopback port, over a seeded database. */
export interface TestVrs {
  url: string;
  port: number;
  db: Database;
  deps: VrsDeps;
  /** Stops listening (the database stays): "VRS down". */
  stop(): Promise<void>;
  /** Listens again on the same port: "VRS back". */
  start(): Promise<void>;
  /** Stops and drops the database. */
  destroy(): Promise<void>;
  /** Completion notices VRS recorded for a certificate ID. */
  noticeCount(certificateId: string): Promise<number>;
}

export async function startTestVrs(options: { databaseUrl: string; logs: LogCapture; clock?: Clock }): Promise<TestVrs> {
  // Suites migrate their databases at the same moment; the migration runner creates the server-wide
  // role race-free (services/vrs/db/migrate.ts ensureAppRole), so no retry is needed.
  const fresh = await freshVrsDatabase('postgres', options.databaseUrl);
  const pki = pkiPaths();
  const deps: VrsDeps = {
    db: fresh.db,
    keys: { master: await readKeyFile(pki.vrsMasterKey, 'VRS_MASTER_KEY_FILE'), lookup: await readKeyFile(pki.vrsLookupKey, 'VRS_LOOKUP_KEY_FILE') },
    clock: options.clock ?? systemClock,
    log: createLogger({ service: 'vrs', level: 'info', destination: options.logs }),
    mailDir: '.data/mailbox-test',
  };
  await seedDemo(deps);
  const app = createLgwanApp(deps);
  const read = (p: string) => readFileSync(p, 'utf8');
  const tls = {
    cert: read(pki.server('vrs').cert),
    key: read(pki.server('vrs').key),
    ca: read(pki.lgwanCa),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2' as const,
  };
  let server: https.Server | undefined;
  let port = 0;
  const listen = async () => {
    const s = https.createServer(tls, app);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  await listen();
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    get url() {
      return `https://localhost:${port}`;
    },
    get port() {
      return port;
    },
    db: fresh.db,
    deps,
    stop,
    start: listen,
    async destroy() {
      await stop();
      await fresh.drop();
    },
    async noticeCount(certificateId) {
      const { rows } = await fresh.db.query<{ n: string }>('SELECT count(*)::text AS n FROM completion_notices WHERE certificate_id = $1', [certificateId]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
