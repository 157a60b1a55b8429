import type { CardPool, HolderData } from '../cards.js';
import type { Discovery } from '../discover.js';
import { describe, type Answer, type ConformanceClient } from '../relay-client.js';

/** What a check concluded. */
export type CheckStatus = 'pass' | 'fail' | 'not-run';

export interface CheckResult {
  id: string;
  group: string;
  title: string;
  status: CheckStatus;
  /** Why it failed or did not run; for a pass, what was seen (optional). */
  reason?: string;
  durationMs: number;
}

/** What the runner was told about the relay under test. */
export interface KitOptions {
  relayUrl: string;
  /** `--expect-closed`: the relay is configured closed now. */
  expectClosed: boolean;
  /** The relay's configured lifetimes, when known (seconds). */
  sessionTtlS?: number;
  documentTtlS?: number;
  /** Parallel flows in the concurrency run. */
  concurrency: number;
  /** Longest lifetime the kit waits out (seconds). */
  maxWaitS: number;
}

/** Everything a check may use. */
export interface KitContext {
  options: KitOptions;
  /** The first `--kiosk`. */
  kiosk: ConformanceClient;
  /** The second `--kiosk`, when given. */
  otherKiosk: ConformanceClient | undefined;
  /** A client without a certificate. */
  anonymous: ConformanceClient;
  /** The card files (temporary copies). */
  pool: CardPool;
  discovery: Discovery;
  /** `open` as GET /v1/service answered at the start (undefined when it did not answer). */
  serviceOpen: boolean | undefined;
  /** Every answer of the run, for the sweeps. */
  answers: Answer[];
  /** Holder data of every card read, for the privacy sweep. */
  holders: Map<string, HolderData>;
}

/** A check: independent, opens its own sessions, and ends them. */
export interface Check {
  id: string;
  group: string;
  title: string;
  /** Returns an optional note for a pass; throws {@link CheckFailure} or {@link CheckNotRun}. */
  run(ctx: KitContext): Promise<string | void>;
}

export class CheckFailure extends Error {
  override name = 'CheckFailure';
}
export class CheckNotRun extends Error {
  override name = 'CheckNotRun';
}

/** Fails the check with `reason` unless `condition` holds. */
export function expectThat(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new CheckFailure(reason);
}

export function notRun(reason: string): never {
  throw new CheckNotRun(reason);
}

/** The fields every problem document carries (PROTOCOL.md "Transport and identity"). */
const PROBLEM_FIELDS = ['code', 'status', 'title', 'detail', 'instance'] as const;

/** Why `a` is not an RFC 9457 problem document as PROTOCOL.md requires, or undefined. */
export function problemDefect(a: Answer): string | undefined {
  const type = String(a.headers['content-type'] ?? '');
  if (!/^application\/problem\+json\b/i.test(type)) return `Content-Type is "${type || '(none)'}", not application/problem+json`;
  if (!a.json || typeof a.json !== 'object' || Array.isArray(a.json)) return 'body is not a JSON object';
  const missing = PROBLEM_FIELDS.filter((f) => a.json[f] === undefined);
  if (missing.length) return `problem lacks ${missing.join(', ')}`;
  if (typeof a.json.code !== 'string' || !/^ERR_[A-Z0-9_]+$/.test(a.json.code)) return 'code is not an ERR_… string';
  if (a.json.status !== a.status) return `problem status ${String(a.json.status)} differs from HTTP ${a.status}`;
  for (const f of ['title', 'detail', 'instance'] as const) if (typeof a.json[f] !== 'string') return `${f} is not a string`;
  return undefined;
}

/**
 * Expects a refusal: HTTP `status`, a problem document, and one of `codes`. Returns the code seen.
 */
export function expectProblem(a: Answer, status: number | number[], codes: string[]): string {
  const statuses = Array.isArray(status) ? status : [status];
  const want = `${statuses.join(' or ')} ${codes.join(' or ')}`;
  expectThat(statuses.includes(a.status) && codes.includes(a.json?.code), `expected ${want}, got ${describe(a)}`);
  const defect = problemDefect(a);
  expectThat(!defect, `${describe(a)}: ${defect}`);
  return a.json.code as string;
}

/** Expects a 2xx status. */
export function expectStatus(a: Answer, status: number): void {
  expectThat(a.status === status, `expected ${status}, got ${describe(a)}${a.json?.detail ? ` (${String(a.json.detail).slice(0, 120)})` : ''}`);
}

/** Estimated entropy of a random identifier, from its length and alphabet. */
export function identifierBits(id: string): number {
  if (/^[0-9a-f]+$/i.test(id)) return id.length * 4;
  if (/^[A-Za-z0-9_-]+$/.test(id) || /^[A-Za-z0-9+/]+=*$/.test(id)) return id.replace(/=+$/, '').length * 6;
  return id.length * 5;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
