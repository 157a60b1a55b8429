import { z } from 'zod';
import type { Contact } from '../../../common/lgwan-contract.js';
import type { Queryable } from '../../db/database.js';

/**
 * A Japanese telephone number as a resident dials it, with hyphens: 0, then three groups of
 * digits, 10 digits in all (fixed lines, 0120 / 0570) or 11 (090/080/070 mobiles, 050).
 * e.g. 0766-20-1234, 03-3264-2111, 0120-123-456, 090-1234-5678.
 */
export const PHONE_PATTERN = /^0\d{1,4}-\d{1,4}-\d{3,4}$/;

export const phoneSchema = z
  .string()
  .trim()
  .regex(PHONE_PATTERN, 'telephone number with hyphens, e.g. 0766-20-1234')
  .refine((p) => [10, 11].includes(p.replace(/-/g, '').length), 'a telephone number has 10 or 11 digits');

/** The body of `PUT /api/v1/service/contact`: the 問合せ先 a kiosk shows on its refusal screens. */
export const contactBodySchema = z
  .object({
    office: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{Cc}]+$/u, 'no control characters'),
    phone: phoneSchema,
  })
  .strict();

/** The 問合せ先 of the municipality `tx` may read (every row of municipalities is readable). */
export async function contactOf(tx: Queryable, code: string): Promise<Contact | null> {
  const {
    rows: [r],
  } = await tx.query<{ contact_office: string | null; contact_phone: string | null }>(
    'SELECT contact_office, contact_phone FROM municipalities WHERE code = $1',
    [code],
  );
  return r?.contact_office && r.contact_phone ? { office: r.contact_office, phone: r.contact_phone } : null;
}

/** Sets the 問合せ先 (inside withMunicipality(code): policy change_own lets only that municipality change its row). */
export async function setContact(tx: Queryable, code: string, contact: Contact): Promise<boolean> {
  const r = await tx.query('UPDATE municipalities SET contact_office = $2, contact_phone = $3 WHERE code = $1', [code, contact.office, contact.phone]);
  return r.rowCount === 1;
}
