import { writeFile } from 'node:fs/promises';
import { withMyNumberCheckDigit } from '../../common/check-digits.js';
import type { DemoDose } from '../../../certs/demo-cast.js';
import { CSV_HEADERS, csvDate, toCsv } from '../imports/csv-writer.js';

/** A generated resident with the records one municipality holds for them. */
export interface SyntheticResident {
  municipality: string;
  atenaNumber: string;
  myNumber: string;
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: '1' | '2';
  ticketNumber: string;
  doses: DemoDose[];
  passport?: { nameRoman: string; nationality: string; passportNumber: string };
}

const FAMILY: Array<[string, string, string]> = [
  ['佐藤', 'サトウ', 'SATO'],
  ['鈴木', 'スズキ', 'SUZUKI'],
  ['高橋', 'タカハシ', 'TAKAHASHI'],
  ['田中', 'タナカ', 'TANAKA'],
  ['伊藤', 'イトウ', 'ITO'],
  ['渡辺', 'ワタナベ', 'WATANABE'],
  ['山本', 'ヤマモト', 'YAMAMOTO'],
  ['中村', 'ナカムラ', 'NAKAMURA'],
  ['小林', 'コバヤシ', 'KOBAYASHI'],
  ['加藤', 'カトウ', 'KATO'],
  ['吉田', 'ヨシダ', 'YOSHIDA'],
  ['山田', 'ヤマダ', 'YAMADA'],
];
const GIVEN: Array<[string, string, string, '1' | '2']> = [
  ['太郎', 'タロウ', 'TARO', '1'],
  ['健', 'ケン', 'KEN', '1'],
  ['翔', 'ショウ', 'SHO', '1'],
  ['大輔', 'ダイスケ', 'DAISUKE', '1'],
  ['花子', 'ハナコ', 'HANAKO', '2'],
  ['美咲', 'ミサキ', 'MISAKI', '2'],
  ['優子', 'ユウコ', 'YUKO', '2'],
  ['さくら', 'サクラ', 'SAKURA', '2'],
];
const VACCINES = [
  { vaccineType: 'mRNA', maker: 'ファイザー', product: 'コミナティ筋注', amount: '0.3' },
  { vaccineType: 'mRNA', maker: 'モデルナ', product: 'スパイクバックス筋注', amount: '0.25' },
];

/** splitmix32-style deterministic generator (not for secrets: synthetic data only). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * `count` synthetic residents of `municipality`, the same for the same (count, seed, municipality):
 * valid My Numbers (unique within the run, spread by an affine bijection so they are not
 * sequential), 個別宛名番号 starting with 8 (apart from the demo cast's), 2–5 doses, a passport on
 * file for about one in five. Load generators use this to make cards matching the records.
 */
export function syntheticResidents(count: number, seed: number, municipality: string): SyntheticResident[] {
  if (!/^\d{6}$/.test(municipality)) throw new TypeError('syntheticResidents needs a 6-digit 自治体コード');
  const r = rng(seed ^ Number(municipality));
  const modulus = 10n ** 11n;
  const a = 7_919_000_003n; // odd and not a multiple of 5: coprime to 10^11
  const b = BigInt(Math.floor(r() * 1e11));
  const out: SyntheticResident[] = [];
  for (let i = 0; i < count; i++) {
    const base = ((a * BigInt(i + seed * 1_000_003) + b) % modulus).toString().padStart(11, '0');
    const [fam, famKana, famRoman] = pick(r, FAMILY);
    const [given, givenKana, givenRoman, sex] = pick(r, GIVEN);
    const birthDate = addDays('1930-01-01', Math.floor(r() * 33_000));
    const nDoses = 2 + Math.floor(r() * 4);
    let date = addDays('2021-04-12', Math.floor(r() * 180));
    const doses: DemoDose[] = [];
    for (let d = 1; d <= nDoses; d++) {
      const v = pick(r, VACCINES);
      doses.push({
        dose: d,
        date,
        ...v,
        lot: `${v.maker === 'モデルナ' ? '300' : 'F'}${String(Math.floor(r() * 1e5)).padStart(5, '0')}`,
        venue: '集団接種会場',
        municipalityCode: municipality,
      });
      date = addDays(date, d === 1 ? 21 : 150 + Math.floor(r() * 90));
    }
    const atenaNumber = `8${String(i + 1).padStart(14, '0')}`;
    out.push({
      municipality,
      atenaNumber,
      myNumber: withMyNumberCheckDigit(base),
      familyName: fam,
      givenName: given,
      familyNameKana: famKana,
      givenNameKana: givenKana,
      birthDate,
      sex,
      ticketNumber: `${municipality}${String(i % 10_000).padStart(4, '0')}`,
      doses,
      ...(r() < 0.2
        ? { passport: { nameRoman: `${famRoman} ${givenRoman}`, nationality: 'JPN', passportNumber: `T${String(Math.floor(r() * 1e8)).padStart(8, '0')}` } }
        : {}),
    });
  }
  return out;
}

/** One row of the residents CSV (contract column order) for a synthetic resident. */
export const residentCsvRow = (p: SyntheticResident): Array<string | number> => [
  p.atenaNumber,
  p.myNumber,
  p.familyName,
  p.givenName,
  p.familyNameKana,
  p.givenNameKana,
  csvDate(p.birthDate),
  p.sex,
  p.ticketNumber,
  '',
];

/** The vaccinations CSV rows (one per dose) of a synthetic resident. */
export const vaccinationCsvRows = (p: SyntheticResident): Array<Array<string | number>> =>
  p.doses.map((d) => [p.atenaNumber, d.dose, csvDate(d.date), d.vaccineType, d.maker, d.product, d.lot, d.amount, d.venue, d.municipalityCode]);

/** The three CSV files (residents, vaccinations, passports) that register `people`. */
export function syntheticCsv(people: SyntheticResident[]): { residents: string; vaccinations: string; passports: string } {
  return {
    residents: toCsv(CSV_HEADERS.residents, people.map(residentCsvRow)),
    vaccinations: toCsv(CSV_HEADERS.vaccinations, people.flatMap(vaccinationCsvRows)),
    passports: toCsv(
      CSV_HEADERS.passports,
      people.filter((p) => p.passport).map((p) => [p.atenaNumber, p.passport!.nameRoman, p.passport!.nationality, p.passport!.passportNumber, '']),
    ),
  };
}

/** Writes the resident descriptions as JSON lines (for a load generator that makes cards). */
export async function writeSyntheticJsonl(path: string, people: SyntheticResident[]): Promise<void> {
  await writeFile(path, people.map((p) => JSON.stringify(p)).join('\n') + '\n');
}
