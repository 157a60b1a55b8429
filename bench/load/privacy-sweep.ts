import type { SyntheticResident } from '../../services/vrs/seed/synthetic.js';

/** A personal value found in a log line (the value itself is not repeated: only what kind it was). */
export interface PrivacyFinding {
  service: string;
  line: number;
  what: 'my-number' | 'name' | 'birth-date' | 'passport-number';
}

/**
 * Looks for every seeded My Number, name (kanji with U+3000, with a space or run together, and
 * the romanized passport name), birth date (YYYY-MM-DD and YYYYMMDD) and passport number in every
 * log line of every service. Candidate tokens are pulled out of each line with patterns and looked
 * up in sets, so the sweep stays linear in the size of the logs.
 */
export function sweepLogs(logs: Array<{ service: string; lines: string[] }>, people: SyntheticResident[]): PrivacyFinding[] {
  const myNumbers = new Set(people.map((p) => p.myNumber));
  const dates = new Set(people.flatMap((p) => [p.birthDate, p.birthDate.replaceAll('-', '')]));
  const passports = new Set(people.flatMap((p) => (p.passport ? [p.passport.passportNumber] : [])));
  const names = new Set(
    people.flatMap((p) => [
      `${p.familyName}\u3000${p.givenName}`,
      `${p.familyName} ${p.givenName}`,
      `${p.familyName}${p.givenName}`,
      ...(p.passport ? [p.passport.nameRoman] : []),
    ]),
  );
  const kanjiNames = [...names].filter((n) => /[^\x20-\x7e]/.test(n));
  const romanNames = [...names].filter((n) => !/[^\x20-\x7e]/.test(n));
  const findings: PrivacyFinding[] = [];
  for (const { service, lines } of logs) {
    lines.forEach((line, i) => {
      const hit = (what: PrivacyFinding['what']) => findings.push({ service, line: i + 1, what });
      for (const m of line.matchAll(/(?<!\d)\d{12}(?!\d)/g)) if (myNumbers.has(m[0])) hit('my-number');
      for (const m of line.matchAll(/(?<!\d)(\d{4}-\d{2}-\d{2}|\d{8})(?![\d])/g)) if (dates.has(m[1]!)) hit('birth-date');
      for (const m of line.matchAll(/[A-Z]{1,2}\d{7,8}/g)) if (passports.has(m[0])) hit('passport-number');
      if (/[^\x00-\x7f]/.test(line)) for (const n of kanjiNames) if (line.includes(n)) hit('name');
      if (/[A-Z]{2,} [A-Z]{2,}/.test(line)) for (const n of romanNames) if (line.includes(n)) hit('name');
    });
  }
  return findings;
}
