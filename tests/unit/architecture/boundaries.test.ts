import { readFile } from 'node:fs/promises';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './source-files.js';

/**
 * ARCHITECTURE.md, "Boundaries": the relay, VRS and the kiosk agent speak only over their APIs;
 * services/certificate knows no service; services/card knows no reader's user; services/common
 * knows nothing above it.
 */
const ROOT = resolve('.');
const forbidden: Record<string, string[]> = {
  'services/relay': ['services/vrs', 'kiosk-sim'],
  'services/vrs': ['services/relay', 'kiosk-sim', 'services/card'],
  'kiosk-sim': ['services/relay', 'services/vrs'],
  'services/certificate': ['services/relay', 'services/vrs', 'kiosk-sim', 'services/card'],
  'services/card': ['services/relay', 'services/vrs', 'kiosk-sim', 'services/certificate'],
  'services/common': ['services/relay', 'services/vrs', 'kiosk-sim', 'services/certificate', 'services/card', 'certs'],
};

const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

describe('architecture boundaries', () => {
  for (const [area, banned] of Object.entries(forbidden)) {
    it(`${area} imports nothing from ${banned.join(', ')}`, async () => {
      const offenders: string[] = [];
      for (const file of await sourceFiles(join(ROOT, area), /\.(ts|mts|js|mjs)$/)) {
        const text = await readFile(file, 'utf8');
        for (const m of text.matchAll(IMPORT_RE)) {
          const spec = m[1] ?? m[2] ?? m[3] ?? '';
          if (!spec.startsWith('.')) continue;
          const target = relative(ROOT, resolve(dirname(file), spec));
          if (banned.some((b) => target === b || target.startsWith(b + '/'))) offenders.push(`${relative(ROOT, file)} → ${target}`);
        }
      }
      expect(offenders).toEqual([]);
    });
  }
});
