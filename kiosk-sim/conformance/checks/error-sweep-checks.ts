import type { HolderData } from '../cards.js';
import { describe } from '../relay-client.js';
import { CheckFailure, notRun, problemDefect, type Check } from './kit.js';

/** The spellings of a holder's data that must never appear in an error. */
export function personalStrings(h: HolderData): string[] {
  const [family = '', given = ''] = h.name.split('\u3000');
  const out = [h.myNumber, h.name, h.name.replace(/\u3000/g, ''), h.name.replace(/\u3000/g, ' '), h.birthDate, h.birthDate.replace(/-/g, '')];
  // Single characters (a given name like 健) would match too much; two or more are specific enough.
  for (const part of [family, given]) if (part.length >= 2) out.push(part);
  return [...new Set(out.filter((s) => s.length > 0))];
}

/**
 * Sweeps over every error answer of the whole run (so they run last): each must be a problem
 * document, and none may contain personal data of any holder the kit read.
 */
export const errorSweepChecks: Check[] = [
  {
    id: 'errors.problem-json',
    group: 'errors',
    title: 'every error answer of the run is application/problem+json with code, status, title, detail, instance',
    async run(ctx) {
      const errors = ctx.answers.filter((a) => a.status >= 400);
      if (errors.length === 0) notRun('the run saw no error answers');
      const bad = errors.map((a) => [a, problemDefect(a)] as const).filter(([, d]) => d);
      if (bad.length)
        throw new CheckFailure(
          `${bad.length} of ${errors.length} error answers: ${bad
            .slice(0, 3)
            .map(([a, d]) => `${describe(a)}: ${d}`)
            .join('; ')}`,
        );
      return `${errors.length} error answers`;
    },
  },
  {
    id: 'errors.no-personal-data',
    group: 'errors',
    title: "no error answer of the run contains a holder's My Number, name or birth date",
    async run(ctx) {
      const errors = ctx.answers.filter((a) => a.status >= 400);
      if (errors.length === 0) notRun('the run saw no error answers');
      if (ctx.holders.size === 0) notRun('no card was read');
      const needles = [...ctx.holders.values()].flatMap(personalStrings);
      const leaks: string[] = [];
      for (const a of errors) {
        // Also the JSON re-serialized, so \u-escaped text is caught.
        const raw = a.body.toString('utf8');
        const text = a.json === undefined ? raw : `${raw}\n${JSON.stringify(a.json)}`;
        if (needles.some((n) => text.includes(n))) leaks.push(describe(a));
      }
      if (leaks.length) throw new CheckFailure(`personal data in ${leaks.length} error answer(s): ${leaks.slice(0, 3).join('; ')}`);
      return `${errors.length} error answers, ${ctx.holders.size} holders`;
    },
  },
];
