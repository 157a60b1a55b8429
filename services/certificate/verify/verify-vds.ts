import { verify as cryptoVerify, X509Certificate } from 'node:crypto';
import canonicalize from 'canonicalize';
import { VerifyError } from '../errors.js';
import { VDS_LIMITS } from '../vds/limits.js';
import type { VdsData } from '../vds/vds-nc.js';

/** Extended key usage of a VDS-NC Barcode Signer certificate (ICAO TR VDS-NC). */
export const VDS_SIGNER_EKU = '2.23.136.1.1.14.2';

/** What a verified VDS-NC says. */
export interface VdsVerification {
  data: VdsData;
  signer: { subject: string; issuer: string; validTo: string };
  warnings: string[];
}

function parse(input: string | object): { data: VdsData; sig: { alg?: unknown; cer?: unknown; sigvl?: unknown } } {
  let obj: unknown = input;
  if (typeof input === 'string') {
    try {
      obj = JSON.parse(input);
    } catch (e) {
      throw new VerifyError('vds-format', 'VDS-NC is not JSON', e);
    }
  }
  const o = obj as { data?: VdsData; sig?: Record<string, unknown> };
  if (!o || typeof o !== 'object' || !o.data || !o.sig) throw new VerifyError('vds-format', 'VDS-NC needs data and sig');
  const hdr = o.data.hdr as { t?: unknown; v?: unknown; is?: unknown } | undefined;
  if (hdr?.t !== 'icao.vacc' || hdr.v !== 1) throw new VerifyError('vds-format', 'VDS-NC is not an icao.vacc version 1 message');
  const msg = o.data.msg as Partial<VdsData['msg']> | undefined;
  if (!msg?.pid || !Array.isArray(msg.ve)) throw new VerifyError('vds-format', 'VDS-NC message lacks pid or ve');
  return { data: o.data, sig: o.sig };
}

function limitWarnings(data: VdsData): string[] {
  const out: string[] = [];
  const over = (field: keyof typeof VDS_LIMITS, v: unknown) => {
    if (v !== undefined && [...String(v)].length > VDS_LIMITS[field]) out.push(`${field} exceeds ${VDS_LIMITS[field]} characters`);
  };
  over('uvci', data.msg.uvci);
  over('pid.n', data.msg.pid.n);
  over('pid.i', data.msg.pid.i);
  for (const ve of data.msg.ve) {
    over('ve.des', ve.des);
    over('ve.nam', ve.nam);
    over('ve.dis', ve.dis);
    for (const vd of ve.vd ?? []) {
      over('ve.vd.adm', vd.adm);
      over('ve.vd.lot', vd.lot);
      over('ve.vd.ctr', vd.ctr);
    }
  }
  return out;
}

const dn = (name: string): string => name.replace(/\n/g, ', ');

/**
 * The signer chains to no CSCA in the trust list: says what is known without it (whether the
 * signature over the canonical message holds under the signer certificate's own key, who the signer
 * and its issuer are) and which CSCA would settle it.
 */
function untrustedSigner(signer: X509Certificate, signatureOk: boolean): VerifyError {
  const sig = signatureOk
    ? "the signature over the canonical message is valid under the signer certificate's key"
    : "the signature over the canonical message does NOT verify under the signer certificate's key";
  return new VerifyError(
    'vds-chain',
    `VDS-NC signer certificate does not chain to a trusted CSCA: ${sig}; signer "${dn(signer.subject)}", issued by "${dn(signer.issuer)}", ` +
      `which is not in the trust list: add the CSCA "${dn(signer.issuer)}" (npm run verify: --csca FILE, a PEM file holding it) to trust this code`,
  );
}

/**
 * Verifies an ICAO VDS-NC (`icao.vacc`): the Barcode Signer certificate chains to one of the CSCA
 * certificates and carries the VDS-NC signer EKU, and `sig.sigvl` is a valid ES256 (raw r‖s)
 * signature over the RFC 8785 canonical JSON of `data`. Throws VerifyError naming the failed check.
 */
export function verifyVdsNc(input: string | object, options: { cscas: X509Certificate[]; now?: Date }): VdsVerification {
  const now = options.now ?? new Date();
  const { data, sig } = parse(input);
  if (sig.alg !== 'ES256') throw new VerifyError('vds-format', 'VDS-NC sig.alg must be ES256');
  if (typeof sig.cer !== 'string' || typeof sig.sigvl !== 'string') throw new VerifyError('vds-format', 'VDS-NC sig lacks cer or sigvl');
  let signer: X509Certificate;
  try {
    signer = new X509Certificate(Buffer.from(sig.cer, 'base64url'));
  } catch (e) {
    throw new VerifyError('vds-certificate', 'VDS-NC sig.cer is not a certificate', e);
  }
  const canonical = canonicalize(data);
  const signatureOk =
    canonical !== undefined &&
    cryptoVerify('sha256', Buffer.from(canonical), { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig.sigvl, 'base64url'));
  const csca = options.cscas.find((c) => signer.checkIssued(c) && signer.verify(c.publicKey));
  if (!csca) throw untrustedSigner(signer, signatureOk);
  if (!(signer.keyUsage ?? []).includes(VDS_SIGNER_EKU)) throw new VerifyError('vds-eku', 'VDS-NC signer certificate lacks the barcode signer EKU');
  const warnings: string[] = [];
  if (now > new Date(signer.validTo)) warnings.push(`VDS-NC signer certificate expired ${signer.validTo}`);
  if (now > new Date(csca.validTo)) warnings.push(`CSCA certificate expired ${csca.validTo}`);
  if (!signatureOk) throw new VerifyError('vds-signature', 'VDS-NC signature does not verify');
  if (data.hdr.is !== 'JPN') warnings.push(`issuing country is ${String(data.hdr.is)}`);
  warnings.push(...limitWarnings(data));
  return { data, signer: { subject: dn(signer.subject), issuer: dn(signer.issuer), validTo: signer.validTo }, warnings };
}
