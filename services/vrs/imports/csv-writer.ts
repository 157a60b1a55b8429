import type { ImportKind } from './columns.js';

/** The header of each kind in the column order of PROTOCOL.md. */
export const CSV_HEADERS: Record<ImportKind, string[]> = {
  residents: ['個別宛名番号', 'マイナンバー', '氏名（姓）', '氏名（名）', '氏名（セイ）', '氏名（メイ）', '生年月日', '性別', '券番号', '転出/死亡フラグ'],
  vaccinations: ['個別宛名番号', '接種回数', '接種日', 'ワクチン種類', 'メーカー', '製品名', 'ロット番号', '接種量', '接種会場', '接種自治体コード'],
  passports: ['個別宛名番号', 'ローマ字氏名', '国籍', '旅券番号', '旧姓・別姓・別名'],
  'overseas-issuances': ['個別宛名番号', '交付方法', '交付日', 'ローマ字氏名', '国籍', '旅券番号', '旧姓・別姓・別名', '証明書ID'],
};

function cell(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes CSV text (CRLF lines) with `header` and rows given as arrays in the header's order. */
export function toCsv(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const out = [header.map(cell).join(',')];
  for (const r of rows) out.push(r.map(cell).join(','));
  return out.join('\r\n') + '\r\n';
}

/** YYYY-MM-DD → YYYYMMDD (the CSV date form). */
export const csvDate = (iso: string): string => iso.replace(/-/g, '');
