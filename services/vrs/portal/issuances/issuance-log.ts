import { toJstIso } from '../../../common/clock.js';
import type { Queryable } from '../../db/database.js';
import type { JstRange } from '../validation.js';

/** One issued certificate as the portal shows it. */
export interface IssuanceItem {
  certificateId: string;
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
  certificate_id: string;
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
 * Issued certificates of the municipality `tx` is scoped to, newest first. `limit` undefined
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
       FROM certificate_issuances ${WHERE}
      ORDER BY issued_at DESC, certificate_id DESC${paging}`,
    params,
  );
  return rows.map(toItem);
}

/** How many issued certificates the range holds, with their copies and fees summed. */
export async function issuanceTotals(tx: Queryable, municipalityCode: string, range: JstRange): Promise<{ total: number; copies: number; fee: number }> {
  const { rows } = await tx.query<{ total: number; copies: number; fee: number }>(
    `SELECT count(*)::int AS total, coalesce(sum(copies), 0)::float8 AS copies, coalesce(sum(fee), 0)::float8 AS fee
       FROM certificate_issuances ${WHERE}`,
    rangeParams(municipalityCode, range),
  );
  const r = rows[0] ?? { total: 0, copies: 0, fee: 0 };
  return { total: Number(r.total), copies: Number(r.copies), fee: Number(r.fee) };
}
