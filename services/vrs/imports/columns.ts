import * as f from './fields.js';
import type { Parsed } from './fields.js';

/**
 * `overseas-issuances` (issue 18): overseas certificates issued at the municipality's counter (窓口)
 * or in the app (アプリ), the source of a kiosk's overseas certificate (records/overseas-source.ts).
 */
export type ImportKind = 'residents' | 'vaccinations' | 'passports' | 'overseas-issuances';

/** One CSV column of an import kind. */
export interface ColumnSpec {
  /** Header as in PROTOCOL.md (matched after NFKC and removing spaces, so 氏名(姓) also matches). */
  header: string;
  field: string;
  /** The header must name this column. */
  requiredColumn: boolean;
  /** Every row must have a value in it. */
  requiredValue: boolean;
  parse: (v: string) => Parsed<string | number>;
}

const col = (header: string, field: string, parse: ColumnSpec['parse'], required: 'key' | 'value' | 'optional' = 'optional'): ColumnSpec => ({
  header,
  field,
  parse,
  requiredColumn: required !== 'optional',
  requiredValue: required !== 'optional',
});

/**
 * The columns of each kind (PROTOCOL.md "CSV files a municipality uploads").
 * Residents: only 個別宛名番号 is required; any other column present overwrites that field, and an
 * empty cell means "no change" (a value is never cleared by an empty cell; the flag is cleared only
 * by 9). Vaccinations and passports: the columns a record cannot exist without are required.
 */
export const COLUMNS: Record<ImportKind, ColumnSpec[]> = {
  residents: [
    col('個別宛名番号', 'atenaNumber', f.atenaNumber, 'key'),
    col('マイナンバー', 'myNumber', f.myNumber),
    col('氏名（姓）', 'familyName', f.text(100)),
    col('氏名（名）', 'givenName', f.text(100)),
    col('氏名（セイ）', 'familyKana', f.text(100)),
    col('氏名（メイ）', 'givenKana', f.text(100)),
    col('生年月日', 'birthDate', f.date),
    col('性別', 'sex', f.sex),
    col('券番号', 'ticketNumber', f.ticketNumber),
    col('転出/死亡フラグ', 'flag', f.flag),
  ],
  vaccinations: [
    col('個別宛名番号', 'atenaNumber', f.atenaNumber, 'key'),
    col('接種回数', 'dose', f.doseNumber, 'key'),
    col('接種日', 'date', f.date, 'value'),
    col('ワクチン種類', 'vaccineType', f.text(100), 'value'),
    col('メーカー', 'maker', f.text(100), 'value'),
    col('製品名', 'product', f.text(100), 'value'),
    col('ロット番号', 'lot', f.text(50), 'value'),
    col('接種量', 'amount', f.amount),
    col('接種会場', 'venue', f.text(200)),
    col('接種自治体コード', 'vaccinationMunicipality', f.municipalityCode),
  ],
  passports: [
    col('個別宛名番号', 'atenaNumber', f.atenaNumber, 'key'),
    col('ローマ字氏名', 'nameRoman', f.nameRoman, 'value'),
    col('国籍', 'nationality', f.nationality, 'value'),
    col('旅券番号', 'passportNumber', f.passportNumber, 'value'),
    col('旧姓・別姓・別名', 'otherName', f.text(100)),
  ],
  'overseas-issuances': [
    col('個別宛名番号', 'atenaNumber', f.atenaNumber, 'key'),
    col('交付方法', 'channel', f.overseasChannel, 'key'),
    col('交付日', 'issuedOn', f.overseasIssueDate, 'key'),
    col('ローマ字氏名', 'nameRoman', f.nameRoman, 'value'),
    col('国籍', 'nationality', f.nationality, 'value'),
    col('旅券番号', 'passportNumber', f.passportNumber, 'value'),
    col('旧姓・別姓・別名', 'otherName', f.text(100)),
    col('証明書ID', 'certificateId', f.certificateId),
  ],
};

/** Header text as compared: NFKC, no spaces. */
export function normalizeHeader(h: string): string {
  return h.normalize('NFKC').replace(/[\s\u3000]/g, '');
}

/** The fields that make up the key of a row in a file of `kind`. */
export const KEY_FIELDS: Record<ImportKind, string[]> = {
  residents: ['atenaNumber'],
  vaccinations: ['atenaNumber', 'dose'],
  passports: ['atenaNumber'],
  'overseas-issuances': ['atenaNumber', 'channel', 'issuedOn'],
};
