import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import PDFDocument from 'pdfkit';
import { parseCardFiles } from '../../../services/card/card-data.js';
import { createMtlsServer, peerIdentity, readTlsFiles } from '../../../services/common/mtls.js';
import { pkiPaths } from '../../../services/common/pki-paths.js';

/**
 * A deliberately broken relay behind real mTLS, to prove the kit's checks can fail. It speaks the
 * protocol's shapes but: accepts any card data unverified, serves a document as often as asked and
 * always the one made last (for whichever session asked), answers a refused copy count with plain
 * JSON naming the holder, and otherwise behaves.
 */
export async function startBrokenRelay(): Promise<{ url: string; stop(): Promise<void> }> {
  const sessions = new Map<string, { kiosk: string; holder?: { name: string; birthDate: string } }>();
  let lastDocument: { pdf: Buffer; certificateId: string; digest: string } | undefined;
  const problem = (res: express.Response, status: number, code: string, detail: string) =>
    res
      .status(status)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', code, status, title: code, detail, instance: randomBytes(8).toString('hex') }));

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use((req, res, next) => {
    res.locals.kiosk = peerIdentity(req.socket)?.cn;
    if (!res.locals.kiosk) return problem(res, 403, 'ERR_KIOSK', 'no kiosk');
    next();
  });
  const session = (req: express.Request, res: express.Response) => {
    const s = sessions.get(String(req.params.sid));
    if (!s || s.kiosk !== res.locals.kiosk) {
      problem(res, 404, 'ERR_SESSION_NOT_FOUND', 'No such session');
      return undefined;
    }
    return s;
  };
  app.get('/v1/service', (_req, res) =>
    res.json({ open: true, hours: '00:00-24:00', now: new Date(Date.now() + 9 * 3600_000).toISOString().replace('Z', '+09:00') }),
  );
  app.post('/v1/sessions', (_req, res) => {
    const sid = randomBytes(16).toString('base64url');
    sessions.set(sid, { kiosk: res.locals.kiosk });
    res.status(201).json({ sessionId: sid, challenge: randomBytes(32).toString('base64'), expiresAt: new Date(Date.now() + 600_000).toISOString() });
  });
  app.post('/v1/sessions/:sid/card', (req, res) => {
    const s = session(req, res);
    if (!s) return;
    try {
      const b = (k: string) => new Uint8Array(Buffer.from(String(req.body[k]), 'base64'));
      const card = parseCardFiles({ ef0001: b('ef0001'), ef0002: b('ef0002'), ef0003: b('ef0003'), ef0004: b('ef0004'), ef0007: b('ef0007') });
      s.holder = { name: card.name, birthDate: card.birthDate };
    } catch {
      return problem(res, 422, 'ERR_CARD_FORMAT', 'bad card');
    }
    res.json({
      holder: s.holder,
      municipalities: [{ code: '131016', name: '千代田区', domestic: true, overseas: false, unavailableReason: 'no_passport_on_file' }],
      feePerCopy: 120,
    });
  });
  app.post('/v1/sessions/:sid/requests', async (req, res) => {
    const s = session(req, res);
    if (!s?.holder) return;
    const copies = Number(req.body.copies);
    if (!(copies >= 1 && copies <= 5)) {
      // Broken twice over: not problem+json, and the holder's name in the body.
      res.status(422).json({ code: 'ERR_COPIES', status: 422, title: 'Unprocessable', detail: `copies out of range for ${s.holder.name}`, instance: 'x' });
      return;
    }
    const certificateId = randomBytes(6).toString('hex').toUpperCase();
    const pdf = await pdfOf(`Certificate ${certificateId} born ${s.holder.birthDate}`);
    lastDocument = { pdf, certificateId, digest: `sha-256=:${(await import('node:crypto')).createHash('sha256').update(pdf).digest('base64')}:` };
    res.status(201).json({
      requestId: randomBytes(16).toString('base64url'),
      fee: 120 * copies,
      copies,
      pages: 1,
      preview: { issuer: '千代田区', name: s.holder.name, birthDate: s.holder.birthDate, doses: [{ dose: 1, date: '2021-06-01', product: 'X', lot: 'L1' }] },
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
    });
  });
  app.get('/v1/sessions/:sid/requests/:rid/document', (req, res) => {
    if (!session(req, res)) return;
    const d = lastDocument!;
    res.status(200).set({ 'content-type': 'application/pdf', 'content-digest': d.digest, 'certificate-id': d.certificateId }).send(d.pdf);
  });
  app.post('/v1/sessions/:sid/requests/:rid/completion', (req, res) => {
    if (!session(req, res)) return;
    const paid = Number(req.body.paid);
    res.json({ receipt: { copies: 1, fee: 0, paid, change: paid, issuedAt: new Date().toISOString(), kioskId: res.locals.kiosk, storeId: '' } });
  });
  app.delete('/v1/sessions/:sid', (req, res) => {
    if (!session(req, res)) return;
    sessions.delete(String(req.params.sid));
    res.status(204).end();
  });
  app.use((_req, res) => problem(res, 404, 'ERR_NOT_FOUND', 'No such route'));

  const pki = pkiPaths();
  const server = createMtlsServer(readTlsFiles({ ...pki.server('relay'), ca: pki.kioskCa }), app);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function pdfOf(text: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}
