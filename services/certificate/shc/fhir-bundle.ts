import type { CertificateRecord } from '../../common/lgwan-contract.js';
import { vaccineOf } from '../vaccines.js';

/** Performer shown on every Immunization, as Japan issued. */
export const JAPAN_PERFORMER = 'MHLW_Gov_of_JAPAN';
/** FHIR system of CVX vaccine codes. */
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';

interface HumanName {
  family: string;
  given: string[];
}

/** Splits "FAMILY GIVEN" (passport order) into FHIR HumanName parts. */
export function romanName(nameRoman: string): HumanName {
  const parts = nameRoman.trim().split(/\s+/);
  const [family = '', ...given] = parts;
  return { family, given: given.length > 0 ? [given.join(' ')] : [] };
}

/**
 * The FHIR R4 `collection` Bundle of a SMART Health Card: one Patient, one Immunization per dose,
 * `resource:N` references, and nothing the SHC profile forbids (`id`, `meta`, `text`,
 * `Coding.display`). Overseas cards carry the romanized name first, then the kanji name.
 */
export function buildFhirBundle(record: CertificateRecord): Record<string, unknown> {
  const names: HumanName[] = [];
  if (record.kind === 'overseas' && record.person.passport) names.push(romanName(record.person.passport.nameRoman));
  names.push({ family: record.person.familyName, given: [record.person.givenName] });
  const patient = { resourceType: 'Patient', name: names, birthDate: record.person.birthDate };
  const immunizations = record.doses.map((dose, i) => ({
    fullUrl: `resource:${i + 1}`,
    resource: {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { coding: [{ system: CVX_SYSTEM, code: vaccineOf(dose).cvx }] },
      patient: { reference: 'resource:0' },
      occurrenceDateTime: dose.date,
      performer: [{ actor: { display: JAPAN_PERFORMER } }],
      lotNumber: dose.lot,
    },
  }));
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ fullUrl: 'resource:0', resource: patient }, ...immunizations],
  };
}
