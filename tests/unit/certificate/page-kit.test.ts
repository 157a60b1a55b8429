import * as mupdf from 'mupdf';
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { pdfkitToUnicodeCmap, registerFontkitFont } from '../../../services/certificate/adapters/pdfkit-internals.js';
import { loadCertificateFonts } from '../../../services/certificate/pdf/fonts.js';
import { A4, PageKit } from '../../../services/certificate/pdf/page-kit.js';
import { StaticText } from '../../../services/certificate/pdf/text-runs.js';
import { toUnicodeCmap } from '../../../services/certificate/pdf/to-unicode.js';
import { ManualClock } from '../../../services/common/clock.js';

const fonts = loadCertificateFonts();
const clock = new ManualClock(new Date('2026-11-23T03:15:00Z'));

/** A line to draw: text, position, size, bold, alignment. */
type Line = { text: string; x: number; y: number; size: number; bold?: boolean; align?: 'right' | 'center' };

const STATIC = ['証明書ID Certificate ID: ', '新型コロナウイルス感染症予防接種証明書', 'Date of birth', 'This is to certify that the above person'];
const LINES: Line[] = [
  { text: '証明書ID Certificate ID: K1222460201', x: 51, y: 34, size: 8.5 },
  { text: '1 / 2', x: 544, y: 34, size: 8.5, align: 'right' },
  { text: '新型コロナウイルス感染症予防接種証明書', x: 0, y: 54, size: 17, bold: true, align: 'center' },
  { text: 'Date of birth', x: 55, y: 120, size: 6.5 },
  { text: '佐藤\u3000花子 SATO HANAKO AVATAR Type Wavy', x: 204, y: 118, size: 11 },
  { text: 'This is to certify that the above person received the vaccinations', x: 51, y: 300, size: 7.5 },
  { text: '鎌ケ谷市長', x: 544, y: 330, size: 11, bold: true, align: 'right' },
  { text: 'コミナティ筋注（ファイザー） 2021-07-05 FF2782', x: 191, y: 360, size: 10 },
];

/** The lines drawn by PageKit (static text from `statics`). */
async function withPageKit(lines: Line[], statics?: StaticText): Promise<Buffer> {
  const kit = new PageKit(fonts, clock, 'test', statics);
  kit.addPage();
  kit.fillAndStrokeRect(51, 100, 147, 21, '#eeeeee', '#444444');
  kit.fillColor('#000000');
  for (const l of lines) {
    if (l.align === 'right') kit.lineRight(l.text, l.x, l.y, l.size, l.bold);
    else if (l.align === 'center') kit.lineCentered(l.text, l.y, l.size, l.bold);
    else kit.line(l.text, l.x, l.y, l.size, l.bold);
  }
  return kit.end();
}

/** The same lines drawn by pdfkit's own `text` (bold as fill + stroke of width size / 28). */
async function withPdfkit(lines: Line[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 0, font: null as unknown as string });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
  });
  doc.font(fonts.regular as unknown as Buffer);
  doc.rect(51, 100, 147, 21).fillAndStroke('#eeeeee', '#444444');
  doc.fillColor('#000000');
  for (const l of lines) {
    doc.fontSize(l.size);
    if (l.bold) doc.lineWidth(l.size / 28).strokeColor('#000000');
    const w = doc.widthOfString(l.text);
    const x = l.align === 'right' ? l.x - w : l.align === 'center' ? (A4.width - w) / 2 : l.x;
    doc.text(l.text, x, l.y, l.bold ? { lineBreak: false, fill: true, stroke: true } : { lineBreak: false });
  }
  doc.end();
  return done;
}

function raster(pdf: Buffer): Buffer[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const out: Buffer[] = [];
  for (let i = 0; i < doc.countPages(); i++) {
    out.push(
      Buffer.from(
        doc
          .loadPage(i)
          .toPixmap(mupdf.Matrix.scale(200 / 72, 200 / 72), mupdf.ColorSpace.DeviceGray, false, true)
          .getPixels(),
      ),
    );
  }
  return out;
}

const textOf = (pdf: Buffer): string => {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  return doc.loadPage(0).toStructuredText('preserve-whitespace').asText();
};

describe('PageKit', () => {
  it("draws text exactly where pdfkit's own text() draws it, with and without static text", async () => {
    const reference = raster(await withPdfkit(LINES));
    for (const statics of [undefined, new StaticText(fonts.regular, STATIC)]) {
      const pages = raster(await withPageKit(LINES, statics));
      expect(pages).toHaveLength(1);
      expect(pages[0]!.equals(reference[0]!)).toBe(true);
    }
  });

  it('hands text it cannot write as one line (a line break) to pdfkit, in order with the rest', async () => {
    const lines: Line[] = [
      { text: '氏名', x: 55, y: 100, size: 8.5 },
      { text: '山田\n太郎', x: 204, y: 100, size: 11, bold: true },
      { text: 'Name', x: 55, y: 140, size: 6.5 },
    ];
    const pdf = await withPageKit(lines);
    const text = textOf(pdf);
    for (const s of ['氏名', '山田', '太郎', 'Name']) expect(text).toContain(s);
    expect(raster(pdf)[0]!.equals(raster(await withPdfkit(lines))[0]!)).toBe(true);
  });
});

describe('StaticText', () => {
  it('holds the words it was built with and nothing drawn later', async () => {
    const st = new StaticText(fonts.regular, ['氏名 Name', '生年月日']);
    expect(st.chunk('氏名 ')).toBeDefined();
    expect(st.chunk('Name')).toBeDefined();
    expect(st.chunk('生年月日')).toBeDefined();
    await withPageKit([{ text: '山田 Name', x: 10, y: 10, size: 10 }], st);
    expect(st.chunk('山田 ')).toBeUndefined();
    expect(st.chunk('山田')).toBeUndefined();
  });

  it('gives its text the same glyph ids in every document, whatever the document drew before', async () => {
    const st = new StaticText(fonts.regular, STATIC);
    const tjOf = (pdf: Buffer): string[] => {
      const doc = mupdf.Document.openDocument(pdf, 'application/pdf') as mupdf.PDFDocument;
      const contents = doc.findPage(0).get('Contents').readStream().asString();
      return [...contents.matchAll(/\[(.*)\] TJ/g)].map((m) => m[1]!);
    };
    const name = { text: '鈴木 一郎', x: 10, y: 10, size: 10 };
    const title = { text: STATIC[1]!, x: 10, y: 40, size: 12 };
    const nameFirst = tjOf(await withPageKit([name, title], st));
    const titleFirst = tjOf(await withPageKit([title, name], st));
    expect(nameFirst[1]).toBe(titleFirst[0]);
    // without StaticText the title's ids depend on what came first
    expect(tjOf(await withPageKit([name, title]))[1]).not.toBe(tjOf(await withPageKit([title, name]))[0]);
  });
});

describe('ToUnicode map', () => {
  it("is the CMap pdfkit's EmbeddedFont writes", () => {
    const doc = new PDFDocument({ size: 'A4', font: null as unknown as string });
    registerFontkitFont(doc, 'jp', fonts.regular);
    doc.font('jp');
    const pdfkits = pdfkitToUnicodeCmap(doc, '新型コロナ AVATAR 2026-11-23 𠮷野家');
    const written: Buffer[] = [];
    const ref = {
      end: (chunk?: Uint8Array | string) => void written.push(typeof chunk === 'string' ? Buffer.from(`${chunk}\n`, 'latin1') : Buffer.from(chunk ?? [])),
    };
    toUnicodeCmap(pdfkits.unicode, ref);
    pdfkits.write(ref);
    expect(written).toHaveLength(2);
    expect(written[0]!.toString('latin1')).toContain('beginbfrange');
    expect(written[0]!.equals(written[1]!)).toBe(true);
  });
});
