import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PkiPaths } from '../../services/common/pki-paths.js';
import { createCard } from '../../services/card/card-factory.js';
import { demoResidents } from '../demo-cast.js';
import { writeFileSafe } from '../generate.js';

/** Where the generator records which card belongs to which demo resident (slug → cardId). */
export function cardsManifestPath(p: PkiPaths): string {
  return join(p.cardsDir, 'manifest.json');
}

/** Whether the cards manifest names every demo resident (false when it is missing or the cast grew). */
export async function demoCardsComplete(p: PkiPaths): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(cardsManifestPath(p), 'utf8')) as Record<string, unknown>;
    return demoResidents.every((r) => r.slug in manifest);
  } catch {
    return false;
  }
}

/**
 * One card file per demo resident under `cards/`, signed by the card issuer CA, plus the relay's
 * lost-card suspension list naming the cards the cast marks as suspended.
 */
export async function writeDemoCards(p: PkiPaths): Promise<void> {
  const issuerPrivateKey = await readFile(p.cardIssuer.key, 'utf8');
  const issuerKeyId = (await readFile(p.cardIssuer.keyId, 'utf8')).trim();
  const cards = await Promise.all(demoResidents.map((r) => createCard(r, { issuerKeyId, issuerPrivateKey })));
  const manifest: Record<string, { cardId: string; label: string; file: string }> = {};
  const suspended: string[] = [];
  for (const [i, card] of cards.entries()) {
    const resident = demoResidents[i]!;
    const file = join(p.cardsDir, `${card.cardId}.json`);
    await writeFileSafe(file, JSON.stringify(card, null, 2) + '\n', true);
    manifest[resident.slug] = { cardId: card.cardId, label: card.label, file };
    if (resident.card.suspended) suspended.push(card.cardId);
  }
  await writeFileSafe(cardsManifestPath(p), JSON.stringify(manifest, null, 2) + '\n');
  await writeFileSafe(
    p.cardSuspensionList,
    '# Lost or stolen cards (card key-ID, hex), one per line. Managed with `npm run relay:suspend-card`.\n' + suspended.map((id) => id + '\n').join(''),
  );
}
