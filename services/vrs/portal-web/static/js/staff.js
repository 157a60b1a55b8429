// 職員アカウント: list, add (lg.jp only, at most `limit` active) and disable.
import { api, ApiError, errorMessage } from './api.js';
import { clearMessage, el, jstText, runPage, showMessage, startPage } from './layout.js';

const $ = (id) => document.getElementById(id);
/** Same rule as the server (validation.ts): an lg.jp address in a strict character set. */
const LG_JP = /^[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*lg\.jp$/;
let me = '';
let limit = 10;

function confirmDisable(email) {
  const dialog = $('confirm');
  $('confirm-text').textContent = `${email} を無効にします。このアカウントではログインできなくなり、ログイン中の画面もすぐに使えなくなります。`;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

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
  $('staff-table').focus?.();
}

function render(list) {
  limit = list.limit;
  $('limit').textContent = String(list.limit);
  $('limit2').textContent = String(list.limit);
  $('active-count').textContent = String(list.active);
  const full = list.active >= list.limit;
  $('add-submit').disabled = full;
  if (full) showMessage($('message'), 'warn', `有効なアカウントが上限（${list.limit} 件）に達しているため、追加できません。使わないアカウントを無効にしてください。`);
  $('staff-table').tBodies[0].replaceChildren(...list.items.map((item) => {
    const self = item.email === me;
    const button = item.disabled || self ? null : el('button', {
      type: 'button', class: 'secondary', 'aria-label': `${item.email} を無効にする`,
      onclick: (e) => void disable(item, e.currentTarget),
    }, '無効にする');
    return el('tr', { 'data-email': item.email },
      el('td', {}, item.email, self ? el('span', { class: 'badge' }, 'ログイン中') : null),
      el('td', {}, el('span', { class: `badge ${item.disabled ? 'off' : 'on'}` }, item.disabled ? '無効' : '有効')),
      el('td', {}, jstText(item.createdAt, false)),
      el('td', {}, button ?? (self ? '（自分のアカウントは無効にできません）' : '')),
    );
  }));
}

async function load() {
  render(await api('/api/v1/staff'));
}

async function add(e) {
  e.preventDefault();
  clearMessage($('message'));
  const email = $('new-email').value.trim().toLowerCase();
  const password = $('new-password').value;
  if (!LG_JP.test(email)) {
    showMessage($('message'), 'error', 'メールアドレスは lg.jp のアドレス（例: name@city.example.lg.jp）を入力してください。');
    $('new-email').focus();
    return;
  }
  if (password.length < 12) {
    showMessage($('message'), 'error', '初期パスワードは 12 文字以上にしてください。');
    $('new-password').focus();
    return;
  }
  $('add-submit').disabled = true;
  try {
    await api('/api/v1/staff', { method: 'POST', json: { email, password } });
    $('new-email').value = '';
    $('new-password').value = '';
    await load();
    showMessage($('message'), 'ok', `${email} を追加しました。初回ログインでは、このアドレスに確認コードが届きます。`);
    $('new-email').focus();
  } catch (err) {
    const fields = err instanceof ApiError ? err.problem.fields : undefined;
    const text = Array.isArray(fields) && fields.includes('email')
      ? 'メールアドレスは lg.jp のアドレスを入力してください。'
      : Array.isArray(fields) && fields.includes('password') ? '初期パスワードは 12 文字以上にしてください。' : errorMessage(err);
    showMessage($('message'), 'error', text);
    await load().catch(() => undefined);
    $('new-email').focus();
  } finally {
    if ($('add-submit').disabled && Number($('active-count').textContent) < limit) $('add-submit').disabled = false;
  }
}

async function start() {
  const session = await startPage('staff');
  me = session.staff.email;
  $('add-form').addEventListener('submit', (e) => void add(e));
  await load();
}

runPage(start);
