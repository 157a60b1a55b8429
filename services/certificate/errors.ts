import { AppError } from '../common/errors.js';

/**
 * The record cannot become a certificate (missing passport data, a field over its ICAO limit, an
 * unknown vaccine). The message names the field, never its value: values are personal data.
 */
export class CertificateDataError extends AppError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('ERR_CERTIFICATE_DATA', 422, message, { extras: { field } });
    this.field = field;
  }
}

/** A code failed verification; `check` says which check failed. */
export class VerifyError extends AppError {
  readonly check: string;
  constructor(check: string, message: string, cause?: unknown) {
    super('ERR_VERIFY', 422, message, { extras: { check }, cause });
    this.check = check;
  }
}
