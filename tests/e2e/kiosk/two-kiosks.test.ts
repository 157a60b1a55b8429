import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIdOf, cardToSelect, kioskPage, screen, shot, startKioskStack, verifyPdf, type KioskStack } from './kiosk-stack.js';

let stack: KioskStack;
beforeAll(async () => {
  stack = await startKioskStack();
}, 300_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

/** One resident's whole visit at one kiosk; returns the downloaded certificate. */
async function visit(page: Page, slug: string, name: string): Promise<string> {
  await cardToSelect(page, await cardIdOf(slug));
  await screen(page, 'select').waitFor();
  await page.getByTestId('next').click();
  await screen(page, 'confirm').waitFor();
  await page.getByTestId('confirm').click();
  await screen(page, 'pay').waitFor();
  await page.locator('[data-coin="100"]').click();
  await page.locator('[data-coin="10"]').click();
  await page.locator('[data-coin="10"]').click();
  await page.getByTestId('print').click();
  await screen(page, 'done').waitFor({ timeout: 30_000 });
  await shot(page, name);
  const dir = await mkdtemp(join(tmpdir(), 'kiosk-dl-'));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-certificate').click()]);
  const file = join(dir, 'certificate.pdf');
  await dl.saveAs(file);
  return file;
}

describe('two kiosks side by side', () => {
  it('serves two residents at the same time, each getting their own certificate', async () => {
    const [a, b] = await Promise.all([kioskPage(stack, 0), kioskPage(stack, 1)]);
    const [pdfA, pdfB] = await Promise.all([visit(a!, 'yamada-taro', '18-two-kiosks-a'), visit(b!, 'suzuki-ichiro', '18-two-kiosks-b')]);
    const [va, vb] = await Promise.all([verifyPdf(pdfA), verifyPdf(pdfB)]);
    expect(va.code, va.out).toBe(0);
    expect(vb.code, vb.out).toBe(0);
    expect(va.out).toContain('1980-04-01');
    expect(va.out).not.toContain('1990-01-15');
    expect(vb.out).toContain('1990-01-15');
    expect(vb.out).not.toContain('1980-04-01');
    const id = (out: string) => /certificate ID (\S+)/.exec(out)?.[1];
    expect(id(va.out)).toBeTruthy();
    expect(id(va.out)).not.toBe(id(vb.out));
    await Promise.all([a!.context().close(), b!.context().close()]);
  }, 180_000);
});
