/**
 * The certificate service: VRS record → signed, printable vaccination certificate
 * (新型コロナウイルス感染症予防接種証明書), its receipt, the published SHC keys, and a verifier.
 */
export {
  createCertificateBuilder,
  type BuiltCertificate,
  type CertificateBuilder,
  type CertificateBuilderOptions,
  type CertificateCodes,
  type CertificatePreview,
} from './builder.js';
export { contentDigest, contentDigestHeader, type DocumentDigest } from './digest.js';
export { CertificateDataError, VerifyError } from './errors.js';
export { loadCertificateKeys, parsePemCertificates, toKeyObject, type CertificateKeys } from './keys.js';
export { loadCertificateFonts, type CertificateFonts } from './pdf/fonts.js';
export type { ReceiptInput } from './pdf/receipt-pdf.js';
export { buildPublicJwks, shcKeyId, type PublicJwks } from './shc/jwks.js';
export { jwksRouter } from './shc/jwks-router.js';
export { VDS_LIMITS } from './vds/limits.js';
export type { VdsNc, VdsData } from './vds/vds-nc.js';
export { certificateDoses, LATEST_FIVE_FROM, LATEST_FIVE_NOTE } from './latest-doses.js';
export { unknownProducts, VACCINE_CATALOGUE, vaccineOf, type CatalogueEntry, type VaccineInfo } from './vaccines.js';
