// 2-step login: e-mail and password (a 6-digit code is mailed), then the code.
import { api, ApiError, errorMessage, setCsrfToken } from './api.js';

const $ = (id) => document.getElementById(id);
const message = $('login-message');
const passwordStep = $('password-step');
const codeStep = $('code-step');
let challengeId = null;

function show(kind, text) {
  message.className = `message ${kind}`;
  message.textContent = text;
}

function clear() {
  message.className = 'message';
  message.textContent = '';
}

function toPasswordStep() {
  challengeId = null;
  codeStep.hidden = true;
  passwordStep.hidden = false;
  $('password').value = '';
  $('code').value = '';
  $('password').focus();
}

function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

passwordStep.addEventListener('submit', async (e) => {
  e.preventDefault();
  clear();
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) {
    show('error', 'メールアドレスとパスワードを入力してください。');
    (email ? $('password') : $('email')).focus();
    return;
  }
  busy($('password-submit'), true);
  try {
    const res = await api('/api/v1/login', { method: 'POST', json: { email, password }, stayOn401: true });
    challengeId = res.challengeId;
    passwordStep.hidden = true;
    codeStep.hidden = false;
    show('info', '確認コードをメールで送信しました。');
    $('code').focus();
  } catch (err) {
    show('error', errorMessage(err));
    $('password').value = '';
    $('password').focus();
  } finally {
    busy($('password-submit'), false);
  }
});

codeStep.addEventListener('submit', async (e) => {
  e.preventDefault();
  clear();
  const code = $('code').value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    show('error', '確認コードは 6 桁の数字で入力してください。');
    $('code').focus();
    return;
  }
  busy($('code-submit'), true);
  try {
    const res = await api('/api/v1/login/verify', { method: 'POST', json: { challengeId, code }, stayOn401: true });
    setCsrfToken(res.csrfToken);
    location.assign('/');
  } catch (err) {
    show('error', errorMessage(err));
    if (err instanceof ApiError && (err.code === 'ERR_LOGIN_EXPIRED' || err.code === 'ERR_LOGIN_LOCKED')) {
      // The challenge is over: back to step 1, keeping the message.
      challengeId = null;
      codeStep.hidden = true;
      passwordStep.hidden = false;
      $('code').value = '';
      $('password').focus();
    } else {
      $('code').select();
      $('code').focus();
    }
  } finally {
    busy($('code-submit'), false);
  }
});

$('restart').addEventListener('click', () => {
  clear();
  toPasswordStep();
});

const REASONS = {
  expired: 'ログインの有効期限が切れました。もう一度ログインしてください。',
  logout: 'ログアウトしました。',
};

async function init() {
  const reason = new URLSearchParams(location.search).get('reason');
  if (reason && REASONS[reason]) show('info', REASONS[reason]);
  // Already logged in: straight to the issuance log.
  const r = await api('/api/v1/session', { accept: [200, 401], stayOn401: true }).catch(() => null);
  if (r && r.status === 200) location.replace('/');
}

init();
