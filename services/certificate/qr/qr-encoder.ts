import { reedSolomon } from './reed-solomon.js';
import { penaltyOfPlanes, toBitPlanes } from './qr-penalty.js';
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

/** Big-endian bit writer into a fixed buffer (values of at most 16 bits at a time). */
class BitWriter {
  readonly bytes: Uint8Array;
  bits = 0;
  private at = 0;
  private acc = 0;
  private pending = 0;
  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
  }
  put(value: number, length: number): void {
    this.acc = (this.acc << length) | value;
    this.pending += length;
    this.bits += length;
    while (this.pending >= 8) {
      this.pending -= 8;
      this.bytes[this.at++] = this.acc >>> this.pending;
    }
    this.acc &= (1 << this.pending) - 1;
  }
  /** Bytes written so far (the last one completed with zero bits). */
  get length(): number {
    return this.at;
  }
}

const countBits = (mode: QrSegment['mode'], v: number): number => (mode === 'numeric' ? (v <= 9 ? 10 : v <= 26 ? 12 : 14) : v <= 9 ? 8 : 16);

function segmentBits(s: QrSegment, v: number, payload: Buffer | string): number {
  const n = payload.length;
  const body = s.mode === 'numeric' ? 10 * Math.floor(n / 3) + [0, 4, 7][n % 3]! : 8 * n;
  return 4 + countBits(s.mode, v) + body;
}

function encodeData(segments: QrSegment[], payloads: Array<Buffer | string>, v: number, capacityBits: number): Uint8Array {
  const w = new BitWriter(capacityBits / 8);
  segments.forEach((s, i) => {
    const p = payloads[i]!;
    if (s.mode === 'numeric') {
      const d = p as string;
      w.put(0b0001, 4);
      w.put(d.length, countBits('numeric', v));
      let k = 0;
      // groups of three digits in 10 bits, a last group of two in 7, of one in 4
      for (; k + 3 <= d.length; k += 3) w.put((d.charCodeAt(k) - 48) * 100 + (d.charCodeAt(k + 1) - 48) * 10 + d.charCodeAt(k + 2) - 48, 10);
      if (d.length - k === 2) w.put((d.charCodeAt(k) - 48) * 10 + d.charCodeAt(k + 1) - 48, 7);
      else if (d.length - k === 1) w.put(d.charCodeAt(k) - 48, 4);
    } else {
      const b = p as Buffer;
      w.put(0b0100, 4);
      w.put(b.length, countBits('byte', v));
      for (let k = 0; k < b.length; k++) w.put(b[k]!, 8);
    }
  });
  w.put(0, Math.min(4, capacityBits - w.bits));
  w.put(0, (8 - (w.bits & 7)) & 7);
  const out = w.bytes;
  for (let i = w.length, pad = 0xec; i < out.length; i++, pad ^= 0xec ^ 0x11) out[i] = pad;
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
  for (const [cr, cc] of [
    [3, 3],
    [3, size - 4],
    [size - 4, 3],
  ] as const) {
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

/**
 * What is fixed for a version, computed once: the function patterns (with empty format areas), the
 * data modules in placement order (the two-column zigzag, skipping function patterns), and the
 * eight mask patterns as modules (data modules only) and as bit planes.
 */
interface VersionPlan {
  size: number;
  words: number;
  dark: Uint8Array;
  order: Int32Array;
  masks: Uint8Array[];
  maskRows: Int32Array[];
  maskCols: Int32Array[];
  /** The 30 format-information modules as (row, col, bit index) triples, as drawFormat writes them. */
  formats: Int32Array;
}

const plans = new Map<number, VersionPlan>();

function versionPlan(v: number): VersionPlan {
  let plan = plans.get(v);
  if (plan) return plan;
  const { dark, reserved, size } = drawFunctionPatterns(v);
  const order: number[] = [];
  let upward = true;
  for (let col = size - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (let k = 0; k < size; k++) {
      const row = upward ? size - 1 - k : k;
      for (let c = 0; c < 2; c++) {
        const i = row * size + col - c;
        if (!reserved[i]) order.push(i);
      }
    }
    upward = !upward;
  }
  const masks = MASKS.map((f) => {
    const p = new Uint8Array(size * size);
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) p[r * size + c] = !reserved[r * size + c] && f(r, c) ? 1 : 0;
    return p;
  });
  const maskPlanes = masks.map((p) => toBitPlanes(p, size));
  const formats = new Int32Array(90);
  for (let i = 0; i < 15; i++) {
    formats.set([i < 6 ? i : i < 8 ? i + 1 : size - 15 + i, 8, i], 6 * i);
    formats.set([8, i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i, i], 6 * i + 3);
  }
  plan = {
    size,
    words: maskPlanes[0]!.words,
    dark,
    order: Int32Array.from(order),
    masks,
    maskRows: maskPlanes.map((p) => p.rows),
    maskCols: maskPlanes.map((p) => p.cols),
    formats,
  };
  plans.set(v, plan);
  return plan;
}

/**
 * Places the codewords (remainder bits light) on a copy of the version's function patterns, a
 * codeword's eight bits at a time, and returns the modules with their bit planes.
 */
function placeData(plan: VersionPlan, data: Uint8Array): { dark: Uint8Array; rows: Int32Array; cols: Int32Array } {
  const { order } = plan;
  const dark = plan.dark.slice();
  const n = Math.min(order.length, data.length * 8);
  let k = 0;
  for (let i = 0; k + 8 <= n; i++, k += 8) {
    const b = data[i]!;
    dark[order[k]!] = b >>> 7;
    dark[order[k + 1]!] = (b >>> 6) & 1;
    dark[order[k + 2]!] = (b >>> 5) & 1;
    dark[order[k + 3]!] = (b >>> 4) & 1;
    dark[order[k + 4]!] = (b >>> 3) & 1;
    dark[order[k + 5]!] = (b >>> 2) & 1;
    dark[order[k + 6]!] = (b >>> 1) & 1;
    dark[order[k + 7]!] = b & 1;
  }
  for (; k < n; k++) dark[order[k]!] = (data[k >>> 3]! >>> (7 - (k & 7))) & 1;
  const { rows, cols } = toBitPlanes(dark, plan.size);
  return { dark, rows, cols };
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
  const plan = versionPlan(version);
  const { size, words: W, formats } = plan;
  const base = placeData(plan, all);
  if (options.mask !== undefined) return { size, version, mask: options.mask, dark: applyMask(plan, base.dark, options.ecc, options.mask) };
  const rows = new Int32Array(size * W);
  const cols = new Int32Array(size * W);
  const baseRows = base.rows;
  const baseCols = base.cols;
  let bestMask = 0;
  let bestScore = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    const pr = plan.maskRows[mask]!;
    const pc = plan.maskCols[mask]!;
    for (let i = 0; i < rows.length; i++) {
      rows[i] = baseRows[i]! ^ pr[i]!;
      cols[i] = baseCols[i]! ^ pc[i]!;
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
  return { size, version, mask: bestMask, dark: applyMask(plan, base.dark, options.ecc, bestMask) };
}

/** The symbol with one mask applied and its format bits drawn (XOR four modules at a time). */
function applyMask(plan: VersionPlan, base: Uint8Array, ecc: EccLevel, mask: number): Uint8Array {
  const p = plan.masks[mask]!;
  const m = new Uint8Array(base.length);
  const quads = base.length >>> 2;
  const m32 = new Uint32Array(m.buffer, 0, quads);
  const b32 = new Uint32Array(base.buffer, base.byteOffset, quads);
  const p32 = new Uint32Array(p.buffer, p.byteOffset, quads);
  for (let i = 0; i < quads; i++) m32[i] = b32[i]! ^ p32[i]!;
  for (let i = quads * 4; i < m.length; i++) m[i] = base[i]! ^ p[i]!;
  drawFormat(m, null, plan.size, formatBits(ecc, mask));
  return m;
}
