import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoResidents } from '../../../certs/demo-cast.js';
import { openFont } from '../../../services/certificate/adapters/fontkit-internals.js';
import { DirectLayout, type LayoutGlyph } from '../../../services/certificate/pdf/direct-layout.js';
import { chunksOf } from '../../../services/certificate/pdf/text-runs.js';
import { notoSansJpPaths } from '../../../services/certificate/pdf/fonts.js';
import { syntheticResidents } from '../../../services/vrs/seed/synthetic.js';

const bytes = readFileSync(notoSansJpPaths().regular);

/** A DirectLayout and, on its own parse of the font, fontkit's layout (the reference). */
function fixture(): { direct: DirectLayout; fontkitLayout: (text: string) => { glyphs: LayoutGlyph[]; positions: Array<Record<string, number>> } } {
  const font = openFont(bytes);
  const direct = DirectLayout.create(font, openFont(bytes));
  if (!direct) throw new Error('Noto Sans JP should be laid out directly');
  const reference = openFont(bytes);
  return { direct, fontkitLayout: (text) => reference.layout(text) as unknown as ReturnType<ReturnType<typeof fixture>['fontkitLayout']> };
}

/** The glyphs and positions fontkit gives, compared with DirectLayout's; null when DirectLayout leaves the text to fontkit. */
function compare(f: ReturnType<typeof fixture>, text: string): { direct: unknown; fontkit: unknown } | null {
  const run = f.direct.layout(text);
  if (!run) return null;
  const ref = f.fontkitLayout(text);
  return {
    direct: run.glyphs.map((g, i) => [g.id, g.advanceWidth, g.codePoints, run.xAdvances[i], 0, 0, 0]),
    fontkit: ref.glyphs.map((g, i) => [
      g.id,
      g.advanceWidth,
      g.codePoints,
      ref.positions[i]!.xAdvance,
      ref.positions[i]!.yAdvance,
      ref.positions[i]!.xOffset,
      ref.positions[i]!.yOffset,
    ]),
  };
}

/** The variable text a certificate shows for these holders, split into chunks as PageKit draws it. */
function holderChunks(): string[] {
  const people = [
    ...syntheticResidents(3000, 7, '162027'),
    ...demoResidents.flatMap((d) => d.records.map((r) => ({ ...d, doses: r.doses, passport: r.passport }))),
  ];
  const texts = new Set<string>();
  people.forEach((p, i) => {
    texts
      .add(`${p.familyName}\u3000${p.givenName}`)
      .add(p.birthDate)
      .add(`D162027${String(i).padStart(5, '0')}`)
      .add(`K162027${String(i).padStart(5, '0')}`);
    for (const d of p.doses) texts.add(`${d.dose}回目`).add(d.date).add(`${d.product}（${d.maker}）`).add(d.lot);
    const pp = p.passport as { nameRoman: string; nationality: string; passportNumber: string; otherName?: string } | undefined;
    if (pp) for (const t of [pp.nameRoman, pp.nationality, pp.passportNumber, pp.otherName ?? '']) texts.add(t);
  });
  return [...new Set([...texts].flatMap(chunksOf))];
}

describe('DirectLayout', () => {
  it('lays out the text of the seeded population and the demo cast exactly as fontkit does, and all of it', () => {
    const f = fixture();
    const chunks = holderChunks();
    expect(chunks.length).toBeGreaterThan(3000);
    const left: string[] = [];
    for (const chunk of chunks) {
      const c = compare(f, chunk);
      if (!c) left.push(chunk);
      else expect(c.direct, chunk).toEqual(c.fontkit);
    }
    // none left to fontkit: dates, lots, IDs and names (kanji, kana, Roman) all go the direct way
    expect(left).toEqual([]);
  });

  it('keeps the glyphs fontkit substitutes for digits in Latin-script text (locl) and its kerning', () => {
    const f = fixture();
    for (const text of ['F12345', 'T12345678', '1975-11-23', 'SATO ', 'AVATAR', 'Wavy', 'K1222460201', '2021-07-05']) {
      const c = compare(f, text);
      expect(c, text).not.toBeNull();
      expect(c!.direct, text).toEqual(c!.fontkit);
    }
    const digits = (t: string) =>
      f.direct
        .layout(t)!
        .glyphs.slice(-5)
        .map((g) => g.id);
    expect(digits('F12345')).not.toEqual(digits('12345'));
    expect(f.direct.layout('AV')!.xAdvances[0]).toBeLessThan(f.direct.layout('A')!.xAdvances[0]!);
  });

  it('matches fontkit on every pair of characters of ASCII, kana, sample kanji and the marks and dashes that form ligatures', () => {
    const f = fixture();
    const chars = [
      ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)),
      ...'あいうえおかがきくけこさしすせそたちっつてとなにぬのはばぱひふへほまみむめもゃやゅゆょよらりるれろわをんゔ',
      ...'アイエオカガキクケコサシスセソタチッツテトナニヌネハバパヒフヘホマミムメモャヤュユョヨラリルレロワヲンヴー',
      ...'佐藤鈴木高橋田中山本渡辺花子太郎翔𠮷長市区（）：／　、。・〵〳—―\u3099\u309a\u0300\u0304',
    ];
    let direct = 0;
    for (const a of chars) {
      for (const b of chars) {
        const c = compare(f, a + b);
        if (!c) continue;
        direct++;
        if (JSON.stringify(c.direct) !== JSON.stringify(c.fontkit)) expect(c.direct, a + b).toEqual(c.fontkit);
      }
    }
    expect(direct).toBeGreaterThan(chars.length ** 2 * 0.8);
    // the characters that start or join ligatures with them are left to fontkit
    for (const t of ['か\u309a', 'ン\u3099', '——', '〳〵', 'M\u0300']) expect(f.direct.layout(t), t).toBeNull();
  });

  it('leaves to fontkit what it shapes in other ways: right-to-left and Indic text, variation selectors, default ignorables, fraction slash', () => {
    const f = fixture();
    for (const t of ['שלום', 'مرحبا', 'नमस्ते', '葛\u{E0100}', '1\u00ad2', 'a\u200bb', '1\u20442', '\ud800x']) expect(f.direct.layout(t), t).toBeNull();
  });
});
