/**
 * The CPU floor of one issuance on this machine (`npm run bench:floor`).
 *
 * Measures, each on its own, what the protocol makes every issuance pay whatever the code around
 * it does: an HTTPS request over a kept-alive mutual-TLS connection (client and server ends, both
 * in this process, through express with JSON bodies), the same request answering a 50 KB PDF, a
 * PostgreSQL round trip (pg client here plus the server's backend, read from /proc), a Redis round
 * trip (ioredis plus redis-server), and the cryptography (the card's RSA-2048 signature, the
 * relay's RSA verifications, ES256, AES-256-GCM and SHA-256 over a document). Then it adds them up
 * with the counts one issuance needs (PROTOCOL.md steps 2–7, the relay's VRS calls, VRS's
 * transactions) and prints the ceiling that floor puts on issuances per second per core, before
 * any PDF is drawn. CPU time, not wall time, so a busy machine changes the figures little.
 */
import 'reflect-metadata';
import { constants, createCipheriv, createHash, generateKeyPairSync, privateEncrypt, randomBytes, sign, verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pkiPaths } from '../services/common/pki-paths.js';
import { ensurePki } from '../certs/generate.js';
import { createMtlsServer, requireClient } from '../services/common/mtls.js';
import { MtlsJsonClient } from '../services/common/mtls-json-client.js';
import { startPostgres, startRedis, type RunningServer } from '../tests/setup/test-servers.js';

const TICKS = 100;

/** CPU seconds (user + system) of the processes whose command line matches, and of their children. */
function cpuOfProcesses(match: (cmdline: string) => boolean): number {
  const stats = new Map<number, { ppid: number; ticks: number; cmd: string }>();
  for (const name of readdirSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      stats.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]), cmd });
    } catch {
      // gone meanwhile
    }
  }
  const roots = new Set([...stats].filter(([, s]) => match(s.cmd)).map(([pid]) => pid));
  let ticks = 0;
  for (const [pid, s] of stats) if (roots.has(pid) || roots.has(s.ppid)) ticks += s.ticks;
  return ticks / TICKS;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * CPU milliseconds per operation of `op`, run `n` times with `parallel` in flight, after as many
 * runs to warm up (JIT), best of two rounds (the lower figure is the one less disturbed by others).
 */
async function perOp(
  n: number,
  parallel: number,
  op: () => Promise<unknown> | unknown,
  external: () => number = () => 0,
): Promise<{ ms: number; extMs: number }> {
  for (let i = 0; i < n; i++) await op();
  const a = await round(n, parallel, op, external);
  const b = await round(n, parallel, op, external);
  return a.ms + a.extMs <= b.ms + b.extMs ? a : b;
}

async function round(n: number, parallel: number, op: () => Promise<unknown> | unknown, external: () => number): Promise<{ ms: number; extMs: number }> {
  const c0 = cpuNow();
  const e0 = external();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        next++;
        await op();
      }
    }),
  );
  return { ms: ((cpuNow() - c0) * 1000) / n, extMs: ((external() - e0) * 1000) / n };
}

async function httpsCosts(): Promise<{ json: number; pdf: number; raw: number }> {
  await ensurePki();
  const pki = pkiPaths();
  const read = (p: string) => readFileSync(p, 'utf8');
  const app = express();
  app.use(requireClient({ code: 'ERR_KIOSK', accept: (id) => Boolean(id.cn) }));
  app.use(express.json({ limit: '64kb' }));
  const pdf = randomBytes(50 * 1024);
  app.post('/json', (req, res) => {
    res.status(200).json({ ok: true, echo: Object.keys(req.body as object).length, at: new Date().toISOString() });
  });
  app.get('/pdf', (_req, res) => {
    res.status(200).set('Content-Type', 'application/pdf').send(pdf);
  });
  let bare = false;
  const server = createMtlsServer(
    { cert: read(pki.server('relay').cert), key: read(pki.server('relay').key), ca: read(pki.kioskCa), crl: read(pki.kioskCrl) },
    (req, res) => {
      if (!bare) return void app(req, res);
      // The same answer from node:https alone: what express and its middleware add is the difference.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as object;
        const out = JSON.stringify({ ok: true, echo: Object.keys(parsed).length, at: new Date().toISOString() });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(out) }).end(out);
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = new MtlsJsonClient({
    baseUrl: `https://localhost:${port}`,
    tls: { cert: read(pki.kiosk('KIOSK-0001').cert), key: read(pki.kiosk('KIOSK-0001').key), ca: read(pki.serverCa) },
    pool: { keepAlive: true, maxSockets: 8 },
    timeoutMs: 30_000,
  });
  const body = Buffer.from(
    JSON.stringify({
      ef0001: randomBytes(300).toString('base64'),
      ef0002: randomBytes(120).toString('base64'),
      challengeSignature: randomBytes(256).toString('base64'),
    }),
  );
  const call = async (method: string, path: string, payload?: Buffer) => {
    const answer = await client.send(method, path, { body: payload });
    if (answer.status !== 200) throw new Error(`status ${answer.status}`);
  };
  const json = await perOp(3000, 8, () => call('POST', '/json', body));
  const doc = await perOp(2000, 8, () => call('GET', '/pdf'));
  bare = true;
  const raw = await perOp(3000, 8, () => call('POST', '/json', body));
  client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return { json: json.ms, pdf: doc.ms, raw: raw.ms };
}

async function postgresCost(server: RunningServer): Promise<number> {
  const port = new URL(server.url).port;
  const client = new pg.Pool({ connectionString: server.url, max: 4 });
  await client.query('SELECT 1');
  const r = await perOp(
    4000,
    4,
    () => client.query('SELECT $1::text AS v, now() AS t', ['x']),
    () => cpuOfProcesses((c) => c.includes('postgres') && c.includes(`-p ${port}`)),
  );
  await client.end();
  return r.ms + r.extMs;
}

async function redisCost(server: RunningServer): Promise<number> {
  const port = new URL(server.url).port;
  const redis = new Redis(server.url);
  const value = randomBytes(200);
  const r = await perOp(
    6000,
    8,
    async () => {
      const k = `floor:{${randomBytes(8).toString('hex')}}`;
      await redis.set(k, value, 'PX', 10_000);
    },
    () => cpuOfProcesses((c) => c.includes('redis-server') && c.includes(`:${port}`)),
  );
  await redis.quit();
  return r.ms + r.extMs;
}

async function cryptoCosts(): Promise<Record<string, number>> {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update('challenge').digest()]);
  const rsaSig = privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
  const data = randomBytes(600);
  const dataSig = sign('sha256', data, rsa.privateKey);
  const doc = randomBytes(50 * 1024);
  const key = randomBytes(32);
  return {
    'RSA-2048 signature (the card, at the kiosk)': (
      await perOp(300, 1, () => privateEncrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo))
    ).ms,
    'RSA-2048 verification (the relay)': (await perOp(3000, 1, () => verify('sha256', data, rsa.publicKey, dataSig))).ms,
    'ES256 signature (SHC, VDS-NC)': (await perOp(3000, 1, () => sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }))).ms,
    'AES-256-GCM of a 50 KB document': (
      await perOp(3000, 1, () => {
        const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
        c.update(doc);
        c.final();
        return c.getAuthTag();
      })
    ).ms,
    'SHA-256 of a 50 KB document': (await perOp(3000, 1, () => createHash('sha256').update(doc).digest())).ms,
    _rsaSigLength: rsaSig.length,
  };
}

async function main(): Promise<void> {
  const [pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
  try {
    const http = await httpsCosts();
    const pgMs = await postgresCost(pgServer);
    const redisMs = await redisCost(redisServer);
    const crypto = await cryptoCosts();
    const f = (ms: number) => `${ms.toFixed(3)} ms`;
    console.log('CPU per operation (both ends where there are two):');
    console.log(`  HTTPS request over kept-alive mTLS, JSON in and out (express)   ${f(http.json)}`);
    console.log(`  the same request on node:https alone, without express          ${f(http.raw)}`);
    console.log(`  HTTPS request over kept-alive mTLS answering a 50 KB PDF       ${f(http.pdf)}`);
    console.log(`  PostgreSQL round trip (pg + server backend)                    ${f(pgMs)}`);
    console.log(`  Redis round trip (ioredis + redis-server)                      ${f(redisMs)}`);
    for (const [k, v] of Object.entries(crypto)) if (!k.startsWith('_')) console.log(`  ${k.padEnd(63)}${f(v)}`);

    // One issuance: kiosk → relay steps 2, 3, 4, 6, 7 (JSON) and 5 (the PDF); relay → VRS lookup,
    // certificate, completion (JSON); VRS's transactions (services/vrs/records: lookup 3 + 3 round
    // trips, reservation 6, completion 5); the relay's store (session put, challenge take, session
    // update, request + document put, session and request reads at steps 4–6, document take,
    // request update, completion marker, erase: about 12); the card's signature, the relay's four
    // RSA verifications, one ES256 (domestic), AES-GCM twice and SHA-256 twice over the document.
    const rows: Array<[string, number, number]> = [
      ['kiosk → relay JSON requests', 5, http.json],
      ['kiosk → relay document request', 1, http.pdf],
      ['relay → VRS requests', 3, http.json],
      ['PostgreSQL round trips', 17, pgMs],
      ['Redis round trips', 12, redisMs],
      ['card RSA signature', 1, crypto['RSA-2048 signature (the card, at the kiosk)']!],
      ['relay RSA verifications', 4, crypto['RSA-2048 verification (the relay)']!],
      ['ES256 signatures', 1, crypto['ES256 signature (SHC, VDS-NC)']!],
      ['AES-256-GCM over the document', 2, crypto['AES-256-GCM of a 50 KB document']!],
      ['SHA-256 over the document', 2, crypto['SHA-256 of a 50 KB document']!],
    ];
    let total = 0;
    console.log('\nOne domestic issuance, before any PDF is drawn or any application code runs:');
    for (const [what, count, ms] of rows) {
      total += count * ms;
      console.log(`  ${String(count).padStart(3)} × ${what.padEnd(34)} ${f(count * ms)}`);
    }
    console.log(`  floor                                    ${f(total)} of CPU`);
    console.log(
      `  ceiling: ${(1000 / total).toFixed(0)} issuances/s per core, ${(2000 / total).toFixed(0)}/s on two cores (generator, relay, VRS, Redis and PostgreSQL sharing them)`,
    );
    console.log(`  500 issuances/s on two cores leaves 4.000 ms of CPU per issuance for everything, PDF included`);
  } finally {
    await Promise.all([pgServer.stop(), redisServer.stop()]);
  }
}

await main();
