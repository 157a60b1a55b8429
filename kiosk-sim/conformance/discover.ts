import type { MenuMunicipality } from '../../services/common/kiosk-protocol.js';
import { presentCard, type CardPool, type HolderData, type KitCard } from './cards.js';
import { describe, type ConformanceClient } from './relay-client.js';

/** One municipality of a step-3 answer (the kit checks the shape; the type is the protocol's). */
export type MenuItem = MenuMunicipality;

/** What the relay answered for one card. */
export interface ClassifiedCard {
  card: KitCard;
  /** accepted (200 with a menu), no-records (404), suspended (422), refused (anything else), unusable (not tried). */
  outcome: 'accepted' | 'no-records' | 'suspended' | 'refused' | 'unusable';
  holder?: HolderData;
  menu?: MenuItem[];
  /** For refused and unusable: why. */
  reason?: string;
}

/** Cards sorted by what the checks need. */
export interface Discovery {
  classified: ClassifiedCard[];
  /** Files in --cards that are not card files. */
  skippedFiles: { file: string; reason: string }[];
  /** A municipality offers domestic. */
  issuable: ClassifiedCard[];
  /** A municipality offers overseas. */
  overseas: ClassifiedCard[];
  /** A municipality offers domestic but not overseas (no passport data on file). */
  withoutPassport: ClassifiedCard[];
  /** Records in two or more municipalities. */
  twoMunicipalities: ClassifiedCard[];
  /** A municipality that does not take part or has suspended the service. */
  municipalityUnavailable: ClassifiedCard[];
  /** A municipality whose records cannot be issued (for example a resident flagged deceased). */
  notIssuable: ClassifiedCard[];
  suspended: ClassifiedCard[];
  noRecords: ClassifiedCard[];
  /** Set when discovery could not run at all (relay closed or unreachable). */
  blocked?: string;
}

/**
 * Classifies every card by asking the relay (the kit cannot see the records service): for each
 * card a fresh session, the card read with its PIN and submitted, the answer noted, the session
 * deleted. Cards with fewer than 2 PIN tries left are not used.
 */
export async function discoverCards(client: ConformanceClient, pool: CardPool): Promise<Discovery> {
  const classified: ClassifiedCard[] = [];
  let blocked: string | undefined;
  for (const card of pool.cards) {
    if (blocked) {
      classified.push({ card, outcome: 'unusable', reason: blocked });
      continue;
    }
    if (card.triesLeft < 2) {
      classified.push({ card, outcome: 'unusable', reason: `PIN has ${card.triesLeft} tries left (the kit needs ≥ 2)` });
      continue;
    }
    let sid: string | undefined;
    try {
      const open = await client.call('POST', '/v1/sessions');
      if (open.status !== 201) {
        blocked = `POST /v1/sessions answered ${describe(open)}`;
        classified.push({ card, outcome: 'unusable', reason: blocked });
        continue;
      }
      sid = String(open.json.sessionId);
      const { body, holder } = await presentCard(card, String(open.json.challenge));
      const answer = await client.call('POST', `/v1/sessions/${sid}/card`, body);
      const code = answer.json?.code;
      if (answer.status === 200 && Array.isArray(answer.json?.municipalities)) {
        classified.push({ card, outcome: 'accepted', holder, menu: answer.json.municipalities as MenuItem[] });
      } else if (answer.status === 404 && code === 'ERR_NO_RECORDS') {
        classified.push({ card, outcome: 'no-records', holder });
      } else if (answer.status === 422 && code === 'ERR_CARD_SUSPENDED') {
        classified.push({ card, outcome: 'suspended', holder });
      } else {
        classified.push({ card, outcome: 'refused', holder, reason: describe(answer) });
      }
    } catch (err) {
      classified.push({ card, outcome: 'unusable', reason: (err as Error).message });
    } finally {
      if (sid) await client.call('DELETE', `/v1/sessions/${sid}`).catch(() => undefined);
    }
  }
  const accepted = classified.filter((c) => c.outcome === 'accepted');
  const any = (pred: (m: MenuItem) => boolean) => accepted.filter((c) => c.menu!.some(pred));
  return {
    classified,
    skippedFiles: pool.skipped,
    issuable: any((m) => m.domestic),
    overseas: any((m) => m.overseas),
    withoutPassport: any((m) => m.domestic && !m.overseas),
    twoMunicipalities: accepted.filter((c) => c.menu!.length >= 2),
    municipalityUnavailable: any((m) => !m.domestic && (m.unavailableReason === 'not_participating' || m.unavailableReason === 'suspended')),
    notIssuable: any((m) => !m.domestic && m.unavailableReason === 'not_issuable'),
    suspended: classified.filter((c) => c.outcome === 'suspended'),
    noRecords: classified.filter((c) => c.outcome === 'no-records'),
    ...(blocked ? { blocked } : {}),
  };
}

/** One line per card, for the report. */
export function describeDiscovery(d: Discovery): string[] {
  const lines = d.classified.map((c) => {
    const what =
      c.outcome === 'accepted'
        ? `accepted: ${c.menu!.map((m) => `${m.code}${m.domestic ? ' domestic' : ''}${m.overseas ? ' overseas' : ''}${m.unavailableReason ? ` (${m.unavailableReason})` : ''}`).join('; ')}`
        : `${c.outcome}${c.reason ? `: ${c.reason}` : ''}`;
    return `card ${c.card.file} "${c.card.label}": ${what}`;
  });
  for (const s of d.skippedFiles) lines.push(`file ${s.file}: skipped, ${s.reason}`);
  return lines;
}
