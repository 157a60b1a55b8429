import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kiosk } from '../../helpers/kiosk.js';
import { cardIdOf, cardToSelect, kioskPage, screen, shot, startKioskStack, type KioskStack } from './kiosk-stack.js';

let stack: KioskStack;
beforeAll(async () => {
  stack = await startKioskStack({ idleTimeoutMs: 3000 });
}, 300_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

/** A request to the relay as KIOSK-0001 (its own client certificate). */
async function relayAsKiosk(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const kiosk = new Kiosk(stack.relay.url, 'KIOSK-0001');
  try {
    const answer = await kiosk.call(method, path, body);
    return { status: answer.status, json: (answer.json as Record<string, unknown> | undefined) ?? {} };
  } finally {
    kiosk.close();
  }
}

describe('idle timeout', () => {
  it('cancels the session at the relay and returns home when nobody touches the screen', async () => {
    const page = await kioskPage(stack, 0);
    await cardToSelect(page, await cardIdOf('yamada-taro'));
    await screen(page, 'select').waitFor();
    const opened = stack.events.filter((x) => x.kioskId === 'KIOSK-0001' && x.e.type === 'session-opened').at(-1);
    const sessionId = opened?.e.type === 'session-opened' ? opened.e.sessionId : '';
    expect(sessionId).not.toBe('');
    // The session is alive at the relay while the resident is choosing.
    const before = await relayAsKiosk('POST', `/v1/sessions/${sessionId}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    expect(before.status).toBe(201);

    await screen(page, 'home').waitFor({ timeout: 10_000 });
    await page.getByTestId('timed-out').waitFor();
    await shot(page, '17-home-after-timeout');
    expect(stack.events.some((x) => x.e.type === 'session-closed' && x.e.sessionId === sessionId && x.e.reason === 'timeout')).toBe(true);
    const after = await relayAsKiosk('POST', `/v1/sessions/${sessionId}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 });
    expect(after.status).toBe(404);
    await page.context().close();
  }, 180_000);

  it('times out on the payment screen too, and gives the money back', async () => {
    const page = await kioskPage(stack, 1);
    await cardToSelect(page, await cardIdOf('suzuki-ichiro'));
    await screen(page, 'select').waitFor();
    await page.getByTestId('next').click();
    await screen(page, 'confirm').waitFor();
    await page.getByTestId('confirm').click();
    await screen(page, 'pay').waitFor();
    await page.locator('[data-coin="100"]').click();
    await expect.poll(() => page.getByTestId('inserted').textContent()).toContain('100');
    await screen(page, 'home').waitFor({ timeout: 10_000 });
    const state = (await page.evaluate(() => fetch('api/state').then((r) => r.json()))) as { payment: { inserted: number; returned: number } };
    expect(state.payment).toMatchObject({ inserted: 0, returned: 100 });
    await page.context().close();
  }, 180_000);
});
