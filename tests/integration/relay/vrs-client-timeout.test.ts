import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../services/common/errors.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createVrsClient } from '../../../services/relay/vrs-client/vrs-client.js';

const pki = pkiPaths();
const read = (p: string) => readFileSync(p, 'utf8');
const MY_NUMBER = '123456789018';
const TIMEOUT_MS = 300;

/** A slow VRS stand-in: a real mTLS server (VRS's certificate, LGWAN CA) in a worker thread. */
class SlowVrs {
  readonly #worker: Worker;
  readonly #listeners = new Set<(m: { event: string }) => void>();
  port = 0;

  constructor(delayMs: number) {
    this.#worker = new Worker(new URL('./helpers/slow-vrs-worker.mjs', import.meta.url), {
      workerData: { delayMs, tls: { cert: read(pki.server('vrs').cert), key: read(pki.server('vrs').key), ca: read(pki.lgwanCa) } },
    });
    this.#worker.on('message', (m: { event: string }) => this.#listeners.forEach((l) => l(m)));
  }

  async start(): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.#worker.once('error', reject);
      this.onMessage((m) => {
        if (m.event === 'listening') resolve((m as unknown as { port: number }).port);
      });
    });
    return this;
  }

  onMessage(l: (m: { event: string }) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  setDelay(delayMs: number): void {
    this.#worker.postMessage({ delayMs });
  }

  async stop(): Promise<void> {
    this.#worker.postMessage({ close: true });
    await new Promise((r) => this.#worker.once('exit', r));
  }
}

const clientFor = (port: number, timeoutMs = TIMEOUT_MS) =>
  createVrsClient({
    baseUrl: `https://localhost:${port}`,
    tls: { cert: read(pki.relayLgwanClient.cert), key: read(pki.relayLgwanClient.key), ca: read(pki.serverCa) },
    timeoutMs,
  });

/** Blocks this thread's event loop, as a relay busy with other work does. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** Starts a lookup and blocks the event loop for `blockMs` as soon as VRS has the request. */
async function lookupBlockedAfterSending(vrs: SlowVrs, client: ReturnType<typeof clientFor>, blockMs: number): Promise<unknown> {
  const off = vrs.onMessage((m) => {
    if (m.event !== 'received') return;
    off();
    busyWait(blockMs);
  });
  return client.lookup(MY_NUMBER);
}

describe("VRS client timeout (counts VRS's time, not the relay's own event-loop wait)", () => {
  let vrs: SlowVrs;
  beforeAll(async () => {
    vrs = await new SlowVrs(0).start();
  });
  afterAll(async () => {
    await vrs?.stop();
  });

  it('answers 504 ERR_UPSTREAM_TIMEOUT when VRS answers after the timeout', async () => {
    vrs.setDelay(TIMEOUT_MS * 4);
    const client = clientFor(vrs.port);
    try {
      const err = await client.lookup(MY_NUMBER).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'ERR_UPSTREAM_TIMEOUT', status: 504 });
    } finally {
      client.close();
    }
  });

  it("keeps an answer that arrived in time while the relay's loop was blocked past the timeout (reused keep-alive socket)", async () => {
    vrs.setDelay(0);
    const client = clientFor(vrs.port);
    try {
      await client.lookup(MY_NUMBER); // opens the keep-alive socket
      vrs.setDelay(20);
      await expect(lookupBlockedAfterSending(vrs, client, TIMEOUT_MS * 3)).resolves.toEqual({ municipalities: [] });
    } finally {
      client.close();
    }
  });

  it("keeps an answer that arrived in time while the relay's loop was blocked past the timeout (new socket)", async () => {
    vrs.setDelay(20);
    const client = clientFor(vrs.port);
    try {
      await expect(lookupBlockedAfterSending(vrs, client, TIMEOUT_MS * 3)).resolves.toEqual({ municipalities: [] });
    } finally {
      client.close();
    }
  });

  it('still times out when the loop was blocked and VRS had not answered either', async () => {
    vrs.setDelay(TIMEOUT_MS * 6);
    const client = clientFor(vrs.port);
    try {
      const err = await lookupBlockedAfterSending(vrs, client, TIMEOUT_MS * 2).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'ERR_UPSTREAM_TIMEOUT', status: 504 });
    } finally {
      client.close();
    }
  });

  it('answers 503 ERR_UPSTREAM when VRS is unreachable', async () => {
    const gone = await new SlowVrs(0).start();
    const port = gone.port;
    await gone.stop();
    const client = clientFor(port);
    try {
      await expect(client.lookup(MY_NUMBER)).rejects.toMatchObject({ code: 'ERR_UPSTREAM', status: 503 });
    } finally {
      client.close();
    }
  });
});
