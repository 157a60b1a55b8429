import { randomBytes } from 'node:crypto';
import { describe } from '../relay-client.js';
import { createRequest, endSession, offering, openSession, openWithCard } from './flow.js';
import { expectProblem, expectStatus, expectThat, identifierBits, notRun, type Check, type KitContext } from './kit.js';

/** A well-formed step-3 body that belongs to no card (so only the session decides the answer). */
const DUMMY_CARD = { ef0001: 'AA==', ef0002: 'AA==', ef0003: 'AA==', ef0004: 'AA==', ef0007: 'AA==', challengeSignature: 'AA==' };

function issuable(ctx: KitContext) {
  const c = ctx.discovery.issuable[0];
  if (!c) notRun(`no card with a municipality offering domestic certificates (${ctx.discovery.blocked ?? 'see the card lines above'})`);
  return c;
}

/** Sessions: opening (endpoint 2), ownership by kiosk, unknown sessions, DELETE (endpoint 7). */
export const sessionChecks: Check[] = [
  {
    id: 'session.open',
    group: 'session',
    title: 'POST /v1/sessions answers 201 { sessionId, challenge (32 bytes), expiresAt } with random identifiers',
    async run(ctx) {
      const seen = new Set<string>();
      const challenges = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const { sid, challenge, answer } = await openSession(ctx);
        try {
          expectThat(identifierBits(sid) >= 128, `sessionId "${sid.slice(0, 4)}…" carries fewer than 128 random bits (${sid.length} characters)`);
          expectThat(Buffer.from(challenge, 'base64').length === 32, `challenge is ${Buffer.from(challenge, 'base64').length} bytes, not 32`);
          const exp = Date.parse(String(answer.json.expiresAt));
          expectThat(Number.isFinite(exp) && exp > Date.now(), `expiresAt ${JSON.stringify(answer.json.expiresAt)} is not a future time`);
          expectThat(!seen.has(sid), 'a sessionId was repeated');
          expectThat(!challenges.has(challenge), 'a challenge was repeated');
          seen.add(sid);
          challenges.add(challenge);
        } finally {
          await endSession(ctx.kiosk, sid);
        }
      }
    },
  },
  {
    id: 'session.unknown',
    group: 'session',
    title: 'an unknown session answers 404 on every session endpoint',
    async run(ctx) {
      if (ctx.serviceOpen === false) notRun('the relay is closed');
      const sid = randomBytes(16).toString('base64url');
      const rid = randomBytes(16).toString('base64url');
      const calls: [string, string, unknown?][] = [
        ['POST', `/v1/sessions/${sid}/card`, DUMMY_CARD],
        ['POST', `/v1/sessions/${sid}/requests`, { municipality: '131016', kind: 'domestic', copies: 1 }],
        ['GET', `/v1/sessions/${sid}/requests/${rid}/document`],
        ['POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { outcome: 'cancelled', paid: 0, contentDigest: 'sha-256=:AA==:' }],
        ['DELETE', `/v1/sessions/${sid}`],
      ];
      for (const [m, p, b] of calls) expectProblem(await ctx.kiosk.call(m, p, b), 404, ['ERR_SESSION_NOT_FOUND']);
    },
  },
  {
    id: 'session.other-kiosk',
    group: 'session',
    title: 'another kiosk gets 404 for a session, its request and its document, and cannot end it',
    async run(ctx) {
      const other = ctx.otherKiosk;
      if (!other) notRun('needs a second kiosk certificate: give --kiosk twice');
      const c = issuable(ctx);
      const { sid } = await openWithCard(ctx, c.card);
      try {
        const m = offering(c.menu!, 'domestic')!;
        const { rid } = await createRequest(ctx.kiosk, sid, { municipality: m.code, kind: 'domestic', copies: 1 });
        const calls: [string, string, unknown?][] = [
          ['POST', `/v1/sessions/${sid}/card`, DUMMY_CARD],
          ['POST', `/v1/sessions/${sid}/requests`, { municipality: m.code, kind: 'domestic', copies: 1 }],
          ['GET', `/v1/sessions/${sid}/requests/${rid}/document`],
          ['POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { outcome: 'cancelled', paid: 0 }],
          ['DELETE', `/v1/sessions/${sid}`],
        ];
        for (const [method, path, body] of calls) {
          const a = await other.call(method, path, body);
          expectThat(a.status === 404, `kiosk ${other.kiosk!.kioskId}: expected 404, got ${describe(a)}`);
          expectProblem(a, 404, ['ERR_SESSION_NOT_FOUND', 'ERR_REQUEST_NOT_FOUND', 'ERR_NOT_FOUND']);
        }
        // The owner still has everything: nothing the other kiosk did touched it.
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
        expectThat(doc.status === 200, `after the other kiosk's attempts the owner got ${describe(doc)} for its document`);
      } finally {
        await endSession(ctx.kiosk, sid);
      }
    },
  },
  {
    id: 'session.delete',
    group: 'session',
    title: 'DELETE /v1/sessions/{sid} answers 204 and erases the session, its request and its document',
    async run(ctx) {
      const c = issuable(ctx);
      const { sid } = await openWithCard(ctx, c.card);
      const m = offering(c.menu!, 'domestic')!;
      const { rid } = await createRequest(ctx.kiosk, sid, { municipality: m.code, kind: 'domestic', copies: 1 });
      const del = await ctx.kiosk.call('DELETE', `/v1/sessions/${sid}`);
      expectStatus(del, 204);
      expectThat(del.body.length === 0, '204 with a body');
      const doc = await ctx.kiosk.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
      expectProblem(doc, [404, 410], ['ERR_SESSION_NOT_FOUND', 'ERR_REQUEST_NOT_FOUND', 'ERR_CONSUMED']);
      expectProblem(await ctx.kiosk.call('POST', `/v1/sessions/${sid}/requests`, { municipality: m.code, kind: 'domestic', copies: 1 }), 404, [
        'ERR_SESSION_NOT_FOUND',
      ]);
      expectProblem(await ctx.kiosk.call('DELETE', `/v1/sessions/${sid}`), 404, ['ERR_SESSION_NOT_FOUND']);
    },
  },
];

export { issuable };
