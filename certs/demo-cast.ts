/**
 * The demo cast: municipalities and residents shared by the card factory (`npm run certs` writes
 * one card per resident) and VRS demo seeding, so that cards and records always agree.
 * All people here are fictional; My Numbers carry valid check digits.
 */

export interface DemoMunicipality {
  /** 自治体コード (6 digits with check digit). */
  code: string;
  name: string;
  /** Takes part in the kiosk (コンビニ交付) service. */
  participates: boolean;
  /** 問合せ先 shown on the kiosk's refusal screens (fictional numbers with the right area codes). */
  contact: { office: string; phone: string };
}

/** An overseas certificate issued at the municipal counter (窓口) or in the app (アプリ). */
export interface DemoOverseasIssuance {
  channel: 'counter' | 'app';
  /** YYYY-MM-DD; only one on or after 2022-07-21 gives its passport data to kiosk issuance. */
  issuedOn: string;
  nameRoman: string;
  nationality: string;
  passportNumber: string;
  otherName?: string;
}

export interface DemoDose {
  dose: number;
  /** YYYY-MM-DD */
  date: string;
  vaccineType: string;
  maker: string;
  product: string;
  lot: string;
  amount: string;
  venue: string;
  /** 接種自治体コード */
  municipalityCode: string;
}

/** The records one municipality holds for a resident. */
export interface DemoRecord {
  municipality: string;
  /** 個別宛名番号 in that municipality (up to 15 digits). */
  atenaNumber: string;
  /** 転出/死亡フラグ: undefined (none), '1' moved out, '2' died, '3' other removal. */
  flag?: '1' | '2' | '3';
  /** 券番号 (接種券番号, 10 digits). */
  ticketNumber: string;
  doses: DemoDose[];
  /** Passport data on file (the holder's passport as the municipality knows it now). */
  passport?: { nameRoman: string; nationality: string; passportNumber: string; otherName?: string };
  /**
   * Overseas certificates issued at the counter or in the app (issue 18): a kiosk issues overseas
   * only from the latest one on or after 2022-07-21 whose passport number is the one on file.
   */
  overseasIssuances?: DemoOverseasIssuance[];
}

export interface DemoResident {
  /** Stable slug, also the card's label prefix. */
  slug: string;
  label: string;
  myNumber: string;
  familyName: string;
  givenName: string;
  familyNameKana: string;
  givenNameKana: string;
  /** As printed on the card; digits are converted to full width by the card factory. */
  address: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** JIS X 0303: 1 male, 2 female, 9 not applicable, 0 unknown. */
  sex: '0' | '1' | '2' | '9';
  card: {
    pin: string;
    /** Tries left on the card when written (0 = PIN blocked). */
    triesLeft: number;
    /** On the lost/stolen card suspension list. */
    suspended?: boolean;
  };
  records: DemoRecord[];
}

export const DEMO_PIN = '1234';

export const demoMunicipalities: DemoMunicipality[] = [
  { code: '131016', name: '千代田区', participates: true, contact: { office: '千代田区 保健所 健康推進課', phone: '03-5211-0001' } },
  { code: '162027', name: '高岡市', participates: true, contact: { office: '高岡市 健康増進課', phone: '0766-20-1234' } },
  { code: '122246', name: '鎌ケ谷市', participates: true, contact: { office: '鎌ケ谷市 健康増進課', phone: '047-445-0001' } },
  { code: '011002', name: '札幌市', participates: false, contact: { office: '札幌市 保健所 感染症総合対策課', phone: '011-622-0001' } },
];

const counter = (issuedOn: string, passport: Omit<DemoOverseasIssuance, 'channel' | 'issuedOn'>): DemoOverseasIssuance => ({
  channel: 'counter',
  issuedOn,
  ...passport,
});

const pfizer = (dose: number, date: string, lot: string, venue: string, municipalityCode: string): DemoDose => ({
  dose,
  date,
  vaccineType: 'mRNA',
  maker: 'ファイザー',
  product: 'コミナティ筋注',
  lot,
  amount: '0.3',
  venue,
  municipalityCode,
});
const moderna = (dose: number, date: string, lot: string, venue: string, municipalityCode: string): DemoDose => ({
  dose,
  date,
  vaccineType: 'mRNA',
  maker: 'モデルナ',
  product: 'スパイクバックス筋注',
  lot,
  amount: '0.25',
  venue,
  municipalityCode,
});

const dose = (dose: number, date: string, maker: string, product: string, lot: string, amount: string, venue: string, municipalityCode: string): DemoDose => ({
  dose,
  date,
  vaccineType: 'mRNA',
  maker,
  product,
  lot,
  amount,
  venue,
  municipalityCode,
});

export const demoResidents: DemoResident[] = [
  {
    slug: 'yamada-taro',
    label: '千代田区, domestic only (no passport on file)',
    myNumber: '314159265352',
    familyName: '山田',
    givenName: '太郎',
    familyNameKana: 'ヤマダ',
    givenNameKana: 'タロウ',
    address: '東京都千代田区霞が関1丁目2番3号',
    birthDate: '1980-04-01',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000001',
        ticketNumber: '1310160001',
        doses: [
          pfizer(1, '2021-06-01', 'FA5765', '千代田区役所', '131016'),
          pfizer(2, '2021-06-22', 'FC3661', '千代田区役所', '131016'),
          moderna(3, '2022-02-10', '3004734', '千代田区集団接種会場', '131016'),
        ],
      },
    ],
  },
  {
    slug: 'sato-hanako',
    label: 'Takaoka → Kamagaya, overseas on file',
    myNumber: '271828182840',
    familyName: '佐藤',
    givenName: '花子',
    familyNameKana: 'サトウ',
    givenNameKana: 'ハナコ',
    address: '千葉県鎌ケ谷市新鎌ケ谷2丁目6番1号',
    birthDate: '1975-11-23',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '162027',
        atenaNumber: '200000000000101',
        flag: '1',
        ticketNumber: '1620270101',
        doses: [pfizer(1, '2021-07-05', 'FF2782', '高岡市民会館', '162027'), pfizer(2, '2021-07-26', 'FF5357', '高岡市民会館', '162027')],
        passport: { nameRoman: 'SATO HANAKO', nationality: 'JPN', passportNumber: 'TK1234567' },
        overseasIssuances: [counter('2022-07-28', { nameRoman: 'SATO HANAKO', nationality: 'JPN', passportNumber: 'TK1234567' })],
      },
      {
        municipality: '122246',
        atenaNumber: '300000000000201',
        ticketNumber: '1222460201',
        doses: [
          pfizer(1, '2021-07-05', 'FF2782', '高岡市民会館', '162027'),
          pfizer(2, '2021-07-26', 'FF5357', '高岡市民会館', '162027'),
          moderna(3, '2022-03-14', '3005236', '鎌ケ谷市総合福祉保健センター', '122246'),
          pfizer(4, '2022-08-20', 'FP9647', '鎌ケ谷市総合福祉保健センター', '122246'),
        ],
        passport: { nameRoman: 'SATO HANAKO', nationality: 'JPN', passportNumber: 'TK1234567' },
        overseasIssuances: [counter('2022-09-12', { nameRoman: 'SATO HANAKO', nationality: 'JPN', passportNumber: 'TK1234567' })],
      },
    ],
  },
  {
    slug: 'suzuki-ichiro',
    label: '千代田区, overseas on file',
    myNumber: '161803398872',
    familyName: '鈴木',
    givenName: '一郎',
    familyNameKana: 'スズキ',
    givenNameKana: 'イチロウ',
    address: '東京都千代田区丸の内1丁目9番1号',
    birthDate: '1990-01-15',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000002',
        ticketNumber: '1310160002',
        doses: [moderna(1, '2021-08-02', '3003183', '千代田区集団接種会場', '131016'), moderna(2, '2021-08-30', '3003618', '千代田区集団接種会場', '131016')],
        passport: { nameRoman: 'SUZUKI ICHIRO', nationality: 'JPN', passportNumber: 'TZ7654321' },
        overseasIssuances: [counter('2022-08-01', { nameRoman: 'SUZUKI ICHIRO', nationality: 'JPN', passportNumber: 'TZ7654321' })],
      },
    ],
  },
  {
    slug: 'takahashi-misaki',
    label: '千代田区, flagged deceased (not issuable)',
    myNumber: '141421356230',
    familyName: '高橋',
    givenName: '美咲',
    familyNameKana: 'タカハシ',
    givenNameKana: 'ミサキ',
    address: '東京都千代田区神田神保町3丁目1番1号',
    birthDate: '1948-03-03',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000003',
        flag: '2',
        ticketNumber: '1310160003',
        doses: [pfizer(1, '2021-05-20', 'EY5422', '千代田区役所', '131016'), pfizer(2, '2021-06-10', 'FA2453', '千代田区役所', '131016')],
      },
    ],
  },
  {
    slug: 'tanaka-ken',
    label: '札幌市 only (not taking part)',
    myNumber: '173205080750',
    familyName: '田中',
    givenName: '健',
    familyNameKana: 'タナカ',
    givenNameKana: 'ケン',
    address: '北海道札幌市中央区北1条西2丁目1番地',
    birthDate: '1985-07-07',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '011002',
        atenaNumber: '400000000000001',
        ticketNumber: '0110020001',
        doses: [pfizer(1, '2021-07-01', 'FC5295', '札幌市役所', '011002'), pfizer(2, '2021-07-22', 'FD0348', '札幌市役所', '011002')],
      },
    ],
  },
  {
    slug: 'ito-sakura',
    label: '千代田区, PIN blocked',
    myNumber: '223606797744',
    familyName: '伊藤',
    givenName: 'さくら',
    familyNameKana: 'イトウ',
    givenNameKana: 'サクラ',
    address: '東京都千代田区九段南1丁目2番1号',
    birthDate: '2001-04-10',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 0 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000004',
        ticketNumber: '1310160004',
        doses: [pfizer(1, '2021-09-01', 'FG0978', '千代田区役所', '131016'), pfizer(2, '2021-09-22', 'FH3023', '千代田区役所', '131016')],
      },
    ],
  },
  {
    slug: 'watanabe-sho',
    label: '鎌ケ谷市, card reported lost (suspended)',
    myNumber: '264575131104',
    familyName: '渡辺',
    givenName: '翔',
    familyNameKana: 'ワタナベ',
    givenNameKana: 'ショウ',
    address: '千葉県鎌ケ谷市中央1丁目8番1号',
    birthDate: '1995-12-31',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3, suspended: true },
    records: [
      {
        municipality: '122246',
        atenaNumber: '300000000000202',
        ticketNumber: '1222460202',
        doses: [
          moderna(1, '2021-10-04', '3004217', '鎌ケ谷市総合福祉保健センター', '122246'),
          moderna(2, '2021-11-01', '3004667', '鎌ケ谷市総合福祉保健センター', '122246'),
        ],
      },
    ],
  },
  {
    slug: 'nakamura-yuko',
    label: '高岡市, five doses, overseas on file',
    myNumber: '300000000012',
    familyName: '中村',
    givenName: '優子',
    familyNameKana: 'ナカムラ',
    givenNameKana: 'ユウコ',
    address: '富山県高岡市広小路7番50号',
    birthDate: '1962-09-18',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '162027',
        atenaNumber: '200000000000102',
        ticketNumber: '1620270102',
        doses: [
          pfizer(1, '2021-05-24', 'EY5423', '高岡市民会館', '162027'),
          pfizer(2, '2021-06-14', 'FA4597', '高岡市民会館', '162027'),
          pfizer(3, '2021-12-20', 'FK0108', '高岡市民病院', '162027'),
          moderna(4, '2022-06-06', '000152A', '高岡市民病院', '162027'),
          pfizer(5, '2022-11-28', 'GK3919', '高岡市民病院', '162027'),
        ],
        passport: { nameRoman: 'NAKAMURA YUKO', nationality: 'JPN', passportNumber: 'TR0011223', otherName: '旧姓 木村' },
        // issued in the app (アプリ), which also counts
        overseasIssuances: [
          { channel: 'app', issuedOn: '2023-02-14', nameRoman: 'NAKAMURA YUKO', nationality: 'JPN', passportNumber: 'TR0011223', otherName: '旧姓 木村' },
        ],
      },
    ],
  },
  {
    slug: 'kato-haruto',
    label: '千代田区, seven doses incl. ダイチロナ (latest five printed), overseas on file',
    myNumber: '310100010002',
    familyName: '加藤',
    givenName: '陽翔',
    familyNameKana: 'カトウ',
    givenNameKana: 'ハルト',
    address: '東京都千代田区永田町1丁目7番1号',
    birthDate: '1950-05-05',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000005',
        ticketNumber: '1310160005',
        doses: [
          pfizer(1, '2021-05-17', 'EY4834', '千代田区役所', '131016'),
          pfizer(2, '2021-06-07', 'FA7338', '千代田区役所', '131016'),
          moderna(3, '2022-01-24', '3004956', '千代田区集団接種会場', '131016'),
          dose(4, '2022-07-25', 'ファイザー', 'コミナティRTU筋注（2価：起源株/オミクロン株BA.1）', 'GH9715', '0.3', '千代田区役所', '131016'),
          dose(5, '2022-12-12', 'ファイザー', 'コミナティRTU筋注（2価：起源株/オミクロン株BA.4-5）', 'GK5638', '0.3', '千代田区役所', '131016'),
          dose(6, '2023-06-05', 'モデルナ', 'スパイクバックス筋注（2価：起源株/オミクロン株BA.4-5）', 'AS6015', '0.5', '千代田区集団接種会場', '131016'),
          dose(7, '2023-12-18', '第一三共', 'ダイチロナ筋注（1価：オミクロン株XBB.1.5）', 'DS3A001', '0.6', '千代田区役所', '131016'),
        ],
        passport: { nameRoman: 'KATO HARUTO', nationality: 'JPN', passportNumber: 'TK5550123' },
        overseasIssuances: [counter('2023-01-20', { nameRoman: 'KATO HARUTO', nationality: 'JPN', passportNumber: 'TK5550123' })],
      },
    ],
  },
  {
    slug: 'yoshida-mai',
    label: '鎌ケ谷市, a dose whose product the catalogue does not know (issued as CVX 213)',
    myNumber: '271000007777',
    familyName: '吉田',
    givenName: '舞',
    familyNameKana: 'ヨシダ',
    givenNameKana: 'マイ',
    address: '千葉県鎌ケ谷市初富本町1丁目10番1号',
    birthDate: '1988-08-08',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '122246',
        atenaNumber: '300000000000203',
        ticketNumber: '1222460203',
        doses: [
          pfizer(1, '2021-08-16', 'FF0843', '鎌ケ谷市総合福祉保健センター', '122246'),
          pfizer(2, '2021-09-06', 'FF9942', '鎌ケ谷市総合福祉保健センター', '122246'),
          // the generic name (一般名) typed instead of the product name: no catalogue entry matches
          dose(3, '2022-04-11', 'ファイザー', 'コロナウイルス修飾ウリジンRNAワクチン（SARS-CoV-2）', 'FP5220', '0.3', '鎌ケ谷市総合福祉保健センター', '122246'),
        ],
      },
    ],
  },
  {
    slug: 'inoue-daisuke',
    label: '高岡市, overseas from a counter issuance on 2022-07-21',
    myNumber: '162027072100',
    familyName: '井上',
    givenName: '大輔',
    familyNameKana: 'イノウエ',
    givenNameKana: 'ダイスケ',
    address: '富山県高岡市末広町1番7号',
    birthDate: '1983-02-11',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '162027',
        atenaNumber: '200000000000103',
        ticketNumber: '1620270103',
        doses: [pfizer(1, '2021-06-28', 'FC5947', '高岡市民会館', '162027'), pfizer(2, '2021-07-19', 'FD1921', '高岡市民会館', '162027')],
        passport: { nameRoman: 'INOUE DAISUKE', nationality: 'JPN', passportNumber: 'TR7210721' },
        // the first day a counter issuance gives its passport data to kiosk issuance
        overseasIssuances: [counter('2022-07-21', { nameRoman: 'INOUE DAISUKE', nationality: 'JPN', passportNumber: 'TR7210721' })],
      },
    ],
  },
  {
    slug: 'kimura-rie',
    label: '千代田区, only a counter issuance before 2022-07-21 (overseas refused: no_counter_issuance)',
    myNumber: '131016051605',
    familyName: '木村',
    givenName: '理恵',
    familyNameKana: 'キムラ',
    givenNameKana: 'リエ',
    address: '東京都千代田区麹町2丁目4番1号',
    birthDate: '1992-10-02',
    sex: '2',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '131016',
        atenaNumber: '100000000000006',
        ticketNumber: '1310160006',
        doses: [pfizer(1, '2021-07-12', 'FE8206', '千代田区役所', '131016'), pfizer(2, '2021-08-02', 'FF3620', '千代田区役所', '131016')],
        passport: { nameRoman: 'KIMURA RIE', nationality: 'JPN', passportNumber: 'TK0516051' },
        overseasIssuances: [counter('2022-05-16', { nameRoman: 'KIMURA RIE', nationality: 'JPN', passportNumber: 'TK0516051' })],
      },
    ],
  },
  {
    slug: 'hayashi-naoki',
    label: '鎌ケ谷市, new passport since the last counter issuance (overseas refused: passport_changed)',
    myNumber: '122246090503',
    familyName: '林',
    givenName: '直樹',
    familyNameKana: 'ハヤシ',
    givenNameKana: 'ナオキ',
    address: '千葉県鎌ケ谷市道野辺中央2丁目1番10号',
    birthDate: '1978-06-30',
    sex: '1',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [
      {
        municipality: '122246',
        atenaNumber: '300000000000204',
        ticketNumber: '1222460204',
        doses: [
          moderna(1, '2021-09-13', '3004290', '鎌ケ谷市総合福祉保健センター', '122246'),
          moderna(2, '2021-10-11', '3004512', '鎌ケ谷市総合福祉保健センター', '122246'),
        ],
        // the new passport the municipality has on file; the counter issuance printed the old one
        passport: { nameRoman: 'HAYASHI NAOKI', nationality: 'JPN', passportNumber: 'TM2718281' },
        overseasIssuances: [counter('2022-09-05', { nameRoman: 'HAYASHI NAOKI', nationality: 'JPN', passportNumber: 'TK3141592' })],
      },
    ],
  },
  {
    slug: 'kobayashi-jun',
    label: 'no records anywhere',
    myNumber: '112358132130',
    familyName: '小林',
    givenName: '純',
    familyNameKana: 'コバヤシ',
    givenNameKana: 'ジュン',
    address: '東京都千代田区一ツ橋2丁目1番2号',
    birthDate: '2000-02-29',
    sex: '9',
    card: { pin: DEMO_PIN, triesLeft: 3 },
    records: [],
  },
];

/** Demo kiosks: one client certificate each (CN kiosk ID, OU store ID). */
export const demoKiosks = [
  { kioskId: 'KIOSK-0001', storeId: 'STORE-TOKYO-001', storeName: 'ファミリーマート 千代田霞が関店' },
  { kioskId: 'KIOSK-0002', storeId: 'STORE-CHIBA-002', storeName: 'セブン-イレブン 鎌ケ谷中央店' },
  { kioskId: 'KIOSK-0003', storeId: 'STORE-TOYAMA-003', storeName: 'ローソン 高岡駅前店' },
] as const;

/** A kiosk whose certificate is issued and then revoked (listed in the kiosk CRL). */
export const revokedDemoKiosk = { kioskId: 'KIOSK-9999', storeId: 'STORE-REVOKED-999', storeName: '（失効済み端末）' } as const;
