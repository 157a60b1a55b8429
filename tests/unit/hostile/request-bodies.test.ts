import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCardFile } from '../../../services/card/card-file.js';
import { presentCardInMemory } from '../../helpers/kiosk.js';
import { systemClock } from '../../../services/common/clock.js';
import { NotIssuableError } from '../../../services/common/record-errors.js';
import { createLogger } from '../../../services/common/logger.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createRelayApp } from '../../../services/relay/app.js';
import { createCardVerifier, readCardTrustAnchors } from '../../../services/relay/card-verify/card-verifier.js';
import { MemoryBooks } from '../../../services/relay/books/memory-books.js';
import { testIssuer } from '../../helpers/relay-issuer.js';
import { FileOutbox } from '../../../services/relay/notices/file-outbox.js';
import { MemoryStore } from '../../../services/relay/one-time/memory-store.js';
import { SealedStore } from '../../../services/relay/one-time/sealed.js';
import { ServiceHours } from '../../../services/relay/service-hours/service-hours.js';
import type { VrsClient } from '../../../services/relay/vrs-client/vrs-client.js';

const KIOSK = { cn: 'KIOSK-0001', ou: 'STORE-0001', serial: '01' };

/** Every refusal: a coded problem+json 4xx, never a 5xx. */
function expectCodedRefusal(res: request.Response, okStatuses: number[] = []): void {
  if (okStatuses.includes(res.status)) return;
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body.code).toMatch(/^ERR_[A-Z_]+$/);
  expect(res.body.status).toBe(res.status);
}

const jsonish = fc.oneof(
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.jsonValue()),
  fc.anything().map((v) => {
    try {
      return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
    } catch {
      return null;
    }
  }),
);

describe('hostile request bodies against the relay app', () => {
  let server: Server;
  let cardBody: (challenge: string) => Promise<Record<string, string>>;

  beforeAll(async () => {
    const vrs: VrsClient = {
      lookup: async () => ({
        municipalities: [
          {
            code: '162027',
            name: '高岡市',
            participates: true,
            suspended: false,
            domestic: true,
            overseas: false,
            overseasUnavailableReason: 'no_passport_on_file',
          },
        ],
      }),
      certificate: async () => {
        throw new NotIssuableError();
      },
      completion: async (n) => ({ certificateId: n.certificateId, status: 'recorded' }),
      release: async (n) => ({ certificateId: n.certificateId, status: 'released' }),
      issuances: async () => ({ items: [] }),
    };
    const outbox = new FileOutbox(await mkdtemp(join(tmpdir(), 'hostile-outbox-')));
    const app = createRelayApp({
      store: new SealedStore(new MemoryStore(), randomBytes(32)),
      vrs,
      builder: {
        build: async () => {
          throw new TypeError('not reached');
        },
      },
      cardVerifier: createCardVerifier({ trustAnchors: readCardTrustAnchors(pkiPaths().cardIssuerTrust), suspensions: { has: () => false } }),
      outbox,
      books: MemoryBooks.ephemeral(outbox),
      issuer: testIssuer(),
      clock: systemClock,
      log: createLogger({ service: 'relay', level: 'silent' }),
      serviceHours: new ServiceHours('00:00-24:00'),
      feePerCopy: 120,
      sessionTtlMs: 600_000,
      documentTtlMs: 300_000,
      identify: () => KIOSK,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const manifest = JSON.parse(readFileSync(join(pkiPaths().cardsDir, 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
    const file = parseCardFile(JSON.parse(readFileSync(manifest['sato-hanako']!.file, 'utf8')));
    cardBody = (challenge) => presentCardInMemory(file, challenge);
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** POSTs the JSON text of any value (superagent would not serialise a bare number or string). */
  const postJson = (path: string, body: unknown) =>
    request(url())
      .post(path)
      .set('content-type', 'application/json')
      .send(JSON.stringify(body) ?? 'null');
  const open = async () => (await request(url()).post('/v1/sessions').expect(201)).body as { sessionId: string; challenge: string };

  it('answers any JSON body at step 3 with a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, async (body) => {
        const { sessionId } = await open();
        expectCodedRefusal(await postJson(`/v1/sessions/${sessionId}/card`, body));
      }),
      { numRuns: 60 },
    );
  });

  it('answers mutated card bodies (fields replaced by anything) with a coded 4xx, never a 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0007', 'challengeSignature', 'extra'), jsonish, async (field, value) => {
        const { sessionId, challenge } = await open();
        const body: Record<string, unknown> = { ...(await cardBody(challenge)), [field]: value };
        expectCodedRefusal(await postJson(`/v1/sessions/${sessionId}/card`, body));
      }),
      { numRuns: 40 },
    );
  });

  it('answers any body at steps 4 and 6 with a coded 4xx', async () => {
    const { sessionId, challenge } = await open();
    expect((await postJson(`/v1/sessions/${sessionId}/card`, await cardBody(challenge))).status).toBe(200);
    await fc.assert(
      fc.asyncProperty(
        jsonish,
        fc.record(
          {
            municipality: fc.oneof(fc.constant('162027'), fc.string()),
            kind: fc.oneof(fc.constantFrom('domestic', 'overseas'), fc.string()),
            copies: fc.oneof(fc.integer(), fc.double(), fc.string()),
          },
          { requiredKeys: [] },
        ),
        async (body, near) => {
          expectCodedRefusal(await postJson(`/v1/sessions/${sessionId}/requests`, body));
          expectCodedRefusal(await postJson(`/v1/sessions/${sessionId}/requests`, near));
          expectCodedRefusal(await postJson(`/v1/sessions/${sessionId}/requests/${'A'.repeat(22)}/completion`, body));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('answers malformed JSON, wrong types and oversized bodies with a coded 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.constantFrom('application/json', 'application/problem+json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (raw, type) => {
          const { sessionId } = await open();
          expectCodedRefusal(await request(url()).post(`/v1/sessions/${sessionId}/card`).set('content-type', type).send(raw));
        },
      ),
      { numRuns: 50 },
    );
    const { sessionId } = await open();
    expectCodedRefusal(
      await request(url())
        .post(`/v1/sessions/${sessionId}/card`)
        .set('content-type', 'application/json')
        .send(`{"ef0001":"${'A'.repeat(200_000)}"}`),
    );
  });

  it('answers hostile path identifiers with a coded 404', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (id) => {
        const res = await request(url()).get(`/v1/sessions/${encodeURIComponent(id)}/requests/${encodeURIComponent(id)}/document`);
        expectCodedRefusal(res);
      }),
      { numRuns: 50 },
    );
  });
});
