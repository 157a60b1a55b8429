import { existsSync, readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { pkiPaths } from '../../common/pki-paths.js';
import { VerifyError } from '../errors.js';
import { parsePemCertificates } from '../keys.js';
import { crossCheck } from './cross-check.js';
import { readPdfCodes } from './read-pdf-codes.js';
import { verifyShc, type JwksLike, type ShcVerification } from './verify-shc.js';
import type { RevocationSource } from './revocation-check.js';
import { verifyVdsNc, type VdsVerification } from './verify-vds.js';

/** Trust anchors; each is loaded only when the input needs it. */
export interface VerifierTrust {
  jwks: () => JwksLike;
  cscas: () => X509Certificate[];
  /** Revocation lists, when the verifier checks them (online or saved). */
  revocations?: RevocationSource;
}

/** Trust from files: `--jwks` / `--csca` or `certs/out/trust/` by default. */
export function fileTrust(files: { jwks?: string; csca?: string } = {}): VerifierTrust {
  const paths = pkiPaths();
  const read = (file: string, what: string): string => {
    if (!existsSync(file)) throw new VerifyError('trust', `${what} not found at ${file} (run npm run certs, or pass a file)`);
    return readFileSync(file, 'utf8');
  };
  return {
    jwks: () => JSON.parse(read(files.jwks ?? paths.shcJwks, 'SHC issuer JWKS')) as JwksLike,
    cscas: () => parsePemCertificates(read(files.csca ?? paths.vdsCsca, 'VDS-NC CSCA certificate')),
  };
}

/** The outcome of verifying a PDF, an SHC or a VDS-NC. `ok` only when every check holds. */
export interface VerificationReport {
  ok: boolean;
  source: 'pdf' | 'shc' | 'vds';
  shc: ShcVerification[];
  vds: VdsVerification[];
  /** Certificate ID printed on the pages (PDF only). */
  certificateId?: string;
  pages?: number;
  problems: string[];
  warnings: string[];
  /** Why a code is revoked (its issuer published it so). */
  revoked: string[];
  /** Whether revocation lists were consulted for every code. */
  revocationChecked: boolean;
}

type Input = { kind: 'pdf'; bytes: Uint8Array } | { kind: 'shc'; text: string } | { kind: 'vds'; text: string };

/** Classifies raw input: PDF bytes, `shc:/…` text or VDS-NC JSON. */
export function classifyInput(bytes: Uint8Array): Input {
  if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return { kind: 'pdf', bytes };
  const text = Buffer.from(bytes).toString('utf8').trim();
  if (text.startsWith('shc:/')) return { kind: 'shc', text };
  if (text.startsWith('{')) return { kind: 'vds', text };
  throw new VerifyError('input', 'input is neither a PDF, an shc:/ code nor VDS-NC JSON');
}

async function verifyCode(code: string, trust: VerifierTrust, now: Date, report: VerificationReport): Promise<void> {
  try {
    if (code.startsWith('shc:/')) report.shc.push(await verifyShc(code, { jwks: trust.jwks(), now }));
    else if (code.trim().startsWith('{')) report.vds.push(verifyVdsNc(code, { cscas: trust.cscas(), now }));
    else report.problems.push('a QR code is neither SHC nor VDS-NC');
  } catch (e) {
    report.problems.push(e instanceof VerifyError ? `${e.check}: ${e.message}` : `verification failed: ${(e as Error).message}`);
  }
}

/**
 * Verifies a certificate PDF (reading the QR codes off its pages), an `shc:/` code or a VDS-NC
 * JSON: signatures against the trust anchors, the VDS-NC signer chain, that the two codes agree,
 * and on PDFs that every page carries the certificate ID.
 */
export async function verifyInput(bytes: Uint8Array, trust: VerifierTrust, now = new Date()): Promise<VerificationReport> {
  const input = classifyInput(bytes);
  const report: VerificationReport = { ok: false, source: input.kind, shc: [], vds: [], problems: [], warnings: [], revoked: [], revocationChecked: false };
  if (input.kind === 'shc' || input.kind === 'vds') {
    await verifyCode(input.text, trust, now, report);
  } else {
    const pages = readPdfCodes(input.bytes);
    report.pages = pages.length;
    const id = /Certificate ID:\s*([A-Z0-9]{1,12})/.exec(pages[0]?.text ?? '')?.[1];
    if (id === undefined) report.problems.push('no certificate ID on page 1');
    else {
      report.certificateId = id;
      pages.forEach((p) => {
        if (!p.text.includes(id)) report.problems.push(`page ${p.page} does not carry the certificate ID`);
      });
    }
    const codes = [...new Set(pages.flatMap((p) => p.codes))];
    if (!codes.some((c) => c.startsWith('shc:/'))) report.problems.push('no SMART Health Card QR code found');
    for (const code of codes) await verifyCode(code, trust, now, report);
    for (const v of report.vds) if (id !== undefined && v.data.msg.uvci !== id) report.problems.push('VDS-NC uvci differs from the printed certificate ID');
  }
  for (const s of report.shc) for (const v of report.vds) report.problems.push(...crossCheck(s, v));
  report.warnings.push(...report.shc.flatMap((s) => s.warnings), ...report.vds.flatMap((v) => v.warnings));
  if (trust.revocations) await checkRevocations(trust.revocations, report);
  report.ok = report.problems.length === 0 && report.revoked.length === 0 && report.shc.length + report.vds.length > 0;
  return report;
}

/** Looks every verified code up in its issuer's revocation list. */
async function checkRevocations(source: RevocationSource, report: VerificationReport): Promise<void> {
  let all = true;
  try {
    for (const s of report.shc) {
      if (s.rid === undefined) continue;
      const rids = await source.shcRids(s.issuer, s.kid);
      if (rids === undefined) all = false;
      else if (rids.has(s.rid)) report.revoked.push(`SMART Health Card rid ${s.rid} is on the issuer's CRL`);
    }
    for (const v of report.vds) {
      const issuer = report.shc[0]?.issuer;
      const uvcis = issuer === undefined ? undefined : await source.vdsUvcis(issuer);
      if (uvcis === undefined) all = false;
      else if (uvcis.has(v.data.msg.uvci)) report.revoked.push(`VDS-NC uvci ${v.data.msg.uvci} is on the revocation list`);
    }
  } catch (e) {
    report.problems.push(e instanceof VerifyError ? `${e.check}: ${e.message}` : `revocation check failed: ${(e as Error).message}`);
    return;
  }
  report.revocationChecked = all;
  if (!all) report.warnings.push('no revocation list known for some code: its revocation was not checked');
}
