import * as asn1js from 'asn1js';
import type { PkiPaths } from '../../services/common/pki-paths.js';
import { createRootCa, issueCert, privateKeyPem, x509 } from './x509-issue.js';
import { writeCaKey, writeFileSafe } from '../generate.js';

/** ICAO 9303-12 / VDS-NC: extended key usage of a Barcode Signer for proof of vaccination. */
export const VDS_NC_EKU_VACCINATION = '2.23.136.1.1.14.2';
/** ICAO 9303-12 Document Type List extension. */
export const ICAO_DOCUMENT_TYPE_EXT = '2.23.136.1.1.6.2';

/** DocumentTypeList ::= SEQUENCE { version INTEGER (v0), docTypeList SET OF PrintableString } */
export function documentTypeListExtension(types: string[]): x509.Extension {
  const value = new asn1js.Sequence({
    value: [new asn1js.Integer({ value: 0 }), new asn1js.Set({ value: types.map((t) => new asn1js.PrintableString({ value: t })) })],
  });
  return new x509.Extension(ICAO_DOCUMENT_TYPE_EXT, false, value.toBER(false));
}

/**
 * The ICAO VDS-NC CSCA for country JPN and its Barcode Signer (P-256) for proof-of-vaccination
 * seals ("NV").
 */
export async function writeVdsSigner(p: PkiPaths): Promise<void> {
  const csca = await createRootCa('CN=Konbini Sim CSCA Japan, O=Konbini Simulator, C=JP', { years: 15 });
  await writeCaKey(p, 'vds-csca', csca);
  const signer = await issueCert({
    name: 'CN=Konbini Sim Barcode Signer NV, O=Konbini Simulator, C=JP',
    issuer: csca,
    years: 3,
    extendedKeyUsage: [VDS_NC_EKU_VACCINATION],
    extra: [documentTypeListExtension(['NV'])],
  });
  await writeFileSafe(p.vdsSigner.key, await privateKeyPem(signer.keys.privateKey), true);
  await writeFileSafe(p.vdsSigner.cert, signer.cert.toString('pem') + '\n');
  await writeFileSafe(p.vdsCsca, csca.cert.toString('pem') + '\n');
}
