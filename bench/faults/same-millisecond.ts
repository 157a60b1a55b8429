import { checkDocument, decodeAndCheck, type ReceivedDocument } from '../load/checks.js';
import { demoKioskIdentities, type RelayAnswer } from '../load/kiosk-client.js';
import { readCard } from '../load/kiosk-loop.js';
import { waitUntil } from '../load/service-process.js';
import { startStack } from '../load/stack.js';
import { auditStore, redisClient } from '../load/store-audit.js';
import { auditIssuances, type PrintedCertificate } from '../load/vrs-population.js';
import { isMain, runStandalone, type ScenarioOutcome } from './standalone.js';

/**
 * Requests from different kiosks in the same millisecond (Kawasaki, 2023: two requests less than
 * a second apart overwrote each other). `sessions` sessions with accepted cards, spread over the
 * three kiosk identities and two relay processes, then, each wave released in one tick over warm
 * connections: every certificate request at once; every document fetched twice at once (once on
 * each relay) while another kiosk asks for it too; every completion sent twice at once. Each
 * document must be its holder's, served exactly once, never to the other kiosk; each completion
 * must answer one receipt and reach VRS once.
 */
export async function sameMillisecond(o: { sessions?: number; databaseServerUrl?: string; log?: (l: string) => void } = {}): Promise<ScenarioOutcome> {
  const n = o.sessions ?? 24;
  const stack = await startStack({
    // The relay renders PDFs on its event loop: n at once on a busy machine take seconds, which
    // must not turn into VRS timeouts here (timeouts have their own scenario, vrs-slow).
    relays: 2,
    store: { kind: 'redis-private', persistence: 'none' },
    vrsTimeoutMs: 30_000,
    population: { perMunicipality: Math.max(50, n), seed: 11, municipalities: ['162027', '122246'], keys: 8 },
    ...(o.databaseServerUrl ? { databaseServerUrl: o.databaseServerUrl } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  const ids = demoKioskIdentities();
  const problems: string[] = [];
  const fail = (what: string) => problems.push(what);
  try {
    const relay = (i: number) => stack.relayUrls[i % 2]!;
    const sessions = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const id = ids[i % 3]!;
        const holder = stack.cards[(i * 7) % stack.cards.length]!;
        const open = await id.call(relay(i), 'POST', '/v1/sessions');
        if (open.status !== 201) throw new Error(`open: ${open.status} ${JSON.stringify(open.json)}`);
        const sid = open.json.sessionId as string;
        const card = await id.call(relay(i + 1), 'POST', `/v1/sessions/${sid}/card`, await readCard(holder, open.json.challenge as string));
        if (card.status !== 200) throw new Error(`card: ${card.status} ${JSON.stringify(card.json)}`);
        return { i, id, holder, sid };
      }),
    );
    if (new Set(sessions.map((s) => s.sid)).size !== n) fail('two sessions got the same ID');

    // Wave 1: every certificate request in the same tick.
    const created = await Promise.all(
      sessions.map((s) =>
        s.id.call(relay(s.i), 'POST', `/v1/sessions/${s.sid}/requests`, { municipality: s.holder.resident.municipality, kind: 'domestic', copies: 1 }),
      ),
    );
    created.forEach((c, i) => {
      if (c.status !== 201) fail(`request ${i}: ${c.status} ${c.json?.code}`);
    });
    const rids = created.map((c) => c.json?.requestId as string);
    if (new Set(rids.filter(Boolean)).size !== rids.filter(Boolean).length) fail('two requests got the same ID');

    // Wave 2: each document twice (both relays) and once by another kiosk, all in one tick.
    const fetches = sessions.flatMap((s) => {
      const path = `/v1/sessions/${s.sid}/requests/${rids[s.i]}/document`;
      return [s.id.call(relay(0), 'GET', path), s.id.call(relay(1), 'GET', path), ids[(s.i + 1) % 3]!.call(relay(s.i), 'GET', path)];
    });
    const answers = await Promise.all(fetches);
    const printed: PrintedCertificate[] = [];
    const docs: Array<{ s: (typeof sessions)[number]; doc: ReceivedDocument }> = [];
    sessions.forEach((s) => {
      const [a, b, foreign] = answers.slice(s.i * 3, s.i * 3 + 3) as [RelayAnswer, RelayAnswer, RelayAnswer];
      const served = [a, b].filter((x) => x.status === 200);
      if (served.length !== 1) fail(`session ${s.i}: document served ${served.length} times`);
      const other = [a, b].find((x) => x.status !== 200);
      if (other && other.json?.code !== 'ERR_CONSUMED') fail(`session ${s.i}: the second fetch answered ${other.status} ${other.json?.code}`);
      if (foreign.status !== 404) fail(`session ${s.i}: another kiosk got ${foreign.status} for it`);
      const ok = served[0];
      if (!ok || !created[s.i]) return;
      const doc: ReceivedDocument = {
        created: created[s.i]!.json,
        pdf: ok.body,
        kind: 'domestic',
        headers: { contentDigest: ok.headers['content-digest'] as string, certificateId: ok.headers['certificate-id'] as string },
      };
      for (const p of checkDocument(s.holder, doc)) fail(`session ${s.i}: ${p}`);
      docs.push({ s, doc });
    });
    if (new Set(docs.map((d) => d.doc.headers.certificateId)).size !== docs.length) fail('two sessions got the same certificate');
    for (const { s, doc } of docs.slice(0, 4)) for (const p of await decodeAndCheck(s.holder, doc)) fail(`session ${s.i} (decoded): ${p}`);

    // Wave 3: every completion twice at once (both relays): one receipt, one notice.
    const completions = await Promise.all(
      docs.flatMap(({ s, doc }) => {
        const path = `/v1/sessions/${s.sid}/requests/${rids[s.i]}/completion`;
        const body = { outcome: 'printed', paid: 120, contentDigest: doc.headers.contentDigest };
        return [s.id.call(relay(0), 'POST', path, body), s.id.call(relay(1), 'POST', path, body)];
      }),
    );
    docs.forEach(({ s, doc }, j) => {
      const [a, b] = [completions[j * 2]!, completions[j * 2 + 1]!];
      if (a.status !== 200 || b.status !== 200) fail(`session ${s.i}: completion answered ${a.status}${a.netError ?? ''}/${b.status}${b.netError ?? ''}`);
      else if (JSON.stringify(a.json.receipt) !== JSON.stringify(b.json.receipt)) fail(`session ${s.i}: two different receipts`);
      if (a.status === 200 || b.status === 200)
        printed.push({
          certificateId: doc.headers.certificateId!,
          municipality: s.holder.resident.municipality,
          atenaNumber: s.holder.resident.atenaNumber,
          kioskId: s.id.kioskId,
        });
    });
    await Promise.all(sessions.map((s) => s.id.call(relay(s.i), 'DELETE', `/v1/sessions/${s.sid}`)));

    const client = redisClient({ url: stack.redisUrl! });
    await waitUntil(async () => (await client.hlen('relay:{outbox}:entries')) === 0, 20_000, 'outbox drained').catch(() => undefined);
    const store = await auditStore(client, { endedSessions: sessions.map((s) => s.sid), timedOutSessions: [] });
    client.disconnect();
    if (store.endedSessionKeys.length) fail(`store keeps ${store.endedSessionKeys.length} keys of ended sessions`);
    await stack.stop();
    const vrs = await stack.withDb((db) => auditIssuances(db, printed));
    if (vrs.lost.length + vrs.phantom.length + vrs.misbound.length)
      fail(`VRS books: lost ${vrs.lost.length}, phantom ${vrs.phantom.length}, misbound ${vrs.misbound.length}`);
    if (printed.length !== n) fail(`${printed.length} of ${n} certificates printed`);
    const text =
      `${n} sessions over 3 kiosk identities and 2 relays; ${printed.length} printed, ${vrs.noticeRows} completion notices at VRS\n` +
      `same-millisecond: ${problems.length === 0 ? 'PASS' : `FAIL\n  - ${problems.join('\n  - ')}`}`;
    return { name: 'same-millisecond', ok: problems.length === 0, problems, text };
  } finally {
    ids.forEach((i) => i.close());
    await stack.destroy();
  }
}

if (isMain(import.meta.url)) void runStandalone([(ctx) => sameMillisecond(ctx)]);
