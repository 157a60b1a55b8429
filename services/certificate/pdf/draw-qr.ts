import { deflateSync } from 'node:zlib';
import type { QrMatrix } from '../qr/qr-matrix.js';

/** The one pdfkit call we need: append raw operators to the page's content stream. */
export interface ContentSink {
  addContent(data: string): unknown;
}

/**
 * Covers the dark modules with as few rectangles as a greedy sweep finds: a run along the row,
 * extended down while the same span stays dark. Returns `c r w h` quadruples in module units.
 */
export function qrRectangles(qr: QrMatrix): number[] {
  const n = qr.size;
  const dark = qr.dark;
  // 1 where a dark module is not yet covered
  const free = Uint8Array.from(dark);
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const row = r * n;
    for (let c = 0; c < n; c++) {
      if (free[row + c] === 0) continue;
      let c1 = c + 1;
      while (c1 < n && free[row + c1] === 1) c1++;
      let h = 1;
      grow: for (let at = row + n; r + h < n; h++, at += n) {
        for (let k = c; k < c1; k++) if (free[at + k] === 0) break grow;
      }
      for (let y = 0, at = row; y < h; y++, at += n) for (let k = c; k < c1; k++) free[at + k] = 0;
      out.push(c, r, c1 - c, h);
      c = c1 - 1;
    }
  }
  return out;
}

/**
 * `0 g`, one `c r w h re` line per rectangle, `f`, written as bytes (numbers are module counts,
 * below 1000): string formatting of a few thousand rectangles cost more than finding them.
 */
export function pathOperators(rects: number[]): Buffer {
  const out = Buffer.allocUnsafe(8 + rects.length * 4 + (rects.length / 4) * 3);
  let at = out.write('0 g', 0, 'latin1');
  const num = (v: number, sep: number) => {
    out[at++] = sep;
    if (v >= 100) out[at++] = 48 + Math.floor(v / 100);
    if (v >= 10) out[at++] = 48 + (Math.floor(v / 10) % 10);
    out[at++] = 48 + (v % 10);
  };
  for (let i = 0; i < rects.length; i += 4) {
    num(rects[i]!, 0x0a);
    num(rects[i + 1]!, 0x20);
    num(rects[i + 2]!, 0x20);
    num(rects[i + 3]!, 0x20);
    out[at++] = 0x20;
    out[at++] = 0x72; // r
    out[at++] = 0x65; // e
  }
  out[at++] = 0x0a;
  out[at++] = 0x66; // f
  return out.subarray(0, at);
}

/** The part of pdfkit's document we use to add a Form XObject. */
export interface FormSink extends ContentSink {
  ref(data: Record<string, unknown>): { end(chunk: Uint8Array): void };
  page: { xobjects: Record<string, unknown> };
}

/**
 * Draws a QR matrix as vector modules: a Form XObject holding one filled path of rectangles in
 * module units, placed with a scaling `cm`. The form's stream is written and compressed here (fast
 * DEFLATE level; module paths compress well at any level) rather than through pdfkit's `rect`,
 * which formats every number through its transform. `size` is the symbol width without quiet zone,
 * in points, at top-left (`x`, `y`) of pdfkit's y-down page space; callers leave ≥ 4 modules of
 * white around it.
 */
export function drawQr(doc: FormSink, qr: QrMatrix, x: number, y: number, size: number): void {
  const rects = qrRectangles(qr);
  const stream = deflateSync(pathOperators(rects), { level: 1 });
  const name = `QR${Object.keys(doc.page.xobjects).length + 1}`;
  const form = doc.ref({ Type: 'XObject', Subtype: 'Form', BBox: [0, 0, qr.size, qr.size], Filter: 'FlateDecode' });
  form.end(stream);
  doc.page.xobjects[name] = form;
  const m = size / qr.size;
  doc.addContent(`q ${m.toFixed(5)} 0 0 ${m.toFixed(5)} ${x.toFixed(3)} ${y.toFixed(3)} cm /${name} Do Q`);
}
