import { randomBytes } from 'node:crypto';
import { CardStatusError } from '../../services/card/card-errors.js';
import type { TimerClock } from '../../services/common/clock.js';
import type { CardSlot } from './card-slot.js';
import type { CoinBox } from './coin-box.js';
import type { KioskLog } from './kiosk-log.js';
import type { Printer } from './printer.js';
import { IdleTimer } from './idle-timer.js';
import { runPrintJob } from './print-job.js';
import type { CardAccepted, CertificateKind, RequestCreated } from '../../services/common/kiosk-protocol.js';
import { RelayError, type RelayClient } from './relay-client.js';
import { CERTIFICATE_TYPES, type ContactLine, type MenuEntry, type ScreenState, type Step } from './kiosk-state.js';

/** Something the agent reports about itself (store controller, tests). Never personal data. */
export type KioskEvent =
  | { type: 'session-opened'; sessionId: string }
  | { type: 'session-closed'; sessionId: string; reason: 'finished' | 'cancelled' | 'timeout' | 'failed' }
  | { type: 'fault'; code: string; detail: string }
  | { type: 'issued'; kind: CertificateKind; copies: number };

export interface KioskFlowOptions {
  kioskId: string;
  storeId: string;
  storeName: string;
  relay: RelayClient;
  slot: CardSlot;
  printer: Printer;
  coins: CoinBox;
  log: KioskLog;
  /** Time of the screen flow, and of its idle timeout. */
  clock: TimerClock;
  idleTimeoutMs: number;
  onEvent?: (e: KioskEvent) => void;
}

/**
 * What the kiosk's page sees: the screen state, and `relayBusy` while the current step waits out a
 * busy relay (503 ERR_BUSY) to send itself again.
 */
export type FlowScreenState = ScreenState & { relayBusy?: true };

/** A resident-facing refusal: the screen shows `code`. */
export class FlowError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

const IDLE_FREE: Step[] = ['home', 'closed', 'out-of-service', 'printing', 'reading'];

/**
 * The kiosk's screen flow as a state machine on the terminal agent. One operation runs at a time;
 * every resident action restarts the idle timer, whose expiry cancels the session at the relay
 * (DELETE) and returns home.
 */
export class KioskFlow {
  readonly o: KioskFlowOptions;
  #step: Step = 'home';
  #busy = false;
  #inService = true;
  #timedOut = false;
  #service: { open: boolean; hours: string } | undefined;
  #sessionId: string | undefined;
  #challenge: Buffer | undefined;
  #pin: { triesLeft?: number; wrong: boolean } | undefined;
  #answer: (Omit<CardAccepted, 'municipalities'> & { municipalities: MenuEntry[] }) | undefined;
  #selection: { municipality: string; kind: CertificateKind; copies: number } | undefined;
  #request: RequestCreated | undefined;
  #receipt: ScreenState['receipt'];
  #error: ScreenState['error'];
  /**
   * One resident's visit, across sessions (続けて発行): whose card, and the municipalities issued so
   * far, oldest first. Each purchase is its own session; the visit ends when the resident leaves.
   */
  #visit: { holder: string; issued: string[] } | undefined;
  /** The operation in progress waits out a busy relay (cleared when the operation ends). */
  #relayBusy = false;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #idle: IdleTimer;
  /** Grows with every change, so the page can drop an answer older than one it already shows. */
  #version = 0;
  /** Tells the page that the agent restarted (versions start again). */
  readonly #bootId = randomBytes(8).toString('hex');

  constructor(options: KioskFlowOptions) {
    this.o = options;
    this.#idle = new IdleTimer(
      options.idleTimeoutMs,
      () => {
        void this.run(async () => {
          if (IDLE_FREE.includes(this.#step) || this.#busy) return;
          await this.cancel('timeout');
        }, false).catch(() => undefined);
      },
      options.clock,
    );
  }

  get step(): Step {
    return this.#step;
  }
  get inService(): boolean {
    return this.#inService;
  }

  /** Runs one operation at a time, so two taps cannot interleave. */
  run<T>(fn: () => Promise<T>, resident = true): Promise<T> {
    const go = async () => {
      if (resident) this.#touch();
      try {
        return await fn();
      } finally {
        this.#relayBusy = false;
        this.#version += 1;
      }
    };
    const result = this.#queue.then(go, go);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  state(): FlowScreenState {
    const offered = this.#answer?.municipalities.filter((m) => m.domestic || m.overseas);
    const unavailable = this.#answer?.municipalities
      .filter((m) => !m.domestic && !m.overseas)
      .map((m) => ({ name: m.name, reason: m.unavailableReason ?? 'unavailable', ...(m.contact ? { contact: m.contact } : {}) }));
    const continueTo = this.#step === 'done' ? this.#continueTo() : [];
    return {
      version: this.#version,
      bootId: this.#bootId,
      kioskId: this.o.kioskId,
      storeId: this.o.storeId,
      storeName: this.o.storeName,
      step: this.#step,
      busy: this.#busy,
      inService: this.#inService,
      ...(this.#service ? { service: this.#service } : {}),
      timedOut: this.#timedOut,
      idleTimeoutMs: this.o.idleTimeoutMs,
      ...(this.#idle.deadline !== undefined ? { idleDeadline: this.#idle.deadline } : {}),
      card: { present: this.o.slot.present, ...(this.o.slot.cardId ? { cardId: this.o.slot.cardId } : {}) },
      ...(this.#pin ? { pin: this.#pin } : {}),
      ...(this.#answer ? { holder: this.#answer.holder, municipalities: offered, unavailable, feePerCopy: this.#answer.feePerCopy } : {}),
      ...(this.#selection ? { selection: this.#selection } : {}),
      ...(this.#visit?.issued.length ? { issuedThisVisit: [...this.#visit.issued] } : {}),
      ...(continueTo.length ? { continueTo } : {}),
      ...(this.#request
        ? { request: { fee: this.#request.fee, copies: this.#request.copies, pages: this.#request.pages, preview: this.#request.preview } }
        : {}),
      payment: { inserted: this.o.coins.inserted, returned: this.o.coins.returned, ...(this.#request ? { fee: this.#request.fee } : {}) },
      ...(this.#receipt ? { receipt: this.#receipt } : {}),
      tray: this.o.printer.tray.map((i) => ({ id: i.id, kind: i.kind, fileName: i.fileName })),
      ...(this.#error ? { error: this.#error } : {}),
      ...(this.#relayBusy ? { relayBusy: true as const } : {}),
    };
  }

  /**
   * The relay answered the step in progress 503 ERR_BUSY and the relay client sends it again after
   * Retry-After: the reading screen tells the resident to wait. Ends with the operation.
   */
  waitingForRelay(): void {
    if (this.#relayBusy) return;
    this.#relayBusy = true;
    this.#version += 1;
  }

  /** Home screen: asks the relay whether the service is open (also the heartbeat). */
  async refreshService(): Promise<void> {
    try {
      const s = await this.o.relay.service();
      this.#service = { open: s.open, hours: s.hours };
      if (this.#step === 'home' && !s.open) this.#go('closed');
      if (this.#step === 'closed' && s.open) this.#go('home');
    } catch {
      // The fault is recorded by the relay client; the home screen stays.
    }
  }

  setInService(on: boolean): void {
    this.#inService = on;
    this.#version += 1;
    if (!on && (this.#step === 'home' || this.#step === 'closed')) this.#go('out-of-service');
    if (on && this.#step === 'out-of-service') this.#go('home');
  }

  /**
   * 行政サービス → 証明書交付サービス on the home screen: the terms of use come first. No session yet;
   * the relay says whether the service is open when the resident agrees.
   */
  async start(): Promise<void> {
    this.#need('home', 'closed');
    if (!this.#inService) throw new FlowError('ERR_OUT_OF_SERVICE');
    // The previous resident's paper is gone once a new one starts.
    this.o.printer.clearTray();
    this.o.coins.resetReturned();
    this.#reset();
    this.#visit = undefined;
    if (this.#service && !this.#service.open) {
      // The last heartbeat said closed: ask again rather than show terms of a closed service.
      await this.refreshService();
      if (!this.#service.open) return this.#go('closed');
    }
    this.#go('terms');
  }

  /** 同意する: opens a session at the relay and asks for the card. */
  async agree(): Promise<void> {
    this.#need('terms');
    await this.#openSession();
  }

  /** 同意しない: back home; no session was opened. */
  async disagree(): Promise<void> {
    this.#need('terms');
    await this.cancel();
  }

  /**
   * 続けて発行 on the done screen: a new session for another municipality of the same resident. The
   * relay sells one purchase per session, so the card and the PIN are asked again; the paper of the
   * earlier purchase stays in the output tray.
   */
  async continueIssuance(): Promise<void> {
    this.#need('done');
    if (this.#continueTo().length === 0) throw new FlowError('ERR_STEP', 'no other municipality to issue');
    this.o.coins.resetReturned();
    this.#reset();
    await this.#openSession();
  }

  async #openSession(): Promise<void> {
    try {
      const s = await this.o.relay.openSession();
      this.#sessionId = s.sessionId;
      this.#challenge = Buffer.from(s.challenge, 'base64');
      this.o.onEvent?.({ type: 'session-opened', sessionId: s.sessionId });
      this.#go('card');
    } catch (e) {
      if (e instanceof RelayError && e.code === 'ERR_SERVICE_CLOSED') {
        await this.refreshService();
        this.#go('closed');
        return;
      }
      this.#fail(e);
      return;
    }
    // A card already lying on the reader is read at once.
    if (this.o.slot.present) await this.#cardArrived();
  }

  /** A card is put on the reader (from the tray beside the kiosk). */
  async placeCard(cardId: string): Promise<void> {
    try {
      await this.o.slot.place(cardId);
    } catch (e) {
      if (e instanceof TypeError) throw new FlowError('ERR_BAD_REQUEST', 'unknown card');
      if (this.#step === 'card') this.#showError('ERR_CARD_UNREADABLE');
      return;
    }
    if (this.#step === 'card') await this.#cardArrived();
  }

  /** On the card screen: asks the card for its PIN state without spending a try, then 交付対象選択. */
  async #cardArrived(): Promise<void> {
    try {
      const status = await this.o.slot.pinStatus();
      if ('blocked' in status) return this.#go('blocked');
      this.#pin = { wrong: false, ...('triesLeft' in status ? { triesLeft: status.triesLeft } : {}) };
      this.#go('type');
    } catch {
      this.#showError('ERR_CARD_UNREADABLE');
    }
  }

  /** The card is taken off the reader. */
  async removeCard(): Promise<void> {
    await this.o.slot.remove();
    if (this.#step === 'remove-card') this.#afterRemoval();
    else if (this.#step === 'pin' || this.#step === 'type') {
      this.#pin = undefined;
      this.#go('card');
    }
  }

  /** 交付対象選択: the certificate to issue (only the vaccination certificate), then the PIN. */
  async chooseType(type: string): Promise<void> {
    this.#need('type');
    if (!(CERTIFICATE_TYPES as readonly string[]).includes(type)) throw new FlowError('ERR_BAD_REQUEST', 'unknown certificate type');
    if (!this.o.slot.present) return this.#go('card');
    this.#go('pin');
  }

  /** The PIN pad's OK: VERIFY to the card; only the status word comes back. */
  async enterPin(pin: string): Promise<void> {
    this.#need('pin');
    if (!/^\d{4}$/.test(pin)) throw new FlowError('ERR_BAD_REQUEST', 'the PIN is 4 digits');
    if (!this.o.slot.present) return this.#go('card');
    let result;
    try {
      result = await this.o.slot.verify(pin);
    } catch {
      return this.#showError('ERR_CARD_UNREADABLE');
    }
    if ('blocked' in result) return this.#go('blocked');
    if ('triesLeft' in result) {
      this.#pin = { triesLeft: result.triesLeft, wrong: true };
      return;
    }
    this.#pin = undefined;
    this.#go('reading');
    this.#busy = true;
    try {
      const files = await this.o.slot.readAll();
      const signature = await this.o.slot.sign(this.#challenge!);
      const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
      this.#answer = await this.o.relay.submitCard(this.#sessionId!, {
        ef0001: b64(files.ef0001),
        ef0002: b64(files.ef0002),
        ef0003: b64(files.ef0003),
        ef0004: b64(files.ef0004),
        ef0007: b64(files.ef0007),
        challengeSignature: b64(signature),
      });
      for (const f of Object.values(files)) f.fill(0);
      // Another card in the same visit is another resident: nothing of the first one's visit counts.
      const holder = `${this.#answer.holder.name}\u0000${this.#answer.holder.birthDate}`;
      if (this.#visit?.holder !== holder) this.#visit = { holder, issued: [] };
      this.#go('remove-card');
    } catch (e) {
      this.#fail(e instanceof CardStatusError ? new FlowError('ERR_CARD_UNREADABLE') : e);
    } finally {
      this.#busy = false;
    }
  }

  /** Municipality, kind and copies chosen: the relay builds the request and its preview. */
  async select(selection: { municipality: string; kind: CertificateKind; copies: number }): Promise<void> {
    this.#need('select', 'confirm');
    const { municipality, kind, copies } = selection;
    if (!Number.isInteger(copies) || copies < 1 || copies > 5) throw new FlowError('ERR_COPIES');
    if (kind !== 'domestic' && kind !== 'overseas') throw new FlowError('ERR_BAD_REQUEST');
    // A second tap on "next" waits in the queue behind the first (which may wait out ERR_BUSY) and
    // arrives on the confirmation: the same choice is already requested, so no second request.
    const same = this.#selection?.municipality === municipality && this.#selection.kind === kind && this.#selection.copies === copies;
    if (this.#step === 'confirm' && same && this.#request) return;
    this.#selection = { municipality, kind, copies };
    this.#busy = true;
    try {
      this.#request = await this.o.relay.createRequest(this.#sessionId!, { municipality, kind, copies });
      this.#go('confirm');
    } catch (e) {
      this.#failRequest(e, municipality);
    } finally {
      this.#busy = false;
    }
  }

  /** Back from the confirmation to the choice. */
  async back(): Promise<void> {
    this.#need('confirm');
    this.#go('select');
  }

  async confirm(): Promise<void> {
    this.#need('confirm');
    this.#go('pay');
  }

  async insert(value: number): Promise<void> {
    this.#need('pay');
    try {
      this.o.coins.insert(value);
    } catch {
      throw new FlowError('ERR_BAD_REQUEST', 'not accepted');
    }
  }

  /** Starts printing once the fee is covered; the job runs on and the page follows the state. */
  async print(): Promise<void> {
    this.#need('pay');
    const request = this.#request!;
    if (this.o.coins.inserted < request.fee) throw new FlowError('ERR_NOT_PAID');
    this.#go('printing');
    this.#busy = true;
    void this.run(() => this.#printJob(request), false);
  }

  async #printJob(request: RequestCreated): Promise<void> {
    const { kind, copies } = this.#selection!;
    try {
      const outcome = await runPrintJob(
        {
          relay: this.o.relay,
          printer: this.o.printer,
          coins: this.o.coins,
          log: this.o.log,
          storeName: this.o.storeName,
          fault: (code, detail) => this.o.onEvent?.({ type: 'fault', code, detail }),
        },
        { sessionId: this.#sessionId!, request, kind, copies },
      );
      if (outcome.printed) {
        this.#receipt = outcome.receipt;
        this.#visit?.issued.push(this.#selection!.municipality);
        this.o.onEvent?.({ type: 'issued', kind, copies });
        await this.#closeSession('finished');
        this.#go('done');
      } else {
        await this.#closeSession('failed');
        this.#error = { code: 'ERR_PRINT_FAILED', reason: outcome.reason, refunded: outcome.refunded };
        this.#go('error');
      }
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#busy = false;
    }
  }

  /** The resident (or the idle timer) cancels: DELETE at the relay, money back, card back, home. */
  async cancel(reason: 'cancelled' | 'timeout' = 'cancelled'): Promise<void> {
    if (this.#step === 'printing') throw new FlowError('ERR_BUSY');
    this.o.coins.refund();
    await this.o.slot.remove();
    await this.#closeSession(reason);
    // Finished or timed out, the resident has left: what they did not take goes (ARCHITECTURE: the kiosk keeps nothing).
    this.o.printer.clearTray();
    this.#reset();
    this.#visit = undefined;
    this.#timedOut = reason === 'timeout';
    this.#go(this.#inService ? 'home' : 'out-of-service');
  }

  /** From the reminder screen back home. */
  async finish(): Promise<void> {
    this.#need('done', 'error', 'blocked');
    await this.cancel();
  }

  /** The resident takes the paper from the output tray; the kiosk keeps nothing. */
  takeTray(): void {
    this.o.printer.clearTray();
  }

  dispose(): void {
    this.#idle.stop();
  }

  async #closeSession(reason: 'finished' | 'cancelled' | 'timeout' | 'failed'): Promise<void> {
    const sid = this.#sessionId;
    this.#sessionId = undefined;
    this.#challenge = undefined;
    if (!sid) return;
    await this.o.relay.deleteSession(sid).catch(() => undefined);
    this.o.onEvent?.({ type: 'session-closed', sessionId: sid, reason });
  }

  #afterRemoval(): void {
    const all = this.#answer?.municipalities ?? [];
    if (!all.some((m) => m.domestic || m.overseas)) {
      const reasons = all.map((m) => m.unavailableReason).filter(Boolean);
      const contacts = contactLines(all);
      this.#error = { code: 'ERR_MUNICIPALITY_UNAVAILABLE', ...(reasons[0] ? { reason: reasons[0] } : {}), ...(contacts.length ? { contacts } : {}) };
      return this.#go('error');
    }
    this.#go('select');
  }

  /** Municipalities offered on the last menu that this visit has not issued yet. */
  #continueTo(): { code: string; name: string }[] {
    const issued = this.#visit?.issued ?? [];
    return (this.#answer?.municipalities ?? [])
      .filter((m) => (m.domestic || m.overseas) && !issued.includes(m.code))
      .map((m) => ({ code: m.code, name: m.name }));
  }

  /**
   * A refused request: a refusal about the records of the chosen municipality says whom to ask
   * there, and a refused overseas certificate says which rule refused it.
   */
  #failRequest(e: unknown, municipality: string): void {
    const code = e instanceof RelayError ? e.code : undefined;
    if (code !== 'ERR_NOT_ISSUABLE' && code !== 'ERR_MUNICIPALITY_UNAVAILABLE' && code !== 'ERR_NO_PASSPORT_ON_FILE') return this.#fail(e);
    const entry = this.#answer?.municipalities.find((m) => m.code === municipality);
    const contacts = contactLines(entry ? [entry] : []);
    this.#error = {
      code,
      ...(code === 'ERR_NO_PASSPORT_ON_FILE' ? { overseasDetail: entry?.overseasDetail ?? 'no_passport_on_file' } : {}),
      ...(contacts.length ? { contacts } : {}),
    };
    this.#go('error');
  }

  #reset(): void {
    this.#pin = undefined;
    this.#answer = undefined;
    this.#selection = undefined;
    this.#request = undefined;
    this.#receipt = undefined;
    this.#error = undefined;
    this.#timedOut = false;
  }

  #need(...steps: Step[]): void {
    if (!steps.includes(this.#step)) throw new FlowError('ERR_STEP', `not possible on the ${this.#step} screen`);
  }

  #showError(code: string, reason?: string): void {
    this.#error = { code, ...(reason ? { reason } : {}) };
    this.#go('error');
  }

  #fail(e: unknown): void {
    if (e instanceof RelayError || e instanceof FlowError) return this.#showError(e.code);
    this.o.onEvent?.({ type: 'fault', code: 'ERR_KIOSK_INTERNAL', detail: e instanceof Error ? e.name : 'error' });
    this.#showError('ERR_KIOSK_INTERNAL');
  }

  #go(step: Step): void {
    this.#step = step;
    this.#version += 1;
    this.#armIdle();
  }

  #touch(): void {
    this.#armIdle();
  }

  #armIdle(): void {
    if (IDLE_FREE.includes(this.#step)) this.#idle.stop();
    else this.#idle.arm();
  }
}

/** The 問合せ先 of the menu entries that have one. */
function contactLines(entries: readonly MenuEntry[]): ContactLine[] {
  return entries.flatMap((m) => (m.contact ? [{ name: m.name, office: m.contact.office, phone: m.contact.phone }] : []));
}
