import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../../common/errors.js';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { deleteStaffSessions } from '../auth/sessions.js';
import type { ResolvedPortalOptions } from '../portal-options.js';
import { inviteStaff, openInvitations, revokeInvitation, toInvitationView } from './invitations.js';
import { parseInput } from '../../../common/validation.js';
import { lgJpAddress } from '../validation.js';

/** Password policy for staff accounts: at least 12 characters (the second factor is the mailed code). */
export const MIN_PASSWORD_LENGTH = 12;

// No password: the invited person sets their own (invitation-routes.ts); one sent here is refused.
const NewStaffBody = z.strictObject({
  email: z.string().min(3).max(254),
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StaffRow {
  id: string;
  email: string;
  disabled: boolean;
  created_at: Date | string;
}

const toStaff = (r: StaffRow): { id: string; email: string; status: 'active' | 'disabled'; disabled: boolean; createdAt: string } => ({
  id: r.id,
  email: r.email,
  status: r.disabled ? 'disabled' : 'active',
  disabled: r.disabled,
  createdAt: toJstIso(new Date(r.created_at)),
});

/**
 * `GET /staff` (accounts and open invitations), `POST /staff` (invite an address),
 * `POST /staff/invitations/:id/revoke`, `POST /staff/:id/disable`: the municipality's own only.
 */
export function staffRoutes(deps: VrsDeps, options: ResolvedPortalOptions): Router {
  const router = Router();

  router.get('/staff', async (_req, res) => {
    const code = sessionOf(res).municipality.code;
    const now = deps.clock.now();
    const [rows, invitations] = await withMunicipality(
      deps.db,
      code,
      async (tx) =>
        [
          (await tx.query<StaffRow>('SELECT id, email, disabled, created_at FROM staff WHERE municipality_code = $1 ORDER BY created_at, email', [code])).rows,
          await openInvitations(tx, code),
        ] as const,
    );
    const accounts = rows.map(toStaff);
    const pending = invitations.map((r) => toInvitationView(r, now));
    res.json({
      items: [...accounts, ...pending],
      active: accounts.filter((i) => !i.disabled).length,
      invited: pending.filter((i) => i.status === 'invited').length,
      limit: options.maxStaff,
    });
  });

  router.post('/staff', async (req, res) => {
    const s = sessionOf(res);
    const body = parseInput(NewStaffBody, req.body);
    const email = lgJpAddress(body.email);
    if (email === undefined) throw new BadRequestError('Staff e-mail addresses must be lg.jp addresses', [{ field: 'email', rule: 'lg_jp' }]);
    const invitation = await inviteStaff(deps, options, { code: s.municipality.code, name: s.municipality.name, staffId: s.staffId }, email);
    res.status(202).json(invitation);
  });

  router.post('/staff/invitations/:id/revoke', async (req, res) => {
    const s = sessionOf(res);
    const id = String(req.params.id);
    if (!UUID.test(id) || !(await revokeInvitation(deps, { code: s.municipality.code, staffId: s.staffId }, id))) {
      throw new NotFoundError('No such open invitation');
    }
    res.json({ id, status: 'revoked' });
  });

  router.post('/staff/:id/disable', async (req, res) => {
    const s = sessionOf(res);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new NotFoundError('No such staff account');
    if (id.toLowerCase() === s.staffId.toLowerCase()) throw new ForbiddenError('Staff cannot disable their own account');
    const code = s.municipality.code;
    const now = deps.clock.now();
    const row = await withMunicipality(deps.db, code, async (tx) => {
      const { rows } = await tx.query<StaffRow>(
        'UPDATE staff SET disabled = true WHERE id = $1 AND municipality_code = $2 RETURNING id, email, disabled, created_at',
        [id, code],
      );
      if (!rows[0]) return undefined;
      await deleteStaffSessions(tx, id);
      await recordAudit(tx, { municipalityCode: code, staffId: s.staffId, action: 'staff.disable', detail: { targetStaffId: id }, at: now });
      return rows[0];
    });
    if (!row) throw new NotFoundError('No such staff account');
    res.json(toStaff(row));
  });

  return router;
}
