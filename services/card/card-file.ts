import { randomBytes, createPrivateKey } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { CardFormatError } from './card-errors.js';
import type { KenhojoCardState, KenhojoFid } from './apdu-engine.js';

/** PKCS#8 PEM header, spelled in parts so no scan mistakes this source for a committed key. */
const PKCS8_PEM_HEADER = ['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' ');

/** Format marker of a card file (PROTOCOL.md, "Demo material written by npm start"). */
export const CARD_FILE_FORMAT = 'kiosk-sim/card@1';

/** The kenhojo AID as the card file spells it (upper-case hex). */
export const KENHOJO_AID_HEX = 'D3921000310001010408';

/** EFs are addressed with 15-bit offsets, so no file can be larger. */
const MAX_EF_BYTES = 0x7fff;
const hexFile = z
  .string()
  .regex(/^(?:[0-9a-fA-F]{2})+$/)
  .max(MAX_EF_BYTES * 2);

const kenhojoApSchema = z.object({
  files: z.object({ '0001': hexFile, '0002': hexFile, '0003': hexFile, '0004': hexFile, '0007': hexFile }),
  pin: z
    .object({
      value: z.string().regex(/^\d{4}$/),
      triesLeft: z.number().int().min(0),
      // 63Cx carries the count in four bits.
      maxTries: z.number().int().min(1).max(15),
    })
    .refine((p) => p.triesLeft <= p.maxTries, { message: 'triesLeft exceeds maxTries' }),
  challengeKey: z.string().includes(PKCS8_PEM_HEADER),
});

const cardFileSchema = z.object({
  format: z.literal(CARD_FILE_FORMAT),
  cardId: z.string().regex(/^[0-9a-f]{32}$/),
  label: z.string(),
  // Other APs (JPKI) may be present later; they are kept as they are.
  aps: z.looseObject({ [KENHOJO_AID_HEX]: kenhojoApSchema }),
});

/** A card file: the card's memory, as JSON. */
export type CardFile = z.infer<typeof cardFileSchema>;

/** Validates parsed JSON as a card file; a bad one is a {@link CardFormatError}. */
export function parseCardFile(json: unknown): CardFile {
  const result = cardFileSchema.safeParse(json);
  if (!result.success) {
    // Paths only: the issues' messages could quote the PIN or card data.
    const where = result.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new CardFormatError(`card file is malformed at ${where}`);
  }
  return result.data;
}

/** Reads and validates a card file. */
export async function readCardFile(path: string): Promise<CardFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CardFormatError('card file cannot be read', { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CardFormatError('card file is not JSON');
  }
  return parseCardFile(json);
}

/**
 * Writes a card file atomically (temporary file in the same folder, then rename), so that a crash
 * mid-write never leaves a half card: the retry counter must survive.
 */
export async function writeCardFile(path: string, card: CardFile): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(card, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes a new retry counter back to the card file, re-reading it first so that nothing else in
 * the file is lost.
 */
export async function writeTriesLeft(path: string, triesLeft: number): Promise<void> {
  const card = await readCardFile(path);
  const ap = card.aps[KENHOJO_AID_HEX];
  if (!Number.isInteger(triesLeft) || triesLeft < 0 || triesLeft > ap.pin.maxTries) throw new TypeError('triesLeft out of range');
  ap.pin.triesLeft = triesLeft;
  await writeCardFile(path, card);
}

/** The engine state a card file describes. */
export function cardStateFromFile(card: CardFile): KenhojoCardState {
  const ap = card.aps[KENHOJO_AID_HEX];
  const files = Object.fromEntries(Object.entries(ap.files).map(([fid, hex]) => [fid, new Uint8Array(Buffer.from(hex, 'hex'))])) as Record<
    KenhojoFid,
    Uint8Array
  >;
  let challengeKey;
  try {
    challengeKey = createPrivateKey({ key: ap.challengeKey, format: 'pem' });
  } catch (cause) {
    throw new CardFormatError('card file challenge key is not a private key', { cause });
  }
  if (challengeKey.asymmetricKeyType !== 'rsa') throw new CardFormatError('card file challenge key is not RSA');
  return { files, pin: { ...ap.pin }, challengeKey };
}
