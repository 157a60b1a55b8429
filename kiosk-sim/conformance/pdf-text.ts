import { createHash } from 'node:crypto';
import * as mupdf from 'mupdf';
import type { HolderData } from './cards.js';

/** The text of each page of a PDF, or undefined when the PDF cannot be opened. */
export function pdfPageTexts(pdf: Uint8Array): string[] | undefined {
  try {
    const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
    const out: string[] = [];
    for (let i = 0; i < doc.countPages(); i++) out.push(doc.loadPage(i).toStructuredText('preserve-whitespace').asText());
    return out;
  } catch {
    return undefined;
  }
}

/** `sha-256=:<base64>:` of a body (RFC 9530). */
export function contentDigestOf(body: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

const squash = (s: string) => s.replace(/[\s\u3000]+/g, '');

/**
 * Why a served document does not belong to `holder` (or mixes in someone else), judged from its
 * text; undefined when it belongs. Every page must carry the certificate ID; the holder's name or
 * birth date must appear; no other known holder's name may.
 */
export function documentDefect(pdf: Uint8Array, certificateId: string, holder: HolderData, others: HolderData[]): string | undefined {
  const pages = pdfPageTexts(pdf);
  if (!pages) return 'the document does not open as a PDF';
  if (pages.length === 0) return 'the PDF has no pages';
  const texts = pages.map(squash);
  if (texts.every((t) => t.length === 0)) return undefined; // image-only PDF: nothing to judge by text
  const missingId = texts.findIndex((t) => !t.includes(squash(certificateId)));
  if (missingId >= 0) return `page ${missingId + 1} of ${pages.length} does not carry Certificate-Id ${certificateId}`;
  const all = texts.join('\n');
  if (!all.includes(squash(holder.name)) && !all.includes(holder.birthDate)) return "the document shows neither the holder's name nor birth date";
  for (const o of others) {
    if (o.myNumber === holder.myNumber) continue;
    // Names only: another holder's birth date could equal a dose or issue date by chance.
    if (squash(o.name) === squash(holder.name)) continue;
    const page = texts.findIndex((t) => t.includes(squash(o.name)));
    if (page >= 0) return `page ${page + 1} shows another holder's name`;
  }
  return undefined;
}
