import { Router } from 'express';
import { z } from 'zod';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { parseInput } from '../../../common/validation.js';
import { jstRange } from '../validation.js';
import { issuanceTotals, listIssuances } from './issuance-log.js';
import { issuancesCsv } from './issuances-csv.js';

const Day = z.string().max(10).optional();
const ListQuery = z.object({
  from: Day,
  to: Day,
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
const CsvQuery = z.object({ from: Day, to: Day });

/** `GET /issuances` (JSON, paged) and `GET /issuances.csv`; behind requireSession. */
export function issuanceRoutes(deps: VrsDeps): Router {
  const router = Router();

  router.get('/issuances', async (req, res) => {
    const s = sessionOf(res);
    const q = parseInput(ListQuery, req.query, 'query');
    const range = jstRange(q.from, q.to);
    const code = s.municipality.code;
    const out = await withMunicipality(deps.db, code, async (tx) => {
      const items = await listIssuances(tx, code, range, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      const totals = await issuanceTotals(tx, code, range);
      await recordAudit(tx, {
        municipalityCode: code,
        staffId: s.staffId,
        action: 'issuances.view',
        detail: { from: range.from, to: range.to, page: q.page, rows: items.length },
        at: deps.clock.now(),
      });
      return { items, page: q.page, pageSize: q.pageSize, total: totals.total, totals: { copies: totals.copies, fee: totals.fee } };
    });
    res.json(out);
  });

  router.get('/issuances.csv', async (req, res) => {
    const s = sessionOf(res);
    const q = parseInput(CsvQuery, req.query, 'query');
    const range = jstRange(q.from, q.to);
    const code = s.municipality.code;
    const items = await withMunicipality(deps.db, code, async (tx) => {
      const all = await listIssuances(tx, code, range);
      await recordAudit(tx, {
        municipalityCode: code,
        staffId: s.staffId,
        action: 'issuances.export_csv',
        detail: { from: range.from, to: range.to, rows: all.length },
        at: deps.clock.now(),
      });
      return all;
    });
    const name = `issuances-${code}${range.from ? `-${range.from}` : ''}${range.to ? `-${range.to}` : ''}.csv`;
    res.attachment(name).type('text/csv; charset=utf-8').send(issuancesCsv(items));
  });

  return router;
}
