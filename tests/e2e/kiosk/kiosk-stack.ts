/**
 * One real stack for a browser test file: VRS (in-memory PGlite, demo seed), the relay (always
 * open, in-process one-time store) and the kiosk simulator, all on free ports, with a copy of the
 * demo cards in a temp folder (PIN counters are written back to the copies), and a headless
 * Chromium (Debian's) driven by playwright-core.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as mupdf from 'mupdf';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createLogger } from '../../../services/common/logger.js';
import { openDatabase } from '../../../services/vrs/db/database.js';
import { loadVrsConfig } from '../../../services/vrs/config.js';
import { startVrs, type RunningVrs } from '../../../services/vrs/server.js';
import { loadRelayConfig } from '../../../services/relay/config.js';
import { startRelay, type RunningRelay } from '../../../services/relay/server.js';
import { startKioskSim, type RunningKioskSim } from '../../../kiosk-sim/server.js';
import type { KioskEvent } from '../../../kiosk-sim/agent/kiosk-flow.js';
import type { MenuEntry } from '../../../kiosk-sim/agent/kiosk-state.js';

const run = promisify(execFile);
export const SCREENSHOT_DIR = resolve('tests/screenshots/kiosk');
export const DEMO_PASSWORD = 'kiosk-e2e-demo-password';
export const MAINTENANCE_PASSWORD = 'kiosk-e2e-maintenance';

export interface KioskStack {
  dir: string;
  cardsDir: string;
  vrs: RunningVrs;
  relay: RunningRelay;
  sim: RunningKioskSim;
  browser: Browser;
  events: { kioskId: string; e: KioskEvent }[];
  mailDir: string;
  /** Starts the kiosk simulator again over the same cards (a restart). */
  restartSim(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  idleTimeoutMs?: number;
  kioskIds?: string[];
}

export async function startKioskStack(options: StackOptions = {}): Promise<KioskStack> {
  const pki = pkiPaths(resolve('certs/out'));
  const dir = await mkdtemp(join(tmpdir(), 'kiosk-e2e-'));
  const cardsDir = join(dir, 'cards');
  await cp(pki.cardsDir, cardsDir, { recursive: true });
  const mailDir = join(dir, 'mailbox');
  await mkdir(mailDir, { recursive: true });
  const silent = { LOG_LEVEL: 'silent' };
  const db = await openDatabase({});
  const vrs = await startVrs(loadVrsConfig({ ...silent, VRS_PORT: '0', PORTAL_PORT: '0', DEMO_PASSWORD, MAIL_DIR: mailDir }), {
    db,
    log: createLogger({ service: 'vrs', level: 'silent' }),
  });
  const relay = await startRelay(
    loadRelayConfig({
      ...silent,
      RELAY_PORT: '0',
      SERVICE_HOURS: '00:00-24:00',
      VRS_URL: vrs.lgwanUrl,
      OUTBOX_DIR: join(dir, 'outbox'),
      BOOKS_DIR: join(dir, 'books'),
      SESSION_TTL_S: '600',
      DOCUMENT_TTL_S: '120',
      NOTICE_POLL_MS: '200',
      // Test machines run several suites at once; PGlite answers slower than a production VRS.
      VRS_TIMEOUT_MS: '20000',
    }),
  );
  const events: KioskStack['events'] = [];
  const simConfig = {
    port: 0,
    relayUrl: relay.url,
    kioskCertDir: pki.kiosksDir,
    relayCa: pki.serverCa,
    cardsDir,
    logDir: join(dir, 'kiosk-logs'),
    maintenancePassword: MAINTENANCE_PASSWORD,
    heartbeatMs: 1000,
    logger: createLogger({ service: 'kiosk-sim', level: 'silent' }),
    onEvent: (kioskId: string, e: KioskEvent) => events.push({ kioskId, e }),
    ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.kioskIds ? { kioskIds: options.kioskIds } : {}),
  };
  let sim = await startKioskSim(simConfig);
  const browser = await chromium.launch({
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
  const stack: KioskStack = {
    dir,
    cardsDir,
    vrs,
    relay,
    sim,
    browser,
    events,
    mailDir,
    async restartSim() {
      await stack.sim.close();
      sim = await startKioskSim(simConfig);
      stack.sim = sim;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await stack.sim.close().catch(() => undefined);
      await relay.stop().catch(() => undefined);
      await vrs.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The card id of a demo resident (certs/out/cards/manifest.json). */
export async function cardIdOf(slug: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(pkiPaths(resolve('certs/out')).cardsDir, 'manifest.json'), 'utf8')) as Record<string, { cardId: string }>;
  const entry = manifest[slug];
  if (!entry) throw new Error(`no demo card ${slug}`);
  return entry.cardId;
}

/** Saves a screenshot a person can look at: tests/screenshots/kiosk/<name>.png */
export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A new page with speech synthesis recorded in window.__spoken. */
export async function kioskPage(stack: KioskStack, kioskIndex = 0): Promise<Page> {
  const context = await stack.browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, locale: 'ja-JP' });
  await context.addInitScript(() => {
    const w = window as unknown as { __spoken: { text: string; lang: string }[] };
    w.__spoken = [];
    if ('speechSynthesis' in window) {
      window.speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
        w.__spoken.push({ text: u.text, lang: u.lang });
      };
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(stack.sim.kiosks[kioskIndex]!.url);
  // A test that failed half-way may have left this kiosk on another screen: start from home.
  await page.locator('#screen[data-step]').waitFor();
  const resting = page.locator('#screen[data-step="home"], #screen[data-step="closed"], #screen[data-step="out-of-service"]');
  if ((await resting.count()) === 0) {
    await page.evaluate(() =>
      fetch('api/cancel', { method: 'POST', headers: { 'x-kiosk-token': document.querySelector('meta[name="kiosk-token"]')?.getAttribute('content') ?? '' } }),
    );
    await resting.waitFor();
  }
  return page;
}

export const screen = (page: Page, step: string) => page.locator(`#screen[data-step="${step}"]`);

/**
 * Waits for the page's next `n` state polls (it polls every 500 ms) to be answered, the last one
 * rendered: what it shows then has caught up with the agent. For checking that something does not
 * happen, instead of a fixed sleep.
 */
export async function statePolls(page: Page, n = 2): Promise<void> {
  for (let i = 0; i <= n; i++) await page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/api/state'));
}

/** Home: 行政サービス, then 証明書交付サービス; ends on the terms. */
export async function openTerms(page: Page): Promise<void> {
  await screen(page, 'home').waitFor();
  await page.getByTestId('gov-services').click();
  await page.getByTestId('start').click();
  await screen(page, 'terms').waitFor();
}

/** Home → terms (同意する) → the card screen: a session is open. */
export async function toCardScreen(page: Page): Promise<void> {
  await openTerms(page);
  await page.getByTestId('agree').click();
  await screen(page, 'card').waitFor();
}

/**
 * Places the card on the card screen and chooses 新型コロナワクチン接種証明書 on 交付対象選択; ends on
 * the PIN pad, or on whatever screen refused the card (blocked, error).
 */
export async function placeAndChoose(page: Page, cardId: string): Promise<void> {
  await page.locator(`[data-card="${cardId}"]`).click();
  await screen(page, 'type').or(screen(page, 'blocked')).or(screen(page, 'error')).first().waitFor();
  if ((await screen(page, 'type').count()) === 1) await page.getByTestId('type-covid').click();
}

/** Home → terms → card → type → PIN: starts a session, places the card and chooses the certificate. */
export async function startAndPlace(page: Page, cardId: string): Promise<void> {
  await toCardScreen(page);
  await placeAndChoose(page, cardId);
}

export async function typePin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.locator(`.pad [data-digit="${d}"]`).click();
  await page.getByTestId('pin-ok').click();
}

/** Runs the verifier CLI on a PDF; resolves with its exit code and output. */
export async function verifyPdf(file: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'services/certificate/verify/cli.ts', file], { cwd: resolve('.') });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export async function readCardTries(cardsDir: string, cardId: string): Promise<number> {
  const json = JSON.parse(await readFile(join(cardsDir, `${cardId}.json`), 'utf8')) as { aps: Record<string, { pin: { triesLeft: number } }> };
  return json.aps['D3921000310001010408']!.pin.triesLeft;
}

export async function listFiles(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/**
 * Suspends or resumes a municipality's kiosk service through the VRS portal API, as its staff
 * would: password, mailed one-time code, then PUT /api/v1/service with the CSRF token.
 */
export async function setMunicipalitySuspended(stack: KioskStack, code: string, suspended: boolean): Promise<void> {
  const portal = stack.vrs.portalUrl;
  const email = `demo-${code}@example.lg.jp`;
  const json = { 'content-type': 'application/json' };
  const before = new Set(await listFiles(stack.mailDir));
  const login = await fetch(`${portal}/api/v1/login`, { method: 'POST', headers: json, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  if (!login.ok) throw new Error(`portal login: ${login.status} ${await login.text()}`);
  const { challengeId } = (await login.json()) as { challengeId: string };
  const mail = (await listFiles(stack.mailDir)).filter((f) => f.endsWith('.eml') && !before.has(f));
  let code6: string | undefined;
  for (const f of mail) {
    const raw = await readFile(join(stack.mailDir, f), 'utf8');
    if (raw.includes(`To: ${email}`)) code6 = /確認コード: (\d{6})/.exec(raw)?.[1];
  }
  if (!code6) throw new Error('no one-time code mailed');
  const verify = await fetch(`${portal}/api/v1/login/verify`, { method: 'POST', headers: json, body: JSON.stringify({ challengeId, code: code6 }) });
  if (!verify.ok) throw new Error(`portal verify: ${verify.status}`);
  const cookie = (verify.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await verify.json()) as { csrfToken: string };
  const put = await fetch(`${portal}/api/v1/service`, {
    method: 'PUT',
    headers: { ...json, cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ suspended }),
  });
  if (!put.ok) throw new Error(`portal PUT /service: ${put.status} ${await put.text()}`);
}

/** Walks a card through start, PIN and removal; ends on whatever screen follows. */
export async function cardToSelect(page: Page, cardId: string): Promise<void> {
  await startAndPlace(page, cardId);
  await screen(page, 'pin').waitFor();
  await typePin(page, '1234');
  await screen(page, 'remove-card').or(screen(page, 'error')).first().waitFor();
  if ((await screen(page, 'remove-card').count()) === 1) await page.getByTestId('take-card').click();
}

/**
 * Makes a kiosk's agent read the relay's step-3 menu with the fields of issue 18 (問合せ先 `contact`,
 * `overseasDetail`) set per municipality code, as a relay that sends them answers: the same menu,
 * those fields overridden. Returns the function that puts the plain relay client back.
 */
export function menuWith(stack: KioskStack, kioskIndex: number, fields: Record<string, Partial<Pick<MenuEntry, 'contact' | 'overseasDetail'>>>): () => void {
  const relay = stack.sim.agents[kioskIndex]!.flow.o.relay;
  const original = relay.submitCard.bind(relay);
  relay.submitCard = async (...args) => {
    const answer = await original(...args);
    return { ...answer, municipalities: answer.municipalities.map((m) => ({ ...m, ...fields[m.code] })) };
  };
  return () => {
    relay.submitCard = original;
  };
}

/** The text of every page of a PDF (mupdf). */
export async function pdfText(file: string): Promise<string> {
  const doc = mupdf.Document.openDocument(await readFile(file), 'application/pdf');
  const parts: string[] = [];
  for (let i = 0; i < doc.countPages(); i++) parts.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return parts.join('\n');
}
