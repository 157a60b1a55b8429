import { CardFormatError } from './card-errors.js';

/**
 * Strict BER-TLV for the card's files: one- and two-byte tags, definite lengths in the minimal
 * form only (short form below 0x80, `81 xx` for 0x80–0xFF, `82 xx xx` for 0x100–0xFFFF). Every
 * malformation of untrusted bytes is a {@link CardFormatError}, never a bare TypeError or a
 * RangeError, so a hostile card cannot crash the caller.
 */

/** One decoded TLV; `start`/`end` are offsets into the decoded buffer (end exclusive). */
export interface Tlv {
  tag: number;
  /** Offset of the first tag byte. */
  start: number;
  /** Offset of the first value byte. */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
  length: number;
  /** A view (no copy) of the value bytes. */
  value: Uint8Array;
}

/** Header of a TLV: what a reader needs to know how many bytes to fetch. */
export interface TlvHeader {
  tag: number;
  headerLength: number;
  length: number;
}

const MAX_LENGTH = 0xffff;

/** Hex of a tag for messages (`DF21`, `90`). */
export function tagName(tag: number): string {
  return tag
    .toString(16)
    .toUpperCase()
    .padStart(tag > 0xff ? 4 : 2, '0');
}

function tagBytes(tag: number): number[] {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffff) throw new TypeError(`tag out of range: ${tag}`);
  if (tag > 0xff) {
    // A two-byte tag must announce itself (low five bits 1F) and end on its second byte.
    if (((tag >> 8) & 0x1f) !== 0x1f || (tag & 0x80) !== 0) throw new TypeError(`not a two-byte BER tag: ${tagName(tag)}`);
    return [tag >> 8, tag & 0xff];
  }
  if ((tag & 0x1f) === 0x1f) throw new TypeError(`not a one-byte BER tag: ${tagName(tag)}`);
  return [tag];
}

function lengthBytes(length: number): number[] {
  if (!Number.isInteger(length) || length < 0 || length > MAX_LENGTH) throw new TypeError(`length out of range: ${length}`);
  if (length < 0x80) return [length];
  if (length <= 0xff) return [0x81, length];
  return [0x82, length >> 8, length & 0xff];
}

/** Encodes one TLV with the minimal length form. Throws TypeError on a bad tag or length (misuse). */
export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  const head = [...tagBytes(tag), ...lengthBytes(value.length)];
  const out = new Uint8Array(head.length + value.length);
  out.set(head, 0);
  out.set(value, head.length);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decodes the tag and length at `offset` without requiring the value to be present; a reader uses
 * it to learn how long an EF's TLV is from its first bytes.
 */
export function decodeTlvHeader(bytes: Uint8Array, offset = 0): TlvHeader {
  let at = offset;
  const byte = (what: string): number => {
    const b = bytes[at];
    if (b === undefined) throw new CardFormatError(`truncated TLV ${what}`);
    at++;
    return b;
  };
  const first = byte('tag');
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    const second = byte('tag');
    // Three-byte tags do not occur on this card; refusing them keeps the tag space small.
    // (FF10 shows the card does not insist on BER's "second byte ≥ 1F" rule, so neither do we.)
    if ((second & 0x80) !== 0) throw new CardFormatError(`unsupported TLV tag form at offset ${offset}`);
    tag = (first << 8) | second;
  }
  const l0 = byte('length');
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else if (l0 === 0x81) {
    length = byte('length');
    if (length < 0x80) throw new CardFormatError(`non-minimal TLV length for tag ${tagName(tag)}`);
  } else if (l0 === 0x82) {
    length = (byte('length') << 8) | byte('length');
    if (length < 0x100) throw new CardFormatError(`non-minimal TLV length for tag ${tagName(tag)}`);
  } else {
    // 0x80 is BER's indefinite form and 0x83+ exceed any EF: both are refused.
    throw new CardFormatError(`unsupported TLV length form for tag ${tagName(tag)}`);
  }
  return { tag, headerLength: at - offset, length };
}

/**
 * Decodes the TLV at `offset`, which must carry `expectedTag` and fit within `limit` (default:
 * the end of `bytes`).
 */
export function decodeTlv(bytes: Uint8Array, offset: number, expectedTag: number, limit = bytes.length): Tlv {
  const bounded = limit === bytes.length ? bytes : bytes.subarray(0, limit);
  const header = decodeTlvHeader(bounded, offset);
  if (header.tag !== expectedTag) {
    throw new CardFormatError(`expected tag ${tagName(expectedTag)} at offset ${offset}, found ${tagName(header.tag)}`);
  }
  const valueStart = offset + header.headerLength;
  const end = valueStart + header.length;
  if (end > bounded.length) throw new CardFormatError(`truncated value of tag ${tagName(expectedTag)}`);
  return { tag: header.tag, start: offset, valueStart, end, length: header.length, value: bytes.subarray(valueStart, end) };
}

/**
 * Decodes a TLV that must be the whole of `bytes` (no trailing bytes), as for the value of a
 * constructed TLV holding exactly one child.
 */
export function decodeWholeTlv(bytes: Uint8Array, expectedTag: number): Tlv {
  const tlv = decodeTlv(bytes, 0, expectedTag);
  if (tlv.end !== bytes.length) throw new CardFormatError(`trailing bytes after tag ${tagName(expectedTag)}`);
  return tlv;
}

/**
 * Decodes the children of a constructed value that must be exactly the given tags, in order,
 * with nothing left over. Offsets in the result are relative to `bytes` starting at `from`.
 */
export function decodeSequence(bytes: Uint8Array, from: number, to: number, tags: readonly number[]): Tlv[] {
  const out: Tlv[] = [];
  let at = from;
  for (const tag of tags) {
    const tlv = decodeTlv(bytes, at, tag, to);
    out.push(tlv);
    at = tlv.end;
  }
  if (at !== to) throw new CardFormatError(`unexpected bytes after tag ${tagName(tags[tags.length - 1] ?? 0)}`);
  return out;
}
