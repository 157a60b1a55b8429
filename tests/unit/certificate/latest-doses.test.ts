import canonicalize from 'canonicalize';
import * as mupdf from 'mupdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateBuilder, LATEST_FIVE_NOTE, type CertificateBuilder } from '../../../services/certificate/index.js';
import { certificateDoses } from '../../../services/certificate/latest-doses.js';
import { verifyInput } from '../../../services/certificate/verify/verify-input.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { verifyVdsNc } from '../../../services/certificate/verify/verify-vds.js';
import { ManualClock } from '../../../services/common/clock.js';
import type { Dose } from '../../../services/common/lgwan-contract.js';
import { makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture, type VdsPkiFixture } from './fixtures.js';

const clock = new ManualClock(new Date('2026-11-23T03:15:00Z'));
let issuer: ShcIssuerFixture;
let pki: VdsPkiFixture;
let builder: CertificateBuilder;

beforeAll(async () => {
  issuer = await makeShcIssuer(undefined, { now: clock.now() });
  pki = await makeVdsPki({ now: clock.now() });
  builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer, clock });
});

const pfizer = (dose: number, date: string, lot: string): Dose => ({
  dose,
  date,
  vaccineType: 'mRNA',
  maker: 'ファイザー',
  product: 'コミナティ筋注',
  lot,
  amount: '0.3',
});
/** Seven doses, the last one ダイチロナ (as 2021-06 … 2023-12 in Japan's programme). */
const seven: Dose[] = [
  pfizer(1, '2021-06-01', 'FA5765'),
  pfizer(2, '2021-06-22', 'FC3661'),
  { dose: 3, date: '2022-02-10', vaccineType: 'mRNA', maker: 'モデルナ', product: 'スパイクバックス筋注', lot: '3004734', amount: '0.25' },
  {
    dose: 4,
    date: '2022-07-20',
    vaccineType: 'mRNA',
    maker: 'ファイザー',
    product: 'コミナティRTU筋注（2価：起源株/オミクロン株BA.1）',
    lot: 'GH9715',
    amount: '0.3',
  },
  {
    dose: 5,
    date: '2022-12-05',
    vaccineType: 'mRNA',
    maker: 'ファイザー',
    product: 'コミナティRTU筋注（2価：起源株/オミクロン株BA.4-5）',
    lot: 'GK5638',
    amount: '0.3',
  },
  {
    dose: 6,
    date: '2023-06-12',
    vaccineType: 'mRNA',
    maker: 'モデルナ',
    product: 'スパイクバックス筋注（2価：起源株/オミクロン株BA.4-5）',
    lot: 'AS6001',
    amount: '0.5',
  },
  { dose: 7, date: '2023-12-18', vaccineType: 'mRNA', maker: '第一三共', product: 'ダイチロナ筋注（1価：オミクロン株XBB.1.5）', lot: 'DS0123', amount: '0.6' },
];

function pageTexts(pdf: Uint8Array): string[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const out: string[] = [];
  for (let i = 0; i < doc.countPages(); i++) out.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return out;
}

describe('only the latest five doses (from 2023-06-19)', () => {
  it('keeps the latest five of seven on and after 2023-06-19, every dose before', () => {
    expect(certificateDoses({ issuedOn: '2023-06-19', doses: seven })).toMatchObject({ latestOnly: true });
    expect(certificateDoses({ issuedOn: '2023-06-19', doses: seven }).doses.map((d) => d.dose)).toEqual([3, 4, 5, 6, 7]);
    expect(certificateDoses({ issuedOn: '2023-06-18', doses: seven })).toEqual({ doses: seven, latestOnly: false });
    expect(certificateDoses({ issuedOn: '2024-03-31', doses: seven.slice(0, 5) })).toEqual({ doses: seven.slice(0, 5), latestOnly: false });
    // the order VRS answers in does not matter: the five highest dose numbers, in order
    expect(certificateDoses({ issuedOn: '2024-01-10', doses: [...seven].reverse() }).doses.map((d) => d.dose)).toEqual([3, 4, 5, 6, 7]);
  });

  it('prints doses 3–7 with the note, and both codes carry the same five in order', async () => {
    const built = await builder.build(overseasRecord({ doses: seven }));
    expect(built.pages).toBe(1);
    const [page] = pageTexts(built.pdf);
    for (const n of [3, 4, 5, 6, 7]) expect(page).toContain(`${n}回目`);
    for (const n of [1, 2]) expect(page).not.toContain(`${n}回目`);
    expect(page!.replace(/\s/g, '')).toContain(LATEST_FIVE_NOTE);
    expect(page).toContain('ダイチロナ筋注');
    expect(page).toContain('Daichirona (Daiichi Sankyo)');
    expect(built.preview.doses.map((d) => d.dose)).toEqual([3, 4, 5, 6, 7]);

    const shc = await verifyShc(built.shc, { jwks: issuer.jwks, now: clock.now() });
    expect(shc.immunizations.map((i) => [i.date, i.cvx])).toEqual([
      ['2022-02-10', '207'],
      ['2022-07-20', '520'],
      ['2022-12-05', '300'],
      ['2023-06-12', '229'],
      ['2023-12-18', '213'],
    ]);
    const vds = verifyVdsNc(canonicalize(built.vds)!, { cscas: [pki.csca], now: clock.now() });
    expect(vds.data.msg.ve.map((v) => [v.vd[0]!.seq, v.nam])).toEqual([
      [3, 'SPIKEVAX'],
      [4, 'COMIRNATY'],
      [5, 'COMIRNATY'],
      [6, 'SPIKEVAX'],
      [7, 'DAICHIRONA'],
    ]);
    const report = await verifyInput(built.pdf, { jwks: () => issuer.jwks, cscas: () => [pki.csca] }, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('prints no note and no English names on a domestic certificate of five doses', async () => {
    const built = await builder.build(overseasRecord({ kind: 'domestic', doses: seven.slice(2), person: { ...overseasRecord().person, passport: undefined } }));
    const [page] = pageTexts(built.pdf);
    expect(page!.replace(/\s/g, '')).not.toContain(LATEST_FIVE_NOTE);
    expect(page).not.toContain('Daichirona');
    expect(page).toContain('ダイチロナ筋注');
  });

  it('prints every dose, without the note, when issued before 2023-06-19', async () => {
    const built = await builder.build(overseasRecord({ doses: seven.slice(0, 6), issuedOn: '2023-06-18' }));
    const [page] = pageTexts(built.pdf);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(page).toContain(`${n}回目`);
    expect(page!.replace(/\s/g, '')).not.toContain(LATEST_FIVE_NOTE);
    expect(built.vds!.data.msg.ve).toHaveLength(6);
  });
});
