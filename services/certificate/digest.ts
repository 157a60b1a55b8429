import { createHash } from 'node:crypto';

/** SHA-256 of a document in the three forms callers need. */
export interface DocumentDigest {
  hex: string;
  base64: string;
  /** RFC 9530 `Content-Digest` value: `sha-256=:<base64>:`. */
  header: string;
}

/** Digest of a document's exact bytes. */
export function contentDigest(buf: Uint8Array): DocumentDigest {
  const raw = createHash('sha256').update(buf).digest();
  const base64 = raw.toString('base64');
  return { hex: raw.toString('hex'), base64, header: `sha-256=:${base64}:` };
}

/** The RFC 9530 `Content-Digest` header value of a document: `sha-256=:<base64>:`. */
export function contentDigestHeader(buf: Uint8Array): string {
  return contentDigest(buf).header;
}
