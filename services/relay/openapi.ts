import { z } from 'zod';
import {
  cardAcceptedSchema,
  cardDataSchema,
  certificateRequestBodySchema,
  completionBodySchema,
  completionResultSchema,
  idSchema,
  menuMunicipalitySchema,
  previewSchema,
  problemSchema,
  receiptSchema,
  requestCreatedSchema,
  serviceStatusSchema,
  sessionCreatedSchema,
} from '../common/kiosk-protocol.js';

type Json = Record<string, unknown>;

/** The named schemas, published under components.schemas and referenced from the paths. */
const NAMED = {
  ServiceStatus: serviceStatusSchema,
  SessionCreated: sessionCreatedSchema,
  CardData: cardDataSchema,
  MenuMunicipality: menuMunicipalitySchema,
  CardAccepted: cardAcceptedSchema,
  CertificateRequestBody: certificateRequestBodySchema,
  Preview: previewSchema,
  RequestCreated: requestCreatedSchema,
  CompletionBody: completionBodySchema,
  Receipt: receiptSchema,
  CompletionResult: completionResultSchema,
  Problem: problemSchema,
} as const;

function components(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Json>;
  };
  const schemas: Record<string, Json> = {};
  for (const [id, s] of Object.entries(out.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s;
    schemas[id] = rest;
  }
  return schemas;
}

const schemaOf = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

const ref = (s: z.ZodType): Json => {
  const id = Object.entries(NAMED).find(([, v]) => v === s)?.[0];
  if (!id) throw new TypeError('schema is not named in the OpenAPI document');
  return { $ref: `#/components/schemas/${id}` };
};

const json = (s: z.ZodType) => ({ 'application/json': { schema: ref(s) } });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const sid = { name: 'sid', in: 'path', required: true, schema: schemaOf(idSchema) };
const rid = { name: 'rid', in: 'path', required: true, schema: schemaOf(idSchema) };
/** 503 of steps 2–4: also ERR_BUSY (admission control) with Retry-After; nothing of the session consumed. */
const busy = (others: string) => ({
  ...problem(`${others}; or ERR_BUSY: the relay is at its work limit, try the same step again after Retry-After (nothing of the session was consumed)`),
  headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 }, description: 'Seconds to wait before trying again (sent with ERR_BUSY)' } },
});
/** ERR_BAD_REQUEST of a body that does not match its schema (422 ERR_BAD_REQUEST at step 6 is paid below the fee: both statuses since v1). */
const badRequest = problem(
  'ERR_BAD_REQUEST: the body does not match the schema; `fields` lists the field paths and `issues` `[{ field, rule }]` (the rule each broke), never a value',
);
/** ERR_UPSTREAM keeps both statuses kiosks have seen since v1: 502 VRS answered outside the contract, 503 VRS or the session store cannot be reached (try again shortly). */
const upstream502 = problem('ERR_UPSTREAM: VRS answered outside the LGWAN contract');
const UPSTREAM_503 = 'ERR_UPSTREAM: VRS or the session store cannot be reached, try again shortly';
const common = { '403': problem('ERR_KIOSK: no accepted kiosk client certificate'), '413': problem('ERR_BODY_TOO_LARGE'), default: problem('Any other error') };

/**
 * The kiosk ↔ relay protocol (PROTOCOL.md) as OpenAPI 3.1, built from the zod schemas the routes
 * validate with. Served at `/openapi.json`.
 */
export function buildOpenApi(options: { serverUrl?: string } = {}): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Certificate center (証明書交付センター) kiosk API',
      version: '1.0.0',
      description: 'Kiosk ↔ relay protocol v1. Mutual TLS: every /v1 route needs a kiosk client certificate (CN kiosk ID, OU store ID).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: options.serverUrl ?? 'https://localhost:8443' }],
    components: {
      schemas: components(),
      securitySchemes: { kioskCertificate: { type: 'mutualTLS', description: 'Client certificate from the kiosk CA' } },
    },
    security: [{ kioskCertificate: [] }],
    paths: {
      '/v1/service': {
        get: {
          operationId: 'getService',
          summary: 'Service hours and whether the service is open now (JST)',
          responses: { '200': { description: 'Status', content: json(serviceStatusSchema) }, ...common },
        },
      },
      '/v1/sessions': {
        post: {
          operationId: 'openSession',
          summary: 'Open a session; returns a fresh 32-byte challenge for the card',
          responses: { '201': { description: 'Session opened', content: json(sessionCreatedSchema) }, '503': busy('ERR_SERVICE_CLOSED'), ...common },
        },
      },
      '/issuer/.well-known/jwks.json': {
        get: {
          operationId: 'issuerJwks',
          summary: 'SMART Health Card issuer keys (public, no client certificate; under the SHC issuer URL, default https://localhost:8443/issuer)',
          description:
            'Each key carries `crlVersion` (= its CRL `ctr`) once it has revocations. Cache-Control max-age=60 and an ETag (If-None-Match answers 304).',
          responses: { '200': { description: 'The JWKS' }, '304': { description: 'Not modified' } },
        },
      },
      '/issuer/.well-known/crl/{kid}.json': {
        get: {
          operationId: 'issuerCrl',
          summary: 'SMART Health Cards revocation list of one key: { kid, method: "rid", ctr, rids }',
          parameters: [{ name: 'kid', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The CRL' }, '304': { description: 'Not modified' }, '404': problem('ERR_NOT_FOUND: no such key') },
        },
      },
      '/issuer/.well-known/vds-nc-revocations.json': {
        get: {
          operationId: 'vdsRevocations',
          summary:
            'Revoked VDS-NC uvcis, signed by the barcode signer: { data: { t: "icao.vacc.revocations", v, is, signer, ctr, uvci }, sig: { alg, cer, sigvl } }',
          responses: { '200': { description: 'The signed list' }, '304': { description: 'Not modified' } },
        },
      },
      '/v1/sessions/{sid}': {
        delete: {
          operationId: 'endSession',
          summary: 'Cancel an open request (released; revoked if served), then erase everything the session holds',
          parameters: [sid],
          responses: { '204': { description: 'Erased' }, '404': problem('ERR_SESSION_NOT_FOUND'), ...common },
        },
      },
      '/v1/sessions/{sid}/card': {
        post: {
          operationId: 'submitCard',
          summary: 'Card data (EF0001–EF0004, EF0007) and the challenge signature, base64',
          parameters: [sid],
          requestBody: { required: true, content: json(cardDataSchema) },
          responses: {
            '200': { description: 'Card accepted; the menu', content: json(cardAcceptedSchema) },
            '400': badRequest,
            '404': problem('ERR_SESSION_NOT_FOUND, ERR_NO_RECORDS'),
            '409': problem('ERR_SESSION_STATE'),
            '422': problem('ERR_CARD_FORMAT, ERR_CARD_SIGNATURE, ERR_CARD_CHAIN, ERR_CARD_CHALLENGE, ERR_CARD_SUSPENDED'),
            '502': upstream502,
            '503': busy(UPSTREAM_503),
            '504': problem('ERR_UPSTREAM_TIMEOUT'),
            ...common,
          },
        },
      },
      '/v1/sessions/{sid}/requests': {
        post: {
          operationId: 'requestCertificate',
          summary: 'Build a certificate for the chosen municipality and kind',
          parameters: [sid],
          requestBody: { required: true, content: json(certificateRequestBodySchema) },
          responses: {
            '201': { description: 'Certificate ready; preview for the confirmation screen', content: json(requestCreatedSchema) },
            '400': badRequest,
            '404': problem('ERR_SESSION_NOT_FOUND, ERR_NO_RECORDS'),
            '409': problem(
              'ERR_SESSION_STATE (no accepted card, or the session has completed its purchase); ERR_REQUEST_OPEN: a served request of this session is not completed yet. A new request before the document is served replaces the open one (cancelled, its reservation released)',
            ),
            '429': problem('ERR_REQUEST_LIMIT: the session has made its limit of requests (default 10)'),
            '422': problem('ERR_MUNICIPALITY_UNAVAILABLE, ERR_NO_PASSPORT_ON_FILE, ERR_NOT_ISSUABLE, ERR_COPIES, ERR_CERTIFICATE_DATA'),
            '502': upstream502,
            '503': busy(UPSTREAM_503),
            '504': problem('ERR_UPSTREAM_TIMEOUT'),
            ...common,
          },
        },
      },
      '/v1/sessions/{sid}/requests/{rid}/document': {
        get: {
          operationId: 'getDocument',
          summary: 'The printable PDF, served once',
          parameters: [sid, rid],
          responses: {
            '200': {
              description: 'The document',
              headers: {
                'Content-Digest': { schema: { type: 'string' }, description: 'sha-256=:<base64>: (RFC 9530)' },
                'Certificate-Id': { schema: { type: 'string' }, description: 'The certificate ID on every page' },
              },
              content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } },
            },
            '404': problem('ERR_SESSION_NOT_FOUND, ERR_REQUEST_NOT_FOUND'),
            '410': problem('ERR_CONSUMED: already served, expired, or the request was closed (then `outcome` names how)'),
            ...common,
          },
        },
      },
      '/v1/sessions/{sid}/requests/{rid}/completion': {
        post: {
          operationId: 'complete',
          summary: 'Report printed, failed or cancelled; decided once, idempotent',
          parameters: [sid, rid],
          description:
            'The first completion decides the outcome, in one atomic step across every relay process. A repeat with exactly the same body answers the same receipt; any other body answers 409 ERR_COMPLETION_CONFLICT with the outcome and receipt the books hold, and changes nothing. A served document completed failed or cancelled is revoked (its SMART Health Card rid on the CRL, its VDS-NC uvci on the revocation list).',
          requestBody: { required: true, content: json(completionBodySchema) },
          responses: {
            '200': { description: 'The receipt (the same on every repeat of the same body) and the outcome held', content: json(completionResultSchema) },
            '400': badRequest,
            '404': problem('ERR_SESSION_NOT_FOUND, ERR_REQUEST_NOT_FOUND'),
            '409': problem(
              'ERR_SESSION_STATE (printed before the document was served); ERR_COMPLETION_CONFLICT: already completed otherwise (extras `outcome`, `receipt`)',
            ),
            '422': problem('ERR_DIGEST_MISMATCH; ERR_BAD_REQUEST: paid below the fee (ERR_BAD_REQUEST keeps 400 and this 422, as since v1)'),
            ...common,
          },
        },
      },
    },
  };
}
