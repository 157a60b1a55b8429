import { stringify } from 'csv-stringify/sync';
import type { IssuanceItem } from './issuance-log.js';

/** Columns of the export, with the Japanese header spreadsheet users read. */
const COLUMNS: Array<{ key: keyof IssuanceItem; header: string }> = [
  { key: 'certificateId', header: '証明書ID' },
  { key: 'atenaNumber', header: '個別宛名番号' },
  { key: 'kind', header: '種類' },
  { key: 'channel', header: '交付方法' },
  { key: 'copies', header: '部数' },
  { key: 'fee', header: '手数料' },
  { key: 'kioskId', header: '端末ID' },
  { key: 'storeId', header: '店舗ID' },
  { key: 'issuedAt', header: '交付日時' },
];

/**
 * The issuance log as CSV: UTF-8 with BOM (so spreadsheet software detects the encoding), a
 * Japanese header row, CRLF line ends, RFC 4180 quoting, and cells that a spreadsheet would run
 * as formulas (`=`, `+`, `-`, `@`, …) escaped.
 */
export function issuancesCsv(items: IssuanceItem[]): Buffer {
  const text = stringify(
    items.map((i) => ({ ...i })),
    {
      bom: true,
      header: true,
      columns: COLUMNS.map((c) => ({ key: c.key, header: c.header })),
      record_delimiter: 'windows',
      escape_formulas: true,
    },
  );
  return Buffer.from(text, 'utf8');
}
