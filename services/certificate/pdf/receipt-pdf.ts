import { jstParts, type Clock } from '../../common/clock.js';
import type { CertificateFonts } from './fonts.js';
import { FONT, MM } from './page-kit.js';
import PDFDocument from 'pdfkit';

/** What a receipt (領収書) shows: money, time and place only, nothing about the holder. */
export interface ReceiptInput {
  /** Fee per copy in yen (120 at the kiosk). */
  feePerCopy: number;
  copies: number;
  /** Amount inserted, yen. */
  paid: number;
  issuedAt: Date;
  kioskId: string;
  storeId: string;
}

const WIDTH = 80 * MM;
const HEIGHT = 120 * MM;

const yen = (n: number): string => `¥${n.toLocaleString('ja-JP')}`;

/**
 * Renders the receipt (領収書) on 80 mm roll-paper size: fee per copy, copies, total, paid, change,
 * date and time (JST), store and kiosk IDs. Throws TypeError when the payment does not cover the total.
 */
export async function renderReceiptPdf(fonts: CertificateFonts, clock: Clock, input: ReceiptInput): Promise<Buffer> {
  const { feePerCopy, copies, paid } = input;
  if (!Number.isInteger(feePerCopy) || feePerCopy < 0 || !Number.isInteger(copies) || copies < 1 || !Number.isInteger(paid)) {
    throw new TypeError('receipt amounts must be non-negative integers and copies ≥ 1');
  }
  const total = feePerCopy * copies;
  if (paid < total) throw new TypeError('paid is less than the total');
  const doc = new PDFDocument({
    size: [WIDTH, HEIGHT],
    margin: 0,
    compress: true,
    font: null as unknown as string,
    info: { Title: '領収書', Producer: 'konbini-vaccine-certificate', CreationDate: clock.now() },
  });
  doc.registerFont(FONT.regular, fonts.regular as unknown as Buffer);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = 6 * MM;
  const right = WIDTH - 6 * MM;
  let y = 8 * MM;
  doc.font(FONT.regular).fontSize(16).lineWidth(0.5);
  doc.text('領収書', (WIDTH - doc.widthOfString('領収書')) / 2, y, { lineBreak: false, fill: true, stroke: true });
  y += 12 * MM;
  doc.font(FONT.regular).fontSize(9);
  doc.text('新型コロナウイルス感染症予防接種証明書', left, y, { lineBreak: false });
  doc.text('交付手数料', left, y + 4.5 * MM, { lineBreak: false });
  y += 12 * MM;
  const when = jstParts(input.issuedAt);
  const rows: Array<[string, string]> = [
    ['手数料（1通）', yen(feePerCopy)],
    ['通数', `${copies}通`],
    ['合計', yen(total)],
    ['お預かり', yen(paid)],
    ['お釣り', yen(paid - total)],
    ['日時', `${when.date} ${when.time} JST`],
    ['店舗ID', input.storeId],
    ['端末ID', input.kioskId],
  ];
  for (const [label, value] of rows) {
    const bold = label === '合計';
    doc.font(FONT.regular).fontSize(10).lineWidth(0.3);
    doc.text(label, left, y, { lineBreak: false, fill: true, stroke: bold });
    doc.text(value, right - doc.widthOfString(value), y, { lineBreak: false, fill: true, stroke: bold });
    y += 7 * MM;
    if (label === '合計' || label === 'お釣り')
      doc
        .moveTo(left, y - 2 * MM)
        .lineTo(right, y - 2 * MM)
        .stroke('#888888');
  }
  doc
    .font(FONT.regular)
    .fontSize(7.5)
    .text('上記の金額を領収しました。', left, y + 2 * MM, { lineBreak: false });
  doc.end();
  return done;
}
