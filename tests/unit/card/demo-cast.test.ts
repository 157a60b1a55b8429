import { describe, expect, it } from 'vitest';
import { demoResidents } from '../../../certs/demo-cast.js';
import { isValidMyNumber, myNumberCheckDigit } from '../../../services/common/check-digits.js';
import { encodeEf0001 } from '../../../services/card/card-encoding.js';

describe('demo cast My Numbers', () => {
  it.each(demoResidents.map((r) => [r.slug, r.myNumber] as const))('%s has a My Number with a valid check digit', (_slug, myNumber) => {
    expect(myNumber).toMatch(/^\d{12}$/);
    expect(myNumberCheckDigit(myNumber.slice(0, 11))).toBe(Number(myNumber[11]));
    expect(isValidMyNumber(myNumber)).toBe(true);
    expect(encodeEf0001(myNumber).length).toBe(17);
  });

  it('gives every resident a distinct My Number', () => {
    expect(new Set(demoResidents.map((r) => r.myNumber)).size).toBe(demoResidents.length);
  });
});
