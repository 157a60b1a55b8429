import { chmod, mkdir, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The mode of every folder holding data or keys: only the service's own user may enter it. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates `path` (and missing parents) as 0700 and sets 0700 on it if it already existed. Folder
 * modes are what protects the files inside: PGlite writes its files 0666 whatever the umask.
 */
export async function makePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE);
  // A `.data` folder above (made earlier with a looser mode) is closed too.
  for (let p = dirname(path); p !== dirname(p); p = dirname(p)) {
    if (basename(p) === '.data') await chmod(p, PRIVATE_DIR_MODE);
  }
}

/** Sets 0700 on `root` and every folder under it (after a library made its own). */
export async function lockDownTree(root: string): Promise<void> {
  await chmod(root, PRIVATE_DIR_MODE);
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) await chmod(join(e.parentPath, e.name), PRIVATE_DIR_MODE);
  }
}
