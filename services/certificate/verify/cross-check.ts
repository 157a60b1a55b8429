import { CVX_NAMES, cvxCodesOfBrand } from '../vaccines.js';
import type { ShcVerification } from './verify-shc.js';
import type { VdsVerification } from './verify-vds.js';

const norm = (s: string): string =>
  s
    .toUpperCase()
    .replace(/[\s<,]+/g, ' ')
    .trim();

/**
 * Compares what the SHC and the VDS-NC of one certificate say: name (romanized), birth date and
 * each dose (date, lot, vaccine). Returns the disagreements; empty when they agree.
 */
export function crossCheck(shc: ShcVerification, vds: VdsVerification): string[] {
  const problems: string[] = [];
  const msg = vds.data.msg;
  const names = [shc.patient, ...shc.otherNames].map((n) => norm(`${n.family} ${n.given.join(' ')}`));
  if (!names.includes(norm(msg.pid.n))) problems.push('name differs between SHC and VDS-NC');
  if (msg.pid.dob !== undefined && msg.pid.dob !== shc.patient.birthDate) problems.push('birth date differs between SHC and VDS-NC');
  const vdsDoses = msg.ve
    .flatMap((ve) => (ve.vd ?? []).map((vd) => ({ ...vd, nam: String(ve.nam), cvx: cvxCodesOfBrand(String(ve.nam)) })))
    .sort((a, b) => a.dvc.localeCompare(b.dvc) || Number(a.seq) - Number(b.seq));
  const shcDoses = [...shc.immunizations].sort((a, b) => a.date.localeCompare(b.date));
  if (vdsDoses.length !== shcDoses.length) {
    problems.push(`dose count differs (SHC ${shcDoses.length}, VDS-NC ${vdsDoses.length})`);
    return problems;
  }
  shcDoses.forEach((s, i) => {
    const v = vdsDoses[i]!;
    if (s.date.slice(0, 10) !== v.dvc) problems.push(`dose ${i + 1}: date differs`);
    if ((s.lot ?? '') !== v.lot) problems.push(`dose ${i + 1}: lot differs`);
    if (v.cvx !== undefined && !v.cvx.has(s.cvx)) problems.push(`dose ${i + 1}: vaccine differs (${CVX_NAMES[s.cvx] ?? s.cvx} vs ${v.nam})`);
  });
  return problems;
}
