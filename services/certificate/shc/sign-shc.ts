import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { CertificateRecord } from '../../common/lgwan-contract.js';
import { CertificateDataError } from '../errors.js';
import { buildFhirBundle } from './fhir-bundle.js';
import { SHC_PREFIX, toShcNumeric } from './numeric.js';

/** The SHC JWS limit for one QR code (version 22, ECC L) in the SMART Health Cards spec. */
export const SHC_MAX_SINGLE_JWS = 1195;

/** `vc.type` of a COVID-19 immunization health card. */
export const SHC_VC_TYPES = ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization', 'https://smarthealth.cards#covid19'] as const;

/** The SHC issuer: URL, P-256 private key and its RFC 7638 thumbprint. */
export interface ShcSigner {
  issuerUrl: string;
  privateKey: KeyObject;
  kid: string;
}

/** A signed SMART Health Card. */
export interface SignedShc {
  jws: string;
  /** QR content: `shc:/` + numeric digits. */
  content: string;
  /** The numeric part alone (for a numeric QR segment). */
  digits: string;
}

/**
 * Signs a record as a SMART Health Card: minified JWT payload, raw DEFLATE, ES256 compact JWS with
 * the raw r‖s signature. With `rid`, the card carries `vc.rid` (revocation). Refuses a card too
 * large for a single QR code.
 */
export function signShc(record: CertificateRecord, signer: ShcSigner, now: Date, rid?: string): SignedShc {
  if (rid !== undefined && !/^[A-Za-z0-9_-]{1,24}$/.test(rid)) throw new TypeError('rid is 1–24 base64url characters');
  const payload = {
    iss: signer.issuerUrl,
    nbf: Math.floor(now.getTime() / 1000),
    vc: {
      type: SHC_VC_TYPES,
      credentialSubject: { fhirVersion: '4.0.1', fhirBundle: buildFhirBundle(record) },
      // SMART Health Cards revocation: the issuer's CRL lists this rid once the card is revoked.
      ...(rid !== undefined ? { rid } : {}),
    },
  };
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', zip: 'DEF', kid: signer.kid })).toString('base64url');
  const body = deflateRawSync(Buffer.from(JSON.stringify(payload)), { level: 9 }).toString('base64url');
  const input = `${header}.${body}`;
  const sig = cryptoSign('sha256', Buffer.from(input), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  const jws = `${input}.${sig.toString('base64url')}`;
  if (jws.length > SHC_MAX_SINGLE_JWS) {
    throw new CertificateDataError('doses', 'Too much data for a single SMART Health Card QR code');
  }
  const digits = toShcNumeric(jws);
  return { jws, content: SHC_PREFIX + digits, digits };
}
