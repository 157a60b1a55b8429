// 2-step login: e-mail and password (a 6-digit code is mailed), then the code.
import { api, ApiError, errorMessage, setCsrfToken } from './api.js';
import { byId } from './dom.js';

const $ = byId;
const message = $('login-message');
const passwordStep = $('password-step', HTMLFormElement);
const codeStep = $('code-step', HTMLFormElement);
/** @type {string | null} */
let challengeId = null;

/**
 * @param {'error' | 'info'} kind
 * @param {string} text
 */
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
  $('password', HTMLInputElement).value = '';
  $('code', HTMLInputElement).value = '';
  $('password', HTMLInputElement).focus();
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} on
 */
function busy(button, on) {
  button.disabled = on;
  button.setAttribute('aria-busy', on ? 'true' : 'false');
}

passwordStep.addEventListener('submit', async (e) => {
  e.preventDefault();
  clear();
  const email = $('email', HTMLInputElement).value.trim();
  const password = $('password', HTMLInputElement).value;
  if (!email || !password) {
    show('error', 'メールアドレスとパスワードを入力してください。');
    (email ? $('password', HTMLInputElement) : $('email', HTMLInputElement)).focus();
    return;
  }
  busy($('password-submit', HTMLButtonElement), true);
  try {
    /** @type {{ challengeId: string }} */
    const res = await api('/api/v1/login', { method: 'POST', json: { email, password }, stayOn401: true });
    challengeId = res.challengeId;
    passwordStep.hidden = true;
    codeStep.hidden = false;
    show('info', '確認コードをメールで送信しました。');
    $('code', HTMLInputElement).focus();
  } catch (err) {
    show('error', errorMessage(err));
    $('password', HTMLInputElement).value = '';
    $('password', HTMLInputElement).focus();
  } finally {
    busy($('password-submit', HTMLButtonElement), false);
  }
});

codeStep.addEventListener('submit', async (e) => {
  e.preventDefault();
  clear();
  const code = $('code', HTMLInputElement).value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    show('error', '確認コードは 6 桁の数字で入力してください。');
    $('code', HTMLInputElement).focus();
    return;
  }
  busy($('code-submit', HTMLButtonElement), true);
  try {
    /** @type {import('./layout.js').Session} */
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
      $('code', HTMLInputElement).value = '';
      $('password', HTMLInputElement).focus();
    } else {
      $('code', HTMLInputElement).select();
      $('code', HTMLInputElement).focus();
    }
  } finally {
    busy($('code-submit', HTMLButtonElement), false);
  }
});

$('restart').addEventListener('click', () => {
  clear();
  toPasswordStep();
});

/** @type {Record<string, string>} */
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
