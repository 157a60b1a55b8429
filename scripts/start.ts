/**
 * `npm start`: the whole system on embedded defaults (PGlite for VRS, in-process one-time store),
 * with the demo municipalities, residents, staff and cards. Makes the test PKI on first run and
 * prints the URLs once everything listens. Each part can also run alone (`npm run vrs`,
 * `npm run relay`, `npm run kiosk`); see the README.
 */
import { ensurePki } from '../certs/generate.js';
import { loadVrsConfig } from '../services/vrs/config.js';
import { startVrs } from '../services/vrs/server.js';
import { loadRelayConfig } from '../services/relay/config.js';
import { startRelay } from '../services/relay/server.js';
import { loadKioskSimConfig, startKioskSim } from '../kiosk-sim/server.js';

/** Demo-only defaults, printed at start and written in the README; set the variables to change them. */
export const DEMO_DEFAULTS = {
  DEMO_PASSWORD: 'konbini-demo-2026',
  KIOSK_MAINTENANCE_PASSWORD: 'kiosk-maint-2026',
} as const;

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...DEMO_DEFAULTS, ...process.env };
  const made = await ensurePki({ log: (l) => console.log(l) });
  if (made.length) console.log(`certs: made or renewed ${made.length} part(s) of the test PKI and the demo cards under certs/out/`);

  const vrs = await startVrs(loadVrsConfig(env));
  const relay = await startRelay(loadRelayConfig({ ...env, VRS_URL: env.VRS_URL ?? vrs.lgwanUrl }));
  const kiosk = await startKioskSim(loadKioskSimConfig({ ...env, RELAY_URL: env.RELAY_URL ?? relay.url }));

  const lines = [
    '',
    '接種証明書のコンビニ交付 simulator is running',
    ...kiosk.kiosks.map((k) => `  kiosk ${k.kioskId.padEnd(12)} ${k.url}`),
    `  store controller    ${kiosk.controllerUrl}`,
    `  kiosk maintenance   ${kiosk.maintenanceUrl}   (password: KIOSK_MAINTENANCE_PASSWORD, demo default ${DEMO_DEFAULTS.KIOSK_MAINTENANCE_PASSWORD})`,
    `  municipality portal ${vrs.portalUrl}   (demo-<自治体コード>@example.lg.jp, password DEMO_PASSWORD, demo default ${DEMO_DEFAULTS.DEMO_PASSWORD}; codes in .data/mailbox/)`,
    `  relay (mTLS)        ${relay.url}   (OpenAPI ${relay.url}/openapi.json)`,
    `  VRS LGWAN (mTLS)    ${vrs.lgwanUrl}`,
    'Demo cards: certs/out/cards/ (PIN 1234). Stop with Ctrl-C.',
  ];
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await kiosk.close().catch(() => undefined);
    await relay.stop().catch(() => undefined);
    await vrs.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
