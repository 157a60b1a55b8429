import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RelayClient } from '../../../kiosk-sim/agent/relay-client.js';
import {
  MAINTENANCE_PASSWORD,
  cardIdOf,
  cardToSelect,
  kioskPage,
  openTerms,
  pdfText,
  placeAndChoose,
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

/**
 * Holds the next call of one relay method of a kiosk's agent until released, so that a screen that
 * lasts only as long as that call (reading, printing) can be looked at.
 */
function holdNext(relay: RelayClient, method: 'submitCard' | 'fetchDocument'): { release: () => void } {
  const original = relay[method].bind(relay) as (...a: unknown[]) => Promise<unknown>;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  (relay as unknown as Record<string, unknown>)[method] = async (...a: unknown[]) => {
    (relay as unknown as Record<string, unknown>)[method] = original;
    await gate;
    return original(...a);
  };
  return { release };
}

async function payAndPrint(page: Page, coins: number[]): Promise<void> {
  for (const c of coins) await page.locator(`[data-coin="${c}"]`).click();
  await page.getByTestId('print').click();
}

describe('kiosk issuance in a real browser', () => {
  it('walks every screen in the machine’s order for a domestic certificate, and the printed PDF verifies', async () => {
    const page = await kioskPage(stack, 0);
    const relay = stack.sim.agents[0]!.flow.o.relay;
    await screen(page, 'home').waitFor();
    await shot(page, '01-home');
    await page.getByTestId('gov-services').click();
    await page.getByTestId('start').waitFor();
    await expect(page.locator('#screen h1').textContent()).resolves.toBe('行政サービス');
    await expect(page.getByTestId('start').textContent()).resolves.toBe('証明書交付サービス');
    await shot(page, '01-home-gov-services');
    await page.getByTestId('start').click();
    await screen(page, 'terms').waitFor();
    await expect(page.getByTestId('terms').textContent()).resolves.toContain('本人同意事項');
    // No session before the resident agrees.
    expect(stack.events.filter((x) => x.kioskId === 'KIOSK-0001' && x.e.type === 'session-opened')).toHaveLength(0);
    await shot(page, '02-terms');
    await page.getByTestId('agree').click();
    await screen(page, 'card').waitFor();
    await shot(page, '03-card');
    // The tray shows each card's face: the name, a drawn photo and the serial's last characters.
    const yamada = await cardIdOf('yamada-taro');
    const face = page.locator(`[data-card="${yamada}"]`);
    await expect(face.locator('.face-name').textContent()).resolves.toBe('山田\u3000太郎');
    await expect(face.locator('.photo').count()).resolves.toBe(1);
    await expect(face.locator('.face-no').textContent()).resolves.toContain(yamada.slice(-4).toUpperCase());
    await expect(face.textContent()).resolves.not.toContain('domestic only');
    await face.click();
    await screen(page, 'type').waitFor();
    await expect(page.getByTestId('type-covid').textContent()).resolves.toBe('新型コロナワクチン接種証明書');
    await shot(page, '04-type');
    await page.getByTestId('type-covid').click();
    await screen(page, 'pin').waitFor();
    for (const d of '12') await page.locator(`.pad [data-digit="${d}"]`).click();
    await shot(page, '05-pin');
    await page.getByTestId('pin-clear').click();
    const reading = holdNext(relay, 'submitCard');
    await typePin(page, '1234');
    await screen(page, 'reading').waitFor();
    await shot(page, '06-reading');
    reading.release();
    await screen(page, 'remove-card').waitFor();
    await shot(page, '07-remove-card');
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
    await expect(page.locator('[data-kind="domestic"]').textContent()).resolves.toBe('日本国内用');
    await expect(page.locator('[data-kind="overseas"]').textContent()).resolves.toBe('海外用及び日本国内用');
    await expect(page.locator('[data-kind="overseas"]').isDisabled()).resolves.toBe(true);
    await page.getByTestId('copies-plus').click();
    await shot(page, '08-select');
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await expect(page.locator('[data-testid="preview"] dt').allTextContents()).resolves.toContain('発行料');
    await expect(page.getByTestId('fee').textContent()).resolves.toBe('120円 × 2部 = 240円（税込）');
    // Before payment: no refund once issued, except when printing fails.
    await expect(page.getByTestId('no-refund').textContent()).resolves.toMatch(/発行後.*返金はできません.*印刷に失敗した場合を除きます/);
    await shot(page, '09-confirm');
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await page.locator('[data-coin="100"]').click();
    await expect(page.getByTestId('print').isDisabled()).resolves.toBe(true);
    await shot(page, '10-pay');
    const printing = holdNext(relay, 'fetchDocument');
    await payAndPrint(page, [500]);
    await screen(page, 'printing').waitFor();
    await shot(page, '11-printing');
    printing.release();
    await screen(page, 'done').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('change').textContent()).resolves.toContain('360');
    // 山田 has records in one municipality only: nothing to go on to.
    await expect(page.getByTestId('continue').count()).resolves.toBe(0);
    await shot(page, '12-done');
    const spokenDone = await page.evaluate(() => (window as unknown as { __spoken: { text: string }[] }).__spoken.map((s) => s.text));
    expect(spokenDone.some((t) => t.includes('証明書') && t.includes('領収書'))).toBe(true);

    const pdf = await download(page, 'certificate');
    const receipt = await download(page, 'receipt');
    expect((await readFile(receipt)).subarray(0, 5).toString()).toBe('%PDF-');
    const receiptText = await pdfText(receipt);
    expect(receiptText).toContain('領収書');
    expect(receiptText).toContain('発行料 120円 × 2通');
    expect(receiptText).toContain('日本国内用');
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

  it('walks the same sequence for an overseas certificate for a resident with passport data on file', async () => {
    const page = await kioskPage(stack, 1);
    await openTerms(page);
    await page.getByTestId('agree').click();
    const cardListLoaded = page.waitForResponse((r) => r.url().endsWith('/api/cards'));
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
    await screen(page, 'type').waitFor();
    await page.getByTestId('type-covid').click();
    await screen(page, 'pin').waitFor();
    await typePin(page, '1234');
    await screen(page, 'remove-card').waitFor();
    await page.getByTestId('take-card').click();
    await screen(page, 'select').waitFor();
    await page.locator('[data-kind="overseas"]').click();
    await expect(page.getByTestId('overseas-reason').count()).resolves.toBe(0);
    await shot(page, '08-select-overseas');
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await expect(page.getByTestId('preview').textContent()).resolves.toContain('海外用及び日本国内用');
    await expect(page.getByTestId('no-refund').count()).resolves.toBe(1);
    await shot(page, '09-confirm-overseas');
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
    const receiptText = await pdfText(await download(page, 'receipt'));
    expect(receiptText).toContain('海外用及び日本国内用');
    expect(receiptText).toContain('発行料 120円 × 1通');
    const log = await stack.sim.agents[1]!.log.entries();
    expect(log.at(-1)).toMatchObject({ kind: 'overseas', copies: 1 });
    await page.getByTestId('finish').click();
    await screen(page, 'home').waitFor();
    await page.context().close();
  }, 180_000);

  it('goes back home without opening a session when the resident does not agree to the terms', async () => {
    const page = await kioskPage(stack, 2);
    const opened = () => stack.events.filter((x) => x.kioskId === 'KIOSK-0003' && x.e.type === 'session-opened').length;
    const before = opened();
    await openTerms(page);
    await page.getByTestId('disagree').click();
    await screen(page, 'home').waitFor();
    // Back on the machine's top menu, with no session opened at the relay.
    await page.getByTestId('gov-services').waitFor();
    expect(opened()).toBe(before);
    expect(stack.sim.agents[2]!.flow.state()).toMatchObject({ step: 'home', timedOut: false });
    // The English terms read too.
    await page.getByTestId('gov-services').click();
    await page.getByTestId('start').click();
    await screen(page, 'terms').waitFor();
    await page.locator('#lang').click();
    await expect(page.getByTestId('agree').textContent()).resolves.toBe('I agree');
    await shot(page, '02-terms-en');
    await page.locator('#lang').click();
    await page.getByTestId('disagree').click();
    await screen(page, 'home').waitFor();
    await page.context().close();
  }, 180_000);

  it('issues 佐藤 花子’s certificate of 高岡市, then with 続けて発行 the one of 鎌ケ谷市 in a new session, each with its own fee and receipt', async () => {
    const page = await kioskPage(stack, 2);
    const sato = await cardIdOf('sato-hanako');
    const sessions = () =>
      stack.events.filter((x) => x.kioskId === 'KIOSK-0003' && x.e.type === 'session-opened').map((x) => (x.e.type === 'session-opened' ? x.e.sessionId : ''));
    const sessionsBefore = sessions().length;
    await cardToSelect(page, sato);
    await screen(page, 'select').waitFor();
    await page.locator('[data-municipality="162027"]').click();
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await expect(page.getByTestId('preview').textContent()).resolves.toContain('高岡市');
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await payAndPrint(page, [100, 10, 10]);
    await screen(page, 'done').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('continue-offer').textContent()).resolves.toContain('鎌ケ谷市');
    await expect(page.getByTestId('continue-offer').textContent()).resolves.not.toContain('高岡市');
    await shot(page, '12-done-continue');

    await page.getByTestId('continue').click();
    // A new session: card and PIN again.
    await screen(page, 'card').waitFor();
    expect(sessions().length).toBe(sessionsBefore + 2);
    expect(new Set(sessions().slice(-2)).size).toBe(2);
    // The first purchase's paper is still in the output tray.
    await expect(page.locator('[data-tray]').count()).resolves.toBe(2);
    await placeAndChoose(page, sato);
    await screen(page, 'pin').waitFor();
    await typePin(page, '1234');
    await screen(page, 'remove-card').waitFor();
    await page.getByTestId('take-card').click();
    await screen(page, 'select').waitFor();
    // The municipality not issued yet comes chosen.
    await expect(page.locator('[data-municipality="122246"]').getAttribute('class')).resolves.toContain('selected');
    await shot(page, '08-select-continue');
    await page.getByTestId('copies-plus').click();
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await expect(page.getByTestId('preview').textContent()).resolves.toContain('鎌ケ谷市');
    await expect(page.getByTestId('fee').textContent()).resolves.toContain('240円');
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await payAndPrint(page, [500]);
    await screen(page, 'done').waitFor({ timeout: 30_000 });
    // Both municipalities issued: nothing more to go on to.
    await expect(page.getByTestId('continue').count()).resolves.toBe(0);
    await expect(page.locator('[data-tray="certificate"]').count()).resolves.toBe(2);
    await expect(page.locator('[data-tray="receipt"]').count()).resolves.toBe(2);
    await shot(page, '12-done-second-municipality');

    // Two receipts: 120 yen for 高岡市's one copy, 240 yen for 鎌ケ谷市's two.
    const receipts: string[] = [];
    const certificates: string[] = [];
    for (const n of [1, 2]) {
      const item = (kind: string) => page.locator(`[data-tray="${kind}"][data-purchase="${n}"]`);
      const dir = await mkdtemp(join(tmpdir(), 'kiosk-dl-'));
      for (const [kind, list] of [
        ['receipt', receipts],
        ['certificate', certificates],
      ] as const) {
        const [dl] = await Promise.all([page.waitForEvent('download'), item(kind).getByTestId(`download-${kind}`).click()]);
        const file = join(dir, `${kind}.pdf`);
        await dl.saveAs(file);
        list.push(file);
      }
    }
    const [first, second] = await Promise.all(receipts.map(pdfText));
    expect(first).toContain('発行料 120円 × 1通');
    expect(first).toContain('合計 120円');
    expect(second).toContain('発行料 120円 × 2通');
    expect(second).toContain('合計 240円');
    const [v1, v2] = await Promise.all(certificates.map(verifyPdf));
    expect(v1!.code, v1!.out).toBe(0);
    expect(v2!.code, v2!.out).toBe(0);
    // Each certificate names as issuer the municipality that keeps those records.
    const [c1, c2] = await Promise.all(certificates.map(pdfText));
    expect(c1).toContain('高岡市');
    expect(c2).toContain('鎌ケ谷市');
    const id = (out: string) => /certificate ID (\S+)/.exec(out)?.[1];
    expect(id(v1!.out)).not.toBe(id(v2!.out));
    const log = await stack.sim.agents[2]!.log.entries();
    expect(log.slice(-2)).toMatchObject([
      { kind: 'domestic', copies: 1 },
      { kind: 'domestic', copies: 2 },
    ]);
    await page.getByTestId('finish').click();
    await screen(page, 'home').waitFor();
    expect(stack.sim.agents[2]!.printer.tray).toHaveLength(0);
    await page.context().close();
  }, 240_000);
});
