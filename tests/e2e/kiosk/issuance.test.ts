import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  MAINTENANCE_PASSWORD,
  cardIdOf,
  kioskPage,
  pdfText,
  screen,
  shot,
  startKioskStack,
  statePolls,
  typePin,
  verifyPdf,
  type KioskStack,
} from './kiosk-stack.js';

let stack: KioskStack;
beforeAll(async () => {
  stack = await startKioskStack();
}, 300_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

/** Downloads an item of the output tray through the page's download link. */
async function download(page: Page, kind: 'certificate' | 'receipt'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kiosk-dl-'));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`download-${kind}`).click()]);
  const file = join(dir, `${kind}.pdf`);
  await dl.saveAs(file);
  return file;
}

async function payAndPrint(page: Page, coins: number[]): Promise<void> {
  for (const c of coins) await page.locator(`[data-coin="${c}"]`).click();
  await page.getByTestId('print').click();
}

describe('kiosk issuance in a real browser', () => {
  it('issues a domestic certificate from card to receipt, and the printed PDF verifies', async () => {
    const page = await kioskPage(stack, 0);
    await screen(page, 'home').waitFor();
    await shot(page, '01-home');
    await page.getByTestId('start').click();
    await screen(page, 'card').waitFor();
    await shot(page, '02-place-card');
    await page.locator(`[data-card="${await cardIdOf('yamada-taro')}"]`).click();
    await screen(page, 'pin').waitFor();
    for (const d of '12') await page.locator(`.pad [data-digit="${d}"]`).click();
    await shot(page, '03-pin-pad');
    await page.getByTestId('pin-clear').click();
    await typePin(page, '1234');
    await screen(page, 'remove-card').waitFor();
    await shot(page, '04-remove-card');
    const spoken = await page.evaluate(() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken);
    expect(spoken.some((s) => s.lang === 'ja-JP' && s.text.includes('カード'))).toBe(true);
    // It does not go on while the card is on the reader: the agent stays put, and the page still
    // shows it after polls answered since.
    await statePolls(page);
    expect(stack.sim.agents[0]!.flow.step).toBe('remove-card');
    await expect(screen(page, 'remove-card').count()).resolves.toBe(1);
    await page.getByTestId('take-card').click();
    await screen(page, 'select').waitFor();
    await expect(page.getByTestId('holder').textContent()).resolves.toContain('山田');
    await expect(page.locator('[data-kind="overseas"]').isDisabled()).resolves.toBe(true);
    await page.getByTestId('copies-plus').click();
    await shot(page, '05-select');
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await expect(page.getByTestId('fee').textContent()).resolves.toContain('240');
    await shot(page, '06-confirm');
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await page.locator('[data-coin="100"]').click();
    await expect(page.getByTestId('print').isDisabled()).resolves.toBe(true);
    await shot(page, '07-pay');
    await payAndPrint(page, [500]);
    // The printing screen is short-lived; catch it when we can.
    await screen(page, 'printing')
      .waitFor({ timeout: 3000 })
      .then(() => shot(page, '08-printing'))
      .catch(() => undefined);
    await screen(page, 'done').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('change').textContent()).resolves.toContain('360');
    await shot(page, '09-done');
    const spokenDone = await page.evaluate(() => (window as unknown as { __spoken: { text: string }[] }).__spoken.map((s) => s.text));
    expect(spokenDone.some((t) => t.includes('証明書') && t.includes('領収書'))).toBe(true);

    const pdf = await download(page, 'certificate');
    const receipt = await download(page, 'receipt');
    expect((await readFile(receipt)).subarray(0, 5).toString()).toBe('%PDF-');
    const receiptText = await pdfText(receipt);
    expect(receiptText).toContain('領収書');
    expect(receiptText).toContain('240円');
    expect(receiptText).toContain('おつり 360円');
    expect(receiptText).not.toContain('山田');
    const verified = await verifyPdf(pdf);
    expect(verified.code, verified.out).toBe(0);

    // The kiosk log keeps date-time, kind and copies only.
    const log = await stack.sim.agents[0]!.log.entries();
    expect(log.at(-1)).toEqual({ issuedAt: expect.any(String), kind: 'domestic', copies: 2 });
    expect(Object.keys(log.at(-1)!).sort()).toEqual(['copies', 'issuedAt', 'kind']);

    // The maintenance screen (behind its password) shows the same log.
    const maint = await (await stack.browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await maint.goto(stack.sim.maintenanceUrl);
    await maint.locator('#password').fill(MAINTENANCE_PASSWORD);
    await maint.locator('#login button[type="submit"]').click();
    await expect.poll(() => maint.locator('[data-kiosk="KIOSK-0001"] table').textContent()).toContain('domestic');
    await shot(maint, '21-maintenance-log');
    await maint.context().close();

    // Taking the paper empties the tray: the kiosk keeps no copy.
    await page.getByTestId('take-paper').click();
    await expect.poll(() => page.locator('[data-tray]').count()).toBe(0);
    expect(stack.sim.agents[0]!.printer.tray).toHaveLength(0);
    await page.getByTestId('finish').click();
    await screen(page, 'home').waitFor();
    await page.context().close();
  }, 180_000);

  it('issues an overseas certificate for a resident with passport data on file', async () => {
    const page = await kioskPage(stack, 1);
    const cardListLoaded = page.waitForResponse((r) => r.url().endsWith('/api/cards'));
    await page.getByTestId('start').click();
    await screen(page, 'card').waitFor();
    // The tray is not rebuilt while nothing in it changes: polls and the card list arriving
    // after the card screen would otherwise replace a card under the resident's pointer mid-drag.
    const cardSelector = `[data-card="${await cardIdOf('suzuki-ichiro')}"]`;
    const trayCard = await page.locator(cardSelector).elementHandle();
    await cardListLoaded;
    await statePolls(page);
    await expect(trayCard!.evaluate((el) => el.isConnected)).resolves.toBe(true);
    // Dragging a card from the tray onto the reader places it too.
    await page.dragAndDrop(cardSelector, '#reader');
    await screen(page, 'pin').waitFor();
    await typePin(page, '1234');
    await screen(page, 'remove-card').waitFor();
    await page.getByTestId('take-card').click();
    await screen(page, 'select').waitFor();
    await page.locator('[data-kind="overseas"]').click();
    await shot(page, '05-select-overseas');
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await payAndPrint(page, [1000]);
    await screen(page, 'printing').or(screen(page, 'done')).first().waitFor();
    await screen(page, 'done').waitFor({ timeout: 30_000 });
    const pdf = await download(page, 'certificate');
    const verified = await verifyPdf(pdf);
    expect(verified.code, verified.out).toBe(0);
    expect(verified.out).toContain('VDS-NC');
    expect(verified.out).toContain('1990-01-15');
    const log = await stack.sim.agents[1]!.log.entries();
    expect(log.at(-1)).toMatchObject({ kind: 'overseas', copies: 1 });
    await page.context().close();
  }, 180_000);
});
