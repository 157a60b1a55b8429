import type { DeadlinePhase } from './answer-deadline.js';

/**
 * Why a call of the mTLS JSON client gave no usable answer:
 * - `unreachable`: no connection, the TLS handshake refused, or the connection lost mid-answer;
 * - `timeout`: the server did not answer within the deadline (`phase` says what it was waiting for);
 * - `too_large`: the answer's body is over the client's limit;
 * - `refused`: the server answered with a status outside 2xx (`status`, and `code` from its problem+json);
 * - `not_json` / `contract`: a 2xx answer that is not JSON, or not what the contract says.
 */
export type MtlsCallFailure = 'unreachable' | 'timeout' | 'too_large' | 'refused' | 'not_json' | 'contract';

/** Problem codes are `ERR_` and capitals (PROTOCOL.md, lgwan-contract.ts). */
const PROBLEM_CODE = /^ERR_[A-Z_]+$/;

/**
 * The failure of one call of {@link MtlsJsonClient}. Its message names the method, the path (with
 * identifiers shortened), the status and the problem code: never a body, a `detail` or anything
 * else that could carry personal data.
 */
export class MtlsCallError extends Error {
  override name = 'MtlsCallError';
  readonly failure: MtlsCallFailure;
  /** HTTP status of the answer, when one came. */
  readonly status: number | undefined;
  /** The problem's `ERR_…` code, when the answer was a problem document. */
  readonly code: string | undefined;
  /** The answer's Retry-After header as sent (RFC 9110 §10.2.3), e.g. on 503 ERR_BUSY. */
  readonly retryAfter: string | undefined;
  /** The answer's Date header, against which an HTTP-date Retry-After is measured. */
  readonly answerDate: string | undefined;
  /** For a timeout: what the call was waiting for. */
  readonly phase: DeadlinePhase | undefined;

  constructor(
    failure: MtlsCallFailure,
    message: string,
    details: { status?: number; code?: string; retryAfter?: string; answerDate?: string; phase?: DeadlinePhase; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.failure = failure;
    this.status = details.status;
    this.code = details.code;
    this.retryAfter = details.retryAfter;
    this.answerDate = details.answerDate;
    this.phase = details.phase;
  }

  /** The refusal an answer outside 2xx stands for; `code` is read from its body when that is a problem document. */
  static refusal(answer: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }, label: string): MtlsCallError {
    const code = problemCode(answer.body);
    const header = (name: string) => {
      const v = answer.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return new MtlsCallError('refused', `${label}: ${code ? `${code} (${answer.status})` : `HTTP ${answer.status}`}`, {
      status: answer.status,
      ...(code ? { code } : {}),
      ...(header('retry-after') !== undefined ? { retryAfter: header('retry-after') } : {}),
      ...(header('date') !== undefined ? { answerDate: header('date') } : {}),
    });
  }
}

/** The `code` of a problem+json body, or undefined when the body is not one. */
export function problemCode(body: Buffer): string | undefined {
  try {
    const p = JSON.parse(body.toString('utf8')) as { code?: unknown } | null;
    return typeof p?.code === 'string' && PROBLEM_CODE.test(p.code) ? p.code : undefined;
  } catch {
    return undefined;
  }
}
