import { inflateSync } from 'node:zlib';
import jsqrModule, { type QRCode as JsQrCode } from 'jsqr';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { pathOperators, qrRectangles } from '../../../services/certificate/pdf/draw-qr.js';
import { qrPathStream } from '../../../services/certificate/pdf/qr-path-stream.js';
import { qrMatrix, shcQrMatrix, type QrMatrix, type QrSegment } from '../../../services/certificate/qr/qr-matrix.js';
import { seededBytes } from '../../helpers/seeded-bytes.js';

type JsQr = (d: Uint8ClampedArray, w: number, h: number) => JsQrCode | null;
const jsQR = ((jsqrModule as unknown as { default?: JsQr }).default ?? jsqrModule) as unknown as JsQr;

/** Paints a matrix at `px` pixels per module with a 4-module quiet zone, as RGBA. */
function paint(qr: QrMatrix, px = 4): { rgba: Uint8ClampedArray; side: number } {
  const side = (qr.size + 8) * px;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let r = 0; r < qr.size; r++) {
    for (let c = 0; c < qr.size; c++) {
      if (!qr.dark[r * qr.size + c]) continue;
      for (let y = 0; y < px; y++)
        for (let x = 0; x < px; x++) rgba.fill(0, (((r + 4) * px + y) * side + (c + 4) * px + x) * 4, (((r + 4) * px + y) * side + (c + 4) * px + x) * 4 + 3);
    }
  }
  return { rgba, side };
}

// Seeded, so a payload that trips the encoder is the same payload on the next run.
const randomBytes = seededBytes('qr');
const randomDigits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const randomText = (n: number) => randomBytes(n).toString('base64').slice(0, n);

describe('QR encoder', () => {
  it('matches the qrcode package module for module, for every mask and for its mask choice, across versions and levels', () => {
    const cases: Array<{ segs: QrSegment[]; ecc: 'L' | 'M' }> = [];
    for (const n of [1, 20, 100, 300, 700, 1100, 1500, 2200])
      cases.push({
        segs: [
          { data: 'shc:/', mode: 'byte' },
          { data: randomDigits(n), mode: 'numeric' },
        ],
        ecc: 'L',
      });
    for (const n of [1, 50, 400, 900, 1400, 2000, 2900]) cases.push({ segs: [{ data: randomText(n), mode: 'byte' }], ecc: 'L' });
    for (const n of [10, 200, 800]) cases.push({ segs: [{ data: randomText(n), mode: 'byte' }], ecc: 'M' });
    const versions = new Set<number>();
    for (const { segs, ecc } of cases) {
      const auto = qrMatrix(segs, { ecc });
      const ref = QRCode.create(segs as QRCode.QRCodeSegment[], { errorCorrectionLevel: ecc });
      expect(auto.version).toBe(ref.version);
      expect(auto.mask).toBe(ref.maskPattern);
      expect(Buffer.from(auto.dark).equals(Buffer.from(ref.modules.data as Uint8Array))).toBe(true);
      versions.add(auto.version);
      for (let mask = 0; mask < 8; mask++) {
        const mine = qrMatrix(segs, { ecc, mask });
        const theirs = QRCode.create(segs as QRCode.QRCodeSegment[], {
          errorCorrectionLevel: ecc,
          version: mine.version,
          maskPattern: mask as QRCode.QRCodeMaskPattern,
        });
        expect(Buffer.from(mine.dark).equals(Buffer.from(theirs.modules.data as Uint8Array))).toBe(true);
      }
    }
    expect(versions.size).toBeGreaterThan(10);
    expect(Math.max(...versions)).toBeGreaterThanOrEqual(38);
  });

  it('produces symbols that a QR decoder reads back', () => {
    for (const n of [30, 600, 1180]) {
      const digits = randomDigits(n * 2);
      const qr = shcQrMatrix(digits);
      const { rgba, side } = paint(qr);
      expect(jsQR(rgba, side, side)?.data).toBe(`shc:/${digits}`);
    }
    const json = JSON.stringify({ data: { msg: randomText(1200) } });
    const qr = qrMatrix([{ data: json, mode: 'byte' }], { ecc: 'L' });
    const { rgba, side } = paint(qr);
    expect(jsQR(rgba, side, side)?.data).toBe(json);
  });

  it('refuses data over the version limit', () => {
    expect(() => shcQrMatrix(randomDigits(2400))).toThrow(RangeError);
  });

  it('covers exactly the dark modules with its rectangles', () => {
    const qr = qrMatrix([{ data: randomText(500), mode: 'byte' }], { ecc: 'L' });
    const seen = new Uint8Array(qr.dark.length);
    const rects = qrRectangles(qr);
    for (let i = 0; i < rects.length; i += 4) {
      const [c, r, w, h] = rects.slice(i, i + 4) as [number, number, number, number];
      for (let y = r; y < r + h; y++) for (let x = c; x < c + w; x++) seen[y * qr.size + x]! += 1;
    }
    expect(Buffer.from(seen).equals(Buffer.from(qr.dark))).toBe(true);
  });

  it('writes the form stream as a zlib stream of exactly the path operators', () => {
    const symbols = [...[1, 300, 1150, 2300].map((n) => shcQrMatrix(randomDigits(n))), qrMatrix([{ data: randomText(2900), mode: 'byte' }], { ecc: 'L' })];
    for (const qr of symbols) {
      const rects = qrRectangles(qr);
      const ops = pathOperators(rects);
      expect(ops.toString('latin1')).toMatch(/^0 g\n(\d{1,3} \d{1,3} \d{1,3} \d{1,3} re\n)+f$/);
      expect(inflateSync(qrPathStream(rects)).equals(ops)).toBe(true);
    }
    expect(inflateSync(qrPathStream([])).toString('latin1')).toBe('0 g\nf');
  });
});
