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
  const used = new Uint8Array(n * n);
  const free = (i: number) => qr.dark[i] === 1 && used[i] === 0;
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!free(r * n + c)) continue;
      let c1 = c + 1;
      while (c1 < n && free(r * n + c1)) c1++;
      let h = 1;
      grow: while (r + h < n) {
        for (let k = c; k < c1; k++) if (!free((r + h) * n + k)) break grow;
        h++;
      }
      for (let y = r; y < r + h; y++) used.fill(1, y * n + c, y * n + c1);
      out.push(c, r, c1 - c, h);
      c = c1 - 1;
    }
  }
  return out;
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
  const parts: string[] = ['0 g'];
  for (let i = 0; i < rects.length; i += 4) parts.push(`${rects[i]} ${rects[i + 1]} ${rects[i + 2]} ${rects[i + 3]} re`);
  parts.push('f');
  const stream = deflateSync(Buffer.from(parts.join('\n'), 'latin1'), { level: 1 });
  const name = `QR${Object.keys(doc.page.xobjects).length + 1}`;
  const form = doc.ref({ Type: 'XObject', Subtype: 'Form', BBox: [0, 0, qr.size, qr.size], Filter: 'FlateDecode' });
  form.end(stream);
  doc.page.xobjects[name] = form;
  const m = size / qr.size;
  doc.addContent(`q ${m.toFixed(5)} 0 0 ${m.toFixed(5)} ${x.toFixed(3)} ${y.toFixed(3)} cm /${name} Do Q`);
}
