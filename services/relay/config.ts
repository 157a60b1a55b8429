import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig, portSchema, serviceHoursSchema } from '../common/config.js';
import { pkiPaths } from '../common/pki-paths.js';
import type { AdmissionOptions } from './admission/admission.js';

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema);

/**
 * Relay (証明書交付センター) configuration, parsed from the environment (PROTOCOL.md
 * "Configuration every deployment honours"). No default secrets: keys are read from files under
 * certs/out/ or the paths given here.
 */
export const relayConfigSchema = z
  .object({
    RELAY_PORT: opt(portSchema.default(8443)),
    RELAY_HOST: opt(z.string().default('127.0.0.1')),
    SERVICE_HOURS: opt(serviceHoursSchema.default('06:30-23:00')),
    FEE_PER_COPY: opt(z.coerce.number().int().min(0).default(120)),
    SESSION_TTL_S: opt(z.coerce.number().positive().max(86_400).default(600)),
    DOCUMENT_TTL_S: opt(z.coerce.number().positive().max(86_400).default(300)),
    REDIS_URL: opt(
      z
        .string()
        .regex(/^rediss?:\/\//, 'expected a redis:// URL')
        .optional(),
    ),
    /** Redis Cluster seed nodes `host:port,host:port`; takes precedence over REDIS_URL. */
    REDIS_CLUSTER_NODES: opt(
      z
        .string()
        .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'expected host:port[,host:port…]')
        .optional(),
    ),
    /** Namespace for every Redis key (several relay fleets or test runs on one Redis). */
    REDIS_KEY_PREFIX: opt(
      z
        .string()
        .regex(/^[A-Za-z0-9_.:-]*$/)
        .default(''),
    ),
    VRS_URL: opt(z.string().url().default('https://localhost:9443')),
    VRS_TIMEOUT_MS: opt(z.coerce.number().int().positive().default(5000)),
    PKI_DIR: opt(z.string().optional()),
    RELAY_STORE_KEY_FILE: opt(z.string().optional()),
    SUSPENSION_LIST_FILE: opt(z.string().optional()),
    OUTBOX_DIR: opt(z.string().default('.data/relay-outbox')),
    /** The embedded books' journal (no Redis): the ledger and revocations, one JSON line each. */
    BOOKS_DIR: opt(z.string().default('.data/relay-books')),
    /** Requests one session may make (step 4 beyond: 429 ERR_REQUEST_LIMIT). */
    REQUEST_LIMIT: opt(z.coerce.number().int().min(1).max(100).default(10)),
    /** How often each relay expires open requests whose session ran out (≤ 60 s after expiry). */
    EXPIRY_SWEEP_MS: opt(z.coerce.number().int().positive().max(60_000).default(15_000)),
    SHC_ISSUER_URL: opt(z.string().url().optional()),
    /** Print where the SHC keys are at the foot of each certificate (a demo aid; real certificates carry none). */
    CERTIFICATE_VERIFY_HINT: opt(z.enum(['true', 'false']).default('false')),
    NOTICE_RETRY_BASE_MS: opt(z.coerce.number().int().positive().default(500)),
    NOTICE_RETRY_MAX_MS: opt(z.coerce.number().int().positive().default(30_000)),
    NOTICE_POLL_MS: opt(z.coerce.number().int().positive().default(1000)),
    BODY_LIMIT: opt(z.string().default('64kb')),
    /** Worker threads rendering certificates; 0 renders on the event loop. */
    RENDER_WORKERS: opt(z.coerce.number().int().min(0).max(64).default(Math.min(4, availableParallelism()))),
    /**
     * Admission control (services/relay/admission/), per relay process. Steps 3 and 4 in progress
     * at most; default 32 × RENDER_WORKERS (at least 32). 0 turns admission control off.
     */
    ADMISSION_MAX_INFLIGHT: opt(z.coerce.number().int().min(0).max(10_000).optional()),
    /** A step 3 or 4 waiting longer than this for a slot is answered 503 ERR_BUSY (Retry-After 1). */
    ADMISSION_MAX_WAIT_MS: opt(z.coerce.number().int().min(0).max(60_000).default(2000)),
    /** Steps waiting at most; default 4 × ADMISSION_MAX_INFLIGHT. */
    ADMISSION_MAX_QUEUE: opt(z.coerce.number().int().min(0).max(1_000_000).optional()),
    /** New sessions get 503 ERR_BUSY while the oldest waiting step has waited this long (0: while any waits). */
    ADMISSION_SHED_DELAY_MS: opt(z.coerce.number().int().min(0).max(60_000).default(100)),
    /** Shortest Retry-After (seconds) of a new session refused with ERR_BUSY; grows to 10 s with the share of kiosks turned away. */
    ADMISSION_RETRY_AFTER_S: opt(z.coerce.number().int().min(1).max(3600).default(2)),
    LOG_LEVEL: opt(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  })
  .transform((env) => {
    const pki = pkiPaths(resolve(env.PKI_DIR ?? 'certs/out'));
    return {
      port: env.RELAY_PORT,
      host: env.RELAY_HOST,
      serviceHours: env.SERVICE_HOURS,
      feePerCopy: env.FEE_PER_COPY,
      sessionTtlMs: Math.round(env.SESSION_TTL_S * 1000),
      documentTtlMs: Math.round(env.DOCUMENT_TTL_S * 1000),
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      redisClusterNodes: env.REDIS_CLUSTER_NODES?.split(',').map((n) => {
        const i = n.lastIndexOf(':');
        return { host: n.slice(0, i), port: Number(n.slice(i + 1)) };
      }),
      vrsUrl: env.VRS_URL.replace(/\/$/, ''),
      vrsTimeoutMs: env.VRS_TIMEOUT_MS,
      pki,
      storeKeyFile: env.RELAY_STORE_KEY_FILE ?? pki.relayStoreKey,
      suspensionListFile: env.SUSPENSION_LIST_FILE ?? pki.cardSuspensionList,
      outboxDir: resolve(env.OUTBOX_DIR),
      booksDir: resolve(env.BOOKS_DIR),
      requestLimit: env.REQUEST_LIMIT,
      expirySweepMs: env.EXPIRY_SWEEP_MS,
      shcIssuerUrl: env.SHC_ISSUER_URL,
      verificationHint: env.CERTIFICATE_VERIFY_HINT === 'true',
      noticeRetry: { baseMs: env.NOTICE_RETRY_BASE_MS, maxMs: env.NOTICE_RETRY_MAX_MS, pollMs: env.NOTICE_POLL_MS },
      bodyLimit: env.BODY_LIMIT,
      renderWorkers: env.RENDER_WORKERS,
      admission: admissionOf(env),
      logLevel: env.LOG_LEVEL,
    };
  });

export type RelayConfig = z.infer<typeof relayConfigSchema>;

/**
 * The admission limits (undefined = off). The default slot count follows the render workers: a
 * step 4 waits on VRS, a render worker and Redis, so many steps must be in flight to keep the
 * workers and the event loop busy. Measured on the 2-core load machine (2 workers, 1,000 kiosks):
 * 8 slots held a relay to ~30 issuances/s, 32 gave ~45/s and 64 ~60/s with steps 3 and 4 still
 * answered within ~2 s at p99; each step in flight costs only a few ms of event-loop time, so the
 * bound is on work piling up, not on the rate.
 */
function admissionOf(env: {
  RENDER_WORKERS: number;
  ADMISSION_MAX_INFLIGHT?: number | undefined;
  ADMISSION_MAX_WAIT_MS: number;
  ADMISSION_MAX_QUEUE?: number | undefined;
  ADMISSION_SHED_DELAY_MS: number;
  ADMISSION_RETRY_AFTER_S: number;
}): AdmissionOptions | undefined {
  const maxInflight = env.ADMISSION_MAX_INFLIGHT ?? 32 * Math.max(1, env.RENDER_WORKERS);
  if (maxInflight === 0) return undefined;
  return {
    maxInflight,
    maxWaitMs: env.ADMISSION_MAX_WAIT_MS,
    maxQueue: env.ADMISSION_MAX_QUEUE ?? 4 * maxInflight,
    shedDelayMs: env.ADMISSION_SHED_DELAY_MS,
    retryAfterS: env.ADMISSION_RETRY_AFTER_S,
  };
}

/** Parses the relay configuration; throws ConfigError naming each bad variable. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  return parseConfig(relayConfigSchema, env, 'relay');
}

/** The SHC issuer URL: the configured one, else the one `npm run certs` recorded. */
export function shcIssuerUrlOf(config: RelayConfig): string {
  if (config.shcIssuerUrl) return config.shcIssuerUrl;
  const meta = JSON.parse(readFileSync(config.pki.shcIssuer.meta, 'utf8')) as { issuerUrl?: unknown };
  if (typeof meta.issuerUrl !== 'string') throw new Error(`relay: ${config.pki.shcIssuer.meta} has no issuerUrl`);
  return meta.issuerUrl;
}
