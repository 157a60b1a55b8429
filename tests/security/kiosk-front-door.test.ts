/**
 * Issue 15, kiosk simulator findings, against the real stack (VRS, relay, simulator) and a real
 * Chromium: DNS rebinding (foreign Host), one kiosk's page reading another's state, a cross-site
 * POST from a real second origin, and the output tray after 終了 and after the idle timeout.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { cardIdOf, kioskPage, screen, startAndPlace, startKioskStack, typePin, type KioskStack } from '../e2e/kiosk/kiosk-stack.js';

let stack: KioskStack;
let hostile: Server;
let hostileUrl: string;
beforeAll(async () => {
  stack = await startKioskStack({ idleTimeoutMs: 8000 });
  // A second origin (another port): a page that tries to start KIOSK-0001 by fetch and by form POST.
  hostile = createServer((req, res) => {
    const target = `${stack.sim.kiosks[0]!.url}api/start`;
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><form id="f" method="POST" action="${target}" enctype="text/plain"><input name="a" value="b"></form>
<script>fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', body: '{}' }).finally(() => { document.title = 'sent'; document.getElementById('f').submit(); });</script>`);
  });
  await new Promise<void>((ok) => hostile.listen(0, '127.0.0.1', ok));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`;
}, 300_000);
afterAll(async () => {
  await new Promise<void>((ok) => hostile?.close(() => ok()));
  await stack?.close();
}, 60_000);

/** A raw request to the simulator's loopback port with any Host header (what a rebound page sends). */
function raw(path: string, host: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const port = new URL(stack.sim.url).port;
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host, ...headers } }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (body += c))
        .on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail).end(method === 'POST' ? '{}' : undefined);
  });
}

/** Card to the done screen: one domestic certificate paid with a 500 yen coin. */
async function issue(page: Page): Promise<void> {
  await startAndPlace(page, await cardIdOf('yamada-taro'));
  await screen(page, 'pin').waitFor();
  await typePin(page, '1234');
  await screen(page, 'remove-card').waitFor();
  await page.getByTestId('take-card').click();
  await screen(page, 'select').waitFor();
  await page.getByTestId('next').click();
  await screen(page, 'confirm').waitFor();
  await page.getByTestId('confirm').click();
  await screen(page, 'pay').waitFor();
  await page.locator('[data-coin="500"]').click();
  await page.getByTestId('print').click();
  await screen(page, 'done').waitFor({ timeout: 30_000 });
}

describe('kiosk simulator front door', () => {
  it('answers a foreign Host (DNS rebinding) with 421 ERR_HOST_NOT_ALLOWED, and no state', async () => {
    const r = await raw('/kiosks/KIOSK-0001/api/state', 'attacker.example');
    expect(r.status).toBe(421);
    expect(r.type).toContain('application/problem+json');
    expect(JSON.parse(r.body)).toMatchObject({ code: 'ERR_HOST_NOT_ALLOWED', status: 421 });
    expect(r.body).not.toContain('kioskId');
    const port = new URL(stack.sim.url).port;
    expect((await raw('/kiosks/KIOSK-0001/api/state', `kiosk-0001.localhost:${port}`)).status).toBe(200);
    expect((await raw('/', `attacker.example:${port}`)).status).toBe(421);
  });

  it("keeps each kiosk on its own origin: KIOSK-0002's page cannot read KIOSK-0001's state", async () => {
    const page = await kioskPage(stack, 1);
    expect(new URL(page.url()).hostname).toBe('kiosk-0002.localhost');
    const sameOriginPath = await page.evaluate(() =>
      fetch('/kiosks/KIOSK-0001/api/state').then(async (r) => ({ status: r.status, body: (await r.json()) as { code?: string } })),
    );
    expect(sameOriginPath).toMatchObject({ status: 421, body: { code: 'ERR_KIOSK_ORIGIN' } });
    const other = stack.sim.kiosks[0]!.url;
    const crossOrigin = await page.evaluate(
      (u) =>
        fetch(`${u}api/state`).then(
          () => 'read',
          () => 'blocked',
        ),
      other,
    );
    expect(crossOrigin).toBe('blocked');
    await page.context().close();
  });

  it('refuses a cross-site POST from another origin (fetch and form), and a call without the page token', async () => {
    const before = stack.events.length;
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(hostileUrl);
    // The form submission navigates to the kiosk's answer: the refusal.
    await vi.waitFor(async () => expect(await page.content()).toContain('ERR_CROSS_SITE'), { timeout: 15_000 });
    await context.close();
    expect(stack.sim.agents[0]!.flow.step).toBe('home');
    expect(stack.events.slice(before).some((e) => e.kioskId === 'KIOSK-0001')).toBe(false);
    const port = new URL(stack.sim.url).port;
    const noToken = await raw('/kiosks/KIOSK-0001/api/start', `kiosk-0001.localhost:${port}`, 'POST', { 'content-type': 'application/json' });
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.body)).toMatchObject({ code: 'ERR_KIOSK_TOKEN' });
    expect(stack.sim.agents[0]!.flow.step).toBe('home');
  });

  it('empties the output tray and drops the holder when the resident presses 終了', async () => {
    const page = await kioskPage(stack, 0);
    await issue(page);
    const tray = stack.sim.agents[0]!.flow.state().tray;
    expect(tray.length).toBeGreaterThan(0);
    expect(stack.sim.agents[0]!.flow.state().holder).toBeDefined();
    await page.getByTestId('finish').click();
    await screen(page, 'home').waitFor();
    expect(stack.sim.agents[0]!.printer.tray).toHaveLength(0);
    const state = await page.evaluate(() => fetch('api/state').then((r) => r.json() as Promise<{ holder?: unknown; tray: unknown[] }>));
    expect(state.holder).toBeUndefined();
    expect(state.tray).toHaveLength(0);
    const status = await page.evaluate((id) => fetch(`api/tray/${id}`).then((r) => r.status), tray[0]!.id);
    expect(status).toBe(404);
    await page.context().close();
  }, 120_000);

  it('empties the output tray when the idle timeout fires on the done screen', async () => {
    const page = await kioskPage(stack, 0);
    await issue(page);
    expect(stack.sim.agents[0]!.printer.tray.length).toBeGreaterThan(0);
    // Nobody touches the screen: the idle timer (8 s here) sends the kiosk home, marked timed out.
    await vi.waitFor(() => expect(stack.sim.agents[0]!.flow.state()).toMatchObject({ step: 'home', timedOut: true }), { timeout: 30_000, interval: 200 });
    expect(stack.sim.agents[0]!.printer.tray).toHaveLength(0);
    expect(stack.sim.agents[0]!.flow.state().holder).toBeUndefined();
    await page.context().close();
  }, 120_000);
});
