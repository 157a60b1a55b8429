/**
 * The one file that loads the qrcode package's internal modules (`qrcode/lib/core/*`, STYLE.md
 * rule 13): the symbol tables of the QR standard (codeword counts, block structure, alignment
 * positions, BCH-coded format and version bits), which are tested there; qr/qr-tables.ts builds
 * on what is exported here. qrcode is pinned to QRCODE_VERSION in package.json;
 * tests/unit/certificate/adapters.test.ts checks that the installed version is that one and that
 * these functions exist and give the values of ISO/IEC 18004, so an upgrade fails there, loudly.
 */
import { createRequire } from 'node:module';
import { installedVersion } from './installed-version.js';

/** The qrcode version this file is written against (exactly what package.json pins). */
export const QRCODE_VERSION = '1.5.4';

const require = createRequire(import.meta.url);

/** An error correction level as the qrcode tables know it (compared by identity there). */
export interface QrcodeEcl {
  bit: number;
}

export const qrcodeUtils = require('qrcode/lib/core/utils.js') as { getSymbolTotalCodewords(version: number): number };
export const qrcodeEcCode = require('qrcode/lib/core/error-correction-code.js') as {
  getBlocksCount(version: number, ecl: QrcodeEcl): number;
  getTotalCodewordsCount(version: number, ecl: QrcodeEcl): number;
};
export const qrcodeAlignment = require('qrcode/lib/core/alignment-pattern.js') as { getPositions(version: number): Array<[number, number]> };
export const qrcodeFormatInfo = require('qrcode/lib/core/format-info.js') as { getEncodedBits(ecl: QrcodeEcl, mask: number): number };
export const qrcodeVersionInfo = require('qrcode/lib/core/version.js') as { getEncodedBits(version: number): number };
/** The level objects the tables above take. */
export const QRCODE_ECC_LEVELS = require('qrcode/lib/core/error-correction-level.js') as Record<'L' | 'M' | 'Q' | 'H', QrcodeEcl>;

/** The installed qrcode's version. */
export const installedQrcodeVersion = (): string => installedVersion('qrcode');
