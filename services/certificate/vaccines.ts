import type { Dose } from '../common/lgwan-contract.js';

/** What the codes and the printed page say about one dose's vaccine. */
export interface VaccineInfo {
  /** CVX code for the SMART Health Card Immunization. */
  cvx: string;
  /** ICD-11 extension code of the vaccine type, VDS-NC `des`. */
  icd11: string;
  /** VDS-NC `nam`: the brand in capitals, as Japan wrote it (`COMIRNATY`; ≤ 20 characters). */
  nam: string;
  /** English name printed beside the Japanese one on the overseas certificate (absent when unknown). */
  nameEn?: string;
  /** The catalogue entry's id; absent for a product the catalogue does not know (issued under CVX 213). */
  entry?: string;
}

/** ICD-11 code of COVID-19 (RA01.0), VDS-NC `dis`. */
export const COVID19_ICD11 = 'RA01.0';
/** CVX "SARS-COV-2 (COVID-19) vaccine, UNSPECIFIED": a product no entry fits. */
export const CVX_UNSPECIFIED = '213';

// ICD-11 vaccine-type codes (WHO's COVID-19 vaccine value set; SMART immunizations IMMZ.Z.DE26).
const RNA = 'XM0GQ8';
const PROTEIN_SUBUNIT = 'XM5JC5';
const VIRAL_VECTOR = 'XM9QW8';
/** "COVID-19 vaccines": the parent of the type codes, for a product of unknown type. */
const ANY_COVID_VACCINE = 'XM68M6';

type Brand = 'COMIRNATY' | 'SPIKEVAX' | 'NUVAXOVID' | 'VAXZEVRIA' | 'DAICHIRONA';
type Age = '12+' | '5-11' | '6m-4';
type Variant = 'original' | 'BA.1' | 'BA.4-5' | 'XBB.1.5';

/** One product and formulation of Japan's programme (2021–2024), as VRS holds it. */
export interface CatalogueEntry {
  id: string;
  /** The product name as VRS holds it (製品名), e.g. 「コミナティ筋注5～11歳用」. */
  product: string;
  maker: string;
  brand: Brand;
  age: Age | 'any';
  variant: Variant | 'any';
  cvx: string;
  /** VRS 接種量 (ml) the entry is limited to, where the CVX code depends on the dose amount. */
  amount?: string;
  icd11: string;
  nameEn: string;
  /** Where the CVX code comes from (README table). */
  source: string;
}

const CDC = 'CDC CVX list';
const entry = (e: CatalogueEntry): CatalogueEntry => e;

/**
 * Every product and formulation Japan used, 2021–2024. Codes and sources: services/certificate/README.md
 * ("Vaccine catalogue"). Japan's own practice first (Moderna as CVX 207 in its real SMART Health
 * Card; adult Pfizer as CVX 208 by this project's choice), CVX's product codes next, CVX 213 only
 * where none fits.
 */
export const VACCINE_CATALOGUE: readonly CatalogueEntry[] = [
  entry({
    id: 'comirnaty',
    product: 'コミナティ筋注',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '12+',
    variant: 'original',
    cvx: '208',
    icd11: RNA,
    nameEn: 'Comirnaty (Pfizer)',
    source: `${CDC} 208 (30 mcg/0.3 mL); project choice, as Japan's adult Pfizer dose`,
  }),
  entry({
    id: 'comirnaty-5-11',
    product: 'コミナティ筋注5～11歳用',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '5-11',
    variant: 'original',
    cvx: '218',
    icd11: RNA,
    nameEn: 'Comirnaty, 5-11 years (Pfizer)',
    source: `${CDC} 218 (10 mcg/0.2 mL, tris-sucrose)`,
  }),
  entry({
    id: 'comirnaty-6m-4',
    product: 'コミナティ筋注6ヵ月～4歳用',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '6m-4',
    variant: 'original',
    cvx: '219',
    icd11: RNA,
    nameEn: 'Comirnaty, 6 months-4 years (Pfizer)',
    source: `${CDC} 219 (3 mcg/0.2 mL, tris-sucrose)`,
  }),
  entry({
    id: 'comirnaty-ba1',
    product: 'コミナティRTU筋注（2価：起源株/オミクロン株BA.1）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '12+',
    variant: 'BA.1',
    cvx: '520',
    icd11: RNA,
    nameEn: 'Comirnaty Original/Omicron BA.1 (Pfizer)',
    source: `${CDC} 520 (bivalent original/Omicron BA.1, non-US, Pfizer-BioNTech)`,
  }),
  entry({
    id: 'comirnaty-ba45',
    product: 'コミナティRTU筋注（2価：起源株/オミクロン株BA.4-5）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '12+',
    variant: 'BA.4-5',
    cvx: '300',
    icd11: RNA,
    nameEn: 'Comirnaty Original/Omicron BA.4-5 (Pfizer)',
    source: `${CDC} 300 (bivalent, 30 mcg/0.3 mL)`,
  }),
  entry({
    id: 'comirnaty-5-11-ba45',
    product: 'コミナティ筋注5～11歳用（2価：起源株/オミクロン株BA.4-5）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '5-11',
    variant: 'BA.4-5',
    cvx: '301',
    icd11: RNA,
    nameEn: 'Comirnaty Original/Omicron BA.4-5, 5-11 years (Pfizer)',
    source: `${CDC} 301 (bivalent, 10 mcg/0.2 mL)`,
  }),
  entry({
    id: 'comirnaty-xbb',
    product: 'コミナティRTU筋注（1価：オミクロン株XBB.1.5）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '12+',
    variant: 'XBB.1.5',
    cvx: '309',
    icd11: RNA,
    nameEn: 'Comirnaty Omicron XBB.1.5 (Pfizer)',
    source: `${CDC} 309 (2023–2024 formula, 30 mcg/0.3 mL)`,
  }),
  entry({
    id: 'comirnaty-5-11-xbb',
    product: 'コミナティ筋注5～11歳用（1価：オミクロン株XBB.1.5）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '5-11',
    variant: 'XBB.1.5',
    cvx: '310',
    icd11: RNA,
    nameEn: 'Comirnaty Omicron XBB.1.5, 5-11 years (Pfizer)',
    source: `${CDC} 310 (2023–2024 formula, 10 mcg/0.3 mL)`,
  }),
  entry({
    id: 'comirnaty-6m-4-xbb',
    product: 'コミナティ筋注6ヵ月～4歳用（1価：オミクロン株XBB.1.5）',
    maker: 'ファイザー',
    brand: 'COMIRNATY',
    age: '6m-4',
    variant: 'XBB.1.5',
    cvx: '308',
    icd11: RNA,
    nameEn: 'Comirnaty Omicron XBB.1.5, 6 months-4 years (Pfizer)',
    source: `${CDC} 308 (2023–2024 formula, 3 mcg/0.3 mL)`,
  }),
  entry({
    id: 'spikevax',
    product: 'スパイクバックス筋注',
    maker: 'モデルナ',
    brand: 'SPIKEVAX',
    age: 'any',
    variant: 'original',
    cvx: '207',
    icd11: RNA,
    nameEn: 'Spikevax (Moderna)',
    source: `Japan's real SHC (tests/fixtures/conformance); ${CDC} 207 (100 mcg/0.5 mL or 50 mcg/0.25 mL)`,
  }),
  entry({
    id: 'spikevax-ba1',
    product: 'スパイクバックス筋注（2価：起源株/オミクロン株BA.1）',
    maker: 'モデルナ',
    brand: 'SPIKEVAX',
    age: 'any',
    variant: 'BA.1',
    cvx: '519',
    icd11: RNA,
    nameEn: 'Spikevax Bivalent Original/Omicron BA.1 (Moderna)',
    source: `${CDC} 519 (bivalent original/Omicron BA.1, non-US, Spikevax Bivalent)`,
  }),
  entry({
    id: 'spikevax-ba45',
    product: 'スパイクバックス筋注（2価：起源株/オミクロン株BA.4-5）',
    maker: 'モデルナ',
    brand: 'SPIKEVAX',
    age: 'any',
    variant: 'BA.4-5',
    cvx: '229',
    icd11: RNA,
    nameEn: 'Spikevax Bivalent Original/Omicron BA.4-5 (Moderna)',
    source: `${CDC} 229 (bivalent, 50 mcg/0.5 mL or 25 mcg/0.25 mL)`,
  }),
  entry({
    id: 'spikevax-xbb-0.25',
    product: 'スパイクバックス筋注（1価：オミクロン株XBB.1.5）',
    amount: '0.25',
    maker: 'モデルナ',
    brand: 'SPIKEVAX',
    age: 'any',
    variant: 'XBB.1.5',
    cvx: '311',
    icd11: RNA,
    nameEn: 'Spikevax Omicron XBB.1.5 (Moderna)',
    source: `${CDC} 311 (2023–2024 formula, 25 mcg/0.25 mL), a 0.25 mL dose`,
  }),
  entry({
    id: 'spikevax-xbb',
    product: 'スパイクバックス筋注（1価：オミクロン株XBB.1.5）',
    maker: 'モデルナ',
    brand: 'SPIKEVAX',
    age: 'any',
    variant: 'XBB.1.5',
    cvx: '312',
    icd11: RNA,
    nameEn: 'Spikevax Omicron XBB.1.5 (Moderna)',
    source: `${CDC} 312 (2023–2024 formula, 50 mcg/0.5 mL), any other amount`,
  }),
  entry({
    id: 'nuvaxovid',
    product: 'ヌバキソビッド筋注',
    maker: '武田薬品',
    brand: 'NUVAXOVID',
    age: 'any',
    variant: 'original',
    cvx: '211',
    icd11: PROTEIN_SUBUNIT,
    nameEn: 'Nuvaxovid (Novavax/Takeda)',
    source: `${CDC} 211 (subunit, rS-nanoparticle+Matrix-M1, 0.5 mL)`,
  }),
  entry({
    id: 'vaxzevria',
    product: 'バキスゼブリア筋注',
    maker: 'アストラゼネカ',
    brand: 'VAXZEVRIA',
    age: 'any',
    variant: 'original',
    cvx: '210',
    icd11: VIRAL_VECTOR,
    nameEn: 'Vaxzevria (AstraZeneca)',
    source: `${CDC} 210 (vector-nr, rS-ChAdOx1, 0.5 mL)`,
  }),
  entry({
    id: 'daichirona',
    product: 'ダイチロナ筋注',
    maker: '第一三共',
    brand: 'DAICHIRONA',
    age: 'any',
    variant: 'any',
    cvx: CVX_UNSPECIFIED,
    icd11: RNA,
    nameEn: 'Daichirona (Daiichi Sankyo)',
    source: 'no CVX product code (not a US product, no non-US code): CVX 213',
  }),
];

const BRANDS: ReadonlyArray<{ brand: Brand; product: RegExp; maker: RegExp }> = [
  { brand: 'COMIRNATY', product: /コミナティ|COMIRNATY|ファイザー|PFIZER/, maker: /ファイザー|PFIZER/ },
  { brand: 'SPIKEVAX', product: /スパイクバックス|SPIKEVAX|モデルナ|MODERNA/, maker: /モデルナ|MODERNA/ },
  { brand: 'NUVAXOVID', product: /ヌバキソビッド|NUVAXOVID|ノババックス|NOVAVAX/, maker: /ノババックス|NOVAVAX|武田|TAKEDA/ },
  { brand: 'VAXZEVRIA', product: /バキスゼブリア|VAXZEVRIA|アストラゼネカ|ASTRAZENECA/, maker: /アストラゼネカ|ASTRAZENECA/ },
  { brand: 'DAICHIRONA', product: /ダイチロナ|DAICHIRONA/, maker: /第一三共|DAIICHI/ },
];
const BRAND_TYPE: Readonly<Record<Brand, string>> = { COMIRNATY: RNA, SPIKEVAX: RNA, NUVAXOVID: PROTEIN_SUBUNIT, VAXZEVRIA: VIRAL_VECTOR, DAICHIRONA: RNA };

/** Full width to ASCII, every tilde and dash alike, no spaces, capitals: the text the rules below read. */
function normalized(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[-〜～~‐‑–—－]/g, '~')
    .replace(/\s+/g, '')
    .toUpperCase();
}

function ageOf(p: string): Age {
  if (/5~11歳/.test(p)) return '5-11';
  if (/6[ヵかカケヶ]?月~4歳/.test(p)) return '6m-4';
  return '12+';
}

/** The variant a product text names; undefined when it says bivalent (2価) without saying which. */
function variantOf(p: string): Variant | undefined {
  if (/XBB/.test(p)) return 'XBB.1.5';
  if (/BA\.?4[~/・.]?5/.test(p)) return 'BA.4-5';
  if (/BA\.?1(?![\d.])/.test(p)) return 'BA.1';
  if (/2価|BIVALENT/.test(p)) return undefined;
  return 'original';
}

function brandOf(text: string, field: 'product' | 'maker'): Brand | undefined {
  return BRANDS.find((b) => b[field].test(text))?.brand;
}

/** The catalogue entry of a dose's product, or undefined when none matches. */
export function catalogueEntryOf(dose: Pick<Dose, 'product'> & { amount?: string }): CatalogueEntry | undefined {
  const p = normalized(dose.product);
  const brand = brandOf(p, 'product');
  if (!brand) return undefined;
  const age = ageOf(p);
  const variant = variantOf(p);
  if (!variant) return undefined;
  const fits = VACCINE_CATALOGUE.filter((e) => e.brand === brand && (e.age === 'any' || e.age === age) && (e.variant === 'any' || e.variant === variant));
  return fits.find((e) => e.amount !== undefined && e.amount === dose.amount?.trim()) ?? fits.find((e) => e.amount === undefined);
}

const TYPE_OF_TEXT: ReadonlyArray<[RegExp, string]> = [
  [/MRNA|RNA|メッセンジャー/, RNA],
  [/組換え|タンパク|蛋白|PROTEIN|SUBUNIT/, PROTEIN_SUBUNIT],
  [/ベクター|VECTOR/, VIRAL_VECTOR],
];

/**
 * What to encode for a dose. A product the catalogue does not know is still issued: CVX 213, the
 * ICD-11 type and `nam` of the maker's brand when the maker is known (else of the VRS vaccine type,
 * else "COVID-19 vaccines" and `COVID-19 VACCINE`). Callers log such doses as `unknown_product`.
 */
export function vaccineOf(dose: Pick<Dose, 'maker' | 'product'> & { vaccineType?: string; amount?: string }): VaccineInfo {
  const e = catalogueEntryOf(dose);
  if (e) return { cvx: e.cvx, icd11: e.icd11, nam: e.brand, nameEn: e.nameEn, entry: e.id };
  const brand = brandOf(normalized(dose.product), 'product') ?? brandOf(normalized(dose.maker), 'maker');
  const type = normalized(dose.vaccineType ?? '');
  const icd11 = brand ? BRAND_TYPE[brand] : (TYPE_OF_TEXT.find(([re]) => re.test(type))?.[1] ?? ANY_COVID_VACCINE);
  return { cvx: CVX_UNSPECIFIED, icd11, nam: brand ?? 'COVID-19 VACCINE' };
}

/** The doses of a record whose product the catalogue does not know (for the `unknown_product` log). */
export function unknownProducts(doses: ReadonlyArray<Pick<Dose, 'maker' | 'product'> & { amount?: string }>): Array<{ maker: string; product: string }> {
  return doses.filter((d) => !catalogueEntryOf(d)).map((d) => ({ maker: d.maker, product: d.product }));
}

/** CVX codes we issue, back to the product, for the verifier's summary. */
export const CVX_NAMES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(VACCINE_CATALOGUE.filter((e) => e.cvx !== CVX_UNSPECIFIED).map((e) => [e.cvx, e.nameEn])),
  [CVX_UNSPECIFIED]: 'SARS-COV-2 (COVID-19) vaccine, unspecified',
};

/** CVX codes a VDS-NC `nam` may stand for (cross-check of SHC and VDS-NC); 213 fits every brand. */
export function cvxCodesOfBrand(nam: string): ReadonlySet<string> | undefined {
  const n = nam.toUpperCase();
  const codes = VACCINE_CATALOGUE.filter((e) => e.brand === n).map((e) => e.cvx);
  return codes.length ? new Set([...codes, CVX_UNSPECIFIED]) : undefined;
}
