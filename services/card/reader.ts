import { createHash } from 'node:crypto';
import { KenhojoCard, KENHOJO_AID, SW, type KenhojoFid } from './apdu-engine.js';
import { CardStatusError } from './card-errors.js';
import { cardStateFromFile, readCardFile, writeTriesLeft } from './card-file.js';
import type { CardDataBody } from '../common/kiosk-protocol.js';
import type { CardFiles } from './card-data.js';
import { SHA256_DIGEST_INFO_PREFIX } from './rsa-key.js';
import { concatBytes, decodeTlvHeader } from './tlv.js';

/** What the kiosk holds while a card is on the reader: APDUs in, responses (data ‖ SW) out. */
export interface CardConnection {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Power-off: the card forgets its selection and PIN state. Later transmits are refused. */
  disconnect(): Promise<void>;
}

/**
 * Puts the card stored in `cardFilePath` on a virtual reader. The file is the card's memory: each
 * change of the PIN retry counter is written back (atomically) before the answer is returned, as
 * a real card commits its counter before answering.
 */
export async function connect(cardFilePath: string): Promise<CardConnection> {
  const card = new KenhojoCard(cardStateFromFile(await readCardFile(cardFilePath)));
  let open = true;
  // Commands are processed one at a time, so counter writes land in order.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    transmit(apdu: Uint8Array): Promise<Uint8Array> {
      const run = async (): Promise<Uint8Array> => {
        if (!open) throw new TypeError('card connection is closed');
        const before = card.triesLeft;
        const answer = card.transmit(apdu);
        if (card.triesLeft !== before) await writeTriesLeft(cardFilePath, card.triesLeft);
        return answer;
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async disconnect(): Promise<void> {
      await queue;
      open = false;
      card.reset();
    },
  };
}

/** Splits a response into data and status word. */
export function splitResponse(response: Uint8Array): { data: Uint8Array; sw: number } {
  if (response.length < 2) throw new CardStatusError('a command (response shorter than a status word)', 0);
  const n = response.length;
  return { data: response.subarray(0, n - 2), sw: (response[n - 2]! << 8) | response[n - 1]! };
}

async function command(conn: Pick<CardConnection, 'transmit'>, name: string, apdu: number[] | Uint8Array, accept: number[] = [SW.OK]) {
  const answer = splitResponse(await conn.transmit(Uint8Array.from(apdu)));
  if (!accept.includes(answer.sw)) throw new CardStatusError(name, answer.sw);
  return answer;
}

/** SELECT of the 券面事項入力補助AP (kenhojo). */
export async function selectKenhojo(conn: Pick<CardConnection, 'transmit'>): Promise<void> {
  await command(conn, 'SELECT AP', [0x00, 0xa4, 0x04, 0x0c, KENHOJO_AID.length, ...KENHOJO_AID]);
}

/** SELECT EF by a 4-hex-digit file ID. */
export async function selectEf(conn: Pick<CardConnection, 'transmit'>, fid: string): Promise<void> {
  if (!/^[0-9A-Fa-f]{4}$/.test(fid)) throw new TypeError('a FID is 4 hex digits');
  await command(conn, `SELECT EF ${fid}`, [0x00, 0xa4, 0x02, 0x0c, 0x02, ...Buffer.from(fid, 'hex')]);
}

/** Outcome of a VERIFY, from its status word. */
export type PinResult = { ok: true } | { triesLeft: number } | { blocked: true };
/** Outcome of an empty VERIFY: `verified` when the PIN was already verified this session. */
export type PinStatus = { verified: true } | { triesLeft: number } | { blocked: true };

function pinOutcome(sw: number): { triesLeft: number } | { blocked: true } | undefined {
  if (sw === SW.BLOCKED) return { blocked: true };
  // 63C0 is the attempt that just blocked the PIN; later ones answer 6984.
  if (sw === 0x63c0) return { blocked: true };
  if ((sw & 0xfff0) === 0x63c0) return { triesLeft: sw & 0x0f };
  return undefined;
}

/**
 * Selects EF0011 and verifies the 4-digit PIN (the kiosk validates the user's input first, so a
 * non-4-digit PIN is a TypeError). Needs the AP selected.
 */
export async function verifyPin(conn: Pick<CardConnection, 'transmit'>, pin: string): Promise<PinResult> {
  if (!/^\d{4}$/.test(pin)) throw new TypeError('the kenhojo PIN is 4 digits');
  await selectEf(conn, '0011');
  const { sw } = await command(conn, 'VERIFY', [0x00, 0x20, 0x00, 0x80, 0x04, ...Buffer.from(pin, 'latin1')], [SW.OK, SW.BLOCKED, ...tries()]);
  return sw === SW.OK ? { ok: true } : pinOutcome(sw)!;
}

/** Tries left without spending one (empty VERIFY on EF0011). Needs the AP selected. */
export async function triesLeft(conn: Pick<CardConnection, 'transmit'>): Promise<PinStatus> {
  await selectEf(conn, '0011');
  const { sw } = await command(conn, 'VERIFY (empty)', [0x00, 0x20, 0x00, 0x80], [SW.OK, SW.BLOCKED, ...tries()]);
  if (sw === SW.OK) return { verified: true };
  // An empty VERIFY answering 63C0 would mean "0 left", which a card reports as 6984; treat alike.
  return pinOutcome(sw)!;
}

function tries(): number[] {
  return Array.from({ length: 16 }, (_, i) => 0x63c0 | i);
}

/** Largest EF the reader accepts: offsets are 15 bits. */
const MAX_EF_BYTES = 0x7fff;
/** Enough for a tag of 2 bytes and a length of 3. */
const HEADER_PROBE = 5;

/**
 * Selects and reads a whole EF with chunked READ BINARY: first the TLV header, to learn the TLV's
 * size, then the rest at increasing offsets, then whatever the EF stores after the TLV (EF0001's
 * `FF FF` filler) until the card answers 6B00 at the end of the file.
 */
export async function readEf(conn: Pick<CardConnection, 'transmit'>, fid: string): Promise<Uint8Array> {
  await selectEf(conn, fid);
  const read = async (offset: number, le: number): Promise<Uint8Array | undefined> => {
    const { data, sw } = await command(conn, `READ BINARY ${fid}`, [0x00, 0xb0, offset >> 8, offset & 0xff, le & 0xff], [SW.OK, SW.OFFSET_OUT_OF_RANGE]);
    return sw === SW.OK ? data : undefined;
  };
  const first = (await read(0, HEADER_PROBE)) ?? new Uint8Array(0);
  const header = decodeTlvHeader(first);
  const total = header.headerLength + header.length;
  if (total > MAX_EF_BYTES) throw new CardStatusError(`READ BINARY ${fid} (EF too large)`, SW.OK);
  const parts = [first];
  let have = first.length;
  let finished = false;
  while (!finished && have < MAX_EF_BYTES) {
    const want = have < total ? Math.min(256, total - have) : 256;
    const chunk = await read(have, Math.min(want, MAX_EF_BYTES - have));
    if (chunk === undefined || chunk.length === 0) break;
    parts.push(chunk);
    have += chunk.length;
    // A short answer past the TLV means the end of the file; a short one inside it is an error
    // the parser will report as truncation.
    finished = chunk.length < want && have >= total;
  }
  return concatBytes(...parts);
}

/** Reads the five kenhojo EFs (the PIN must be verified for all but EF0004). */
export async function readAll(conn: Pick<CardConnection, 'transmit'>): Promise<CardFiles> {
  const fids: KenhojoFid[] = ['0001', '0002', '0003', '0004', '0007'];
  const out: Partial<Record<KenhojoFid, Uint8Array>> = {};
  for (const fid of fids) out[fid] = await readEf(conn, fid);
  return { ef0001: out['0001']!, ef0002: out['0002']!, ef0003: out['0003']!, ef0004: out['0004']!, ef0007: out['0007']! };
}

/**
 * Has the card sign a challenge with its EF0007 key: SELECT EF0007, then SIGN with the SHA-256
 * DigestInfo of the challenge. The result verifies with `crypto.verify('sha256', challenge, …)`.
 */
export async function signChallenge(conn: Pick<CardConnection, 'transmit'>, challenge: Uint8Array): Promise<Uint8Array> {
  await selectEf(conn, '0007');
  const digestInfo = concatBytes(SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(challenge).digest());
  const { data } = await command(conn, 'SIGN', [0x80, 0x2a, 0x00, 0x80, digestInfo.length, ...digestInfo, 0x00]);
  return new Uint8Array(data);
}

/** The kiosk protocol's step-3 body: the five files as read and the signature over the relay's challenge, base64. */
export function cardDataBody(files: CardFiles, challengeSignature: Uint8Array): CardDataBody {
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
  return {
    ef0001: b64(files.ef0001),
    ef0002: b64(files.ef0002),
    ef0003: b64(files.ef0003),
    ef0004: b64(files.ef0004),
    ef0007: b64(files.ef0007),
    challengeSignature: b64(challengeSignature),
  };
}
