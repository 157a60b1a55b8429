import { isValidMunicipalityCode, isValidMyNumber } from '../../common/check-digits.js';

/** A cell that passed its rule (null = empty cell), or the rule it broke (never the value). */
export type Parsed<T> = { ok: true; value: T | null } | { ok: false; code: string; message: string };

const MAX_TEXT = 200;

const ok = <T>(value: T | null): Parsed<T> => ({ ok: true, value });
const bad = (code: string, message: string): Parsed<never> => ({ ok: false, code, message });

/** Full-width digits and letters (common in hand-typed spreadsheets) become ASCII. */
export function toHalfWidth(v: string): string {
  // Plain ASCII is its own NFKC form; skipping normalize() there saves ~1 s per 100k-row file.
  return ASCII.test(v) ? v : v.normalize('NFKC');
}

const ASCII = /^[\x00-\x7f]*$/;

export function text(max = MAX_TEXT) {
  return (v: string): Parsed<string> => (v === '' ? ok(null) : v.length > max ? bad('TOO_LONG', `longer than ${max} characters`) : ok(v));
}

export const atenaNumber = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  return /^\d{1,15}$/.test(s) ? ok(s) : bad('BAD_ATENA_NUMBER', '個別宛名番号 must be 1–15 digits');
};

export const myNumber = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  if (!/^\d{12}$/.test(s)) return bad('BAD_MY_NUMBER', 'マイナンバー must be 12 digits');
  return isValidMyNumber(s) ? ok(s) : bad('BAD_MY_NUMBER', 'マイナンバー check digit is wrong');
};

export const municipalityCode = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  if (!/^\d{6}$/.test(s)) return bad('BAD_MUNICIPALITY_CODE', '自治体コード must be 6 digits');
  return isValidMunicipalityCode(s) ? ok(s) : bad('BAD_MUNICIPALITY_CODE', '自治体コード check digit is wrong');
};

/** YYYYMMDD or YYYY/MM/DD (month and day may have one digit) → YYYY-MM-DD, a real calendar date. */
export const date = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) ?? /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(s);
  if (!m) return bad('BAD_DATE', 'date must be YYYYMMDD or YYYY/MM/DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1870 || y > 2100 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) {
    return bad('BAD_DATE', 'not a calendar date');
  }
  return ok(`${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
};

/** JIS X 0303: 0 unknown, 1 male, 2 female, 9 not applicable. */
export const sex = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  return /^[0129]$/.test(s) ? ok(s) : bad('BAD_SEX', '性別 must be 0, 1, 2 or 9');
};

/** 転出/死亡フラグ: 1 moved out, 2 died, 3 other removal, 9 cancels an earlier 1–3. */
export const flag = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  return /^[1239]$/.test(s) ? ok(s) : bad('BAD_FLAG', '転出/死亡フラグ must be empty, 1, 2, 3 or 9');
};

export const ticketNumber = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  return /^[0-9A-Za-z]{1,20}$/.test(s) ? ok(s) : bad('BAD_TICKET_NUMBER', '券番号 must be 1–20 letters or digits');
};

export const doseNumber = (v: string): Parsed<number> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  const n = /^\d{1,2}$/.test(s) ? Number(s) : NaN;
  return n >= 1 && n <= 99 ? ok(n) : bad('BAD_DOSE', '接種回数 must be 1–99');
};

export const amount = (v: string): Parsed<string> => {
  const s = toHalfWidth(v);
  if (s === '') return ok(null);
  return /^\d{1,3}(\.\d{1,3})?$/.test(s) ? ok(s) : bad('BAD_AMOUNT', '接種量 must be a number of ml such as 0.3');
};

export const nameRoman = (v: string): Parsed<string> => {
  const s = toHalfWidth(v).toUpperCase();
  if (s === '') return ok(null);
  return /^[A-Z][A-Z ,.'-]{0,99}$/.test(s) ? ok(s) : bad('BAD_NAME_ROMAN', 'ローマ字氏名 must be Latin letters');
};

export const nationality = (v: string): Parsed<string> => {
  const s = toHalfWidth(v).toUpperCase();
  if (s === '') return ok(null);
  return /^[A-Z]{3}$/.test(s) ? ok(s) : bad('BAD_NATIONALITY', '国籍 must be an ISO 3166-1 alpha-3 code');
};

export const passportNumber = (v: string): Parsed<string> => {
  const s = toHalfWidth(v).toUpperCase();
  if (s === '') return ok(null);
  return /^[A-Z0-9]{1,20}$/.test(s) ? ok(s) : bad('BAD_PASSPORT_NUMBER', '旅券番号 must be 1–20 letters or digits');
};

const CHANNELS = new Map([
  ['窓口', 'counter'],
  ['アプリ', 'app'],
  ['counter', 'counter'],
  ['app', 'app'],
]);

/** 交付方法 of an overseas certificate: 窓口 (counter) or アプリ (app); the English words also pass. */
export const overseasChannel = (v: string): Parsed<string> => {
  const s = toHalfWidth(v).trim();
  if (s === '') return ok(null);
  const channel = CHANNELS.get(s.toLowerCase());
  return channel ? ok(channel) : bad('BAD_CHANNEL', '交付方法 must be 窓口 or アプリ (counter or app)');
};

/** Overseas certificates were first issued (at counters) on 2021-07-26: an earlier 交付日 is a mistake in the file. */
const OVERSEAS_CERTIFICATES_FROM = '2021-07-26';

/** 交付日 of an overseas certificate: a calendar date (as {@link date}) not before 2021-07-26. */
export const overseasIssueDate = (v: string): Parsed<string> => {
  const d = date(v);
  if (!d.ok || d.value === null) return d;
  return d.value < OVERSEAS_CERTIFICATES_FROM ? bad('DATE_BEFORE_SERVICE', '交付日 is before overseas certificates were issued (2021-07-26)') : d;
};

/** 証明書ID as printed at the counter or in the app: letters and digits. */
export const certificateId = (v: string): Parsed<string> => {
  const s = toHalfWidth(v).toUpperCase();
  if (s === '') return ok(null);
  return /^[A-Z0-9]{1,20}$/.test(s) ? ok(s) : bad('BAD_CERTIFICATE_ID', '証明書ID must be 1–20 letters or digits');
};
