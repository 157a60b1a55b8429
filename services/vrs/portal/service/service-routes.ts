import { Router } from 'express';
import { z } from 'zod';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { parseInput } from '../../../common/validation.js';

const ServiceBody = z.object({ suspended: z.boolean() });

interface MunicipalityRow {
  code: string;
  name: string;
  participates: boolean;
  suspended: boolean;
  suspended_at: Date | string | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : toJstIso(new Date(d)));

/**
 * `GET /service` and `PUT /service`: the municipality's kiosk service (コンビニ交付) state. A
 * suspension takes effect at once: the relay reads the row for every menu and request.
 */
export function serviceRoutes(deps: VrsDeps): Router {
  const router = Router();

  router.get('/service', async (_req, res) => {
    const code = sessionOf(res).municipality.code;
    const row = await withMunicipality(
      deps.db,
      code,
      async (tx) =>
        (await tx.query<MunicipalityRow>('SELECT code, name, participates, suspended, suspended_at FROM municipalities WHERE code = $1', [code])).rows[0],
    );
    if (!row) throw new TypeError('session municipality has no row');
    res.json({ code: row.code, name: row.name, participates: row.participates, suspended: row.suspended, suspendedAt: iso(row.suspended_at) });
  });

  router.put('/service', async (req, res) => {
    const s = sessionOf(res);
    const { suspended } = parseInput(ServiceBody, req.body);
    const code = s.municipality.code;
    const now = deps.clock.now();
    const row = await withMunicipality(deps.db, code, async (tx) => {
      // Suspending again keeps the first suspended_at; resuming clears it.
      const { rows } = await tx.query<MunicipalityRow>(
        `UPDATE municipalities
            SET suspended = $2,
                suspended_at = CASE WHEN $2 THEN coalesce(CASE WHEN suspended THEN suspended_at END, $3::timestamptz) END
          WHERE code = $1
          RETURNING code, name, participates, suspended, suspended_at`,
        [code, suspended, now.toISOString()],
      );
      await recordAudit(tx, { municipalityCode: code, staffId: s.staffId, action: suspended ? 'service.suspend' : 'service.resume', at: now });
      return rows[0];
    });
    if (!row) throw new TypeError('session municipality has no row');
    deps.log.info({ event: suspended ? 'portal.service.suspend' : 'portal.service.resume', municipality: code }, 'kiosk service changed');
    res.json({ suspended: row.suspended, suspendedAt: iso(row.suspended_at) });
  });

  return router;
}
