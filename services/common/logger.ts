import { pino, type Logger, type DestinationStream } from 'pino';
import { reportError } from './error-report.js';

/**
 * Paths redacted in every service's logs. Personal data should never be passed to a logger in the
 * first place; this is the second line of defence.
 */
export const REDACT_PATHS = [
  'myNumber',
  '*.myNumber',
  'name',
  '*.name',
  'nameKana',
  '*.nameKana',
  'nameRoman',
  '*.nameRoman',
  'birthDate',
  '*.birthDate',
  'address',
  '*.address',
  'passportNumber',
  '*.passportNumber',
  'holder',
  '*.holder',
  'person',
  '*.person',
  'password',
  '*.password',
  'otp',
  '*.otp',
  'pin',
  '*.pin',
  'ef0001',
  'ef0002',
  'ef0003',
  '*.ef0001',
  '*.ef0002',
  '*.ef0003',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.body',
  'res.body',
  'body',
  '*.body',
];

/**
 * The censor: `[redacted]`, except an error's class name (`err.name: 'TypeError'`). The redaction
 * library does not tell which key a wildcard matched, so the value decides: an identifier ending in
 * `Error` or `Exception` is a class, never a person's name.
 */
export function keepErrorClass(value: unknown): unknown {
  if (typeof value === 'string' && /^[A-Za-z_$][\w$]{0,63}(?:Error|Exception)$/.test(value)) return value;
  return '[redacted]';
}

/** `err` of any line: an Error becomes its report (class, frames, fingerprint), never its raw message. */
function errSerializer(value: unknown): unknown {
  return value instanceof Error ? reportError(value) : value;
}

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go (tests pass a capturing stream). Defaults to stdout. */
  destination?: DestinationStream;
}

/** A pino logger with the project's redaction rules. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: keepErrorClass },
      base: { service: options.service },
      serializers: { err: errSerializer },
    },
    options.destination,
  );
}

export type { Logger };
