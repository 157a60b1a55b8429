import * as mupdf from 'mupdf';

/** The text of each page of a PDF (mupdf), to check what each page carries. */
export function pdfPagesText(pdf: Buffer): string[] {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const pages: string[] = [];
  for (let i = 0; i < doc.countPages(); i++) pages.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
  return pages;
}
