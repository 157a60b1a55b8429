import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CertificateRecord } from '../common/lgwan-contract.js';
import { InternalError, type ErrorCode } from '../common/errors.js';
import { CertificateDataError } from './errors.js';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, type Logger } from '../common/logger.js';
import type { BuiltCertificate, CertificateBuilder } from './builder.js';

/** What each worker needs to make its own builder. */
export interface RenderWorkerData {
  pkiRoot: string;
  shcIssuerUrl: string;
  /** See CertificateBuilderOptions.verificationHint. */
  verificationHint?: boolean;
}

/** @internal message to a worker */
export interface RenderJob {
  id: number;
  /** The pool's clock when the job was queued (ms). */
  at: number;
  record: CertificateRecord;
  copies: number;
  /** SHC `vc.rid`. */
  rid?: string;
}

/** @internal message from a worker; `built.pdf` arrives as a Uint8Array over a transferred ArrayBuffer. */
export type RenderReply =
  | { id: number; ok: true; built: Omit<BuiltCertificate, 'pdf'> & { pdf: Uint8Array } }
  | { id: number; ok: false; error: { code?: ErrorCode; status?: number; message: string; extras?: Record<string, unknown> } };

export interface RenderPoolOptions {
  /** Worker threads (default: one per core). */
  size?: number;
  /** Signing time of the certificates, and the time the respawn guard counts in. */
  clock?: Clock;
  /**
   * A slot whose thread dies is given a new one at most `maxRespawns` times within
   * `respawnWindowMs` (default 5 per 60 s); past that it stays dead (a crash loop) and says so in
   * the log and in `stats()`.
   */
  maxRespawns?: number;
  respawnWindowMs?: number;
  /** Where respawns and dead slots are reported (default: a logger of its own on stdout). */
  log?: Pick<Logger, 'warn' | 'error'>;
  /** Called with every thread the pool starts, first ones and replacements (diagnostics, tests). */
  onWorker?: (worker: Worker, slot: number) => void;
}

/** What the pool is running on. */
export interface RenderPoolStats {
  size: number;
  /** Slots with a thread that takes jobs. */
  live: number;
  /** Slots given up after a crash loop. */
  deadSlots: number[];
  /** Threads started to replace dead ones, since the pool was made. */
  respawns: number;
}

/** A pool of certificate builders in worker threads. */
export interface RenderPool extends Pick<CertificateBuilder, 'build'> {
  stats(): RenderPoolStats;
  close(): Promise<void>;
}

interface Slot {
  index: number;
  worker: Worker;
  busy: number;
  /** Set when the thread has failed or exited; no job goes to it until a new thread replaces it. */
  dead: boolean;
  /** Set when the slot was given up (crash loop): it never takes a job again. */
  abandoned: boolean;
  /** Clock times (ms) of this slot's respawns, within the guard's window. */
  respawnedAt: number[];
}

interface Pending {
  resolve: (b: BuiltCertificate) => void;
  reject: (e: unknown) => void;
  slot: Slot;
  worker: Worker;
}

/**
 * Builds certificates in `size` worker threads (default: one per core). pdfkit renders
 * synchronously for several milliseconds per document; on the relay's event loop that stalls every
 * other request and lets upstream timers expire while answers wait, so a relay renders here.
 * Jobs go to the least busy worker; an error thrown in a worker comes back as the same coded error.
 * A thread that dies fails its jobs with ERR_INTERNAL and is replaced (see `maxRespawns`). The
 * PDF's bytes are transferred from the worker, not copied.
 */
export function createRenderPool(data: RenderWorkerData, options: RenderPoolOptions = {}): RenderPool {
  const size = options.size ?? availableParallelism();
  const clock = options.clock ?? systemClock;
  const maxRespawns = options.maxRespawns ?? 5;
  const windowMs = options.respawnWindowMs ?? 60_000;
  if (size < 1) throw new TypeError('a render pool needs at least one worker');
  if (!(maxRespawns >= 0) || !(windowMs > 0)) throw new TypeError('maxRespawns ≥ 0 and respawnWindowMs > 0');
  const log = options.log ?? createLogger({ service: 'render-pool' });
  const url = new URL('./render-worker-entry.mjs', import.meta.url);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let respawns = 0;
  let closed = false;

  const onReply = (reply: RenderReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    p.slot.busy--;
    if (reply.ok) {
      const pdf = reply.built.pdf;
      // A Buffer over the transferred ArrayBuffer: no copy.
      p.resolve({ ...reply.built, pdf: Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength) });
    } else {
      const e = reply.error;
      p.reject(reviveWorkerError(e));
    }
  };

  /** Fails every job given to `worker`: it will never answer them. */
  const failJobsOf = (worker: Worker, cause: unknown) => {
    for (const [id, p] of pending) {
      if (p.worker !== worker) continue;
      pending.delete(id);
      p.slot.busy--;
      p.reject(new InternalError('The render worker stopped before finishing the certificate', cause));
    }
  };

  const newWorker = () => new Worker(url, { workerData: data });

  /** Listens to the slot's (new) thread. */
  const watch = (slot: Slot) => {
    const worker = slot.worker;
    worker.on('message', onReply);
    worker.on('error', (err) => {
      // An uncaught error ends the thread ('exit' follows): take no more jobs there.
      if (slot.worker !== worker) return;
      slot.dead = true;
      failJobsOf(worker, err);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      slot.dead = true;
      failJobsOf(worker, new Error(`render worker exited (${code})`));
      if (!closed) replace(slot, code);
    });
    options.onWorker?.(worker, slot.index);
  };

  const replace = (slot: Slot, exitCode: number) => {
    const now = clock.now().getTime();
    slot.respawnedAt = slot.respawnedAt.filter((t) => now - t < windowMs);
    if (slot.respawnedAt.length >= maxRespawns) {
      slot.abandoned = true;
      const live = slots.filter((s) => !s.dead).length;
      log.error(
        { event: 'render_worker_dead', slot: slot.index, exitCode, respawns: slot.respawnedAt.length, windowMs, live },
        'render worker keeps dying; slot given up',
      );
      return;
    }
    slot.respawnedAt.push(now);
    respawns++;
    log.warn({ event: 'render_worker_respawn', slot: slot.index, exitCode }, 'render worker died; starting a new one');
    slot.worker = newWorker();
    slot.busy = 0;
    slot.dead = false;
    watch(slot);
  };

  const slots: Slot[] = Array.from({ length: size }, (_, index) => ({ index, worker: newWorker(), busy: 0, dead: false, abandoned: false, respawnedAt: [] }));
  for (const slot of slots) watch(slot);

  return {
    build(record, opts = {}) {
      if (closed) return Promise.reject(new InternalError('The render pool is closed'));
      const live = slots.filter((s) => !s.dead);
      if (live.length === 0) return Promise.reject(new InternalError('The render pool has no live worker'));
      const slot = live.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      return new Promise<BuiltCertificate>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot, worker: slot.worker });
        slot.busy++;
        const job: RenderJob = { id, at: clock.now().getTime(), record, copies: opts.copies ?? 1, ...(opts.rid !== undefined ? { rid: opts.rid } : {}) };
        slot.worker.postMessage(job);
      });
    },
    stats() {
      return {
        size,
        live: slots.filter((s) => !s.dead).length,
        deadSlots: slots.filter((s) => s.abandoned).map((s) => s.index),
        respawns,
      };
    },
    async close() {
      closed = true;
      for (const p of pending.values()) p.reject(new InternalError('The render pool is closed'));
      pending.clear();
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * A worker's failure rebuilt on this thread with its own class: a certificate-data refusal stays
 * ERR_CERTIFICATE_DATA (422, `field`); any other coded error becomes an internal one; an uncoded
 * one a plain Error.
 */
function reviveWorkerError(e: { code?: ErrorCode; message: string; extras?: Record<string, unknown> }): Error {
  if (e.code === 'ERR_CERTIFICATE_DATA') return new CertificateDataError(typeof e.extras?.field === 'string' ? e.extras.field : 'record', e.message);
  if (e.code) return new InternalError(e.message);
  return new Error(e.message);
}
