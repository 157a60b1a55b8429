import { toJstIso } from '../../../common/clock.js';
import type { Queryable } from '../../db/database.js';
import type { JstRange } from '../validation.js';

/**
 * One issued certificate as the portal shows it: a kiosk issuance (channel `kiosk`), or an
 * overseas certificate issued at the counter (`counter`) or in the app (`app`) as the
 * municipality imported it (issue 18; no copies, fee, kiosk or store, and the certificate ID only
 * when the file gave one; `issuedAt` is the start of its JST day).
 */
export interface IssuanceItem {
  certificateId: string | null;
  /** 個別宛名番号 of the resident (the municipality's own key; never the My Number). */
  atenaNumber: string;
  kind: 'domestic' | 'overseas';
  channel: string;
  copies: number | null;
  fee: number | null;
  kioskId: string | null;
  storeId: string | null;
  /** ISO 8601 in JST (+09:00). */
  issuedAt: string;
}

interface IssuanceRow {
  certificate_id: string | null;
  atena_number: string;
  kind: 'domestic' | 'overseas';
  channel: string;
  copies: number | null;
  fee: number | null;
  kiosk_id: string | null;
  store_id: string | null;
  issued_at: Date | string;
}

// The explicit municipality_code condition repeats what row-level security enforces, and lets the
// planner use the (municipality_code, issued_at) index.
const WHERE = `WHERE municipality_code = $1 AND status = 'issued'
  AND ($2::timestamptz IS NULL OR issued_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR issued_at < $3::timestamptz)`;

/** The start of the JST day of a counter or app issuance, as a timestamptz. */
const COUNTER_AT = `((issued_on::timestamp - interval '9 hours') AT TIME ZONE 'UTC')`;

/**
 * Every channel's issuances of the period: kiosk certificates that were issued, and the counter
 * and app overseas certificates the municipality imported. `tiebreak` orders rows of one moment.
 */
const LOG = `(
  SELECT certificate_id, atena_number, kind, channel, copies::int AS copies, fee, kiosk_id, store_id, issued_at, 'k' || certificate_id AS tiebreak
    FROM certificate_issuances ${WHERE}
  UNION ALL
  SELECT certificate_id, atena_number, 'overseas', channel, NULL::int, NULL::int, NULL::text, NULL::text, ${COUNTER_AT}, 'c' || lpad(id::text, 19, '0')
    FROM overseas_issuances
   WHERE municipality_code = $1
     AND ($2::timestamptz IS NULL OR ${COUNTER_AT} >= $2::timestamptz)
     AND ($3::timestamptz IS NULL OR ${COUNTER_AT} < $3::timestamptz)
) log`;

const rangeParams = (code: string, range: JstRange): unknown[] => [code, range.start?.toISOString() ?? null, range.end?.toISOString() ?? null];

function toItem(r: IssuanceRow): IssuanceItem {
  return {
    certificateId: r.certificate_id,
    atenaNumber: r.atena_number,
    kind: r.kind,
    channel: r.channel,
    copies: r.copies,
    fee: r.fee,
    kioskId: r.kiosk_id,
    storeId: r.store_id,
    issuedAt: toJstIso(new Date(r.issued_at)),
  };
}

/**
 * Issued certificates of the municipality `tx` is scoped to, every channel, newest first. `limit` undefined
 * means all of them (CSV export).
 */
export async function listIssuances(
  tx: Queryable,
  municipalityCode: string,
  range: JstRange,
  page?: { limit: number; offset: number },
): Promise<IssuanceItem[]> {
  const params = rangeParams(municipalityCode, range);
  const paging = page ? ` LIMIT $4 OFFSET $5` : '';
  if (page) params.push(page.limit, page.offset);
  const { rows } = await tx.query<IssuanceRow>(
    `SELECT certificate_id, atena_number, kind, channel, copies, fee, kiosk_id, store_id, issued_at
       FROM ${LOG}
      ORDER BY issued_at DESC, tiebreak DESC${paging}`,
    params,
  );
  return rows.map(toItem);
}

/** How many issued certificates the range holds (every channel), with their copies and fees summed (kiosk ones carry them). */
export async function issuanceTotals(tx: Queryable, municipalityCode: string, range: JstRange): Promise<{ total: number; copies: number; fee: number }> {
  const { rows } = await tx.query<{ total: number; copies: number; fee: number }>(
    `SELECT count(*)::int AS total, coalesce(sum(copies), 0)::float8 AS copies, coalesce(sum(fee), 0)::float8 AS fee
       FROM ${LOG}`,
    rangeParams(municipalityCode, range),
  );
  const r = rows[0] ?? { total: 0, copies: 0, fee: 0 };
  return { total: Number(r.total), copies: Number(r.copies), fee: Number(r.fee) };
}
