/**
 * Names of nationalities (国籍・地域) as the overseas certificate prints them, Japanese / English,
 * from the ISO 3166-1 alpha-3 code VRS holds (its passport CSV takes any three letters). The English
 * names are in capitals as passports print them (a Japanese passport says JAPAN); the Japanese ones
 * are the Ministry of Foreign Affairs' short names. The table covers Japan and the nationalities
 * most common among residents of Japan (Immigration Services Agency statistics) and a few more;
 * another code is printed as the code itself.
 */
const NAMES: Readonly<Record<string, readonly [string, string]>> = {
  JPN: ['日本', 'JAPAN'],
  CHN: ['中国', 'CHINA'],
  KOR: ['韓国', 'REPUBLIC OF KOREA'],
  PRK: ['北朝鮮', "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"],
  TWN: ['台湾', 'TAIWAN'],
  HKG: ['香港', 'HONG KONG'],
  VNM: ['ベトナム', 'VIET NAM'],
  PHL: ['フィリピン', 'PHILIPPINES'],
  BRA: ['ブラジル', 'BRAZIL'],
  NPL: ['ネパール', 'NEPAL'],
  IDN: ['インドネシア', 'INDONESIA'],
  MMR: ['ミャンマー', 'MYANMAR'],
  THA: ['タイ', 'THAILAND'],
  USA: ['米国', 'UNITED STATES OF AMERICA'],
  IND: ['インド', 'INDIA'],
  LKA: ['スリランカ', 'SRI LANKA'],
  BGD: ['バングラデシュ', 'BANGLADESH'],
  PAK: ['パキスタン', 'PAKISTAN'],
  MNG: ['モンゴル', 'MONGOLIA'],
  KHM: ['カンボジア', 'CAMBODIA'],
  MYS: ['マレーシア', 'MALAYSIA'],
  SGP: ['シンガポール', 'SINGAPORE'],
  PER: ['ペルー', 'PERU'],
  GBR: ['英国', 'UNITED KINGDOM'],
  FRA: ['フランス', 'FRANCE'],
  DEU: ['ドイツ', 'GERMANY'],
  ITA: ['イタリア', 'ITALY'],
  ESP: ['スペイン', 'SPAIN'],
  RUS: ['ロシア', 'RUSSIAN FEDERATION'],
  CAN: ['カナダ', 'CANADA'],
  AUS: ['オーストラリア', 'AUSTRALIA'],
  NZL: ['ニュージーランド', 'NEW ZEALAND'],
};

/** `日本 / JAPAN` for `JPN`; an unknown code as itself. */
export function nationalityName(code: string): string {
  const n = NAMES[code];
  return n ? `${n[0]} / ${n[1]}` : code;
}
