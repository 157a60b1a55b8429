/**
 * Check digits of Japanese identifiers.
 *
 * My Number (個人番号): 12 digits, the last a check digit over the first 11 (個人番号の指定等に関する省令 第5条):
 *   remainder = Σ_{n=1..11} P_n × Q_n mod 11, with P_n the n-th digit counted from the right of the
 *   11 leading digits and Q_n = n + 1 for n ≤ 6, n − 5 for n ≥ 7; check = remainder ≤ 1 ? 0 : 11 − remainder.
 *
 * 自治体コード (全国地方公共団体コード): 6 digits, the last a check digit over the first 5 (JIS X 0401/0402):
 *   s = Σ digit_i × weight_i with weights 6,5,4,3,2; check = (11 − s mod 11) mod 10.
 */

export function myNumberCheckDigit(first11: string): number {
  if (!/^\d{11}$/.test(first11)) throw new TypeError('myNumberCheckDigit needs 11 digits');
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(first11[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** True when `value` is 12 digits whose last digit is the correct check digit. */
export function isValidMyNumber(value: string): boolean {
  return /^\d{12}$/.test(value) && myNumberCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/** Completes an 11-digit base into a valid My Number. */
export function withMyNumberCheckDigit(first11: string): string {
  return first11 + String(myNumberCheckDigit(first11));
}

export function municipalityCheckDigit(first5: string): number {
  if (!/^\d{5}$/.test(first5)) throw new TypeError('municipalityCheckDigit needs 5 digits');
  const weights = [6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += Number(first5[i]) * weights[i]!;
  return (11 - (sum % 11)) % 10;
}

/** True when `value` is a 6-digit 自治体コード with a correct check digit. */
export function isValidMunicipalityCode(value: string): boolean {
  return /^\d{6}$/.test(value) && municipalityCheckDigit(value.slice(0, 5)) === Number(value[5]);
}
