import { CertificateDataError } from '../errors.js';

/**
 * Field limits of the `icao.vacc` message (ICAO TR "VDS-NC" v1.1, PoV data defined by WHO).
 * Lengths are in characters.
 */
export const VDS_LIMITS = {
  uvci: 12,
  'pid.n': 39,
  'pid.i': 11,
  'pid.ai': 24,
  've.des': 6,
  've.nam': 20,
  've.dis': 6,
  've.vd.ctr': 3,
  've.vd.adm': 20,
  've.vd.lot': 20,
  've.vd.seq': 2,
} as const;

/** A VDS-NC field with a length limit. */
export type VdsLimitedField = keyof typeof VDS_LIMITS;

/** Refuses a value over its ICAO limit or empty when required; the message names the field only. */
export function checkVdsField(field: VdsLimitedField, value: string, where: string = field): string {
  if (value.length === 0) throw new CertificateDataError(where, `VDS-NC field ${where} is empty`);
  const max = VDS_LIMITS[field];
  if ([...value].length > max) throw new CertificateDataError(where, `VDS-NC field ${where} exceeds ${max} characters`);
  return value;
}

/** Refuses a VDS-NC text that is not printable ASCII (names and document numbers per Doc 9303). */
export function checkLatin(value: string, where: string): string {
  if (!/^[\x20-\x7e]+$/.test(value)) throw new CertificateDataError(where, `VDS-NC field ${where} must be Latin characters`);
  return value;
}
