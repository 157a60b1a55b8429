import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { AppError, BadRequestError, NotFoundError } from '../../../common/errors.js';
import { toJstIso } from '../../../common/clock.js';
import { withMunicipality } from '../../db/database.js';
import type { VrsDeps } from '../../deps.js';
import { hashPassword } from '../auth/password.js';
import { recordAudit } from '../audit/audit-log.js';
import { sessionOf } from '../auth/require-session.js';
import { deleteStaffSessions } from '../auth/sessions.js';
import { StaffExistsError, StaffLimitError } from '../errors.js';
import { lgJpAddress, parseInput } from '../validation.js';

/** Password policy for staff accounts: at least 12 characters (the second factor is the mailed code). */
export const MIN_PASSWORD_LENGTH = 12;

const NewStaffBody = z.object({
  email: z.string().min(3).max(254),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StaffRow {
  id: string;
  email: string;
  disabled: boolean;
  created_at: Date | string;
}

const toStaff = (r: StaffRow): { id: string; email: string; disabled: boolean; createdAt: string } =>
  ({ id: r.id, email: r.email, disabled: r.disabled, createdAt: toJstIso(new Date(r.created_at)) });

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** `GET /staff`, `POST /staff`, `POST /staff/:id/disable`: the municipality's own accounts only. */
export function staffRoutes(deps: VrsDeps, maxStaff: number): Router {
  const router = Router();

  router.get('/staff', async (_req, res) => {
    const code = sessionOf(res).municipality.code;
    const rows = await withMunicipality(deps.db, code, async (tx) =>
      (await tx.query<StaffRow>('SELECT id, email, disabled, created_at FROM staff WHERE municipality_code = $1 ORDER BY created_at, email', [code])).rows);
    const items = rows.map(toStaff);
    res.json({ items, active: items.filter((i) => !i.disabled).length, limit: maxStaff });
  });

  router.post('/staff', async (req, res) => {
    const s = sessionOf(res);
    const body = parseInput(NewStaffBody, req.body);
    const email = lgJpAddress(body.email);
    if (email === undefined) throw new BadRequestError('Staff e-mail addresses must be lg.jp addresses', { fields: [{ field: 'email', rule: 'lg_jp' }] });
    const code = s.municipality.code;
    const passwordHash = await hashPassword(body.password);
    const now = deps.clock.now();
    const id = randomUUID();
    try {
      const row = await withMunicipality(deps.db, code, async (tx) => {
        // Locking the municipality's own row serialises concurrent additions, so the limit holds.
        await tx.query('SELECT code FROM municipalities WHERE code = $1 FOR UPDATE', [code]);
        const active = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM staff WHERE municipality_code = $1 AND NOT disabled', [code])).rows[0]?.n ?? 0;
        if (active >= maxStaff) throw new StaffLimitError(maxStaff);
        if ((await tx.query('SELECT 1 FROM staff WHERE email = $1', [email])).rows.length > 0) throw new StaffExistsError();
        const { rows } = await tx.query<StaffRow>(
          `INSERT INTO staff (id, municipality_code, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)
           RETURNING id, email, disabled, created_at`,
          [id, code, email, passwordHash, now.toISOString()],
        );
        await recordAudit(tx, { municipalityCode: code, staffId: s.staffId, action: 'staff.create', detail: { targetStaffId: id }, at: now });
        return rows[0];
      });
      if (!row) throw new TypeError('staff insert returned no row');
      res.status(201).json(toStaff(row));
    } catch (err) {
      if (isUniqueViolation(err)) throw new StaffExistsError();
      throw err;
    }
  });

  router.post('/staff/:id/disable', async (req, res) => {
    const s = sessionOf(res);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new NotFoundError('ERR_NOT_FOUND', 'No such staff account');
    if (id.toLowerCase() === s.staffId.toLowerCase()) throw new AppError('ERR_FORBIDDEN', 403, 'Staff cannot disable their own account');
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
    if (!row) throw new NotFoundError('ERR_NOT_FOUND', 'No such staff account');
    res.json(toStaff(row));
  });

  return router;
}
