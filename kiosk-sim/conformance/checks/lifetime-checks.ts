import { createRequest, endSession, offering, openWithCard } from './flow.js';
import { expectProblem, expectThat, notRun, sleep, type Check, type KitContext } from './kit.js';
import { issuable } from './session-checks.js';

/** Seconds the kit waits past a lifetime before it looks. */
const GRACE_MS = 1500;
/** Allowed difference between an announced expiresAt and the configured lifetime. */
const SLACK_MS = 5000;

function ttlOf(ctx: KitContext, which: 'session' | 'document'): number {
  const ttl = which === 'session' ? ctx.options.sessionTtlS : ctx.options.documentTtlS;
  const flag = which === 'session' ? '--session-ttl' : '--document-ttl';
  const variable = which === 'session' ? 'SESSION_TTL_S' : 'DOCUMENT_TTL_S';
  if (ttl === undefined) notRun(`the relay's ${which} lifetime is unknown: configure a short ${variable} and pass it with ${flag} <s>`);
  if (ttl > ctx.options.maxWaitS) notRun(`${flag} ${ttl} s is longer than the kit waits (${ctx.options.maxWaitS} s); configure a shorter ${variable}`);
  return ttl;
}

/** PROTOCOL.md "Lifetimes and erasure": on expiry everything is gone without a DELETE. */
export const lifetimeChecks: Check[] = [
  {
    id: 'lifetime.session',
    group: 'lifetime',
    title: 'a session ends by itself after SESSION_TTL_S: afterwards it answers 404',
    async run(ctx) {
      const ttl = ttlOf(ctx, 'session');
      const c = issuable(ctx);
      const { sid, answer, openedAt } = await openWithCard(ctx, c.card);
      const open = ctx.kiosk;
      const m = offering(answer.json.municipalities, 'domestic')!;
      try {
        await sleep(Math.max(0, openedAt + ttl * 1000 + GRACE_MS - Date.now()));
        expectProblem(await open.call('POST', `/v1/sessions/${sid}/requests`, { municipality: m.code, kind: 'domestic', copies: 1 }), 404, [
          'ERR_SESSION_NOT_FOUND',
        ]);
        expectProblem(await open.call('DELETE', `/v1/sessions/${sid}`), 404, ['ERR_SESSION_NOT_FOUND']);
      } finally {
        await endSession(open, sid);
      }
      return `waited ${Math.round((Date.now() - openedAt) / 1000)} s after the session opened`;
    },
  },
  {
    id: 'lifetime.session-expires-at',
    group: 'lifetime',
    title: 'POST /v1/sessions announces expiresAt = now + SESSION_TTL_S',
    async run(ctx) {
      const ttl = ctx.options.sessionTtlS;
      if (ttl === undefined) notRun("the relay's session lifetime is unknown: pass SESSION_TTL_S with --session-ttl <s>");
      const before = Date.now();
      const a = await ctx.kiosk.call('POST', '/v1/sessions');
      expectThat(a.status === 201, `POST /v1/sessions answered ${a.status}`);
      await endSession(ctx.kiosk, String(a.json.sessionId));
      const exp = Date.parse(String(a.json.expiresAt));
      const want = before + ttl * 1000;
      expectThat(Math.abs(exp - want) <= SLACK_MS, `expiresAt is ${Math.round((exp - before) / 1000)} s ahead, SESSION_TTL_S is ${ttl}`);
    },
  },
  {
    id: 'lifetime.document',
    group: 'lifetime',
    title: 'an unfetched document is gone after DOCUMENT_TTL_S: afterwards it answers 410 ERR_CONSUMED (or 404 once the session ended too)',
    async run(ctx) {
      const ttl = ttlOf(ctx, 'document');
      const c = issuable(ctx);
      const { sid, answer, openedAt } = await openWithCard(ctx, c.card);
      try {
        const m = offering(answer.json.municipalities, 'domestic')!;
        const { rid, answer: created } = await createRequest(ctx.kiosk, sid, { municipality: m.code, kind: 'domestic', copies: 1 });
        // The document was made at the latest now (building it may take a while under load).
        const madeBy = Date.now();
        const exp = Date.parse(String(created.json.expiresAt));
        expectThat(exp <= madeBy + ttl * 1000 + SLACK_MS, `request expiresAt is ${Math.round((exp - madeBy) / 1000)} s ahead, DOCUMENT_TTL_S is ${ttl}`);
        await sleep(Math.max(0, madeBy + ttl * 1000 + GRACE_MS - Date.now()));
        // When the session's own lifetime is (nearly) over too, 404 is as right as 410.
        const sessionGone = ctx.options.sessionTtlS !== undefined && Date.now() + SLACK_MS >= openedAt + ctx.options.sessionTtlS * 1000;
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
        return expectProblem(doc, sessionGone ? [404, 410] : [410], sessionGone ? ['ERR_CONSUMED', 'ERR_SESSION_NOT_FOUND'] : ['ERR_CONSUMED']);
      } finally {
        await endSession(ctx.kiosk, sid);
      }
    },
  },
];
