import { join, resolve } from 'node:path';

/**
 * The layout of `certs/out/` (PROTOCOL.md, "Demo material"). Every service finds its keys here or
 * at a path given in its environment; nothing else knows these file names.
 */
export function pkiPaths(root: string = process.env.PKI_DIR ?? resolve('certs/out')) {
  const trust = join(root, 'trust');
  const priv = join(root, 'private');
  return {
    root,
    trust,
    /** Array of { keyId, publicKeyPem } of trusted card issuer CAs. */
    cardIssuerTrust: join(trust, 'card-issuer.json'),
    kioskCa: join(trust, 'kiosk-ca.pem'),
    kioskCrl: join(trust, 'kiosk-ca.crl.pem'),
    serverCa: join(trust, 'server-ca.pem'),
    /** CA of LGWAN client certificates (the relay's certificate towards VRS). */
    lgwanCa: join(trust, 'lgwan-ca.pem'),
    shcJwks: join(trust, 'shc-jwks.json'),
    vdsCsca: join(trust, 'vds-csca.pem'),
    kiosksDir: join(root, 'kiosks'),
    /**
     * A kiosk's identity: cert.pem, key.pem (PKCS#8), and the same as a PKCS#12 file for vendors
     * (identity.p12: certificate, kiosk CA, key) with its generated password (identity.p12.pass, 0600).
     */
    kiosk: (kioskId: string) => ({
      cert: join(root, 'kiosks', kioskId, 'cert.pem'),
      key: join(root, 'kiosks', kioskId, 'key.pem'),
      p12: join(root, 'kiosks', kioskId, 'identity.p12'),
      p12Password: join(root, 'kiosks', kioskId, 'identity.p12.pass'),
    }),
    /** Server certificates (SAN localhost, 127.0.0.1) for 'relay' and 'vrs'. */
    server: (name: 'relay' | 'vrs') => ({ cert: join(root, 'servers', name, 'cert.pem'), key: join(root, 'servers', name, 'key.pem') }),
    /** The relay's LGWAN client certificate towards VRS. */
    relayLgwanClient: { cert: join(root, 'clients', 'relay-lgwan', 'cert.pem'), key: join(root, 'clients', 'relay-lgwan', 'key.pem') },
    cardsDir: join(root, 'cards'),
    private: priv,
    /**
     * Private keys of the test PKI's CAs (PKCS#8 PEM), kept so that `npm run certs` can renew an
     * expiring certificate under the same CA and keys (certs/pki/renew.ts). No service reads them.
     */
    caKey: (name: CaName) => join(priv, 'ca', `${name}.pem`),
    /** Card issuer CA: key.pem (PKCS#8), key-id.txt (hex). */
    cardIssuer: { key: join(priv, 'card-issuer', 'key.pem'), keyId: join(priv, 'card-issuer', 'key-id.txt') },
    /** SMART Health Card issuer: key.pem (PKCS#8 P-256), chain.pem (issuer, CA, root), issuer.json ({ issuerUrl, kid }). */
    shcIssuer: { key: join(priv, 'shc', 'key.pem'), chain: join(root, 'shc', 'chain.pem'), meta: join(root, 'shc', 'issuer.json') },
    /** ICAO VDS-NC barcode signer: key.pem (PKCS#8 P-256), cert.pem. */
    vdsSigner: { key: join(priv, 'vds', 'key.pem'), cert: join(root, 'vds', 'signer-cert.pem') },
    /** VRS master key (32 bytes hex) wrapping per-municipality data keys, and the My Number HMAC key. */
    vrsMasterKey: join(priv, 'vrs', 'master.key'),
    vrsLookupKey: join(priv, 'vrs', 'lookup.key'),
    /** Relay key (32 bytes hex) encrypting session data at rest in the one-time store. */
    relayStoreKey: join(priv, 'relay', 'store.key'),
    /** Card key-IDs (hex) on the lost/stolen card suspension list, one per line. */
    cardSuspensionList: join(root, 'relay', 'card-suspensions.txt'),
  };
}

export type PkiPaths = ReturnType<typeof pkiPaths>;

/** The CAs of the test PKI whose keys the generator keeps. */
export type CaName = 'server-ca' | 'lgwan-ca' | 'kiosk-ca' | 'shc-root' | 'shc-ca' | 'vds-csca';
