import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import { ClientCertificateError, KioskCertificateError } from './errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** CA(s) that client certificates must chain to. */
  ca: string | string[];
  /** Optional CRL(s) of revoked client certificates. */
  crl?: string | string[];
}

export function readTlsFiles(paths: { cert: string; key: string; ca: string | string[]; crl?: string }): TlsMaterial {
  const read = (p: string) => readFileSync(p, 'utf8');
  return {
    cert: read(paths.cert),
    key: read(paths.key),
    ca: Array.isArray(paths.ca) ? paths.ca.map(read) : read(paths.ca),
    ...(paths.crl ? { crl: read(paths.crl) } : {}),
  };
}

/**
 * An HTTPS server requiring a client certificate from `ca`. The handshake itself refuses unknown
 * or revoked certificates (`rejectUnauthorized`); `requireClient` then reads the identity.
 */
export function createMtlsServer(tls: TlsMaterial, handler: RequestListener): https.Server {
  return https.createServer(
    { cert: tls.cert, key: tls.key, ca: tls.ca, crl: tls.crl, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    handler,
  );
}

export interface ClientIdentity {
  /** Subject CN (kiosk ID, or the client's name). */
  cn: string;
  /** Subject OU (store ID for kiosks). */
  ou: string | undefined;
  /** Certificate serial number (hex). */
  serial: string;
}

/**
 * Identities read so far, by TLS socket: a connection's peer certificate is fixed by its
 * handshake, so it is read (getPeerCertificate builds a large object) once per connection, not
 * once per request on a keep-alive connection. Weak keys: an entry goes with its socket.
 * `null` records a connection without a verified identity.
 */
const identities = new WeakMap<object, ClientIdentity | null>();

/**
 * The verified peer certificate's identity, or undefined when the connection has none. Read once
 * per connection, then the same (frozen) object for each of its requests.
 */
export function peerIdentity(socket: unknown): ClientIdentity | undefined {
  const tls = socket as TLSSocket;
  if (typeof tls?.getPeerCertificate !== 'function') return undefined;
  const known = identities.get(tls);
  if (known !== undefined) return known ?? undefined;
  // Before the handshake has finished nothing is known yet: nothing is remembered either.
  if (!tls.authorized) return undefined;
  const id = readIdentity(tls);
  identities.set(tls, id ?? null);
  return id;
}

function readIdentity(tls: TLSSocket): ClientIdentity | undefined {
  const cert = tls.getPeerCertificate();
  if (!cert || !cert.subject) return undefined;
  const pick = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const cn = pick(cert.subject.CN);
  if (!cn) return undefined;
  return Object.freeze({ cn, ou: pick(cert.subject.OU), serial: cert.serialNumber });
}

/**
 * Express middleware: requires a verified client certificate, optionally checks it, and stores the
 * identity in `res.locals.client`. Tests that use supertest without TLS inject an identity through
 * `identify` instead.
 */
export function requireClient(options: {
  code: 'ERR_KIOSK' | 'ERR_CLIENT_CERT';
  accept?: (id: ClientIdentity) => boolean;
  identify?: (req: Parameters<RequestHandler>[0]) => ClientIdentity | undefined;
}): RequestHandler {
  return (req, res, next) => {
    const id = options.identify ? options.identify(req) : peerIdentity(req.socket);
    if (!id || (options.accept && !options.accept(id))) {
      next(options.code === 'ERR_KIOSK' ? new KioskCertificateError() : new ClientCertificateError());
      return;
    }
    res.locals.client = id;
    next();
  };
}
