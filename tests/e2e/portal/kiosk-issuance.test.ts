import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadRelayConfig } from '../../../services/relay/config.js';
import { startRelay, type RunningRelay } from '../../../services/relay/server.js';
import { LogCapture } from '../../integration/relay/helpers/log-capture.js';
import { launchChromium, logIn, newOfficeContext, poll, screenshot } from './browser.js';
import { KioskDriver, type MenuEntry } from './kiosk-driver.js';
import { demoStaffEmail, startPortalStack, type PortalStack } from './portal-stack.js';

const CHIYODA = '131016';
const TAKAOKA = '162027';
const KAMAGAYA = '122246';

/** Certificate IDs in the issuance log table the page shows now (after reloading it). */
async function loggedIds(page: Page, portalUrl: string): Promise<string[]> {
  await page.goto(`${portalUrl}/`);
  await page.locator('body[data-loaded="true"]').waitFor();
  return page.locator('#issuances tbody tr[data-certificate-id]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-certificate-id')!));
}

describe('portal pages against a kiosk issuing through the relay (Chromium)', { timeout: 120_000 }, () => {
  let stack: PortalStack;
  let relay: RunningRelay;
  let kiosk: KioskDriver;
  let browser: Browser;
  let outboxDir: string;
  /** The relay's log: the test waits for its notice worker's delivery event. */
  const relayLogs = new LogCapture();

  beforeAll(async () => {
    stack = await startPortalStack('postgres', inject('databaseUrl'));
    outboxDir = await mkdtemp(join(tmpdir(), 'portal-e2e-outbox-'));
    relay = await startRelay(
      loadRelayConfig({
        RELAY_PORT: '0',
        SERVICE_HOURS: '00:00-24:00',
        VRS_URL: stack.lgwanUrl,
        OUTBOX_DIR: outboxDir,
        BOOKS_DIR: join(outboxDir, 'books'),
        NOTICE_RETRY_BASE_MS: '100',
        NOTICE_RETRY_MAX_MS: '500',
        NOTICE_POLL_MS: '100',
        LOG_LEVEL: 'info',
      }),
      { logDestination: relayLogs },
    );
    kiosk = await new KioskDriver(relay.url, 'KIOSK-0001').init();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await kiosk?.close();
    await relay?.stop();
    await stack?.close();
    if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
  });

  it('shows a kiosk issuance in the log of the issuing municipality and in no other', async () => {
    const own = await newOfficeContext(browser);
    const other = await newOfficeContext(browser);
    await logIn(own.page, stack, demoStaffEmail(CHIYODA));
    await logIn(other.page, stack, demoStaffEmail(TAKAOKA));
    expect(await loggedIds(own.page, stack.portalUrl)).toEqual([]);

    // 山田太郎 (records in 千代田区 only) prints two domestic copies at KIOSK-0001.
    const { certificateId, receipt } = await kiosk.issue('yamada-taro', { municipality: CHIYODA, kind: 'domestic', copies: 2 });
    expect(certificateId).toMatch(/^[0-9A-Z]{6,12}$/);
    expect(receipt).toMatchObject({ copies: 2, fee: 240, kioskId: 'KIOSK-0001' });

    // The completion notice reaches VRS through the relay's outbox; then the log shows it.
    await relayLogs.waitFor((l) => l.event === 'notice_delivered' && l.certificateId === certificateId, 15_000, 'completion notice delivery');
    expect(await loggedIds(own.page, stack.portalUrl)).toContain(certificateId);
    const row = own.page.locator(`#issuances tr[data-certificate-id="${certificateId}"]`);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(2, 6)).toEqual(['国内用', 'コンビニ交付', '2', '240 円']);
    expect(cells[7]).toBe('KIOSK-0001');
    expect(cells[6]).toBe(String(receipt.storeId));
    await poll(() => own.page.locator('#total-count').textContent()).toBe('1');
    await screenshot(own.page, 'issuances-after-kiosk');

    // Neither Takaoka's nor Kamagaya's staff see it.
    expect(await loggedIds(other.page, stack.portalUrl)).not.toContain(certificateId);
    const third = await newOfficeContext(browser);
    await logIn(third.page, stack, demoStaffEmail(KAMAGAYA));
    expect(await loggedIds(third.page, stack.portalUrl)).not.toContain(certificateId);
    const foreign = await other.page.evaluate(async () => (await fetch('/api/v1/issuances.csv')).text());
    expect(foreign).not.toContain(certificateId);

    for (const c of [own, other, third]) {
      expect(c.errors).toEqual([]);
      await c.context.close();
    }
  });

  it('suspending hides the municipality from the kiosk menu at once, and resuming brings it back', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    await logIn(page, stack, demoStaffEmail(KAMAGAYA));
    await page.getByRole('link', { name: 'サービス停止・再開' }).click();
    await page.waitForURL(/service\.html$/);
    const sw = page.getByRole('switch');
    await poll(() => sw.getAttribute('aria-checked')).toBe('true');

    // 佐藤花子 has records in 高岡市 and 鎌ケ谷市: both are offered.
    const offered = (menu: MenuEntry[], code: string): MenuEntry => {
      const m = menu.find((x) => x.code === code);
      if (!m) throw new Error(`municipality ${code} missing from the menu ${JSON.stringify(menu)}`);
      return m;
    };
    let { sid, menu } = await kiosk.openWithCard('sato-hanako');
    expect(offered(menu, KAMAGAYA).domestic).toBe(true);
    expect(offered(menu, TAKAOKA).domestic).toBe(true);
    await kiosk.call('DELETE', `/v1/sessions/${sid}`);

    await sw.click();
    await page.getByRole('button', { name: '停止する' }).click();
    await poll(() => sw.getAttribute('aria-checked')).toBe('false');

    // At once: the next card read no longer offers Kamagaya, and a request for it is refused.
    ({ sid, menu } = await kiosk.openWithCard('sato-hanako'));
    expect(offered(menu, KAMAGAYA)).toMatchObject({ domestic: false, overseas: false, unavailableReason: 'suspended' });
    expect(offered(menu, TAKAOKA).domestic).toBe(true);
    const refused = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: KAMAGAYA, kind: 'domestic', copies: 1 });
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe('ERR_MUNICIPALITY_UNAVAILABLE');
    await kiosk.call('DELETE', `/v1/sessions/${sid}`);
    await screenshot(page, 'service-suspended-kiosk');

    await sw.click();
    await page.getByRole('button', { name: '再開する' }).click();
    await poll(() => sw.getAttribute('aria-checked')).toBe('true');

    ({ sid, menu } = await kiosk.openWithCard('sato-hanako'));
    expect(offered(menu, KAMAGAYA).domestic).toBe(true);
    expect(offered(menu, KAMAGAYA).unavailableReason).not.toBe('suspended');
    await kiosk.call('DELETE', `/v1/sessions/${sid}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});
