import { encodeQr, type QrMatrix } from './qr-encoder.js';

export type { QrMatrix, QrSegment } from './qr-encoder.js';
export { encodeQr as qrMatrix } from './qr-encoder.js';

/** The QR code of a SMART Health Card: byte-mode `shc:/`, numeric-mode digits, ECC L, version ≤ 22. */
export function shcQrMatrix(digits: string): QrMatrix {
  return encodeQr(
    [
      { data: 'shc:/', mode: 'byte' },
      { data: digits, mode: 'numeric' },
    ],
    { ecc: 'L', maxVersion: 22 },
  );
}
