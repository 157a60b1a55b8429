import { createPublicKey, X509Certificate } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { compactVerify, importJWK, type JWK } from 'jose';
import { VerifyError } from '../errors.js';
import { fromShcNumeric } from '../shc/numeric.js';

/** A JWKS as read from a file or URL (keys may carry `x5c`). */
export interface JwksLike {
  keys: Array<JWK & { kid?: string; x5c?: string[] }>;
}

/** One dose as the SHC states it. */
export interface ShcImmunization {
  cvx: string;
  date: string;
  lot?: string;
  performer?: string;
}

/** What a verified SMART Health Card says. */
export interface ShcVerification {
  issuer: string;
  kid: string;
  /** Seconds since the epoch (may be fractional in cards issued by others). */
  nbf?: number;
  types: string[];
  patient: { family: string; given: string[]; birthDate: string };
  /** Other names on the Patient (overseas cards carry romanized, then kanji). */
  otherNames: Array<{ family: string; given: string[] }>;
  immunizations: ShcImmunization[];
  /** `vc.rid`, the revocation identifier, when the card has one. */
  rid?: string;
  /** Non-fatal findings (expired issuer certificate, non-minified payload …). */
  warnings: string[];
}

const asArray = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function parseHeader(jws: string): { kid: string; zip?: string; alg: string } {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new VerifyError('shc-format', 'SHC is not a compact JWS');
  try {
    return JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
  } catch (e) {
    throw new VerifyError('shc-format', 'SHC JWS header is not JSON', e);
  }
}

function checkX5c(x5c: string[], jwk: JWK, iss: string, now: Date, warnings: string[]): void {
  const certs = x5c.map((b) => new X509Certificate(Buffer.from(b, 'base64')));
  const leafJwk = createPublicKey(certs[0]!.publicKey.export({ format: 'pem', type: 'spki' })).export({ format: 'jwk' });
  if (leafJwk.x !== jwk.x || leafJwk.y !== jwk.y) throw new VerifyError('shc-x5c', 'x5c issuer certificate does not hold the JWK');
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i]!.verify(certs[i + 1]!.publicKey)) throw new VerifyError('shc-x5c', `x5c certificate ${i} is not signed by certificate ${i + 1}`);
  }
  certs.forEach((c, i) => {
    if (now > new Date(c.validTo) || now < new Date(c.validFrom)) {
      warnings.push(`x5c certificate ${i} (${c.subject.replace(/\n/g, ', ')}) is outside its validity (${c.validFrom} – ${c.validTo})`);
    }
  });
  const uris = (certs[0]!.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4).replace(/\/$/, ''));
  if (uris.length > 0 && !uris.includes(iss.replace(/\/$/, ''))) {
    throw new VerifyError('shc-issuer', 'SHC iss does not match the issuer named in the x5c certificate');
  }
}

/** The `iss` a card claims, read without verifying it (undefined when the payload does not read). */
function claimedIssuer(jws: string, zip: string | undefined): string | undefined {
  try {
    const raw = Buffer.from(jws.split('.')[1]!, 'base64url');
    const iss = (JSON.parse((zip === 'DEF' ? inflateRawSync(raw) : raw).toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** No key of the JWKS has the card's kid: names the kid, the issuer the card claims and the key set to give. */
function unknownKey(jws: string, header: { kid: string; zip?: string }): VerifyError {
  const iss = claimedIssuer(jws, header.zip);
  const where =
    iss === undefined
      ? 'the card names no readable issuer'
      : `the card names the issuer ${iss} (unverified): give its key set, published at ${iss.replace(/\/$/, '')}/.well-known/jwks.json (npm run verify: --jwks FILE)`;
  return new VerifyError(
    'shc-key',
    `no key in the JWKS has the SHC kid ${String(header.kid)}: the signing key is unknown, so the signature cannot be checked; ${where}`,
  );
}

/**
 * Verifies a SMART Health Card (`shc:/…` QR content or the JWS): ES256 signature with the key of
 * `kid` from the JWKS, raw-DEFLATE payload, FHIR Bundle with a Patient and Immunizations. Strict in
 * what matters (signature, issuer, structure), tolerant in form (whitespace, fractional `nbf`);
 * an expired x5c certificate is a warning. Throws VerifyError naming the failed check.
 */
export async function verifyShc(input: string, options: { jwks: JwksLike; now?: Date; expectedIssuer?: string }): Promise<ShcVerification> {
  const now = options.now ?? new Date();
  const warnings: string[] = [];
  let jws: string;
  try {
    jws = input.trim().startsWith('shc:/') ? fromShcNumeric(input) : input.trim();
  } catch (e) {
    throw new VerifyError('shc-format', `SHC QR content is malformed: ${(e as Error).message}`, e);
  }
  const header = parseHeader(jws);
  if (header.alg !== 'ES256') throw new VerifyError('shc-header', 'SHC alg must be ES256');
  const jwk = options.jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw unknownKey(jws, header);
  let raw: Uint8Array;
  try {
    const key = await importJWK({ ...jwk, alg: 'ES256' }, 'ES256');
    raw = (await compactVerify(jws, key, { algorithms: ['ES256'] })).payload;
  } catch (e) {
    throw new VerifyError('shc-signature', 'SHC signature does not verify', e);
  }
  let payload: { iss?: unknown; nbf?: unknown; vc?: { type?: unknown; rid?: unknown; credentialSubject?: { fhirBundle?: { entry?: unknown } } } };
  try {
    const text = (header.zip === 'DEF' ? inflateRawSync(raw) : Buffer.from(raw)).toString('utf8');
    payload = JSON.parse(text);
    if (JSON.stringify(payload) !== text) warnings.push('payload JSON is not minified');
  } catch (e) {
    throw new VerifyError('shc-payload', 'SHC payload does not inflate to JSON', e);
  }
  if (typeof payload.iss !== 'string') throw new VerifyError('shc-payload', 'SHC payload has no iss');
  if (options.expectedIssuer && payload.iss.replace(/\/$/, '') !== options.expectedIssuer.replace(/\/$/, '')) {
    throw new VerifyError('shc-issuer', 'SHC iss is not the expected issuer');
  }
  if (jwk.x5c && jwk.x5c.length > 0) checkX5c(jwk.x5c, jwk, payload.iss, now, warnings);
  const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined;
  if (nbf !== undefined && !Number.isInteger(nbf)) warnings.push('nbf is fractional');
  if (nbf !== undefined && nbf * 1000 > now.getTime() + 5 * 60_000) warnings.push('nbf is in the future');
  const types = asArray(payload.vc?.type);
  if (!types.includes('https://smarthealth.cards#health-card')) throw new VerifyError('shc-payload', 'vc.type lacks health-card');
  const entries = payload.vc?.credentialSubject?.fhirBundle?.entry;
  if (!Array.isArray(entries)) throw new VerifyError('shc-fhir', 'SHC has no FHIR Bundle entries');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- FHIR resources are read and checked field by field below
  const resources = entries.map((e: { resource?: Record<string, any> }) => e.resource ?? {});
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (!patient) throw new VerifyError('shc-fhir', 'SHC Bundle has no Patient');
  const names = (Array.isArray(patient.name) ? patient.name : []).map((n: Record<string, unknown>) => ({
    family: String(n.family ?? ''),
    given: asArray(n.given),
  }));
  if (names.length === 0) throw new VerifyError('shc-fhir', 'SHC Patient has no name');
  const immunizations: ShcImmunization[] = resources
    .filter((r) => r.resourceType === 'Immunization')
    .map((r) => ({
      cvx: String(r.vaccineCode?.coding?.find((c: { system?: string }) => c.system === 'http://hl7.org/fhir/sid/cvx')?.code ?? ''),
      date: String(r.occurrenceDateTime ?? ''),
      ...(r.lotNumber !== undefined ? { lot: String(r.lotNumber) } : {}),
      ...(r.performer?.[0]?.actor?.display !== undefined ? { performer: String(r.performer[0].actor.display) } : {}),
    }));
  if (immunizations.length === 0) throw new VerifyError('shc-fhir', 'SHC Bundle has no Immunization');
  const rid = payload.vc?.rid;
  if (rid !== undefined && (typeof rid !== 'string' || !/^[A-Za-z0-9_-]{1,24}$/.test(rid)))
    throw new VerifyError('shc-payload', 'vc.rid is not 1–24 base64url characters');
  return {
    issuer: payload.iss,
    kid: header.kid,
    ...(nbf !== undefined ? { nbf } : {}),
    ...(rid !== undefined ? { rid: rid as string } : {}),
    types,
    patient: { ...names[0]!, birthDate: String(patient.birthDate ?? '') },
    otherNames: names.slice(1),
    immunizations,
    warnings,
  };
}
