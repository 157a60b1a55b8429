import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CertificateRecord } from '../common/lgwan-contract.js';
import { AppError, type ErrorCode } from '../common/errors.js';
import { systemClock, type Clock } from '../common/clock.js';
import type { BuiltCertificate, CertificateBuilder } from './builder.js';

/** What each worker needs to make its own builder. */
export interface RenderWorkerData {
  pkiRoot: string;
  shcIssuerUrl: string;
}

/** @internal message to a worker */
export interface RenderJob {
  id: number;
  /** The pool's clock when the job was queued (ms). */
  at: number;
  record: CertificateRecord;
  copies: number;
}

/** @internal message from a worker */
export type RenderReply =
  | { id: number; ok: true; built: BuiltCertificate }
  | { id: number; ok: false; error: { code?: ErrorCode; status?: number; message: string; extras?: Record<string, unknown> } };

/** A pool of certificate builders in worker threads. */
export interface RenderPool extends Pick<CertificateBuilder, 'build'> {
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  busy: number;
  /** Set when the thread has failed or exited; no job goes to it any more. */
  dead: boolean;
}

/**
 * Builds certificates in `size` worker threads (default: one per core). pdfkit renders
 * synchronously for several milliseconds per document; on the relay's event loop that stalls every
 * other request and lets upstream timers expire while answers wait, so a relay renders here.
 * Jobs go to the least busy worker; an error thrown in a worker comes back as the same coded error.
 */
export function createRenderPool(data: RenderWorkerData, options: { size?: number; clock?: Clock } = {}): RenderPool {
  const size = options.size ?? availableParallelism();
  const clock = options.clock ?? systemClock;
  if (size < 1) throw new TypeError('a render pool needs at least one worker');
  const url = new URL('./render-worker-entry.mjs', import.meta.url);
  const pending = new Map<number, { resolve: (b: BuiltCertificate) => void; reject: (e: unknown) => void; slot: Slot }>();
  let nextId = 1;
  const slots: Slot[] = Array.from({ length: size }, () => {
    const worker = new Worker(url, { workerData: data });
    const slot: Slot = { worker, busy: 0, dead: false };
    worker.on('message', (reply: RenderReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      p.slot.busy--;
      if (reply.ok) {
        p.resolve({ ...reply.built, pdf: Buffer.from(reply.built.pdf.buffer, reply.built.pdf.byteOffset, reply.built.pdf.byteLength) });
      } else {
        const e = reply.error;
        p.reject(e.code && e.status ? new AppError(e.code, e.status, e.message, { extras: e.extras }) : new Error(e.message));
      }
    });
    const fail = (err: unknown) => {
      slot.dead = true;
      for (const [id, p] of pending) {
        if (p.slot === slot) {
          pending.delete(id);
          p.reject(err);
        }
      }
      slot.busy = 0;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`render worker exited (${code})`)));
    return slot;
  });

  return {
    build(record, opts = {}) {
      const live = slots.filter((s) => !s.dead);
      if (live.length === 0) return Promise.reject(new Error('render pool has no live worker'));
      const slot = live.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      return new Promise<BuiltCertificate>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot });
        slot.busy++;
        const job: RenderJob = { id, at: clock.now().getTime(), record, copies: opts.copies ?? 1 };
        slot.worker.postMessage(job);
      });
    },
    async close() {
      for (const p of pending.values()) p.reject(new Error('render pool closed'));
      pending.clear();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
