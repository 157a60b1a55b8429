import { AppError } from './errors.js';

/**
 * Refusals of the vaccination records, answered by VRS on the LGWAN API and passed on unchanged
 * by the relay to kiosks (steps 3 and 4 of the kiosk protocol): one class per code on both sides.
 * Messages name the rule, never the holder.
 */

/** No municipality (or not the one asked) holds vaccination records for this holder: 404. */
export class NoRecordsError extends AppError {
  constructor(message = 'No municipality holds vaccination records for this card') {
    super('ERR_NO_RECORDS', 404, message);
  }
}

/**
 * The municipality does not issue at kiosks now (not taking part, suspended, no records of the
 * holder there): 422, with `reason` when known.
 */
export class MunicipalityUnavailableError extends AppError {
  constructor(message = 'This municipality does not issue at kiosks now', reason?: string) {
    super('ERR_MUNICIPALITY_UNAVAILABLE', 422, message, reason === undefined ? {} : { extras: { reason } });
  }
}

/** The records cannot become a certificate (resident flagged deceased or removed, no domestic record): 422. */
export class NotIssuableError extends AppError {
  constructor(message = 'A certificate cannot be issued for these records') {
    super('ERR_NOT_ISSUABLE', 422, message);
  }
}

/**
 * An overseas certificate without passport data a kiosk may use: 422. `overseasDetail` (issue 18)
 * says which rule: no passport on file, no qualifying counter or app issuance, or a passport
 * changed since it.
 */
export class NoPassportOnFileError extends AppError {
  constructor(
    message = 'An overseas certificate needs passport data on file',
    overseasDetail?: 'no_passport_on_file' | 'no_counter_issuance' | 'passport_changed',
  ) {
    super('ERR_NO_PASSPORT_ON_FILE', 422, message, overseasDetail === undefined ? {} : { extras: { overseasDetail } });
  }
}
