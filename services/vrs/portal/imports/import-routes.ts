import express, { Router } from 'express';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { importCsv, type ImportKind } from '../../imports/import-csv.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { CsvRejectedError, UnsupportedMediaTypeError } from '../errors.js';

const KINDS: ImportKind[] = ['residents', 'vaccinations', 'passports', 'overseas-issuances'];
const ACCEPTED = ['text/csv', 'application/octet-stream'];

/**
 * `POST /imports/residents|vaccinations|passports|overseas-issuances`: the raw CSV body (UTF-8 or Shift_JIS) goes to
 * importCsv; 200 with the report when it was applied, 422 ERR_CSV (problem+json carrying the same
 * report) when nothing changed.
 */
export function importRoutes(deps: VrsDeps, limitBytes: number): Router {
  const router = Router();
  const raw = express.raw({ type: ACCEPTED, limit: limitBytes });

  for (const kind of KINDS) {
    router.post(`/imports/${kind}`, raw, async (req, res) => {
      if (!Buffer.isBuffer(req.body)) throw new UnsupportedMediaTypeError(ACCEPTED);
      const s = sessionOf(res);
      const code = s.municipality.code;
      const report = await importCsv(deps, code, kind, req.body);
      await withMunicipality(deps.db, code, (tx) =>
        recordAudit(tx, {
          municipalityCode: code,
          staffId: s.staffId,
          action: 'import',
          detail: {
            kind,
            ok: report.ok,
            encoding: report.encoding,
            bytes: req.body.length,
            rows: report.rows,
            inserted: report.inserted,
            updated: report.updated,
            errors: report.errors.length,
          },
          at: deps.clock.now(),
        }),
      );
      deps.log.info({ event: 'portal.import', kind, ok: report.ok, rows: report.rows, errors: report.errors.length }, 'csv import');
      if (!report.ok) throw new CsvRejectedError({ ...report });
      res.json(report);
    });
  }

  return router;
}
