import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoResidents, type DemoResident } from '../../../certs/demo-cast.js';
import { createCard, createIssuerCa, type IssuerCa } from '../../../services/card/card-factory.js';
import { writeCardFile, type CardFile } from '../../../services/card/card-file.js';

/** Typed fixtures for the card tests: one CA, cards written into a private temp dir. */
export interface CardFixture {
  ca: IssuerCa;
  dir: string;
  /** Issues a card for `resident` and writes it under the temp dir; returns the path and the file. */
  issue(resident?: DemoResident, overrides?: Partial<DemoResident['card']>): Promise<{ path: string; card: CardFile }>;
  cleanup(): Promise<void>;
}

export const yamada = demoResidents[0]!;

export async function cardFixture(): Promise<CardFixture> {
  const [ca, dir] = await Promise.all([createIssuerCa(), mkdtemp(join(tmpdir(), 'card-test-'))]);
  return {
    ca,
    dir,
    async issue(resident = yamada, overrides = {}) {
      const card = await createCard({ ...resident, card: { ...resident.card, ...overrides } }, { issuerKeyId: ca.keyId, issuerPrivateKey: ca.privateKey });
      const path = join(dir, `${card.cardId}.json`);
      await writeCardFile(path, card);
      return { path, card };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
/** The status word of a response, as 4 hex digits. */
export const swOf = (r: Uint8Array): string => toHex(r.subarray(r.length - 2));

/** Reads the five EFs of a card file the way the kiosk does: reader, SELECT, VERIFY, READ BINARY. */
export async function readThroughReader(path: string, pin: string): Promise<import('../../../services/card/card-data.js').CardFiles> {
  const { connect, readAll, selectKenhojo, verifyPin } = await import('../../../services/card/reader.js');
  const conn = await connect(path);
  try {
    await selectKenhojo(conn);
    const result = await verifyPin(conn, pin);
    if (!('ok' in result)) throw new Error('PIN refused in a fixture');
    return await readAll(conn);
  } finally {
    await conn.disconnect();
  }
}
