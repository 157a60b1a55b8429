/**
 * Issue 15, portal finding: creating staff with an address of another municipality answered 409
 * ERR_STAFF_EXISTS, which told that the address has an account elsewhere. Staff are now added by
 * invitation: the inviting municipality gets the same answer, the same mail goes out and its list
 * shows the same state whether or not the address is taken; only the owner of the address, who
 * holds the link, learns that it has an account already. Real PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DB_KINDS } from '../helpers/vrs-db.js';
import { acceptInvitation, addStaff, invite, loggedIn, portalFixture, TOWN_A, TOWN_B, type PortalFixture } from '../integration/portal/portal-fixture.js';

/** What an answer or mail tells, with the parts that differ anyway (ids, addresses, times, tokens) blanked. */
const shape = (value: unknown, email: string): string =>
  JSON.stringify(value)
    .replaceAll(email, '<email>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/token=[A-Za-z0-9_-]{43}/g, 'token=<token>')
    .replace(/Message-ID: <[^>]+>/g, 'Message-ID: <id>');

describe.each(DB_KINDS)('adding staff reveals nothing about other municipalities (%s)', (kind) => {
  let f: PortalFixture;
  beforeAll(async () => {
    f = await portalFixture(kind, inject('databaseUrl'));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('answers, mails and lists an address of another municipality exactly like a free one', async () => {
    const elsewhere = await addStaff(f.db, TOWN_B.code, { email: 'kakari@city.takaoka.lg.jp' });
    const free = 'atarashii@city.takaoka.lg.jp';
    const session = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const hashBefore = (await f.db.query<{ password_hash: string }>('SELECT password_hash FROM staff WHERE id = $1', [elsewhere.id])).rows[0]!.password_hash;

    const taken = await invite(f, session, elsewhere.email);
    const fresh = await invite(f, session, free);
    expect(taken.res.status).toBe(202);
    expect(fresh.res.status).toBe(taken.res.status);
    expect(shape(taken.res.body, elsewhere.email)).toBe(shape(fresh.res.body, free));
    expect(Object.keys(taken.res.headers).sort()).toEqual(Object.keys(fresh.res.headers).sort());
    // The same mail, with its own link, goes to both addresses.
    expect(taken.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(shape(taken.mail!.replace(/^Date: .*$/m, ''), elsewhere.email)).toBe(shape(fresh.mail!.replace(/^Date: .*$/m, ''), free));

    const listed = (await session.agent.get('/api/v1/staff').expect(200)).body.items as Array<{ email: string; status: string }>;
    const statusOf = (email: string) => listed.find((i) => i.email === email)?.status;
    expect(statusOf(elsewhere.email)).toBe('invited');
    expect(statusOf(free)).toBe('invited');

    // The owner of the taken address opens the link: only they are told, and their account is untouched.
    const refused = await acceptInvitation(f, taken.token!).expect(409);
    expect(refused.body.code).toBe('ERR_STAFF_EXISTS');
    const row = (
      await f.db.query<{ municipality_code: string; password_hash: string }>('SELECT municipality_code, password_hash FROM staff WHERE email = $1', [
        elsewhere.email,
      ])
    ).rows;
    expect(row).toEqual([{ municipality_code: TOWN_B.code, password_hash: hashBefore }]);
    // The inviting municipality still sees an invitation waiting, as for any unanswered one.
    const after = (await session.agent.get('/api/v1/staff').expect(200)).body.items as Array<{ email: string; status: string }>;
    expect(after.find((i) => i.email === elsewhere.email)?.status).toBe('invited');

    // A free address becomes an account of the inviting municipality.
    await acceptInvitation(f, fresh.token!).expect(201);
    expect((await f.db.query<{ municipality_code: string }>('SELECT municipality_code FROM staff WHERE email = $1', [free])).rows).toEqual([
      { municipality_code: TOWN_A.code },
    ]);
  });

  it('makes one account when the same link is used twice at the same moment', async () => {
    const session = await loggedIn(f, (await addStaff(f.db, TOWN_A.code)).email);
    const { token } = await invite(f, session, 'douji@city.chiyoda.lg.jp');
    const answers = await Promise.all([acceptInvitation(f, token!), acceptInvitation(f, token!)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 404]);
    expect(answers.find((a) => a.status === 404)!.body.code).toBe('ERR_INVITATION_INVALID');
    const rows = await f.db.query<{ n: number }>('SELECT count(*)::int AS n FROM staff WHERE email = $1', ['douji@city.chiyoda.lg.jp']);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('refuses a made-up or malformed invitation token with a coded error', async () => {
    const unknown = await acceptInvitation(f, 'A'.repeat(43)).expect(404);
    expect(unknown.body.code).toBe('ERR_INVITATION_INVALID');
    const malformed = await acceptInvitation(f, 'not a token').expect(400);
    expect(malformed.body.code).toBe('ERR_BAD_REQUEST');
  });
});
