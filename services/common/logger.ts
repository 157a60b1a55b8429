import { pino, type Logger, type DestinationStream } from 'pino';

/**
 * Paths redacted in every service's logs. Personal data should never be passed to a logger in the
 * first place; this is the second line of defence.
 */
export const REDACT_PATHS = [
  'myNumber', '*.myNumber', 'name', '*.name', 'nameKana', '*.nameKana', 'nameRoman', '*.nameRoman',
  'birthDate', '*.birthDate', 'address', '*.address', 'passportNumber', '*.passportNumber',
  'holder', '*.holder', 'person', '*.person', 'password', '*.password', 'otp', '*.otp', 'pin', '*.pin',
  'ef0001', 'ef0002', 'ef0003', '*.ef0001', '*.ef0002', '*.ef0003',
  'req.headers.cookie', 'req.headers.authorization', 'req.body', 'res.body', 'body', '*.body',
];

/** Parents whose `name` is an error's class, not a person's: kept when it is an identifier. */
const ERROR_KEYS = new Set(['err', 'error', 'cause']);

/** The censor: `[redacted]`, except an error's class name (`err.name: 'TypeError'`). */
export function keepErrorClass(value: unknown, path: string[]): unknown {
  const parent = path[path.length - 2];
  if (path[path.length - 1] === 'name' && parent !== undefined && ERROR_KEYS.has(parent) && typeof value === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(value)) return value;
  return '[redacted]';
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
    },
    options.destination,
  );
}

export type { Logger };
