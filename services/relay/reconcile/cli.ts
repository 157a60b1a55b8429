/**
 * `npm run relay:reconcile -- --from 2026-12-01 --to 2026-12-02 [--json]`: compares the certificate
 * center's ledger (Redis with REDIS_URL, else the embedded journal under BOOKS_DIR) with VRS's
 * books for the period, read over LGWAN with the relay's client certificate, and lists what
 * disagrees. Dates are JST days (`--to` inclusive) or ISO 8601 times (`--to` exclusive). Exits 0
 * when the books agree, 1 when any list is not empty, 2 on a usage or connection error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { LedgerEntry } from '../books/books.js';
import { JournalFile } from '../books/journal-file.js';
import { RedisBooks } from '../books/redis-books.js';
import { loadRelayConfig } from '../config.js';
import { createVrsClient } from '../vrs-client/vrs-client.js';
import { agrees, parseInstant, reconcile } from './reconcile.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } });
  if (!values.from || !values.to) {
    process.stderr.write('usage: npm run relay:reconcile -- --from YYYY-MM-DD --to YYYY-MM-DD [--json]\n');
    return 2;
  }
  const period = { from: parseInstant(values.from, false), to: parseInstant(values.to, true) };
  if (period.to <= period.from) throw new Error('--to must be after --from');
  const config = loadRelayConfig();
  let ledger: LedgerEntry[];
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, maxRetriesPerRequest: 2 });
    try {
      ledger = await new RedisBooks(redis).ledger(period.from, Number.MAX_SAFE_INTEGER);
    } finally {
      redis.disconnect();
    }
  } else {
    ledger = (await new JournalFile(`${config.booksDir}/ledger.jsonl`).load()).map((l) => l.e).filter((e) => e.at >= period.from);
  }
  const read = (p: string) => readFileSync(p, 'utf8');
  const vrs = createVrsClient({
    baseUrl: config.vrsUrl,
    timeoutMs: Math.max(config.vrsTimeoutMs, 30_000),
    tls: { cert: read(config.pki.relayLgwanClient.cert), key: read(config.pki.relayLgwanClient.key), ca: read(config.pki.serverCa) },
  });
  let items;
  try {
    items = (await vrs.issuances({ from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() })).items;
  } finally {
    vrs.close();
  }
  const r = reconcile(ledger, items, period);
  if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    const out = [`reconcile ${new Date(period.from).toISOString()} – ${new Date(period.to).toISOString()}: ${r.checked} certificates`];
    for (const [title, ids] of [
      ['printed, not issued at VRS', r.printedNotIssued],
      ['issued at VRS, not printed', r.issuedNotPrinted],
      ['served, neither printed nor revoked', r.servedNeitherPrintedNorRevoked],
    ] as const) {
      out.push(`${title}: ${ids.length}`, ...ids.map((id) => `  ${id}`));
    }
    out.push(agrees(r) ? 'RESULT: the books agree' : 'RESULT: the books DISAGREE');
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return agrees(r) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`reconcile: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
