import { describe, expect, it } from 'vitest';
import { vaccineOf } from '../../../services/certificate/vaccines.js';

describe('vaccine catalogue', () => {
  it.each([
    ['ファイザー', 'コミナティ筋注', '208', 'XM0GQ8', 'Comirnaty'],
    ['モデルナ', 'スパイクバックス筋注', '207', 'XM0GQ8', 'Spikevax'],
    ['武田/モデルナ', 'COVID-19ワクチンモデルナ筋注', '207', 'XM0GQ8', 'Spikevax'],
    ['武田薬品', 'ヌバキソビッド筋注', '211', 'XM5JC5', 'Nuvaxovid'],
    ['アストラゼネカ', 'バキスゼブリア筋注', '210', 'XM9QW8', 'Vaxzevria'],
  ])('maps %s %s to CVX %s and ICD-11 %s', (maker, product, cvx, icd11, brand) => {
    expect(vaccineOf({ maker, product }, 0)).toMatchObject({ cvx, icd11, brand });
  });

  it('refuses an unknown product with a coded error naming the dose', () => {
    expect(() => vaccineOf({ maker: '未知製薬', product: 'ナゾワクチン' }, 2)).toThrow(expect.objectContaining({ code: 'ERR_CERTIFICATE_DATA', field: 'doses[2].product' }));
  });
});
