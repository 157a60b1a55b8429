import type { CheckResult } from './checks/kit.js';

/** The outcome of a run. */
export interface ConformanceReport {
  relayUrl: string;
  startedAt: string;
  durationMs: number;
  /** One line per card file: what the relay answered for it. */
  cards: string[];
  results: CheckResult[];
  passed: number;
  failed: number;
  notRun: number;
}

const LABEL = { pass: 'PASS', fail: 'FAIL', 'not-run': 'SKIP' } as const;

/** One console line per check, with the reason for every failure and every check not run. */
export function formatResultLine(r: CheckResult): string {
  const why = r.reason ? ` — ${r.reason}` : '';
  return `${LABEL[r.status]}  ${r.id.padEnd(44)} ${r.title}${r.status === 'pass' && r.reason ? ` (${r.reason})` : r.status !== 'pass' ? why : ''}`;
}

/** The whole console report. */
export function formatReport(report: ConformanceReport): string {
  return [
    `conformance of ${report.relayUrl} (PROTOCOL.md v1), ${report.startedAt}`,
    ...report.cards.map((l) => `  ${l}`),
    ...report.results.map(formatResultLine),
    `${report.passed} passed, ${report.failed} failed, ${report.notRun} not run (${(report.durationMs / 1000).toFixed(1)} s)`,
  ].join('\n');
}

/** XML text: escapes markup and drops characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return s

    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * JUnit XML (the schema CI servers read): one testsuite per check group, one testcase per check,
 * `<failure>` for a failure and `<skipped>` for a check not run, each with its reason.
 */
export function junitXml(report: ConformanceReport): string {
  const groups = new Map<string, CheckResult[]>();
  for (const r of report.results) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="relay conformance" tests="${report.results.length}" failures="${report.failed}" errors="0" skipped="${report.notRun}" time="${seconds(report.durationMs)}">`,
  );
  let first = true;
  for (const [group, results] of groups) {
    const f = results.filter((r) => r.status === 'fail').length;
    const s = results.filter((r) => r.status === 'not-run').length;
    const t = results.reduce((sum, r) => sum + r.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlEscape(group)}" tests="${results.length}" failures="${f}" errors="0" skipped="${s}" time="${seconds(t)}" timestamp="${xmlEscape(report.startedAt)}">`,
    );
    for (const r of results) {
      const open = `    <testcase classname="conformance.${xmlEscape(group)}" name="${xmlEscape(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}"`;
      if (r.status === 'pass') out.push(`${open}/>`);
      else if (r.status === 'fail')
        out.push(
          `${open}>`,
          `      <failure message="${xmlEscape(r.reason ?? 'failed')}" type="ConformanceFailure">${xmlEscape(r.reason ?? '')}</failure>`,
          '    </testcase>',
        );
      else out.push(`${open}>`, `      <skipped message="${xmlEscape(r.reason ?? 'not run')}"/>`, '    </testcase>');
    }
    // What the relay answered for each card file, once, with the first suite.
    if (first && report.cards.length) out.push(`    <system-out>${xmlEscape(report.cards.join('\n'))}</system-out>`);
    first = false;
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
