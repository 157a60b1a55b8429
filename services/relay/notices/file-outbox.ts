import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NoticeOutbox, OutboxEntry, OutboxNotice } from './outbox.js';

interface FileEntry extends OutboxEntry {
  nextAt: number;
}

const ID = /^[A-Z0-9]{1,12}$/;

/**
 * The outbox without Redis (embedded mode, one relay process): one JSON file per certificate ID
 * under `dir`, created with link() so that a second enqueue of the same ID fails atomically, and
 * rewritten with write-then-rename so that a crash never leaves half an entry. An acknowledged
 * notice leaves a `<id>.done` marker for de-duplication.
 */
export class FileOutbox implements NoticeOutbox {
  constructor(private readonly dir: string) {}

  #file(id: string): string {
    if (!ID.test(id)) throw new TypeError('certificate ID is 1–12 of A–Z, 0–9');
    return join(this.dir, `${id}.json`);
  }

  async #write(path: string, entry: FileEntry, exclusive: boolean): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${randomBytes(8).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600 });
    try {
      if (exclusive) await link(tmp, path);
      else await rename(tmp, path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      if (exclusive) await unlink(tmp).catch(() => undefined);
    }
  }

  async enqueue(notice: OutboxNotice): Promise<boolean> {
    const file = this.#file(notice.certificateId);
    if (await exists(join(this.dir, `${notice.certificateId}.done`))) return false;
    return this.#write(file, { notice, attempts: 0, nextAt: Date.now() }, true);
  }

  async #all(): Promise<FileEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: FileEntry[] = [];
    for (const n of names.filter((x) => /^[A-Z0-9]{1,12}\.json$/.test(x))) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as FileEntry);
      } catch {
        // Removed meanwhile (acknowledged): skip.
      }
    }
    return out;
  }

  async claim(now: number, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    const due = (await this.#all())
      .filter((e) => e.nextAt <= now)
      .sort((a, b) => a.nextAt - b.nextAt)
      .slice(0, limit);
    for (const e of due) await this.#write(this.#file(e.notice.certificateId), { ...e, nextAt: now + leaseMs }, false);
    return due.map(({ notice, attempts }) => ({ notice, attempts }));
  }

  async ack(certificateId: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${certificateId}.done`), '');
    await unlink(this.#file(certificateId)).catch(() => undefined);
  }

  async retry(certificateId: string, attempts: number, nextAt: number): Promise<void> {
    const file = this.#file(certificateId);
    let entry: FileEntry;
    try {
      entry = JSON.parse(await readFile(file, 'utf8')) as FileEntry;
    } catch {
      return;
    }
    await this.#write(file, { ...entry, attempts, nextAt }, false);
  }

  async pending(): Promise<number> {
    return (await this.#all()).length;
  }

  async close(): Promise<void> {}
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}
