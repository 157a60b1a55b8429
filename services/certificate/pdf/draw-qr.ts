import type { QrMatrix } from '../qr/qr-matrix.js';
import { qrPathStream } from './qr-path-stream.js';

/**
 * Covers the dark modules with as few rectangles as a greedy sweep finds: a run along the row,
 * extended down while the same span stays dark. Returns `c r w h` quadruples in module units.
 */
export function qrRectangles(qr: QrMatrix): number[] {
  const n = qr.size;
  // 1 where a dark module is not yet covered
  const free = qr.dark.slice();
  const out: number[] = [];
  for (let r = 0, row = 0; r < n; r++, row += n) {
    for (let c = 0; c < n; c++) {
      if (free[row + c] === 0) continue;
      let c1 = c + 1;
      while (c1 < n && free[row + c1] === 1) c1++;
      // rows below join while the whole span is free; each row is cleared as it joins
      let h = 1;
      for (let at = row + n; r + h < n; h++, at += n) {
        let k = c;
        while (k < c1 && free[at + k] === 1) k++;
        if (k < c1) break;
        for (k = c; k < c1; k++) free[at + k] = 0;
      }
      out.push(c, r, c1 - c, h);
      c = c1 - 1;
    }
  }
  return out;
}

/**
 * `0 g`, one `c r w h re` line per rectangle, `f` (numbers are module counts, below 1000). The
 * form's stream is these bytes as qrPathStream deflates them; this is the reference it is tested
 * against.
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

/** Where a QR form goes: a page that takes Form XObjects and raw operators (PageKit). */
export interface FormSink {
  /** Adds a Form XObject with an already encoded stream to the page; returns its resource name. */
  addForm(data: Record<string, unknown>, stream: Uint8Array): string;
  addContent(operators: string): unknown;
}

/**
 * Draws a QR matrix as vector modules: a Form XObject holding one filled path of rectangles in
 * module units, placed with a scaling `cm`. The form's stream is written deflated straight from the
 * rectangles (qrPathStream) rather than through pdfkit's `rect`, which formats every number through
 * its transform. `size` is the symbol width without quiet zone, in points, at top-left (`x`, `y`)
 * of pdfkit's y-down page space; callers leave ≥ 4 modules of white around it.
 */
export function drawQr(page: FormSink, qr: QrMatrix, x: number, y: number, size: number): void {
  const stream = qrPathStream(qrRectangles(qr));
  const name = page.addForm({ Type: 'XObject', Subtype: 'Form', BBox: [0, 0, qr.size, qr.size], Filter: 'FlateDecode' }, stream);
  const m = size / qr.size;
  page.addContent(`q ${m.toFixed(5)} 0 0 ${m.toFixed(5)} ${x.toFixed(3)} ${y.toFixed(3)} cm /${name} Do Q`);
}
