import { CVX_NAMES } from '../vaccines.js';
import type { VerificationReport } from './verify-input.js';

/** A readable summary of a verification report, for the CLI. */
export function formatReport(r: VerificationReport): string {
  const out: string[] = [];
  if (r.source === 'pdf') out.push(`PDF: ${r.pages ?? 0} page(s), certificate ID ${r.certificateId ?? '(none)'}`);
  for (const s of r.shc) {
    const name = `${s.patient.family} ${s.patient.given.join(' ')}`.trim();
    out.push('SMART Health Card: signature valid', `  issuer     ${s.issuer}`, `  kid        ${s.kid}`);
    if (s.nbf !== undefined) out.push(`  issued     ${new Date(s.nbf * 1000).toISOString()}`);
    out.push(`  name       ${name}${s.otherNames.map((n) => ` / ${n.family} ${n.given.join(' ')}`).join('')}`, `  birth date ${s.patient.birthDate}`);
    s.immunizations.forEach((im, i) =>
      out.push(`  dose ${i + 1}     ${im.date}  ${CVX_NAMES[im.cvx] ?? `CVX ${im.cvx}`}  lot ${im.lot ?? '-'}  by ${im.performer ?? '-'}`),
    );
  }
  for (const v of r.vds) {
    const m = v.data.msg;
    out.push('ICAO VDS-NC: signature valid, signer chains to the CSCA', `  signer     ${v.signer.subject}`, `  uvci       ${m.uvci}`);
    out.push(`  name       ${m.pid.n}`, `  birth date ${m.pid.dob ?? '-'}`, `  passport   ${m.pid.i ?? '-'}`);
    for (const ve of m.ve) for (const vd of ve.vd) out.push(`  dose ${vd.seq}     ${vd.dvc}  ${ve.nam} (${ve.des})  lot ${vd.lot}  ${vd.ctr} ${vd.adm ?? ''}`);
  }
  if (r.shc.length > 0 && r.vds.length > 0) out.push(r.problems.some((p) => p.includes('differ')) ? 'SHC and VDS-NC: DISAGREE' : 'SHC and VDS-NC: agree');
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const p of r.problems) out.push(`FAILED: ${p}`);
  for (const why of r.revoked) out.push(`REVOKED: ${why}`);
  out.push(r.ok ? 'RESULT: VALID' : r.revoked.length > 0 && r.problems.length === 0 ? 'RESULT: REVOKED' : 'RESULT: NOT VALID');
  return out.join('\n');
}
