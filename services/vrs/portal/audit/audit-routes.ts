import { Router } from 'express';
import { z } from 'zod';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { sessionOf } from '../auth/require-session.js';
import { parseInput } from '../../../common/validation.js';

const AuditQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});

interface AuditRow {
  id: string;
  staff_id: string | null;
  staff_email: string | null;
  action: string;
  detail: Record<string, unknown> | string;
  at: Date | string;
}

/** `GET /audit`: the staff operations log of the session's municipality, newest first, paged. */
export function auditRoutes(deps: VrsDeps): Router {
  const router = Router();

  router.get('/audit', async (req, res) => {
    const code = sessionOf(res).municipality.code;
    const q = parseInput(AuditQuery, req.query, 'query');
    const out = await withMunicipality(deps.db, code, async (tx) => {
      const { rows } = await tx.query<AuditRow>(
        `SELECT a.id::text AS id, a.staff_id, st.email AS staff_email, a.action, a.detail, a.at
           FROM staff_audit a LEFT JOIN staff st ON st.id = a.staff_id
          WHERE a.municipality_code = $1
          ORDER BY a.at DESC, a.id DESC
          LIMIT $2 OFFSET $3`,
        [code, q.pageSize, (q.page - 1) * q.pageSize],
      );
      const total = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM staff_audit WHERE municipality_code = $1', [code])).rows[0]?.n ?? 0;
      return { rows, total };
    });
    res.json({
      items: out.rows.map((r) => ({
        id: r.id,
        at: toJstIso(new Date(r.at)),
        staffId: r.staff_id,
        staffEmail: r.staff_email,
        action: r.action,
        detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
      })),
      page: q.page,
      pageSize: q.pageSize,
      total: Number(out.total),
    });
  });

  return router;
}
