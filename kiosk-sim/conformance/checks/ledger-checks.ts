import { inflateRawSync } from 'node:zlib';
import { fromShcNumeric } from '../../../services/certificate/shc/numeric.js';
import { readPdfCodes } from '../../../services/certificate/verify/read-pdf-codes.js';
import { headerOf } from '../../../services/common/mtls-json-client.js';
import { describe, type Answer } from '../relay-client.js';
import { withRequest } from './document-checks.js';
import { endSession } from './flow.js';
import { CheckFailure, expectProblem, expectStatus, expectThat, type Check, type KitContext } from './kit.js';
import { issuable } from './session-checks.js';

type Outcome = 'printed' | 'failed' | 'cancelled';
const PAIRS: Array<[Outcome, Outcome]> = [
  ['printed', 'failed'],
  ['failed', 'printed'],
  ['printed', 'cancelled'],
  ['cancelled', 'printed'],
  ['failed', 'cancelled'],
  ['cancelled', 'failed'],
];

/** A served request, its document and a completion body per outcome. */
async function served(ctx: KitContext) {
  const r = await withRequest(ctx, issuable(ctx), 'domestic');
  const doc = await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`);
  if (doc.status !== 200) {
    await endSession(ctx.kiosk, r.sid);
    expectStatus(doc, 200);
  }
  const fee = r.request.json.fee as number;
  const body = (o: Outcome) => (o === 'printed' ? { outcome: o, paid: fee, contentDigest: headerOf(doc, 'content-digest') } : { outcome: o, paid: 0 });
  return { ...r, doc, body, path: `/v1/sessions/${r.sid}/requests/${r.rid}/completion` };
}

/** The `vc.iss`, `kid` and `vc.rid` of the SMART Health Card printed on a document. */
function shcOf(doc: Answer): { iss: string; kid: string; rid?: string } {
  const code = readPdfCodes(doc.body)
    .flatMap((p) => p.codes)
    .find((c) => c.startsWith('shc:/'));
  expectThat(code, 'no SMART Health Card QR code on the document');
  const [h, p] = fromShcNumeric(code).split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as { kid: string };
  const payload = JSON.parse(inflateRawSync(Buffer.from(p!, 'base64url')).toString('utf8')) as { iss: string; vc: { rid?: string } };
  return { iss: payload.iss, kid: header.kid, ...(payload.vc.rid !== undefined ? { rid: payload.vc.rid } : {}) };
}

/**
 * Issue 14: one request, one outcome, decided once; a served document that is not printed is
 * revoked. These checks hold another relay to the same books.
 */
export const ledgerChecks: Check[] = [
  {
    id: 'ledger.racing-completions',
    group: 'ledger',
    title: 'two different completions at the same moment: one decides, the other answers 409 ERR_COMPLETION_CONFLICT naming that outcome',
    async run(ctx) {
      for (const [a, b] of PAIRS) {
        const r = await served(ctx);
        try {
          const answers = await Promise.all([ctx.kiosk.call('POST', r.path, r.body(a)), ctx.kiosk.call('POST', r.path, r.body(b))]);
          const won = answers.filter((x) => x.status === 200);
          if (won.length !== 1) throw new CheckFailure(`${a} vs ${b}: ${won.length} answers were 200 (${answers.map(describe).join('; ')})`);
          const winner = won[0]!;
          const loser = answers.find((x) => x !== winner)!;
          expectProblem(loser, 409, ['ERR_COMPLETION_CONFLICT']);
          expectThat(
            loser.json?.outcome === winner.json?.outcome,
            `${a} vs ${b}: the conflict names ${JSON.stringify(loser.json?.outcome)}, the winner ${JSON.stringify(winner.json?.outcome)}`,
          );
          expectThat(JSON.stringify(loser.json?.receipt) === JSON.stringify(winner.json?.receipt), `${a} vs ${b}: the conflict's receipt is not the winner's`);
          const decided = winner.json?.outcome as Outcome;
          const again = await ctx.kiosk.call('POST', r.path, r.body(decided));
          expectThat(
            again.status === 200 && JSON.stringify(again.json?.receipt) === JSON.stringify(winner.json?.receipt),
            `${a} vs ${b}: repeating the winning body answered ${describe(again)}`,
          );
        } finally {
          await endSession(ctx.kiosk, r.sid);
        }
      }
      return `${PAIRS.length} pairs, both orders`;
    },
  },
  {
    id: 'ledger.request-rules',
    group: 'ledger',
    title:
      'step 4 replaces an unserved request, answers 409 ERR_REQUEST_OPEN while a served one is open, 429 ERR_REQUEST_LIMIT past the limit, 409 ERR_SESSION_STATE after the purchase',
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic');
      try {
        const choice = { municipality: r.answer.json.municipalities.find((m: { domestic: boolean }) => m.domestic).code, kind: 'domestic', copies: 1 };
        const next = await ctx.kiosk.call('POST', `/v1/sessions/${r.sid}/requests`, choice);
        expectStatus(next, 201);
        expectProblem(await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`), 410, ['ERR_CONSUMED']);
        let limit: Answer | undefined;
        for (let i = 0; i < 50 && !limit; i++) {
          const a = await ctx.kiosk.call('POST', `/v1/sessions/${r.sid}/requests`, choice);
          if (a.status !== 201) limit = a;
        }
        expectThat(limit, 'no limit within 52 requests of one session');
        expectProblem(limit, 429, ['ERR_REQUEST_LIMIT']);
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
      const s = await served(ctx);
      try {
        const choice = { municipality: s.answer.json.municipalities.find((m: { domestic: boolean }) => m.domestic).code, kind: 'domestic', copies: 1 };
        expectProblem(await ctx.kiosk.call('POST', `/v1/sessions/${s.sid}/requests`, choice), 409, ['ERR_REQUEST_OPEN']);
        expectStatus(await ctx.kiosk.call('POST', s.path, s.body('printed')), 200);
        expectProblem(await ctx.kiosk.call('POST', `/v1/sessions/${s.sid}/requests`, choice), 409, ['ERR_SESSION_STATE']);
      } finally {
        await endSession(ctx.kiosk, s.sid);
      }
    },
  },
  {
    id: 'ledger.revocation',
    group: 'ledger',
    title: 'a served document completed failed is revoked: its vc.rid on the CRL of its kid, and the JWKS crlVersion equals the CRL ctr',
    async run(ctx) {
      const r = await served(ctx);
      let shc: ReturnType<typeof shcOf>;
      try {
        shc = shcOf(r.doc);
        expectThat(shc.rid !== undefined && /^[A-Za-z0-9_-]{1,24}$/.test(shc.rid), `vc.rid ${JSON.stringify(shc.rid)} is not 1–24 base64url characters`);
        expectStatus(await ctx.kiosk.call('POST', r.path, r.body('failed')), 200);
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
      // The issuer's public files, on the relay under test at the issuer URL's path.
      const base = `${new URL(shc.iss).pathname.replace(/\/$/, '')}/.well-known`;
      const crl = await ctx.anonymous.call('GET', `${base}/crl/${shc.kid}.json`);
      expectStatus(crl, 200);
      expectThat(crl.json?.kid === shc.kid && crl.json?.method === 'rid', `the CRL is ${JSON.stringify({ kid: crl.json?.kid, method: crl.json?.method })}`);
      const rids = (crl.json.rids ?? []) as string[];
      expectThat(rids.map((x) => x.split('.')[0]).includes(shc.rid!), 'the rid of the failed document is not on the CRL');
      expectThat(new Set(rids).size === rids.length, 'the CRL lists a rid twice');
      const jwks = await ctx.anonymous.call('GET', `${base}/jwks.json`);
      const key = (jwks.json?.keys ?? []).find((k: { kid: string }) => k.kid === shc.kid);
      expectThat(key, "the JWKS has no key of the document's kid");
      expectThat(
        Number.isInteger(key.crlVersion) && key.crlVersion >= 1 && key.crlVersion === crl.json.ctr,
        `crlVersion ${key.crlVersion} is not the CRL's ctr ${crl.json.ctr}`,
      );
      return `ctr ${crl.json.ctr}`;
    },
  },
];
