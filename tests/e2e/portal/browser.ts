import { expect } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, mailSeen, waitForCode, type PortalStack } from './portal-stack.js';

export const SCREENSHOT_DIR = resolve('tests/screenshots/portal');

/** Debian's Chromium, headless, as every e2e suite of the project launches it. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser profile with the office screen size; page errors fail the test that reads them. */
export async function newOfficeContext(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // CSP violations and script errors show up as console errors.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

/** Saves tests/screenshots/portal/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** Logs in through the two login steps with the mailed code; ends on the issuance log. */
export async function logIn(page: Page, stack: PortalStack, email: string, password = DEMO_PASSWORD): Promise<void> {
  const seen = await mailSeen(stack.mailDir);
  await page.goto(`${stack.portalUrl}/`);
  await page.waitForURL(/\/login\.html/);
  await page.getByLabel('メールアドレス').fill(email);
  await page.getByLabel('パスワード').fill(password);
  await page.getByLabel('パスワード').press('Enter');
  await page.locator('#code').waitFor({ state: 'visible' });
  const code = await waitForCode(stack.mailDir, email, seen);
  await page.locator('#code').fill(code);
  await page.locator('#code').press('Enter');
  await page.waitForURL(`${stack.portalUrl}/`);
  await page.locator('body[data-loaded="true"]').waitFor();
}

/**
 * expect.poll with a timeout suited to a browser on a busy 2-core machine (scrypt password checks
 * and Chromium share the CPU with other suites).
 */
export function poll<T>(fn: () => Promise<T> | T): ReturnType<typeof expect.poll<T>> {
  return expect.poll(fn, { timeout: 15_000, interval: 100 });
}
