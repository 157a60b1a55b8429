import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeCsv } from '../../../services/vrs/imports/decode.js';
import { parseRows } from '../../../services/vrs/imports/parse-rows.js';
import * as fields from '../../../services/vrs/imports/fields.js';

describe('CSV decoding', () => {
  it('reads UTF-8 with a BOM as UTF-8 and drops the BOM', () => {
    expect(decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('個別宛名番号\n')]))).toEqual({ text: '個別宛名番号\n', encoding: 'utf-8' });
  });
  it('reads valid UTF-8 without a BOM as UTF-8', () => {
    expect(decodeCsv(Buffer.from('氏名（姓）,山田\n'))).toEqual({ text: '氏名（姓）,山田\n', encoding: 'utf-8' });
  });
  it('reads Shift_JIS (code page 932) when the bytes are not UTF-8', () => {
    const text = '個別宛名番号,氏名（姓）,氏名（セイ）\r\n1,髙橋,タカハシ ①\r\n';
    expect(decodeCsv(iconv.encode(text, 'cp932'))).toEqual({ text, encoding: 'shift_jis' });
  });
});

describe('CSV rows', () => {
  it('matches headers in any order and in half-width parentheses', () => {
    const r = parseRows('residents', '氏名(姓),個別宛名番号\n山田,１２３\n');
    expect(r.issues).toEqual([]);
    expect(r.rows[0]!.values).toEqual({ familyName: '山田', atenaNumber: '123' });
  });
  it('names the line of a syntax error without the content', () => {
    const r = parseRows('residents', '個別宛名番号,氏名（姓）\n1,"山田\n');
    expect(r.issues[0]).toMatchObject({ code: 'CSV_SYNTAX' });
    expect(JSON.stringify(r.issues)).not.toContain('山田');
  });
  it('reports a header-only file as zero rows, not an error', () => {
    expect(parseRows('passports', '個別宛名番号,ローマ字氏名,国籍,旅券番号\n')).toMatchObject({ rows: [], issues: [], dataRows: 0 });
  });
});

describe('CSV field rules', () => {
  it('accepts a My Number only with its check digit', () => {
    expect(fields.myNumber('314159265352')).toEqual({ ok: true, value: '314159265352' });
    expect(fields.myNumber('314159265353')).toMatchObject({ ok: false, code: 'BAD_MY_NUMBER' });
    expect(fields.myNumber('31415926535')).toMatchObject({ ok: false, code: 'BAD_MY_NUMBER' });
  });
  it('accepts a 自治体コード only with its check digit', () => {
    for (const c of ['131016', '162027', '122246', '011002']) expect(fields.municipalityCode(c)).toEqual({ ok: true, value: c });
    expect(fields.municipalityCode('131017')).toMatchObject({ ok: false, code: 'BAD_MUNICIPALITY_CODE' });
  });
  it('reads YYYYMMDD and YYYY/MM/DD dates and refuses impossible ones', () => {
    expect(fields.date('20240229')).toEqual({ ok: true, value: '2024-02-29' });
    expect(fields.date('2021/6/1')).toEqual({ ok: true, value: '2021-06-01' });
    expect(fields.date('20230229')).toMatchObject({ ok: false, code: 'BAD_DATE' });
    expect(fields.date('2021-06-01')).toMatchObject({ ok: false, code: 'BAD_DATE' });
  });
  it('knows the flag values: empty, 1, 2, 3, 9', () => {
    expect(fields.flag('')).toEqual({ ok: true, value: null });
    for (const v of ['1', '2', '3', '9']) expect(fields.flag(v)).toEqual({ ok: true, value: v });
    for (const v of ['0', '4', 'x', '12']) expect(fields.flag(v)).toMatchObject({ ok: false, code: 'BAD_FLAG' });
  });
});
