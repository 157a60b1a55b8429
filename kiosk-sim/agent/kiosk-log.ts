import { appendFile, readFile } from 'node:fs/promises';
import { makePrivateDir } from '../../services/common/private-dir.js';
import { dirname } from 'node:path';

/** One kiosk log line: issuance date and time, kind and copies, and nothing else (seed 001 別紙 4). */
export interface KioskLogEntry {
  issuedAt: string;
  kind: 'domestic' | 'overseas';
  copies: number;
}

/** The kiosk log, JSON lines in one file per kiosk. */
export class KioskLog {
  constructor(readonly path: string) {}

  async append(entry: KioskLogEntry): Promise<void> {
    // Build the line from the three allowed fields only, whatever the caller passed.
    const line = JSON.stringify({ issuedAt: entry.issuedAt, kind: entry.kind, copies: entry.copies });
    await makePrivateDir(dirname(this.path));
    await appendFile(this.path, `${line}\n`, { mode: 0o600 });
  }

  async entries(): Promise<KioskLogEntry[]> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as KioskLogEntry);
  }
}
