import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoMunicipalities } from '../../../certs/demo-cast.js';
import { cardAcceptedSchema, problemSchema, type MenuMunicipality } from '../../../services/common/kiosk-protocol.js';
import { CardWallet, Kiosk } from '../../helpers/kiosk.js';
import { openWithCard } from './helpers/flow.js';
import { LogCapture } from './helpers/log-capture.js';
import { startTestRelay } from './helpers/test-relay.js';
import { startTestVrs, type TestVrs } from './helpers/test-vrs.js';

const contactOf = (code: string) => demoMunicipalities.find((m) => m.code === code)!.contact;

/**
 * Issue 18 at the kiosk protocol (step 3 menu, step 4 refusal): each menu entry carries
 * `overseasDetail` beside the `unavailableReason` old kiosks know, and the municipality's `contact`.
 */
describe('menu: overseas detail and 問合せ先 (real VRS, demo cast)', () => {
  const logs = new LogCapture();
  let vrs: TestVrs;
  let relay: Awaited<ReturnType<typeof startTestRelay>>;
  let kiosk: Kiosk;
  let wallet: CardWallet;

  beforeAll(async () => {
    vrs = await startTestVrs({ databaseUrl: inject('databaseUrl'), logs });
    relay = await startTestRelay({ vrsUrl: vrs.url, store: 'memory', redisUrl: inject('redisUrl'), logs });
    kiosk = new Kiosk(relay.url, 'KIOSK-0001');
    wallet = await new CardWallet().init();
  });
  afterAll(async () => {
    await relay?.stop();
    await vrs?.destroy();
  });

  const menu = async (slug: string): Promise<{ sid: string; entries: MenuMunicipality[] }> => {
    const { sid, card } = await openWithCard(kiosk, wallet, slug);
    expect(card.status, JSON.stringify(card.json)).toBe(200);
    return { sid, entries: cardAcceptedSchema.parse(card.json).municipalities };
  };

  it('offers overseas after a counter issuance on or after 2022-07-21, with no detail', async () => {
    const { entries } = await menu('inoue-daisuke');
    expect(entries).toEqual([{ code: '162027', name: '高岡市', domestic: true, overseas: true, contact: contactOf('162027') }]);
  });

  it.each([
    ['kimura-rie', '131016', 'no_counter_issuance'],
    ['hayashi-naoki', '122246', 'passport_changed'],
    ['yamada-taro', '131016', 'no_passport_on_file'],
  ] as const)('%s (%s): overseas refused with overseasDetail %s, the reason old kiosks know unchanged', async (slug, code, detail) => {
    const { sid, entries } = await menu(slug);
    expect(entries).toEqual([
      {
        code,
        name: expect.any(String),
        domestic: true,
        overseas: false,
        unavailableReason: 'no_passport_on_file',
        overseasDetail: detail,
        contact: contactOf(code),
      },
    ]);
    const refused = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: code, kind: 'overseas', copies: 1 });
    expect(refused.status).toBe(422);
    expect(problemSchema.parse(refused.json)).toMatchObject({ code: 'ERR_NO_PASSPORT_ON_FILE', overseasDetail: detail });
    // Domestic is still offered.
    const domestic = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: code, kind: 'domestic', copies: 1 });
    expect(domestic.status, JSON.stringify(domestic.json)).toBe(201);
    await kiosk.call('DELETE', `/v1/sessions/${sid}`);
  });

  it('names whom to ask on the refusals of a municipality not taking part and of records not issuable', async () => {
    expect((await menu('tanaka-ken')).entries).toEqual([
      { code: '011002', name: '札幌市', domestic: false, overseas: false, unavailableReason: 'not_participating', contact: contactOf('011002') },
    ]);
    expect((await menu('takahashi-misaki')).entries).toEqual([
      { code: '131016', name: '千代田区', domestic: false, overseas: false, unavailableReason: 'not_issuable', contact: contactOf('131016') },
    ]);
  });

  it('still offers overseas to the residents with overseas on file, from their counter or app issuance', async () => {
    for (const [slug, code] of [
      ['sato-hanako', '122246'],
      ['suzuki-ichiro', '131016'],
      ['nakamura-yuko', '162027'],
      ['kato-haruto', '131016'],
    ] as const) {
      const { sid, entries } = await menu(slug);
      expect(
        entries.find((m) => m.code === code),
        slug,
      ).toMatchObject({ domestic: true, overseas: true, contact: contactOf(code) });
      await kiosk.call('DELETE', `/v1/sessions/${sid}`);
    }
  });
});
