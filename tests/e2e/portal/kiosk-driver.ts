import type { MenuMunicipality } from '../../../services/common/kiosk-protocol.js';
import { CardWallet, Kiosk, type Answer } from '../../helpers/kiosk.js';

/** An answer of the relay. */
export type RelayAnswer = Answer;

/** A municipality of the step-3 menu (PROTOCOL.md). */
export type MenuEntry = MenuMunicipality;

/**
 * A kiosk terminal as PROTOCOL.md describes it, for the portal's browser tests: the shared test
 * kiosk (its client certificate from certs/out/kiosks/<id>) and card wallet (copies of the demo
 * cards, PIN 1234), driven through whole sessions.
 */
export class KioskDriver {
  readonly #kiosk: Kiosk;
  readonly #wallet = new CardWallet();

  constructor(
    readonly relayUrl: string,
    readonly kioskId = 'KIOSK-0001',
  ) {
    this.#kiosk = new Kiosk(relayUrl, kioskId);
  }

  /** Copies the demo cards to a private folder. */
  async init(): Promise<this> {
    await this.#wallet.init();
    return this;
  }

  async close(): Promise<void> {
    this.#kiosk.close();
    await this.#wallet.dispose();
  }

  call(method: string, path: string, body?: unknown): Promise<RelayAnswer> {
    return this.#kiosk.call(method, path, body);
  }

  /** Steps 2 and 3: opens a session, reads the card (PIN 1234) and signs the challenge; answers the menu. */
  async openWithCard(slug: string): Promise<{ sid: string; menu: MenuEntry[] }> {
    const open = await this.call('POST', '/v1/sessions');
    if (open.status !== 201) throw new Error(`POST /v1/sessions answered ${open.status}: ${open.body.toString()}`);
    const sid = open.json.sessionId as string;
    const { body } = await this.#wallet.present(slug, open.json.challenge as string);
    const card = await this.call('POST', `/v1/sessions/${sid}/card`, body);
    if (card.status !== 200) throw new Error(`card step answered ${card.status}: ${card.body.toString()}`);
    return { sid, menu: card.json.municipalities as MenuEntry[] };
  }

  /** Steps 2–7 for a printed certificate: answers its certificate ID and the receipt. */
  async issue(
    slug: string,
    choice: { municipality: string; kind: 'domestic' | 'overseas'; copies: number },
  ): Promise<{ certificateId: string; receipt: Record<string, unknown> }> {
    const { sid } = await this.openWithCard(slug);
    const created = await this.call('POST', `/v1/sessions/${sid}/requests`, choice);
    if (created.status !== 201) throw new Error(`request answered ${created.status}: ${created.body.toString()}`);
    const rid = created.json.requestId as string;
    const doc = await this.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    if (doc.status !== 200) throw new Error(`document answered ${doc.status}: ${doc.body.toString()}`);
    const certificateId = String(doc.headers['certificate-id']);
    const contentDigest = String(doc.headers['content-digest']);
    const done = await this.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, {
      outcome: 'printed',
      paid: created.json.fee as number,
      contentDigest,
    });
    if (done.status !== 200) throw new Error(`completion answered ${done.status}: ${done.body.toString()}`);
    await this.call('DELETE', `/v1/sessions/${sid}`);
    return { certificateId, receipt: done.json.receipt as Record<string, unknown> };
  }
}
