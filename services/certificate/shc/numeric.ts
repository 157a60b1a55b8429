/** The `shc:/` prefix, encoded in byte mode ahead of the numeric part. */
export const SHC_PREFIX = 'shc:/';

/** SHC numeric encoding of a JWS: each character as two digits of (code − 45). */
export function toShcNumeric(jws: string): string {
  let out = '';
  for (let i = 0; i < jws.length; i++) {
    const v = jws.charCodeAt(i) - 45;
    if (v < 0 || v > 77) throw new TypeError('JWS has a character outside the SHC numeric range');
    out += v < 10 ? `0${v}` : String(v);
  }
  return out;
}

/** Decodes `shc:/<digits>` (single chunk) back to the JWS; throws TypeError on malformed input. */
export function fromShcNumeric(content: string): string {
  const trimmed = content.trim();
  if (!trimmed.startsWith(SHC_PREFIX)) throw new TypeError('not an shc:/ content');
  const digits = trimmed.slice(SHC_PREFIX.length);
  if (/^\d+\/\d+\//.test(digits)) throw new TypeError('chunked SHC (multiple QR codes) is not supported');
  if (!/^\d*$/.test(digits) || digits.length % 2 !== 0) throw new TypeError('shc:/ content must be an even number of digits');
  let out = '';
  for (let i = 0; i < digits.length; i += 2) {
    const v = Number(digits.slice(i, i + 2));
    if (v > 77) throw new TypeError('shc:/ digit pair out of range');
    out += String.fromCharCode(v + 45);
  }
  return out;
}
