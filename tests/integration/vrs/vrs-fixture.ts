import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { ManualClock } from '../../../services/common/clock.js';
import { createLogger } from '../../../services/common/logger.js';
import type { Database } from '../../../services/vrs/db/database.js';
import type { VrsDeps } from '../../../services/vrs/deps.js';
import { ensureMunicipality } from '../../../services/vrs/seed/municipalities.js';
import { freshVrsDatabase, type DbKind } from '../../helpers/vrs-db.js';

/** Log lines the code under test wrote (to assert no personal data reaches them). */
export class CapturedLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    cb();
  }
  text(): string {
    return this.lines.join('');
  }
}

export interface VrsFixture {
  deps: VrsDeps;
  db: Database;
  log: CapturedLog;
  clock: ManualClock;
  drop(): Promise<void>;
}

/** A fresh migrated database with random keys and the given municipalities registered. */
export async function vrsFixture(
  kind: DbKind,
  serverUrl: string,
  municipalities: Array<{ code: string; name: string; participates: boolean; contact?: { office: string; phone: string } }> = [
    { code: '131016', name: '千代田区', participates: true },
    { code: '162027', name: '高岡市', participates: true },
  ],
): Promise<VrsFixture> {
  const fresh = await freshVrsDatabase(kind, serverUrl);
  const log = new CapturedLog();
  const clock = new ManualClock(new Date('2024-03-01T01:00:00Z'));
  const deps: VrsDeps = {
    db: fresh.db,
    keys: { master: randomBytes(32), lookup: randomBytes(32) },
    clock,
    log: createLogger({ service: 'vrs-test', level: 'info', destination: log }),
    mailDir: '/tmp/vrs-test-mail',
  };
  for (const m of municipalities) await ensureMunicipality(fresh.db, deps.keys.master, m);
  return { deps, db: fresh.db, log, clock, drop: fresh.drop };
}

/** A CSV body from a header and rows (UTF-8, LF). */
export function csv(header: string, ...rows: string[]): Buffer {
  return Buffer.from([header, ...rows].join('\n') + '\n', 'utf8');
}

export const RESIDENT_HEADER = '個別宛名番号,マイナンバー,氏名（姓）,氏名（名）,氏名（セイ）,氏名（メイ）,生年月日,性別,券番号,転出/死亡フラグ';
export const VACCINATION_HEADER = '個別宛名番号,接種回数,接種日,ワクチン種類,メーカー,製品名,ロット番号,接種量,接種会場,接種自治体コード';
export const PASSPORT_HEADER = '個別宛名番号,ローマ字氏名,国籍,旅券番号,旧姓・別姓・別名';
export const OVERSEAS_ISSUANCE_HEADER = '個別宛名番号,交付方法,交付日,ローマ字氏名,国籍,旅券番号,旧姓・別姓・別名,証明書ID';

/** Every resident table's rows for a municipality, as seen by the owner (for "nothing changed"). */
export async function snapshot(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of [
    'residents',
    'my_number_links',
    'my_number_index',
    'vaccinations',
    'passports',
    'overseas_issuances',
    'certificate_issuances',
    'completion_notices',
  ]) {
    const { rows } = await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`);
    out[t] = rows.map((r) => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))));
  }
  return out;
}
