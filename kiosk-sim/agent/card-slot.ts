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
import { parseCardFiles, type CardFiles } from '../../services/card/card-data.js';

/** One demo card as the tray beside the kiosk shows it. */
export interface TrayCard {
  cardId: string;
  /** The demo's note on what the card shows (a tooltip in the tray, not its face). */
  label: string;
  /**
   * What is printed on the card's face, as anyone holding it sees it: the name, and the last
   * characters of the card's serial. Absent when the card file is damaged.
   */
  face?: { name: string; serialTail: string };
}

const KENHOJO_AP = 'D3921000310001010408';

/** The face of a card file: the name as printed (the same as on the chip's EF0002). */
function cardFace(cardId: string, json: unknown): TrayCard['face'] {
  const files = (json as { aps?: Record<string, { files?: Record<string, unknown> }> }).aps?.[KENHOJO_AP]?.files;
  if (!files) return undefined;
  const bytes = (fid: string): Uint8Array => {
    const hex = files[fid];
    if (typeof hex !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new TypeError(`EF${fid} is not hex`);
    return Uint8Array.from(Buffer.from(hex, 'hex'));
  };
  try {
    const parsed = parseCardFiles({ ef0001: bytes('0001'), ef0002: bytes('0002'), ef0003: bytes('0003'), ef0004: bytes('0004'), ef0007: bytes('0007') });
    return { name: parsed.name, serialTail: cardId.slice(-4).toUpperCase() };
  } catch {
    return undefined;
  }
}

const CARD_ID = /^[0-9a-f]{32}$/;

/**
 * The card tray beside the kiosk: the demo card files in `cardsDir`. The tray shows each card's
 * face (the name printed on it) and keeps the demo's `label` as a note; the kiosk itself reads a
 * card only through the reader, as APDUs.
 */
export async function listTrayCards(cardsDir: string): Promise<TrayCard[]> {
  const names = await readdir(cardsDir).catch(() => [] as string[]);
  const cards: TrayCard[] = [];
  for (const name of names.sort()) {
    const cardId = name.replace(/\.json$/, '');
    if (!name.endsWith('.json') || !CARD_ID.test(cardId)) continue;
    let label = '(unreadable)';
    let face: TrayCard['face'];
    try {
      const json = JSON.parse(await readFile(join(cardsDir, name), 'utf8')) as { label?: unknown };
      if (typeof json.label === 'string') label = json.label;
      face = cardFace(cardId, json);
    } catch {
      // A damaged card still lies in the tray; the reader will say it cannot be read.
    }
    cards.push({ cardId, label, ...(face ? { face } : {}) });
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
