import type { LoadReport } from './run-load.js';
import { STEPS } from './run-state.js';
import type { StoreAudit } from './store-audit.js';
import type { VrsAudit } from './vrs-population.js';
import type { PrivacyFinding } from './privacy-sweep.js';

const f = (n: number, d = 1) => n.toFixed(d);

/** The headline figures of a run (what RESULTS.md tabulates): percentiles over every answer and over admitted work. */
export function headline(r: LoadReport): {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  sessionP99: number;
  admitted: { p50: number; p95: number; p99: number };
  shed: number;
  errors: number;
} {
  const s = r.state.requests.summary();
  const a = r.state.admitted.summary();
  return {
    perSecond: r.state.issuances / r.windowS,
    p50: s.p50,
    p95: s.p95,
    p99: s.p99,
    sessionP99: r.state.sessionsHist.percentile(99),
    admitted: { p50: a.p50, p95: a.p95, p99: a.p99 },
    shed: r.state.shed.total,
    errors: r.state.errors.total,
  };
}

/** Formats a run for the terminal; mismatches come first and loud. */
export function formatReport(r: LoadReport, audits: { vrs?: VrsAudit; store?: StoreAudit; privacy?: PrivacyFinding[] } = {}): string {
  const st = r.state;
  const out: string[] = [];
  const h = headline(r);
  if (st.mismatches.length > 0) {
    out.push('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    out.push(`!!! MISMATCH: ${st.mismatches.length} document(s) or answers did not belong to their session !!!`);
    for (const m of st.mismatches.slice(0, 20)) out.push(`!!!   ${m}`);
    out.push('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  }
  const o = r.options;
  out.push(`load: ${o.kiosks} kiosks, ${r.relays} relay(s), ${f(r.windowS)} s measured${o.rate ? `, paced at ${o.rate}/s` : ', back to back'}`);
  out.push(`issuances: ${st.issuances} in the window = ${f(h.perSecond)} /s   (sessions admitted ${st.sessionsStarted}, printed in all ${st.printed.length})`);
  out.push(
    `latency of admitted work (every answer but 503 ERR_BUSY, ${st.admitted.count}): p50 ${f(h.admitted.p50)} ms  p95 ${f(h.admitted.p95)} ms  p99 ${f(h.admitted.p99)} ms  max ${f(st.admitted.max)} ms`,
  );
  out.push(
    `latency of every answer (ERR_BUSY refusals included, ${st.requests.count}): p50 ${f(h.p50)} ms  p95 ${f(h.p95)} ms  p99 ${f(h.p99)} ms  max ${f(st.requests.max)} ms`,
  );
  out.push(`whole admitted session (step 2's 201 → completion): p50 ${f(st.sessionsHist.percentile(50))} ms  p99 ${f(h.sessionP99)} ms`);
  const w = st.admissionWait.summary();
  out.push(`turned away before admission (first try of step 2 → 201, admitted sessions): p50 ${f(w.p50)} ms  p99 ${f(w.p99)} ms  max ${f(w.max)} ms`);
  const shedBy = (step: string) => st.shed.counts.get(step) ?? 0;
  out.push(
    `shed (503 ERR_BUSY, retried after Retry-After; not errors): ${st.shed.total === 0 ? 'none' : `${st.shed.total} — new sessions ${shedBy('session')}, step 3 ${shedBy('card')}, step 4 ${shedBy('request')}`} (whole run)`,
  );
  out.push('step (admitted work only)  count     p50 ms    p95 ms    p99 ms    max ms');
  for (const step of STEPS) {
    const x = st.steps.get(step)!.summary();
    out.push(
      `${step.padEnd(24)} ${String(x.count).padStart(8)} ${f(x.p50).padStart(10)} ${f(x.p95).padStart(9)} ${f(x.p99).padStart(9)} ${f(x.max).padStart(9)}`,
    );
  }
  const perSecond = (xs: number[]) =>
    Array.from({ length: Math.max(st.issuancesBySecond.length, st.shedBySecond.length, st.errorsBySecond.length) }, (_, i) => xs[i] ?? 0).join(' ');
  out.push(`per second from the start (warm-up included): printed ${perSecond(st.issuancesBySecond)}`);
  out.push(`                                               shed    ${perSecond(st.shedBySecond)}`);
  out.push(`                                               errors  ${perSecond(st.errorsBySecond)}`);
  const errs = st.errors.entries();
  out.push(
    `errors by code (whole run): ${errs.length === 0 ? 'none' : errs.map(([c, n]) => `${c} ${n}`).join(', ')}${st.uncoded ? `   (UNCODED: ${st.uncoded})` : ''}`,
  );
  for (const [i, p] of r.relayFigures.entries())
    out.push(`relay ${i + 1} (pid ${p.pid}): CPU ${f(p.cpuPercent, 0)} % of a core, RSS ${f(p.rssMbLast, 0)} MB (max ${f(p.rssMbMax, 0)} MB)`);
  if (r.vrsFigures) out.push(`vrs (pid ${r.vrsFigures.pid}): CPU ${f(r.vrsFigures.cpuPercent, 0)} %, RSS ${f(r.vrsFigures.rssMbLast, 0)} MB`);
  if (r.redisFigures) out.push(`redis (pid ${r.redisFigures.pid}): CPU ${f(r.redisFigures.cpuPercent, 0)} %, RSS ${f(r.redisFigures.rssMbLast, 0)} MB`);
  out.push(
    `generator: CPU ${f(r.generatorCpuPercent, 0)} % of a core; its event loop ran late by p99 ${f(r.generatorLoopDelay.p99, 0)} ms, max ${f(r.generatorLoopDelay.max, 0)} ms (included in every latency above)`,
  );
  out.push(
    `machine: ${r.machine.cores} cores, ${f(r.machine.busyPercent, 0)} % of a core busy in all (every process, others' too), load average ${r.machine.loadAverage}`,
  );
  out.push(`documents checked against their holder: ${st.printed.length} (preview, digest, certificate ID); QR codes decoded and verified: ${st.decoded}`);
  if (audits.vrs) {
    const a = audits.vrs;
    out.push(
      `VRS books: ${a.issuedRows} issued, ${a.noticeRows} completion notices; lost ${a.lost.length}, phantom/doubled ${a.phantom.length}, misbound ${a.misbound.length}`,
    );
  }
  if (audits.store) {
    const s = audits.store;
    out.push(
      `one-time store: ${s.keys} keys; of ended sessions ${s.endedSessionKeys.length}; of aborted requests ${s.abortedRequestKeys.length}; untagged ${s.untagged.length}; outbox pending ${s.outboxPending}`,
    );
  }
  if (audits.privacy)
    out.push(
      `privacy sweep of every log line: ${audits.privacy.length === 0 ? 'no personal data' : `${audits.privacy.length} FINDINGS (${[...new Set(audits.privacy.map((p) => `${p.service}:${p.what}`))].join(', ')})`}`,
    );
  out.push(st.mismatches.length === 0 ? 'RESULT: every document belonged to the holder whose card opened its session' : 'RESULT: FAILED (mismatches above)');
  return out.join('\n');
}

/** Whether the run and its audits hold every invariant. */
export function runHolds(r: LoadReport, audits: { vrs?: VrsAudit; store?: StoreAudit; privacy?: PrivacyFinding[] }): boolean {
  return (
    r.state.mismatches.length === 0 &&
    (!audits.vrs || audits.vrs.lost.length + audits.vrs.phantom.length + audits.vrs.misbound.length === 0) &&
    (!audits.store || audits.store.endedSessionKeys.length + audits.store.abortedRequestKeys.length + audits.store.untagged.length === 0) &&
    (!audits.privacy || audits.privacy.length === 0)
  );
}
