/**
 * Admin command for the lost/stolen card suspension list:
 *
 *   npm run relay:suspend-card -- add <cardId>
 *   npm run relay:suspend-card -- remove <cardId>
 *   npm run relay:suspend-card -- list
 *
 * Edits SUSPENSION_LIST_FILE (default certs/out/relay/card-suspensions.txt); running relays pick
 * the change up on their next card check.
 */
import { resolve } from 'node:path';
import { pkiPaths } from '../../common/pki-paths.js';
import { editSuspensionList, SuspensionList } from './suspension-list.js';

async function main(argv: string[]): Promise<number> {
  const file = process.env.SUSPENSION_LIST_FILE || pkiPaths(resolve(process.env.PKI_DIR || 'certs/out')).cardSuspensionList;
  const [op, cardId] = argv;
  if (op === 'list') {
    for (const id of new SuspensionList(file).list()) console.log(id);
    return 0;
  }
  if ((op === 'add' || op === 'remove') && cardId) {
    try {
      const changed = await editSuspensionList(file, op, cardId);
      console.log(changed ? `${op === 'add' ? 'suspended' : 'reinstated'} ${cardId.toLowerCase()}` : `no change for ${cardId.toLowerCase()}`);
      return 0;
    } catch (e) {
      console.error(e instanceof Error ? e.message : String(e));
      return 2;
    }
  }
  console.error('usage: relay:suspend-card -- add <cardId> | remove <cardId> | list');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
