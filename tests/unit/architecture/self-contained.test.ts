import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A user's clone has nothing beside it: no file of the repository (documentation aside) may reach
 * a path outside it, such as the folder of design documents that sits next to the checkout on the
 * project's own machines and in CI. Only this test catches such a read there, since CI does have that folder.
 */
const ROOT = resolve('.');
/** Folders that are generated or installed, not the repository's own. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.data', 'coverage', 'out', 'output', 'screenshots', 'tmp']);
const CHECKED = /\.(ts|mts|cts|js|mjs|cjs|json|sh|html|css|ya?ml|sql)$/;

async function repositoryFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) out.push(...(await repositoryFiles(full)));
    } else if (CHECKED.test(e.name) || relative(ROOT, full) === join('.ci', 'run')) {
      out.push(full);
    }
  }
  return out;
}

/**
 * Relative paths (`../x`, `../../y`), quoted or in a command, that resolve outside the repository:
 * from the file's folder in a module, from the repository root in a script or package.json (which
 * run there).
 */
export function pathsLeavingRoot(file: string, text: string, root = ROOT): string[] {
  const found: string[] = [];
  const runsAtRoot = /\.(sh|json)$/.test(file) || file.endsWith(join('.ci', 'run'));
  for (const m of text.matchAll(/(?:^|[\s'"`=(])((?:\.\.\/)+[^'"`\s)]*)/gm)) {
    const target = resolve(runsAtRoot ? root : dirname(file), m[1]!);
    if (target !== root && !target.startsWith(root + sep)) found.push(m[1]!);
  }
  return found;
}

describe('the repository is self-contained', () => {
  it('finds a read of the folder beside the clone (the check itself can fail)', () => {
    const test = join(ROOT, 'tests', 'unit', 'certificate', 'x.test.ts');
    const up = '../'.repeat(4);
    expect(pathsLeavingRoot(test, `new URL('${up}beside/fixtures/', import.meta.url)`)).toEqual([`${up}beside/fixtures/`]);
    expect(pathsLeavingRoot(join(ROOT, '.ci', 'run'), `cat ${'../'}beside/X.md`)).toEqual(['../beside/X.md']);
    expect(pathsLeavingRoot(test, `import { x } from '../../fixtures/conformance.js'`)).toEqual([]);
  });

  it('no script, test, service or configuration file reaches outside the repository', async () => {
    const offenders: string[] = [];
    for (const file of await repositoryFiles(ROOT)) {
      const found = pathsLeavingRoot(file, await readFile(file, 'utf8'));
      if (found.length > 0) offenders.push(`${relative(ROOT, file)}: ${found.join(', ')}`);
    }
    expect(offenders).toEqual([]);
  });
});
