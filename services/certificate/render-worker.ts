/**
 * A worker thread that builds certificates (see render-pool.ts). It loads the signing keys from
 * the PKI folder itself, so no private key crosses a thread boundary in a message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pkiPaths } from '../common/pki-paths.js';
import { AppError } from '../common/errors.js';
import { createCertificateBuilder } from './builder.js';
import { loadCertificateKeys } from './keys.js';
import { ownedBytes } from './owned-bytes.js';
import type { RenderJob, RenderReply, RenderWorkerData } from './render-pool.js';

const data = workerData as RenderWorkerData;
const port = parentPort;
if (!port) throw new TypeError('render-worker runs only as a worker thread');

// The pool's clock, as of the job being built: jobs run one at a time, so this is never shared.
let jobTime = Date.now();
const ready = loadCertificateKeys(pkiPaths(data.pkiRoot)).then((keys) =>
  createCertificateBuilder({
    shcIssuerUrl: data.shcIssuerUrl,
    shcKey: keys.shcKey,
    vdsSigner: keys.vdsSigner,
    clock: { now: () => new Date(jobTime) },
    verificationHint: data.verificationHint === true,
  }),
);

let queue: Promise<void> = Promise.resolve();
port.on('message', (job: RenderJob) => {
  queue = queue.then(async () => {
    let reply: RenderReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const builder = await ready;
      jobTime = job.at;
      const built = await builder.build(job.record, { copies: job.copies, ...(job.rid !== undefined ? { rid: job.rid } : {}) });
      // The PDF's bytes move to the main thread rather than being copied: over a buffer of their
      // own (never a slice of Node's shared pool, which the transfer would take from this thread).
      const pdf = ownedBytes(built.pdf);
      transfer = [pdf.buffer];
      reply = { id: job.id, ok: true, built: { ...built, pdf } };
    } catch (err) {
      reply =
        err instanceof AppError
          ? { id: job.id, ok: false, error: { code: err.code, status: err.status, message: err.message, extras: err.extras } }
          : { id: job.id, ok: false, error: { message: err instanceof Error ? err.message : 'render failed' } };
    }
    port.postMessage(reply, transfer);
  });
});
