import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withMunicipality, type Database } from '../../../services/vrs/db/database.js';
import { launchChromium, logIn, newOfficeContext, poll, screenshot } from './browser.js';
import { DEMO_PASSWORD, demoStaffEmail, mailSeen, startPortalStack, waitForCode, waitForMail, type PortalStack } from './portal-stack.js';

const CHIYODA = '131016';
const TAKAOKA = '162027';
/** The login test spends one-time codes of its own account (the portal limits codes per account). */
const SAPPORO = '011002';

/** JST calendar day `n` days from today. */
const jstDay = (n = 0): string => new Date(Date.now() + 9 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

/** An issued certificate row, written as the municipality (row-level security applies). */
async function addIssuance(
  db: Database,
  code: string,
  row: { issuedAt: string; kind: 'domestic' | 'overseas'; copies: number; atena: string },
): Promise<string> {
  const id = randomBytes(6).toString('hex').toUpperCase();
  await withMunicipality(db, code, (tx) =>
    tx.query(
      `INSERT INTO certificate_issuances (certificate_id, municipality_code, atena_number, kind, channel, status, reserved_at, issued_at, copies, fee, kiosk_id, store_id, source)
     VALUES ($1, $2, $3, $4, 'kiosk', 'issued', $5::timestamptz, $5::timestamptz, $6, $7, 'KIOSK-0002', 'STORE-0002', '{}'::jsonb)`,
      [id, code, row.atena, row.kind, row.issuedAt, row.copies, row.copies * 120],
    ),
  );
  return id;
}

async function residentCount(db: Database, code: string): Promise<number> {
  return withMunicipality(db, code, async (tx) => Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM residents')).rows[0]?.n ?? 0));
}

describe('municipality portal pages (Chromium)', { timeout: 120_000 }, () => {
  let stack: PortalStack;
  let browser: Browser;
  const chiyodaIds: string[] = [];

  beforeAll(async () => {
    stack = await startPortalStack('postgres', inject('databaseUrl'));
    browser = await launchChromium();
    // 60 issued certificates of Chiyoda over the last five days (more than one page of 50), and
    // a few of Takaoka that Chiyoda's staff must never see.
    for (let i = 0; i < 60; i++) {
      const at = new Date(Date.now() - (i % 5) * 86_400_000 - i * 60_000).toISOString();
      chiyodaIds.push(
        await addIssuance(stack.db, CHIYODA, {
          issuedAt: at,
          kind: i % 3 === 0 ? 'overseas' : 'domestic',
          copies: 1 + (i % 2),
          atena: `1000000000${String(i).padStart(5, '0')}`,
        }),
      );
    }
    for (let i = 0; i < 3; i++)
      await addIssuance(stack.db, TAKAOKA, { issuedAt: new Date().toISOString(), kind: 'domestic', copies: 1, atena: '900000000000009' });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('logs in with the mailed code, with clear messages for a wrong password, a wrong code, an expired code and a locked challenge', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    const email = demoStaffEmail(SAPPORO);
    const message = page.locator('#login-message');

    // Not logged in: the portal sends the browser to the login page.
    await page.goto(`${stack.portalUrl}/`);
    await page.waitForURL(/\/login\.html$/);
    await poll(() => page.locator('#email').evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'login-step1');

    // Wrong password.
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong password');
    await page.keyboard.press('Enter');
    await poll(() => message.textContent()).toContain('メールアドレスまたはパスワードが正しくありません');

    // Right password: step 2; a wrong code says how many tries are left.
    let seen = await mailSeen(stack.mailDir);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#password').press('Enter');
    await page.locator('#code').waitFor({ state: 'visible' });
    await poll(() => page.locator('#code').evaluate((el) => el === document.activeElement)).toBe(true);
    let code = await waitForCode(stack.mailDir, email, seen);
    const wrong = code === '000000' ? '111111' : '000000';
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await poll(() => message.textContent()).toContain('確認コードが正しくありません。あと 4 回');
    await screenshot(page, 'login-step2-wrong-code');

    // Four more wrong codes lock the challenge; even the right code is refused then.
    for (let i = 0; i < 4; i++) {
      await page.locator('#code').fill(wrong);
      await page.locator('#code').press('Enter');
      await poll(() => message.textContent()).toMatch(i < 3 ? `あと ${3 - i} 回` : 'ロックされました');
    }
    await page.locator('#password-step').waitFor({ state: 'visible' });
    await screenshot(page, 'login-locked');

    // Expired: a new challenge whose lifetime has passed.
    seen = await mailSeen(stack.mailDir);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#password').press('Enter');
    await page.locator('#code').waitFor({ state: 'visible' });
    code = await waitForCode(stack.mailDir, email, seen);
    await withMunicipality(stack.db, SAPPORO, (tx) =>
      tx.query("UPDATE portal_login_challenges SET expires_at = now() - interval '1 minute' WHERE ended IS NULL"),
    );
    await page.locator('#code').fill(code);
    await page.locator('#code').press('Enter');
    await poll(() => message.textContent()).toContain('有効期限が切れている');

    // And finally the right code of a fresh challenge logs in.
    seen = await mailSeen(stack.mailDir);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('#password').press('Enter');
    await page.locator('#code').waitFor({ state: 'visible' });
    await page.locator('#code').fill(await waitForCode(stack.mailDir, email, seen));
    await page.locator('#code').press('Enter');
    await page.waitForURL(`${stack.portalUrl}/`);
    await poll(() => page.locator('[data-testid="municipality"]').textContent()).toBe('札幌市（011002）');

    // Logging out ends the session: the portal goes back to the login page.
    await page.locator('#logout').click();
    await page.waitForURL(/\/login\.html\?reason=logout$/);
    await page.goto(`${stack.portalUrl}/staff.html`);
    await page.waitForURL(/\/login\.html/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows only the municipality's issuances, pages them, totals them, charts them, and the CSV download matches the table", async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    await logIn(page, stack, demoStaffEmail(CHIYODA));
    const rows = page.locator('#issuances tbody tr');
    await poll(() => rows.count()).toBe(50);
    await poll(() => page.locator('#total-count').textContent()).toBe('60');
    await poll(() => page.locator('#total-copies').textContent()).toBe('90');
    await poll(() => page.locator('#total-fee').textContent()).toBe('10,800');
    await poll(() => page.locator('#total-overseas').textContent()).toBe('20');
    await poll(() => page.locator('#page-text').textContent()).toContain('全 60 件中 1〜50 件目');
    // The chart is drawn (Chart.js from /vendor) with one bar group per day of the period.
    const chart = await page.evaluate(() => {
      const c = (window as unknown as { Chart: { getChart(el: Element): { data: { labels: string[]; datasets: Array<{ data: number[] }> } } } }).Chart.getChart(
        document.getElementById('chart')!,
      );
      return { labels: c.data.labels.length, sums: c.data.datasets.map((d) => d.data.reduce((a, b) => a + b, 0)) };
    });
    expect(chart).toEqual({ labels: 30, sums: [40, 20] });
    await screenshot(page, 'issuances');

    const tableIds = async (): Promise<string[]> =>
      page.locator('#issuances tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-certificate-id') ?? ''));
    const firstPage = await tableIds();
    await page.getByRole('button', { name: '次のページ' }).click();
    await poll(() => page.locator('#page-text').textContent()).toContain('51〜60 件目');
    const secondPage = await tableIds();
    expect(new Set([...firstPage, ...secondPage])).toEqual(new Set(chiyodaIds));

    // Narrow the period to today with the date fields and the keyboard.
    await page.locator('#from').fill(jstDay(0));
    await page.locator('#to').fill(jstDay(0));
    await page.locator('#to').press('Enter');
    await poll(() => page.locator('#range-text').textContent()).toContain(`${jstDay(0)} から ${jstDay(0)} まで`);
    // Wait until the table shows the new period (every row issued today).
    await poll(() =>
      page
        .locator('#issuances tbody tr td:nth-child(9)')
        .evaluateAll((tds, day) => tds.length > 0 && tds.every((td) => td.textContent!.startsWith(day)), jstDay(0)),
    ).toBe(true);
    const cells = await page
      .locator('#issuances tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-link').click()]);
    const csv = await readFile((await download.path())!);
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const records = parse(csv.subarray(3).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    const fromCsv = records.map((r) => [
      r['証明書ID'],
      r['個別宛名番号'],
      r['種類'] === 'overseas' ? '海外用' : '国内用',
      r['交付方法'] === 'kiosk' ? 'コンビニ交付' : r['交付方法'],
      r['部数'],
      `${Number(r['手数料']).toLocaleString('ja-JP')} 円`,
      r['店舗ID'],
      r['端末ID'],
      r['交付日時']!.slice(0, 19).replace('T', ' '),
    ]);
    expect(fromCsv).toEqual(cells);
    expect(download.suggestedFilename()).toBe(`issuances-${CHIYODA}-${jstDay(0)}-${jstDay(0)}.csv`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a bad CSV shows each bad row and column, says nothing was changed, and changes nothing; a good one is applied', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    await logIn(page, stack, demoStaffEmail(CHIYODA));
    await page.getByRole('link', { name: 'データ取込' }).click();
    await page.waitForURL(/imports\.html$/);
    const before = await residentCount(stack.db, CHIYODA);

    const header = '個別宛名番号,マイナンバー,氏名（姓）,氏名（名）,氏名（セイ）,氏名（メイ）,生年月日,性別,券番号,転出/死亡フラグ';
    const bad = [
      header,
      '555000000000001,,試験,一郎,シケン,イチロウ,19800101,1,0000000001,', // fine on its own
      '555000000000002,123456789012,試験,二郎,シケン,ジロウ,19800230,1,0000000002,', // bad My Number, bad date
      '555000000000003,,試験,三郎,シケン,サブロウ,19800303,1,0000000003,7', // bad flag
    ].join('\r\n');
    await page.locator('#file-residents').setInputFiles({ name: 'residents-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: '接種対象者を取り込む' }).click();
    const report = page.locator('#report');
    await poll(() => report.getAttribute('data-outcome')).toBe('rejected');
    await poll(() => page.locator('#report-message').textContent()).toContain('データは一切変更されていません');
    const errorRows = await page
      .locator('#error-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent]));
    expect(errorRows).toEqual(
      expect.arrayContaining([
        ['3 行目', 'マイナンバー'],
        ['3 行目', '生年月日'],
        ['4 行目', '転出/死亡フラグ'],
      ]),
    );
    expect(errorRows.some(([row]) => row === '2 行目')).toBe(false);
    await screenshot(page, 'imports-rejected', true);
    expect(await residentCount(stack.db, CHIYODA)).toBe(before);

    // The same kind of file without errors is applied and reported.
    const good = [header, '555000000000001,,試験,一郎,シケン,イチロウ,19800101,1,0000000001,'].join('\r\n');
    await page.locator('#file-residents').setInputFiles({ name: 'residents-good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.locator('#file-residents').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await poll(() => report.getAttribute('data-outcome')).toBe('applied');
    await poll(() => page.locator('#report-message').textContent()).toContain('取込が完了しました');
    await poll(() => page.locator('#report-facts').textContent()).toContain('1 件');
    expect(await residentCount(stack.db, CHIYODA)).toBe(before + 1);
    await screenshot(page, 'imports-applied');

    // A vaccinations file naming an unknown 宛名番号 is refused too, and says which row.
    const vacc = [
      '個別宛名番号,接種回数,接種日,ワクチン種類,メーカー,製品名,ロット番号,接種量,接種会場,接種自治体コード',
      '555999999999999,1,20210601,mRNA,ファイザー,コミナティ筋注,AB1234,0.3,区役所,131016',
    ].join('\r\n');
    await page.locator('#file-vaccinations').setInputFiles({ name: 'vacc.csv', mimeType: 'text/csv', buffer: Buffer.from(vacc) });
    await page.getByRole('button', { name: '接種記録を取り込む' }).click();
    await poll(() => report.getAttribute('data-outcome')).toBe('rejected');
    await poll(() => page.locator('#error-table tbody').textContent()).toContain('2 行目');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('suspends and resumes the kiosk service after confirmation, showing since when it is suspended', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    await logIn(page, stack, demoStaffEmail(TAKAOKA));
    await page.getByRole('link', { name: 'サービス停止・再開' }).click();
    const sw = page.getByRole('switch');
    await poll(() => sw.getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'service-running');

    // Cancelling the dialog changes nothing.
    await sw.focus();
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await poll(() => page.locator('#confirm-cancel').evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'service-confirm');
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    await poll(() => sw.getAttribute('aria-checked')).toBe('true');
    expect(await suspendedOf(stack.db, TAKAOKA)).toBe(false);

    await sw.click();
    await page.getByRole('button', { name: '停止する' }).click();
    await poll(() => sw.getAttribute('aria-checked')).toBe('false');
    await poll(() => page.locator('#service-state').textContent()).toContain('停止中');
    await poll(() => page.locator('#service-since').textContent()).toContain(`${jstDay(0)} `);
    await poll(() => page.locator('#service-since').textContent()).toContain('から停止しています');
    expect(await suspendedOf(stack.db, TAKAOKA)).toBe(true);
    await screenshot(page, 'service-suspended');

    await page.reload();
    await poll(() => page.getByRole('switch').getAttribute('aria-checked')).toBe('false');
    await page.getByRole('switch').click();
    await page.getByRole('button', { name: '再開する' }).click();
    await poll(() => page.getByRole('switch').getAttribute('aria-checked')).toBe('true');
    await poll(() => page.locator('#service-since').textContent()).toBe('');
    expect(await suspendedOf(stack.db, TAKAOKA)).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists, invites (lg.jp only; the invited person sets the password) and disables staff accounts, and the audit log shows those operations', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    const me = demoStaffEmail(TAKAOKA);
    await logIn(page, stack, me);
    await page.getByRole('link', { name: '職員アカウント' }).click();
    await poll(() => page.locator(`#staff-table tr[data-email="${me}"]`).textContent()).toContain('ログイン中');

    await page.getByLabel('メールアドレス').fill('someone@example.com');
    await page.getByLabel('メールアドレス').press('Enter');
    await poll(() => page.locator('#message').textContent()).toContain('lg.jp のアドレス');

    const added = `hanako.takaoka-${randomBytes(2).toString('hex')}@city.takaoka.lg.jp`;
    const seen = await mailSeen(stack.mailDir);
    await page.getByLabel('メールアドレス').fill(added);
    await page.getByRole('button', { name: '招待を送る' }).click();
    await poll(() => page.locator('#message').textContent()).toContain('招待のメールを送りました');
    const row = page.locator(`#staff-table tr[data-email="${added}"]`);
    await poll(() => row.textContent()).toContain('招待中');
    await poll(() => page.locator('#invited-count').textContent()).toBe('1');

    // The invited person opens the mailed link in their own browser and sets a password.
    const link = await waitForMail(stack.mailDir, added, seen, /^(http:\/\/127\.0\.0\.1:\d+\/invitation\.html#token=[A-Za-z0-9_-]{43})\r?$/m);
    const invitee = await newOfficeContext(browser);
    await invitee.page.goto(link);
    await invitee.page.getByLabel('パスワード（12 文字以上）').fill('a-long-enough-password');
    await invitee.page.getByLabel('パスワード（確認のためもう一度）').fill('a-long-enough-password');
    await invitee.page.getByRole('button', { name: 'アカウントを使い始める' }).click();
    await poll(() => invitee.page.locator('#invitation-message').textContent()).toContain('アカウントが使えるようになりました');
    expect(invitee.page.url()).not.toContain('token=');
    await screenshot(invitee.page, 'invitation');
    expect(invitee.errors).toEqual([]);
    await invitee.context.close();

    await page.reload();
    await poll(() => row.textContent()).toContain('有効');
    await poll(() => page.locator('#active-count').textContent()).toBe('2');

    await row.getByRole('button', { name: /無効にする/ }).click();
    await page.locator('#confirm-ok').click();
    await poll(() => row.textContent()).toContain('無効');
    await poll(() => page.locator('#active-count').textContent()).toBe('1');
    await screenshot(page, 'staff');

    await page.getByRole('link', { name: '操作ログ' }).click();
    const audit = page.locator('#audit-table tbody');
    await poll(() => audit.textContent()).toContain('職員アカウントの無効化');
    await poll(() => audit.textContent()).toContain('職員アカウントの追加');
    await poll(() => audit.textContent()).toContain(`対象職員: ${added}`);
    await poll(() => audit.textContent()).toContain('ログイン');
    await screenshot(page, 'audit');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the statistics for the state as counts only', async () => {
    const { context, page, errors } = await newOfficeContext(browser);
    await logIn(page, stack, demoStaffEmail(CHIYODA));
    await page.getByRole('link', { name: '国への統計' }).click();
    await poll(() => page.locator('#sum-issuances').textContent()).toBe('60');
    await poll(() => page.locator('#sum-copies').textContent()).toBe('90');
    const headers = await page.locator('#stats-table thead th').allTextContents();
    expect(headers).toEqual(['日付', '種類', '交付件数', '部数']);
    const text = await page.locator('#stats-table').textContent();
    for (const id of chiyodaIds) expect(text).not.toContain(id);
    expect(text).not.toMatch(/1000000000\d{5}/);
    // What the page reads holds counts per day and kind, nothing else.
    const api = (await page.evaluate(async () => (await fetch('/api/v1/statistics')).json())) as { days: Array<Record<string, unknown>> };
    for (const d of api.days) expect(Object.keys(d).sort()).toEqual(['copies', 'date', 'issuances', 'kind']);
    await screenshot(page, 'statistics');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves the pages with a strict Content-Security-Policy and Chart.js from node_modules', async () => {
    const page = await fetch(`${stack.portalUrl}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=/);
    const chart = await fetch(`${stack.portalUrl}/vendor/chart.umd.js`);
    expect(chart.status).toBe(200);
    expect(await chart.text()).toContain('Chart.js v4');
    // The router's own source is not served.
    expect((await fetch(`${stack.portalUrl}/router.ts`)).status).toBe(404);
  });
});

async function suspendedOf(db: Database, code: string): Promise<boolean> {
  return withMunicipality(
    db,
    code,
    async (tx) => (await tx.query<{ suspended: boolean }>('SELECT suspended FROM municipalities WHERE code = $1', [code])).rows[0]?.suspended ?? false,
  );
}
