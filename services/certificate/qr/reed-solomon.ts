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

const generators = new Map<number, Uint8Array>();

/** Generator polynomial of a degree, highest coefficient (1) dropped, as log values. */
function generatorLogs(degree: number): Uint8Array {
  let g = generators.get(degree);
  if (g) return g;
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
  g = new Uint8Array(degree);
  for (let j = 0; j < degree; j++) g[j] = LOG[poly[j + 1]!]!;
  generators.set(degree, g);
  return g;
}

/** Reed–Solomon error correction codewords of one block. */
export function reedSolomon(data: Uint8Array, degree: number): Uint8Array {
  const gen = generatorLogs(degree);
  const rem = new Uint8Array(degree);
  const last = degree - 1;
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ rem[0]!;
    if (factor === 0) {
      rem.copyWithin(0, 1);
      rem[last] = 0;
      continue;
    }
    // shift by one and add factor × generator in the same pass
    const lf = LOG[factor]!;
    for (let j = 0; j < last; j++) rem[j] = rem[j + 1]! ^ EXP[gen[j]! + lf]!;
    rem[last] = EXP[gen[last]! + lf]!;
  }
  return rem;
}
