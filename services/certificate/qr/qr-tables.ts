import {
  QRCODE_ECC_LEVELS as ECC_LEVELS,
  qrcodeAlignment as alignment,
  qrcodeEcCode as ecCode,
  qrcodeFormatInfo as formatInfo,
  qrcodeUtils as utils,
  qrcodeVersionInfo as versionInfo,
} from '../adapters/qrcode-internals.js';

// The symbol tables (codeword counts, block structure, alignment positions, BCH-coded format and
// version bits) come from the qrcode package, where they are tested (loaded in
// adapters/qrcode-internals.ts); only the hot paths (Reed–Solomon, placement, mask choice) are
// ours, for speed.

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
