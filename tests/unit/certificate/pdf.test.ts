import { createHash } from 'node:crypto';
import * as mupdf from 'mupdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentDigestHeader, createCertificateBuilder, type CertificateBuilder } from '../../../services/certificate/index.js';
import { loadCertificateFonts } from '../../../services/certificate/pdf/fonts.js';
import { readPdfCodes } from '../../../services/certificate/verify/read-pdf-codes.js';
import { verifyInput, type VerifierTrust } from '../../../services/certificate/verify/verify-input.js';
import { ManualClock } from '../../../services/common/clock.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture, type VdsPkiFixture } from './fixtures.js';

let issuer: ShcIssuerFixture;
let pki: VdsPkiFixture;
let builder: CertificateBuilder;
let trust: VerifierTrust;
const clock = new ManualClock(new Date('2026-11-23T03:15:00Z'));

beforeAll(async () => {
  issuer = await makeShcIssuer();
  pki = await makeVdsPki();
  builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer, clock });
  trust = { jwks: () => issuer.jwks, cscas: () => [pki.csca] };
});

function pageTexts(pdf: Uint8Array): string[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const out: string[] = [];
  for (let i = 0; i < doc.countPages(); i++) out.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return out;
}

describe('certificate PDF', () => {
  it('prints a domestic certificate whose SHC QR decodes off the page and verifies', async () => {
    const built = await builder.build(domesticRecord());
    expect(built.pages).toBe(1);
    const pages = readPdfCodes(built.pdf);
    expect(pages[0]!.codes).toEqual([built.shc]);
    const report = await verifyInput(built.pdf, trust, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.certificateId).toBe('D1310160001');
    const text = pageTexts(built.pdf)[0]!;
    for (const s of ['新型コロナウイルス感染症予防接種証明書', '国内用', '千代田区', '山田', '1980-04-01', 'コミナティ筋注（ファイザー）', 'FC3661', '発行年月日', '2026-11-23', `${issuer.issuerUrl}/.well-known/jwks.json`]) {
      expect(text).toContain(s);
    }
    expect(text).not.toContain('旅券番号');
    expect(built.preview).toMatchObject({ issuer: '千代田区', birthDate: '1980-04-01', doses: [{ dose: 1, date: '2021-06-01', lot: 'FA5765' }, {}, {}] });
  });

  it('prints an overseas certificate with both codes, which verify and agree', async () => {
    const built = await builder.build(overseasRecord());
    const codes = readPdfCodes(built.pdf)[0]!.codes;
    expect(codes).toHaveLength(2);
    expect(codes).toContain(built.shc);
    expect(codes.map((c) => c.startsWith('{') ? JSON.parse(c) : c)).toContainEqual(built.vds);
    const report = await verifyInput(built.pdf, trust, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.shc).toHaveLength(1);
    expect(report.vds).toHaveLength(1);
    const text = pageTexts(built.pdf)[0]!;
    for (const s of ['海外用及び日本国内用', 'SATO HANAKO', 'JPN', 'TK1234567', '鎌ケ谷市', 'スパイクバックス筋注（モデルナ）']) expect(text).toContain(s);
  });

  it('carries the certificate ID on every page of a long, multi-copy certificate', async () => {
    const base = overseasRecord();
    const doses = Array.from({ length: 12 }, (_, i) => ({ ...base.doses[i % 4]!, dose: i + 1, date: `2023-${String((i % 12) + 1).padStart(2, '0')}-15` }));
    const built = await builder.build(overseasRecord({ doses }), { copies: 2 });
    expect(built.pages).toBe(4);
    const texts = pageTexts(built.pdf);
    expect(texts).toHaveLength(4);
    for (const t of texts) expect(t).toContain('K1222460201');
    expect(texts[1]).toContain('12回目');
    const report = await verifyInput(built.pdf, trust, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('returns the SHA-256 digest of the exact bytes', async () => {
    const built = await builder.build(domesticRecord());
    const hash = createHash('sha256').update(built.pdf).digest();
    expect(built.digest.hex).toBe(hash.toString('hex'));
    expect(built.digest.header).toBe(`sha-256=:${hash.toString('base64')}:`);
    expect(contentDigestHeader(built.pdf)).toBe(built.digest.header);
  });

  it('reports a PDF whose code was signed by an unknown key as not valid', async () => {
    const stranger = await makeShcIssuer();
    const built = await builder.build(domesticRecord());
    const report = await verifyInput(built.pdf, { ...trust, jwks: () => stranger.jwks }, clock.now());
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toContain('shc-key');
  });
});

describe('receipt', () => {
  it('shows fee, copies, total, paid, change, time, store and kiosk, and nothing personal', async () => {
    const pdf = await builder.buildReceipt({ feePerCopy: 120, copies: 3, paid: 1000, issuedAt: new Date('2026-11-23T03:15:00Z'), kioskId: 'KIOSK-0042', storeId: 'STORE-131016-7' });
    const text = pageTexts(pdf).join('\n');
    for (const s of ['領収書', '¥120', '3通', '¥360', '¥1,000', '¥640', '2026-11-23 12:15', 'KIOSK-0042', 'STORE-131016-7']) expect(text).toContain(s);
    for (const s of ['山田', '佐藤', '1980-04-01', 'D1310160001', 'TK1234567']) expect(text).not.toContain(s);
    await expect(builder.buildReceipt({ feePerCopy: 120, copies: 2, paid: 100, issuedAt: new Date(), kioskId: 'k', storeId: 's' })).rejects.toThrow(TypeError);
  });
});

describe('font subset', () => {
  it('is written byte for byte as fontkit writes it', () => {
    const font = loadCertificateFonts().regular as unknown as {
      layout(t: string): { glyphs: Array<{ id: number }> };
      createSubset(): { includeGlyph(id: number): number; encode(): Uint8Array };
    };
    for (const text of ['新型コロナウイルス感染症予防接種証明書 佐藤 花子 1975-11-23', 'Certificate ID: K1222460201 / 鎌ケ谷市長', 'i']) {
      const subset = font.createSubset();
      for (const g of font.layout(text).glyphs) subset.includeGlyph(g.id);
      const fast = Buffer.from(subset.encode());
      const fontkits = Buffer.from((Object.getPrototypeOf(subset) as { encode(): Uint8Array }).encode.call(subset));
      expect(fast.equals(fontkits)).toBe(true);
    }
  });
});
