import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCardFiles } from '../../../services/card/card-data.js';
import { createCard, createIssuerCa } from '../../../services/card/card-factory.js';
import { KENHOJO_AID_HEX, writeCardFile } from '../../../services/card/card-file.js';
import { presentCard, type CardBody, type KitCard } from '../cards.js';
import type { ClassifiedCard } from '../discover.js';
import { endSession, openSession, openWithCard } from './flow.js';
import { expectProblem, expectThat, notRun, type Check, type KitContext } from './kit.js';
import { issuable } from './session-checks.js';

/** Presents `card` on a fresh session with its body changed by `tamper`, answers the card POST. */
async function submitTampered(ctx: KitContext, card: KitCard, tamper: (body: CardBody) => CardBody) {
  const { sid, challenge } = await openSession(ctx);
  try {
    const { body, holder } = await presentCard(card, challenge);
    ctx.holders.set(holder.myNumber, holder);
    return await ctx.kiosk.call('POST', `/v1/sessions/${sid}/card`, tamper(body));
  } finally {
    await endSession(ctx.kiosk, sid);
  }
}

/** Replaces one byte of a base64 field. */
function patch(b64: string, at: (bytes: Buffer) => number, value: (old: number) => number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at(bytes);
  if (i < 0 || i >= bytes.length) throw new TypeError('tamper position outside the file');
  bytes[i] = value(bytes[i]!);
  return bytes.toString('base64');
}

/** Another digit, so the data stays well-formed and only the signature can catch it. */
const otherDigit = (step: number) => (b: number) => 0x30 + ((b - 0x30 + step) % 10);

function only(list: ClassifiedCard[], what: string, hint: string): ClassifiedCard {
  const c = list[0];
  if (!c) notRun(`no card among the card files is ${what}; ${hint}`);
  return c;
}

/** Step 3 (endpoint 3) and each card error of PROTOCOL.md. */
export const cardChecks: Check[] = [
  {
    id: 'card.accepted',
    group: 'card',
    title: 'POST …/card answers { holder: { name, birthDate }, municipalities[], feePerCopy } for the card read',
    async run(ctx) {
      const c = issuable(ctx);
      const { sid, answer, holder } = await openWithCard(ctx, c.card);
      await endSession(ctx.kiosk, sid);
      const j = answer.json;
      expectThat(j?.holder?.name === holder.name, 'holder.name differs from the name on the card');
      expectThat(j.holder.birthDate === holder.birthDate, 'holder.birthDate differs from the birth date on the card (YYYY-MM-DD)');
      expectThat(Array.isArray(j.municipalities) && j.municipalities.length > 0, 'municipalities is not a non-empty array');
      for (const m of j.municipalities as Record<string, unknown>[]) {
        expectThat(typeof m.code === 'string' && /^\d{6}$/.test(m.code), `municipality code ${JSON.stringify(m.code)} is not 6 digits`);
        expectThat(typeof m.name === 'string' && m.name.length > 0, `municipality ${String(m.code)} has no name`);
        expectThat(typeof m.domestic === 'boolean' && typeof m.overseas === 'boolean', `municipality ${String(m.code)}: domestic/overseas are not booleans`);
        expectThat(
          m.unavailableReason === undefined || typeof m.unavailableReason === 'string',
          `municipality ${String(m.code)}: unavailableReason is not a string`,
        );
        expectThat(!(m.overseas === true && m.domestic === false), `municipality ${String(m.code)} offers overseas but not domestic`);
      }
      expectThat(Number.isInteger(j.feePerCopy) && j.feePerCopy >= 0, `feePerCopy ${JSON.stringify(j.feePerCopy)} is not a whole number of yen`);
    },
  },
  {
    id: 'card.format',
    group: 'card',
    title: 'malformed card data (EF0002 cut short) is refused with 422 ERR_CARD_FORMAT',
    async run(ctx) {
      const c = issuable(ctx);
      const a = await submitTampered(ctx, c.card, (b) => ({ ...b, ef0002: Buffer.from(b.ef0002, 'base64').subarray(0, -3).toString('base64') }));
      expectProblem(a, 422, ['ERR_CARD_FORMAT']);
    },
  },
  {
    id: 'card.tampered-my-number',
    group: 'card',
    title: 'a changed My Number digit (EF0001, H1 no longer matches) is refused with 422 ERR_CARD_SIGNATURE',
    async run(ctx) {
      const c = issuable(ctx);
      // FF 10 0C, then 12 digits: change the 11th.
      const a = await submitTampered(ctx, c.card, (b) => ({ ...b, ef0001: patch(b.ef0001, () => 13, otherDigit(1)) }));
      expectProblem(a, 422, ['ERR_CARD_SIGNATURE']);
    },
  },
  {
    id: 'card.tampered-birth-date',
    group: 'card',
    title: 'a changed birth date (EF0002, H2 no longer matches) is refused with 422 ERR_CARD_SIGNATURE',
    async run(ctx) {
      const c = issuable(ctx);
      const a = await submitTampered(ctx, c.card, (b) => ({
        ...b,
        // DF24 08 YYYYMMDD: the tens of the year move by 20, which keeps 29 February valid.
        ef0002: patch(
          b.ef0002,
          (bytes) => {
            const i = bytes.indexOf(Buffer.from([0xdf, 0x24, 0x08]));
            return i < 0 ? -1 : i + 3 + 2;
          },
          otherDigit(2),
        ),
      }));
      expectProblem(a, 422, ['ERR_CARD_SIGNATURE']);
    },
  },
  {
    id: 'card.tampered-signature',
    group: 'card',
    title: 'a changed integrity signature (EF0003 DF33) is refused with 422 ERR_CARD_SIGNATURE',
    async run(ctx) {
      const c = issuable(ctx);
      const a = await submitTampered(ctx, c.card, (b) => ({
        ...b,
        ef0003: patch(
          b.ef0003,
          (bytes) => bytes.length - 40,
          (x) => x ^ 0x5a,
        ),
      }));
      expectProblem(a, 422, ['ERR_CARD_SIGNATURE']);
    },
  },
  {
    id: 'card.foreign-cv-certificate',
    group: 'card',
    title: 'a card whose CV certificate comes from a CA the relay does not trust is refused with 422 ERR_CARD_CHAIN',
    async run(ctx) {
      const c = issuable(ctx);
      // The same holder data as a real card, on a card made by the kit's own issuer CA.
      const { sid, challenge } = await openSession(ctx);
      const dir = await mkdtemp(join(tmpdir(), 'conformance-foreign-'));
      try {
        const { files } = await presentCard(c.card, challenge);
        const p = parseCardFiles(files);
        const [familyName, ...given] = p.name.split('\u3000');
        const ca = await createIssuerCa();
        const file = await createCard(
          {
            label: 'conformance: foreign CA',
            myNumber: p.myNumber,
            familyName: familyName!,
            givenName: given.join('\u3000') || familyName!,
            address: p.address,
            birthDate: p.birthDate,
            sex: p.sex,
            card: { pin: '1234', triesLeft: 3 },
          },
          { issuerKeyId: ca.keyId, issuerPrivateKey: ca.privateKey },
        );
        const path = join(dir, 'foreign.json');
        await writeCardFile(path, file);
        const foreign: KitCard = { file: 'foreign.json', cardId: file.cardId, label: file.label, path, pin: file.aps[KENHOJO_AID_HEX].pin.value, triesLeft: 3 };
        const { body } = await presentCard(foreign, challenge);
        const a = await ctx.kiosk.call('POST', `/v1/sessions/${sid}/card`, body);
        expectProblem(a, 422, ['ERR_CARD_CHAIN']);
      } finally {
        await endSession(ctx.kiosk, sid);
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
  {
    id: 'card.replayed-challenge',
    group: 'card',
    title: "card data signed for one session's challenge and replayed on a new session is refused with 422 ERR_CARD_CHALLENGE",
    async run(ctx) {
      const c = issuable(ctx);
      const first = await openWithCard(ctx, c.card);
      await endSession(ctx.kiosk, first.sid);
      const { sid } = await openSession(ctx);
      try {
        const a = await ctx.kiosk.call('POST', `/v1/sessions/${sid}/card`, first.body);
        expectProblem(a, 422, ['ERR_CARD_CHALLENGE']);
      } finally {
        await endSession(ctx.kiosk, sid);
      }
    },
  },
  {
    id: 'card.suspended',
    group: 'card',
    title: 'a card on the suspension list is refused with 422 ERR_CARD_SUSPENDED',
    async run(ctx) {
      const c = only(ctx.discovery.suspended, 'suspended', "put one card's key-ID on the relay's suspension list");
      const a = await submitTampered(ctx, c.card, (b) => b);
      expectProblem(a, 422, ['ERR_CARD_SUSPENDED']);
    },
  },
  {
    id: 'card.no-records',
    group: 'card',
    title: 'a card whose holder has records nowhere is answered 404 ERR_NO_RECORDS',
    async run(ctx) {
      const c = only(ctx.discovery.noRecords, 'without records', 'add a card whose My Number no municipality holds');
      const a = await submitTampered(ctx, c.card, (b) => b);
      expectProblem(a, 404, ['ERR_NO_RECORDS']);
    },
  },
];
