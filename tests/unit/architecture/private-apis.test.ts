import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.js';

/**
 * STYLE.md rule 13: fontkit, pdfkit and qrcode internals are touched in one adapter file per
 * library (services/certificate/adapters/), nowhere else: no other file loads `qrcode/lib/…` or
 * imports fontkit, and none reaches for an underscore member (`x._y`, `x['_y']`) in code that
 * uses these libraries (services/certificate, or any file importing one of them), nor for the
 * private members the adapters use anywhere at all.
 */
const ROOT = resolve('.');
const ADAPTERS = 'services/certificate/adapters/';
const DIRS = ['services', 'kiosk-sim', 'bench', 'certs', 'scripts', 'tests'];
/** The private members the adapters rely on (see their headers). */
const PRIVATE_MEMBERS = ['_write', '_offset', '_font', '_addGlyph', '_getMetrics', '_variationProcessor', '_getTableStream', '_decode'];

const USES_LIBRARY = /from\s*['"](?:pdfkit|fontkit|qrcode)['"/]|require\(\s*['"](?:pdfkit|fontkit|qrcode)['"/]/;
const UNDERSCORE_MEMBER = /(?:\?\.|\.)_[A-Za-z]\w*|\[\s*['"`]_[A-Za-z]\w*['"`]\s*\]/g;

describe('private APIs of fontkit, pdfkit and qrcode', () => {
  it(`are touched only under ${ADAPTERS}`, async () => {
    const files = (await Promise.all(DIRS.map((d) => sourceFiles(join(ROOT, d))))).flat();
    expect(files.length).toBeGreaterThan(100);
    const offences: string[] = [];
    for (const file of files) {
      const rel = relative(ROOT, file).split('\\').join('/');
      if (rel.startsWith(ADAPTERS) || rel === 'tests/unit/architecture/private-apis.test.ts') continue;
      const text = await readFile(file, 'utf8');
      if (/qrcode\/lib\//.test(text)) offences.push(`${rel}: loads qrcode/lib/ internals`);
      if (/(?:from|import)\s*\(?\s*['"]fontkit['"]|require\(\s*['"]fontkit['"]/.test(text))
        offences.push(`${rel}: imports fontkit (use adapters/fontkit-internals.ts)`);
      const members = [...text.matchAll(UNDERSCORE_MEMBER)].map((m) => m[0].replace(/^\??\.|[[\]'"`\s]/g, ''));
      for (const m of new Set(members)) {
        if (PRIVATE_MEMBERS.includes(m)) offences.push(`${rel}: touches ${m}`);
        else if (rel.startsWith('services/certificate/') || USES_LIBRARY.test(text)) offences.push(`${rel}: touches an underscore member ${m}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('the check finds what it looks for', () => {
    const found = (s: string) => [...s.matchAll(UNDERSCORE_MEMBER)].map((m) => m[0]);
    expect(found("doc._write(x); font?._font; d['_offset'] = 1; a.b_c; x._")).toEqual(['._write', '?._font', "['_offset']"]);
  });
});
