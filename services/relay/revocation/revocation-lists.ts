import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RevocationList } from '../books/books.js';

/** A SMART Health Cards revocation list, served at `<issuer>/.well-known/crl/<kid>.json`. */
export interface ShcCrl {
  kid: string;
  method: 'rid';
  /** Equals the JWKS key's `crlVersion`; rises with each revocation. */
  ctr: number;
  rids: string[];
}

/** The SHC CRL of one key. */
export function shcCrl(kid: string, list: RevocationList): ShcCrl {
  return { kid, method: 'rid', ctr: list.ctr, rids: list.ids };
}

/**
 * The VDS-NC revocation list of one barcode signer, shaped like a VDS-NC itself: `data` signed
 * with ES256 over its RFC 8785 canonical JSON by the barcode signer whose certificate is in
 * `sig.cer`, so a verifier checks it with the same CSCA chain as the barcodes.
 */
export interface VdsRevocationList {
  data: { t: 'icao.vacc.revocations'; v: 1; is: string; signer: string; ctr: number; uvci: string[] };
  sig: { alg: 'ES256'; cer: string; sigvl: string };
}

/** Signs the revocation list of a barcode signer. */
export function signVdsRevocations(list: RevocationList, signer: { id: string; privateKey: KeyObject; certDer: Uint8Array }): VdsRevocationList {
  const data: VdsRevocationList['data'] = {
    t: 'icao.vacc.revocations',
    v: 1,
    is: 'JPN',
    signer: signer.id,
    ctr: list.ctr,
    uvci: list.ids,
  };
  const sig = cryptoSign('sha256', Buffer.from(canonicalize(data)!), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' });
  return { data, sig: { alg: 'ES256', cer: Buffer.from(signer.certDer).toString('base64url'), sigvl: sig.toString('base64url') } };
}
