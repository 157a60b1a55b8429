import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { MtlsJsonClient, type HttpAnswer } from '../../services/common/mtls-json-client.js';
import { pkiPaths } from '../../services/common/pki-paths.js';
import { KenhojoCard } from '../../services/card/apdu-engine.js';
import { createCard, type CardResident } from '../../services/card/card-factory.js';
import { cardStateFromFile, type parseCardFile } from '../../services/card/card-file.js';
import { cardDataBody, connect, readAll, selectKenhojo, signChallenge, verifyPin } from '../../services/card/reader.js';
import type { CardFiles } from '../../services/card/card-data.js';

/** An answer from the relay. */
export type Answer = HttpAnswer;

/**
 * A kiosk terminal (tests of the relay, the portal and the kiosk) talking to the relay over mutual
 * TLS with its own client certificate (certs/out/kiosks/<id>), or with none / another certificate
 * for refusal tests, through the project's one mTLS JSON client. Answers come back raw, whatever
 * their status; no keep-alive, so each call is a connection of its own.
 */
export class Kiosk {
  readonly #http: MtlsJsonClient;
  constructor(
    readonly baseUrl: string,
    readonly kioskId: string | undefined,
    tls?: { cert: string; key: string },
  ) {
    const pki = pkiPaths();
    const own = kioskId ? { cert: readFileSync(pki.kiosk(kioskId).cert, 'utf8'), key: readFileSync(pki.kiosk(kioskId).key, 'utf8') } : tls;
    this.#http = new MtlsJsonClient({
      baseUrl,
      tls: { ...(own ?? {}), ca: readFileSync(pki.serverCa, 'utf8') },
      pool: { keepAlive: false, maxSockets: Infinity },
      timeoutMs: 120_000,
    });
  }

  /** One request; a JSON `body` is serialized, a Buffer sent as it is. Rejects only when no answer came (a refused handshake, for one). */
  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.#http.send(method, path, { body, headers });
  }

  close(): void {
    this.#http.close();
  }
}

/** The demo cards, copied to a private folder (the reader writes PIN counters back). */
export class CardWallet {
  #dir = '';
  #manifest: Record<string, { cardId: string; file: string }> = {};

  async init(): Promise<this> {
    this.#dir = await mkdtemp(join(tmpdir(), 'relay-cards-'));
    this.#manifest = JSON.parse(await readFile(join(pkiPaths().cardsDir, 'manifest.json'), 'utf8'));
    for (const [slug, entry] of Object.entries(this.#manifest)) await copyFile(entry.file, join(this.#dir, `${slug}.json`));
    return this;
  }

  /** Adds a card made now, signed by the demo card issuer, for a holder outside the demo cast. */
  async addCard(slug: string, resident: CardResident): Promise<void> {
    const pki = pkiPaths();
    const card = await createCard(resident, {
      issuerKeyId: (await readFile(pki.cardIssuer.keyId, 'utf8')).trim(),
      issuerPrivateKey: await readFile(pki.cardIssuer.key, 'utf8'),
    });
    const file = join(this.#dir, `${slug}.json`);
    await writeFile(file, JSON.stringify(card, null, 2) + '\n', { mode: 0o600 });
    this.#manifest[slug] = { cardId: card.cardId, file };
  }

  /** Removes the private copies. */
  async dispose(): Promise<void> {
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }

  cardId(slug: string): string {
    const e = this.#manifest[slug];
    if (!e) throw new TypeError(`no demo card ${slug}`);
    return e.cardId;
  }

  path(slug: string): string {
    this.cardId(slug);
    return join(this.#dir, `${slug}.json`);
  }

  /** What a kiosk does at step 3: VERIFY the PIN, read the five EFs, have the card sign the challenge. */
  async present(slug: string, challengeB64: string, pin = '1234'): Promise<{ files: CardFiles; body: Record<string, string> }> {
    const conn = await connect(this.path(slug));
    try {
      await selectKenhojo(conn);
      const r = await verifyPin(conn, pin);
      if (!('ok' in r)) throw new Error(`PIN refused: ${JSON.stringify(r)}`);
      const files = await readAll(conn);
      const sig = await signChallenge(conn, Buffer.from(challengeB64, 'base64'));
      return { files, body: cardBody(files, sig) };
    } finally {
      await conn.disconnect();
    }
  }
}

/** The step-3 body of card files and a challenge signature (the reader's, under the tests' old name). */
export const cardBody = cardDataBody;

/**
 * Step 3's body from a card held in memory (nothing written back): SELECT, VERIFY PIN 1234, the
 * five EFs, and the card's signature of the challenge.
 */
export async function presentCardInMemory(file: ReturnType<typeof parseCardFile>, challengeB64: string): Promise<Record<string, string>> {
  const card = new KenhojoCard(cardStateFromFile(file));
  const conn = { transmit: async (apdu: Uint8Array) => card.transmit(apdu) };
  await selectKenhojo(conn);
  const pin = await verifyPin(conn, '1234');
  if (!('ok' in pin)) throw new Error(`PIN refused: ${JSON.stringify(pin)}`);
  const files = await readAll(conn);
  return cardBody(files, await signChallenge(conn, Buffer.from(challengeB64, 'base64')));
}
