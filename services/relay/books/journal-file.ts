import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CompletionNotice } from '../../common/lgwan-contract.js';
import type { LedgerEntry } from './books.js';

/** One journal line: a ledger entry and, for a request's opening, its session identifiers. */
export interface JournalLine {
  e: LedgerEntry;
  sid?: string;
  rid?: string;
  /** The completion notice of a printed request. */
  notice?: CompletionNotice;
}

/**
 * The embedded books' durable ledger: one JSON line per entry, appended and flushed to disk
 * (`fdatasync`) before the transition is answered, in a file only its owner can read. Appends are
 * serialized, so lines never interleave. A torn last line (a crash mid-write) is skipped on load.
 */
export class JournalFile {
  #handle: Promise<FileHandle> | undefined;
  #tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Every complete line written so far. */
  async load(): Promise<JournalLine[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: JournalLine[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as JournalLine);
      } catch {
        // A torn line from a crash mid-append: it was never acknowledged.
      }
    }
    return out;
  }

  #file(): Promise<FileHandle> {
    this.#handle ??= (async () => {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const fh = await open(this.path, 'a+', 0o600);
      // After a torn last line, start on a line of our own.
      const { size } = await fh.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await fh.write('\n');
      }
      return fh;
    })();
    return this.#handle;
  }

  /** Appends lines in one write and flushes them; resolves once they are on disk. */
  append(lines: JournalLine[]): Promise<void> {
    if (lines.length === 0) return this.#tail;
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
    const run = this.#tail.then(async () => {
      const fh = await this.#file();
      await fh.write(text);
      await fh.datasync();
    });
    // A failed append fails its own caller only; later appends still run.
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#tail;
    const h = this.#handle;
    this.#handle = undefined;
    if (h) await (await h).close();
  }
}
