import { deflateSync } from 'node:zlib';
import type { DocumentObject } from '../adapters/pdfkit-internals.js';
import type { CertificateFonts } from './fonts.js';
import { A4, MM } from './page-kit.js';

/**
 * Anti-forgery print (偽造防止対策, seed 001 art. 18-2) as on コンビニ交付 paper: a fine dot
 * background (地紋, ground pattern) over the whole page with a latent 「複製」 ("copy") in it — the
 * void pantograph. The word is drawn with coarse dots, the ground around it with fine dots, both
 * covering the same share of the paper (12.6 %) in the same pale ink, so at print resolution the
 * page shows one even tint. A copier or a low-resolution scan loses the fine dots (each is smaller
 * than its pixel and averages out lighter than its threshold) and keeps the coarse ones (larger than
 * a pixel), so 「複製」 stands out on the copy.
 *
 * Everything is vector: two tiling patterns (PDF PatternType 1) and two Form XObjects, the page's
 * ground and the word (its glyph outlines from the certificate font, filled and stroked wider so
 * the strokes hold several coarse dots). Their bytes are built and deflated once per font set; a
 * document writes them as four objects and each page only places the ground form, clipped so that
 * no dot falls on a QR code or its quiet zone.
 */

/** The pattern ink: a pale blue-grey (DeviceRGB), light enough for text and codes drawn over it. */
export const ANTI_FORGERY_INK = [0.56, 0.7, 0.79] as const;
/** Fine ground dots: side and pitch in mm (coverage (0.16 / 0.45)² = 12.6 %). */
export const FINE_DOT = { side: 0.16, pitch: 0.45 } as const;
/** Coarse word dots: side and pitch in mm, the same coverage ((0.55 / 1.547)² = 12.6 %). */
export const COARSE_DOT = { side: 0.55, pitch: (0.55 * FINE_DOT.pitch) / FINE_DOT.side } as const;
/** The latent word and its size (points per em). */
export const LATENT_WORD = '複製';
const WORD_EM = 96;
/** Extra stroke around each glyph outline, in font units (widens stems from ≈ 2.7 to ≈ 3.7 mm). */
const WORD_STROKE = 30;
/** Fine dots per tile side: one tile holds 8 × 8 dots (fewer, larger tiles for renderers). */
const FINE_TILE_DOTS = 8;

/**
 * Where the words stand: the left end of each word's baseline in mm from the page's top-left, two
 * to a row, rows staggered.
 */
export const WORD_PLACES: ReadonlyArray<readonly [number, number]> = [
  [22, 62],
  [118, 62],
  [34, 130],
  [130, 130],
  [22, 198],
  [118, 198],
  [34, 266],
  [130, 266],
];

/** The word's box on the page (points, y down from the top), as tests look for it. */
export function wordBoxes(): Array<{ x: number; y: number; w: number; h: number }> {
  const em = WORD_EM;
  return WORD_PLACES.map(([x, y]) => ({ x: x * MM, y: y * MM - 0.88 * em, w: LATENT_WORD.length * em, h: 1.0 * em }));
}

const f = (n: number): string => String(Math.round(n * 1000) / 1000);
const rgb = ANTI_FORGERY_INK.join(' ');

/** The glyph outlines of `word` as PDF path operators in font units, glyphs side by side. */
function wordPath(fonts: CertificateFonts, word: string): { ops: string; width: number; box: [number, number, number, number] } {
  const out: string[] = [];
  let x0 = 0;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  const pt = (x: number, y: number): string => {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
    return `${f(x)} ${f(y)}`;
  };
  for (const ch of word) {
    const glyph = fonts.regular.glyphForCodePoint(ch.codePointAt(0)!);
    let cx = 0,
      cy = 0;
    for (const { command, args: a } of glyph.path.commands) {
      switch (command) {
        case 'moveTo':
          out.push(`${pt(x0 + a[0]!, a[1]!)} m`);
          [cx, cy] = [a[0]!, a[1]!];
          break;
        case 'lineTo':
          out.push(`${pt(x0 + a[0]!, a[1]!)} l`);
          [cx, cy] = [a[0]!, a[1]!];
          break;
        case 'quadraticCurveTo': {
          // as a cubic: control points two thirds of the way to the quadratic's control point
          const [qx, qy, x, y] = a as [number, number, number, number];
          out.push(
            `${pt(x0 + cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy))} ${pt(x0 + x + (2 / 3) * (qx - x), y + (2 / 3) * (qy - y))} ${pt(x0 + x, y)} c`,
          );
          [cx, cy] = [x, y];
          break;
        }
        case 'bezierCurveTo':
          out.push(`${pt(x0 + a[0]!, a[1]!)} ${pt(x0 + a[2]!, a[3]!)} ${pt(x0 + a[4]!, a[5]!)} c`);
          [cx, cy] = [a[4]!, a[5]!];
          break;
        case 'closePath':
          out.push('h');
          break;
      }
    }
    x0 += glyph.advanceWidth;
  }
  return { ops: out.join('\n'), width: x0, box: [minX, minY, maxX, maxY] };
}

/** A tiling pattern's dictionary (coloured, constant spacing) over a square cell of `cell` units. */
const tiling = (cell: number) => ({
  Type: 'Pattern',
  PatternType: 1,
  PaintType: 1,
  TilingType: 1,
  BBox: [0, 0, cell, cell],
  XStep: cell,
  YStep: cell,
  Resources: {},
  Filter: 'FlateDecode',
});

/** The four objects' dictionaries and deflated streams, the same for every document of a font set. */
interface AntiForgeryObjects {
  fine: { data: Record<string, unknown>; stream: Buffer };
  coarse: { data: Record<string, unknown>; stream: Buffer };
  word: { data: Record<string, unknown>; stream: Buffer };
  ground: { data: Record<string, unknown>; stream: Buffer };
}

function buildObjects(fonts: CertificateFonts): AntiForgeryObjects {
  const z = (s: string) => deflateSync(Buffer.from(s, 'latin1'), { level: 9 });
  // ground tile, in points: FINE_TILE_DOTS² dots
  const pitch = FINE_DOT.pitch * MM;
  const side = FINE_DOT.side * MM;
  const tile = pitch * FINE_TILE_DOTS;
  const dots: string[] = [];
  for (let r = 0; r < FINE_TILE_DOTS; r++) for (let c = 0; c < FINE_TILE_DOTS; c++) dots.push(`${f(c * pitch)} ${f(r * pitch)} ${f(side)} ${f(side)} re`);
  const fine = { data: tiling(tile), stream: z(`${rgb} rg\n${dots.join('\n')}\nf`) };
  // word tile, in font units at WORD_EM: white ground (hides the fine dots under the word) and one dot
  const unit = (mm: number) => (mm * MM * fonts.regular.unitsPerEm) / WORD_EM;
  const cp = unit(COARSE_DOT.pitch);
  const cs = unit(COARSE_DOT.side);
  const coarse = {
    data: tiling(cp),
    stream: z(`1 1 1 rg\n0 0 ${f(cp)} ${f(cp)} re\nf\n${rgb} rg\n${f((cp - cs) / 2)} ${f((cp - cs) / 2)} ${f(cs)} ${f(cs)} re\nf`),
  };
  const path = wordPath(fonts, LATENT_WORD);
  const pad = WORD_STROKE;
  const word = {
    data: {
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [path.box[0] - pad, path.box[1] - pad, path.box[2] + pad, path.box[3] + pad],
      Filter: 'FlateDecode',
    } as Record<string, unknown>,
    stream: z(`/Pattern cs\n/Pc scn\n/Pattern CS\n/Pc SCN\n${WORD_STROKE} w\n1 j\n${path.ops}\nB`),
  };
  // the ground: fine dots over the page, the words over them; in the page's default space (y up)
  const s = WORD_EM / fonts.regular.unitsPerEm;
  const places = WORD_PLACES.map(([x, y]) => `q ${f(s)} 0 0 ${f(s)} ${f(x * MM)} ${f(A4.height - y * MM)} cm /W Do Q`);
  const ground = {
    data: { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, A4.width, A4.height], Filter: 'FlateDecode' } as Record<string, unknown>,
    stream: z(`/Pattern cs\n/Pf scn\n0 0 ${f(A4.width)} ${f(A4.height)} re\nf\n${places.join('\n')}`),
  };
  return { fine, coarse, word, ground };
}

const cache = new WeakMap<CertificateFonts, AntiForgeryObjects>();

/** A rectangle kept free of the pattern (points, y down, top-left at x, y). */
export interface KeepOut {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the pattern needs of a page (PageKit). */
export interface AntiForgerySink {
  addObject(data: Record<string, unknown>, stream: Uint8Array): DocumentObject;
  useXObject(name: string, object: DocumentObject): void;
  addContent(operators: string): unknown;
}

/** Resource name of the ground form on pages. */
export const GROUND_NAME = 'AF1';

/**
 * Draws the anti-forgery ground on the pages of one document. The objects are written to the
 * document on its first page; every page places the ground form, clipped (even-odd) around the
 * `keepOut` rectangles (the QR codes with their quiet zones). Call first on a page, so that text,
 * rules and codes are drawn over it.
 */
export class AntiForgeryPrint {
  private readonly objects: AntiForgeryObjects;
  private ground: DocumentObject | undefined;

  constructor(fonts: CertificateFonts) {
    let o = cache.get(fonts);
    if (!o) cache.set(fonts, (o = buildObjects(fonts)));
    this.objects = o;
  }

  drawPage(page: AntiForgerySink, keepOut: KeepOut[] = []): void {
    if (!this.ground) {
      const { fine, coarse, word, ground } = this.objects;
      const pf = page.addObject(fine.data, fine.stream);
      const pc = page.addObject(coarse.data, coarse.stream);
      const w = page.addObject({ ...word.data, Resources: { Pattern: { Pc: pc } } }, word.stream);
      // the form's matrix undoes pdfkit's y-down page transform: the form draws in default space
      this.ground = page.addObject(
        { ...ground.data, Matrix: [1, 0, 0, -1, 0, A4.height], Resources: { Pattern: { Pf: pf }, XObject: { W: w } } },
        ground.stream,
      );
    }
    page.useXObject(GROUND_NAME, this.ground);
    const holes = keepOut.map((r) => ` ${f(r.x)} ${f(r.y)} ${f(r.w)} ${f(r.h)} re`).join('');
    page.addContent(`q 0 0 ${f(A4.width)} ${f(A4.height)} re${holes} W* n /${GROUND_NAME} Do Q`);
  }
}
