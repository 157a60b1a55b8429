import { join } from 'node:path';
import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import { systemClock, type TimerClock } from '../../services/common/clock.js';
import { BadRequestError, NotFoundError, problemHandler, type ErrorLogger } from '../../services/common/errors.js';
import { KioskStepError } from '../kiosk-errors.js';
import { CardSlot, listTrayCards } from './card-slot.js';
import { CoinBox } from './coin-box.js';
import { HealthMonitor } from './health.js';
import { KioskFlow, FlowError, type KioskEvent } from './kiosk-flow.js';
import { KioskLog } from './kiosk-log.js';
import { Printer } from './printer.js';
import { RelayClient } from './relay-client.js';

export interface KioskAgentOptions {
  kioskId: string;
  storeId: string;
  storeName: string;
  /** Base URL of the certificate center, e.g. https://localhost:8443 */
  relayUrl: string;
  /** The kiosk's client certificate and key, and the CA the relay's server certificate chains to. */
  tls: { cert: string; key: string; ca: string | string[] };
  /** Where the demo card files lie (the card tray beside the kiosk). */
  cardsDir: string;
  /** The kiosk log file (JSON lines). */
  logPath: string;
  /** Where refused and failed calls of the kiosk page are logged (codes only); silent when unset. */
  log?: ErrorLogger;
  /** Folder of the static pages (kiosk-sim/public). */
  publicDir: string;
  clock?: TimerClock;
  /** Idle time after which a screen cancels the session. Default 120 s. */
  idleTimeoutMs?: number;
  /** How often the agent checks in with the relay while idle. Default 30 s; 0 disables. */
  heartbeatMs?: number;
  relayTimeoutMs?: number;
  /**
   * How long a step waits out a busy relay (503 ERR_BUSY), sending itself again after each
   * Retry-After, before the screen shows ERR_BUSY. Default 20 s; 0 shows it at once.
   */
  relayBusyWaitMs?: number;
  onEvent?: (kioskId: string, e: KioskEvent) => void;
}

export interface KioskAgent {
  readonly kioskId: string;
  /** The kiosk's page and JSON API, to be mounted at the kiosk's own URL. */
  readonly router: Router;
  readonly flow: KioskFlow;
  readonly health: HealthMonitor;
  readonly printer: Printer;
  readonly log: KioskLog;
  close(): Promise<void>;
}

/**
 * The kiosk terminal agent: holds the kiosk's client certificate, drives the virtual card reader,
 * the coin box and the printer, and serves the kiosk screen. It talks to the relay only through
 * PROTOCOL.md.
 */
export function createKioskAgent(options: KioskAgentOptions): KioskAgent {
  const clock = options.clock ?? systemClock;
  const health = new HealthMonitor({ kioskId: options.kioskId, storeId: options.storeId, storeName: options.storeName });
  const relay = new RelayClient({
    relayUrl: options.relayUrl,
    tls: options.tls,
    now: () => clock.now(),
    listener: {
      contact: (at) => health.contact(at),
      fault: (code, detail, at) => health.fault(code, detail, at),
      // A busy answer is contact for the store controller; the resident's screen says to wait.
      busy: () => flow.waitingForRelay(),
    },
    ...(options.relayTimeoutMs ? { timeoutMs: options.relayTimeoutMs } : {}),
    ...(options.relayBusyWaitMs !== undefined ? { busyWaitMs: options.relayBusyWaitMs } : {}),
  });
  const printer = new Printer();
  const log = new KioskLog(options.logPath);
  const flow = new KioskFlow({
    kioskId: options.kioskId,
    storeId: options.storeId,
    storeName: options.storeName,
    relay,
    slot: new CardSlot(options.cardsDir),
    printer,
    coins: new CoinBox(),
    log,
    clock,
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
    onEvent: (e) => {
      if (e.type === 'fault') health.fault(e.code, e.detail, clock.now());
      options.onEvent?.(options.kioskId, e);
    },
  });

  const heartbeatMs = options.heartbeatMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const beat = () => void flow.run(() => flow.refreshService(), false).catch(() => undefined);
  beat();
  if (heartbeatMs > 0) {
    timer = setInterval(() => {
      if (flow.step === 'home' || flow.step === 'closed' || flow.step === 'out-of-service') beat();
    }, heartbeatMs);
    timer.unref();
  }

  const router = express.Router();
  router.use(express.json({ limit: '8kb' }));
  router.get('/', (_req, res) => {
    res.sendFile(join(options.publicDir, 'kiosk.html'));
  });
  router.get('/api/state', (_req, res) => {
    res.json(flow.state());
  });
  router.get('/api/cards', async (_req, res) => {
    res.json({ cards: await listTrayCards(options.cardsDir) });
  });

  const action = (path: string, fn: (req: Request) => Promise<void> | void) => {
    router.post(path, async (req, res) => {
      await flow.run(async () => fn(req));
      res.json(flow.state());
    });
  };
  const str = (req: Request, k: string): string => {
    const v = (req.body as Record<string, unknown> | undefined)?.[k];
    if (typeof v !== 'string') throw new BadRequestError(`${k} is required`, [{ field: k, rule: 'string' }]);
    return v;
  };
  const num = (req: Request, k: string): number => {
    const v = (req.body as Record<string, unknown> | undefined)?.[k];
    if (typeof v !== 'number') throw new BadRequestError(`${k} is required`, [{ field: k, rule: 'number' }]);
    return v;
  };
  action('/api/start', () => flow.start());
  action('/api/terms/agree', () => flow.agree());
  action('/api/terms/disagree', () => flow.disagree());
  action('/api/type', (req) => flow.chooseType(str(req, 'type')));
  action('/api/continue', () => flow.continueIssuance());
  action('/api/card/place', (req) => flow.placeCard(str(req, 'cardId')));
  action('/api/card/remove', () => flow.removeCard());
  action('/api/pin', (req) => flow.enterPin(str(req, 'pin')));
  action('/api/select', (req) => flow.select({ municipality: str(req, 'municipality'), kind: str(req, 'kind') as 'domestic', copies: num(req, 'copies') }));
  action('/api/back', () => flow.back());
  action('/api/confirm', () => flow.confirm());
  action('/api/pay', (req) => flow.insert(num(req, 'value')));
  action('/api/print', () => flow.print());
  action('/api/cancel', () => flow.cancel());
  action('/api/finish', () => flow.finish());
  action('/api/tray/take', () => flow.takeTray());
  // Any touch on the screen counts as activity for the idle timer.
  action('/api/touch', () => undefined);
  router.get('/api/tray/:id', (req, res) => {
    const item = printer.item(String(req.params.id));
    if (!item) {
      throw new NotFoundError('No such tray item');
    }
    const disposition = req.query.download !== undefined ? 'attachment' : 'inline';
    res.set({ 'content-type': 'application/pdf', 'content-disposition': `${disposition}; filename="${item.fileName}"`, 'cache-control': 'no-store' });
    res.send(item.pdf);
  });
  // A refused screen action is 409 ERR_KIOSK_STEP; everything is answered as problem+json here
  // (bad JSON 400 ERR_BAD_REQUEST, anything unforeseen 500 ERR_INTERNAL). The page reloads its
  // state after a refusal, so no screen state (holder name) travels in an error.
  const asKioskError: ErrorRequestHandler = (err, _req, _res, next) => {
    next(err instanceof FlowError ? new KioskStepError(err.message, err.code) : err);
  };
  router.use(asKioskError, problemHandler(options.log ?? { warn: () => undefined, error: () => undefined }));

  return {
    kioskId: options.kioskId,
    router,
    flow,
    health,
    printer,
    log,
    async close() {
      if (timer) clearInterval(timer);
      flow.dispose();
      // A step waiting out a busy relay gives up now, so the cancel below does not queue behind it.
      relay.stopWaiting();
      await flow.run(() => flow.cancel().catch(() => undefined), false).catch(() => undefined);
      flow.dispose();
      relay.close();
    },
  };
}
