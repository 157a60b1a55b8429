import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every script file below `dir` (node_modules and vendored browser files left out); none when `dir` is missing. */
export async function sourceFiles(dir: string, extensions: RegExp = /\.(ts|mts|js|mjs|cjs)$/): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'vendor') await walk(full);
      else if (extensions.test(e.name)) out.push(full);
    }
  };
  await walk(dir);
  return out;
}
