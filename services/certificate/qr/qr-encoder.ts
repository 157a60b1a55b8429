import { reedSolomon } from './reed-solomon.js';
import { alignmentPositions, formatBits, symbolLayout, versionBits, type EccLevel } from './qr-tables.js';

/** A QR symbol as a square of dark (1) and light (0) modules, without quiet zone. */
export interface QrMatrix {
  size: number;
  version: number;
  mask: number;
  /** Row-major, `size * size` entries. */
  dark: Uint8Array;
}

/** A QR data segment with its encoding mode. */
export type QrSegment = { data: string; mode: 'byte' | 'numeric' };

class BitWriter {
  bytes: number[] = [];
  bits = 0;
  put(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      if ((this.bits & 7) === 0) this.bytes.push(0);
      if ((value >>> i) & 1) this.bytes[this.bytes.length - 1]! |= 0x80 >>> (this.bits & 7);
      this.bits++;
    }
  }
}

const countBits = (mode: QrSegment['mode'], v: number): number =>
  mode === 'numeric' ? (v <= 9 ? 10 : v <= 26 ? 12 : 14) : v <= 9 ? 8 : 16;

function segmentBits(s: QrSegment, v: number, payload: Buffer | string): number {
  const n = payload.length;
  const body = s.mode === 'numeric' ? 10 * Math.floor(n / 3) + [0, 4, 7][n % 3]! : 8 * n;
  return 4 + countBits(s.mode, v) + body;
}

function encodeData(segments: QrSegment[], payloads: Array<Buffer | string>, v: number, capacityBits: number): Uint8Array {
  const w = new BitWriter();
  segments.forEach((s, i) => {
    const p = payloads[i]!;
    if (s.mode === 'numeric') {
      const d = p as string;
      w.put(0b0001, 4);
      w.put(d.length, countBits('numeric', v));
      for (let k = 0; k < d.length; k += 3) {
        const chunk = d.slice(k, k + 3);
        w.put(Number(chunk), chunk.length * 3 + 1);
      }
    } else {
      const b = p as Buffer;
      w.put(0b0100, 4);
      w.put(b.length, countBits('byte', v));
      for (const byte of b) w.put(byte, 8);
    }
  });
  w.put(0, Math.min(4, capacityBits - w.bits));
  w.put(0, (8 - (w.bits & 7)) & 7);
  const out = new Uint8Array(capacityBits / 8);
  out.set(w.bytes);
  for (let i = w.bytes.length, pad = 0xec; i < out.length; i++, pad ^= 0xec ^ 0x11) out[i] = pad;
  return out;
}

/** Splits data into blocks, adds Reed–Solomon codewords and interleaves them. */
function codewords(data: Uint8Array, v: number, ecc: EccLevel): Uint8Array {
  const { totalCodewords, blocks, ecPerBlock } = symbolLayout(v, ecc);
  const longBlocks = totalCodewords % blocks;
  const shortLen = Math.floor(totalCodewords / blocks) - ecPerBlock;
  const dataBlocks: Uint8Array[] = [];
  const ecBlocks: Uint8Array[] = [];
  for (let b = 0, off = 0; b < blocks; b++) {
    const len = shortLen + (b >= blocks - longBlocks ? 1 : 0);
    const block = data.subarray(off, off + len);
    off += len;
    dataBlocks.push(block);
    ecBlocks.push(reedSolomon(block, ecPerBlock));
  }
  const out = new Uint8Array(totalCodewords);
  let k = 0;
  for (let i = 0; i <= shortLen; i++) {
    for (let b = 0; b < blocks; b++) {
      const block = dataBlocks[b]!;
      if (i < block.length) out[k++] = block[i]!;
    }
  }
  for (let i = 0; i < ecPerBlock; i++) for (let b = 0; b < blocks; b++) out[k++] = ecBlocks[b]![i]!;
  return out;
}

const patternCache = new Map<number, { dark: Uint8Array; reserved: Uint8Array; size: number }>();

/** Function patterns of a version (cached; `dark` is a fresh copy the caller may write). */
function functionPatterns(v: number): { dark: Uint8Array; reserved: Uint8Array; size: number } {
  let p = patternCache.get(v);
  if (!p) {
    p = drawFunctionPatterns(v);
    patternCache.set(v, p);
  }
  return { dark: p.dark.slice(), reserved: p.reserved, size: p.size };
}

/** Function patterns of a version: dark modules and the reserved (non-data) map. */
function drawFunctionPatterns(v: number): { dark: Uint8Array; reserved: Uint8Array; size: number } {
  const size = 4 * v + 17;
  const dark = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (r: number, c: number, on: boolean) => {
    dark[r * size + c] = on ? 1 : 0;
    reserved[r * size + c] = 1;
  };
  for (let i = 0; i < size; i++) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  for (const [cr, cc] of [[3, 3], [3, size - 4], [size - 4, 3]] as const) {
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const r = cr + dr;
        const c = cc + dc;
        if (r < 0 || c < 0 || r >= size || c >= size) continue;
        const dist = Math.max(Math.abs(dr), Math.abs(dc));
        set(r, c, dist !== 2 && dist !== 4);
      }
    }
  }
  for (const [ar, ac] of alignmentPositions(v)) {
    for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) set(ar + dr, ac + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
  }
  drawFormat(dark, reserved, size, 0);
  if (v >= 7) {
    const bits = versionBits(v);
    for (let i = 0; i < 18; i++) {
      const on = ((bits >> i) & 1) === 1;
      const r = Math.floor(i / 3);
      const c = (i % 3) + size - 11;
      set(r, c, on);
      set(c, r, on);
    }
  }
  return { dark, reserved, size };
}

/** Writes the 15 format bits (both copies) and the fixed dark module. */
function drawFormat(dark: Uint8Array, reserved: Uint8Array | null, size: number, bits: number): void {
  const set = (r: number, c: number, on: boolean) => {
    dark[r * size + c] = on ? 1 : 0;
    if (reserved) reserved[r * size + c] = 1;
  };
  for (let i = 0; i < 15; i++) {
    const on = ((bits >> i) & 1) === 1;
    set(i < 6 ? i : i < 8 ? i + 1 : size - 15 + i, 8, on);
    set(8, i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i, on);
  }
  set(size - 8, 8, true);
}

function placeData(dark: Uint8Array, reserved: Uint8Array, size: number, data: Uint8Array): void {
  let bit = 0;
  const total = data.length * 8;
  let upward = true;
  for (let col = size - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (let k = 0; k < size; k++) {
      const row = upward ? size - 1 - k : k;
      for (let c = 0; c < 2; c++) {
        const i = row * size + col - c;
        if (reserved[i]) continue;
        dark[i] = bit < total ? (data[bit >>> 3]! >>> (7 - (bit & 7))) & 1 : 0;
        bit++;
      }
    }
    upward = !upward;
  }
}

const MASKS: Array<(r: number, c: number) => boolean> = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r * c) % 3) + ((r + c) % 2)) % 2 === 0,
];

const maskCache = new Map<number, Uint8Array[]>();

/** For each mask, 1 where the mask flips a data module of this version (cached per version). */
function maskPatterns(version: number, reserved: Uint8Array, size: number): Uint8Array[] {
  let patterns = maskCache.get(version);
  if (!patterns) {
    patterns = MASKS.map((f) => {
      const p = new Uint8Array(size * size);
      for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) p[r * size + c] = !reserved[r * size + c] && f(r, c) ? 1 : 0;
      return p;
    });
    maskCache.set(version, patterns);
  }
  return patterns;
}

/**
 * ISO/IEC 18004 mask penalty (N1 runs, N2 2×2 blocks, N3 finder-like 1:1:3:1:1 with 4 light,
 * N4 dark balance), scored as the qrcode package scores it. Rows and columns in two sweeps over
 * the row-major array: this runs eight times per symbol and is the encoder's hot loop.
 */
export function penalty(m: Uint8Array, size: number): number {
  let points = 0;
  let dark = 0;
  for (let r = 0; r < size; r++) {
    const row = r * size;
    const last2 = r < size - 1;
    let run = 0;
    let prev = -1;
    let win = 0;
    for (let c = 0; c < size; c++) {
      const v = m[row + c]!;
      dark += v;
      if (v === prev) run++;
      else {
        if (run >= 5) points += run - 2;
        run = 1;
        prev = v;
      }
      win = ((win << 1) & 0x7ff) | v;
      if (c >= 10 && (win === 0x5d0 || win === 0x05d)) points += 40;
      if (last2 && c < size - 1) {
        const s = v + m[row + c + 1]! + m[row + size + c]! + m[row + size + c + 1]!;
        if (s === 0 || s === 4) points += 3;
      }
    }
    if (run >= 5) points += run - 2;
  }
  for (let c = 0; c < size; c++) {
    let run = 0;
    let prev = -1;
    let win = 0;
    for (let r = 0, i = c; r < size; r++, i += size) {
      const v = m[i]!;
      if (v === prev) run++;
      else {
        if (run >= 5) points += run - 2;
        run = 1;
        prev = v;
      }
      win = ((win << 1) & 0x7ff) | v;
      if (r >= 10 && (win === 0x5d0 || win === 0x05d)) points += 40;
    }
    if (run >= 5) points += run - 2;
  }
  return points + 10 * Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10);
}

/**
 * Encodes segments (e.g. byte-mode `shc:/` then numeric digits) into the smallest QR symbol of at
 * most `maxVersion`, choosing the mask with the lowest penalty. Throws RangeError when too large.
 */
export function encodeQr(segments: QrSegment[], options: { ecc: EccLevel; maxVersion?: number; mask?: number }): QrMatrix {
  const payloads = segments.map((s) => {
    if (s.mode === 'numeric' && !/^\d*$/.test(s.data)) throw new TypeError('numeric segment must be digits');
    return s.mode === 'numeric' ? s.data : Buffer.from(s.data, 'utf8');
  });
  let version = 0;
  let capacityBits = 0;
  for (let v = 1; v <= (options.maxVersion ?? 40); v++) {
    capacityBits = symbolLayout(v, options.ecc).dataCodewords * 8;
    if (segments.reduce((sum, s, i) => sum + segmentBits(s, v, payloads[i]!), 0) <= capacityBits) {
      version = v;
      break;
    }
  }
  if (version === 0) throw new RangeError(`data does not fit a QR code of version ≤ ${options.maxVersion ?? 40}`);
  const all = codewords(encodeData(segments, payloads, version, capacityBits), version, options.ecc);
  const { dark: base, reserved, size } = functionPatterns(version);
  placeData(base, reserved, size, all);
  if (options.mask !== undefined) return { size, version, mask: options.mask, dark: applyMask(base, reserved, size, version, options.ecc, options.mask) };
  const bits = maskBitPlanes(version, reserved, size);
  const base2 = toBitPlanes(base, size);
  const formats = formatPositions(size);
  const W = bits.words;
  const rows = new Int32Array(size * W);
  const cols = new Int32Array(size * W);
  let bestMask = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const pr = bits.rows[mask]!;
    const pc = bits.cols[mask]!;
    for (let i = 0; i < rows.length; i++) {
      rows[i] = base2.rows[i]! ^ pr[i]!;
      cols[i] = base2.cols[i]! ^ pc[i]!;
    }
    const f = formatBits(options.ecc, mask);
    for (let k = 0; k < formats.length; k += 3) {
      if (((f >> formats[k + 2]!) & 1) === 0) continue;
      const r = formats[k]!;
      const c = formats[k + 1]!;
      rows[r * W + (c >>> 5)]! |= 1 << (c & 31);
      cols[c * W + (r >>> 5)]! |= 1 << (r & 31);
    }
    const score = penaltyOfPlanes(rows, cols, size, W);
    if (score < bestScore) {
      bestScore = score;
      bestMask = mask;
    }
  }
  return { size, version, mask: bestMask, dark: applyMask(base, reserved, size, version, options.ecc, bestMask) };
}

/** The symbol with one mask applied and its format bits drawn. */
function applyMask(base: Uint8Array, reserved: Uint8Array, size: number, version: number, ecc: EccLevel, mask: number): Uint8Array {
  const p = maskPatterns(version, reserved, size)[mask]!;
  const m = new Uint8Array(base.length);
  for (let i = 0; i < m.length; i++) m[i] = base[i]! ^ p[i]!;
  drawFormat(m, null, size, formatBits(ecc, mask));
  return m;
}

/**
 * A module square as bit planes: `rows` holds each row as `words` 32-bit words (bit c = column c),
 * `cols` each column likewise (bit r = row r). Bits past `size` are zero.
 */
interface BitPlanes { rows: Int32Array; cols: Int32Array; words: number }

function toBitPlanes(m: Uint8Array, size: number): BitPlanes {
  const words = (size + 31) >>> 5;
  const rows = new Int32Array(size * words);
  const cols = new Int32Array(size * words);
  for (let r = 0, i = 0; r < size; r++) {
    const rowAt = r * words;
    const rw = r >>> 5;
    const rb = 1 << (r & 31);
    for (let c = 0; c < size; c++, i++) {
      if (m[i] === 0) continue;
      rows[rowAt + (c >>> 5)]! |= 1 << (c & 31);
      cols[c * words + rw]! |= rb;
    }
  }
  return { rows, cols, words };
}

const maskPlaneCache = new Map<number, { rows: Int32Array[]; cols: Int32Array[]; words: number }>();

/** The mask patterns of a version as bit planes (cached per version). */
function maskBitPlanes(version: number, reserved: Uint8Array, size: number): { rows: Int32Array[]; cols: Int32Array[]; words: number } {
  let planes = maskPlaneCache.get(version);
  if (!planes) {
    const all = maskPatterns(version, reserved, size).map((p) => toBitPlanes(p, size));
    planes = { rows: all.map((p) => p.rows), cols: all.map((p) => p.cols), words: all[0]!.words };
    maskPlaneCache.set(version, planes);
  }
  return planes;
}

const formatCache = new Map<number, Int32Array>();

/** The 30 format-information modules of a size as (row, col, bit index) triples, as drawFormat writes them. */
function formatPositions(size: number): Int32Array {
  let f = formatCache.get(size);
  if (!f) {
    f = new Int32Array(90);
    for (let i = 0; i < 15; i++) {
      f.set([i < 6 ? i : i < 8 ? i + 1 : size - 15 + i, 8, i], 6 * i);
      f.set([8, i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i, i], 6 * i + 3);
    }
    formatCache.set(size, f);
  }
  return f;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Valid-bit mask of word `k` of a line of `n` bits. */
const validWord = (k: number, n: number): number => (n >= (k + 1) * 32 ? -1 : n <= k * 32 ? 0 : (1 << (n - k * 32)) - 1);

/**
 * N1 (runs of ≥ 5: length − 2 points) and N3 (1:1:3:1:1 with 4 light, 40 points) along a sequence
 * of lines, 32 lines across at a time: bit j of word k of line i is module (i, 32k + j) of the
 * direction being scanned. A run of length L has L − 4 positions ending a window of five equal
 * modules, the first of which also counts the extra 2.
 */
function linePenalty(lines: Int32Array, size: number, W: number): number {
  let points = 0;
  let finders = 0;
  for (let k = 0; k < W; k++) {
    const v = validWord(k, size);
    let l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0, l8 = 0, l9 = 0, l10 = 0;
    let d1 = 0, d2 = 0, d3 = 0, e5p = 0;
    for (let i = 0, at = k; i < size; i++, at += W) {
      const x = lines[at]!;
      const d = i === 0 ? 0 : ~(x ^ l1) & v;
      const e5 = d & d1 & d2 & d3;
      if (e5 !== 0) points += popcount(e5) + 2 * popcount(e5 & ~e5p);
      e5p = e5;
      d3 = d2;
      d2 = d1;
      d1 = d;
      if (i >= 10) {
        const core = l6 & ~l5 & l4 & ~l1 & v;
        if (core !== 0) {
          const a = core & l10 & ~l9 & l8 & l7 & ~l3 & ~l2 & ~x;
          const b = core & ~l10 & ~l9 & ~l8 & ~l7 & l3 & l2 & x;
          finders += popcount(a | b);
        }
      }
      l10 = l9; l9 = l8; l8 = l7; l7 = l6; l6 = l5; l5 = l4; l4 = l3; l3 = l2; l2 = l1; l1 = x;
    }
  }
  return points + 40 * finders;
}

/**
 * The ISO/IEC 18004 mask penalty of a symbol given as bit planes, equal to `penalty` on the module
 * array (and so to the qrcode package's score): N1 and N3 along rows (scanning the column planes)
 * and columns (scanning the row planes), N2 from adjacent row pairs, N4 from the dark count.
 */
function penaltyOfPlanes(rows: Int32Array, cols: Int32Array, size: number, W: number): number {
  let points = linePenalty(cols, size, W) + linePenalty(rows, size, W);
  let blocks = 0;
  let dark = 0;
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < W; k++) {
      const at = i * W + k;
      const a = rows[at]!;
      dark += popcount(a);
      if (i === size - 1) continue;
      const b = rows[at + W]!;
      const an = k + 1 < W ? rows[at + 1]! : 0;
      const bn = k + 1 < W ? rows[at + W + 1]! : 0;
      const same = ~(a ^ b);
      const sameNext = ~(an ^ bn);
      const block = same & ((same >>> 1) | (sameNext << 31)) & ~(a ^ ((a >>> 1) | (an << 31))) & validWord(k, size - 1);
      if (block !== 0) blocks += popcount(block);
    }
  }
  points += 3 * blocks;
  return points + 10 * Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10);
}
