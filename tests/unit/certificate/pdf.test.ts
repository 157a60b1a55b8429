import { createHash } from 'node:crypto';
import * as mupdf from 'mupdf';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentDigestHeader, createCertificateBuilder, type CertificateBuilder } from '../../../services/certificate/index.js';
import { renderCertificatePdf } from '../../../services/certificate/pdf/certificate-pdf.js';
import { loadCertificateFonts } from '../../../services/certificate/pdf/fonts.js';
import { qrMatrix, shcQrMatrix } from '../../../services/certificate/qr/qr-matrix.js';
import { readPdfCodes } from '../../../services/certificate/verify/read-pdf-codes.js';
import { verifyInput, type VerifierTrust } from '../../../services/certificate/verify/verify-input.js';
import { ManualClock } from '../../../services/common/clock.js';
import type { CertificateRecord } from '../../../services/common/lgwan-contract.js';
import { syntheticResidents } from '../../../services/vrs/seed/synthetic.js';
import { demoResidents } from '../../../certs/demo-cast.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord, type ShcIssuerFixture, type VdsPkiFixture } from './fixtures.js';
import { jpIssuerJwks, jpRealShc } from '../../fixtures/conformance.js';

let issuer: ShcIssuerFixture;
let pki: VdsPkiFixture;
let builder: CertificateBuilder;
let trust: VerifierTrust;
const clock = new ManualClock(new Date('2026-11-23T03:15:00Z'));

beforeAll(async () => {
  issuer = await makeShcIssuer(undefined, { now: clock.now() });
  pki = await makeVdsPki({ now: clock.now() });
  builder = createCertificateBuilder({ shcIssuerUrl: issuer.issuerUrl, shcKey: issuer, vdsSigner: pki.signer, clock });
  trust = { jwks: () => issuer.jwks, cscas: () => [pki.csca] };
});

/** Code points the document's font can show (its ToUnicode map), i.e. every glyph embedded. */
function embeddedCodePoints(pdf: Uint8Array): Set<number> {
  const text = Buffer.from(pdf).toString('latin1');
  const cmap = /beginbfrange\n([\s\S]*?)\nendbfrange/.exec(text);
  if (!cmap) throw new Error('no ToUnicode map');
  const out = new Set<number>();
  for (const m of cmap[1]!.matchAll(/\[([^\]]*)\]/g))
    for (const e of m[1]!.matchAll(/<([0-9a-f ]+)>/g)) for (const h of e[1]!.split(' ')) out.add(parseInt(h, 16));
  return out;
}

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
    for (const s of [
      '新型コロナウイルス感染症予防接種証明書',
      '（日本国内用）',
      '千代田区',
      '山田',
      '1980-04-01',
      'コミナティ筋注（ファイザー）',
      'FC3661',
      '発行年月日',
      '2026-11-23',
    ]) {
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
    expect(codes.map((c) => (c.startsWith('{') ? JSON.parse(c) : c))).toContainEqual(built.vds);
    const report = await verifyInput(built.pdf, trust, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.shc).toHaveLength(1);
    expect(report.vds).toHaveLength(1);
    const text = pageTexts(built.pdf)[0]!;
    for (const s of ['（海外用及び日本国内用）', 'SATO HANAKO', '日本 / JAPAN', 'TK1234567', '鎌ケ谷市', 'スパイクバックス筋注（モデルナ）'])
      expect(text).toContain(s);
    expect(text).not.toContain('JPN');
  });

  it('carries the certificate ID on every page of a long, multi-copy certificate', async () => {
    const base = overseasRecord();
    const doses = Array.from({ length: 12 }, (_, i) => ({ ...base.doses[i % 4]!, dose: i + 1, date: `2023-${String((i % 12) + 1).padStart(2, '0')}-15` }));
    // issued before 2023-06-19, when every dose was printed
    const built = await builder.build(overseasRecord({ doses, issuedOn: '2023-06-18' }), { copies: 2 });
    expect(built.pages).toBe(4);
    const texts = pageTexts(built.pdf);
    expect(texts).toHaveLength(4);
    for (const t of texts) expect(t).toContain('K1222460201');
    expect(texts[1]).toContain('12回目');
    const report = await verifyInput(built.pdf, trust, clock.now());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("keeps each holder's text to their own certificate when certificates are built one after another", async () => {
    const other = overseasRecord({
      certificateId: 'K0111000777',
      issuer: { code: '011002', name: '札幌市' },
      person: {
        name: '鈴木\u3000一郎',
        familyName: '鈴木',
        givenName: '一郎',
        birthDate: '1990-12-31',
        sex: '1',
        passport: { nameRoman: 'SUZUKI ICHIRO', nationality: 'JPN', passportNumber: 'TZ7654321' },
      },
    });
    const holders = [overseasRecord(), other, overseasRecord(), domesticRecord(), other];
    const built: Array<Awaited<ReturnType<CertificateBuilder['build']>>> = [];
    for (const r of holders) built.push(await builder.build(r));
    const own = (r: typeof other) => [
      r.person.name,
      r.issuer.name,
      r.certificateId,
      r.person.birthDate,
      ...(r.person.passport ? [r.person.passport.nameRoman, r.person.passport.passportNumber] : []),
    ];
    holders.forEach((r, i) => {
      const text = pageTexts(built[i]!.pdf)[0]!;
      for (const s of own(r)) expect(text).toContain(s);
      for (const o of holders) {
        if (o.certificateId === r.certificateId) continue;
        for (const s of own(o).filter((s) => !own(r).includes(s))) expect(text).not.toContain(s);
      }
      // and the embedded font holds no glyph beyond what the page shows (no other holder's characters)
      const shown = new Set(Array.from(text, (ch) => ch.codePointAt(0)!));
      const extra = [...embeddedCodePoints(built[i]!.pdf)].filter((cp) => cp !== 0 && !shown.has(cp));
      expect(extra.map((cp) => String.fromCodePoint(cp))).toEqual([]);
    });
  });

  it("prints Japan's real SMART Health Card so that it reads back off the page and verifies under Japan's keys", async () => {
    const real = jpRealShc();
    const jwks = jpIssuerJwks();
    const { pdf } = await renderCertificatePdf(loadCertificateFonts(), clock, {
      record: domesticRecord(),
      shcQr: shcQrMatrix(real.slice('shc:/'.length)),
      shcIssuerUrl: 'https://vc.vrs.digital.go.jp/issuer',
      copies: 1,
    });
    expect(readPdfCodes(pdf)[0]!.codes).toEqual([real]);
    const report = await verifyInput(pdf, { jwks: () => jwks, cscas: () => [] }, clock.now());
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
    const stranger = await makeShcIssuer(undefined, { now: clock.now() });
    const built = await builder.build(domesticRecord());
    const report = await verifyInput(built.pdf, { ...trust, jwks: () => stranger.jwks }, clock.now());
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toContain('shc-key');
  });
});

describe('text layout without fontkit shaping (DirectLayout)', () => {
  /** Distinct holders, domestic and overseas: seeded synthetic residents and the demo cast. */
  function holders(): CertificateRecord[] {
    const people = [
      ...syntheticResidents(400, 11, '162027')
        .filter((r, i) => r.passport || i < 40)
        .slice(0, 50),
      ...demoResidents.flatMap((d) => d.records.map((r) => ({ ...d, doses: r.doses, passport: r.passport }))),
    ];
    return people.flatMap((p, i) =>
      (['domestic', 'overseas'] as const)
        .filter((kind) => kind === 'domestic' || p.passport)
        .map((kind) => ({
          certificateId: `${kind === 'overseas' ? 'K' : 'D'}162027${String(i).padStart(5, '0')}`,
          kind,
          issuedOn: '2026-11-23',
          issuer: { code: '162027', name: '高岡市' },
          person: {
            name: `${p.familyName}\u3000${p.givenName}`,
            familyName: p.familyName,
            givenName: p.givenName,
            birthDate: p.birthDate,
            sex: p.sex,
            ...(kind === 'overseas' ? { passport: p.passport! } : {}),
          },
          doses: p.doses.map(({ venue: _v, ...d }) => d),
        })),
    );
  }

  function raster(pdf: Uint8Array): Buffer {
    const page = mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(0);
    return Buffer.from(page.toPixmap(mupdf.Matrix.scale(150 / 72, 150 / 72), mupdf.ColorSpace.DeviceGray, false, true).getPixels());
  }

  it("renders varied holders byte for byte, and so pixel for pixel, as with fontkit's shaping", async () => {
    const direct = loadCertificateFonts();
    const shaped = loadCertificateFonts(undefined, { directLayout: false });
    expect(direct.direct).toBeTruthy();
    expect(shaped.direct).toBeNull();
    const shcQr = shcQrMatrix(
      '56762909524320603460292437404460312229595326546034602925407728043360287028647167452228092861333145643765314159064022030645045908564355',
    );
    const vdsQr = qrMatrix([{ data: '{"data":{"hdr":{"t":"icao.vacc"}}}', mode: 'byte' }], { ecc: 'L', maxVersion: 40 });
    const records = holders();
    expect(records.filter((r) => r.kind === 'overseas').length).toBeGreaterThan(10);
    let rastered = 0;
    for (const record of records) {
      const input = { record, shcQr, ...(record.kind === 'overseas' ? { vdsQr } : {}), shcIssuerUrl: 'https://issuer.test.example/shc', copies: 1 };
      const a = (await renderCertificatePdf(direct, clock, input)).pdf;
      const b = (await renderCertificatePdf(shaped, clock, input)).pdf;
      expect(a.equals(b), record.certificateId).toBe(true);
      // rasterized too for a few, domestic and overseas: the comparison a reader can see
      if (rastered < 4 && rastered < 2 === (record.kind === 'domestic')) {
        expect(raster(a).equals(raster(b))).toBe(true);
        rastered++;
      }
    }
    expect(rastered).toBe(4);
  });
});

describe('receipt', () => {
  it('shows fee, copies, total, paid, change, time, store and kiosk, and nothing personal', async () => {
    const pdf = await builder.buildReceipt({
      feePerCopy: 120,
      copies: 3,
      paid: 1000,
      issuedAt: new Date('2026-11-23T03:15:00Z'),
      kioskId: 'KIOSK-0042',
      storeId: 'STORE-131016-7',
    });
    const text = pageTexts(pdf).join('\n');
    for (const s of ['領収書', '¥120', '3通', '¥360', '¥1,000', '¥640', '2026-11-23 12:15', 'KIOSK-0042', 'STORE-131016-7']) expect(text).toContain(s);
    for (const s of ['山田', '佐藤', '1980-04-01', 'D1310160001', 'TK1234567']) expect(text).not.toContain(s);
    await expect(builder.buildReceipt({ feePerCopy: 120, copies: 2, paid: 100, issuedAt: new Date(), kioskId: 'k', storeId: 's' })).rejects.toThrow(TypeError);
  });
});
