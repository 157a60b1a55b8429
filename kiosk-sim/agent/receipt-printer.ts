import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { jstParts } from '../../services/common/clock.js';
import type { CertificateKind, Receipt } from '../../services/common/kiosk-protocol.js';

const require = createRequire(import.meta.url);
let font: Buffer | undefined;

function notoSansJp(): Buffer {
  font ??= readFileSync(require.resolve('@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf'));
  return font;
}

const MM = 72 / 25.4;
const yen = (n: number): string => `${n.toLocaleString('ja-JP')}円`;
/** The labels of the two kinds, as the service printed them. */
export const KIND_LABEL: Record<CertificateKind, string> = { domestic: '日本国内用', overseas: '海外用及び日本国内用' };

/**
 * The kiosk's own receipt (領収書) on 80 mm roll paper, from the relay's receipt: the 発行料, money,
 * time and place, and the kind of certificate; nothing about the holder.
 */
export async function renderReceipt(receipt: Receipt, storeName: string, kind?: CertificateKind): Promise<Buffer> {
  const doc = new PDFDocument({ size: [80 * MM, 110 * MM], margin: 6 * MM, info: { Title: '領収書', Producer: 'kiosk-sim' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('jp', notoSansJp());
  doc.font('jp');
  const issued = jstParts(new Date(receipt.issuedAt));
  doc.fontSize(16).text('領収書', { align: 'center' });
  doc.moveDown(0.5).fontSize(9);
  doc.text(storeName);
  doc.text(`店舗 ${receipt.storeId}  端末 ${receipt.kioskId}`);
  doc.text(`${issued.date} ${issued.time} (JST)`);
  doc.moveDown(0.5);
  doc.fontSize(10).text('新型コロナワクチン接種証明書');
  if (kind) doc.text(`（${KIND_LABEL[kind]}）`);
  const perCopy = receipt.copies > 0 ? Math.round(receipt.fee / receipt.copies) : 0;
  doc.text(`発行料 ${yen(perCopy)} × ${receipt.copies}通`);
  doc.moveDown(0.3);
  doc.fontSize(12).text(`合計 ${yen(receipt.fee)}（税込）`);
  doc.fontSize(10).text(`お預かり ${yen(receipt.paid)}`);
  doc.text(`おつり ${yen(receipt.change)}`);
  doc.moveDown(0.8).fontSize(8).text('お取り忘れにご注意ください。', { align: 'center' });
  doc.end();
  return done;
}
