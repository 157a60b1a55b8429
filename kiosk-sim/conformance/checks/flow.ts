import { presentCard, type CardBody, type HolderData, type KitCard } from '../cards.js';
import type { MenuItem } from '../discover.js';
import type { Answer, ConformanceClient } from '../relay-client.js';
import { expectStatus, expectThat, notRun, type KitContext } from './kit.js';

/** Step 2: a new session (201), or a failure naming what the relay said. */
export async function openSession(
  ctx: KitContext,
  client: ConformanceClient = ctx.kiosk,
): Promise<{ sid: string; challenge: string; answer: Answer; openedAt: number }> {
  if (ctx.serviceOpen === false) notRun('the relay is closed (GET /v1/service answered open:false)');
  const answer = await client.call('POST', '/v1/sessions');
  // The session was opened at the latest now: lifetimes are waited out from here.
  const openedAt = Date.now();
  expectStatus(answer, 201);
  expectThat(typeof answer.json?.sessionId === 'string' && typeof answer.json?.challenge === 'string', 'POST /v1/sessions: no sessionId or challenge');
  return { sid: answer.json.sessionId as string, challenge: answer.json.challenge as string, answer, openedAt };
}

/** Steps 2 and 3 with a card the relay accepts: the session, the card answer and the holder. */
export async function openWithCard(
  ctx: KitContext,
  card: KitCard,
  client: ConformanceClient = ctx.kiosk,
): Promise<{ sid: string; answer: Answer; holder: HolderData; body: CardBody; openedAt: number }> {
  const { sid, challenge, openedAt } = await openSession(ctx, client);
  const { body, holder } = await presentCard(card, challenge);
  ctx.holders.set(holder.myNumber, holder);
  const answer = await client.call('POST', `/v1/sessions/${sid}/card`, body);
  if (answer.status !== 200) await endSession(client, sid);
  expectStatus(answer, 200);
  return { sid, answer, holder, body, openedAt };
}

/** Step 4 for one municipality and kind; expects 201. */
export async function createRequest(
  client: ConformanceClient,
  sid: string,
  choice: { municipality: string; kind: 'domestic' | 'overseas'; copies: number },
): Promise<{ rid: string; answer: Answer }> {
  const answer = await client.call('POST', `/v1/sessions/${sid}/requests`, choice);
  expectStatus(answer, 201);
  expectThat(typeof answer.json?.requestId === 'string', 'POST …/requests: no requestId');
  return { rid: answer.json.requestId as string, answer };
}

/** Step 7, best effort (cleanup). */
export async function endSession(client: ConformanceClient, sid: string): Promise<void> {
  await client.call('DELETE', `/v1/sessions/${sid}`).catch(() => undefined);
}

/** The first municipality of a menu offering `kind`. */
export function offering(menu: MenuItem[], kind: 'domestic' | 'overseas'): MenuItem | undefined {
  return menu.find((m) => m[kind] === true);
}

/** Runs `fn` with a session that is always ended afterwards. */
export async function withSession<T>(client: ConformanceClient, sid: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await endSession(client, sid);
  }
}
