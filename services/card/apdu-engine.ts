import { constants, privateEncrypt, type KeyObject } from 'node:crypto';
import { SHA256_DIGEST_INFO_PREFIX } from './rsa-key.js';

/** AID of the 券面事項入力補助AP (kenhojo: card-info input support). */
export const KENHOJO_AID = Uint8Array.from([0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]);

/** File IDs of the AP, as 4 hex digits. */
export type KenhojoFid = '0001' | '0002' | '0003' | '0004' | '0007';

/** Status words the engine answers. */
export const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  INCOMPATIBLE_FILE: 0x6981,
  SECURITY_NOT_SATISFIED: 0x6982,
  BLOCKED: 0x6984,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  OFFSET_OUT_OF_RANGE: 0x6b00,
  UNKNOWN_INS: 0x6d00,
  UNKNOWN_CLA: 0x6e00,
} as const;

/** The card's memory for the AP: what a card file holds. */
export interface KenhojoCardState {
  files: Record<KenhojoFid, Uint8Array>;
  pin: { value: string; triesLeft: number; maxTries: number };
  /** EF0007's private key; never leaves the engine. */
  challengeKey: KeyObject;
}

const PIN_FID = '0011';
const CHALLENGE_KEY_FID = '0007';
/** EF0004 (the CV certificate) is public; every other data EF needs the PIN. */
const PUBLIC_FIDS = new Set(['0004']);
const SHA256_DIGEST_INFO_LENGTH = SHA256_DIGEST_INFO_PREFIX.length + 32;

interface Apdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array | undefined;
  /** Expected response length; 256 for an Le byte of 00; undefined when absent. */
  le: number | undefined;
}

/**
 * The virtual card's APDU engine for the kenhojo AP (short APDUs, ISO/IEC 7816-4).
 *
 * Choices where real cards differ or CARD.md is silent:
 * - An empty VERIFY answers 9000 once the PIN was verified in this session (ISO 7816-4 §11.5.6:
 *   "verification not required"), 63Cx otherwise, 6984 when blocked; it never spends a try.
 * - READ BINARY at an offset ≥ the EF size answers 6B00; a read that starts inside the EF and runs
 *   past its end returns the remaining bytes with 9000 (no 6282 warning), so readers stop on a
 *   short answer. P1 bit 8 (short-EF addressing) is not supported: 6A86.
 * - SIGN needs EF0007 selected (else 6986) and a verified PIN (else 6982); a data field that is
 *   not 51 bytes is 6700, 51 bytes that are not a SHA-256 DigestInfo are 6A80.
 * - VERIFY needs EF0011 selected (else 6986); four bytes that are not the PIN (digits or not)
 *   spend a try, as the card only compares.
 * - Selecting the AP again keeps the PIN state; only {@link reset} (power-off) clears it.
 *
 * The engine only changes `state.pin.triesLeft` in memory; whoever owns the card's storage reads
 * {@link triesLeft} after each command and persists a change before answering.
 */
export class KenhojoCard {
  readonly #state: KenhojoCardState;
  #apSelected = false;
  #currentEf: string | undefined;
  #verified = false;

  constructor(state: KenhojoCardState) {
    if (!Number.isInteger(state.pin.maxTries) || state.pin.maxTries < 1 || state.pin.maxTries > 15) throw new TypeError('maxTries must be 1–15');
    if (!Number.isInteger(state.pin.triesLeft) || state.pin.triesLeft < 0 || state.pin.triesLeft > state.pin.maxTries)
      throw new TypeError('triesLeft out of range');
    this.#state = { files: { ...state.files }, pin: { ...state.pin }, challengeKey: state.challengeKey };
  }

  /** Tries left on the PIN counter (0 = blocked). */
  get triesLeft(): number {
    return this.#state.pin.triesLeft;
  }

  /** Power-off / reconnect: the selection and the security state are lost; the counter is not. */
  reset(): void {
    this.#apSelected = false;
    this.#currentEf = undefined;
    this.#verified = false;
  }

  /** Processes one command APDU and answers `data ‖ SW1 SW2`. Never throws on card input. */
  transmit(command: Uint8Array): Uint8Array {
    if (!(command instanceof Uint8Array)) throw new TypeError('an APDU is a Uint8Array');
    const apdu = parseApdu(command);
    if (apdu === undefined) return status(SW.WRONG_LENGTH);
    if (apdu.cla === 0x00) {
      switch (apdu.ins) {
        case 0xa4:
          return this.#select(apdu);
        case 0x20:
          return this.#verify(apdu);
        case 0xb0:
          return this.#readBinary(apdu);
        default:
          return status(SW.UNKNOWN_INS);
      }
    }
    if (apdu.cla === 0x80) return apdu.ins === 0x2a ? this.#sign(apdu) : status(SW.UNKNOWN_INS);
    return status(SW.UNKNOWN_CLA);
  }

  #select({ p1, p2, data, le }: Apdu): Uint8Array {
    if ((p1 !== 0x04 && p1 !== 0x02) || p2 !== 0x0c) return status(SW.WRONG_P1P2);
    // P2 0C asks for no response data, so an Le is a length error.
    if (data === undefined || le !== undefined) return status(SW.WRONG_LENGTH);
    if (p1 === 0x04) {
      if (data.length < 5 || data.length > 16) return status(SW.WRONG_LENGTH);
      if (!equalBytes(data, KENHOJO_AID)) return status(SW.NOT_FOUND);
      this.#apSelected = true;
      this.#currentEf = undefined;
      return status(SW.OK);
    }
    if (data.length !== 2) return status(SW.WRONG_LENGTH);
    const fid = Buffer.from(data).toString('hex').toUpperCase();
    if (!this.#apSelected || (fid !== PIN_FID && !Object.hasOwn(this.#state.files, fid))) return status(SW.NOT_FOUND);
    this.#currentEf = fid;
    return status(SW.OK);
  }

  #verify({ p1, p2, data, le }: Apdu): Uint8Array {
    if (p1 !== 0x00 || p2 !== 0x80) return status(SW.WRONG_P1P2);
    if (le !== undefined) return status(SW.WRONG_LENGTH);
    if (data !== undefined && data.length !== 4) return status(SW.WRONG_LENGTH);
    if (this.#currentEf !== PIN_FID) return status(SW.NO_CURRENT_EF);
    const pin = this.#state.pin;
    if (pin.triesLeft === 0) return status(SW.BLOCKED);
    if (data === undefined) return this.#verified ? status(SW.OK) : status(0x63c0 | pin.triesLeft);
    if (equalBytes(data, new TextEncoder().encode(pin.value))) {
      pin.triesLeft = pin.maxTries;
      this.#verified = true;
      return status(SW.OK);
    }
    pin.triesLeft -= 1;
    this.#verified = false;
    return status(0x63c0 | pin.triesLeft);
  }

  #readBinary({ p1, p2, data, le }: Apdu): Uint8Array {
    if ((p1 & 0x80) !== 0) return status(SW.WRONG_P1P2);
    if (data !== undefined || le === undefined) return status(SW.WRONG_LENGTH);
    const fid = this.#currentEf;
    if (fid === undefined) return status(SW.NO_CURRENT_EF);
    if (fid === PIN_FID) return status(SW.INCOMPATIBLE_FILE);
    if (!PUBLIC_FIDS.has(fid) && !this.#verified) return status(SW.SECURITY_NOT_SATISFIED);
    const file = this.#state.files[fid as KenhojoFid];
    const offset = (p1 << 8) | p2;
    if (offset >= file.length) return status(SW.OFFSET_OUT_OF_RANGE);
    return response(file.subarray(offset, Math.min(file.length, offset + le)), SW.OK);
  }

  #sign({ p1, p2, data, le }: Apdu): Uint8Array {
    if (p1 !== 0x00 || p2 !== 0x80) return status(SW.WRONG_P1P2);
    if (data === undefined || le !== 256) return status(SW.WRONG_LENGTH);
    if (this.#currentEf !== CHALLENGE_KEY_FID) return status(SW.NO_CURRENT_EF);
    if (!this.#verified) return status(SW.SECURITY_NOT_SATISFIED);
    if (data.length !== SHA256_DIGEST_INFO_LENGTH) return status(SW.WRONG_LENGTH);
    if (!equalBytes(data.subarray(0, SHA256_DIGEST_INFO_PREFIX.length), SHA256_DIGEST_INFO_PREFIX)) return status(SW.WRONG_DATA);
    // The card applies PKCS#1 v1.5 type-1 padding to the DigestInfo it is given and exponentiates:
    // exactly what privateEncrypt does, so the result verifies as RSASSA-PKCS1-v1_5 / SHA-256.
    const signature = privateEncrypt({ key: this.#state.challengeKey, padding: constants.RSA_PKCS1_PADDING }, data);
    return response(new Uint8Array(signature), SW.OK);
  }
}

/** Short APDU cases 1–4; undefined when the bytes are not a well-formed short APDU. */
function parseApdu(b: Uint8Array): Apdu | undefined {
  if (b.length < 4) return undefined;
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  if (b.length === 4) return { cla, ins, p1, p2, data: undefined, le: undefined };
  const b4 = b[4]!;
  if (b.length === 5) return { cla, ins, p1, p2, data: undefined, le: b4 === 0 ? 256 : b4 };
  // Lc 00 would start an extended APDU, which this card does not support.
  if (b4 === 0) return undefined;
  const data = b.subarray(5, 5 + b4);
  if (b.length === 5 + b4) return { cla, ins, p1, p2, data, le: undefined };
  if (b.length === 6 + b4) {
    const le = b[5 + b4]!;
    return { cla, ins, p1, p2, data, le: le === 0 ? 256 : le };
  }
  return undefined;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function status(sw: number): Uint8Array {
  return Uint8Array.from([sw >> 8, sw & 0xff]);
}

function response(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
