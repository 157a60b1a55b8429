import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jstParts } from '../../../services/common/clock.js';
import { createLogger } from '../../../services/common/logger.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { loadRelayConfig } from '../../../services/relay/config.js';
import { startRelay } from '../../../services/relay/server.js';
import { startKioskSim, type RunningKioskSim } from '../../../kiosk-sim/server.js';
import { MAINTENANCE_PASSWORD, cardIdOf, cardToSelect, kioskPage, openTerms, screen, shot, startKioskStack, type KioskStack } from './kiosk-stack.js';

let stack: KioskStack;
beforeAll(async () => {
  stack = await startKioskStack();
}, 300_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

const pki = pkiPaths(resolve('certs/out'));
const extraSim = (relayUrl: string, dir: string, kioskId = 'KIOSK-0003'): Promise<RunningKioskSim> =>
  startKioskSim({
    port: 0,
    relayUrl,
    kioskCertDir: pki.kiosksDir,
    relayCa: pki.serverCa,
    cardsDir: stack.cardsDir,
    logDir: join(stack.dir, dir),
    kioskIds: [kioskId],
    heartbeatMs: 500,
    logger: createLogger({ service: 'kiosk-sim', level: 'silent' }),
  });

async function maintenanceLogin(page: import('playwright-core').Page, password: string): Promise<void> {
  await page.locator('#password').fill(password);
  await page.locator('#login button[type="submit"]').click();
}

describe('the kiosk as equipment', () => {
  it('keeps the maintenance side shut without the password', async () => {
    const api = `${stack.sim.url}/maintenance/api`;
    expect((await fetch(`${api}/kiosks`)).status).toBe(401);
    const post = await fetch(`${api}/kiosks/KIOSK-0001/service`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"inService":false}',
    });
    expect(post.status).toBe(401);
    const wrong = await fetch(`${api}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"guess"}' });
    expect(wrong.status).toBe(401);
    expect(stack.sim.agents[0]!.flow.inService).toBe(true);

    const page = await (await stack.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(stack.sim.maintenanceUrl);
    await maintenanceLogin(page, 'not-the-password');
    await page.locator('#login-error').waitFor();
    await shot(page, '20-maintenance-refused');
    await page.context().close();
  }, 180_000);

  it('takes a kiosk out of service from the maintenance screen, and the kiosk says so', async () => {
    const page = await (await stack.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(stack.sim.maintenanceUrl);
    await maintenanceLogin(page, MAINTENANCE_PASSWORD);
    await page.locator('#panel [data-kiosk="KIOSK-0001"]').waitFor();
    await shot(page, '21-maintenance');
    await page.locator('[data-kiosk="KIOSK-0001"] [data-testid="toggle-service"]').click();
    await expect.poll(() => stack.sim.agents[0]!.flow.inService).toBe(false);
    const kiosk = await kioskPage(stack, 0);
    await screen(kiosk, 'out-of-service').waitFor();
    await shot(kiosk, '22-out-of-service');
    await page.locator('[data-kiosk="KIOSK-0001"] [data-testid="toggle-service"]').click();
    await screen(kiosk, 'home').waitFor();
    await kiosk.context().close();
    await page.context().close();
  }, 180_000);

  it('refunds and reports "failed" when the printer jams, and the store controller shows the fault', async () => {
    const page = await (await stack.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(stack.sim.maintenanceUrl);
    await maintenanceLogin(page, MAINTENANCE_PASSWORD);
    await page.locator('[data-kiosk="KIOSK-0002"] [data-testid="toggle-jam"]').click();
    await expect.poll(() => stack.sim.agents[1]!.printer.jamNext).toBe(true);
    const logBefore = (await stack.sim.agents[1]!.log.entries()).length;

    const kiosk = await kioskPage(stack, 1);
    await cardToSelect(kiosk, await cardIdOf('yamada-taro'));
    await screen(kiosk, 'select').waitFor();
    await kiosk.getByTestId('next').click();
    await kiosk.getByTestId('confirm').click();
    await screen(kiosk, 'pay').waitFor();
    await kiosk.locator('[data-coin="500"]').click();
    await kiosk.getByTestId('print').click();
    await screen(kiosk, 'error').waitFor({ timeout: 30_000 });
    expect(await kiosk.getByTestId('error').getAttribute('data-code')).toBe('ERR_PRINT_FAILED');
    await expect(kiosk.getByTestId('refunded').textContent()).resolves.toContain('500');
    // The one case with money back after paying: the print failed.
    await expect(kiosk.locator('#screen').textContent()).resolves.toContain('発行料は返金しました');
    await shot(kiosk, '23-print-failed-refund');
    await expect(kiosk.locator('[data-tray]').count()).resolves.toBe(0);
    expect((await stack.sim.agents[1]!.log.entries()).length).toBe(logBefore);
    // The relay took the `failed` completion (a refusal would be reported as a fault too).
    expect(stack.sim.agents[1]!.health.snapshot().faults.map((f) => f.code)).toEqual(['ERR_PRINTER']);
    await kiosk.getByTestId('home').click();
    await kiosk.context().close();

    const controller = await (await stack.browser.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
    await controller.goto(stack.sim.controllerUrl);
    const row = controller.locator('#kiosks tr[data-kiosk="KIOSK-0002"]');
    await expect.poll(() => row.textContent()).toContain('ERR_PRINTER');
    await expect.poll(() => controller.locator('#kiosks tr[data-kiosk="KIOSK-0001"]').textContent()).toContain('connected');
    await shot(controller, '24-store-controller');
    await controller.context().close();
    await page.context().close();
  }, 180_000);

  it('shows the closed screen with the hours outside service hours', async () => {
    const hour = Number(jstParts(new Date()).time.slice(0, 2));
    const hours = hour < 12 ? '20:00-21:00' : '03:00-04:00';
    const relay = await startRelay(
      loadRelayConfig({
        LOG_LEVEL: 'silent',
        RELAY_PORT: '0',
        SERVICE_HOURS: hours,
        VRS_URL: stack.vrs.lgwanUrl,
        OUTBOX_DIR: join(stack.dir, 'outbox-closed'),
        BOOKS_DIR: join(stack.dir, 'books-closed'),
      }),
    );
    const sim = await extraSim(relay.url, 'logs-closed');
    try {
      const page = await (await stack.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await page.goto(sim.kiosks[0]!.url);
      await page.locator('#screen[data-step="closed"]').waitFor();
      await expect(page.locator('#screen').textContent()).resolves.toContain(hours);
      await shot(page, '02-closed');
      await page.context().close();
    } finally {
      await sim.close();
      await relay.stop();
    }
  }, 180_000);

  it('reports automatically when the relay cannot be reached', async () => {
    const sim = await extraSim('https://localhost:9', 'logs-down');
    try {
      const page = await (await stack.browser.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
      await page.goto(sim.controllerUrl);
      const row = page.locator('#kiosks tr[data-kiosk="KIOSK-0003"]');
      await expect.poll(() => row.textContent()).toContain('ERR_RELAY_UNREACHABLE');
      await expect(row.textContent()).resolves.toContain('disconnected');
      await shot(page, '25-store-controller-fault');
      await page.context().close();
    } finally {
      await sim.close();
    }
  }, 180_000);

  it('a kiosk whose certificate was revoked is refused by the relay, says so, and the fault is reported', async () => {
    const sim = await extraSim(stack.relay.url, 'logs-revoked', 'KIOSK-9999');
    try {
      const page = await (await stack.browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await page.goto(sim.kiosks[0]!.url);
      // The relay is asked when the resident agrees to the terms (the session opens then).
      await openTerms(page);
      await page.getByTestId('agree').click();
      await screen(page, 'error').waitFor();
      expect(['ERR_KIOSK', 'ERR_RELAY_UNREACHABLE']).toContain(await page.getByTestId('error').getAttribute('data-code'));
      await shot(page, '19-error-kiosk-refused');
      const controller = await (await stack.browser.newContext({ viewport: { width: 1200, height: 700 } })).newPage();
      await controller.goto(sim.controllerUrl);
      await expect.poll(() => controller.locator('#kiosks tr[data-kiosk="KIOSK-9999"]').textContent()).toMatch(/ERR_KIOSK|ERR_RELAY_UNREACHABLE/);
      await controller.context().close();
      await page.context().close();
    } finally {
      await sim.close();
    }
  }, 180_000);
});
