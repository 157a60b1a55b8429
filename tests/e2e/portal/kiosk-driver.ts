import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { connect, readAll, selectKenhojo, signChallenge, verifyPin } from '../../../services/card/reader.js';

/** An answer of the relay. */
export interface RelayAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface MenuEntry {
  code: string;
  name: string;
  domestic: boolean;
  overseas: boolean;
  unavailableReason?: string;
}

const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

/**
 * A kiosk terminal as PROTOCOL.md describes it: HTTPS with its client certificate
 * (certs/out/kiosks/<id>) to the relay, and the virtual card reader (APDUs to a copy of a demo
 * card, whose PIN counter the reader writes back).
 */
export class KioskDriver {
  readonly #agent: https.Agent;
  #cardDir = '';
  #manifest: Record<string, { file: string }> = {};

  constructor(readonly relayUrl: string, readonly kioskId = 'KIOSK-0001') {
    const pki = pkiPaths();
    this.#agent = new https.Agent({
      cert: readFileSync(pki.kiosk(kioskId).cert, 'utf8'),
      key: readFileSync(pki.kiosk(kioskId).key, 'utf8'),
      ca: readFileSync(pki.serverCa, 'utf8'),
      keepAlive: false,
    });
  }

  /** Copies the demo cards to a private folder. */
  async init(): Promise<this> {
    this.#cardDir = await mkdtemp(join(tmpdir(), 'portal-e2e-cards-'));
    this.#manifest = JSON.parse(await readFile(join(pkiPaths().cardsDir, 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
    for (const [slug, entry] of Object.entries(this.#manifest)) await copyFile(entry.file, join(this.#cardDir, `${slug}.json`));
    return this;
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    if (this.#cardDir) await rm(this.#cardDir, { recursive: true, force: true });
  }

  call(method: string, path: string, body?: unknown): Promise<RelayAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.relayUrl}${path}`, {
        method,
        agent: this.#agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          let json: unknown;
          try {
            json = JSON.parse(buf.toString('utf8'));
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Steps 2 and 3: opens a session, reads the card (PIN 1234) and signs the challenge; answers the menu. */
  async openWithCard(slug: string): Promise<{ sid: string; menu: MenuEntry[] }> {
    if (!this.#manifest[slug]) throw new TypeError(`no demo card ${slug}`);
    const open = await this.call('POST', '/v1/sessions');
    if (open.status !== 201) throw new Error(`POST /v1/sessions answered ${open.status}: ${open.body.toString()}`);
    const sid = open.json.sessionId as string;
    const conn = await connect(join(this.#cardDir, `${slug}.json`));
    let body: Record<string, string>;
    try {
      await selectKenhojo(conn);
      const pin = await verifyPin(conn, '1234');
      if (!('ok' in pin)) throw new Error(`PIN refused: ${JSON.stringify(pin)}`);
      const files = await readAll(conn);
      const signature = await signChallenge(conn, Buffer.from(open.json.challenge as string, 'base64'));
      body = { ef0001: b64(files.ef0001), ef0002: b64(files.ef0002), ef0003: b64(files.ef0003), ef0004: b64(files.ef0004), ef0007: b64(files.ef0007), challengeSignature: b64(signature) };
    } finally {
      await conn.disconnect();
    }
    const card = await this.call('POST', `/v1/sessions/${sid}/card`, body);
    if (card.status !== 200) throw new Error(`card step answered ${card.status}: ${card.body.toString()}`);
    return { sid, menu: card.json.municipalities as MenuEntry[] };
  }

  /** Steps 2–7 for a printed certificate: answers its certificate ID and the receipt. */
  async issue(slug: string, choice: { municipality: string; kind: 'domestic' | 'overseas'; copies: number }): Promise<{ certificateId: string; receipt: Record<string, unknown> }> {
    const { sid } = await this.openWithCard(slug);
    const created = await this.call('POST', `/v1/sessions/${sid}/requests`, choice);
    if (created.status !== 201) throw new Error(`request answered ${created.status}: ${created.body.toString()}`);
    const rid = created.json.requestId as string;
    const doc = await this.call('GET', `/v1/sessions/${sid}/requests/${rid}/document`);
    if (doc.status !== 200) throw new Error(`document answered ${doc.status}: ${doc.body.toString()}`);
    const certificateId = String(doc.headers['certificate-id']);
    const contentDigest = String(doc.headers['content-digest']);
    const done = await this.call('POST', `/v1/sessions/${sid}/requests/${rid}/completion`, { outcome: 'printed', paid: created.json.fee as number, contentDigest });
    if (done.status !== 200) throw new Error(`completion answered ${done.status}: ${done.body.toString()}`);
    await this.call('DELETE', `/v1/sessions/${sid}`);
    return { certificateId, receipt: done.json.receipt as Record<string, unknown> };
  }
}
