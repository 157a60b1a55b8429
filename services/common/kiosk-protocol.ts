import { z } from 'zod';
import type { ErrorCode } from './errors.js';

/**
 * The kiosk protocol (PROTOCOL.md v1): the schemas and types of the kiosk ↔ certificate center
 * contract, as `lgwan-contract.ts` is for relay ↔ VRS. The relay's routes validate requests with
 * these, `/openapi.json` is generated from the same objects (so the document cannot drift), and
 * the kiosk protocol client (`kiosk-client.ts`) types its answers with them.
 */

const base64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'standard base64');
/** 128-bit random identifiers, base64url. */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/)
  .meta({ description: '128-bit random identifier (base64url)' });

export const serviceStatusSchema = z.object({
  open: z.boolean(),
  hours: z.string().meta({ example: '06:30-23:00' }),
  now: z.string().meta({ description: 'Now in JST, ISO 8601 with +09:00' }),
});

export const sessionCreatedSchema = z.object({
  sessionId: idSchema,
  challenge: z.string().meta({ description: '32 random bytes, base64' }),
  expiresAt: z.string(),
});
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;
export type SessionCreated = z.infer<typeof sessionCreatedSchema>;

/** Raw card bytes, base64 (each file is well under 2 kB). */
export const cardDataSchema = z
  .object({
    ef0001: base64(4096),
    ef0002: base64(4096),
    ef0003: base64(4096),
    ef0004: base64(4096),
    ef0007: base64(4096),
    challengeSignature: base64(1024),
  })
  .strict();
export type CardDataBody = z.infer<typeof cardDataSchema>;

export const menuMunicipalitySchema = z.object({
  code: z.string().regex(/^\d{6}$/),
  name: z.string(),
  domestic: z.boolean(),
  overseas: z.boolean(),
  unavailableReason: z
    .enum(['not_participating', 'suspended', 'not_issuable', 'no_passport_on_file'])
    .optional()
    .meta({ description: 'Why domestic (or, when only overseas is false, overseas) cannot be issued' }),
  overseasDetail: z.enum(['no_passport_on_file', 'no_counter_issuance', 'passport_changed']).optional().meta({
    description:
      'Added in issue 18, with unavailableReason no_passport_on_file: no_passport_on_file (none on file); no_counter_issuance (no overseas certificate issued at a municipal counter or in the app on or after 2022-07-21); passport_changed (the latest such issuance has another passport number than the one on file). The resident goes to the counter first',
  }),
  contact: z
    .object({
      office: z.string().meta({ description: 'Office to ask, e.g. 高岡市 健康増進課' }),
      phone: z.string().meta({ description: 'Telephone, e.g. 0766-20-1234' }),
    })
    .optional()
    .meta({ description: "Added in issue 18: the municipality's 問合せ先, for the refusal screens" }),
});
export type MenuMunicipality = z.infer<typeof menuMunicipalitySchema>;

export const cardAcceptedSchema = z.object({
  holder: z.object({ name: z.string(), birthDate: z.string() }),
  municipalities: z.array(menuMunicipalitySchema),
  feePerCopy: z.number().int(),
});
export type CardAccepted = z.infer<typeof cardAcceptedSchema>;

export const certificateRequestBodySchema = z
  .object({
    municipality: z.string().regex(/^\d{6}$/),
    kind: z.enum(['domestic', 'overseas']),
    copies: z.number().int().min(1).max(5),
  })
  .strict();
export type CertificateRequestBody = z.infer<typeof certificateRequestBodySchema>;
/** What a kiosk asks for (the same two kinds as the LGWAN contract's). */
export type CertificateKind = CertificateRequestBody['kind'];

export const previewSchema = z.object({
  issuer: z.string(),
  name: z.string(),
  birthDate: z.string(),
  doses: z.array(z.object({ dose: z.number().int(), date: z.string(), product: z.string(), lot: z.string() })),
});

export const requestCreatedSchema = z.object({
  requestId: idSchema,
  fee: z.number().int(),
  copies: z.number().int(),
  pages: z.number().int(),
  preview: previewSchema,
  expiresAt: z.string(),
});
export type RequestCreated = z.infer<typeof requestCreatedSchema>;

export const completionBodySchema = z
  .object({
    outcome: z.enum(['printed', 'failed', 'cancelled']),
    paid: z.number().int().min(0).max(100_000),
    contentDigest: z.string().max(200).optional().meta({ description: 'The Content-Digest of the served document (sha-256=:…:); required for printed' }),
  })
  .strict();
export type CompletionBody = z.infer<typeof completionBodySchema>;

export const receiptSchema = z.object({
  copies: z.number().int(),
  fee: z.number().int(),
  paid: z.number().int(),
  change: z.number().int(),
  issuedAt: z.string(),
  kioskId: z.string(),
  storeId: z.string(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const completionResultSchema = z.object({
  receipt: receiptSchema,
  /** The outcome the books hold (added in issue 14). */
  outcome: z.enum(['printed', 'failed', 'cancelled']).optional(),
});
export type CompletionResult = z.infer<typeof completionResultSchema>;
export type CompletionOutcome = CompletionBody['outcome'];

/** Every code the relay answers with. */
export const RELAY_ERROR_CODES = [
  'ERR_BAD_REQUEST',
  'ERR_BODY_TOO_LARGE',
  'ERR_NOT_FOUND',
  'ERR_KIOSK',
  'ERR_SERVICE_CLOSED',
  'ERR_SESSION_NOT_FOUND',
  'ERR_SESSION_STATE',
  'ERR_REQUEST_NOT_FOUND',
  'ERR_CONSUMED',
  'ERR_CARD_FORMAT',
  'ERR_CARD_SIGNATURE',
  'ERR_CARD_CHAIN',
  'ERR_CARD_CHALLENGE',
  'ERR_CARD_SUSPENDED',
  'ERR_NO_RECORDS',
  'ERR_MUNICIPALITY_UNAVAILABLE',
  'ERR_NO_PASSPORT_ON_FILE',
  'ERR_NOT_ISSUABLE',
  'ERR_COPIES',
  'ERR_DIGEST_MISMATCH',
  'ERR_UPSTREAM',
  'ERR_UPSTREAM_TIMEOUT',
  'ERR_CERTIFICATE_DATA',
  'ERR_INTERNAL',
  'ERR_BUSY',
  'ERR_REQUEST_OPEN',
  'ERR_REQUEST_LIMIT',
  'ERR_COMPLETION_CONFLICT',
] as const satisfies readonly ErrorCode[];

export const problemSchema = z
  .object({
    type: z.string(),
    code: z.enum(RELAY_ERROR_CODES),
    status: z.number().int(),
    title: z.string(),
    detail: z.string(),
    instance: z.string().meta({ description: 'The request id' }),
    /** ERR_BAD_REQUEST of a body outside its schema: the distinct field paths (`(body)` for the body itself). */
    fields: z.array(z.string()).optional().meta({ description: 'ERR_BAD_REQUEST: the field paths that failed validation (never their values)' }),
    /** ERR_BAD_REQUEST: each failed rule (added in issue 16; the same shape in every service). */
    issues: z
      .array(z.object({ field: z.string(), rule: z.string() }))
      .optional()
      .meta({ description: 'ERR_BAD_REQUEST: each field path with the rule it broke (zod issue code), never a value' }),
    overseasDetail: z
      .enum(['no_passport_on_file', 'no_counter_issuance', 'passport_changed'])
      .optional()
      .meta({ description: "ERR_NO_PASSPORT_ON_FILE (added in issue 18): which overseas rule refused, as in the menu entry's overseasDetail" }),
  })
  .loose();
