import type { Dose } from '../common/lgwan-contract.js';
import { CertificateDataError } from './errors.js';

/** What the codes say about one vaccine product. */
export interface VaccineInfo {
  /** CVX code for the SMART Health Card Immunization. */
  cvx: string;
  /** ICD-11 extension code of the vaccine type, VDS-NC `des`. */
  icd11: string;
  /** Brand name for VDS-NC `nam` (≤ 20 characters). */
  brand: string;
  /** Maker as printed in English. */
  makerEn: string;
}

/** ICD-11 code of COVID-19 (RA01.0), VDS-NC `dis`. */
export const COVID19_ICD11 = 'RA01.0';

// Matched on maker or product text as VRS holds it (katakana, sometimes with 筋注 etc.).
// ICD-11 vaccine-type codes as in WHO's COVID-19 vaccine value set (SMART immunizations IMMZ.Z.DE26):
// XM0GQ8 RNA based, XM5JC5 virus protein subunit, XM9QW8 non-replicating viral vector.
const CATALOGUE: ReadonlyArray<{ match: RegExp; info: VaccineInfo }> = [
  // Japan issued CVX 208 for all Pfizer doses (adult formulation).
  { match: /ファイザー|コミナティ|pfizer|comirnaty/i, info: { cvx: '208', icd11: 'XM0GQ8', brand: 'Comirnaty', makerEn: 'Pfizer' } },
  { match: /モデルナ|スパイクバックス|moderna|spikevax/i, info: { cvx: '207', icd11: 'XM0GQ8', brand: 'Spikevax', makerEn: 'Moderna' } },
  { match: /武田|ノババックス|ヌバキソビッド|novavax|nuvaxovid|takeda/i, info: { cvx: '211', icd11: 'XM5JC5', brand: 'Nuvaxovid', makerEn: 'Novavax/Takeda' } },
  { match: /アストラゼネカ|バキスゼブリア|astrazeneca|vaxzevria/i, info: { cvx: '210', icd11: 'XM9QW8', brand: 'Vaxzevria', makerEn: 'AstraZeneca' } },
];

/** CVX codes we issue, back to the product, for the verifier's summary. */
export const CVX_NAMES: Readonly<Record<string, string>> = {
  '207': 'Moderna (Spikevax)',
  '208': 'Pfizer-BioNTech (Comirnaty)',
  '210': 'AstraZeneca (Vaxzevria)',
  '211': 'Novavax (Nuvaxovid)',
  '213': 'SARS-COV-2 (COVID-19) vaccine, unspecified',
};

/** Looks up a dose's vaccine; an unknown product is refused with a coded error. */
export function vaccineOf(dose: Pick<Dose, 'maker' | 'product'>, index: number): VaccineInfo {
  const found = CATALOGUE.find((c) => c.match.test(dose.product) || c.match.test(dose.maker));
  if (!found) throw new CertificateDataError(`doses[${index}].product`, `Unknown vaccine product in doses[${index}]`);
  return found.info;
}
