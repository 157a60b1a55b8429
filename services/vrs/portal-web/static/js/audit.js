// 操作ログ: the staff operations log of the municipality, newest first, paged.
import { api, errorMessage } from './api.js';
import { byId } from './dom.js';
import { count, el, jstText, runPage, showMessage, startPage } from './layout.js';

const PAGE_SIZE = 50;
const $ = byId;
let page = 1;
let total = 0;

/** @type {Record<string, string>} */
const ACTIONS = {
  'login.code_sent': 'ログイン（確認コード送信）',
  'login.success': 'ログイン',
  'login.failure': 'ログイン失敗',
  logout: 'ログアウト',
  import: 'データ取込',
  'service.suspend': 'コンビニ交付の停止',
  'service.resume': 'コンビニ交付の再開',
  'service.contact': '問合せ先の変更',
  'staff.invite': '職員アカウントへの招待',
  'staff.invitation.revoke': '招待の取り消し',
  'staff.create': '職員アカウントの追加',
  'staff.disable': '職員アカウントの無効化',
  'issuances.view': '交付履歴の閲覧',
  'issuances.export_csv': '交付履歴の CSV 出力',
  'statistics.view': '統計の閲覧',
};

/** @type {Record<string, string>} */
const DETAIL_KEYS = {
  reason: '理由',
  wrongAttempts: '誤入力回数',
  kind: '種類',
  ok: '取込',
  encoding: '文字コード',
  bytes: 'バイト数',
  rows: '行数',
  inserted: '新規',
  updated: '更新',
  errors: '誤り',
  from: '開始日',
  to: '終了日',
  page: 'ページ',
  targetStaffId: '対象職員ID',
  invitationId: '招待ID',
};
/** @type {Record<string, string>} */
const REASONS = {
  password: 'パスワード誤り',
  disabled: '無効なアカウント',
  code: '確認コード誤り',
  code_locked: '確認コード誤りによるロック',
  locked: 'ロック済み',
  expired: '期限切れ',
};
/** @type {Record<string, string>} */
const KINDS = { residents: '接種対象者', vaccinations: '接種記録', passports: '旅券情報' };

/** Staff account id → e-mail address (the municipality's own accounts), for "対象職員". */
let staffEmails = new Map();
const ORDER = [
  'kind',
  'ok',
  'from',
  'to',
  'page',
  'rows',
  'inserted',
  'updated',
  'errors',
  'encoding',
  'bytes',
  'reason',
  'wrongAttempts',
  'targetStaffId',
  'invitationId',
];
const rank = (k) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

/**
 * @param {string} action
 * @param {import('./api.js').AuditItem['detail']} detail
 * @returns {string}
 */
function detailText(action, detail) {
  const parts = [];
  const entries = Object.entries(detail ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  for (const [k, v] of entries) {
    if (v === null || v === undefined) continue;
    let value = v;
    if (k === 'reason') value = REASONS[String(v)] ?? v;
    else if (k === 'kind' && action === 'import') value = KINDS[String(v)] ?? v;
    else if (k === 'ok') value = v ? '反映' : '拒否（変更なし）';
    if (k === 'invitationId' && staffEmails.has(v)) {
      parts.push(`招待先: ${staffEmails.get(v)}`);
      continue;
    }
    if (k === 'targetStaffId') {
      parts.push(`対象職員: ${staffEmails.get(v) ?? v}`);
      continue;
    }
    parts.push(`${DETAIL_KEYS[k] ?? k}: ${value}`);
  }
  return parts.join('、');
}

async function load() {
  try {
    /** @type {import('./api.js').AuditPage} */
    const res = await api(`/api/v1/audit?page=${page}&pageSize=${PAGE_SIZE}`);
    total = res.total;
    const body = $('audit-table', HTMLTableElement).tBodies[0];
    body.replaceChildren(
      ...(res.items.length
        ? res.items.map((i) =>
            el(
              'tr',
              { 'data-action': i.action },
              el('td', {}, jstText(i.at)),
              el('td', {}, i.staffEmail ?? '—'),
              el('td', {}, ACTIONS[i.action] ?? i.action),
              el('td', {}, detailText(i.action, i.detail)),
            ),
          )
        : [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, '記録はありません。'))]),
    );
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
    $('page-text').textContent =
      `全 ${count(total)} 件中 ${count(first)}〜${count((page - 1) * PAGE_SIZE + res.items.length)} 件目（${page}／${pages} ページ）`;
    $('prev', HTMLButtonElement).disabled = page <= 1;
    $('next', HTMLButtonElement).disabled = page >= pages;
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
}

async function start() {
  await startPage('audit');
  staffEmails = new Map((await api('/api/v1/staff').catch(() => ({ items: [] }))).items.map((i) => [i.id, i.email]));
  $('prev', HTMLButtonElement).addEventListener('click', () => {
    if (page > 1) {
      page -= 1;
      void load();
    }
  });
  $('next', HTMLButtonElement).addEventListener('click', () => {
    page += 1;
    void load();
  });
  await load();
}

runPage(start);
