import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCardFile } from '../../../services/card/card-file.js';
import type { BuiltCertificate } from '../../../services/certificate/builder.js';
import { contentDigest } from '../../../services/certificate/digest.js';
import { systemClock } from '../../../services/common/clock.js';
import type { CertificateRecord } from '../../../services/common/lgwan-contract.js';
import { createLogger } from '../../../services/common/logger.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';
import { createAdmission, type Admission, type AdmissionOptions } from '../../../services/relay/admission/admission.js';
import { createRelayApp } from '../../../services/relay/app.js';
import { createCardVerifier, readCardTrustAnchors } from '../../../services/relay/card-verify/card-verifier.js';
import { MemoryBooks } from '../../../services/relay/books/memory-books.js';
import { testIssuer } from '../../helpers/relay-issuer.js';
import { FileOutbox } from '../../../services/relay/notices/file-outbox.js';
import { MemoryStore } from '../../../services/relay/one-time/memory-store.js';
import { SealedStore } from '../../../services/relay/one-time/sealed.js';
import { ServiceHours } from '../../../services/relay/service-hours/service-hours.js';
import type { VrsClient } from '../../../services/relay/vrs-client/vrs-client.js';
import { presentCardInMemory } from '../../helpers/kiosk.js';
import { eventually } from './helpers/flow.js';

const KIOSK = { cn: 'KIOSK-0001', ou: 'STORE-0001', serial: '01' };
const MUNICIPALITY = '162027';

/** A door a VRS call waits at while closed: "a slow step in progress". */
class Gate {
  #open: () => void = () => undefined;
  readonly passed: Promise<void> = new Promise((r) => {
    this.#open = r;
  });
  open(): void {
    this.#open();
  }
}

/** VRS stand-in whose calls can be held at a gate; counts the calls that reached it. */
class HeldVrs implements VrsClient {
  lookupGate: Gate | undefined;
  certificateGate: Gate | undefined;
  lookups = 0;
  certificates = 0;
  holder = { name: '', birthDate: '' };

  async lookup(): ReturnType<VrsClient['lookup']> {
    this.lookups++;
    await this.lookupGate?.passed;
    return { municipalities: [{ code: MUNICIPALITY, name: '高岡市', participates: true, suspended: false, domestic: true, overseas: false }] };
  }

  async certificate(r: { municipality: string; kind: 'domestic' | 'overseas' }): Promise<CertificateRecord> {
    this.certificates++;
    await this.certificateGate?.passed;
    return {
      certificateId: `ADM${String(this.certificates).padStart(6, '0')}`,
      kind: r.kind,
      issuedOn: '2026-11-23',
      issuer: { code: r.municipality, name: '高岡市' },
      person: { name: this.holder.name, familyName: 'x', givenName: 'y', birthDate: this.holder.birthDate, sex: '2' },
      doses: [{ dose: 1, date: '2021-06-01', product: 'p', lot: 'L1' }],
    } as unknown as CertificateRecord;
  }

  async completion(n: { certificateId: string }): ReturnType<VrsClient['completion']> {
    return { certificateId: n.certificateId, status: 'recorded' };
  }

  async release(n: { certificateId: string }): ReturnType<VrsClient['release']> {
    return { certificateId: n.certificateId, status: 'released' };
  }

  async issuances(): ReturnType<VrsClient['issuances']> {
    return { items: [] };
  }
}

/** The certificate builder stand-in: a tiny PDF (rendering is not what these tests are about). */
const builder = {
  async build(record: CertificateRecord): Promise<BuiltCertificate> {
    const pdf = Buffer.from(`%PDF-1.7\n% ${record.certificateId}\n%%EOF\n`);
    return {
      certificateId: record.certificateId,
      pdf,
      digest: contentDigest(pdf),
      pages: 1,
      shc: 'shc:/0',
      preview: { issuer: record.issuer.name, name: record.person.name, birthDate: record.person.birthDate, doses: [] },
    };
  },
};

/**
 * Admission control in the real relay app (express, routes, sealed store, real card
 * verification), over a real listening server, with real concurrent requests: a step held at a
 * VRS gate occupies the one work slot (K = 1).
 */
describe('relay admission control (503 ERR_BUSY with Retry-After on steps 2–4)', () => {
  let cardFile: ReturnType<typeof parseCardFile>;
  let outboxDir: string;
  let server: Server | undefined;
  let vrs: HeldVrs;
  let admission: Admission;

  beforeAll(async () => {
    const manifest = JSON.parse(await readFile(join(pkiPaths().cardsDir, 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
    cardFile = parseCardFile(JSON.parse(await readFile(manifest['sato-hanako']!.file, 'utf8')));
    outboxDir = await mkdtemp(join(tmpdir(), 'admission-outbox-'));
  });
  afterEach(async () => {
    vrs?.lookupGate?.open();
    vrs?.certificateGate?.open();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  async function startRelay(options: AdmissionOptions): Promise<void> {
    vrs = new HeldVrs();
    admission = createAdmission(options);
    const outbox = new FileOutbox(outboxDir);
    const app = createRelayApp({
      store: new SealedStore(new MemoryStore(), randomBytes(32)),
      vrs,
      builder,
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
      admission,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
  }

  const url = () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  /** Sends at once (supertest is lazy) and resolves with the answer. */
  const send = (t: request.Test): Promise<request.Response> => t.then((r) => r);
  const post = (path: string, body?: unknown) =>
    send(
      body === undefined
        ? request(url()).post(path)
        : request(url())
            .post(path)
            .send(body as object),
    );

  const cardBody = (challenge: string) => presentCardInMemory(cardFile, challenge);

  /** Step 2; returns the session and the step-3 body for its challenge. */
  async function open(): Promise<{ sid: string; card: Record<string, string> }> {
    const a = await post('/v1/sessions');
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    return { sid: a.body.sessionId as string, card: await cardBody(a.body.challenge as string) };
  }

  async function withCard(): Promise<string> {
    const s = await open();
    const a = await post(`/v1/sessions/${s.sid}/card`, s.card);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    vrs.holder = a.body.holder as { name: string; birthDate: string };
    return s.sid;
  }

  const choice = { municipality: MUNICIPALITY, kind: 'domestic', copies: 1 };

  /** A 503 ERR_BUSY problem+json with Retry-After `retryAfterS` (or, with `upTo`, between the two). */
  function expectBusy(a: request.Response, retryAfterS: number, upTo = retryAfterS): void {
    expect(a.status, JSON.stringify(a.body)).toBe(503);
    expect(a.headers['content-type']).toContain('application/problem+json');
    const seconds = Number(a.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(retryAfterS);
    expect(seconds).toBeLessThanOrEqual(upTo);
    expect(a.body).toMatchObject({ code: 'ERR_BUSY', status: 503, type: 'urn:problem:ERR_BUSY', title: 'Service Unavailable', retryAfter: seconds });
    expect(typeof a.body.detail).toBe('string');
    expect(a.body.instance).toBe(a.headers['x-request-id']);
  }

  it('refuses a new session with 503 ERR_BUSY and Retry-After while a slow step holds the only slot and another waits', async () => {
    await startRelay({ maxInflight: 1, maxWaitMs: 30_000, maxQueue: 10, shedDelayMs: 0, retryAfterS: 2 });
    const a = await open();
    const b = await open();
    vrs.lookupGate = new Gate();
    const aCard = post(`/v1/sessions/${a.sid}/card`, a.card);
    await eventually(async () => vrs.lookups === 1, 10_000, 'step 3 of A at VRS');
    const bCard = post(`/v1/sessions/${b.sid}/card`, b.card);
    await eventually(async () => admission.limiter.queued === 1, 10_000, 'step 3 of B waiting');

    expectBusy(await post('/v1/sessions'), 2);
    // Step 1 is never refused.
    expect((await send(request(url()).get('/v1/service'))).status).toBe(200);

    vrs.lookupGate.open();
    expect((await aCard).status).toBe(200);
    expect((await bCard).status).toBe(200);
    // The work drained: new sessions are admitted again.
    expect((await post('/v1/sessions')).status).toBe(201);
  });

  it('refuses a step 4 that waited past the bounded wait, and the same step of the same session succeeds later', async () => {
    await startRelay({ maxInflight: 1, maxWaitMs: 300, maxQueue: 10, shedDelayMs: 60_000, retryAfterS: 2 });
    const a = await withCard();
    const b = await withCard();
    const c = await open();

    vrs.certificateGate = new Gate();
    const aRequest = post(`/v1/sessions/${a}/requests`, choice);
    await eventually(async () => vrs.certificates === 1, 10_000, 'step 4 of A at VRS');

    const refused = await post(`/v1/sessions/${b}/requests`, choice);
    expectBusy(refused, 1);
    // A step 3 that cannot get the slot is refused the same way, before its challenge is taken.
    expectBusy(await post(`/v1/sessions/${c.sid}/card`, c.card), 1);
    // The refused steps never reached VRS.
    expect(vrs.certificates).toBe(1);
    expect(vrs.lookups).toBe(2);

    vrs.certificateGate.open();
    expect((await aRequest).status).toBe(201);

    // The same step in the same session, as the kiosk repeats it after Retry-After.
    const again = await post(`/v1/sessions/${b}/requests`, choice);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    const doc = await send(request(url()).get(`/v1/sessions/${b}/requests/${again.body.requestId}/document`).buffer(true));
    expect(doc.status).toBe(200);
    const done = await post(`/v1/sessions/${b}/requests/${again.body.requestId}/completion`, {
      outcome: 'printed',
      paid: again.body.fee,
      contentDigest: doc.headers['content-digest'],
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    // The step-3 body answers the challenge it was made for: the challenge was not spent.
    expect((await post(`/v1/sessions/${c.sid}/card`, c.card)).status).toBe(200);
    expect((await send(request(url()).delete(`/v1/sessions/${b}`))).status).toBe(204);
  });

  it('lets new sessions in at a pace while every slot is taken: of a hundred at once the surplus is refused, and no step of an admitted one', async () => {
    await startRelay({ maxInflight: 1, maxWaitMs: 30_000, maxQueue: 10, shedDelayMs: 60_000, retryAfterS: 3 });
    const a = await withCard();
    vrs.certificateGate = new Gate();
    const aRequest = post(`/v1/sessions/${a}/requests`, choice);
    await eventually(async () => vrs.certificates === 1, 10_000, 'step 4 of A at VRS');

    const answers = await Promise.all(Array.from({ length: 100 }, () => post('/v1/sessions')));
    const refused = answers.filter((x) => x.status !== 201);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.length - refused.length).toBeGreaterThan(0);
    // Retry-After starts at the configured minimum and grows with the share turned away.
    for (const r of refused) expectBusy(r, 3, 10);

    vrs.certificateGate.open();
    expect((await aRequest).status).toBe(201);
    // An admitted session of the burst goes on normally.
    const b = answers.find((x) => x.status === 201)!;
    const bCard = await post(`/v1/sessions/${b.body.sessionId}/card`, await cardBody(b.body.challenge as string));
    expect(bCard.status, JSON.stringify(bCard.body)).toBe(200);
  });

  it('never refuses steps 5–7 (nor step 1), even while new sessions are being shed', async () => {
    await startRelay({ maxInflight: 1, maxWaitMs: 30_000, maxQueue: 10, shedDelayMs: 0, retryAfterS: 2 });
    const a = await withCard();
    const created = await post(`/v1/sessions/${a}/requests`, choice);
    expect(created.status).toBe(201);
    const b = await withCard();
    const c = await withCard();

    vrs.certificateGate = new Gate();
    const cRequest = post(`/v1/sessions/${c}/requests`, choice);
    await eventually(async () => vrs.certificates === 2, 10_000, 'step 4 of C at VRS');
    const bRequest = post(`/v1/sessions/${b}/requests`, choice);
    await eventually(async () => admission.limiter.queued === 1, 10_000, 'step 4 of B waiting');
    expectBusy(await post('/v1/sessions'), 2);

    expect((await send(request(url()).get('/v1/service'))).status).toBe(200);
    const rid = created.body.requestId as string;
    const doc = await send(request(url()).get(`/v1/sessions/${a}/requests/${rid}/document`).buffer(true));
    expect(doc.status).toBe(200);
    const done = await post(`/v1/sessions/${a}/requests/${rid}/completion`, {
      outcome: 'printed',
      paid: created.body.fee,
      contentDigest: doc.headers['content-digest'],
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(
      (await post(`/v1/sessions/${a}/requests/${rid}/completion`, { outcome: 'printed', paid: created.body.fee, contentDigest: doc.headers['content-digest'] }))
        .status,
    ).toBe(200);
    expect((await send(request(url()).delete(`/v1/sessions/${a}`))).status).toBe(204);
    // All of that ran while the slot was still held and a step still waited.
    expect(admission.limiter.inflight).toBe(1);
    expect(admission.limiter.queued).toBe(1);

    vrs.certificateGate.open();
    expect((await cRequest).status).toBe(201);
    expect((await bRequest).status).toBe(201);
  });
});
