import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { createMtlsServer, readTlsFiles } from '../common/mtls.js';
import { pkiPaths } from '../common/pki-paths.js';
import { loadVrsConfig, type VrsConfig } from './config.js';
import type { Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { createVrsDeps, type VrsDeps } from './deps.js';
import { createLgwanApp } from './lgwan/lgwan-app.js';
import { createPortalApp } from './portal/portal-app.js';
import { sealClearPassports } from './records/seal-passports.js';
import { seedDemo } from './seed/demo-seed.js';

export interface RunningVrs {
  /** https://localhost:<port> of the LGWAN API (mTLS). */
  lgwanUrl: string;
  /** http://127.0.0.1:<port> of the municipality portal. */
  portalUrl: string;
  deps: VrsDeps;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts VRS: opens and migrates the database, seeds the demo (unless disabled), serves the LGWAN
 * API over mTLS on VRS_PORT (server certificate `servers/vrs`, client certificates must chain to
 * the LGWAN CA only, so kiosk certificates fail the handshake) and the portal over HTTP on
 * PORTAL_HOST:PORTAL_PORT. Port 0 picks a free port (tests).
 */
export async function startVrs(config: VrsConfig, overrides: { db?: Database; clock?: Clock; log?: Logger } = {}): Promise<RunningVrs> {
  const deps = await createVrsDeps(config, overrides);
  const servers: http.Server[] = [];
  try {
    await migrate(deps.db);
    // Passport numbers written in the clear before migration 007 are sealed now (a no-op after).
    const sealed = await sealClearPassports(deps);
    if (sealed > 0) deps.log.info({ event: 'passports_sealed', count: sealed }, 'passport numbers sealed at rest');
    if (config.seedDemo) await seedDemo(deps, config.demoPassword ? { demoPassword: config.demoPassword } : {});
    const pki = pkiPaths(config.pkiDir);
    const tls = readTlsFiles({ ...pki.server('vrs'), ca: pki.lgwanCa });
    const lgwan = createMtlsServer(tls, createLgwanApp(deps));
    servers.push(lgwan);
    const lgwanPort = await listen(lgwan, config.vrsPort, '0.0.0.0');
    let portalPort = config.portalPort;
    const portal = http.createServer(
      createPortalApp(deps, {
        ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
        publicUrl: config.portalPublicUrl ?? (() => `http://${config.portalHost}:${portalPort}`),
      }),
    );
    servers.push(portal);
    portalPort = await listen(portal, config.portalPort, config.portalHost);
    const running: RunningVrs = {
      lgwanUrl: `https://localhost:${lgwanPort}`,
      portalUrl: `http://${config.portalHost}:${portalPort}`,
      deps,
      async close() {
        await Promise.all(servers.map(closeServer));
        if (!overrides.db) await deps.db.close();
      },
    };
    return running;
  } catch (err) {
    await Promise.all(servers.map(closeServer));
    if (!overrides.db) await deps.db.close().catch(() => undefined);
    throw err;
  }
}

async function main(): Promise<void> {
  const vrs = await startVrs(loadVrsConfig());
  console.log(`vrs: LGWAN API ${vrs.lgwanUrl} (mTLS)`);
  console.log(`vrs: portal ${vrs.portalUrl}`);
  const stop = () => {
    vrs.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
