import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  connect,
  readAll,
  selectKenhojo,
  signChallenge,
  triesLeft,
  verifyPin,
  type CardConnection,
  type PinResult,
  type PinStatus,
} from '../../services/card/reader.js';
import type { CardFiles } from '../../services/card/card-data.js';

/** One demo card as the tray beside the kiosk shows it. */
export interface TrayCard {
  cardId: string;
  label: string;
}

const CARD_ID = /^[0-9a-f]{32}$/;

/**
 * The card tray beside the kiosk: the demo card files in `cardsDir`. Only the `label` field is read
 * from a card file, to name the card in the tray; everything else goes through the reader as APDUs.
 */
export async function listTrayCards(cardsDir: string): Promise<TrayCard[]> {
  const names = await readdir(cardsDir).catch(() => [] as string[]);
  const cards: TrayCard[] = [];
  for (const name of names.sort()) {
    const cardId = name.replace(/\.json$/, '');
    if (!name.endsWith('.json') || !CARD_ID.test(cardId)) continue;
    let label = '(unreadable)';
    try {
      const json = JSON.parse(await readFile(join(cardsDir, name), 'utf8')) as { label?: unknown };
      if (typeof json.label === 'string') label = json.label;
    } catch {
      // A damaged card still lies in the tray; the reader will say it cannot be read.
    }
    cards.push({ cardId, label });
  }
  return cards;
}

/**
 * The kiosk's card reader slot. A card is placed by its card file id; the reader powers it up and
 * every later exchange is an APDU. The PIN goes to the card as VERIFY and only the status word comes
 * back: the kiosk never knows the PIN.
 */
export class CardSlot {
  #conn: CardConnection | undefined;
  #cardId: string | undefined;
  readonly #cardsDir: string;

  constructor(cardsDir: string) {
    this.#cardsDir = cardsDir;
  }

  get present(): boolean {
    return this.#conn !== undefined;
  }
  get cardId(): string | undefined {
    return this.#cardId;
  }

  /**
   * Places a card on the reader and selects the 券面事項入力補助AP (kenhojo). Throws when the card
   * cannot be read (the card is still on the reader then, and must be removed).
   */
  async place(cardId: string): Promise<void> {
    if (!CARD_ID.test(cardId)) throw new TypeError('unknown card');
    await this.remove();
    this.#cardId = cardId;
    this.#conn = await connect(join(this.#cardsDir, `${cardId}.json`)).catch((e: unknown) => {
      // An unreadable card still lies on the reader; it answers nothing.
      this.#conn = deadConnection();
      throw e;
    });
    await selectKenhojo(this.#conn);
  }

  /** PIN status without spending a try (empty VERIFY). */
  async pinStatus(): Promise<PinStatus> {
    return triesLeft(this.#need());
  }

  async verify(pin: string): Promise<PinResult> {
    return verifyPin(this.#need(), pin);
  }

  async readAll(): Promise<CardFiles> {
    return readAll(this.#need());
  }

  async sign(challenge: Uint8Array): Promise<Uint8Array> {
    return signChallenge(this.#need(), challenge);
  }

  /** Takes the card off the reader (power-off: the card forgets the verified PIN). */
  async remove(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#cardId = undefined;
    if (conn) await conn.disconnect().catch(() => undefined);
  }

  #need(): CardConnection {
    if (!this.#conn) throw new TypeError('no card on the reader');
    return this.#conn;
  }
}

function deadConnection(): CardConnection {
  return {
    transmit: async () => Uint8Array.from([0x6f, 0x00]),
    disconnect: async () => undefined,
  };
}
