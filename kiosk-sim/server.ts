/**
 * The kiosk simulator: one terminal agent per demo kiosk certificate, each on its own origin, on
 * one HTTP server listening on loopback (front-door.ts: host allow-list, same-origin writes):
 *
 *   http://localhost:8080/                     index of the kiosks
 *   http://kiosk-0001.localhost:8080/kiosks/KIOSK-0001/   a kiosk screen with its card tray and output tray
 *   http://localhost:8080/controller/          the store controller (connection state, faults)
 *   http://localhost:8080/maintenance/         the maintenance screen (password: KIOSK_MAINTENANCE_PASSWORD)
 *
 *   npm run kiosk
 *
 * Environment: KIOSK_PORT (8080), KIOSK_HOST (127.0.0.1), RELAY_URL (https://localhost:8443),
 * KIOSK_CERT_DIR (certs/out/kiosks: <kioskId>/cert.pem and key.pem), RELAY_CA
 * (certs/out/trust/server-ca.pem), KIOSK_CARDS_DIR (certs/out/cards), KIOSK_LOG_DIR
 * (.data/kiosk-logs), KIOSK_MAINTENANCE_PASSWORD (unset: maintenance disabled),
 * KIOSK_IDLE_TIMEOUT_S (120), KIOSK_HEARTBEAT_S (30), KIOSK_BUSY_WAIT_S (20: how long a step
 * waits out a busy relay, 503 ERR_BUSY, repeating itself after each Retry-After; 0: not at all).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { z } from 'zod';
import { demoKiosks, revokedDemoKiosk } from '../certs/demo-cast.js';
import type { TimerClock } from '../services/common/clock.js';
import { parseConfig, portSchema } from '../services/common/config.js';
import { NotFoundError, notFoundRoute, problemHandler } from '../services/common/errors.js';
import { createLogger, type Logger } from '../services/common/logger.js';
import { createKioskAgent, type KioskAgent } from './agent/agent.js';
import type { KioskEvent } from './agent/kiosk-flow.js';
import { createFrontDoor, kioskHostName } from './front-door.js';
import { maintenanceRouter } from './maintenance.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PUBLIC_DIR = join(here, 'public');
const require = createRequire(import.meta.url);
/** Noto Sans JP (SIL OFL) from its npm package, so the screens need no system Japanese font. */
const FONTS: Record<string, string> = {
  'noto-sans-jp-400.ttf': require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'),
  'noto-sans-jp-700.ttf': require.resolve('@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf'),
};

export interface KioskSimConfig {
  port: number;
  host?: string;
  relayUrl: string;
  /** Folder with one <kioskId>/cert.pem, key.pem per kiosk. */
  kioskCertDir: string;
  /** CA file of the relay's server certificate. */
  relayCa: string;
  cardsDir: string;
  logDir: string;
  maintenancePassword?: string;
  idleTimeoutMs?: number;
  heartbeatMs?: number;
  /** How long a step waits out a busy relay (503 ERR_BUSY) before the screen shows it (agent default 20 s). */
  busyWaitMs?: number;
  /** Only these kiosks (default: every certificate in kioskCertDir but the revoked demo kiosk). */
  kioskIds?: string[];
  clock?: TimerClock;
  logger?: Logger;
  onEvent?: (kioskId: string, e: KioskEvent) => void;
}

export interface RunningKioskSim {
  url: string;
  kiosks: { kioskId: string; url: string }[];
  controllerUrl: string;
  maintenanceUrl: string;
  agents: KioskAgent[];
  close(): Promise<void>;
}

const envSchema = z.object({
  KIOSK_PORT: portSchema.default(8080),
  KIOSK_HOST: z.string().default('127.0.0.1'),
  RELAY_URL: z.string().url().default('https://localhost:8443'),
  KIOSK_CERT_DIR: z.string().default('certs/out/kiosks'),
  RELAY_CA: z.string().default('certs/out/trust/server-ca.pem'),
  KIOSK_CARDS_DIR: z.string().default('certs/out/cards'),
  KIOSK_LOG_DIR: z.string().default('.data/kiosk-logs'),
  KIOSK_MAINTENANCE_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  KIOSK_IDLE_TIMEOUT_S: z.coerce.number().int().min(5).default(120),
  KIOSK_HEARTBEAT_S: z.coerce.number().int().min(0).default(30),
  KIOSK_BUSY_WAIT_S: z.coerce.number().min(0).max(600).default(20),
});

/** Reads the simulator's configuration from the environment (a bad value names the variable). */
export function loadKioskSimConfig(env: NodeJS.ProcessEnv = process.env): KioskSimConfig {
  const e = parseConfig(envSchema, env, 'kiosk-sim');
  return {
    port: e.KIOSK_PORT,
    host: e.KIOSK_HOST,
    relayUrl: e.RELAY_URL,
    kioskCertDir: resolve(e.KIOSK_CERT_DIR),
    relayCa: resolve(e.RELAY_CA),
    cardsDir: resolve(e.KIOSK_CARDS_DIR),
    logDir: resolve(e.KIOSK_LOG_DIR),
    ...(e.KIOSK_MAINTENANCE_PASSWORD ? { maintenancePassword: e.KIOSK_MAINTENANCE_PASSWORD } : {}),
    idleTimeoutMs: e.KIOSK_IDLE_TIMEOUT_S * 1000,
    heartbeatMs: e.KIOSK_HEARTBEAT_S * 1000,
    busyWaitMs: Math.round(e.KIOSK_BUSY_WAIT_S * 1000),
  };
}

/** The kiosk certificates in `dir`, with store ID (subject OU) and store name. */
function discoverKiosks(dir: string, only?: string[]): { kioskId: string; storeId: string; storeName: string; cert: string; key: string }[] {
  const ids =
    only ??
    (existsSync(dir)
      ? readdirSync(dir)
          .filter((d) => d !== revokedDemoKiosk.kioskId)
          .sort()
      : []);
  return ids
    .filter((id) => /^[A-Za-z0-9_-]+$/.test(id) && existsSync(join(dir, id, 'cert.pem')) && existsSync(join(dir, id, 'key.pem')))
    .map((kioskId) => {
      const cert = readFileSync(join(dir, kioskId, 'cert.pem'), 'utf8');
      const ou = /(?:^|\n)OU=([^\n]+)/.exec(new X509Certificate(cert).subject)?.[1];
      const demo = demoKiosks.find((k) => k.kioskId === kioskId);
      const storeId = ou ?? demo?.storeId ?? 'UNKNOWN';
      return { kioskId, storeId, storeName: demo?.storeName ?? storeId, cert, key: readFileSync(join(dir, kioskId, 'key.pem'), 'utf8') };
    });
}

/** Starts every kiosk, the store controller and the maintenance screen on one HTTP server. */
export async function startKioskSim(config: KioskSimConfig): Promise<RunningKioskSim> {
  const log = config.logger ?? createLogger({ service: 'kiosk-sim' });
  const ca = readFileSync(config.relayCa, 'utf8');
  const found = discoverKiosks(config.kioskCertDir, config.kioskIds);
  if (found.length === 0) throw new Error(`kiosk-sim: no kiosk certificates under ${config.kioskCertDir} (run npm run certs)`);
  const agents = found.map((k) =>
    createKioskAgent({
      kioskId: k.kioskId,
      storeId: k.storeId,
      storeName: k.storeName,
      relayUrl: config.relayUrl,
      tls: { cert: k.cert, key: k.key, ca },
      cardsDir: config.cardsDir,
      logPath: join(config.logDir, `${k.kioskId}.jsonl`),
      publicDir: PUBLIC_DIR,
      log,
      ...(config.clock ? { clock: config.clock } : {}),
      ...(config.idleTimeoutMs ? { idleTimeoutMs: config.idleTimeoutMs } : {}),
      ...(config.heartbeatMs !== undefined ? { heartbeatMs: config.heartbeatMs } : {}),
      ...(config.busyWaitMs !== undefined ? { relayBusyWaitMs: config.busyWaitMs } : {}),
      ...(config.onEvent ? { onEvent: config.onEvent } : {}),
    }),
  );
  // Faults are reported automatically: to the store controller (through each agent's monitor) and the log.
  for (const a of agents) a.health.onFault((f) => log.warn({ kioskId: a.kioskId, code: f.code }, 'kiosk fault'));

  let boundPort = 0;
  const kioskUrl = (kioskId: string) => `http://${kioskHostName(kioskId)}:${boundPort}/kiosks/${kioskId}/`;
  const door = createFrontDoor({ kioskIds: agents.map((a) => a.kioskId), port: () => boundPort, publicDir: PUBLIC_DIR });
  const app = express();
  app.disable('x-powered-by');
  app.use(door.hosts);
  app.use(door.sameOriginWrites);
  app.use((req, res, next) => {
    res.set({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    // The PDFs in the output tray open in the browser's viewer, which a strict policy would block.
    if (!req.path.includes('/api/tray/'))
      res.set('content-security-policy', "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'");
    next();
  });
  app.get('/assets/fonts/:name', (req, res) => {
    const file = FONTS[String(req.params.name)];
    if (!file) throw new NotFoundError('No such font');
    res.sendFile(file, { maxAge: '1d', headers: { 'content-type': 'font/ttf' } });
  });
  app.use('/assets', express.static(PUBLIC_DIR, { index: false }));
  app.get('/', (_req, res) => res.sendFile(join(PUBLIC_DIR, 'index.html')));
  app.get('/api/kiosks', (_req, res) => res.json({ kiosks: agents.map((a) => ({ ...a.health.ids, url: kioskUrl(a.kioskId) })) }));
  for (const a of agents) {
    app.get(`/kiosks/${a.kioskId}`, (req, res, next) => {
      // Relative API paths of the page need the trailing slash.
      if (req.path.endsWith('/')) next();
      else res.redirect(`/kiosks/${a.kioskId}/`);
    });
    app.get(`/kiosks/${a.kioskId}/`, door.kioskPage(a.kioskId));
    app.use(`/kiosks/${a.kioskId}`, door.kioskGuard(a.kioskId), a.router);
  }
  app.get('/controller/', (_req, res) => res.sendFile(join(PUBLIC_DIR, 'controller.html')));
  app.get('/controller/api/kiosks', (_req, res) => {
    res.json({ now: new Date().toISOString(), kiosks: agents.map((a) => ({ ...a.health.snapshot(), step: a.flow.step, inService: a.flow.inService })) });
  });
  app.get('/maintenance/', (_req, res) => res.sendFile(join(PUBLIC_DIR, 'maintenance.html')));
  app.use('/maintenance', maintenanceRouter(agents, config.maintenancePassword, { log, ...(config.clock ? { clock: config.clock } : {}) }));
  app.use(notFoundRoute);
  app.use(door.problems);
  app.use(problemHandler(log));

  const server: Server = createServer(app);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  boundPort = port;
  const url = `http://localhost:${port}`;
  return {
    url,
    kiosks: agents.map((a) => ({ kioskId: a.kioskId, url: kioskUrl(a.kioskId) })),
    controllerUrl: `${url}/controller/`,
    maintenanceUrl: `${url}/maintenance/`,
    agents,
    async close() {
      for (const a of agents) await a.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadKioskSimConfig();
  const sim = await startKioskSim(config);
  for (const k of sim.kiosks) console.log(`kiosk ${k.kioskId}: ${k.url}`);
  console.log(`store controller: ${sim.controllerUrl}`);
  console.log(`maintenance: ${sim.maintenanceUrl}${config.maintenancePassword ? '' : ' (disabled: set KIOSK_MAINTENANCE_PASSWORD)'}`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
