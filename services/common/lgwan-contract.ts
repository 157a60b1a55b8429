import { z } from 'zod';

/**
 * The relay ↔ VRS contract over LGWAN (mTLS; only the relay's LGWAN client certificate is accepted).
 * Both sides validate with these schemas; neither imports the other's code. Every error is RFC 9457
 * problem+json with an `ERR_…` code, as on the kiosk side.
 *
 * | method and path                 | body → answer |
 * |---------------------------------|---------------|
 * | POST /lgwan/v1/holders/lookup   | LookupRequest → LookupResponse (404 ERR_NO_RECORDS when none) |
 * | POST /lgwan/v1/certificates     | CertificateRequest → 201 CertificateRecord; 404 ERR_NO_RECORDS, 422 ERR_MUNICIPALITY_UNAVAILABLE / ERR_NO_PASSPORT_ON_FILE (with `overseasDetail`) / ERR_NOT_ISSUABLE |
 * | POST /lgwan/v1/completions      | CompletionNotice → CompletionAck (idempotent by certificateId); 409 ERR_RESERVATION_STATE when released |
 * | POST /lgwan/v1/releases         | ReleaseNotice → ReleaseAck (idempotent by certificateId); 409 ERR_RESERVATION_STATE when issued |
 * | POST /lgwan/v1/issuances/query  | IssuanceQuery → IssuanceQueryAnswer: every municipality's issuances of a period, no personal data |
 * | GET  /lgwan/v1/health           | → { ok: true } |
 *
 * My Number travels only in request bodies (never in a URL), so it never reaches an access log.
 */

export const myNumberSchema = z.string().regex(/^\d{12}$/, 'My Number is 12 digits');
export const municipalityCodeSchema = z.string().regex(/^\d{6}$/, '自治体コード is 6 digits');
export const certificateKindSchema = z.enum(['domestic', 'overseas']);
export type CertificateKind = z.infer<typeof certificateKindSchema>;
/** YYYY-MM-DD */
export const isoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const lookupRequestSchema = z.object({ myNumber: myNumberSchema }).strict();
export type LookupRequest = z.infer<typeof lookupRequestSchema>;

/** Why a municipality holding records cannot issue at a kiosk (kiosk screens explain each). */
export const unavailableReasonSchema = z.enum(['not_participating', 'suspended', 'not_issuable']);

/**
 * Why overseas cannot be issued at a kiosk while domestic can (issue 18; the kiosk's screen says
 * which): `no_passport_on_file`; `no_counter_issuance`, no overseas certificate issued at a
 * municipal counter or in the app on or after 2022-07-21; `passport_changed`, the latest such
 * issuance has another passport number than the one on file. A first-time applicant or a new
 * passport goes to the counter first.
 */
export const overseasDetailSchema = z.enum(['no_passport_on_file', 'no_counter_issuance', 'passport_changed']);
export type OverseasDetail = z.infer<typeof overseasDetailSchema>;

/** The first day from which a counter or app issuance gives its passport data to kiosk issuance. */
export const OVERSEAS_SOURCE_FROM = '2022-07-21';

/** 問合せ先 of a municipality: whom a resident asks about a refusal (office name and telephone). */
export const contactSchema = z.object({
  /** e.g. "高岡市 健康増進課" */
  office: z.string().min(1).max(100),
  /** Japanese telephone number with hyphens, e.g. "0766-20-1234". */
  phone: z.string().min(1).max(20),
});
export type Contact = z.infer<typeof contactSchema>;

export const lookupMunicipalitySchema = z.object({
  code: municipalityCodeSchema,
  name: z.string(),
  /** Takes part in the kiosk (コンビニ交付) service. */
  participates: z.boolean(),
  /** Has suspended its kiosk service by notice. */
  suspended: z.boolean(),
  /** A domestic certificate can be issued now. */
  domestic: z.boolean(),
  /** An overseas certificate can be issued now (needs passport data on file). */
  overseas: z.boolean(),
  /** Set when neither can be issued. */
  unavailableReason: unavailableReasonSchema.optional(),
  /** Set when domestic is possible but overseas is not (always this one value; `overseasDetail` says more). */
  overseasUnavailableReason: z.enum(['no_passport_on_file']).optional(),
  /** Added in issue 18: set with `overseasUnavailableReason`, which of the overseas rules stops it. */
  overseasDetail: overseasDetailSchema.optional(),
  /** Added in issue 18: the municipality's 問合せ先, whatever it can issue. */
  contact: contactSchema.optional(),
});
export type LookupMunicipality = z.infer<typeof lookupMunicipalitySchema>;

export const lookupResponseSchema = z.object({ municipalities: z.array(lookupMunicipalitySchema) });
export type LookupResponse = z.infer<typeof lookupResponseSchema>;

export const certificateRequestSchema = z
  .object({
    myNumber: myNumberSchema,
    municipality: municipalityCodeSchema,
    kind: certificateKindSchema,
    /** The issuing channel; kiosks are 'kiosk'. */
    channel: z.enum(['kiosk']).default('kiosk'),
  })
  .strict();
export type CertificateRequest = z.infer<typeof certificateRequestSchema>;

export const doseSchema = z.object({
  /** 接種回数 */
  dose: z.number().int().min(1).max(99),
  /** 接種日 YYYY-MM-DD */
  date: isoDateSchema,
  /** ワクチン種類 (e.g. "mRNA") */
  vaccineType: z.string(),
  /** メーカー (e.g. "ファイザー") */
  maker: z.string(),
  /** 製品名 (e.g. "コミナティ筋注") */
  product: z.string(),
  /** ロット番号 */
  lot: z.string(),
  /** 接種量 (ml) as text, e.g. "0.3" */
  amount: z.string().optional(),
  /** 接種自治体コード */
  municipalityCode: municipalityCodeSchema.optional(),
});
export type Dose = z.infer<typeof doseSchema>;

/** What VRS returns for one certificate: everything the document needs, nothing more. */
export const certificateRecordSchema = z.object({
  /** Unique certificate ID reserved by VRS (≤ 12 chars, A–Z and 0–9): VDS-NC `uvci`. */
  certificateId: z.string().regex(/^[A-Z0-9]{1,12}$/),
  kind: certificateKindSchema,
  /** Issue date (JST) YYYY-MM-DD. */
  issuedOn: isoDateSchema,
  issuer: z.object({ code: municipalityCodeSchema, name: z.string() }),
  person: z.object({
    /** 氏名 in kanji: family U+3000 given. */
    name: z.string(),
    /** Family and given parts, for FHIR HumanName. */
    familyName: z.string(),
    givenName: z.string(),
    /** セイ メイ (katakana). */
    nameKana: z.string().optional(),
    birthDate: isoDateSchema,
    /** 1 male, 2 female, 9 not applicable, 0 unknown (JIS X 0303). */
    sex: z.enum(['0', '1', '2', '9']),
    /** Overseas only: the passport data of the latest qualifying counter or app issuance (issue 18). */
    passport: z
      .object({
        /** Romanized name as in the passport, "FAMILY GIVEN". */
        nameRoman: z.string(),
        /** ISO 3166-1 alpha-3, e.g. JPN. */
        nationality: z.string().regex(/^[A-Z]{3}$/),
        passportNumber: z.string(),
        /** 旧姓・別姓・別名 */
        otherName: z.string().optional(),
      })
      .optional(),
  }),
  doses: z.array(doseSchema).min(1),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

export const completionNoticeSchema = z
  .object({
    certificateId: z.string().regex(/^[A-Z0-9]{1,12}$/),
    municipality: municipalityCodeSchema,
    kind: certificateKindSchema,
    copies: z.number().int().min(1).max(5),
    fee: z.number().int().min(0),
    kioskId: z.string().min(1).max(64),
    storeId: z.string().min(1).max(64),
    /** ISO 8601 */
    issuedAt: z.string(),
  })
  .strict();
export type CompletionNotice = z.infer<typeof completionNoticeSchema>;

export const completionAckSchema = z.object({ certificateId: z.string(), status: z.enum(['recorded', 'duplicate']) });
export type CompletionAck = z.infer<typeof completionAckSchema>;

/**
 * The release of a reservation that was not printed (完了通知 of a request that ended otherwise):
 * replaced, failed, cancelled or expired. VRS marks it `released`; a released certificate ID is
 * never issued.
 */
export const releaseNoticeSchema = z
  .object({
    type: z.literal('release'),
    certificateId: z.string().regex(/^[A-Z0-9]{1,12}$/),
    municipality: municipalityCodeSchema,
    kind: certificateKindSchema,
    outcome: z.enum(['failed', 'cancelled', 'expired']),
    /** ISO 8601 */
    releasedAt: z.string(),
  })
  .strict();
export type ReleaseNotice = z.infer<typeof releaseNoticeSchema>;

export const releaseAckSchema = z.object({ certificateId: z.string(), status: z.enum(['released', 'duplicate']) });
export type ReleaseAck = z.infer<typeof releaseAckSchema>;

/** A period of reservations (`from ≤ reserved_at < to`, ISO 8601 times), for reconciliation. */
export const issuanceQuerySchema = z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict();
export type IssuanceQuery = z.infer<typeof issuanceQuerySchema>;

/** One certificate ID as VRS's books hold it: no 個別宛名番号, no name, nothing personal. */
export const bookedIssuanceSchema = z.object({
  certificateId: z.string(),
  municipality: municipalityCodeSchema,
  kind: certificateKindSchema,
  channel: z.string(),
  status: z.enum(['reserved', 'issued', 'released']),
  reservedAt: z.string(),
  issuedAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  copies: z.number().int().nullable(),
  fee: z.number().int().nullable(),
  kioskId: z.string().nullable(),
  storeId: z.string().nullable(),
});
export type BookedIssuance = z.infer<typeof bookedIssuanceSchema>;

export const issuanceQueryAnswerSchema = z.object({ items: z.array(bookedIssuanceSchema) });
export type IssuanceQueryAnswer = z.infer<typeof issuanceQueryAnswerSchema>;
