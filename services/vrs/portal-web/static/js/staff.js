// 職員アカウント: list, invite (lg.jp only; active accounts and open invitations at most `limit`),
// withdraw an invitation, disable an account.
import { api, ApiError, errorMessage } from './api.js';
import { byId } from './dom.js';
import { clearMessage, el, jstText, runPage, showMessage, startPage } from './layout.js';

const $ = byId;
/** Same rule as the server (validation.ts): an lg.jp address in a strict character set. */
const LG_JP = /^[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*lg\.jp$/;
let me = '';
let limit = 10;

/**
 * @param {string} email
 * @returns {Promise<boolean>} true when confirmed.
 */
function confirmDisable(email) {
  const dialog = $('confirm', HTMLDialogElement);
  $('confirm-text').textContent = `${email} を無効にします。このアカウントではログインできなくなり、ログイン中の画面もすぐに使えなくなります。`;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('confirm-cancel', HTMLButtonElement).focus();
  });
}

/** @type {Record<string, [string, string]>} */
const STATUS = { active: ['有効', 'on'], disabled: ['無効', 'off'], invited: ['招待中', ''], expired: ['招待期限切れ', 'off'] };

/** @param {import('./api.js').StaffItem} item */
async function revoke(item) {
  try {
    await api(`/api/v1/staff/invitations/${encodeURIComponent(item.id)}/revoke`, { method: 'POST' });
    showMessage($('message'), 'ok', `${item.email} への招待を取り消しました。`);
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
  await load();
}

/**
 * @param {import('./api.js').StaffItem} item
 * @param {HTMLElement} button Focused again when the dialog is cancelled.
 */
async function disable(item, button) {
  if (!(await confirmDisable(item.email))) {
    button.focus();
    return;
  }
  try {
    await api(`/api/v1/staff/${encodeURIComponent(item.id)}/disable`, { method: 'POST' });
    showMessage($('message'), 'ok', `${item.email} を無効にしました。`);
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
  await load();
  $('staff-table', HTMLTableElement).focus?.();
}

/** @param {import('./api.js').StaffItem} item */
function actionOf(item) {
  const self = item.email === me;
  if (item.status === 'invited' || item.status === 'expired') {
    return el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `${item.email} への招待を取り消す`,
        onclick: () => void revoke(item),
      },
      '招待を取り消す',
    );
  }
  if (item.disabled) return '';
  if (self) return '（自分のアカウントは無効にできません）';
  return el(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-label': `${item.email} を無効にする`,
      onclick: (e) => void disable(item, e.currentTarget),
    },
    '無効にする',
  );
}

/** @param {import('./api.js').StaffList} list */
function render(list) {
  limit = list.limit;
  $('limit').textContent = String(list.limit);
  $('limit2').textContent = String(list.limit);
  $('active-count').textContent = String(list.active);
  $('invited-count').textContent = String(list.invited);
  const full = list.active + list.invited >= list.limit;
  $('add-submit', HTMLButtonElement).disabled = full;
  if (full)
    showMessage(
      $('message'),
      'warn',
      `有効なアカウントと招待中のアドレスが上限（${list.limit} 件）に達しているため、追加できません。使わないアカウントを無効にするか、招待を取り消してください。`,
    );
  $('staff-table', HTMLTableElement).tBodies[0].replaceChildren(
    ...list.items.map((item) => {
      const self = item.email === me;
      const [label, tone] = STATUS[item.status] ?? [item.status, ''];
      return el(
        'tr',
        { 'data-email': item.email, 'data-status': item.status },
        el('td', {}, item.email, self ? el('span', { class: 'badge' }, 'ログイン中') : null),
        el(
          'td',
          {},
          el('span', { class: `badge ${tone}` }, label),
          item.expiresAt && item.status === 'invited' ? el('span', { class: 'hint' }, `（期限 ${jstText(item.expiresAt, false)}）`) : null,
        ),
        el('td', {}, jstText(item.createdAt, false)),
        el('td', {}, actionOf(item)),
      );
    }),
  );
}

async function load() {
  render(await api('/api/v1/staff'));
}

/** @param {SubmitEvent} e */
async function add(e) {
  e.preventDefault();
  clearMessage($('message'));
  const email = $('new-email', HTMLInputElement).value.trim().toLowerCase();
  if (!LG_JP.test(email)) {
    showMessage($('message'), 'error', 'メールアドレスは lg.jp のアドレス（例: name@city.example.lg.jp）を入力してください。');
    $('new-email', HTMLInputElement).focus();
    return;
  }
  $('add-submit', HTMLButtonElement).disabled = true;
  try {
    await api('/api/v1/staff', { method: 'POST', json: { email } });
    $('new-email', HTMLInputElement).value = '';
    await load();
    showMessage($('message'), 'ok', `${email} に招待のメールを送りました。本人がメールのリンクからパスワードを決めると、アカウントが使えるようになります。`);
    $('new-email', HTMLInputElement).focus();
  } catch (err) {
    const fields = err instanceof ApiError ? err.problem.fields : undefined;
    const text = Array.isArray(fields) && fields.includes('email') ? 'メールアドレスは lg.jp のアドレスを入力してください。' : errorMessage(err);
    showMessage($('message'), 'error', text);
    await load().catch(() => undefined);
    $('new-email', HTMLInputElement).focus();
  } finally {
    if ($('add-submit', HTMLButtonElement).disabled && Number($('active-count').textContent) + Number($('invited-count').textContent) < limit)
      $('add-submit', HTMLButtonElement).disabled = false;
  }
}

async function start() {
  const session = await startPage('staff');
  me = session.staff.email;
  $('add-form', HTMLFormElement).addEventListener('submit', (e) => void add(e));
  await load();
}

runPage(start);
