import { statSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { makePrivateDir } from '../../common/private-dir.js';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

const CARD_ID = /^[0-9a-f]{32}$/;

/** Parses the suspension list text: one card key-ID (hex) a line, `#` comments. */
export function parseSuspensionList(text: string): Set<string> {
  const ids = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase();
    if (CARD_ID.test(line)) ids.add(line);
  }
  return ids;
}

/**
 * The lost/stolen card suspension list (card key-IDs, i.e. CV subject key-IDs). The file is
 * re-read whenever its modification time or size changes, so an edit by the admin command
 * reaches every relay process on the same host without a restart. A missing file is an empty
 * list.
 */
export class SuspensionList {
  readonly path: string;
  #stamp = '';
  #ids = new Set<string>();

  constructor(path: string) {
    this.path = path;
  }

  #refresh(): void {
    let stamp: string;
    try {
      const s = statSync(this.path);
      stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      this.#stamp = 'missing';
      this.#ids = new Set();
      return;
    }
    if (stamp === this.#stamp) return;
    this.#ids = parseSuspensionList(readFileSync(this.path, 'utf8'));
    this.#stamp = stamp;
  }

  has(cardId: string): boolean {
    this.#refresh();
    return this.#ids.has(cardId.toLowerCase());
  }

  list(): string[] {
    this.#refresh();
    return [...this.#ids].sort();
  }
}

/** Adds or removes a card key-ID, rewriting the file atomically. Returns whether it changed. */
export async function editSuspensionList(path: string, op: 'add' | 'remove', cardId: string): Promise<boolean> {
  const id = cardId.trim().toLowerCase();
  if (!CARD_ID.test(id)) throw new TypeError('a card key-ID is 32 hex digits');
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = '# Lost or stolen cards (card key-ID, hex), one per line. Managed with `npm run relay:suspend-card`.\n';
  }
  const present = parseSuspensionList(text).has(id);
  if (op === 'add' && present) return false;
  if (op === 'remove' && !present) return false;
  const next =
    op === 'add'
      ? (text.endsWith('\n') || text === '' ? text : text + '\n') + id + '\n'
      : text
          .split(/\r?\n/)
          .filter((l) => l.replace(/#.*/, '').trim().toLowerCase() !== id)
          .join('\n');
  await makePrivateDir(dirname(path));
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, next, { mode: 0o644 });
  await rename(tmp, path);
  return true;
}
