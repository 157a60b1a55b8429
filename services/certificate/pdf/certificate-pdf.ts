import type { Clock } from '../../common/clock.js';
import type { CertificateRecord, Dose } from '../../common/lgwan-contract.js';
import { LATEST_FIVE_NOTE } from '../latest-doses.js';
import type { QrMatrix } from '../qr/qr-matrix.js';
import { AntiForgeryPrint, type KeepOut } from './anti-forgery.js';
import { vaccineOf } from '../vaccines.js';
import { drawQr } from './draw-qr.js';
import type { CertificateFonts } from './fonts.js';
import { nationalityName } from './nationality-names.js';
import { A4, MM, PageKit } from './page-kit.js';
import { StaticText } from './text-runs.js';

/** What the certificate PDF shows besides the record. */
export interface CertificatePdfInput {
  record: CertificateRecord;
  shcQr: QrMatrix;
  /** Overseas only. */
  vdsQr?: QrMatrix;
  /** The latest-five rule left earlier doses out: print its note under the doses. */
  latestOnly?: boolean;
  /** Where verifiers find the SHC keys. */
  shcIssuerUrl: string;
  copies: number;
  /** Print where the SHC keys are (a deployment's choice, CERTIFICATE_VERIFY_HINT); off by default. */
  verificationHint?: boolean;
}

const LEFT = 18 * MM;
const RIGHT = A4.width - 18 * MM;
const LABEL_W = 52 * MM;
const ROW_H = 21;
const DOSE_ROW_H = 19;
const FIRST_PAGE_DOSES = 8;
const NEXT_PAGE_DOSES = 28;
/** SHC symbol width: ≥ 35 mm so a phone reads version-22 modules (≈ 0.45 mm) off paper. */
const SHC_QR_MM = 52;
const VDS_QR_MM = 72;

/** Splits the doses into pages: a first page with the codes, continuation pages for the rest. */
function pagesOf(doses: Dose[]): Dose[][] {
  const pages = [doses.slice(0, FIRST_PAGE_DOSES)];
  for (let i = FIRST_PAGE_DOSES; i < doses.length; i += NEXT_PAGE_DOSES) pages.push(doses.slice(i, i + NEXT_PAGE_DOSES));
  return pages;
}

const HEADER_ID = '証明書ID Certificate ID: ';
const TITLE = '新型コロナウイルス感染症予防接種証明書';
const SUBTITLE = { domestic: '（日本国内用）', overseas: 'Vaccination Certificate for COVID-19（海外用及び日本国内用）' } as const;
/** Row labels (Japanese, English). */
const ROWS = {
  issuer: ['発行自治体', 'Issuing municipality'],
  name: ['氏名', 'Name'],
  nameRoman: ['氏名（ローマ字）', 'Name (Roman alphabet)'],
  otherName: ['旧姓・別姓・別名', 'Former / other name'],
  birthDate: ['生年月日', 'Date of birth'],
  nationality: ['国籍・地域', 'Nationality'],
  passport: ['旅券番号', 'Passport No.'],
  certificateId: ['証明書ID', 'Certificate ID'],
  issuedOn: ['発行年月日', 'Date of issue'],
} as const;
const CERTIFY = {
  ja: '上記のとおり新型コロナウイルス感染症の予防接種を受けたことを証明します。',
  en: 'This is to certify that the above person received the vaccinations against COVID-19 shown above.',
} as const;
const SHC_LABEL = 'SMART Health Card';
const VDS_LABEL = 'ICAO VDS-NC';
/** The verification hint, printed only when configured (real certificates carry none). */
const FOOTER = {
  ja: '二次元コードは発行者の電子署名付きです。検証は公開鍵で誰でも行えます。',
  verify: 'Verify: SHC keys at ',
  overseas: '; VDS-NC signer chains to the Japan CSCA',
} as const;

function header(kit: PageKit, id: string, page: number, pages: number): void {
  kit.line(`${HEADER_ID}${id}`, LEFT, 12 * MM, 8.5);
  kit.lineRight(`${page} / ${pages}`, RIGHT, 12 * MM, 8.5);
}

function labelRow(kit: PageKit, y: number, [ja, en]: readonly [string, string], value: string, h = ROW_H): void {
  kit.fillAndStrokeRect(LEFT, y, LABEL_W, h, '#eeeeee', '#444444');
  kit.strokeRect(LEFT + LABEL_W, y, RIGHT - LEFT - LABEL_W, h, '#444444');
  kit.fillColor('#000000');
  kit.line(ja, LEFT + 4, y + 2, 8.5);
  kit.line(en, LEFT + 4, y + 11.5, 6.5);
  kit.line(value, LEFT + LABEL_W + 6, y + 4, 11);
}

const DOSE_COLS = [
  { ja: '回数', en: 'Dose', w: 18 * MM },
  { ja: '接種年月日', en: 'Date', w: 30 * MM },
  { ja: 'ワクチン名（製品名・メーカー）', en: 'Vaccine (product, manufacturer)', w: 76 * MM },
  { ja: 'ロット番号', en: 'Lot number', w: 0 },
];

const DOSE_WIDTHS = DOSE_COLS.map((c) => c.w || RIGHT - LEFT - DOSE_COLS.reduce((s, d) => s + d.w, 0));

function doseTable(kit: PageKit, y: number, doses: Dose[], overseas = false): number {
  let x = LEFT;
  DOSE_COLS.forEach((c, i) => {
    kit.fillAndStrokeRect(x, y, DOSE_WIDTHS[i]!, ROW_H, '#eeeeee', '#444444');
    kit.fillColor('#000000');
    kit.line(c.ja, x + 4, y + 2, 8.5);
    kit.line(c.en, x + 4, y + 11.5, 6.5);
    x += DOSE_WIDTHS[i]!;
  });
  y += ROW_H;
  for (const d of doses) {
    const cells = [`${d.dose}回目`, d.date, `${d.product}（${d.maker}）`, d.lot];
    x = LEFT;
    // The overseas certificate prints the vaccine's English name under the Japanese one.
    const en = overseas ? vaccineOf(d).nameEn : undefined;
    cells.forEach((text, i) => {
      kit.strokeRect(x, y, DOSE_WIDTHS[i]!, DOSE_ROW_H, '#444444');
      if (i !== 2) kit.line(text, x + 4, y + 3.5, 10);
      else if (!en) kit.lineWithin(text, x + 4, y + 3.5, text.length > 26 ? 8 : 10, DOSE_WIDTHS[i]! - 8);
      else {
        kit.lineWithin(text, x + 4, y + 1.5, 8, DOSE_WIDTHS[i]! - 8);
        kit.lineWithin(en, x + 4, y + 10.5, 6.5, DOSE_WIDTHS[i]! - 8);
      }
      x += DOSE_WIDTHS[i]!;
    });
    y += DOSE_ROW_H;
  }
  return y;
}

function personRows(kit: PageKit, r: CertificateRecord, y: number): number {
  const rows: Array<[readonly [string, string], string]> = [
    [ROWS.issuer, r.issuer.name],
    [ROWS.name, r.person.name],
  ];
  const p = r.person.passport;
  if (r.kind === 'overseas' && p) {
    rows.push([ROWS.nameRoman, p.nameRoman]);
    if (p.otherName) rows.push([ROWS.otherName, p.otherName]);
  }
  rows.push([ROWS.birthDate, r.person.birthDate]);
  if (r.kind === 'overseas' && p) {
    rows.push([ROWS.nationality, nationalityName(p.nationality)]);
    rows.push([ROWS.passport, p.passportNumber]);
  }
  for (const [label, v] of rows) {
    labelRow(kit, y, label, v);
    y += ROW_H;
  }
  return y;
}

const BOTTOM_TEXT = A4.height - 24 * MM;

/** Where the QR codes go on the first page: symbol top-left and width (points, y down). Exported for tests. */
export function codePlaces(input: CertificatePdfInput): Array<{ qr: QrMatrix; label: string; x: number; y: number; size: number }> {
  const { shcQr, vdsQr } = input;
  const qrTop = BOTTOM_TEXT - 10 * MM - (vdsQr ? VDS_QR_MM : SHC_QR_MM) * MM;
  const shc = {
    qr: shcQr,
    label: SHC_LABEL,
    size: SHC_QR_MM * MM,
    x: vdsQr ? LEFT + 6 * MM : (A4.width - SHC_QR_MM * MM) / 2,
    y: vdsQr ? qrTop + (VDS_QR_MM - SHC_QR_MM) * MM : qrTop,
  };
  return vdsQr ? [shc, { qr: vdsQr, label: VDS_LABEL, size: VDS_QR_MM * MM, x: RIGHT - 6 * MM - VDS_QR_MM * MM, y: qrTop }] : [shc];
}

/** The codes with their quiet zones (4 modules) and 1 mm more: no anti-forgery dot falls there. */
function codeKeepOuts(input: CertificatePdfInput): KeepOut[] {
  return codePlaces(input).map(({ qr, x, y, size }) => {
    const m = (4 * size) / qr.size + MM;
    return { x: x - m, y: y - m, w: size + 2 * m, h: size + 2 * m };
  });
}

function codesAndFooter(kit: PageKit, input: CertificatePdfInput): void {
  for (const c of codePlaces(input)) {
    kit.line(c.label, c.x, c.y - 7 * MM, 8.5, true);
    drawQr(kit, c.qr, c.x, c.y, c.size);
  }
  if (!input.verificationHint) return;
  const jwks = `${input.shcIssuerUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
  kit.line(FOOTER.ja, LEFT, BOTTOM_TEXT, 8);
  kit.line(`${FOOTER.verify}${jwks}${input.record.kind === 'overseas' ? FOOTER.overseas : ''}`, LEFT, BOTTOM_TEXT + 11, 7.5);
}

/**
 * The text every first page of a kind shows, in drawing order: its glyphs open each document's font
 * subset and its words are encoded once per font (see StaticText). Text left out here is still
 * drawn, only laid out per document; text listed but not drawn would add unused glyphs.
 */
function staticStrings(kind: CertificateRecord['kind'], hint: boolean): string[] {
  const overseas = kind === 'overseas';
  const rows = overseas ? [ROWS.issuer, ROWS.name, ROWS.nameRoman, ROWS.birthDate, ROWS.nationality, ROWS.passport] : [ROWS.issuer, ROWS.name, ROWS.birthDate];
  return [
    HEADER_ID,
    TITLE,
    SUBTITLE[kind],
    ...rows.flat(),
    ...DOSE_COLS.flatMap((c) => [c.ja, c.en]),
    ...ROWS.certificateId,
    ...ROWS.issuedOn,
    CERTIFY.ja,
    CERTIFY.en,
    SHC_LABEL,
    ...(overseas ? [VDS_LABEL] : []),
    ...(hint ? [FOOTER.ja, FOOTER.verify, ...(overseas ? [FOOTER.overseas] : [])] : []),
  ];
}

const staticTexts = new WeakMap<CertificateFonts, Map<string, StaticText>>();

/** The StaticText of a kind (with or without the verification hint) for a font set (built on first use). */
function staticTextOf(fonts: CertificateFonts, kind: CertificateRecord['kind'], hint: boolean): StaticText {
  let byKind = staticTexts.get(fonts);
  if (!byKind) staticTexts.set(fonts, (byKind = new Map()));
  const key = `${kind}${hint ? '+hint' : ''}`;
  let st = byKind.get(key);
  if (!st) byKind.set(key, (st = new StaticText(fonts.regular, staticStrings(kind, hint))));
  return st;
}

/**
 * Lays out the certificate (新型コロナウイルス感染症予防接種証明書) on A4: header with the
 * certificate ID on every page, the holder, each dose, issue data, and the QR codes drawn as vector
 * modules, over the anti-forgery ground (地紋 with a latent 「複製」, kept off the codes). Copies
 * repeat the pages. Resolves with the PDF bytes and the page count.
 */
export async function renderCertificatePdf(fonts: CertificateFonts, clock: Clock, input: CertificatePdfInput): Promise<{ pdf: Buffer; pages: number }> {
  const { record } = input;
  const kit = new PageKit(fonts, clock, `${TITLE} ${record.certificateId}`, staticTextOf(fonts, record.kind, input.verificationHint === true));
  const antiForgery = new AntiForgeryPrint(fonts);
  const keepOut = codeKeepOuts(input);
  const groups = pagesOf(record.doses);
  for (let copy = 0; copy < input.copies; copy++) {
    groups.forEach((doses, pageIndex) => {
      kit.addPage();
      antiForgery.drawPage(kit, pageIndex === 0 ? keepOut : []);
      header(kit, record.certificateId, pageIndex + 1, groups.length);
      if (pageIndex > 0) {
        kit.lineCentered(`${TITLE}（続き） / continued`, 22 * MM, 12, true);
        doseTable(kit, 32 * MM, doses, record.kind === 'overseas');
        return;
      }
      kit.lineCentered(TITLE, 19 * MM, 17, true);
      kit.lineCentered(SUBTITLE[record.kind], 27 * MM, 10);
      let y = personRows(kit, record, 36 * MM);
      y = doseTable(kit, y + 4 * MM, doses, record.kind === 'overseas');
      if (input.latestOnly) kit.line(LATEST_FIVE_NOTE, LEFT, y + 2, 8);
      if (groups.length > 1) kit.line(`（${record.doses.length - doses.length}回分の接種記録は次頁以降 / further doses on the next page）`, LEFT, y + 2, 8);
      y += 5 * MM;
      labelRow(kit, y, ROWS.certificateId, record.certificateId);
      labelRow(kit, y + ROW_H, ROWS.issuedOn, record.issuedOn);
      y += 2 * ROW_H + 3 * MM;
      kit.line(CERTIFY.ja, LEFT, y, 9.5);
      kit.line(CERTIFY.en, LEFT, y + 13, 7.5);
      kit.lineRight(`${record.issuer.name}長`, RIGHT, y + 28, 11, true);
      codesAndFooter(kit, input);
    });
  }
  // Objects made from here on (the font subset, its descriptor and ToUnicode map) are written
  // uncompressed: subset glyph outlines barely deflate (28 → 21 kB) and compressing them was the
  // largest single cost per document. Page content, made earlier, is deflated by PageKit.
  kit.doc.compress = false;
  return { pdf: await kit.end(), pages: groups.length * input.copies };
}
