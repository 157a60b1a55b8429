// 職員アカウントの開始: the invited person sets a password with the link's token. The token is in
// the fragment (#token=…), which browsers never send to a server or in a Referer.
import { api, errorMessage } from './api.js';
import { byId } from './dom.js';

const $ = byId;
const message = $('invitation-message');
const form = $('invitation-form', HTMLFormElement);
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';

/**
 * @param {'error' | 'ok'} kind
 * @param {string} text
 */
function show(kind, text) {
  message.className = `message ${kind}`;
  message.textContent = text;
}

if (!/^[A-Za-z0-9_-]{43}$/.test(token)) {
  form.hidden = true;
  show('error', 'リンクが正しくありません。招待のメールにあるリンクを、そのまま開いてください。');
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const password = $('new-password', HTMLInputElement).value;
  if (password.length < 12) {
    show('error', 'パスワードは 12 文字以上にしてください。');
    $('new-password', HTMLInputElement).focus();
    return;
  }
  if (password !== $('new-password-again', HTMLInputElement).value) {
    show('error', '確認のために入力したパスワードが一致しません。');
    $('new-password-again', HTMLInputElement).focus();
    return;
  }
  $('invitation-submit', HTMLButtonElement).disabled = true;
  try {
    /** @type {{ email: string }} */
    const account = await api('/api/v1/invitation/accept', { method: 'POST', json: { token, password }, stayOn401: true });
    form.hidden = true;
    history.replaceState(null, '', location.pathname);
    show('ok', `${account.email} のアカウントが使えるようになりました。ログイン画面から、このアドレスとパスワードでログインしてください。`);
    $('to-login').hidden = false;
  } catch (err) {
    show('error', errorMessage(err));
    $('invitation-submit', HTMLButtonElement).disabled = false;
  }
});
