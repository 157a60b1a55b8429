import type { Clock } from '../../common/clock.js';
import type { CertificateRecord, Dose } from '../../common/lgwan-contract.js';
import type { QrMatrix } from '../qr/qr-matrix.js';
import { drawQr, type FormSink } from './draw-qr.js';
import type { CertificateFonts } from './fonts.js';
import { A4, line, lineCentered, lineRight, MM, openDocument } from './page-kit.js';

/** What the certificate PDF shows besides the record. */
export interface CertificatePdfInput {
  record: CertificateRecord;
  shcQr: QrMatrix;
  /** Overseas only. */
  vdsQr?: QrMatrix;
  /** Where verifiers find the SHC keys. */
  shcIssuerUrl: string;
  copies: number;
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

function header(doc: PDFKit.PDFDocument, id: string, page: number, pages: number): void {
  line(doc, `証明書ID Certificate ID: ${id}`, LEFT, 12 * MM, 8.5);
  lineRight(doc, `${page} / ${pages}`, RIGHT, 12 * MM, 8.5);
}

function labelRow(doc: PDFKit.PDFDocument, y: number, ja: string, en: string, value: string, h = ROW_H): void {
  doc.rect(LEFT, y, LABEL_W, h).fillAndStroke('#eeeeee', '#444444');
  doc.rect(LEFT + LABEL_W, y, RIGHT - LEFT - LABEL_W, h).stroke('#444444');
  doc.fillColor('#000000');
  line(doc, ja, LEFT + 4, y + 2, 8.5);
  line(doc, en, LEFT + 4, y + 11.5, 6.5);
  line(doc, value, LEFT + LABEL_W + 6, y + 4, 11);
}

const DOSE_COLS = [
  { ja: '回数', en: 'Dose', w: 18 * MM },
  { ja: '接種年月日', en: 'Date', w: 30 * MM },
  { ja: 'ワクチン名（製品名・メーカー）', en: 'Vaccine (product, manufacturer)', w: 76 * MM },
  { ja: 'ロット番号', en: 'Lot number', w: 0 },
];

function doseTable(doc: PDFKit.PDFDocument, y: number, doses: Dose[]): number {
  let x = LEFT;
  const widths = DOSE_COLS.map((c) => c.w || RIGHT - LEFT - DOSE_COLS.reduce((s, d) => s + d.w, 0));
  DOSE_COLS.forEach((c, i) => {
    doc.rect(x, y, widths[i]!, ROW_H).fillAndStroke('#eeeeee', '#444444');
    doc.fillColor('#000000');
    line(doc, c.ja, x + 4, y + 2, 8.5);
    line(doc, c.en, x + 4, y + 11.5, 6.5);
    x += widths[i]!;
  });
  y += ROW_H;
  for (const d of doses) {
    const cells = [`${d.dose}回目`, d.date, `${d.product}（${d.maker}）`, d.lot];
    x = LEFT;
    cells.forEach((text, i) => {
      doc.rect(x, y, widths[i]!, DOSE_ROW_H).stroke('#444444');
      line(doc, text, x + 4, y + 3.5, i === 2 && text.length > 26 ? 8 : 10);
      x += widths[i]!;
    });
    y += DOSE_ROW_H;
  }
  return y;
}

function personRows(doc: PDFKit.PDFDocument, r: CertificateRecord, y: number): number {
  const rows: Array<[string, string, string]> = [['発行自治体', 'Issuing municipality', r.issuer.name]];
  rows.push(['氏名', 'Name', r.person.name]);
  const p = r.person.passport;
  if (r.kind === 'overseas' && p) {
    rows.push(['氏名（ローマ字）', 'Name (Roman alphabet)', p.nameRoman]);
    if (p.otherName) rows.push(['旧姓・別姓・別名', 'Former / other name', p.otherName]);
  }
  rows.push(['生年月日', 'Date of birth', r.person.birthDate]);
  if (r.kind === 'overseas' && p) {
    rows.push(['国籍・地域', 'Nationality', p.nationality]);
    rows.push(['旅券番号', 'Passport No.', p.passportNumber]);
  }
  for (const [ja, en, v] of rows) {
    labelRow(doc, y, ja, en, v);
    y += ROW_H;
  }
  return y;
}

function codesAndFooter(doc: PDFKit.PDFDocument, input: CertificatePdfInput): void {
  const { record, shcQr, vdsQr } = input;
  const bottomText = A4.height - 24 * MM;
  const qrTop = bottomText - 10 * MM - (vdsQr ? VDS_QR_MM : SHC_QR_MM) * MM;
  const shcX = vdsQr ? LEFT + 6 * MM : (A4.width - SHC_QR_MM * MM) / 2;
  const shcY = vdsQr ? qrTop + (VDS_QR_MM - SHC_QR_MM) * MM : qrTop;
  line(doc, 'SMART Health Card', shcX, shcY - 7 * MM, 8.5, true);
  drawQr(doc as unknown as FormSink, shcQr, shcX, shcY, SHC_QR_MM * MM);
  if (vdsQr) {
    const vx = RIGHT - 6 * MM - VDS_QR_MM * MM;
    line(doc, 'ICAO VDS-NC', vx, qrTop - 7 * MM, 8.5, true);
    drawQr(doc as unknown as FormSink, vdsQr, vx, qrTop, VDS_QR_MM * MM);
  }
  const jwks = `${input.shcIssuerUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
  line(doc, '偽造防止：二次元コードは発行者の電子署名付きです。検証は公開鍵で誰でも行えます（npm run verify）。', LEFT, bottomText, 8);
  line(doc, `Verify: SHC keys at ${jwks}${record.kind === 'overseas' ? '; VDS-NC signer chains to the Japan CSCA' : ''}`, LEFT, bottomText + 11, 7.5);
}

/**
 * Lays out the certificate (新型コロナウイルス感染症予防接種証明書) on A4: header with the
 * certificate ID on every page, the holder, each dose, issue data, and the QR codes drawn as vector
 * modules. Copies repeat the pages. Resolves with the PDF bytes and the page count.
 */
export async function renderCertificatePdf(fonts: CertificateFonts, clock: Clock, input: CertificatePdfInput): Promise<{ pdf: Buffer; pages: number }> {
  const { record } = input;
  const overseas = record.kind === 'overseas';
  const { doc, bytes } = openDocument(fonts, clock, `新型コロナウイルス感染症予防接種証明書 ${record.certificateId}`);
  const groups = pagesOf(record.doses);
  for (let copy = 0; copy < input.copies; copy++) {
    groups.forEach((doses, pageIndex) => {
      doc.addPage();
      header(doc, record.certificateId, pageIndex + 1, groups.length);
      if (pageIndex > 0) {
        lineCentered(doc, '新型コロナウイルス感染症予防接種証明書（続き） / continued', 22 * MM, 12, true);
        doseTable(doc, 32 * MM, doses);
        return;
      }
      lineCentered(doc, '新型コロナウイルス感染症予防接種証明書', 19 * MM, 17, true);
      lineCentered(doc, overseas ? 'Vaccination Certificate for COVID-19（海外用及び日本国内用）' : '（国内用）', 27 * MM, 10);
      let y = personRows(doc, record, 36 * MM);
      y = doseTable(doc, y + 4 * MM, doses);
      if (groups.length > 1) line(doc, `（${record.doses.length - doses.length}回分の接種記録は次頁以降 / further doses on the next page）`, LEFT, y + 2, 8);
      y += 5 * MM;
      labelRow(doc, y, '証明書ID', 'Certificate ID', record.certificateId);
      labelRow(doc, y + ROW_H, '発行年月日', 'Date of issue', record.issuedOn);
      y += 2 * ROW_H + 3 * MM;
      line(doc, '上記のとおり新型コロナウイルス感染症の予防接種を受けたことを証明します。', LEFT, y, 9.5);
      line(doc, 'This is to certify that the above person received the vaccinations against COVID-19 shown above.', LEFT, y + 13, 7.5);
      lineRight(doc, `${record.issuer.name}長`, RIGHT, y + 28, 11, true);
      codesAndFooter(doc, input);
    });
  }
  // Objects made from here on (the font subset, its descriptor and ToUnicode map) are written
  // uncompressed: subset glyph outlines barely deflate (28 → 21 kB) and compressing them was the
  // largest single cost per document. Page content, made earlier, stays compressed.
  doc.compress = false;
  doc.end();
  return { pdf: await bytes, pages: groups.length * input.copies };
}
