import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality } from '../../../services/vrs/db/database.js';
import { importCsv } from '../../../services/vrs/imports/import-csv.js';
import { decryptMyNumber } from '../../../services/vrs/crypto/my-number.js';
import { dataKeyFor } from '../../../services/vrs/crypto/data-keys.js';
import { DB_KINDS } from '../../helpers/vrs-db.js';
import { csv, PASSPORT_HEADER, RESIDENT_HEADER, snapshot, VACCINATION_HEADER, vrsFixture, type VrsFixture } from './vrs-fixture.js';

const CODE = '131016';

describe.each(DB_KINDS)('CSV import (%s)', (kind) => {
  let f: VrsFixture;
  beforeAll(async () => {
    f = await vrsFixture(kind, inject('databaseUrl'));
  });
  afterAll(async () => {
    await f?.drop();
  });

  const resident = async (atena: string) =>
    withMunicipality(
      f.db,
      CODE,
      async (tx) =>
        (
          await tx.query<Record<string, unknown>>(
            "SELECT family_name, given_name, family_kana, given_kana, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, sex, ticket_number, flag FROM residents WHERE atena_number = $1",
            [atena],
          )
        ).rows[0],
    );

  it('registers residents, vaccinations and passports, with My Number only encrypted and indexed by HMAC', async () => {
    const r = await importCsv(
      f.deps,
      CODE,
      'residents',
      csv(
        RESIDENT_HEADER,
        '100000000000001,314159265352,山田,太郎,ヤマダ,タロウ,19800401,1,1310160001,',
        '100000000000002,161803398872,鈴木,一郎,スズキ,イチロウ,1990/01/15,1,1310160002,',
      ),
    );
    expect(r).toEqual({ ok: true, kind: 'residents', encoding: 'utf-8', rows: 2, inserted: 2, updated: 0, errors: [] });
    const v = await importCsv(
      f.deps,
      CODE,
      'vaccinations',
      csv(
        VACCINATION_HEADER,
        '100000000000001,1,20210601,mRNA,ファイザー,コミナティ筋注,FA5765,0.3,千代田区役所,131016',
        '100000000000001,2,2021/06/22,mRNA,ファイザー,コミナティ筋注,FC3661,0.3,千代田区役所,131016',
        '100000000000002,1,20210802,mRNA,モデルナ,スパイクバックス筋注,3003183,0.25,会場,162027',
      ),
    );
    expect(v).toMatchObject({ ok: true, rows: 3, inserted: 3, updated: 0 });
    const p = await importCsv(f.deps, CODE, 'passports', csv(PASSPORT_HEADER, '100000000000002,SUZUKI ICHIRO,JPN,TZ7654321,'));
    expect(p).toMatchObject({ ok: true, rows: 1, inserted: 1 });
    expect(await resident('100000000000001')).toEqual({
      family_name: '山田',
      given_name: '太郎',
      family_kana: 'ヤマダ',
      given_kana: 'タロウ',
      birth_date: '1980-04-01',
      sex: '1',
      ticket_number: '1310160001',
      flag: null,
    });
    const { rows } = await f.db.query<{ my_number_enc: Uint8Array; my_number_hmac: Uint8Array }>(
      "SELECT my_number_enc, my_number_hmac FROM my_number_links WHERE atena_number = '100000000000001'",
    );
    const enc = Buffer.from(rows[0]!.my_number_enc);
    expect(enc.toString('latin1')).not.toContain('314159265352');
    expect(enc.toString('hex')).not.toContain(Buffer.from('314159265352').toString('hex'));
    const key = await dataKeyFor(f.db, f.deps.keys.master, CODE);
    expect(decryptMyNumber(key, CODE, '100000000000001', enc)).toBe('314159265352');
    expect(() => decryptMyNumber(key, CODE, '100000000000002', enc)).toThrow();
    const index = await f.db.query<{ municipality_code: string }>('SELECT municipality_code FROM my_number_index');
    expect(index.rows.map((x) => x.municipality_code)).toEqual([CODE, CODE]);
  });

  it('overwrites only the columns present, and treats an empty cell as no change', async () => {
    const r = await importCsv(f.deps, CODE, 'residents', csv('券番号,個別宛名番号,氏名（名）,性別', '9999999999,100000000000001,次郎,'));
    expect(r).toMatchObject({ ok: true, inserted: 0, updated: 1 });
    expect(await resident('100000000000001')).toMatchObject({
      family_name: '山田',
      given_name: '次郎',
      sex: '1',
      ticket_number: '9999999999',
      birth_date: '1980-04-01',
    });
    const v = await importCsv(f.deps, CODE, 'vaccinations', csv(VACCINATION_HEADER, '100000000000001,2,20210623,mRNA,ファイザー,コミナティ筋注,FC9999,,,'));
    expect(v).toMatchObject({ ok: true, inserted: 0, updated: 1 });
    const { rows } = await withMunicipality(f.db, CODE, (tx) =>
      tx.query("SELECT lot, amount, venue, vaccination_municipality_code AS vmc FROM vaccinations WHERE atena_number = '100000000000001' AND dose = 2"),
    );
    expect(rows[0]).toEqual({ lot: 'FC9999', amount: '0.3', venue: '千代田区役所', vmc: '131016' });
  });

  it('sets a moved-out flag with 1, cancels it with 9, and keeps a flag through later files without one', async () => {
    await importCsv(f.deps, CODE, 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000001,1'));
    expect((await resident('100000000000001'))!.flag).toBe('1');
    await importCsv(f.deps, CODE, 'residents', csv(RESIDENT_HEADER, '100000000000001,314159265352,山田,太郎,ヤマダ,タロウ,19800401,1,1310160001,'));
    expect((await resident('100000000000001'))!.flag).toBe('1');
    await importCsv(f.deps, CODE, 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000001,9'));
    expect((await resident('100000000000001'))!.flag).toBeNull();
    await importCsv(f.deps, CODE, 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000002,2'));
    expect((await resident('100000000000002'))!.flag).toBe('2');
    await importCsv(f.deps, CODE, 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000002,9'));
    await importCsv(f.deps, CODE, 'residents', csv('個別宛名番号,転出/死亡フラグ', '100000000000002,2'));
  });

  it('reads Shift_JIS files and UTF-8 files with a BOM', async () => {
    const sjis = iconv.encode(`${RESIDENT_HEADER}\r\n100000000000003,141421356230,高橋,美咲,タカハシ,ミサキ,19480303,2,1310160003,\r\n`, 'shift_jis');
    const r = await importCsv(f.deps, CODE, 'residents', sjis);
    expect(r).toMatchObject({ ok: true, encoding: 'shift_jis', inserted: 1 });
    expect(await resident('100000000000003')).toMatchObject({ family_name: '高橋', given_name: '美咲', family_kana: 'タカハシ' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv('個別宛名番号,氏名（名）', '100000000000003,美咲子')]);
    expect(await importCsv(f.deps, CODE, 'residents', bom)).toMatchObject({ ok: true, encoding: 'utf-8', updated: 1 });
    expect((await resident('100000000000003'))!.given_name).toBe('美咲子');
  });

  const badCases: Array<[string, 'residents' | 'vaccinations' | 'passports', Buffer, { row: number; column: string | null; code: string }]> = [
    [
      'a My Number with a wrong check digit',
      'residents',
      csv(RESIDENT_HEADER, '100000000000009,314159265353,山田,花子,,,19800401,2,,'),
      { row: 2, column: 'マイナンバー', code: 'BAD_MY_NUMBER' },
    ],
    [
      'a 接種自治体コード with a wrong check digit',
      'vaccinations',
      csv(VACCINATION_HEADER, '100000000000001,3,20220210,mRNA,モデルナ,スパイクバックス筋注,3004734,0.25,会場,131017'),
      { row: 2, column: '接種自治体コード', code: 'BAD_MUNICIPALITY_CODE' },
    ],
    [
      'a date that is not a calendar date',
      'residents',
      csv(RESIDENT_HEADER, '100000000000009,,山田,花子,,,19800231,2,,'),
      { row: 2, column: '生年月日', code: 'BAD_DATE' },
    ],
    [
      'a date in another format',
      'vaccinations',
      csv(VACCINATION_HEADER, '100000000000001,3,2022-02-10,mRNA,モデルナ,スパイクバックス筋注,3004734,0.25,会場,131016'),
      { row: 2, column: '接種日', code: 'BAD_DATE' },
    ],
    [
      'a flag outside 1, 2, 3, 9',
      'residents',
      csv(RESIDENT_HEADER, '100000000000009,,山田,花子,,,19800401,2,,4'),
      { row: 2, column: '転出/死亡フラグ', code: 'BAD_FLAG' },
    ],
    ['a missing 個別宛名番号', 'residents', csv(RESIDENT_HEADER, ',,山田,花子,,,19800401,2,,'), { row: 2, column: '個別宛名番号', code: 'REQUIRED' }],
    ['an unknown header', 'residents', csv('個別宛名番号,住所', '100000000000009,東京都'), { row: 1, column: '住所', code: 'UNKNOWN_COLUMN' }],
    ['a header without 個別宛名番号', 'residents', csv('氏名（姓）', '山田'), { row: 1, column: '個別宛名番号', code: 'MISSING_COLUMN' }],
    [
      'the same 個別宛名番号 twice in one file',
      'residents',
      csv('個別宛名番号,氏名（姓）', '100000000000009,山田', '100000000000009,田中'),
      { row: 3, column: '個別宛名番号', code: 'DUPLICATE_KEY' },
    ],
    [
      'the same dose twice in one file',
      'vaccinations',
      csv(VACCINATION_HEADER, '100000000000001,3,20220210,mRNA,m,p,L1,,,', '100000000000001,3,20220211,mRNA,m,p,L2,,,'),
      { row: 3, column: '接種回数', code: 'DUPLICATE_KEY' },
    ],
    [
      'a vaccination of an unregistered 個別宛名番号',
      'vaccinations',
      csv(VACCINATION_HEADER, '199999999999999,1,20220210,mRNA,m,p,L1,,,'),
      { row: 2, column: '個別宛名番号', code: 'UNKNOWN_ATENA_NUMBER' },
    ],
    [
      'passport data of an unregistered 個別宛名番号',
      'passports',
      csv(PASSPORT_HEADER, '199999999999999,YAMADA HANAKO,JPN,TK0000001,'),
      { row: 2, column: '個別宛名番号', code: 'UNKNOWN_ATENA_NUMBER' },
    ],
    [
      'a My Number already linked to another 個別宛名番号',
      'residents',
      csv(RESIDENT_HEADER, '100000000000009,161803398872,山田,花子,,,19800401,2,,'),
      { row: 2, column: 'マイナンバー', code: 'DUPLICATE_MY_NUMBER' },
    ],
    ['a row with too few cells', 'residents', csv(RESIDENT_HEADER, '100000000000009,,山田'), { row: 2, column: null, code: 'COLUMN_COUNT' }],
    ['a bad nationality', 'passports', csv(PASSPORT_HEADER, '100000000000001,YAMADA TARO,JP,TK0000001,'), { row: 2, column: '国籍', code: 'BAD_NATIONALITY' }],
  ];

  it.each(badCases)('refuses a file with %s, naming row and column, and changes nothing', async (_name, importKind, body, expected) => {
    const before = await snapshot(f.db);
    // A good row first: it must not be applied either.
    const good =
      importKind === 'residents'
        ? '100000000000008,,良,子,,,20000101,2,,'
        : importKind === 'vaccinations'
          ? '100000000000001,5,20230101,mRNA,m,p,L9,,,'
          : '100000000000001,YAMADA TARO,JPN,TK0000009,';
    const text = body.toString('utf8').split('\n');
    const withGood =
      text[0]!.startsWith('個別宛名番号,マイナンバー') || text[0] === VACCINATION_HEADER || text[0] === PASSPORT_HEADER
        ? Buffer.from([text[0], good, ...text.slice(1)].join('\n'))
        : body;
    const shift = withGood === body ? 0 : 1;
    const report = await importCsv(f.deps, CODE, importKind, withGood);
    expect(report.ok).toBe(false);
    expect(report.inserted + report.updated).toBe(0);
    expect(report.errors).toContainEqual(expect.objectContaining({ ...expected, row: expected.row === 1 ? 1 : expected.row + shift }));
    for (const e of report.errors) expect(e.message).not.toMatch(/\d{12}|山田|YAMADA/);
    expect(await snapshot(f.db)).toEqual(before);
  });

  it('lists every bad row and column of a file in one report', async () => {
    const report = await importCsv(
      f.deps,
      CODE,
      'residents',
      csv(RESIDENT_HEADER, '100000000000010,314159265353,山田,花子,,,19800231,2,,', '100000000000011,,田中,一,,,19800101,7,,5'),
    );
    expect(report.ok).toBe(false);
    expect(report.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, 'マイナンバー', 'BAD_MY_NUMBER'],
      [2, '生年月日', 'BAD_DATE'],
      [3, '性別', 'BAD_SEX'],
      [3, '転出/死亡フラグ', 'BAD_FLAG'],
    ]);
  });

  it('writes no personal value to the log', () => {
    const text = f.log.text();
    expect(text).toContain('csv import');
    for (const v of ['314159265352', '161803398872', '山田', 'SUZUKI', 'TZ7654321']) expect(text).not.toContain(v);
  });
});
