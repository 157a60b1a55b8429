// GF(2^8) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), as log/antilog tables.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

/** Per degree: the generator times every field element, packed four coefficients a word. */
const products = new Map<number, { table: Int32Array; words: number }>();

/**
 * The generator polynomial of a degree (highest coefficient, 1, dropped) multiplied by every field
 * element f, coefficients big-endian four to a 32-bit word (zero padded): words `f * words …`.
 */
function generatorProducts(degree: number): { table: Int32Array; words: number } {
  let p = products.get(degree);
  if (p) return p;
  // coefficients, highest first: start with 1
  let poly = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const next = new Uint8Array(poly.length + 1);
    for (let j = 0; j < poly.length; j++) {
      next[j]! ^= poly[j]!;
      if (poly[j]) next[j + 1]! ^= EXP[LOG[poly[j]!]! + i]!;
    }
    poly = next;
  }
  const words = (degree + 3) >>> 2;
  const table = new Int32Array(256 * words);
  for (let f = 1; f < 256; f++) {
    for (let j = 0; j < degree; j++) {
      const g = poly[j + 1]!;
      if (g) table[f * words + (j >>> 2)]! |= EXP[LOG[g]! + LOG[f]!]! << (24 - 8 * (j & 3));
    }
  }
  p = { table, words };
  products.set(degree, p);
  return p;
}

/**
 * Reed–Solomon error correction codewords of one block: the remainder of the data (times x^degree)
 * divided by the generator. The remainder is kept four bytes to a word, so each data byte costs a
 * one-byte shift and an XOR of the factor's generator row over a quarter as many steps.
 */
export function reedSolomon(data: Uint8Array, degree: number): Uint8Array {
  const { table, words } = generatorProducts(degree);
  const rem = new Int32Array(words);
  const last = words - 1;
  for (let i = 0; i < data.length; i++) {
    const at = (((rem[0]! >>> 24) ^ data[i]!) & 0xff) * words;
    for (let j = 0; j < last; j++) rem[j] = ((rem[j]! << 8) | (rem[j + 1]! >>> 24)) ^ table[at + j]!;
    rem[last] = (rem[last]! << 8) ^ table[at + last]!;
  }
  const out = new Uint8Array(degree);
  for (let j = 0; j < degree; j++) out[j] = rem[j >>> 2]! >>> (24 - 8 * (j & 3));
  return out;
}
