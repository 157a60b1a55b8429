/**
 * The relay process: `npm run relay` (or `node --import tsx services/relay/server.ts`). Reads the
 * configuration from the environment, listens with mutual TLS for kiosks, and runs the
 * completion-notice worker.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, type Logger } from '../common/logger.js';
import { createCertificateBuilder } from '../certificate/builder.js';
import { createRenderPool } from '../certificate/render-pool.js';
import { loadCertificateKeys } from '../certificate/keys.js';
import { createRelayApp } from './app.js';
import type { IssuanceBooks } from './books/books.js';
import { ExpirySweeper } from './books/expiry-sweeper.js';
import { JournalFile } from './books/journal-file.js';
import { MemoryBooks } from './books/memory-books.js';
import { RedisBooks } from './books/redis-books.js';
import { ridSecret, vdsSignerId } from './revocation/rid.js';
import { createCardVerifier, readCardTrustAnchors } from './card-verify/card-verifier.js';
import { loadRelayConfig, shcIssuerUrlOf, type RelayConfig } from './config.js';
import { FileOutbox } from './notices/file-outbox.js';
import { NoticeWorker } from './notices/notice-worker.js';
import { isRelease, type NoticeOutbox } from './notices/outbox.js';
import { RedisOutbox } from './notices/redis-outbox.js';
import { MemoryStore } from './one-time/memory-store.js';
import { RedisStore } from './one-time/redis-store.js';
import { SealedStore } from './one-time/sealed.js';
import type { OneTimeStore } from './one-time/store.js';
import { ServiceHours } from './service-hours/service-hours.js';
import { SuspensionList } from './suspension/suspension-list.js';
import { createVrsClient } from './vrs-client/vrs-client.js';

/** Accept queue of the kiosk listener (the kernel caps it at net.core.somaxconn). */
const LISTEN_BACKLOG = 4096;
/** How long an idle kiosk connection is kept. */
const KEEP_ALIVE_MS = 65_000;

/** A running relay. */
export interface RunningRelay {
  server: https.Server;
  port: number;
  url: string;
  /** The sealed one-time store. */
  store: SealedStore;
  outbox: NoticeOutbox;
  worker: NoticeWorker;
  books: IssuanceBooks;
  sweeper: ExpirySweeper;
  log: Logger;
  stop(): Promise<void>;
}

/** Reads a 32-byte key stored as 64 hex digits. */
export async function readStoreKey(path: string): Promise<Buffer> {
  const text = (
    await readFile(path, 'utf8').catch(() => {
      throw new Error(`relay: RELAY_STORE_KEY_FILE: cannot read ${path} (run \`npm run certs\`)`);
    })
  ).trim();
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error(`relay: RELAY_STORE_KEY_FILE: ${path} must hold 32 bytes in hex`);
  return Buffer.from(text, 'hex');
}

/**
 * Starts a relay: one-time store (Redis when REDIS_URL is set, else in-process), outbox (Redis,
 * else files under OUTBOX_DIR), VRS client, certificate builder, the mTLS server and the notice
 * worker. Tests pass a clock, a log destination or a worker switch through `overrides`.
 */
export async function startRelay(
  config: RelayConfig,
  overrides: { clock?: Clock; logDestination?: DestinationStream; startWorker?: boolean } = {},
): Promise<RunningRelay> {
  const clock = overrides.clock ?? systemClock;
  const log = createLogger({ service: 'relay', level: config.logLevel, ...(overrides.logDestination ? { destination: overrides.logDestination } : {}) });
  const storeKey = await readStoreKey(config.storeKeyFile);
  // Redis Cluster (REDIS_CLUSTER_NODES) speaks the same verbs: a session's keys share the hash tag
  // {sid} and the outbox's the tag {outbox}, so every script touches one slot. Auto-pipelining
  // sends the commands of concurrent requests in one socket write per event-loop turn.
  const redis = config.redisClusterNodes
    ? (new Cluster(config.redisClusterNodes, { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 2 } }) as unknown as Redis)
    : config.redisUrl
      ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, keyPrefix: config.redisKeyPrefix, enableAutoPipelining: true })
      : undefined;
  const inner: OneTimeStore = redis ? new RedisStore(redis) : new MemoryStore({ clock });
  const store = new SealedStore(inner, storeKey);
  const outbox: NoticeOutbox = redis ? new RedisOutbox(redis) : new FileOutbox(config.outboxDir);
  const books: IssuanceBooks = redis ? new RedisBooks(redis) : await MemoryBooks.open({ outbox, journal: new JournalFile(`${config.booksDir}/ledger.jsonl`) });

  const read = (p: string) => readFileSync(p, 'utf8');
  const vrs = createVrsClient({
    baseUrl: config.vrsUrl,
    tls: { cert: read(config.pki.relayLgwanClient.cert), key: read(config.pki.relayLgwanClient.key), ca: read(config.pki.serverCa) },
    timeoutMs: config.vrsTimeoutMs,
  });
  const keys = await loadCertificateKeys(config.pki);
  const shcIssuerUrl = shcIssuerUrlOf(config);
  // Certificates render in worker threads unless RENDER_WORKERS=0: a PDF takes milliseconds of
  // synchronous work that would otherwise stall every request on this relay (bench/RESULTS.md).
  const pool =
    config.renderWorkers > 0
      ? createRenderPool({ pkiRoot: config.pki.root, shcIssuerUrl, verificationHint: config.verificationHint }, { size: config.renderWorkers, clock, log })
      : undefined;
  const builder =
    pool ?? createCertificateBuilder({ shcIssuerUrl, shcKey: keys.shcKey, vdsSigner: keys.vdsSigner, clock, verificationHint: config.verificationHint });
  const cardVerifier = createCardVerifier({
    trustAnchors: readCardTrustAnchors(config.pki.cardIssuerTrust),
    suspensions: new SuspensionList(config.suspensionListFile),
  });
  const worker = new NoticeWorker({
    outbox,
    deliver: (n) => (isRelease(n) ? vrs.release(n) : vrs.completion(n)),
    log,
    baseMs: config.noticeRetry.baseMs,
    maxMs: config.noticeRetry.maxMs,
    pollMs: config.noticeRetry.pollMs,
    leaseMs: Math.max(10_000, config.vrsTimeoutMs * 2),
  });

  const sweeper = new ExpirySweeper({ books, clock, log, everyMs: config.expirySweepMs, onExpired: () => worker.kick() });
  const app = createRelayApp({
    store,
    vrs,
    builder,
    cardVerifier,
    outbox,
    books,
    clock,
    log,
    issuer: { kid: keys.shcKey.kid, ridSecret: ridSecret(storeKey), vdsSigner: vdsSignerId(keys.vdsSigner.certDer) },
    requestLimit: config.requestLimit,
    issuanceLog: log.child({ log: 'jlis-issuance' }),
    serviceHours: new ServiceHours(config.serviceHours),
    feePerCopy: config.feePerCopy,
    sessionTtlMs: config.sessionTtlMs,
    documentTtlMs: config.documentTtlMs,
    bodyLimit: config.bodyLimit,
    shc: { issuerPath: new URL(shcIssuerUrl).pathname, jwks: keys.shcJwks, vdsSigner: keys.vdsSigner },
    onNotice: () => worker.kick(),
    ...(config.admission ? { admission: config.admission } : {}),
  });

  const server = https.createServer(
    {
      cert: read(config.pki.server('relay').cert),
      key: read(config.pki.server('relay').key),
      ca: read(config.pki.kioskCa),
      crl: read(config.pki.kioskCrl),
      // The handshake asks every client for a certificate; /v1 routes refuse requests without an
      // authorized kiosk one (403 ERR_KIOSK), while /openapi.json and the JWKS stay public.
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    app,
  );
  // A store's kiosk keeps its line open between sessions (and while waiting out a Retry-After), so
  // idle connections are kept well beyond Node's 5 s: re-opening one costs a TLS handshake on
  // both sides, which is what a busy relay can least afford.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: thousands of kiosks reconnect at once after a pause or while being
    // told to come back later (ERR_BUSY); with Node's 511 the kernel drops their SYNs and each
    // waits 1, 3, 7… s to retry (seen as `listen queue overflowed` under load).
    server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (overrides.startWorker ?? true) {
    worker.start();
    sweeper.start();
  }
  const url = `https://${config.host === '127.0.0.1' ? 'localhost' : config.host}:${port}`;
  log.info({ event: 'listening', port, url, store: redis ? 'redis' : 'memory' }, 'relay listening');

  let stopped = false;
  return {
    server,
    port,
    url,
    store,
    outbox,
    worker,
    books,
    sweeper,
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      await sweeper.stop();
      await worker.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      vrs.close();
      await books.close();
      await store.close();
      await pool?.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadRelayConfig();
  const relay = await startRelay(config);
  const shutdown = () => {
    void relay.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
