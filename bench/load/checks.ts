import { createHash } from 'node:crypto';
import { fileTrust, verifyInput, type VerifierTrust } from '../../services/certificate/verify/verify-input.js';
import type { LoadCard } from './card-pool.js';

/** What a kiosk received for one request (steps 4 and 5). */
export interface ReceivedDocument {
  /** The step-4 answer. */
  created: {
    requestId: string;
    fee: number;
    copies: number;
    pages: number;
    preview: { issuer: string; name: string; birthDate: string; doses: Array<{ dose: number; date: string; lot: string }> };
  };
  pdf: Buffer;
  headers: { contentDigest?: string; certificateId?: string };
  kind: 'domestic' | 'overseas';
}

const digestOf = (pdf: Buffer) => `sha-256=:${createHash('sha256').update(pdf).digest('base64')}:`;

/**
 * The cheap checks of every document against the holder whose card opened the session: the
 * preview (name, birth date, each dose's date and lot) is the holder's, the body's SHA-256 is the
 * `Content-Digest` the relay announced, the document is a PDF with a certificate ID. Returns the
 * problems (empty = the document is the holder's as far as the cheap checks see).
 */
export function checkDocument(holder: LoadCard, doc: ReceivedDocument): string[] {
  const problems: string[] = [];
  const r = holder.resident;
  const p = doc.created.preview;
  if (p.name !== holder.name) problems.push("preview name is not the holder's");
  if (p.birthDate !== r.birthDate) problems.push("preview birth date is not the holder's");
  const lots = (xs: Array<{ date: string; lot: string }>) =>
    xs
      .map((d) => `${d.date}/${d.lot}`)
      .sort()
      .join(',');
  if (lots(p.doses) !== lots(r.doses)) problems.push("preview doses are not the holder's");
  if (doc.headers.contentDigest !== digestOf(doc.pdf)) problems.push('document digest differs from its Content-Digest');
  if (!doc.headers.certificateId || !/^[A-Z0-9]{1,12}$/.test(doc.headers.certificateId)) problems.push('document has no Certificate-Id');
  if (doc.pdf.subarray(0, 5).toString('latin1') !== '%PDF-') problems.push('document is not a PDF');
  return problems;
}

let trust: VerifierTrust | undefined;

/**
 * The deep check: reads the QR codes off the PDF's pages and verifies them (SHC signature under
 * the issuer JWKS; VDS-NC under the CSCA chain; the two agree; every page carries the certificate
 * ID), then compares what the codes say with the holder: kanji name, birth date, dose lots, the
 * certificate ID of the header, and on overseas documents the passport name. Slow (renders the
 * pages), so speed runs do it for a sample, after the timed window.
 */
export async function decodeAndCheck(holder: LoadCard, doc: ReceivedDocument): Promise<string[]> {
  trust ??= fileTrust();
  const r = holder.resident;
  const report = await verifyInput(new Uint8Array(doc.pdf), trust);
  const problems = report.problems.map((p) => `verify: ${p}`);
  if (report.certificateId !== doc.headers.certificateId) problems.push('printed certificate ID differs from the Certificate-Id header');
  const shc = report.shc[0];
  if (!shc) problems.push('no SMART Health Card decoded');
  else {
    const names = [shc.patient, ...shc.otherNames];
    if (!names.some((n) => n.family === r.familyName && n.given[0] === r.givenName)) problems.push("SHC name is not the holder's");
    if (shc.patient.birthDate !== r.birthDate) problems.push("SHC birth date is not the holder's");
    const shcLots = shc.immunizations
      .map((i) => i.lot ?? '')
      .sort()
      .join(',');
    if (
      shcLots !==
      r.doses
        .map((d) => d.lot)
        .sort()
        .join(',')
    )
      problems.push("SHC doses are not the holder's");
  }
  if (doc.kind === 'overseas') {
    const vds = report.vds[0];
    if (!vds) problems.push('no VDS-NC decoded on an overseas certificate');
    else {
      const norm = (s: string) =>
        s
          .toUpperCase()
          .replace(/[\s<,]+/g, ' ')
          .trim();
      if (norm(vds.data.msg.pid.n) !== norm(r.passport?.nameRoman ?? '')) problems.push("VDS-NC name is not the holder's passport name");
      if (vds.data.msg.uvci !== doc.headers.certificateId) problems.push('VDS-NC uvci differs from the Certificate-Id header');
    }
  }
  return problems;
}
