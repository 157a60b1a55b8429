import type { CertificateRecord, Dose } from '../common/lgwan-contract.js';

/** From this issue date (JST) a certificate shows at most the latest five doses (national specification). */
export const LATEST_FIVE_FROM = '2023-06-19';
/** How many doses a certificate shows from LATEST_FIVE_FROM. */
export const LATEST_DOSES = 5;
/** The note printed when earlier doses were left out. */
export const LATEST_FIVE_NOTE = '※本証明書発行者が保存している接種記録のうち直近5回分が記載されます。';

/** The doses a certificate carries, and whether the latest-five rule left any out. */
export interface CertificateDoses {
  doses: Dose[];
  /** True when the holder has more doses than LATEST_DOSES and the issue date is on or after LATEST_FIVE_FROM. */
  latestOnly: boolean;
}

/**
 * The doses printed and encoded (PDF, SMART Health Card, VDS-NC alike), in order of VRS's dose
 * number (接種回数; then date), so "the latest five" are the five highest dose numbers. Issued on or after 2023-06-19: the latest five of a holder with six or
 * more. Issued before: every dose (the rule did not exist yet; the simulator keeps the page's
 * continuation pages for a holder with many doses).
 */
export function certificateDoses(record: Pick<CertificateRecord, 'issuedOn' | 'doses'>): CertificateDoses {
  const ordered = [...record.doses].sort((a, b) => a.dose - b.dose || a.date.localeCompare(b.date));
  if (record.issuedOn < LATEST_FIVE_FROM || ordered.length <= LATEST_DOSES) return { doses: ordered, latestOnly: false };
  return { doses: ordered.slice(-LATEST_DOSES), latestOnly: true };
}
