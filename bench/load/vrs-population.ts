import { systemClock } from '../../services/common/clock.js';
import { createLogger } from '../../services/common/logger.js';
import { pkiPaths } from '../../services/common/pki-paths.js';
import { demoMunicipalities } from '../../certs/demo-cast.js';
import type { Database } from '../../services/vrs/db/database.js';
import { migrate } from '../../services/vrs/db/migrate.js';
import { readKeyFile, type VrsDeps } from '../../services/vrs/deps.js';
import { importCsv } from '../../services/vrs/imports/import-csv.js';
import { ensureMunicipality } from '../../services/vrs/seed/municipalities.js';
import { syntheticCsv, type SyntheticResident } from '../../services/vrs/seed/synthetic.js';

/**
 * Seeds the synthetic population into a VRS database the way a municipality would: migrations,
 * the municipalities (with their data keys), then the three CSV imports per municipality (all or
 * nothing). Uses the VRS master and lookup keys of certs/out, which the VRS process reads too.
 */
export async function seedPopulation(db: Database, people: SyntheticResident[]): Promise<void> {
  const pki = pkiPaths();
  const deps: VrsDeps = {
    db,
    clock: systemClock,
    mailDir: '.data/mailbox-load',
    keys: { master: await readKeyFile(pki.vrsMasterKey, 'VRS_MASTER_KEY_FILE'), lookup: await readKeyFile(pki.vrsLookupKey, 'VRS_LOOKUP_KEY_FILE') },
    log: createLogger({ service: 'load-seed', level: 'silent' }),
  };
  await migrate(db);
  const codes = [...new Set(people.map((p) => p.municipality))];
  for (const code of codes) {
    const known = demoMunicipalities.find((m) => m.code === code);
    await ensureMunicipality(db, deps.keys.master, { code, name: known?.name ?? `自治体${code}`, participates: true });
    const csv = syntheticCsv(people.filter((p) => p.municipality === code));
    for (const kind of ['residents', 'vaccinations', 'passports'] as const) {
      const report = await importCsv(deps, code, kind, Buffer.from(csv[kind]));
      if (!report.ok) throw new Error(`seeding ${code} ${kind}: refused (first issue: row ${report.errors[0]?.row} ${report.errors[0]?.code})`);
    }
  }
}

/** What the kiosks saw printed: certificate ID → who and where. */
export interface PrintedCertificate {
  certificateId: string;
  municipality: string;
  atenaNumber: string;
  kioskId: string;
}

/** Findings of the VRS audit after a run; every list empty means the books agree. */
export interface VrsAudit {
  issuedRows: number;
  noticeRows: number;
  /** Printed at a kiosk but no completion notice at VRS (lost). */
  lost: string[];
  /** Recorded as issued at VRS but never printed by any kiosk of the run (phantom or doubled). */
  phantom: string[];
  /** Printed, but VRS reserved the ID for another person or the notice names another kiosk. */
  misbound: string[];
}

/**
 * Compares VRS's books with what the kiosks printed: every printed certificate has exactly one
 * completion notice (the table's key makes more than one impossible; a missing one is a lost
 * notice), was reserved for the holder whose card opened the session, and names the kiosk that
 * printed it; nothing else is recorded as issued. Queried as the schema owner (no RLS), as the
 * state's statistics would be.
 */
export async function auditIssuances(db: Database, printed: PrintedCertificate[]): Promise<VrsAudit> {
  const { rows: issued } = await db.query<{ certificate_id: string; atena_number: string; kiosk_id: string | null; municipality_code: string }>(
    "SELECT certificate_id, atena_number, kiosk_id, municipality_code FROM certificate_issuances WHERE status = 'issued'",
  );
  const { rows: notices } = await db.query<{ certificate_id: string }>('SELECT certificate_id FROM completion_notices');
  const issuedById = new Map(issued.map((r) => [r.certificate_id, r]));
  const noticeIds = new Set(notices.map((r) => r.certificate_id));
  const printedIds = new Set(printed.map((p) => p.certificateId));
  const audit: VrsAudit = { issuedRows: issued.length, noticeRows: notices.length, lost: [], phantom: [], misbound: [] };
  for (const p of printed) {
    const row = issuedById.get(p.certificateId);
    if (!row || !noticeIds.has(p.certificateId)) audit.lost.push(p.certificateId);
    else if (row.atena_number !== p.atenaNumber || row.municipality_code !== p.municipality || row.kiosk_id !== p.kioskId) audit.misbound.push(p.certificateId);
  }
  for (const r of issued) if (!printedIds.has(r.certificate_id)) audit.phantom.push(r.certificate_id);
  return audit;
}
