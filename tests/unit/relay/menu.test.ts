import { describe, expect, it } from 'vitest';
import type { LookupMunicipality } from '../../../services/common/lgwan-contract.js';
import { assertOffered, menuOf } from '../../../services/relay/menu/menu.js';

const m = (over: Partial<LookupMunicipality>): LookupMunicipality => ({
  code: '131016',
  name: '千代田区',
  participates: true,
  suspended: false,
  domestic: true,
  overseas: true,
  ...over,
});

describe('menu', () => {
  it('offers overseas only with passport data on file', () => {
    expect(menuOf([m({ overseas: false, overseasUnavailableReason: 'no_passport_on_file' })])).toEqual([
      { code: '131016', name: '千代田区', domestic: true, overseas: false, unavailableReason: 'no_passport_on_file' },
    ]);
  });
  it('passes on which overseas rule refused and the 問合せ先, keeping the reason old kiosks know', () => {
    const contact = { office: '千代田区 保健所 健康推進課', phone: '03-5211-0001' };
    for (const overseasDetail of ['no_passport_on_file', 'no_counter_issuance', 'passport_changed'] as const) {
      expect(menuOf([m({ overseas: false, overseasUnavailableReason: 'no_passport_on_file', overseasDetail, contact })])).toEqual([
        { code: '131016', name: '千代田区', domestic: true, overseas: false, unavailableReason: 'no_passport_on_file', overseasDetail, contact },
      ]);
    }
    // A municipality not taking part still names whom to ask; no overseas detail there.
    expect(menuOf([m({ participates: false, contact })])[0]).toEqual({
      code: '131016',
      name: '千代田区',
      domestic: false,
      overseas: false,
      unavailableReason: 'not_participating',
      contact,
    });
  });
  it('refuses an overseas request with the detail of the menu', () => {
    let problem: { code?: string; extras?: Record<string, unknown> } = {};
    try {
      assertOffered([m({ overseas: false, overseasUnavailableReason: 'no_passport_on_file', overseasDetail: 'passport_changed' })], '131016', 'overseas');
    } catch (e) {
      problem = e as typeof problem;
    }
    expect(problem.code).toBe('ERR_NO_PASSPORT_ON_FILE');
    expect(problem.extras).toEqual({ overseasDetail: 'passport_changed' });
  });
  it('offers nothing from a municipality that does not take part or has suspended', () => {
    expect(menuOf([m({ participates: false })])[0]).toMatchObject({ domestic: false, overseas: false, unavailableReason: 'not_participating' });
    // Even if VRS said domestic: true, a suspended municipality is not offered.
    expect(menuOf([m({ suspended: true })])[0]).toMatchObject({ domestic: false, overseas: false, unavailableReason: 'suspended' });
  });
  it('refuses each unavailable choice with its code', () => {
    const code = (fn: () => void) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(() => assertOffered([m({})], '162027', 'domestic'))).toBe('ERR_MUNICIPALITY_UNAVAILABLE');
    expect(code(() => assertOffered([m({ participates: false })], '131016', 'domestic'))).toBe('ERR_MUNICIPALITY_UNAVAILABLE');
    expect(code(() => assertOffered([m({ suspended: true })], '131016', 'domestic'))).toBe('ERR_MUNICIPALITY_UNAVAILABLE');
    expect(code(() => assertOffered([m({ domestic: false, overseas: false, unavailableReason: 'not_issuable' })], '131016', 'domestic'))).toBe(
      'ERR_NOT_ISSUABLE',
    );
    expect(code(() => assertOffered([m({ overseas: false })], '131016', 'overseas'))).toBe('ERR_NO_PASSPORT_ON_FILE');
    expect(code(() => assertOffered([m({})], '131016', 'overseas'))).toBe('none');
  });
});
