import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editSuspensionList, parseSuspensionList, SuspensionList } from '../../../services/relay/suspension/suspension-list.js';

const ID = '934681ba197ccd3dc669fd4a1456aca5';

describe('suspension list', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('parses ids, ignoring comments, blank lines and case', () => {
    expect([...parseSuspensionList(`# comment\n\n${ID.toUpperCase()}  # lost\nnot-an-id\n`)]).toEqual([ID]);
  });
  it('sees an edit by another process without a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-susp-'));
    const file = join(dir, 'card-suspensions.txt');
    const list = new SuspensionList(file);
    expect(list.has(ID)).toBe(false);
    expect(await editSuspensionList(file, 'add', ID)).toBe(true);
    expect(await editSuspensionList(file, 'add', ID)).toBe(false);
    expect(list.has(ID.toUpperCase())).toBe(true);
    expect(await editSuspensionList(file, 'remove', ID)).toBe(true);
    expect(list.has(ID)).toBe(false);
    expect(await readFile(file, 'utf8')).toContain('# Lost or stolen');
  });
  it('refuses something that is not a card key-ID', async () => {
    await expect(editSuspensionList(join(dir, 'x.txt'), 'add', '1234')).rejects.toThrow(TypeError);
  });
});
