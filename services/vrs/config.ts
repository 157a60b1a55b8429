import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig, portSchema } from '../common/config.js';
import { pkiPaths } from '../common/pki-paths.js';

/**
 * VRS configuration, parsed from the environment (STYLE.md "Config"). A bad value stops the
 * process with a message naming the variable. No default secrets: the master and lookup keys are
 * read from files (by default those `npm run certs` writes under certs/out/private/vrs).
 */
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

export const vrsConfigSchema = z
  .object({
    /** PostgreSQL URL; unset means embedded PGlite under PGLITE_DIR. */
    DATABASE_URL: z.preprocess(emptyToUndefined, z.string().url('expected a postgres:// URL').optional()),
    PGLITE_DIR: z.preprocess(emptyToUndefined, z.string().default('.data/vrs-pglite')),
    VRS_PORT: z.preprocess(emptyToUndefined, portSchema.default(9443)),
    PORTAL_PORT: z.preprocess(emptyToUndefined, portSchema.default(8081)),
    PORTAL_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    /**
     * express `trust proxy` for the portal: unset (default) trusts no proxy, so the client address
     * (per-client login throttling) is the TCP peer; `true`, a hop count or a list of proxy
     * addresses/subnets makes it read X-Forwarded-For.
     */
    /** The portal's address as staff reach it, for invitation links; default the address it listens on. */
    PORTAL_PUBLIC_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .url('expected an http(s):// URL')
        .regex(/^https?:\/\//, 'expected an http(s):// URL')
        .optional(),
    ),
    TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().max(500).optional()),
    PKI_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
    VRS_MASTER_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
    VRS_LOOKUP_KEY_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
    /** Password of the demo staff accounts; unset means no demo staff are created. */
    DEMO_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(8, 'at least 8 characters').optional()),
    MAIL_DIR: z.preprocess(emptyToUndefined, z.string().default('.data/mailbox')),
    /** "false" skips demo seeding (municipalities, cast residents, staff). */
    VRS_SEED_DEMO: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('true')),
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  })
  .transform((env) => {
    const pki = pkiPaths(resolve(env.PKI_DIR ?? 'certs/out'));
    return {
      databaseUrl: env.DATABASE_URL,
      pgliteDir: env.PGLITE_DIR,
      vrsPort: env.VRS_PORT,
      portalPort: env.PORTAL_PORT,
      portalHost: env.PORTAL_HOST,
      portalPublicUrl: env.PORTAL_PUBLIC_URL,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      pkiDir: pki.root,
      masterKeyFile: env.VRS_MASTER_KEY_FILE ?? pki.vrsMasterKey,
      lookupKeyFile: env.VRS_LOOKUP_KEY_FILE ?? pki.vrsLookupKey,
      demoPassword: env.DEMO_PASSWORD,
      mailDir: env.MAIL_DIR,
      seedDemo: env.VRS_SEED_DEMO === 'true',
      logLevel: env.LOG_LEVEL,
    };
  });

/** `true`/`false`, a hop count, or a comma-separated list of addresses and subnets (express syntax). */
function parseTrustProxy(v: string | undefined): boolean | number | string | undefined {
  if (v === undefined || v === 'false') return undefined;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

export type VrsConfig = z.infer<typeof vrsConfigSchema>;

/** Parses the VRS configuration; throws ConfigError naming each bad variable. */
export function loadVrsConfig(env: NodeJS.ProcessEnv = process.env): VrsConfig {
  return parseConfig(vrsConfigSchema, env, 'vrs');
}
