import { Router } from 'express';
import { z } from 'zod';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { parseInput } from '../../../common/validation.js';
import { jstRange } from '../validation.js';

const StatsQuery = z.object({ from: z.string().max(10).optional(), to: z.string().max(10).optional() });

interface DayRow {
  day: string;
  kind: 'domestic' | 'overseas';
  issuances: number;
  copies: number;
}

/**
 * `GET /statistics`: counts only (issued certificates and copies per JST day and kind), which is
 * all that leaves the municipality for the state (seed 000 art. 4-6).
 */
export function statisticsRoutes(deps: VrsDeps): Router {
  const router = Router();

  router.get('/statistics', async (req, res) => {
    const s = sessionOf(res);
    const q = parseInput(StatsQuery, req.query, 'query');
    const range = jstRange(q.from, q.to);
    const code = s.municipality.code;
    const rows = await withMunicipality(deps.db, code, async (tx) => {
      const r = await tx.query<DayRow>(
        `SELECT to_char((issued_at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM-DD') AS day, kind,
                count(*)::int AS issuances, coalesce(sum(copies), 0)::int AS copies
           FROM certificate_issuances
          WHERE municipality_code = $1 AND status = 'issued'
            AND ($2::timestamptz IS NULL OR issued_at >= $2::timestamptz)
            AND ($3::timestamptz IS NULL OR issued_at < $3::timestamptz)
          GROUP BY 1, 2
          ORDER BY 1, 2`,
        [code, range.start?.toISOString() ?? null, range.end?.toISOString() ?? null],
      );
      await recordAudit(tx, {
        municipalityCode: code,
        staffId: s.staffId,
        action: 'statistics.view',
        detail: { from: range.from, to: range.to },
        at: deps.clock.now(),
      });
      return r.rows;
    });
    res.json({
      municipality: code,
      from: range.from,
      to: range.to,
      days: rows.map((r) => ({ date: r.day, kind: r.kind, issuances: Number(r.issuances), copies: Number(r.copies) })),
    });
  });

  return router;
}
