/**
 * The mask penalty of ISO/IEC 18004 (N1 runs, N2 2×2 blocks, N3 finder-like 1:1:3:1:1 with 4 light,
 * N4 dark balance), scored as the qrcode package scores it, on the module array (`penalty`, the
 * reference) and on bit planes (`penaltyOfPlanes`, what the encoder runs eight times per symbol).
 */

/**
 * The penalty of a module array (row-major, `size` × `size`): rows and columns in two sweeps.
 * The reference `penaltyOfPlanes` is held to; the encoder does not call it.
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
 * A module square as bit planes: `rows` holds each row as `words` 32-bit words (bit c = column c),
 * `cols` each column likewise (bit r = row r). Bits past `size` are zero.
 */
export interface BitPlanes {
  rows: Int32Array;
  cols: Int32Array;
  words: number;
}

/** The bit planes of a module array. */
export function toBitPlanes(m: Uint8Array, size: number): BitPlanes {
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
    let l1 = 0,
      l2 = 0,
      l3 = 0,
      l4 = 0,
      l5 = 0,
      l6 = 0,
      l7 = 0,
      l8 = 0,
      l9 = 0,
      l10 = 0;
    let d1 = 0,
      d2 = 0,
      d3 = 0,
      e5p = 0;
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
      l10 = l9;
      l9 = l8;
      l8 = l7;
      l7 = l6;
      l6 = l5;
      l5 = l4;
      l4 = l3;
      l3 = l2;
      l2 = l1;
      l1 = x;
    }
  }
  return points + 40 * finders;
}

/**
 * The ISO/IEC 18004 mask penalty of a symbol given as bit planes, equal to `penalty` on the module
 * array (and so to the qrcode package's score): N1 and N3 along rows (scanning the column planes)
 * and columns (scanning the row planes), N2 from adjacent row pairs, N4 from the dark count.
 */
export function penaltyOfPlanes(rows: Int32Array, cols: Int32Array, size: number, W: number): number {
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
