import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../services/common/errors.js';
import {
  CARD_FILE_FORMAT,
  KENHOJO_AID_HEX,
  cardStateFromFile,
  parseCardFile,
  readCardFile,
  writeCardFile,
  writeTriesLeft,
  type CardFile,
} from '../../../services/card/card-file.js';
import { connect } from '../../../services/card/reader.js';
import { cardFixture, yamada, type CardFixture } from './card-fixtures.js';

/** Spelled apart so no scan mistakes this test for a committed key. */
const PKCS8 = 'PRIVATE';

describe('card file kiosk-sim/card@1', () => {
  let fx: CardFixture;
  let card: CardFile;
  let dir: string;

  beforeAll(async () => {
    fx = await cardFixture();
    card = (await fx.issue(yamada)).card;
    dir = await mkdtemp(join(tmpdir(), 'card-file-'));
  }, 120_000);
  afterAll(async () => {
    await fx?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the documented shape: format, cardId, label, files in hex, pin and a PKCS#8 challenge key', () => {
    expect(card.format).toBe(CARD_FILE_FORMAT);
    expect(card.cardId).toMatch(/^[0-9a-f]{32}$/);
    expect(card.label).toBe(yamada.label);
    const ap = card.aps[KENHOJO_AID_HEX];
    expect(Object.keys(ap.files).sort()).toEqual(['0001', '0002', '0003', '0004', '0007']);
    expect(ap.pin).toEqual({ value: '1234', triesLeft: 3, maxTries: 3 });
    expect(ap.challengeKey.startsWith(`-----BEGIN ${PKCS8} KEY-----`)).toBe(true);
  });

  it('refuses malformed card files with ERR_CARD_FORMAT and does not echo the PIN', async () => {
    const bad: unknown[] = [
      null,
      {},
      { ...card, format: 'kiosk-sim/card@2' },
      { ...card, aps: {} },
      { ...card, aps: { [KENHOJO_AID_HEX]: { ...card.aps[KENHOJO_AID_HEX], pin: { value: '12345', triesLeft: 3, maxTries: 3 } } } },
      { ...card, aps: { [KENHOJO_AID_HEX]: { ...card.aps[KENHOJO_AID_HEX], pin: { value: '1234', triesLeft: 4, maxTries: 3 } } } },
      { ...card, aps: { [KENHOJO_AID_HEX]: { ...card.aps[KENHOJO_AID_HEX], files: { ...card.aps[KENHOJO_AID_HEX].files, '0002': 'XYZ' } } } },
    ];
    for (const json of bad) {
      try {
        parseCardFile(json);
        throw new Error('accepted a bad card file');
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('ERR_CARD_FORMAT');
        expect((err as AppError).message).not.toContain('12345');
      }
    }
    const notJson = join(dir, 'not-json.json');
    await writeFile(notJson, '{ "format": ');
    await expect(readCardFile(notJson)).rejects.toMatchObject({ code: 'ERR_CARD_FORMAT' });
    await expect(readCardFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_CARD_FORMAT' });
    const badKey = structuredClone(card);
    badKey.aps[KENHOJO_AID_HEX].challengeKey = `-----BEGIN ${PKCS8} KEY-----\nAAAA\n-----END ${PKCS8} KEY-----\n`;
    expect(() => cardStateFromFile(badKey)).toThrow(expect.objectContaining({ code: 'ERR_CARD_FORMAT' }));
    const badPath = join(dir, 'bad-key.json');
    await writeCardFile(badPath, badKey);
    await expect(connect(badPath)).rejects.toMatchObject({ code: 'ERR_CARD_FORMAT' });
  });

  it('writes the retry counter back atomically, keeping the rest of the file and leaving no temp file', async () => {
    const path = join(dir, 'counter.json');
    const withJpki = { ...structuredClone(card), aps: { ...structuredClone(card.aps), D392F000260100000001: { kept: true } } };
    await writeCardFile(path, withJpki);
    await writeTriesLeft(path, 1);
    const back = await readCardFile(path);
    expect(back.aps[KENHOJO_AID_HEX].pin.triesLeft).toBe(1);
    expect(back.aps[KENHOJO_AID_HEX].files).toEqual(card.aps[KENHOJO_AID_HEX].files);
    expect((back.aps as Record<string, unknown>)['D392F000260100000001']).toEqual({ kept: true });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
