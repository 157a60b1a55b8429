import QRCode from 'qrcode';

/** A QR symbol as a square of dark (true) and light modules, without quiet zone. */
export interface QrMatrix {
  size: number;
  version: number;
  /** Row-major, `size * size` entries. */
  dark: Uint8Array;
}

/** A QR data segment with its encoding mode. */
export type QrSegment = { data: string; mode: 'byte' | 'numeric' | 'alphanumeric' };

/**
 * Computes a QR matrix from explicit segments (e.g. byte `shc:/` then numeric digits).
 * `maxVersion` refuses symbols too dense for the intended print size.
 */
export function qrMatrix(segments: QrSegment[], options: { ecc: 'L' | 'M' | 'Q' | 'H'; maxVersion?: number }): QrMatrix {
  const qr = QRCode.create(segments as QRCode.QRCodeSegment[], { errorCorrectionLevel: options.ecc });
  if (options.maxVersion !== undefined && qr.version > options.maxVersion) {
    throw new RangeError(`QR version ${qr.version} exceeds ${options.maxVersion}`);
  }
  const size = qr.modules.size;
  return { size, version: qr.version, dark: Uint8Array.from(qr.modules.data as ArrayLike<number>) };
}

/** The QR code of a SMART Health Card: byte-mode `shc:/`, numeric-mode digits, ECC L, version ≤ 22. */
export function shcQrMatrix(digits: string): QrMatrix {
  return qrMatrix([{ data: 'shc:/', mode: 'byte' }, { data: digits, mode: 'numeric' }], { ecc: 'L', maxVersion: 22 });
}
