import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LATEST_FIVE_NOTE } from '../../../services/certificate/latest-doses.js';
import { fileTrust, verifyInput } from '../../../services/certificate/verify/verify-input.js';
import { withMyNumberCheckDigit } from '../../../services/common/check-digits.js';
import { ManualClock } from '../../../services/common/clock.js';
import { createPortalApp } from '../../../services/vrs/portal/portal-app.js';
import { CSV_HEADERS, toCsv } from '../../../services/vrs/imports/csv-writer.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { addStaff, loggedIn, type PortalFixture } from '../portal/portal-fixture.js';
import { requestAndFetch } from './helpers/flow.js';
import { LogCapture } from './helpers/log-capture.js';
import { pdfPagesText } from './helpers/pdf-text.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

const CHIYODA = '131016';

/** A holder outside the demo cast: random 個別宛名番号 and My Number, so runs never collide. */
function testHolder(family: string, given: string, birthDate: string) {
  const myNumber = withMyNumberCheckDigit(String(randomInt(10 ** 10, 10 ** 11)).padStart(11, '0'));
  const atenaNumber = `8${String(randomInt(10 ** 13, 10 ** 14))}`;
  return {
    atenaNumber,
    myNumber,
    familyName: family,
    givenName: given,
    birthDate,
    card: {
      label: `test ${family}`,
      myNumber,
      familyName: family,
      givenName: given,
      address: '東京都千代田区霞が関1丁目1番1号',
      birthDate,
      sex: '1' as const,
      card: { pin: '1234', triesLeft: 3 },
    },
  };
}

/** Seven doses, one of them 第一三共 ダイチロナ, as the portal's vaccination CSV carries them. */
const SEVEN = [
  [1, '20210517', 'mRNA', 'ファイザー', 'コミナティ筋注', 'EY4834', '0.3'],
  [2, '2021/06/07', 'mRNA', 'ファイザー', 'コミナティ筋注', 'FA7338', '0.3'],
  [3, '20220124', 'mRNA', 'モデルナ', 'スパイクバックス筋注', '3004956', '0.25'],
  [4, '20220725', 'mRNA', 'ファイザー', 'コミナティRTU筋注（2価：起源株/オミクロン株BA.1）', 'GH9715', '0.3'],
  [5, '20221212', 'mRNA', 'ファイザー', 'コミナティRTU筋注（2価：起源株/オミクロン株BA.4-5）', 'GK5638', '0.3'],
  [6, '20230605', 'mRNA', 'モデルナ', 'スパイクバックス筋注（2価：起源株/オミクロン株BA.4-5）', 'AS6015', '0.5'],
  [7, '20231218', 'mRNA', '第一三共', 'ダイチロナ筋注（1価：オミクロン株XBB.1.5）', 'DS3A001', '0.6'],
] as const;

describe('a holder with seven doses, imported through the portal CSV and issued through the relay', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;
  let wallet: CardWallet;
  let mailDir: string;
  const seven = testHolder('七回', '接種', '1950-05-05');
  const unknown = testHolder('未登録', '製品', '1988-08-08');

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'memory', redisUrl: inject('redisUrl'), logs });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    wallet = await new CardWallet().init();
    await wallet.addCard('seven', seven.card);
    await wallet.addCard('unknown', unknown.card);

    // The municipality's staff import the holders through the portal, as they would in VRS.
    mailDir = await mkdtemp(join(tmpdir(), 'seven-doses-mail-'));
    const deps = { ...vrs.deps, mailDir };
    const portal = { db: vrs.db, deps, clock: new ManualClock(new Date()), app: createPortalApp(deps), mailDir, close: async () => {} } satisfies PortalFixture;
    const staff = await loggedIn(portal, (await addStaff(vrs.db, CHIYODA)).email);
    const post = async (kind: 'residents' | 'vaccinations' | 'passports', csv: string) => {
      const res = await staff.agent.post(`/api/v1/imports/${kind}`).set('X-CSRF-Token', staff.csrf).type('text/csv').send(csv);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.ok).toBe(true);
    };
    await post(
      'residents',
      toCsv(
        CSV_HEADERS.residents,
        [seven, unknown].map((h, i) => [
          h.atenaNumber,
          h.myNumber,
          h.familyName,
          h.givenName,
          'テスト',
          'テスト',
          h.birthDate.replace(/-/g, ''),
          '1',
          `13101690${i}0`,
          '',
        ]),
      ),
    );
    await post(
      'vaccinations',
      toCsv(CSV_HEADERS.vaccinations, [
        ...SEVEN.map((d) => [seven.atenaNumber, ...d, '千代田区役所', CHIYODA]),
        [unknown.atenaNumber, 1, '20210816', 'mRNA', 'ファイザー', 'コミナティ筋注', 'FF0843', '0.3', '千代田区役所', CHIYODA],
        [
          unknown.atenaNumber,
          2,
          '20220411',
          'mRNA',
          'ファイザー',
          'コロナウイルス修飾ウリジンRNAワクチン（SARS-CoV-2）',
          'FP5220',
          '0.3',
          '千代田区役所',
          CHIYODA,
        ],
      ]),
    );
    await post('passports', toCsv(CSV_HEADERS.passports, [[seven.atenaNumber, 'NANAKAI SESSHU', 'JPN', 'TK7770001', '']]));
  });
  afterAll(async () => {
    await wallet?.dispose();
    await relay?.stop();
    await vrs?.destroy();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  it('prints doses 3–7 with the note, and the SHC and the VDS-NC carry the same five, in order', async () => {
    const { created, doc } = await requestAndFetch(kiosk, wallet, 'seven', { municipality: CHIYODA, kind: 'overseas', copies: 1 });
    expect(created.json.pages).toBe(1);
    expect((created.json.preview.doses as Array<{ dose: number }>).map((d) => d.dose)).toEqual([3, 4, 5, 6, 7]);

    const [page, ...rest] = pdfPagesText(doc.body);
    expect(rest).toEqual([]);
    for (const n of [3, 4, 5, 6, 7]) expect(page).toContain(`${n}回目`);
    for (const n of [1, 2]) expect(page).not.toContain(`${n}回目`);
    expect(page!.replace(/\s/g, '')).toContain(LATEST_FIVE_NOTE);
    expect(page).toContain('ダイチロナ筋注');
    expect(page).toContain('Daichirona (Daiichi Sankyo)');

    const report = await verifyInput(doc.body, fileTrust());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.shc).toHaveLength(1);
    expect(report.vds).toHaveLength(1);
    const dates = ['2022-01-24', '2022-07-25', '2022-12-12', '2023-06-05', '2023-12-18'];
    expect(report.shc[0]!.immunizations.map((i) => [i.date, i.lot, i.cvx])).toEqual([
      [dates[0], '3004956', '207'],
      [dates[1], 'GH9715', '520'],
      [dates[2], 'GK5638', '300'],
      [dates[3], 'AS6015', '229'],
      [dates[4], 'DS3A001', '213'],
    ]);
    const ve = report.vds[0]!.data.msg.ve;
    expect(ve.map((v) => [v.vd.length, v.vd[0]!.seq, v.vd[0]!.dvc, v.nam, v.des])).toEqual([
      [1, 3, dates[0], 'SPIKEVAX', 'XM0GQ8'],
      [1, 4, dates[1], 'COMIRNATY', 'XM0GQ8'],
      [1, 5, dates[2], 'COMIRNATY', 'XM0GQ8'],
      [1, 6, dates[3], 'SPIKEVAX', 'XM0GQ8'],
      [1, 7, dates[4], 'DAICHIRONA', 'XM0GQ8'],
    ]);
    expect(report.vds[0]!.data.msg.pid).toMatchObject({ n: 'NANAKAI SESSHU', i: 'TK7770001', ai: expect.stringMatching(/^JPN131016\d{8}$/) });
    // ダイチロナ is in the catalogue: nothing to log
    expect(logs.json().filter((l) => l.event === 'unknown_product')).toEqual([]);
  });

  it('issues a product the catalogue does not know under CVX 213 and logs unknown_product without personal data', async () => {
    const { doc } = await requestAndFetch(kiosk, wallet, 'unknown', { municipality: CHIYODA, kind: 'domestic', copies: 1 });
    const report = await verifyInput(doc.body, fileTrust());
    expect(report.ok).toBe(true);
    expect(report.shc[0]!.immunizations.map((i) => i.cvx)).toEqual(['208', '213']);

    const lines = logs.json().filter((l) => l.event === 'unknown_product');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      event: 'unknown_product',
      municipality: CHIYODA,
      maker: 'ファイザー',
      product: 'コロナウイルス修飾ウリジンRNAワクチン（SARS-CoV-2）',
      cvx: '213',
    });
    const raw = logs.find('unknown_product').join('\n');
    for (const personal of [
      unknown.myNumber,
      unknown.atenaNumber,
      unknown.familyName,
      unknown.givenName,
      unknown.birthDate,
      'FP5220',
      String(doc.headers['certificate-id']),
    ]) {
      expect(raw).not.toContain(personal);
    }
  });
});
