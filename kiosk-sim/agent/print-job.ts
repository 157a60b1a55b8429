import type { CoinBox } from './coin-box.js';
import type { KioskLog } from './kiosk-log.js';
import { PrintError, type Printer } from './printer.js';
import { renderReceipt } from './receipt-printer.js';
import type { CertificateKind, RequestCreated } from '../../services/common/kiosk-protocol.js';
import { RelayError, type RelayClient } from './relay-client.js';

export interface PrintJobDeps {
  relay: RelayClient;
  printer: Printer;
  coins: CoinBox;
  log: KioskLog;
  storeName: string;
  /** Reports a fault of the equipment (store controller). */
  fault(code: string, detail: string): void;
}

export interface PrintJob {
  sessionId: string;
  request: RequestCreated;
  kind: CertificateKind;
  copies: number;
}

export type PrintOutcome =
  | { printed: true; receipt: { copies: number; fee: number; paid: number; change: number; issuedAt: string } }
  | { printed: false; reason: string; refunded: number };

/**
 * One print job (PROTOCOL.md steps 5 and 6): fetch the document once, check it against its
 * Content-Digest, print it into the output tray, send the completion with the amount paid and the
 * digest, keep the fee, print the receipt and write the kiosk log. A failure before the paper is
 * out refunds the money and reports `failed`. The kiosk's working copy is wiped either way.
 * Throws only when the completion of a printed certificate cannot be sent.
 */
export async function runPrintJob(d: PrintJobDeps, job: PrintJob): Promise<PrintOutcome> {
  const { sessionId, request, kind, copies } = job;
  let pdf: Buffer | undefined;
  let digest = '';
  try {
    try {
      const doc = await d.relay.fetchDocument(sessionId, request.requestId);
      pdf = doc.pdf;
      digest = doc.contentDigest ?? '';
      d.printer.check(pdf, doc.contentDigest);
      d.printer.print('certificate', `certificate-${doc.certificateId ?? 'document'}.pdf`, pdf);
    } catch (e) {
      const reason = e instanceof PrintError || e instanceof RelayError ? e.code : 'ERR_PRINT_FAILED';
      d.fault(e instanceof PrintError ? e.code : 'ERR_PRINT_FAILED', e instanceof Error ? e.message : 'print failed');
      const refunded = d.coins.refund();
      // Nothing is charged; the relay sends no completion notice for `failed`.
      await d.relay
        .complete(sessionId, request.requestId, { outcome: 'failed', paid: 0, ...(digest ? { contentDigest: digest } : {}) })
        .catch((err: unknown) => d.fault('ERR_COMPLETION', `failed-completion not accepted: ${err instanceof RelayError ? err.code : 'error'}`));
      return { printed: false, reason, refunded };
    }
    const paid = d.coins.inserted;
    const { receipt } = await retry(() => d.relay.complete(sessionId, request.requestId, { outcome: 'printed', paid, contentDigest: digest }));
    const { change } = d.coins.settle(request.fee);
    d.printer.print('receipt', 'receipt.pdf', await renderReceipt({ ...receipt, paid, change }, d.storeName, kind));
    await d.log.append({ issuedAt: receipt.issuedAt, kind, copies });
    return { printed: true, receipt: { copies: receipt.copies, fee: receipt.fee, paid, change, issuedAt: receipt.issuedAt } };
  } finally {
    // Only the paper in the output tray remains.
    pdf?.fill(0);
  }
}

/** Retries a call that failed on the way or with a 5xx (the completion is idempotent). */
async function retry<T>(fn: () => Promise<T>, times = 3): Promise<T> {
  let last: unknown;
  for (let i = 0; i < times; i++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      if (e instanceof RelayError && e.status < 500) break;
      await new Promise((r) => setTimeout(r, 200 * (i + 1)));
    }
  }
  throw last;
}
