/** One fault, as the store controller shows it. Codes and fixed texts only, never personal data. */
export interface Fault {
  code: string;
  detail: string;
  /** Last time it happened. */
  at: string;
  /** How many times in a row (a relay that stays down is one fault, not one per heartbeat). */
  count: number;
}

/** A kiosk's connection state, reported automatically by its agent. */
export interface KioskHealth {
  kioskId: string;
  storeId: string;
  storeName: string;
  /** Last successful exchange with the relay (ISO time). */
  lastContact?: string;
  lastFault?: Fault;
  /** Recent faults, newest first. */
  faults: Fault[];
  connected: boolean;
}

/**
 * What the agent knows of its own health: the relay client reports each contact and fault, the
 * printer and the flow report theirs, and the store controller reads it.
 */
export class HealthMonitor {
  #lastContact: Date | undefined;
  #faults: Fault[] = [];
  #connected = false;
  #contactSince = false;
  readonly #listeners = new Set<(f: Fault) => void>();

  constructor(readonly ids: { kioskId: string; storeId: string; storeName: string }) {}

  contact(at: Date): void {
    this.#lastContact = at;
    this.#connected = true;
    this.#contactSince = true;
  }

  fault(code: string, detail: string, at: Date): void {
    if (code === 'ERR_RELAY_UNREACHABLE' || code === 'ERR_KIOSK' || code === 'ERR_UPSTREAM_TIMEOUT') this.#connected = false;
    const last = this.#faults[0];
    if (last && last.code === code && !this.#contactSince) {
      last.count += 1;
      last.at = at.toISOString();
      return;
    }
    this.#contactSince = false;
    // Messages are built by the kiosk's own code (codes, routes, fixed texts; ids elided).
    const f: Fault = { code, detail: detail.slice(0, 200), at: at.toISOString(), count: 1 };
    this.#faults.unshift(f);
    this.#faults.length = Math.min(this.#faults.length, 20);
    for (const l of this.#listeners) l(f);
  }

  /** Subscribes to faults as they happen (the store controller's automatic reports). */
  onFault(listener: (f: Fault) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  snapshot(): KioskHealth {
    return {
      ...this.ids,
      ...(this.#lastContact ? { lastContact: this.#lastContact.toISOString() } : {}),
      ...(this.#faults[0] ? { lastFault: { ...this.#faults[0] } } : {}),
      faults: this.#faults.map((f) => ({ ...f })),
      connected: this.#connected,
    };
  }
}
