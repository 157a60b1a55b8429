import { headerOf } from '../../../services/common/mtls-json-client.js';
import { describe, type Answer } from '../relay-client.js';
import { contentDigestOf, documentDefect } from '../pdf-text.js';
import type { HolderData } from '../cards.js';
import type { ClassifiedCard } from '../discover.js';
import { createRequest, endSession, offering, openWithCard } from './flow.js';
import { expectProblem, expectStatus, expectThat, notRun, type Check, type KitContext } from './kit.js';
import { issuable } from './session-checks.js';

/** Why a document answer is not a PDF of `holder` with a correct Content-Digest, or undefined. */
export function servedDocumentDefect(doc: Answer, holder: HolderData, others: HolderData[]): string | undefined {
  if (doc.status !== 200) return `expected 200, got ${describe(doc)}`;
  const type = String(headerOf(doc, 'content-type') ?? '');
  if (!/^application\/pdf\b/i.test(type)) return `Content-Type is "${type}", not application/pdf`;
  if (doc.body.subarray(0, 5).toString('latin1') !== '%PDF-') return 'the body is not a PDF';
  const digest = headerOf(doc, 'content-digest');
  if (!digest) return 'no Content-Digest header';
  if (digest.trim() !== contentDigestOf(doc.body)) return 'Content-Digest does not match the body';
  const certificateId = headerOf(doc, 'certificate-id');
  if (!certificateId) return 'no Certificate-Id header';
  return documentDefect(doc.body, certificateId, holder, others);
}

/** A session with a request at the first municipality offering `kind`. */
export async function withRequest(ctx: KitContext, c: ClassifiedCard, kind: 'domestic' | 'overseas', copies = 1) {
  const opened = await openWithCard(ctx, c.card);
  const m = offering(opened.answer.json.municipalities ?? [], kind);
  if (!m) {
    await endSession(ctx.kiosk, opened.sid);
    throw new Error(`the card answer offers no ${kind} certificate any more`);
  }
  try {
    const { rid, answer } = await createRequest(ctx.kiosk, opened.sid, { municipality: m.code, kind, copies });
    return { ...opened, rid, request: answer };
  } catch (err) {
    await endSession(ctx.kiosk, opened.sid);
    throw err;
  }
}

const others = (ctx: KitContext) => [...ctx.holders.values()];

/** Steps 5 and 6 (endpoints 5 and 6). */
export const documentChecks: Check[] = [
  {
    id: 'document.served',
    group: 'document',
    title: "GET …/document answers the holder's PDF with a matching Content-Digest and a Certificate-Id on every page",
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic');
      try {
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`);
        const defect = servedDocumentDefect(doc, r.holder, others(ctx));
        expectThat(!defect, defect!);
        return `Certificate-Id ${headerOf(doc, 'certificate-id')}, ${doc.body.length} bytes`;
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
  {
    id: 'document.overseas',
    group: 'document',
    title: 'an overseas certificate is created and served like a domestic one',
    async run(ctx) {
      const c = ctx.discovery.overseas[0];
      if (!c) notRun('no card among the card files has a municipality offering overseas certificates (passport data on file)');
      const r = await withRequest(ctx, c, 'overseas');
      try {
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`);
        const defect = servedDocumentDefect(doc, r.holder, others(ctx));
        expectThat(!defect, defect!);
        return `${r.request.json.pages} page(s)`;
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
  {
    id: 'document.served-once',
    group: 'document',
    title: 'a document fetched a second time answers 410 ERR_CONSUMED',
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic');
      try {
        const path = `/v1/sessions/${r.sid}/requests/${r.rid}/document`;
        expectStatus(await ctx.kiosk.call('GET', path), 200);
        expectProblem(await ctx.kiosk.call('GET', path), 410, ['ERR_CONSUMED']);
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
  {
    id: 'completion.printed',
    group: 'completion',
    title: 'a printed completion answers the receipt { copies, fee, paid, change, issuedAt, kioskId, storeId }',
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic', 2);
      try {
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`);
        expectStatus(doc, 200);
        const fee = r.request.json.fee as number;
        const a = await ctx.kiosk.call('POST', `/v1/sessions/${r.sid}/requests/${r.rid}/completion`, {
          outcome: 'printed',
          paid: fee + 100,
          contentDigest: headerOf(doc, 'content-digest'),
        });
        expectStatus(a, 200);
        const rc = a.json?.receipt;
        expectThat(rc && typeof rc === 'object', 'no receipt');
        expectThat(
          rc.copies === 2 && rc.fee === fee && rc.paid === fee + 100 && rc.change === 100,
          `receipt copies/fee/paid/change ${JSON.stringify([rc.copies, rc.fee, rc.paid, rc.change])}, expected ${JSON.stringify([2, fee, fee + 100, 100])}`,
        );
        expectThat(typeof rc.issuedAt === 'string' && Number.isFinite(Date.parse(rc.issuedAt)), 'issuedAt is not a time');
        const kiosk = ctx.kiosk.kiosk!;
        expectThat(rc.kioskId === kiosk.kioskId, `receipt kioskId ${JSON.stringify(rc.kioskId)} is not the certificate's CN ${kiosk.kioskId}`);
        if (kiosk.storeId)
          expectThat(rc.storeId === kiosk.storeId, `receipt storeId ${JSON.stringify(rc.storeId)} is not the certificate's OU ${kiosk.storeId}`);
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
  {
    id: 'completion.repeated',
    group: 'completion',
    title: 'a repeated completion is idempotent: the same receipt again',
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic');
      try {
        const doc = await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`);
        expectStatus(doc, 200);
        const body = { outcome: 'printed', paid: r.request.json.fee as number, contentDigest: headerOf(doc, 'content-digest') };
        const path = `/v1/sessions/${r.sid}/requests/${r.rid}/completion`;
        const first = await ctx.kiosk.call('POST', path, body);
        expectStatus(first, 200);
        const second = await ctx.kiosk.call('POST', path, body);
        expectThat(second.status === 200, `the repeat answered ${describe(second)}`);
        expectThat(JSON.stringify(second.json?.receipt) === JSON.stringify(first.json?.receipt), 'the repeat answered a different receipt');
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
  {
    id: 'completion.cancelled',
    group: 'completion',
    title: 'a cancelled completion charges nothing (fee 0, change = paid)',
    async run(ctx) {
      const r = await withRequest(ctx, issuable(ctx), 'domestic');
      try {
        expectStatus(await ctx.kiosk.call('GET', `/v1/sessions/${r.sid}/requests/${r.rid}/document`), 200);
        const a = await ctx.kiosk.call('POST', `/v1/sessions/${r.sid}/requests/${r.rid}/completion`, { outcome: 'cancelled', paid: 500 });
        expectStatus(a, 200);
        const rc = a.json?.receipt;
        expectThat(
          rc?.fee === 0 && rc.paid === 500 && rc.change === 500,
          `receipt fee/paid/change ${JSON.stringify([rc?.fee, rc?.paid, rc?.change])}, expected [0,500,500]`,
        );
      } finally {
        await endSession(ctx.kiosk, r.sid);
      }
    },
  },
];
