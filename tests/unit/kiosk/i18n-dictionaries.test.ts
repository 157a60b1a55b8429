/**
 * The kiosk's screen texts (kiosk-sim/public/i18n.js): Japanese and English have the same keys and
 * the same {placeholders}, every literal key the pages look up exists, and every error code the
 * kiosk can show has its own text in both languages or falls back on purpose.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a browser ES module without type declarations (no build step)
import { dict, errorText, t } from '../../../kiosk-sim/public/i18n.js';

type Texts = Record<string, unknown>;
const PUBLIC_DIR = join(import.meta.dirname, '../../../kiosk-sim/public');
const ja = (dict as { ja: Texts }).ja;
const en = (dict as { en: Texts }).en;

const placeholders = (s: unknown): string[] => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

/** Flattens nested groups (`errors.ERR_…`) into dotted keys. */
function flat(texts: Texts, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(texts)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [fk, fv] of flat(v as Texts, `${prefix}${k}.`)) out.set(fk, fv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

describe('kiosk screen texts', () => {
  const jaFlat = flat(ja);
  const enFlat = flat(en);

  it('has the same keys in Japanese and English', () => {
    expect([...enFlat.keys()].filter((k) => !jaFlat.has(k))).toEqual([]);
    expect([...jaFlat.keys()].filter((k) => !enFlat.has(k))).toEqual([]);
  });

  it('uses the same placeholders in both languages, and no text is empty', () => {
    for (const [key, value] of jaFlat) {
      expect(placeholders(enFlat.get(key)), key).toEqual(placeholders(value));
      expect(String(value).trim().length, `ja ${key}`).toBeGreaterThan(0);
      expect(String(enFlat.get(key)).trim().length, `en ${key}`).toBeGreaterThan(0);
    }
  });

  it('has every literal key the pages look up', () => {
    const used = new Set<string>();
    for (const file of readdirSync(PUBLIC_DIR).filter((f) => f.endsWith('.js') && f !== 'i18n.js')) {
      const source = readFileSync(join(PUBLIC_DIR, file), 'utf8');
      for (const m of source.matchAll(/\btx?\((?:\w+,\s*)?'([a-zA-Z][\w.-]*)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !jaFlat.has(k))).toEqual([]);
  });

  it('fills placeholders and falls back to a general error text for an unknown code', () => {
    expect(t('en', 'pin.left', { n: 2 })).not.toContain('{n}');
    expect(t('en', 'pin.left', { n: 2 })).toContain('2');
    expect(errorText('ja', 'ERR_SOMETHING_NEW')).toEqual(errorText('ja', undefined));
    expect(errorText('en', 'ERR_UPSTREAM_SOMETHING_NEW')).toEqual(errorText('en', 'ERR_UPSTREAM'));
  });
});
