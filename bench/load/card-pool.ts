import { createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KenhojoCard, type KenhojoCardState, type KenhojoFid } from '../../services/card/apdu-engine.js';
import {
  encodeCvBody,
  encodeDf51,
  encodeEf0001,
  encodeEf0002,
  encodeEf0003,
  encodeEf0004,
  encodeEf0007,
  hashBasicInfo,
  hashEf0001,
  integrityMessage,
  toFullWidthDigits,
} from '../../services/card/card-encoding.js';
import { subjectKeyIdOf } from '../../services/card/card-factory.js';
import { pkiPaths } from '../../services/common/pki-paths.js';
import { syntheticResidents, type SyntheticResident } from '../../services/vrs/seed/synthetic.js';

const generateRsa = promisify(generateKeyPair);

/** A synthetic holder and the card that carries their data. */
export interface LoadCard {
  resident: SyntheticResident;
  /** `family U+3000 given`, as the card and the certificate print it. */
  name: string;
  /** Card key-ID (hex). Shared by every card built on the same card key (see {@link loadCardPool}). */
  cardId: string;
  /** Powers the card on: a fresh APDU engine (PIN not yet verified) over the card's memory. */
  powerOn(): KenhojoCard;
}

/** Options of a pool: the population it mirrors. */
export interface CardPoolOptions {
  /** Residents per municipality. */
  perMunicipality: number;
  seed: number;
  municipalities: string[];
  /** Distinct RSA key pairs the cards are built on (default 16). */
  keys?: number;
  /** Cache folder (default .data/load-cards). */
  cacheDir?: string;
}

interface CachedPool {
  keys: string[];
  cards: Array<{ m: number; i: number; key: number; files: Record<KenhojoFid, string> }>;
}

const PIN = '1234';

/**
 * The synthetic population (`syntheticResidents` of VRS's seeding, same seed) and a virtual My
 * Number card for each resident, built with the card encoders and signed by the test card issuer
 * CA (certs/out/private/card-issuer). RSA key generation is the slow part of a card (hundreds of
 * ms each on a busy machine), so cards are built on a small pool of key pairs: card n uses key
 * n mod K as its card key (EF0004, DF33, DF52) and key n+1 mod K as its challenge key (EF0007).
 * Every signature on a card is real; only the card key-IDs repeat (which only the suspension
 * list looks at, and the load run suspends nothing). The pool is cached under
 * `.data/load-cards/` keyed by seed, size and municipalities.
 */
export async function loadCardPool(options: CardPoolOptions): Promise<LoadCard[]> {
  const nKeys = Math.max(2, options.keys ?? 16);
  const residents = options.municipalities.map((m) => syntheticResidents(options.perMunicipality, options.seed, m));
  const dir = options.cacheDir ?? '.data/load-cards';
  const file = join(dir, `seed${options.seed}-n${options.perMunicipality}-k${nKeys}-${options.municipalities.join('_')}.json`);
  const issuer = readIssuer();
  let pool: CachedPool | undefined;
  if (existsSync(file)) pool = JSON.parse(await readFile(file, 'utf8')) as CachedPool;
  if (!pool || pool.cards.length !== residents.flat().length) {
    pool = await buildPool(residents, nKeys, issuer);
    await mkdir(dir, { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(pool));
    await rename(`${file}.tmp`, file);
  }
  const keys = pool.keys.map((pem) => createPrivateKey(pem));
  return pool.cards.map((c) => {
    const resident = residents[c.m]![c.i]!;
    const files = Object.fromEntries(Object.entries(c.files).map(([fid, hex]) => [fid, new Uint8Array(Buffer.from(hex, 'hex'))])) as Record<
      KenhojoFid,
      Uint8Array
    >;
    const challengeKey = keys[(c.key + 1) % keys.length]!;
    return {
      resident,
      name: `${resident.familyName}\u3000${resident.givenName}`,
      cardId: Buffer.from(subjectKeyIdOf(createPublicKey(keys[c.key]!))).toString('hex'),
      powerOn: () => new KenhojoCard({ files, pin: { value: PIN, triesLeft: 3, maxTries: 3 }, challengeKey } satisfies KenhojoCardState),
    };
  });
}

function readIssuer(): { keyId: Uint8Array; key: KeyObject } {
  const paths = pkiPaths().cardIssuer;
  return {
    keyId: new Uint8Array(Buffer.from(readFileSync(paths.keyId, 'utf8').trim(), 'hex')),
    key: createPrivateKey(readFileSync(paths.key, 'utf8')),
  };
}

async function buildPool(residents: SyntheticResident[][], nKeys: number, issuer: { keyId: Uint8Array; key: KeyObject }): Promise<CachedPool> {
  const pairs = await Promise.all(Array.from({ length: nKeys }, () => generateRsa('rsa', { modulusLength: 2048, publicExponent: 0x10001 })));
  const signWith = (data: Uint8Array, key: KeyObject) => new Uint8Array(sign('sha256', data, key));
  // What depends on the keys only is signed once per card key.
  const perKey = pairs.map((pair, k) => {
    const body = encodeCvBody(issuer.keyId, subjectKeyIdOf(pair.publicKey), pair.publicKey);
    const df51 = encodeDf51(pairs[(k + 1) % nKeys]!.publicKey);
    return { ef0004: encodeEf0004(body, signWith(body, issuer.key)), ef0007: encodeEf0007(df51, signWith(df51, pair.privateKey)) };
  });
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const cards: CachedPool['cards'] = [];
  let n = 0;
  residents.forEach((people, m) =>
    people.forEach((p, i) => {
      const key = n++ % nKeys;
      const ef0001 = encodeEf0001(p.myNumber);
      const ef0002 = encodeEf0002({
        name: `${p.familyName}\u3000${p.givenName}`,
        address: toFullWidthDigits(`${p.municipality} 中央1丁目${(i % 30) + 1}番地`),
        birthDate: p.birthDate,
        sex: p.sex,
      });
      // H2 covers DF22..DF25: everything after the outer header and the 11-byte DF21 item.
      const outerHeader = ef0002[2]! < 0x80 ? 3 : ef0002[2] === 0x81 ? 4 : 5;
      const h1 = hashEf0001(ef0001);
      const h2 = hashBasicInfo(ef0002.subarray(outerHeader + 11));
      const ef0003 = encodeEf0003(h1, h2, signWith(integrityMessage(h1, h2), pairs[key]!.privateKey));
      cards.push({
        m,
        i,
        key,
        files: { '0001': hex(ef0001), '0002': hex(ef0002), '0003': hex(ef0003), '0004': hex(perKey[key]!.ef0004), '0007': hex(perKey[key]!.ef0007) },
      });
    }),
  );
  return { keys: pairs.map((p) => p.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), cards };
}
