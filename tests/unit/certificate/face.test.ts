import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';
import canonicalize from 'canonicalize';
import * as mupdf from 'mupdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateBuilder, type BuiltCertificate, type CertificateBuilder } from '../../../services/certificate/index.js';
import { ANTI_FORGERY_INK, AntiForgeryPrint, GROUND_NAME, WORD_PLACES, wordBoxes } from '../../../services/certificate/pdf/anti-forgery.js';
import { codePlaces } from '../../../services/certificate/pdf/certificate-pdf.js';
import { loadCertificateFonts } from '../../../services/certificate/pdf/fonts.js';
import { nationalityName } from '../../../services/certificate/pdf/nationality-names.js';
import { MM, PageKit } from '../../../services/certificate/pdf/page-kit.js';
import { readPdfCodes } from '../../../services/certificate/verify/read-pdf-codes.js';
import { ManualClock } from '../../../services/common/clock.js';
import { loadRelayConfig } from '../../../services/relay/config.js';
import { domesticRecord, makeShcIssuer, makeVdsPki, overseasRecord } from './fixtures.js';

const run = promisify(execFile);
const clock = new ManualClock(new Date('2026-11-23T03:15:00Z'));
/** The demo's issuer URL: a localhost address that must not reach the paper by default. */
const LOCAL_ISSUER = 'https://localhost:8443/issuer';

let builder: CertificateBuilder;
let hinted: CertificateBuilder;
let domestic: BuiltCertificate;
let overseas: BuiltCertificate;
let dir: string;

beforeAll(async () => {
  const issuer = await makeShcIssuer(LOCAL_ISSUER, { now: clock.now() });
  const pki = await makeVdsPki({ now: clock.now() });
  builder = createCertificateBuilder({ shcIssuerUrl: LOCAL_ISSUER, shcKey: issuer, vdsSigner: pki.signer, clock });
  hinted = createCertificateBuilder({ shcIssuerUrl: LOCAL_ISSUER, shcKey: issuer, vdsSigner: pki.signer, clock, verificationHint: true });
  domestic = await builder.build(domesticRecord());
  overseas = await builder.build(overseasRecord());
  dir = await mkdtemp(join(tmpdir(), 'face-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function pageText(pdf: Uint8Array, page = 0): string {
  return mupdf.Document.openDocument(pdf, 'application/pdf').loadPage(page).toStructuredText('preserve-whitespace').asText();
}

/** A page rendered in grey at `dpi`: width, height and one byte per pixel. */
function gray(pdf: Uint8Array, dpi: number, page = 0): { w: number; h: number; px: ArrayLike<number>; scale: number } {
  const scale = dpi / 72;
  const pix = mupdf.Document.openDocument(pdf, 'application/pdf')
    .loadPage(page)
    .toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
  return { w: pix.getWidth(), h: pix.getHeight(), px: pix.getPixels(), scale };
}

/** The page content streams of a PDF, inflated (pdfkit writes each page's as one deflated stream). */
function streams(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of text.matchAll(/stream\n/g)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('\nendstream', start);
    try {
      out.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not deflated (font subset, ToUnicode map)
    }
  }
  return out;
}

describe('the printed face', () => {
  it('labels the kinds 日本国内用 and 海外用及び日本国内用', () => {
    const d = pageText(domestic.pdf);
    expect(d).toContain('（日本国内用）');
    expect(d).not.toMatch(/（国内用）/);
    expect(pageText(overseas.pdf)).toContain('（海外用及び日本国内用）');
  });

  it('carries no simulator artefacts by default, and the key location only when configured', async () => {
    for (const built of [domestic, overseas]) {
      const text = pageText(built.pdf);
      for (const s of ['localhost', 'npm run verify', 'jwks.json', 'Verify:']) expect(text).not.toContain(s);
      expect(built.pdf.toString('latin1')).not.toContain('localhost');
    }
    const withHint = pageText((await hinted.build(domesticRecord())).pdf);
    expect(withHint).toContain(`${LOCAL_ISSUER}/.well-known/jwks.json`);
    expect(withHint).not.toContain('npm run verify');
  });

  it('takes the hint from the relay configuration, off unless CERTIFICATE_VERIFY_HINT=true', () => {
    expect(loadRelayConfig({}).verificationHint).toBe(false);
    expect(loadRelayConfig({ CERTIFICATE_VERIFY_HINT: 'true' }).verificationHint).toBe(true);
    expect(() => loadRelayConfig({ CERTIFICATE_VERIFY_HINT: 'yes' })).toThrow(/CERTIFICATE_VERIFY_HINT/);
  });

  it('prints the nationality as a name, and an unknown code as itself', async () => {
    expect(nationalityName('JPN')).toBe('日本 / JAPAN');
    expect(nationalityName('XXA')).toBe('XXA');
    const text = pageText(overseas.pdf);
    expect(text).toContain('日本 / JAPAN');
    const rec = overseasRecord();
    const stateless = overseasRecord({ person: { ...rec.person, passport: { ...rec.person.passport!, nationality: 'XXA' } } });
    expect(pageText((await builder.build(stateless)).pdf)).toContain('XXA');
  });
});

describe('anti-forgery print (地紋 with a latent 複製)', () => {
  it('is in every page of both kinds as tiling patterns in one ground form per document', async () => {
    const twoCopies = await builder.build(overseasRecord(), { copies: 2 });
    for (const built of [domestic, overseas, twoCopies]) {
      const text = built.pdf.toString('latin1');
      // two patterns, the word form and the ground form: written once per document
      expect(text.match(/\/PatternType 1/g)).toHaveLength(2);
      expect(text.match(/\/Subtype \/Form/g)!.length).toBe(2 + (built.vds ? 2 : 1) * built.pages);
      const pages = streams(built.pdf).filter((s) => s.includes(' Tf'));
      expect(pages).toHaveLength(built.pages);
      // drawn first on each page, so text and codes are drawn over it
      for (const p of pages) expect(p.indexOf(`/${GROUND_NAME} Do`)).toBeLessThan(p.indexOf(' Tf'));
    }
    // and it shows: the open paper between the words (below the text, above the code) is tinted,
    // at the ink's 12.6 % coverage
    const g = gray(domestic.pdf, 150);
    let sum = 0,
      n = 0;
    for (let y = Math.round(140 * MM * g.scale); y < 160 * MM * g.scale; y++)
      for (let x = Math.round(20 * MM * g.scale); x < 190 * MM * g.scale; x++, n++) sum += g.px[y * g.w + x]!;
    const inkGray = 255 * (0.299 * ANTI_FORGERY_INK[0] + 0.587 * ANTI_FORGERY_INK[1] + 0.114 * ANTI_FORGERY_INK[2]);
    expect(sum / n).toBeGreaterThan(255 - 0.2 * (255 - inkGray));
    expect(sum / n).toBeLessThan(255 - 0.08 * (255 - inkGray));
  });

  it('leaves the QR codes and their quiet zones (4 modules) blank', () => {
    for (const [built, record] of [
      [domestic, domesticRecord()],
      [overseas, overseasRecord()],
    ] as const) {
      const codes = builder.codes(record);
      const g = gray(built.pdf, 300);
      const places = codePlaces({ record, shcQr: codes.shcQr, ...(codes.vdsQr ? { vdsQr: codes.vdsQr } : {}), shcIssuerUrl: LOCAL_ISSUER, copies: 1 });
      expect(places).toHaveLength(record.kind === 'overseas' ? 2 : 1);
      for (const { qr, x, y, size } of places) {
        const quiet = (4 * size) / qr.size;
        let nonWhite = 0,
          ring = 0;
        const s = g.scale;
        for (let py = Math.ceil((y - quiet) * s); py < (y + size + quiet) * s; py++) {
          for (let px = Math.ceil((x - quiet) * s); px < (x + size + quiet) * s; px++) {
            const inSymbol = px >= x * s - 1 && px <= (x + size) * s + 1 && py >= y * s - 1 && py <= (y + size) * s + 1;
            if (inSymbol) continue;
            ring++;
            if (g.px[py * g.w + px]! < 255) nonWhite++;
          }
        }
        expect(ring).toBeGreaterThan(1000);
        expect(nonWhite).toBe(0);
      }
    }
  });

  it('keeps every QR code readable by jsQR and by zbar at 200 and 150 dpi', async () => {
    const { stdout: which } = await run('sh', ['-c', 'command -v zbarimg || true']);
    expect(which.trim(), 'zbarimg (Debian zbar-tools, scripts/install-system-packages.sh)').not.toBe('');
    for (const built of [domestic, overseas]) {
      const expected = [built.shc, ...(built.vds ? [canonicalize(built.vds)!] : [])].sort();
      for (const dpi of [200, 150]) {
        const jsqr = readPdfCodes(built.pdf, { dpi })[0]!.codes.map((c) => (c.startsWith('{') ? canonicalize(JSON.parse(c))! : c));
        expect(jsqr.sort(), `jsQR at ${dpi} dpi`).toEqual(expected);
        const png = join(dir, `${built.certificateId}-${dpi}.png`);
        const scale = dpi / 72;
        const pix = mupdf.Document.openDocument(built.pdf, 'application/pdf')
          .loadPage(0)
          .toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceRGB, false, true);
        await writeFile(png, pix.asPNG());
        const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sqrcode.enable', png], { maxBuffer: 1 << 20 });
        const zbar = stdout
          .split('\n')
          .filter((l) => l.length > 0)
          .map((c) => (c.startsWith('{') ? canonicalize(JSON.parse(c))! : c));
        expect(zbar.sort(), `zbar at ${dpi} dpi`).toEqual(expected);
      }
    }
  }, 60_000);

  /**
   * A copier binarizes what it scans. Pixels darker than halfway between paper and ink count as
   * ink; the share of ink pixels is compared inside the words' boxes and on the ground between
   * them, on a page that carries only the print (no text in the way).
   */
  it('shows 複製 on a low-resolution copy (72 dpi) and not at print resolution (300 dpi)', async () => {
    const fonts = loadCertificateFonts();
    const kit = new PageKit(fonts, clock, 'anti-forgery');
    kit.addPage();
    new AntiForgeryPrint(fonts).drawPage(kit);
    const pdf = await kit.end();
    const inkGray = 255 * (0.299 * ANTI_FORGERY_INK[0] + 0.587 * ANTI_FORGERY_INK[1] + 0.114 * ANTI_FORGERY_INK[2]);
    const threshold = (255 + inkGray) / 2;
    const boxes = wordBoxes();
    expect(boxes).toHaveLength(WORD_PLACES.length);
    const shares = (dpi: number) => {
      const g = gray(pdf, dpi);
      let wordInk = 0,
        wordN = 0,
        groundInk = 0,
        groundN = 0,
        wordSum = 0,
        groundSum = 0;
      for (let py = 0; py < g.h; py++) {
        for (let px = 0; px < g.w; px++) {
          const x = px / g.scale,
            y = py / g.scale;
          const v = g.px[py * g.w + px]!;
          if (boxes.some((b) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h)) {
            wordN++;
            wordSum += v;
            if (v < threshold) wordInk++;
          } else if (!boxes.some((b) => x >= b.x - 20 && x < b.x + b.w + 20 && y >= b.y - 20 && y < b.y + b.h + 20)) {
            groundN++;
            groundSum += v;
            if (v < threshold) groundInk++;
          }
        }
      }
      return { word: wordInk / wordN, ground: groundInk / groundN, tone: { word: wordSum / wordN, ground: groundSum / groundN } };
    };
    const low = shares(72);
    const high = shares(300);
    // the copy: the fine ground drops out, the coarse word stays
    expect(low.ground).toBeLessThan(0.002);
    expect(low.word).toBeGreaterThan(0.015);
    expect(low.word / Math.max(low.ground, 1e-4)).toBeGreaterThan(10);
    // the print: ink on the ground and in the words alike (within 20 %), and the same tint
    expect(high.ground).toBeGreaterThan(0.05);
    expect(Math.abs(high.word - high.ground) / high.ground).toBeLessThan(0.2);
    expect(Math.abs(high.tone.word - high.tone.ground)).toBeLessThan(1.5);
  }, 60_000);
});
