import canonicalize from 'canonicalize';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateBuilder, type CertificateBuilder } from '../../../services/certificate/index.js';
import { catalogueEntryOf, CVX_UNSPECIFIED, unknownProducts, VACCINE_CATALOGUE, vaccineOf } from '../../../services/certificate/vaccines.js';
import { crossCheck } from '../../../services/certificate/verify/cross-check.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { verifyVdsNc } from '../../../services/certificate/verify/verify-vds.js';
import { makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture, type VdsPkiFixture } from './fixtures.js';

describe('vaccine catalogue', () => {
  it.each([
    ['ファイザー', 'コミナティ筋注', undefined, '208', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注5～11歳用', undefined, '218', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注6ヵ月～4歳用', undefined, '219', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティRTU筋注（2価：起源株/オミクロン株BA.1）', undefined, '520', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティRTU筋注（2価：起源株／オミクロン株ＢＡ．４－５）', undefined, '300', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注5~11歳用（2価：起源株/オミクロン株BA.4-5）', undefined, '301', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティRTU筋注（1価：オミクロン株XBB.1.5）', undefined, '309', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注シリンジ12歳以上用（1価：オミクロン株XBB.1.5）', undefined, '309', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注5～11歳用（1価：オミクロン株XBB.1.5）', undefined, '310', 'XM0GQ8', 'COMIRNATY'],
    ['ファイザー', 'コミナティ筋注6ヵ月～4歳用（1価：オミクロン株XBB.1.5）', undefined, '308', 'XM0GQ8', 'COMIRNATY'],
    ['モデルナ', 'スパイクバックス筋注', '0.25', '207', 'XM0GQ8', 'SPIKEVAX'],
    ['武田/モデルナ', 'COVID-19ワクチンモデルナ筋注', '0.5', '207', 'XM0GQ8', 'SPIKEVAX'],
    ['モデルナ', 'スパイクバックス筋注（2価：起源株/オミクロン株BA.1）', '0.5', '519', 'XM0GQ8', 'SPIKEVAX'],
    ['モデルナ', 'スパイクバックス筋注（2価：起源株/オミクロン株BA.4-5）', '0.5', '229', 'XM0GQ8', 'SPIKEVAX'],
    ['モデルナ', 'スパイクバックス筋注（1価：オミクロン株XBB.1.5）', '0.5', '312', 'XM0GQ8', 'SPIKEVAX'],
    ['モデルナ', 'スパイクバックス筋注（1価：オミクロン株XBB.1.5）', '0.25', '311', 'XM0GQ8', 'SPIKEVAX'],
    ['武田薬品', 'ヌバキソビッド筋注', '0.5', '211', 'XM5JC5', 'NUVAXOVID'],
    ['アストラゼネカ', 'バキスゼブリア筋注', '0.5', '210', 'XM9QW8', 'VAXZEVRIA'],
    ['第一三共', 'ダイチロナ筋注', '0.6', '213', 'XM0GQ8', 'DAICHIRONA'],
    ['第一三共', 'ダイチロナ筋注（1価：オミクロン株XBB.1.5）', '0.6', '213', 'XM0GQ8', 'DAICHIRONA'],
  ])('maps %s %s (%s ml) to CVX %s, ICD-11 %s, nam %s', (maker, product, amount, cvx, icd11, nam) => {
    const v = vaccineOf({ maker, product, ...(amount ? { amount } : {}) });
    expect(v).toMatchObject({ cvx, icd11, nam });
    expect(v.entry).toBeDefined();
    expect(v.nameEn).toMatch(/^[\x20-\x7e]+$/);
  });

  it('issues a product it does not know under CVX 213, typed from the maker or the vaccine type', () => {
    expect(vaccineOf({ maker: '未知製薬', product: 'ナゾワクチン', vaccineType: 'mRNA' })).toEqual({
      cvx: CVX_UNSPECIFIED,
      icd11: 'XM0GQ8',
      nam: 'COVID-19 VACCINE',
    });
    expect(vaccineOf({ maker: '未知製薬', product: 'ナゾワクチン' })).toEqual({ cvx: CVX_UNSPECIFIED, icd11: 'XM68M6', nam: 'COVID-19 VACCINE' });
    // a bivalent Comirnaty that does not say which variant, and a formulation Japan never used
    expect(vaccineOf({ maker: 'ファイザー', product: 'コミナティRTU筋注（2価）' })).toEqual({ cvx: CVX_UNSPECIFIED, icd11: 'XM0GQ8', nam: 'COMIRNATY' });
    expect(vaccineOf({ maker: 'ファイザー', product: 'コミナティ筋注6ヵ月～4歳用（2価：起源株/オミクロン株BA.1）' }).cvx).toBe(CVX_UNSPECIFIED);
    expect(
      unknownProducts([
        { maker: '武田薬品', product: 'ヌバキソビッド筋注' },
        { maker: '未知製薬', product: 'ナゾワクチン' },
      ]),
    ).toEqual([{ maker: '未知製薬', product: 'ナゾワクチン' }]);
  });

  it('finds every entry from its own product text, and gives each an English name and a source', () => {
    for (const e of VACCINE_CATALOGUE) {
      expect(catalogueEntryOf({ product: e.product, ...(e.amount ? { amount: e.amount } : { amount: '0.5' }) })?.id, e.id).toBe(e.id);
      expect(e.nameEn.length).toBeGreaterThan(0);
      expect(e.source.length).toBeGreaterThan(0);
      expect(e.brand.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('every catalogue entry builds a certificate the project verifies', () => {
  let pki: VdsPkiFixture;
  let issuer: ShcIssuerFixture;
  let builder: CertificateBuilder;
  beforeAll(async () => {
    pki = await makeVdsPki();
    issuer = await makeShcIssuer();
    builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer });
  });

  it.each(VACCINE_CATALOGUE.map((e) => [e.id, e] as const))('%s', async (_id, e) => {
    const base = overseasRecord();
    const doses = base.doses.slice(0, 2).map((d) => ({ ...d, maker: e.maker, product: e.product, amount: e.amount ?? '0.5' }));
    const built = await builder.build({ ...base, doses });
    const shc = await verifyShc(built.shc, { jwks: issuer.jwks });
    expect(shc.immunizations.map((i) => i.cvx)).toEqual([e.cvx, e.cvx]);
    const vds = verifyVdsNc(canonicalize(built.vds)!, { cscas: [pki.csca] });
    expect(vds.data.msg.ve.map((v) => [v.nam, v.des])).toEqual([
      [e.brand, e.icd11],
      [e.brand, e.icd11],
    ]);
    expect(crossCheck(shc, vds)).toEqual([]);
  });
});
