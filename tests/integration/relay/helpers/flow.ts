import { expect } from 'vitest';
import type { Answer, CardWallet, Kiosk } from '../../../helpers/kiosk.js';

/** Steps 2 and 3: a session with an accepted card. */
export async function openWithCard(kiosk: Kiosk, wallet: CardWallet, slug: string): Promise<{ sid: string; card: Answer }> {
  const open = await kiosk.call('POST', '/v1/sessions');
  expect(open.status, JSON.stringify(open.json)).toBe(201);
  const sid = open.json.sessionId as string;
  const { body } = await wallet.present(slug, open.json.challenge as string);
  const card = await kiosk.call('POST', `/v1/sessions/${sid}/card`, body);
  return { sid, card };
}

/** Steps 2–5 for a holder: returns the served document. */
export async function requestAndFetch(
  kiosk: Kiosk,
  wallet: CardWallet,
  slug: string,
  choice: { municipality: string; kind: 'domestic' | 'overseas'; copies: number },
): Promise<{ sid: string; rid: string; created: Answer; doc: Answer }> {
  const { sid, card } = await openWithCard(kiosk, wallet, slug);
  expect(card.status, JSON.stringify(card.json)).toBe(200);
  const created = await kiosk.call('POST', `/v1/sessions/${sid}/requests`, choice);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const rid = created.json.requestId as string;
  const doc = await kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
  expect(doc.status).toBe(200);
  return { sid, rid, created, doc };
}

/** Waits until `check` holds (polling). */
export async function eventually(check: () => Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not reached within ${ms} ms`);
}
