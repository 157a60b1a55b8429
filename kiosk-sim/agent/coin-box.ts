/** Coins and notes the kiosk accepts (yen). */
export const ACCEPTED_MONEY = [10, 50, 100, 500, 1000] as const;
export type Money = (typeof ACCEPTED_MONEY)[number];

/**
 * The coin box: money inserted for the current purchase, change, refund. It holds no float; change
 * is simply the amount above the fee.
 */
export class CoinBox {
  #inserted = 0;
  #returned = 0;

  get inserted(): number {
    return this.#inserted;
  }
  /** Money last handed back (change or refund), for the screen. */
  get returned(): number {
    return this.#returned;
  }

  insert(value: number): number {
    if (!(ACCEPTED_MONEY as readonly number[]).includes(value)) throw new TypeError(`not accepted: ${value}`);
    this.#inserted += value;
    return this.#inserted;
  }

  /** Keeps the fee and returns the change. */
  settle(fee: number): { paid: number; change: number } {
    if (this.#inserted < fee) throw new TypeError('not enough money inserted');
    const paid = this.#inserted;
    const change = paid - fee;
    this.#inserted = 0;
    this.#returned = change;
    return { paid, change };
  }

  /** Hands everything inserted back. */
  refund(): number {
    const back = this.#inserted;
    this.#inserted = 0;
    this.#returned = back;
    return back;
  }

  resetReturned(): void {
    this.#returned = 0;
  }
}
