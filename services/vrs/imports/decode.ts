import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'shift_jis';

/**
 * Decodes an uploaded CSV: a UTF-8 BOM means UTF-8; bytes that are valid UTF-8 are UTF-8; anything
 * else is read as Shift_JIS (Windows code page 932, the superset municipal spreadsheets write, so
 * ①, ㈱ and NEC/IBM extension kanji decode too).
 */
export function decodeCsv(body: Buffer): { text: string; encoding: CsvEncoding } {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { text: body.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(body, 'cp932'), encoding: 'shift_jis' };
  }
}
