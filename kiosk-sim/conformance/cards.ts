import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseCardFiles, type CardFiles } from '../../services/card/card-data.js';
import { KENHOJO_AID_HEX, readCardFile, type CardFile } from '../../services/card/card-file.js';
import { cardDataBody, connect, readAll, selectKenhojo, signChallenge, triesLeft, verifyPin } from '../../services/card/reader.js';

/** What the kit knows of the holder of a card: read from the card itself, after the PIN. */
export interface HolderData {
  myNumber: string;
  /** Family name, U+3000, given name (as on the card). */
  name: string;
  /** YYYY-MM-DD */
  birthDate: string;
}

/** A card file the kit may use: always a private temporary copy (PIN counters are written back). */
export interface KitCard {
  /** File name of the original, for messages. */
  file: string;
  cardId: string;
  label: string;
  /** Path of the temporary copy the reader works on. */
  path: string;
  pin: string;
  triesLeft: number;
}

/** The step-3 body: the five EFs and the challenge signature, base64. */
export interface CardBody {
  ef0001: string;
  ef0002: string;
  ef0003: string;
  ef0004: string;
  ef0007: string;
  challengeSignature: string;
  [more: string]: string;
}

/**
 * The card files of `--cards`, copied to a private temporary folder. Files that are not
 * `kiosk-sim/card@1` cards are listed in `skipped` with the reason; the originals are never written.
 */
export class CardPool {
  readonly cards: KitCard[] = [];
  readonly skipped: { file: string; reason: string }[] = [];
  #dir = '';

  static async open(cardsDir: string): Promise<CardPool> {
    const pool = new CardPool();
    pool.#dir = await mkdtemp(join(tmpdir(), 'conformance-cards-'));
    const names = (await readdir(cardsDir)).filter((n) => n.endsWith('.json')).sort();
    for (const name of names) {
      let card: CardFile;
      try {
        card = await readCardFile(join(cardsDir, name));
      } catch (err) {
        pool.skipped.push({ file: name, reason: `not a kiosk-sim/card@1 file (${(err as Error).message})` });
        continue;
      }
      const ap = card.aps[KENHOJO_AID_HEX];
      const path = join(pool.#dir, `${card.cardId}.json`);
      await copyFile(join(cardsDir, name), path);
      pool.cards.push({ file: basename(name), cardId: card.cardId, label: card.label, path, pin: ap.pin.value, triesLeft: ap.pin.triesLeft });
    }
    return pool;
  }

  async close(): Promise<void> {
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}

/**
 * What a kiosk does at step 3: VERIFY the PIN from the card file, read the five EFs and have the
 * card sign the challenge. Refuses (without a VERIFY) a card with fewer than 2 tries left, so the
 * kit can never block a PIN.
 */
export async function presentCard(card: KitCard, challengeB64: string): Promise<{ files: CardFiles; body: CardBody; holder: HolderData }> {
  const conn = await connect(card.path);
  try {
    await selectKenhojo(conn);
    const status = await triesLeft(conn);
    if ('blocked' in status) throw new Error('the card PIN is blocked');
    if ('triesLeft' in status && status.triesLeft < 2) throw new Error(`the card has ${status.triesLeft} PIN try left; the kit does not risk it`);
    const pin = await verifyPin(conn, card.pin);
    if (!('ok' in pin)) throw new Error('the PIN in the card file is refused by the card');
    const files = await readAll(conn);
    const signature = await signChallenge(conn, Buffer.from(challengeB64, 'base64'));
    const parsed = parseCardFiles(files);
    return { files, body: cardDataBody(files, signature), holder: { myNumber: parsed.myNumber, name: parsed.name, birthDate: parsed.birthDate } };
  } finally {
    await conn.disconnect();
  }
}
