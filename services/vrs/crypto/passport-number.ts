import { open, seal } from './data-keys.js';

const aad = (municipality: string, atenaNumber: string) => Buffer.from(`vrs-passport:${municipality}:${atenaNumber}`, 'utf8');

/** Seals a passport number with the municipality's data key, bound to its resident (passports.passport_number_enc). */
export function encryptPassportNumber(dataKey: Buffer, municipality: string, atenaNumber: string, passportNumber: string): Buffer {
  return seal(dataKey, Buffer.from(passportNumber, 'utf8'), aad(municipality, atenaNumber));
}

export function decryptPassportNumber(dataKey: Buffer, municipality: string, atenaNumber: string, sealed: Buffer): string {
  return open(dataKey, sealed, aad(municipality, atenaNumber)).toString('utf8');
}
