import { createRequire } from 'node:module';

// The symbol tables (codeword counts, block structure, alignment positions, BCH-coded format and
// version bits) come from the qrcode package, where they are tested; only the hot paths (Reed–Solomon,
// placement, mask choice) are ours, for speed.
const require = createRequire(import.meta.url);
const utils = require('qrcode/lib/core/utils.js') as { getSymbolTotalCodewords(v: number): number };
const ecCode = require('qrcode/lib/core/error-correction-code.js') as {
  getBlocksCount(v: number, ecl: { bit: number }): number;
  getTotalCodewordsCount(v: number, ecl: { bit: number }): number;
};
const alignment = require('qrcode/lib/core/alignment-pattern.js') as { getPositions(v: number): Array<[number, number]> };
const formatInfo = require('qrcode/lib/core/format-info.js') as { getEncodedBits(ecl: { bit: number }, mask: number): number };
const versionInfo = require('qrcode/lib/core/version.js') as { getEncodedBits(v: number): number };

/** Error correction levels as the qrcode tables know them (compared by identity there). */
const ECC_LEVELS = require('qrcode/lib/core/error-correction-level.js') as Record<'L' | 'M' | 'Q' | 'H', { bit: number }>;
/** QR error correction level. */
export type EccLevel = 'L' | 'M' | 'Q' | 'H';

/** Block structure of one version at one level. */
export interface SymbolLayout {
  totalCodewords: number;
  dataCodewords: number;
  blocks: number;
  ecPerBlock: number;
}

const layouts = new Map<string, SymbolLayout>();

/** Codeword and block counts of a version at a level (cached). */
export function symbolLayout(version: number, ecc: EccLevel): SymbolLayout {
  const key = `${version}${ecc}`;
  let l = layouts.get(key);
  if (!l) {
    const totalCodewords = utils.getSymbolTotalCodewords(version);
    const ecTotal = ecCode.getTotalCodewordsCount(version, ECC_LEVELS[ecc]);
    const blocks = ecCode.getBlocksCount(version, ECC_LEVELS[ecc]);
    l = { totalCodewords, dataCodewords: totalCodewords - ecTotal, blocks, ecPerBlock: ecTotal / blocks };
    layouts.set(key, l);
  }
  return l;
}

/** Centres of the alignment patterns of a version, as [row, col]. */
export const alignmentPositions = (version: number): Array<[number, number]> => alignment.getPositions(version);
/** The 15 BCH-coded format bits for a level and mask. */
export const formatBits = (ecc: EccLevel, mask: number): number => formatInfo.getEncodedBits(ECC_LEVELS[ecc], mask);
/** The 18 BCH-coded version bits (versions 7 and up). */
export const versionBits = (version: number): number => versionInfo.getEncodedBits(version);
