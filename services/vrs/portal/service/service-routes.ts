import { Router } from 'express';
import { z } from 'zod';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { parseInput } from '../../../common/validation.js';
import { contactBodySchema, contactOf, setContact } from './contact.js';

const ServiceBody = z.object({ suspended: z.boolean() });

interface MunicipalityRow {
  code: string;
  name: string;
  participates: boolean;
  suspended: boolean;
  suspended_at: Date | string | null;
  contact_office: string | null;
  contact_phone: string | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : toJstIso(new Date(d)));

/**
 * `GET /service` and `PUT /service`: the municipality's kiosk service (コンビニ交付) state. A
 * suspension takes effect at once: the relay reads the row for every menu and request.
 * `PUT /service/contact`: its 問合せ先 (`{ office, phone }`), carried by every kiosk menu entry.
 */
export function serviceRoutes(deps: VrsDeps): Router {
  const router = Router();

  router.get('/service', async (_req, res) => {
    const code = sessionOf(res).municipality.code;
    const row = await withMunicipality(
      deps.db,
      code,
      async (tx) =>
        (
          await tx.query<MunicipalityRow>(
            'SELECT code, name, participates, suspended, suspended_at, contact_office, contact_phone FROM municipalities WHERE code = $1',
            [code],
          )
        ).rows[0],
    );
    if (!row) throw new TypeError('session municipality has no row');
    res.json({
      code: row.code,
      name: row.name,
      participates: row.participates,
      suspended: row.suspended,
      suspendedAt: iso(row.suspended_at),
      contact: row.contact_office && row.contact_phone ? { office: row.contact_office, phone: row.contact_phone } : null,
    });
  });

  /** 問合せ先 (issue 18): the office and telephone the kiosk's refusal screens name. */
  router.put('/service/contact', async (req, res) => {
    const s = sessionOf(res);
    const contact = parseInput(contactBodySchema, req.body);
    const code = s.municipality.code;
    const now = deps.clock.now();
    const saved = await withMunicipality(deps.db, code, async (tx) => {
      const before = await contactOf(tx, code);
      if (!(await setContact(tx, code, contact))) throw new TypeError('session municipality has no row');
      // The municipality's public office and number, not personal data.
      await recordAudit(tx, {
        municipalityCode: code,
        staffId: s.staffId,
        action: 'service.contact',
        detail: {
          office: contact.office,
          phone: contact.phone,
          officeChanged: before?.office !== contact.office,
          phoneChanged: before?.phone !== contact.phone,
        },
        at: now,
      });
      return contactOf(tx, code);
    });
    deps.log.info({ event: 'portal.service.contact', municipality: code }, '問合せ先 changed');
    res.json({ contact: saved });
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
          RETURNING code, name, participates, suspended, suspended_at, contact_office, contact_phone`,
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
