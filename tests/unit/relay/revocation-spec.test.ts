import { randomBytes } from 'node:crypto';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import supertest from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateBuilder } from '../../../services/certificate/builder.js';
import { toKeyObject } from '../../../services/certificate/keys.js';
import { verifyShc } from '../../../services/certificate/verify/verify-shc.js';
import { ManualClock } from '../../../services/common/clock.js';
import type { BookRequest } from '../../../services/relay/books/books.js';
import { JournalFile } from '../../../services/relay/books/journal-file.js';
import { MemoryBooks } from '../../../services/relay/books/memory-books.js';
import { FileOutbox } from '../../../services/relay/notices/file-outbox.js';
import { publicRoutes } from '../../../services/relay/revocation/public-routes.js';
import { ridSecret, shcRidOf } from '../../../services/relay/revocation/rid.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, type ShcIssuerFixture, type VdsPkiFixture } from '../certificate/fixtures.js';

const clock = new ManualClock(new Date('2026-11-23T01:00:00Z'));
let issuer: ShcIssuerFixture;
let vds: VdsPkiFixture;

beforeAll(async () => {
  issuer = await makeShcIssuer(undefined, { now: clock.now() });
  vds = await makeVdsPki({ now: clock.now() });
});

const request = (n: number, over: Partial<BookRequest> = {}): BookRequest => ({
  sid: `S${n}`.padEnd(22, 'x'),
  rid: `R${n}`.padEnd(22, 'x'),
  certificateId: `CERT${n}`,
  kioskId: 'KIOSK-0001',
  storeId: 'STORE-1',
  municipality: '131016',
  kind: 'domestic',
  copies: 1,
  fee: 120,
  kid: issuer.kid,
  shcRid: shcRidOf(Buffer.alloc(32, 7), `CERT${n}`),
  expiresAt: clock.now().getTime() + 600_000,
  ...over,
});
const open = { limit: 10, at: clock.now().getTime(), sessionTtlMs: 600_000 };

/**
 * SMART Health Cards revocation (spec "Revocation"): `vc.rid` is base64url and at most 24
 * characters, derived so it reveals nothing; the CRL at `<iss>/.well-known/crl/<kid>.json` is
 * `{ kid, method: "rid", ctr, rids }` without duplicates; the JWKS key's `crlVersion` is a
 * positive integer equal to `ctr`, present once the key has a CRL.
 */
describe('SHC revocation identifiers and lists', () => {
  it('derives a short base64url rid from a secret: stable, distinct, and blind to the certificate ID', () => {
    const secret = ridSecret(randomBytes(32));
    const ids = Array.from({ length: 500 }, (_, i) => `A${String(i).padStart(11, '0')}`);
    const rids = ids.map((id) => shcRidOf(secret, id));
    for (const [i, rid] of rids.entries()) {
      expect(rid).toMatch(/^[A-Za-z0-9_-]{1,24}$/);
      expect(rid).not.toContain('.');
      expect(rid).not.toContain(ids[i]!.slice(1));
    }
    expect(new Set(rids).size).toBe(ids.length);
    expect(shcRidOf(secret, ids[0]!)).toBe(rids[0]);
    // Another secret, another rid: without the secret the certificate ID cannot be tried against it.
    expect(shcRidOf(ridSecret(randomBytes(32)), ids[0]!)).not.toBe(rids[0]);
  });

  it('signs the rid into the card as vc.rid, and the verifier reads it', async () => {
    const builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: vds.signer, clock });
    const rid = shcRidOf(Buffer.alloc(32, 1), 'A00000000001');
    const built = await builder.build(domesticRecord(), { rid });
    const v = await verifyShc(built.shc, { jwks: issuer.jwks, now: clock.now() });
    expect(v.rid).toBe(rid);
    expect(() => builder.codes(domesticRecord(), { rid: 'has.a.dot' })).toThrow(TypeError);
  });

  it('publishes the CRL and crlVersion by the rules, rising with each revocation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crl-'));
    const books = await MemoryBooks.open({ outbox: new FileOutbox(join(dir, 'outbox')), journal: new JournalFile(join(dir, 'books', 'ledger.jsonl')) });
    const app = express().use(
      '/shc',
      publicRoutes({ jwks: issuer.jwks, books, vdsSigner: { id: 'vds', privateKey: toKeyObject(vds.signer.privateKey), certDer: vds.signer.certDer } }),
    );
    const jwks = async () => (await supertest(app).get('/shc/.well-known/jwks.json')).body.keys[0] as { kid: string; crlVersion?: number };
    const crl = async () =>
      (await supertest(app).get(`/shc/.well-known/crl/${issuer.kid}.json`)).body as { kid: string; method: string; ctr: number; rids: string[] };
    expect((await jwks()).crlVersion).toBeUndefined();
    for (let n = 1; n <= 3; n++) {
      await books.open(request(n), open);
      await books.serve(request(n).sid, request(n).rid, open.at);
      await books.complete(request(n).sid, request(n).rid, {
        outcome: 'cancelled',
        receipt: { copies: 0, fee: 0, paid: 0, change: 0, issuedAt: '', kioskId: '', storeId: '' },
        fingerprint: 'x',
        at: open.at,
      });
      const key = await jwks();
      const list = await crl();
      expect(Number.isInteger(key.crlVersion) && key.crlVersion! >= 1).toBe(true);
      expect(list).toEqual({ kid: issuer.kid, method: 'rid', ctr: n, rids: [1, 2, 3].slice(0, n).map((i) => request(i).shcRid) });
      expect(list.ctr).toBe(key.crlVersion);
      expect(new Set(list.rids).size).toBe(list.rids.length);
    }
    // A served document completed twice is revoked once; a printed one never.
    await books.complete(request(1).sid, request(1).rid, {
      outcome: 'failed',
      receipt: { copies: 0, fee: 0, paid: 0, change: 0, issuedAt: '', kioskId: '', storeId: '' },
      fingerprint: 'y',
      at: open.at,
    });
    expect((await crl()).ctr).toBe(3);
    // The journal is its owner's alone.
    expect((await stat(join(dir, 'books', 'ledger.jsonl'))).mode & 0o077).toBe(0);
    expect((await stat(join(dir, 'books'))).mode & 0o077).toBe(0);
  });
});

describe('the embedded books after a restart', () => {
  it('bring back open requests and revocations from the journal, and queue again a notice the outbox lacks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'books-restart-'));
    const journal = join(dir, 'ledger.jsonl');
    const first = await MemoryBooks.open({ outbox: new FileOutbox(join(dir, 'outbox-before')), journal: new JournalFile(journal) });
    const [served, revoked, printed] = [request(1), request(2), request(3)];
    for (const r of [served, revoked, printed]) {
      await first.open(r, open);
      await first.serve(r.sid, r.rid, open.at);
    }
    const receipt = { copies: 1, fee: 120, paid: 120, change: 0, issuedAt: clock.now().toISOString(), kioskId: 'KIOSK-0001', storeId: 'STORE-1' };
    await first.complete(revoked.sid, revoked.rid, { outcome: 'failed', receipt: { ...receipt, copies: 0, fee: 0 }, fingerprint: 'f', at: open.at });
    await first.complete(printed.sid, printed.rid, {
      outcome: 'printed',
      receipt,
      fingerprint: 'p',
      at: open.at,
      notice: {
        certificateId: printed.certificateId,
        municipality: '131016',
        kind: 'domestic',
        copies: 1,
        fee: 120,
        kioskId: 'KIOSK-0001',
        storeId: 'STORE-1',
        issuedAt: receipt.issuedAt,
      },
    });
    await first.close();

    // A new process, and an outbox that lost what was queued (the crash between the two writes).
    const outbox = new FileOutbox(join(dir, 'outbox-after'));
    const second = await MemoryBooks.open({ outbox, journal: new JournalFile(journal) });
    expect((await second.shcRevocations(issuer.kid)).ids).toEqual([revoked.shcRid]);
    expect(await second.openCount()).toBe(1);
    const queued = (await outbox.claim(Date.now() + 1, 1000, 10)).map((e) => e.notice.certificateId).sort();
    expect(queued).toEqual([printed.certificateId, revoked.certificateId].sort());
    // The open served request expires after the restart and is revoked then.
    expect(await second.expireDue(served.expiresAt, 10)).toBe(1);
    expect((await second.shcRevocations(issuer.kid)).ids).toEqual([revoked.shcRid, served.shcRid]);
    const types = (await second.ledger(0, Number.MAX_SAFE_INTEGER)).filter((e) => e.certificateId === served.certificateId).map((e) => e.type);
    expect(types).toEqual(['reserved', 'served', 'expired']);
    await second.close();
  });
});
