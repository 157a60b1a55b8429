import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fontkitEncode, openFont, speedUpSubset, ttfSource, type FontkitFont } from '../../../services/certificate/adapters/fontkit-internals.js';
import { DirectLayout } from '../../../services/certificate/pdf/direct-layout.js';
import { loadCertificateFonts, notoSansJpPaths } from '../../../services/certificate/pdf/fonts.js';
import { chunksOf } from '../../../services/certificate/pdf/text-runs.js';
import { encodeTtfSubset, subsetPrefix, type TtfSubset } from '../../../services/certificate/pdf/ttf-subset.js';

/**
 * The hand-written subset encoder (pdf/ttf-subset.ts, with the adapter's faster includeGlyph) and
 * DirectLayout against fontkit's own output, on holders generated from a fixed seed
 * (tests/setup/fast-check-seed.ts): byte for byte for the subset, glyph for glyph for the layout.
 */
const bytes = readFileSync(notoSansJpPaths().regular);
/** What the certificate builder uses: the subset encoder and DirectLayout in place. */
const fonts = loadCertificateFonts();
/** fontkit alone: another parse of the same file, nothing replaced. */
const reference = openFont(bytes);

// The character pools come from a parse of their own: fontkit keeps one glyph object per id, with
// the code points of the first request, so asking a font about every character changes its layouts.
const pool = openFont(bytes);
const covered = pool.characterSet.filter((cp) => pool.glyphForCodePoint(cp).id !== 0);
const inRange = (lo: number, hi: number) => covered.filter((cp) => cp >= lo && cp <= hi).map((cp) => String.fromCodePoint(cp));
const common = [...'佐藤鈴木高橋田中伊渡辺山本小林加吉松井上斎清水森池阿部石川前藤原岡村長谷野口一郎二三花子翔太美咲陽菜蓮結愛大和悠真'];
const rare = [...'𠮷髙﨑德邊邉齋齊斎濵濱曺龍瀨隆琢鷗辻逢'].filter((c) => pool.glyphForCodePoint(c.codePointAt(0)!).id !== 0);
const kanji = inRange(0x4e00, 0x9fff);
const extensions = [...inRange(0x3400, 0x4dbf), ...inRange(0xf900, 0xfaff), ...inRange(0x20000, 0x3ffff)];
const hiragana = inRange(0x3041, 0x309f);
const katakana = [...inRange(0x30a1, 0x30ff), ...inRange(0xff66, 0xff9f)];
const latin = [...inRange(0x41, 0x5a), ...inRange(0x61, 0x7a), ...'ĀāĒēĪīŌōŪūÉéÖöÜüÇçÑñ'];
const digits = [...inRange(0x30, 0x39), ...inRange(0xff10, 0xff19)];
const marks = [...'　 ・ー－-（）()、。'];

const pick = (pool: string[]) => fc.constantFrom(...pool);
const word = (pools: Array<[number, string[]]>, maxLength: number) =>
  fc.array(fc.oneof(...pools.map(([weight, pool]) => ({ weight, arbitrary: pick(pool) }))), { minLength: 1, maxLength }).map((cs) => cs.join(''));

/** A holder's variable text: kanji, kana and Latin names (long ones too), rare kanji present in the font, an address. */
const holder = fc.record({
  family: word(
    [
      [6, common],
      [3, kanji],
      [1, rare],
      [1, extensions],
    ],
    6,
  ),
  given: word(
    [
      [4, common],
      [3, kanji],
      [2, hiragana],
      [2, katakana],
      [1, rare],
    ],
    8,
  ),
  kana: word(
    [
      [3, hiragana],
      [3, katakana],
      [1, marks],
    ],
    24,
  ),
  roman: word(
    [
      [8, latin],
      [1, [' ', '-']],
    ],
    40,
  ),
  address: fc
    .tuple(
      word(
        [
          [5, kanji],
          [1, common],
        ],
        10,
      ),
      fc.integer({ min: 1, max: 99 }),
      word(
        [
          [3, katakana],
          [2, digits],
          [1, marks],
          [1, latin],
        ],
        16,
      ),
    )
    .map(([town, n, building]) => `${town}${n}丁目${n % 7}番${n % 13}号 ${building}`),
  long: word(
    [
      [3, kanji],
      [2, hiragana],
      [2, katakana],
      [2, latin],
      [1, digits],
      [1, marks],
      [1, extensions],
    ],
    60,
  ),
});

const STATIC = '新型コロナウイルス感染症予防接種証明書 氏名 Name 生年月日 Date of birth 発行自治体 Issuing municipality 証明書ID';

/** Font glyph ids of `texts` in first-use order, laid out as PageKit does (chunk by chunk). */
function glyphIds(font: FontkitFont, texts: string[]): number[] {
  return texts.flatMap(chunksOf).flatMap((chunk) => font.layout(chunk).glyphs.map((g) => g.id));
}

describe('font subset (pdf/ttf-subset.ts)', () => {
  const statics = [...new Set(glyphIds(fonts.regular, [STATIC]).filter((id) => id !== 0))];
  const prefix = subsetPrefix(ttfSource(fonts.regular), [0, ...statics]);

  it('is written byte for byte as fontkit writes it, for seeded varied holders, with and without the static prefix', () => {
    expect(prefix).not.toBeNull();
    // the builder's subsets are written by encodeTtfSubset (else this would compare fontkit with itself)
    expect(Object.hasOwn(fonts.regular.createSubset(), 'encode')).toBe(true);
    let withPrefix = 0;
    fc.assert(
      fc.property(holder, fc.boolean(), (h, prefixed) => {
        const texts = [h.family + '\u3000' + h.given, h.kana, h.roman, h.address, h.long];
        const ids = glyphIds(fonts.regular, texts);
        const subset = fonts.regular.createSubset() as TtfSubset;
        const plain = reference.createSubset();
        if (prefixed) {
          for (const id of statics) {
            subset.includeGlyph(id);
            plain.includeGlyph(id);
          }
          subset.prefix = prefix!;
          withPrefix++;
        }
        const gids = ids.map((id) => subset.includeGlyph(id));
        // the faster includeGlyph gives fontkit's subset ids
        expect(gids).toEqual(ids.map((id) => plain.includeGlyph(id)));
        const fast = Buffer.from(subset.encode());
        expect(fast.equals(Buffer.from(fontkitEncode(subset))), texts.join(' | ')).toBe(true);
        expect(fast.equals(Buffer.from(plain.encode())), texts.join(' | ')).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(withPrefix).toBeGreaterThan(10);
  });

  it('is written as fontkit writes it for the fixed examples: certificate text, an ID, one glyph, an empty holder, a subset not starting with the prefix', () => {
    for (const text of ['新型コロナウイルス感染症予防接種証明書 佐藤 花子 1975-11-23', 'Certificate ID: K1222460201 / 鎌ケ谷市長', 'i', '']) {
      const subset = fonts.regular.createSubset();
      for (const id of glyphIds(fonts.regular, [text])) subset.includeGlyph(id);
      expect(Buffer.from(subset.encode()).equals(Buffer.from(fontkitEncode(subset))), text).toBe(true);
    }
    const subset = fonts.regular.createSubset() as TtfSubset;
    subset.includeGlyph(fonts.regular.layout('山').glyphs[0]!.id);
    subset.prefix = prefix!;
    expect(Buffer.from(subset.encode()).equals(Buffer.from(fontkitEncode(subset)))).toBe(true);
  });

  // Noto Sans JP has no composite glyphs; DejaVu Sans (where the system has it) has thousands.
  const dejavu = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
  it.skipIf(!existsSync(dejavu))('copies composite glyphs through fontkit, renumbering their components, as fontkit does', () => {
    const font = openFont(readFileSync(dejavu));
    const source = ttfSource(font)!;
    const composite = (cp: number) => {
      const b = source.glyphBytes(font.glyphForCodePoint(cp).id);
      return b.length >= 2 && (b[0]! & 0x80) !== 0;
    };
    expect(composite(0xc0)).toBe(true);
    for (const text of ['ÀÉÖ½ Ōsaka', 'Zoë Ñúñez ¼', 'plain']) {
      const subset = font.createSubset();
      expect(speedUpSubset(subset, (s, src) => encodeTtfSubset(s, src))).toBe(true);
      for (const g of font.layout(text).glyphs) subset.includeGlyph(g.id);
      const fast = Buffer.from(subset.encode());
      expect(fast.equals(Buffer.from(fontkitEncode(subset))), text).toBe(true);
    }
  });
});

describe('DirectLayout on seeded varied holders', () => {
  it("gives fontkit's glyphs and advances, glyph for glyph, wherever it lays text out", () => {
    // its own parses, so that it and fontkit have seen the same text in the same order
    const direct = DirectLayout.create(openFont(bytes), openFont(bytes))!;
    const reference = openFont(bytes);
    expect(direct).toBeTruthy();
    let laidOut = 0;
    let chunks = 0;
    fc.assert(
      fc.property(holder, (h) => {
        for (const chunk of [h.family + '\u3000' + h.given, h.kana, h.roman, h.address, h.long].flatMap(chunksOf)) {
          chunks++;
          const run = direct.layout(chunk);
          if (!run) continue;
          laidOut++;
          const ref = reference.layout(chunk);
          expect(
            run.glyphs.map((g, i) => [g.id, g.advanceWidth, g.codePoints, run.xAdvances[i]]),
            chunk,
          ).toEqual(ref.glyphs.map((g, i) => [g.id, g.advanceWidth, g.codePoints, ref.positions[i]!.xAdvance]));
          expect(
            ref.positions.every((p) => !p.xOffset && !p.yOffset && !p.yAdvance),
            chunk,
          ).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    // most of it goes the direct way (what does not: chunks with ligature-forming marks and dashes)
    expect(laidOut / chunks).toBeGreaterThan(0.8);
  });
});
