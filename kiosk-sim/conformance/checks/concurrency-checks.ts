import type { HolderData } from '../cards.js';
import { describe, type ConformanceClient } from '../relay-client.js';
import { servedDocumentDefect } from './document-checks.js';
import { endSession, offering, openWithCard } from './flow.js';
import { notRun, CheckFailure, type Check, type KitContext } from './kit.js';

/** One flow of the concurrency run: session, card, request, document, cancelled completion, DELETE. */
async function flow(ctx: KitContext, i: number, client: ConformanceClient, holders: () => HolderData[]): Promise<string | undefined> {
  const c = ctx.discovery.issuable[i % ctx.discovery.issuable.length]!;
  let sid: string | undefined;
  try {
    const opened = await openWithCard(ctx, c.card, client);
    sid = opened.sid;
    const m = offering(opened.answer.json.municipalities, 'domestic');
    if (!m) return `flow ${i}: the card answer offers no domestic certificate`;
    const req = await client.call('POST', `/v1/sessions/${sid}/requests`, { municipality: m.code, kind: 'domestic', copies: 1 });
    if (req.status !== 201) return `flow ${i}: ${describe(req)}`;
    const p = req.json.preview;
    if (p?.name !== opened.holder.name || p?.birthDate !== opened.holder.birthDate)
      return `flow ${i}: the preview is not the holder whose card opened the session`;
    const doc = await client.call('GET', `/v1/sessions/${sid}/requests/${req.json.requestId}/document`);
    const defect = servedDocumentDefect(doc, opened.holder, holders());
    if (defect) return `flow ${i} (kiosk ${client.kiosk?.kioskId}): ${defect}`;
    const done = await client.call('POST', `/v1/sessions/${sid}/requests/${req.json.requestId}/completion`, { outcome: 'cancelled', paid: 0 });
    if (done.status !== 200) return `flow ${i}: completion ${describe(done)}`;
    return undefined;
  } catch (err) {
    return `flow ${i}: ${(err as Error).message}`;
  } finally {
    if (sid) await endSession(client, sid);
  }
}

/**
 * ARCHITECTURE.md invariant 1 under load: many sessions at once, over every issuable card and
 * every kiosk given; each document must belong to the holder whose card opened its session.
 */
export const concurrencyChecks: Check[] = [
  {
    id: 'concurrency.documents-belong-to-their-holder',
    group: 'concurrency',
    title: 'in parallel sessions every document belongs to the holder whose card opened its session',
    async run(ctx) {
      const cards = ctx.discovery.issuable.length;
      if (cards === 0) notRun('no card among the card files has a municipality offering domestic certificates');
      const clients = [ctx.kiosk, ...(ctx.otherKiosk ? [ctx.otherKiosk] : [])];
      const n = ctx.options.concurrency;
      // Every holder of the run is known up front, so each document is compared with all of them.
      for (const c of ctx.discovery.issuable) if (c.holder) ctx.holders.set(c.holder.myNumber, c.holder);
      const holders = () => [...ctx.holders.values()];
      const results = await Promise.all(Array.from({ length: n }, (_, i) => flow(ctx, i, clients[i % clients.length]!, holders)));
      const failures = results.filter((r): r is string => r !== undefined);
      if (failures.length) throw new CheckFailure(`${failures.length} of ${n} flows: ${failures.slice(0, 3).join('; ')}`);
      return `${n} flows, ${cards} holder(s), ${clients.length} kiosk(s)${cards < 2 ? ' (one holder only: a mix-up could not show)' : ''}`;
    },
  },
];
