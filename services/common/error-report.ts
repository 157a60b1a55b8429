import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from './errors.js';

/** What the logs may say about an unexpected error: never a message that could carry request values. */
export interface ErrorReport {
  /** The error's class (`TypeError`, `PGliteError`, …). */
  name: string;
  /** Stack frames as `function file:line:column`, paths relative to the working folder. */
  frames: string[];
  /** Our own fixed text (an AppError's message), when it is one. */
  message?: string;
  /** sha-256 (first 16 hex) of any other message: equal messages group, none is readable. */
  fingerprint?: string;
  /** The report of `cause`, one level deep. */
  cause?: ErrorReport;
}

const MAX_FRAMES = 12;

function frameOf(line: string): string | undefined {
  const m = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
  if (!m) return undefined;
  let file = m[2]!;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  if (file.startsWith('/')) file = relative(process.cwd(), file);
  return `${m[1] ? `${m[1]} ` : ''}${file}:${m[3]}:${m[4]}`;
}

/** The class name of an error, not trusting a `name` that is not an identifier. */
function classOf(err: Error): string {
  const n = err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name;
  return /^[A-Za-z_$][\w$]{0,63}$/.test(n) ? n : 'Error';
}

/** Describes an error for the log: class and frames always, the message only when it is our own fixed text. */
export function reportError(err: unknown, depth = 0): ErrorReport {
  if (!(err instanceof Error)) return { name: typeof err, frames: [], fingerprint: fingerprint(String(err)) };
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s*at /.test(l))
    .map(frameOf)
    .filter((f): f is string => !!f)
    .slice(0, MAX_FRAMES);
  const report: ErrorReport = { name: classOf(err), frames };
  if (err instanceof AppError) report.message = err.message;
  else if (err.message) report.fingerprint = fingerprint(err.message);
  if (err.cause !== undefined && depth < 1) report.cause = reportError(err.cause, depth + 1);
  return report;
}

function fingerprint(message: string): string {
  return createHash('sha256').update(message, 'utf8').digest('hex').slice(0, 16);
}
