import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../common/clock.js';
import { createLogger, type Logger } from '../common/logger.js';
import { openDatabase, type Database } from './db/database.js';
import type { VrsConfig } from './config.js';

/**
 * What every VRS feature (LGWAN API, portal, imports, seeding) is given. Passed in, never imported
 * as a singleton (STYLE.md "App factories").
 */
export interface VrsDeps {
  db: Database;
  /** master: wraps the per-municipality data keys; lookup: HMAC key of the My Number index. */
  keys: { master: Buffer; lookup: Buffer };
  clock: Clock;
  log: Logger;
  /** Where outgoing mail (.eml) of the demo is written. */
  mailDir: string;
}

/** Reads a 32-byte key stored as 64 hex digits (the format `npm run certs` writes). */
export async function readKeyFile(path: string, variable: string): Promise<Buffer> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch {
    throw new Error(`vrs: ${variable}: cannot read key file ${path} (run \`npm run certs\` or set ${variable})`);
  }
  if (!/^[0-9a-f]{64}$/i.test(text)) throw new Error(`vrs: ${variable}: ${path} must hold 32 bytes in hex`);
  return Buffer.from(text, 'hex');
}

/** Opens the database and reads the keys named by the configuration. Does not migrate. */
export async function createVrsDeps(config: VrsConfig, overrides: { clock?: Clock; log?: Logger; db?: Database } = {}): Promise<VrsDeps> {
  const [master, lookup] = await Promise.all([
    readKeyFile(config.masterKeyFile, 'VRS_MASTER_KEY_FILE'),
    readKeyFile(config.lookupKeyFile, 'VRS_LOOKUP_KEY_FILE'),
  ]);
  const db = overrides.db ?? (await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.pgliteDir }));
  return {
    db,
    keys: { master, lookup },
    clock: overrides.clock ?? systemClock,
    log: overrides.log ?? createLogger({ service: 'vrs', level: config.logLevel }),
    mailDir: config.mailDir,
  };
}
