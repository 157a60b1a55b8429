import type { Queryable } from '../../db/database.js';

/** Operations the staff audit log records. */
export type AuditAction =
  | 'login.code_sent'
  | 'login.failure'
  | 'login.success'
  | 'logout'
  | 'import'
  | 'service.suspend'
  | 'service.resume'
  | 'service.contact'
  | 'staff.invite'
  | 'staff.invitation.revoke'
  | 'staff.create'
  | 'staff.disable'
  | 'issuances.view'
  | 'issuances.export_csv'
  | 'statistics.view';

/**
 * Detail of an audit entry: counts, dates, codes and staff ids only. Never a resident's name,
 * My Number, 個別宛名番号 or any other personal data value.
 */
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  municipalityCode: string;
  staffId: string | null;
  action: AuditAction;
  detail?: AuditDetail;
  at: Date;
}

/** Appends one entry; `tx` must be scoped to `entry.municipalityCode` (withMunicipality). */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  await tx.query('INSERT INTO staff_audit (municipality_code, staff_id, action, detail, at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz)', [
    entry.municipalityCode,
    entry.staffId,
    entry.action,
    JSON.stringify(entry.detail ?? {}),
    entry.at.toISOString(),
  ]);
}
