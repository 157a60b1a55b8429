/**
 * The QR form's path (`0 g`, `c r w h re` per rectangle, `f`; see pathOperators) written straight
 * from the rectangles as a zlib stream (FlateDecode) whose one DEFLATE block uses a fixed Huffman
 * code for the path's 16 characters, chosen for their usual frequencies. No string and no zlib
 * call: zlib (level 1) spent most of a QR form's time finding repeats, and a call cost about 40 µs
 * before any work. The price is size: literals only, about 3.3 bits a character, where zlib's
 * level 1 reached 2.3 (≈ +2.3 kB for a version-15 symbol).
 */

/** Characters of the path and their share (per 10,000) in paths of SHC and VDS-NC symbols. */
const FREQUENCIES: Array<[string, number]> = [
  [' ', 3134],
  ['1', 1439],
  ['\n', 784],
  ['r', 783],
  ['e', 783],
  ['2', 657],
  ['3', 478],
  ['4', 409],
  ['6', 363],
  ['5', 363],
  ['7', 252],
  ['8', 224],
  ['0', 185],
  ['9', 145],
  ['g', 1],
  ['f', 1],
];
const END_OF_BLOCK = 256;

/**
 * Huffman code lengths for symbols with these weights (0 = unused), by the textbook construction:
 * repeatedly merge the two lightest subtrees (ties by list order, so the result is fixed).
 */
function huffmanLengths(weights: number[]): Uint8Array {
  const lengths = new Uint8Array(weights.length);
  let trees = weights.flatMap((weight, s) => (weight > 0 ? [{ weight, symbols: [s] }] : []));
  while (trees.length > 1) {
    trees = trees
      .map((t, i) => ({ t, i }))
      .sort((x, y) => x.t.weight - y.t.weight || x.i - y.i)
      .map((x) => x.t);
    const [a, b] = trees as [(typeof trees)[0], (typeof trees)[0]];
    for (const s of [...a.symbols, ...b.symbols]) lengths[s]!++;
    trees = [{ weight: a.weight + b.weight, symbols: [...a.symbols, ...b.symbols] }, ...trees.slice(2)];
  }
  return lengths;
}

/** Code lengths of the literal/length alphabet (0–256): the path's characters and end of block. */
function codeLengths(): Uint8Array {
  const weights = new Array<number>(257).fill(0);
  for (const [c, w] of FREQUENCIES) weights[c.charCodeAt(0)] = w;
  weights[END_OF_BLOCK] = 1;
  const lengths = huffmanLengths(weights);
  if (lengths.some((l) => l > 15)) throw new Error('literal code over 15 bits');
  return lengths;
}

/** Canonical Huffman codes (RFC 1951 §3.2.2), bit-reversed for LSB-first packing. */
function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const count = new Uint16Array(16);
  for (const l of lengths) if (l) count[l]!++;
  const next = new Uint32Array(16);
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + count[bits - 1]!) << 1;
    next[bits] = code;
  }
  const codes = new Uint32Array(lengths.length);
  lengths.forEach((l, s) => {
    if (!l) return;
    let c = next[l]!++;
    let r = 0;
    for (let k = 0; k < l; k++, c >>>= 1) r = (r << 1) | (c & 1);
    codes[s] = r;
  });
  return codes;
}

/** LSB-first bit writer for the block header (built once). */
class HeaderBits {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, length: number): void {
    for (let k = 0; k < length; k++) {
      this.acc |= ((value >>> k) & 1) << this.n++;
      if (this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  /** Bytes and the bits of an unfinished last byte. */
  done(): { bytes: number[]; acc: number; n: number } {
    return { bytes: this.bytes, acc: this.acc, n: this.n };
  }
}

/**
 * The block header: BFINAL 1, dynamic Huffman, our literal code, two 1-bit distance codes (never
 * used; zlib's deflate always declares two), all as code lengths under a code-length code.
 */
function blockHeader(lengths: Uint8Array): { bytes: number[]; acc: number; n: number } {
  // code lengths of 257 literal/length + 2 distance codes, run-length coded with 0, 17 (3–10
  // zeros) and 18 (11–138 zeros)
  const all = [...lengths, 1, 1];
  const items: Array<[number, number, number]> = []; // symbol, extra bits value, extra bit count
  for (let i = 0; i < all.length;) {
    if (all[i] === 0) {
      let run = 1;
      while (i + run < all.length && all[i + run] === 0 && run < 138) run++;
      if (run >= 11) items.push([18, run - 11, 7]);
      else if (run >= 3) items.push([17, run - 3, 3]);
      else for (let k = 0; k < run; k++) items.push([0, 0, 0]);
      i += run;
    } else {
      items.push([all[i]!, 0, 0]);
      i++;
    }
  }
  const clCount = new Array<number>(19).fill(0);
  for (const [sym] of items) clCount[sym]!++;
  const clLengths = huffmanLengths(clCount);
  if (clLengths.some((l) => l > 7)) throw new Error('code-length code over 7 bits');
  const clCodes = canonicalCodes(clLengths);
  const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  let hclen = 19;
  while (hclen > 4 && clLengths[ORDER[hclen - 1]!] === 0) hclen--;
  const w = new HeaderBits();
  w.put(1, 1); // BFINAL
  w.put(2, 2); // BTYPE 10: dynamic Huffman
  w.put(257 - 257, 5); // HLIT
  w.put(2 - 1, 5); // HDIST
  w.put(hclen - 4, 4); // HCLEN
  for (let k = 0; k < hclen; k++) w.put(clLengths[ORDER[k]!]!, 3);
  for (const [s, extra, bits] of items) {
    w.put(clCodes[s]!, clLengths[s]!);
    if (bits) w.put(extra, bits);
  }
  return w.done();
}

const LENGTHS = codeLengths();
const CODES = canonicalCodes(LENGTHS);
const HEADER = blockHeader(LENGTHS);

/**
 * Precomputed tokens: `sep` + decimal digits of 0–999 (sep = newline for the first number of a
 * rectangle, space otherwise), and " re". Each with its Huffman bits, bit count, byte count and
 * Adler-32 contributions (Σ bytes, Σ (L − i) · byte).
 */
interface Tokens {
  bits: Int32Array;
  nbits: Uint8Array;
  len: Uint8Array;
  sum: Uint16Array;
  weighted: Uint32Array;
}

function tokens(strings: string[]): Tokens {
  const t: Tokens = {
    bits: new Int32Array(strings.length),
    nbits: new Uint8Array(strings.length),
    len: new Uint8Array(strings.length),
    sum: new Uint16Array(strings.length),
    weighted: new Uint32Array(strings.length),
  };
  strings.forEach((s, i) => {
    let bits = 0;
    let n = 0;
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      bits |= CODES[c]! << n;
      n += LENGTHS[c]!;
      sum += c;
      weighted += (s.length - k) * c;
    }
    if (n > 25) throw new Error('token over 25 bits');
    t.bits[i] = bits;
    t.nbits[i] = n;
    t.len[i] = s.length;
    t.sum[i] = sum;
    t.weighted[i] = weighted;
  });
  return t;
}

const NUMBERS = Array.from({ length: 1000 }, (_, v) => String(v));
/** Index v: `\n` + v; 1000 + v: ` ` + v; 2000: ` re`. */
const TOKENS = tokens([...NUMBERS.map((v) => `\n${v}`), ...NUMBERS.map((v) => ` ${v}`), ' re']);
const RE = 2000;

const ADLER_MOD = 65521;

/**
 * The FlateDecode stream of `0 g`, `c r w h re` per rectangle (numbers below 1000), `\nf`: the
 * bytes pathOperators(rects) writes, deflated.
 */
export function qrPathStream(rects: ArrayLike<number>): Buffer {
  // ≤ 4 × 25 + 21 bits (< 16 bytes) a rectangle; zlib header, block header, "0 g", "\nf", end of block, trailer
  const w = new BitOut(Buffer.allocUnsafe(2 + HEADER.bytes.length + (rects.length / 4) * 16 + 32));
  w.out[0] = 0x78; // zlib header: deflate, 32K window
  w.out[1] = 0x01; // fastest, no dictionary (0x7801 % 31 === 0)
  w.at = 2;
  for (const byte of HEADER.bytes) w.out[w.at++] = byte;
  w.acc = HEADER.acc;
  w.n = HEADER.n;
  w.chars('0 g');
  // the rectangles, with the writer's state in locals: this loop is the whole cost
  const { out } = w;
  let { at, acc, n, a, b } = w;
  const { bits, nbits, len, sum, weighted } = TOKENS;
  for (let i = 0; i < rects.length; i += 4) {
    // "\nc", " r", " w", " h", then " re"
    for (let k = 0; k < 5; k++) {
      const t = k === 4 ? RE : k === 0 ? rects[i]! : 1000 + rects[i + k]!;
      while (n >= 8) {
        out[at++] = acc & 0xff;
        acc >>>= 8;
        n -= 8;
      }
      acc |= bits[t]! << n;
      n += nbits[t]!;
      b += len[t]! * a + weighted[t]!;
      a += sum[t]!;
    }
    // a < 65521 + 5 × 4,000 and b < 2^53 between reductions
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  Object.assign(w, { at, acc, n, a, b });
  w.chars('\nf');
  w.put(CODES[END_OF_BLOCK]!, LENGTHS[END_OF_BLOCK]!);
  return w.finish();
}

/** LSB-first bit output with the running Adler-32 of the uncompressed characters. */
class BitOut {
  at = 0;
  acc = 0;
  n = 0;
  a = 1;
  b = 0;
  constructor(readonly out: Buffer) {}
  put(bits: number, count: number): void {
    while (this.n >= 8) {
      this.out[this.at++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
    this.acc |= bits << this.n;
    this.n += count;
  }
  chars(s: string): void {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      this.put(CODES[c]!, LENGTHS[c]!);
      this.a = (this.a + c) % ADLER_MOD;
      this.b = (this.b + this.a) % ADLER_MOD;
    }
  }
  /** Pads the last byte and appends the Adler-32 (big-endian). */
  finish(): Buffer {
    while (this.n > 0) {
      this.out[this.at++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.n -= 8;
    }
    this.out.writeUInt32BE(((this.b % ADLER_MOD) * 65536 + (this.a % ADLER_MOD)) >>> 0, this.at);
    return this.out.subarray(0, this.at + 4);
  }
}
