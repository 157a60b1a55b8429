import type { ClassifiedCard, MenuItem } from '../discover.js';
import { describe } from '../relay-client.js';
import { createRequest, endSession, offering, openWithCard } from './flow.js';
import { expectProblem, expectThat, identifierBits, notRun, type Check, type KitContext } from './kit.js';
import { issuable } from './session-checks.js';

/** Opens a session with `c`'s card and asks for `choice`; answers the request POST. */
async function ask(ctx: KitContext, c: ClassifiedCard, choice: { municipality: string; kind: 'domestic' | 'overseas'; copies: number }) {
  const { sid } = await openWithCard(ctx, c.card);
  try {
    return await ctx.kiosk.call('POST', `/v1/sessions/${sid}/requests`, choice);
  } finally {
    await endSession(ctx.kiosk, sid);
  }
}

function pick(list: ClassifiedCard[], pred: (m: MenuItem) => boolean, what: string): { c: ClassifiedCard; m: MenuItem } {
  for (const c of list) {
    const m = c.menu?.find(pred);
    if (m) return { c, m };
  }
  notRun(`no card among the card files ${what}`);
}

/** Step 4 (endpoint 4): the answer and each refusal PROTOCOL.md names. */
export const requestChecks: Check[] = [
  {
    id: 'request.created',
    group: 'request',
    title: 'POST …/requests answers 201 { requestId, fee, copies, pages, preview, expiresAt } for the holder of the card',
    async run(ctx) {
      const c = issuable(ctx);
      const { sid, holder, answer: card } = await openWithCard(ctx, c.card);
      try {
        const m = offering(card.json.municipalities as MenuItem[], 'domestic');
        expectThat(m, 'the card answer offers no domestic certificate any more');
        const { rid, answer } = await createRequest(ctx.kiosk, sid, { municipality: m.code, kind: 'domestic', copies: 2 });
        const j = answer.json;
        expectThat(identifierBits(rid) >= 128, `requestId "${rid.slice(0, 4)}…" carries fewer than 128 random bits`);
        expectThat(j.copies === 2, `copies is ${JSON.stringify(j.copies)}, asked 2`);
        expectThat(j.fee === card.json.feePerCopy * 2, `fee ${JSON.stringify(j.fee)} is not 2 × feePerCopy ${card.json.feePerCopy}`);
        expectThat(Number.isInteger(j.pages) && j.pages >= 1, `pages ${JSON.stringify(j.pages)} is not a page count`);
        expectThat(j.preview?.issuer === m.name, `preview.issuer ${JSON.stringify(j.preview?.issuer)} is not the chosen municipality ${m.name}`);
        expectThat(j.preview.name === holder.name && j.preview.birthDate === holder.birthDate, "preview name or birth date is not the card holder's");
        expectThat(Array.isArray(j.preview.doses) && j.preview.doses.length > 0, 'preview.doses is empty');
        for (const d of j.preview.doses as Record<string, unknown>[]) {
          expectThat(
            Number.isInteger(d.dose) && typeof d.date === 'string' && typeof d.product === 'string' && typeof d.lot === 'string',
            'a dose lacks dose, date, product or lot',
          );
        }
        const exp = Date.parse(String(j.expiresAt));
        expectThat(Number.isFinite(exp) && exp > Date.now(), `expiresAt ${JSON.stringify(j.expiresAt)} is not a future time`);
      } finally {
        await endSession(ctx.kiosk, sid);
      }
    },
  },
  {
    id: 'request.two-municipalities',
    group: 'request',
    title: 'a holder with records in two municipalities gets, from each, a certificate issued by that one',
    async run(ctx) {
      const c = ctx.discovery.twoMunicipalities[0];
      if (!c) notRun('no card among the card files has records in two municipalities');
      const offered = c.menu!.filter((m) => m.domestic);
      expectThat(offered.length > 0, 'none of its municipalities offers a certificate');
      const seen: string[] = [];
      for (const m of offered) {
        const a = await ask(ctx, c, { municipality: m.code, kind: 'domestic', copies: 1 });
        expectThat(a.status === 201, `${m.code}: ${describe(a)}`);
        expectThat(a.json.preview?.issuer === m.name, `asked ${m.code} ${m.name}, preview.issuer is ${JSON.stringify(a.json.preview?.issuer)}`);
        seen.push(m.code);
      }
      return `issued by ${seen.join(', ')} of ${c.menu!.length} municipalities`;
    },
  },
  {
    id: 'request.copies-out-of-range',
    group: 'request',
    title: 'copies 0 and 6 are refused (422 ERR_COPIES or 400 ERR_BAD_REQUEST)',
    async run(ctx) {
      const c = issuable(ctx);
      const m = offering(c.menu!, 'domestic')!;
      const codes: string[] = [];
      for (const copies of [0, 6]) {
        const a = await ask(ctx, c, { municipality: m.code, kind: 'domestic', copies });
        codes.push(`${copies}: ${expectProblem(a, [400, 422], ['ERR_COPIES', 'ERR_BAD_REQUEST'])}`);
      }
      return codes.join(', ');
    },
  },
  {
    id: 'request.overseas-without-passport',
    group: 'request',
    title: 'an overseas certificate without passport data on file is refused with 422 ERR_NO_PASSPORT_ON_FILE',
    async run(ctx) {
      const { c, m } = pick(ctx.discovery.withoutPassport, (x) => x.domestic && !x.overseas, 'has a municipality offering domestic but not overseas');
      expectProblem(await ask(ctx, c, { municipality: m.code, kind: 'overseas', copies: 1 }), 422, ['ERR_NO_PASSPORT_ON_FILE']);
    },
  },
  {
    id: 'request.municipality-without-records',
    group: 'request',
    title: 'a municipality holding no records of the holder is refused with 422 ERR_MUNICIPALITY_UNAVAILABLE',
    async run(ctx) {
      const c = issuable(ctx);
      const own = new Set(c.menu!.map((m) => m.code));
      const candidates = [...ctx.discovery.classified.flatMap((x) => x.menu ?? []).map((m) => m.code), '131016', '011002', '271004', '012025'];
      const code = candidates.find((x) => !own.has(x));
      expectThat(code, "could not find a municipality code outside the holder's menu");
      expectProblem(await ask(ctx, c, { municipality: code, kind: 'domestic', copies: 1 }), 422, ['ERR_MUNICIPALITY_UNAVAILABLE']);
      return `asked ${code}`;
    },
  },
  {
    id: 'request.municipality-unavailable',
    group: 'request',
    title: 'a municipality that does not take part or has suspended the service is refused with 422 ERR_MUNICIPALITY_UNAVAILABLE',
    async run(ctx) {
      const { c, m } = pick(
        ctx.discovery.municipalityUnavailable,
        (x) => !x.domestic && (x.unavailableReason === 'not_participating' || x.unavailableReason === 'suspended'),
        'has a municipality marked not_participating or suspended',
      );
      expectProblem(await ask(ctx, c, { municipality: m.code, kind: 'domestic', copies: 1 }), 422, ['ERR_MUNICIPALITY_UNAVAILABLE']);
      return `${m.code} (${m.unavailableReason})`;
    },
  },
  {
    id: 'request.not-issuable',
    group: 'request',
    title: 'records that cannot be issued (e.g. a resident flagged deceased) are refused with 422',
    async run(ctx) {
      const { c, m } = pick(
        ctx.discovery.notIssuable,
        (x) => !x.domestic && x.unavailableReason === 'not_issuable',
        'has a municipality marked not_issuable (e.g. a resident flagged deceased)',
      );
      return expectProblem(await ask(ctx, c, { municipality: m.code, kind: 'domestic', copies: 1 }), 422, ['ERR_NOT_ISSUABLE', 'ERR_MUNICIPALITY_UNAVAILABLE']);
    },
  },
];
