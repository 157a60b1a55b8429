/**
 * Issue 15, files finding: PGlite writes 0666 files into 0755 folders, so any local user could read
 * the WAL or change the database. Now `.data/` and every folder under it, and the PKI's private and
 * key folders, are 0700: other users cannot enter them whatever mode a file has.
 */
import { readdir, rm, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../services/vrs/db/database.js';
import { pkiPaths } from '../../services/common/pki-paths.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function foldersUnder(root: string): Promise<string[]> {
  const out = [root];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) if (e.isDirectory()) out.push(join(e.parentPath, e.name));
  return out;
}

const mode = async (p: string) => ((await stat(p)).mode & 0o777).toString(8);

describe('data and key folders', () => {
  it('creates .data and every PGlite folder 0700, so no other user can enter them', async () => {
    const base = await mkdtemp(join(tmpdir(), 'sec-data-'));
    dirs.push(base);
    const dataDir = join(base, '.data', 'vrs-pglite');
    const db = await openDatabase({ dataDir });
    await db.query('create table t (x text)');
    await db.query("insert into t values ('row')");
    await db.close();
    const folders = await foldersUnder(join(base, '.data'));
    expect(folders.length).toBeGreaterThan(5);
    const open = [];
    for (const f of folders) if ((await mode(f)) !== '700') open.push(f);
    expect(open).toEqual([]);
  }, 60_000);

  it('keeps certs/out/private and every folder with a key.pem at 0700', async () => {
    const p = pkiPaths(resolve('certs/out'));
    const keyFolders = [p.private, ...(await foldersUnder(p.private))];
    for (const e of await readdir(p.root, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name === 'key.pem') keyFolders.push(e.parentPath);
    expect(keyFolders.length).toBeGreaterThan(5);
    for (const f of keyFolders) expect(`${f} ${await mode(f)}`).toBe(`${f} 700`);
  });
});
