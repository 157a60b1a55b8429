/**
 * A kiosk identity (certificate, CA certificate and private key) as a password-protected PKCS#12
 * file, for kiosk vendors whose software or keystores import `.p12` rather than PEM. Written with
 * pkijs, which builds PFX structures for any key WebCrypto holds (the kiosk keys are P-256;
 * node-forge's PKCS#12 writer takes only RSA keys). Key and certificates are encrypted with PBES2
 * (PBKDF2-HMAC-SHA-256, AES-256-CBC), the whole file is authenticated with HMAC-SHA-256: what
 * `openssl pkcs12` 3.x writes by default, and reads without `-legacy`.
 */
import { createHash, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** PBKDF2 iterations for the key and the certificates (OpenSSL 3 writes 2048; NIST SP 800-132 asks more). */
const ITERATIONS = 100_000;
/**
 * Iterations of the MAC's key derivation (RFC 7292's own KDF, which pkijs runs in JavaScript, one
 * digest call per round: 100 000 took 0.2 s a file). 2048 is what OpenSSL 3 writes; the MAC guards
 * integrity, the encryption above guards the key.
 */
const MAC_ITERATIONS = 2048;

const OID = {
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
} as const;

/** A new random PKCS#12 password (24 bytes, base64url: 32 characters, printable for every tool). */
export function newPkcs12Password(): string {
  return randomBytes(24).toString('base64url');
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * The DER of a PKCS#12 file holding `certPem` (with `friendlyName` and a localKeyID, so that tools
 * pair it with the key), the key `keyPem` (PKCS#8) and the `chainPem` certificates after it.
 */
export async function pkcs12Der(options: { certPem: string; keyPem: string; chainPem?: string[]; password: string; friendlyName: string }): Promise<Buffer> {
  const crypto = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const leafDer = der(options.certPem);
  const keyDer = createPrivateKey(options.keyPem).export({ type: 'pkcs8', format: 'der' });
  const password = toArrayBuffer(Buffer.from(options.password, 'utf8'));
  const localKeyId = createHash('sha1').update(leafDer).digest();
  const attributes = () => [
    new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(localKeyId) })] }),
    new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: options.friendlyName })] }),
  ];
  const certBag = (bytes: Buffer, attrs?: pkijs.Attribute[]) =>
    new pkijs.SafeBag({
      bagId: OID.certBag,
      bagValue: new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(toArrayBuffer(bytes)) }),
      ...(attrs ? { bagAttributes: attrs } : {}),
    });
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(keyDer)) });
  // pkijs draws a random IV for each encryption itself (its type asks for one it does not use)
  const aes = { name: 'AES-CBC', length: 256 } as pkijs.ContentEncryptionAlgorithm;
  const pbes2 = { password, contentEncryptionAlgorithm: aes, hmacHashAlgorithm: 'SHA-256', iterationCount: ITERATIONS };
  await keyBag.makeInternalValues(pbes2, crypto);
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0, // password-based (HMAC)
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            // the key bag is itself encrypted (PKCS8ShroudedKeyBag): its SafeContents is plain data
            {
              privacyMode: 0,
              value: new pkijs.SafeContents({
                safeBags: [new pkijs.SafeBag({ bagId: OID.pkcs8ShroudedKeyBag, bagValue: keyBag, bagAttributes: attributes() })],
              }),
            },
            // the certificates in password-encrypted data
            {
              privacyMode: 1,
              value: new pkijs.SafeContents({ safeBags: [certBag(leafDer, attributes()), ...(options.chainPem ?? []).map((c) => certBag(der(c)))] }),
            },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}, pbes2] }, crypto);
  await pfx.makeInternalValues({ password, iterations: MAC_ITERATIONS, pbkdf2HashAlgorithm: { name: 'SHA-256' }, hmacHashAlgorithm: 'SHA-256' }, crypto);
  return Buffer.from(pfx.toSchema().toBER(false));
}

/** The first certificate (DER) of a PKCS#12 file written by pkcs12Der, after checking its MAC with `password`. */
export async function pkcs12Certificate(der: Uint8Array, password: string): Promise<Buffer> {
  const crypto = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
  const pw = toArrayBuffer(Buffer.from(password, 'utf8'));
  const pfx = pkijs.PFX.fromBER(toArrayBuffer(der));
  await pfx.parseInternalValues({ password: pw, checkIntegrity: true }, crypto);
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new Error('PKCS#12: no authenticated safe');
  await safe.parseInternalValues({ safeContents: [{}, { password: pw }] }, crypto);
  for (const contents of safe.parsedValue?.safeContents ?? []) {
    for (const bag of (contents.value as pkijs.SafeContents).safeBags) {
      if (bag.bagId === OID.certBag) return Buffer.from((bag.bagValue as pkijs.CertBag).parsedValue.toSchema().toBER(false));
    }
  }
  throw new Error('PKCS#12: no certificate');
}
