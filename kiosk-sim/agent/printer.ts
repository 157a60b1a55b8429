import { createHash, randomBytes } from 'node:crypto';

/** A sheet set lying in the output tray. */
export interface TrayItem {
  id: string;
  kind: 'certificate' | 'receipt';
  fileName: string;
  pdf: Buffer;
}

export class PrintError extends Error {
  override name = 'PrintError';
  constructor(
    readonly code: 'ERR_DIGEST_MISMATCH' | 'ERR_PRINTER',
    message: string,
  ) {
    super(message);
  }
}

/** Parses an RFC 9530 `Content-Digest` header and returns the sha-256 value (base64), if any. */
export function sha256FromContentDigest(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/=]+):/.exec(header);
  return m?.[1];
}

export function contentDigestOf(pdf: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(pdf).digest('base64')}:`;
}

/**
 * The printer. It checks the document against its Content-Digest before printing (ARCHITECTURE
 * invariant 2) and "prints" into the output tray, which keeps the PDF only until the resident takes
 * it or the tray is cleared. A maintenance switch makes the next job jam, to exercise refunds.
 */
export class Printer {
  #tray: TrayItem[] = [];
  #jamNext = false;

  get tray(): readonly TrayItem[] {
    return this.#tray;
  }

  /** Makes the next print job fail (maintenance test mode). */
  set jamNext(on: boolean) {
    this.#jamNext = on;
  }
  get jamNext(): boolean {
    return this.#jamNext;
  }

  /** Verifies the digest; throws PrintError when it is missing or does not match. */
  check(pdf: Buffer, contentDigest: string | undefined): string {
    const expected = sha256FromContentDigest(contentDigest);
    if (!expected) throw new PrintError('ERR_DIGEST_MISMATCH', 'document came without a sha-256 Content-Digest');
    const actual = createHash('sha256').update(pdf).digest('base64');
    if (actual !== expected) throw new PrintError('ERR_DIGEST_MISMATCH', 'document does not match its Content-Digest');
    if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new PrintError('ERR_PRINTER', 'document is not a PDF');
    return contentDigestOf(pdf);
  }

  print(kind: TrayItem['kind'], fileName: string, pdf: Buffer): TrayItem {
    if (this.#jamNext) {
      this.#jamNext = false;
      throw new PrintError('ERR_PRINTER', 'paper jam');
    }
    const item: TrayItem = { id: randomBytes(16).toString('hex'), kind, fileName, pdf: Buffer.from(pdf) };
    this.#tray.push(item);
    return item;
  }

  item(id: string): TrayItem | undefined {
    return this.#tray.find((i) => i.id === id);
  }

  /** The resident takes everything from the tray: the kiosk keeps no copy. */
  clearTray(): number {
    const n = this.#tray.length;
    for (const item of this.#tray) item.pdf.fill(0);
    this.#tray = [];
    return n;
  }
}
