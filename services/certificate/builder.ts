import { systemClock, type Clock } from '../common/clock.js';
import { certificateRecordSchema, type CertificateRecord } from '../common/lgwan-contract.js';
import { contentDigest, type DocumentDigest } from './digest.js';
import { CertificateDataError } from './errors.js';
import { certificateDoses } from './latest-doses.js';
import { toKeyObject, type AnyPrivateKey } from './keys.js';
import { renderCertificatePdf } from './pdf/certificate-pdf.js';
import { loadCertificateFonts, type CertificateFonts } from './pdf/fonts.js';
import { renderReceiptPdf, type ReceiptInput } from './pdf/receipt-pdf.js';
import { qrMatrix, shcQrMatrix, type QrMatrix } from './qr/qr-matrix.js';
import { signShc, type ShcSigner } from './shc/sign-shc.js';
import { buildVdsData, signVdsNc, vdsQrContent, type VdsNc, type VdsSigner } from './vds/vds-nc.js';

/** Keys and settings of a builder; keys are injected, never read here. */
export interface CertificateBuilderOptions {
  /** SHC `iss`; verifiers fetch `<shcIssuerUrl>/.well-known/jwks.json`. */
  shcIssuerUrl: string;
  shcKey: { privateKey: AnyPrivateKey; kid: string };
  vdsSigner: { privateKey: AnyPrivateKey; certDer: Uint8Array };
  clock?: Clock;
  /** Parsed fonts to share between builders (parsed here when absent). */
  fonts?: CertificateFonts;
  /**
   * Print a line saying where the SHC keys are (`<shcIssuerUrl>/.well-known/jwks.json`) at the
   * foot of the first page. Off by default: real certificates carry no such hint.
   */
  verificationHint?: boolean;
}

/** What the holder sees, for kiosk confirmation screens (no passport number). */
export interface CertificatePreview {
  issuer: string;
  name: string;
  birthDate: string;
  doses: Array<{ dose: number; date: string; product: string; lot: string }>;
}

/** The signed codes of one certificate, without the document. */
export interface CertificateCodes {
  /** QR content `shc:/…`. */
  shc: string;
  shcQr: QrMatrix;
  vds?: VdsNc;
  vdsQr?: QrMatrix;
}

/** A built certificate. */
export interface BuiltCertificate {
  certificateId: string;
  pdf: Buffer;
  /** SHA-256 of `pdf`; `digest.header` is the `Content-Digest` value. */
  digest: DocumentDigest;
  pages: number;
  shc: string;
  vds?: VdsNc;
  preview: CertificatePreview;
}

/** Options of one build. */
export interface BuildOptions {
  copies?: number;
  /** SMART Health Cards `vc.rid`: base64url, at most 24 characters. */
  rid?: string;
}

/** Builds certificates and receipts; fixed work (fonts, keys) is done once at creation. */
export interface CertificateBuilder {
  /** `rid`: the SMART Health Card's revocation identifier (`vc.rid`). */
  build(record: CertificateRecord, options?: BuildOptions): Promise<BuiltCertificate>;
  /** Signs and encodes the QR codes only (no PDF). */
  codes(record: CertificateRecord, options?: Pick<BuildOptions, 'rid'>): CertificateCodes;
  buildReceipt(input: ReceiptInput): Promise<Buffer>;
}

/** A valid record with only the doses the certificate carries (latest-doses.ts), and whether some were left out. */
function validated(record: CertificateRecord): CertificateRecord & { latestOnly: boolean } {
  const parsed = certificateRecordSchema.safeParse(record);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') || 'record';
    throw new CertificateDataError(path, `Certificate record field ${path} is invalid`);
  }
  if (parsed.data.kind === 'overseas' && !parsed.data.person.passport) {
    throw new CertificateDataError('person.passport', 'Overseas certificate needs passport data');
  }
  const { doses, latestOnly } = certificateDoses(parsed.data);
  return { ...parsed.data, doses, latestOnly };
}

function previewOf(r: CertificateRecord): CertificatePreview {
  return {
    issuer: r.issuer.name,
    name: r.person.name,
    birthDate: r.person.birthDate,
    doses: r.doses.map((d) => ({ dose: d.dose, date: d.date, product: `${d.product}（${d.maker}）`, lot: d.lot })),
  };
}

/**
 * Creates a certificate builder. `build` turns a VRS record into the signed A4 certificate:
 * SMART Health Card on both kinds, ICAO VDS-NC on overseas ones, and the document digest.
 */
export function createCertificateBuilder(options: CertificateBuilderOptions): CertificateBuilder {
  if (!/^https:\/\//.test(options.shcIssuerUrl)) throw new TypeError('shcIssuerUrl must be an https URL');
  const clock = options.clock ?? systemClock;
  const fonts = options.fonts ?? loadCertificateFonts();
  const shcSigner: ShcSigner = {
    issuerUrl: options.shcIssuerUrl.replace(/\/$/, ''),
    privateKey: toKeyObject(options.shcKey.privateKey),
    kid: options.shcKey.kid,
  };
  const vdsSigner: VdsSigner = { privateKey: toKeyObject(options.vdsSigner.privateKey), certDer: options.vdsSigner.certDer };

  function codesOf(record: CertificateRecord, rid?: string): CertificateCodes {
    const shc = signShc(record, shcSigner, clock.now(), rid);
    const shcQr = shcQrMatrix(shc.digits);
    if (record.kind !== 'overseas') return { shc: shc.content, shcQr };
    const vds = signVdsNc(buildVdsData(record), vdsSigner);
    let vdsQr: QrMatrix;
    try {
      vdsQr = qrMatrix([{ data: vdsQrContent(vds), mode: 'byte' }], { ecc: 'L', maxVersion: 40 });
    } catch {
      throw new CertificateDataError('doses', 'Too much data for the VDS-NC QR code');
    }
    return { shc: shc.content, shcQr, vds, vdsQr };
  }

  return {
    codes(record, opts = {}) {
      return codesOf(validated(record), opts.rid);
    },
    async build(record, opts = {}) {
      const copies = opts.copies ?? 1;
      if (!Number.isInteger(copies) || copies < 1 || copies > 5) throw new TypeError('copies must be 1–5');
      const r = validated(record);
      const codes = codesOf(r, opts.rid);
      const { pdf, pages } = await renderCertificatePdf(fonts, clock, {
        record: r,
        latestOnly: r.latestOnly,
        shcQr: codes.shcQr,
        vdsQr: codes.vdsQr,
        shcIssuerUrl: shcSigner.issuerUrl,
        copies,
        verificationHint: options.verificationHint === true,
      });
      return {
        certificateId: r.certificateId,
        pdf,
        digest: contentDigest(pdf),
        pages,
        shc: codes.shc,
        ...(codes.vds ? { vds: codes.vds } : {}),
        preview: previewOf(r),
      };
    },
    buildReceipt(input) {
      return renderReceiptPdf(fonts, clock, input);
    },
  };
}
