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
      pkiDir: pki.root,
      masterKeyFile: env.VRS_MASTER_KEY_FILE ?? pki.vrsMasterKey,
      lookupKeyFile: env.VRS_LOOKUP_KEY_FILE ?? pki.vrsLookupKey,
      demoPassword: env.DEMO_PASSWORD,
      mailDir: env.MAIL_DIR,
      seedDemo: env.VRS_SEED_DEMO === 'true',
      logLevel: env.LOG_LEVEL,
    };
  });

export type VrsConfig = z.infer<typeof vrsConfigSchema>;

/** Parses the VRS configuration; throws ConfigError naming each bad variable. */
export function loadVrsConfig(env: NodeJS.ProcessEnv = process.env): VrsConfig {
  return parseConfig(vrsConfigSchema, env, 'vrs');
}
