import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { FONTKIT_VERSION, installedFontkitVersion, openFont, probeFontkitInternals } from '../../../services/certificate/adapters/fontkit-internals.js';
import { installedPdfkitVersion, PDFKIT_VERSION, probePdfkitInternals, registerFontkitFont } from '../../../services/certificate/adapters/pdfkit-internals.js';
import {
  installedQrcodeVersion,
  QRCODE_ECC_LEVELS,
  QRCODE_VERSION,
  qrcodeAlignment,
  qrcodeEcCode,
  qrcodeFormatInfo,
  qrcodeUtils,
  qrcodeVersionInfo,
} from '../../../services/certificate/adapters/qrcode-internals.js';
import { notoSansJpPaths } from '../../../services/certificate/pdf/fonts.js';

/**
 * STYLE.md rule 13: the adapters under services/certificate/adapters/ are the only code that
 * reaches into fontkit, pdfkit and qrcode internals. These tests fail when an upgrade changes what
 * they rely on; read the adapter named in the failure before changing its pinned version.
 */
const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies;

describe.each([
  ['fontkit', FONTKIT_VERSION, installedFontkitVersion],
  ['pdfkit', PDFKIT_VERSION, installedPdfkitVersion],
  ['qrcode', QRCODE_VERSION, installedQrcodeVersion],
])('%s', (name, pinned, installed) => {
  it(`is declared in package.json at exactly ${pinned}, the version its adapter is written against, and that is what is installed`, () => {
    expect(declared[name], `package.json must pin ${name} exactly (no range): its adapter reaches into its internals`).toBe(pinned);
    expect(
      installed(),
      `installed ${name} differs from ${pinned}: check services/certificate/adapters/${name}-internals.ts, then update the pin and the adapter's version together`,
    ).toBe(pinned);
  });
});

describe(`fontkit ${FONTKIT_VERSION} internals (adapters/fontkit-internals.ts)`, () => {
  const font = openFont(readFileSync(notoSansJpPaths().regular));

  it('has every member and table shape the adapter relies on, and they behave', () => {
    expect(probeFontkitInternals(font)).toEqual([]);
  });

  it('reports what is missing (the check is not vacuous)', () => {
    const broken = new Proxy(font, { get: (t, p, r) => (p === 'loca' || p === 'GDEF' ? undefined : Reflect.get(t, p, r)) });
    const problems = probeFontkitInternals(broken);
    expect(problems).toContain('font.loca { version, offsets[] }');
    expect(problems.some((p) => p.startsWith('GSUB, GPOS and GDEF'))).toBe(true);
  });
});

describe(`pdfkit ${PDFKIT_VERSION} internals (adapters/pdfkit-internals.ts)`, () => {
  it('has every member the adapter relies on, and they behave', () => {
    const doc = new PDFDocument({ size: 'A4', font: null as unknown as string, autoFirstPage: false });
    registerFontkitFont(doc, 'jp', openFont(readFileSync(notoSansJpPaths().regular)));
    doc.font('jp');
    expect(probePdfkitInternals(doc)).toEqual([]);
  });
});

describe(`qrcode ${QRCODE_VERSION} internals (adapters/qrcode-internals.ts)`, () => {
  it('gives the tables of ISO/IEC 18004 the encoder builds on', () => {
    const { L, M, Q, H } = QRCODE_ECC_LEVELS;
    expect([L, M, Q, H].map((l) => l.bit)).toEqual([1, 0, 3, 2]);
    expect([1, 7, 40].map((v) => qrcodeUtils.getSymbolTotalCodewords(v))).toEqual([26, 196, 3706]);
    // version 1-M: 10 EC codewords in 1 block; 5-Q: 72 in 4 blocks; 40-H: 2430 in 81
    expect([qrcodeEcCode.getTotalCodewordsCount(1, M), qrcodeEcCode.getBlocksCount(1, M)]).toEqual([10, 1]);
    expect([qrcodeEcCode.getTotalCodewordsCount(5, Q), qrcodeEcCode.getBlocksCount(5, Q)]).toEqual([72, 4]);
    expect([qrcodeEcCode.getTotalCodewordsCount(40, H), qrcodeEcCode.getBlocksCount(40, H)]).toEqual([2430, 81]);
    expect(qrcodeAlignment.getPositions(1)).toEqual([]);
    expect(qrcodeAlignment.getPositions(2)).toEqual([[18, 18]]);
    expect(qrcodeAlignment.getPositions(7)).toEqual([
      [6, 22],
      [22, 6],
      [22, 22],
      [22, 38],
      [38, 22],
      [38, 38],
    ]);
    // format bits (masked with 101010000010010) and version bits, Annex C and D
    expect(qrcodeFormatInfo.getEncodedBits(M, 0)).toBe(0x5412);
    expect(qrcodeFormatInfo.getEncodedBits(L, 0)).toBe(0x77c4);
    expect(qrcodeFormatInfo.getEncodedBits(L, 4)).toBe(0x662f);
    expect(qrcodeFormatInfo.getEncodedBits(H, 7)).toBe(0x083b);
    expect(qrcodeVersionInfo.getEncodedBits(7)).toBe(0x07c94);
    expect(qrcodeVersionInfo.getEncodedBits(40)).toBe(0x28c69);
  });
});
