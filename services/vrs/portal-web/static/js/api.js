// Calls to the portal API (/api/v1/…) with the session cookie and, for every state change, the
// CSRF token read from GET /api/v1/session.

/** @type {string | null} */
let csrfToken = null;

/**
 * A problem document (application/problem+json) of an answer that is not 2xx. Besides `code`, a
 * few errors carry more: ERR_LOGIN_CODE `attemptsLeft`, ERR_LOGIN_CODE_LIMIT and
 * ERR_LOGIN_THROTTLED `retryAfter` (seconds), ERR_STAFF_LIMIT `limit`, ERR_BAD_REQUEST `fields`.
 * @typedef {object} Problem
 * @property {string} [code]
 * @property {string} [title]
 * @property {number} [status]
 * @property {string} [detail]
 * @property {number} [attemptsLeft]
 * @property {number} [retryAfter]
 * @property {number} [limit]
 * @property {string[]} [fields]
 */

/**
 * How {@link api} calls a path.
 * @typedef {object} ApiOptions
 * @property {string} [method] GET unless told.
 * @property {unknown} [json] Sent as a JSON body.
 * @property {BodyInit} [body] Sent as is, with `contentType`.
 * @property {string} [contentType]
 * @property {number[]} [accept] Statuses answered as `{ status, data }` instead of thrown.
 * @property {boolean} [stayOn401] A lost session throws instead of going to the login page.
 */

/**
 * Remembers the CSRF token the session (or the login) answered.
 * @param {string | null} token
 */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** An answer that is not 2xx: `code` is the problem document's ERR_… code. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the server could not be reached.
   * @param {Problem | null | undefined} problem
   */
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    /** @type {Problem} */
    this.problem = problem || {};
    /** @type {string} */
    this.code = (problem && problem.code) || 'ERR_HTTP';
  }
}

/**
 * fetch() of an API path. `json` is sent as a JSON body, `body` as is with `contentType`.
 * Answers the parsed JSON (or null). Statuses listed in `accept` answer `{ status, data }`
 * instead of throwing. A lost session (401 ERR_UNAUTHENTICATED) goes to the login page unless
 * `stayOn401`.
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<any>} The answer's JSON: its shape is the route's (see the pages' typedefs).
 */
export async function api(path, options = {}) {
  const { method = 'GET', json, body, contentType, accept = [], stayOn401 = false } = options;
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  let payload = body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, { code: 'ERR_NETWORK', detail: 'network error' });
  }
  const type = res.headers.get('content-type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (accept.includes(res.status)) return { status: res.status, data };
  if (!res.ok) {
    if (res.status === 401 && data && data.code === 'ERR_UNAUTHENTICATED' && !stayOn401) {
      toLogin('expired');
      // Never resolves: the page is going away.
      return new Promise(() => {});
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

/**
 * Sends the browser to the login page (with a reason the login page shows).
 * @param {'expired' | 'logout'} [reason]
 */
export function toLogin(reason) {
  location.replace(`/login.html${reason ? `?reason=${encodeURIComponent(reason)}` : ''}`);
}

/** @type {Record<string, string>} */
const MESSAGES = {
  ERR_LOGIN: 'メールアドレスまたはパスワードが正しくありません。',
  ERR_LOGIN_EXPIRED: '確認コードの有効期限が切れているか、すでに使われています。もう一度ログインして、新しい確認コードを受け取ってください。',
  ERR_LOGIN_LOCKED:
    '確認コードを規定の回数以上間違えたため、このコードは使えなくなりました（ロックされました）。もう一度ログインして、新しい確認コードを受け取ってください。',
  ERR_UNAUTHENTICATED: 'ログインの有効期限が切れました。もう一度ログインしてください。',
  ERR_CSRF: '画面の情報が古くなっています。ページを再読み込みしてから、もう一度操作してください。',
  ERR_FORBIDDEN: 'この操作は許可されていません。',
  ERR_STAFF_LIMIT: '有効な職員アカウントは上限に達しています。新しく追加するには、使わないアカウントを無効にしてください。',
  ERR_STAFF_EXISTS: 'このメールアドレスのアカウントまたは招待はすでにあります。',
  ERR_INVITATION_INVALID: 'この招待のリンクは使えません（使用済み・取り消し・期限切れ）。自治体の担当者に、招待をもう一度送ってもらってください。',
  ERR_NOT_FOUND: '対象が見つかりません。画面を再読み込みしてください。',
  ERR_BODY_TOO_LARGE: 'ファイルが大きすぎます。',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'この形式のファイルは受け付けられません。CSV ファイルを選んでください。',
  ERR_NETWORK: 'サーバーに接続できませんでした。ネットワークを確認して、もう一度操作してください。',
};

/**
 * A Japanese message for an error of `api()`.
 * @param {unknown} err
 * @returns {string}
 */
export function errorMessage(err) {
  if (!(err instanceof ApiError)) return '予期しないエラーが発生しました。もう一度操作してください。';
  if (err.code === 'ERR_LOGIN_CODE') {
    const left = err.problem.attemptsLeft;
    return `確認コードが正しくありません。${typeof left === 'number' ? `あと ${left} 回まで入力できます。` : ''}`;
  }
  if (err.code === 'ERR_LOGIN_CODE_LIMIT') {
    // Too many codes requested for the account: the server says how long to wait.
    const minutes = Math.max(1, Math.ceil(Number(err.problem.retryAfter || 60) / 60));
    return `確認コードの送信回数が上限に達しました。約 ${minutes} 分たってから、もう一度ログインしてください。`;
  }
  if (err.code === 'ERR_LOGIN_THROTTLED') {
    // Too many wrong passwords or codes: a delay that runs out by itself, never a lock.
    const seconds = Math.max(1, Number(err.problem.retryAfter || 60));
    const wait = seconds < 60 ? `約 ${seconds} 秒` : `約 ${Math.ceil(seconds / 60)} 分`;
    return `パスワードまたは確認コードの誤りが続いたため、一時的にログインを制限しています。${wait}たってから、もう一度お試しください。`;
  }
  if (MESSAGES[err.code]) return MESSAGES[err.code];
  if (err.code === 'ERR_BAD_REQUEST') return '入力内容に誤りがあります。';
  return `エラーが発生しました（${err.code}）。時間をおいて、もう一度操作してください。`;
}

// The shapes of the API's answers the pages read (dates are ISO 8601 in JST, `+09:00`).

/**
 * One issued certificate (GET /api/v1/issuances).
 * One issuance of any channel: kiosk, or an overseas certificate issued at the counter or in the
 * app (imported by the municipality; no copies, fee, kiosk or store, and maybe no certificate ID).
 * @typedef {object} Issuance
 * @property {string | null} certificateId
 * @property {string} atenaNumber 個別宛名番号 (never the My Number).
 * @property {'domestic' | 'overseas'} kind
 * @property {string} channel kiosk, counter or app.
 * @property {number | null} copies
 * @property {number | null} fee
 * @property {string | null} kioskId
 * @property {string | null} storeId
 * @property {string} issuedAt
 */

/**
 * GET /api/v1/issuances: one page of the period's issuances and the period's totals.
 * @typedef {object} IssuanceList
 * @property {Issuance[]} items
 * @property {number} page
 * @property {number} pageSize
 * @property {number} total
 * @property {{ copies: number, fee: number }} totals
 */

/**
 * GET /api/v1/statistics: issuances and copies per JST day and kind (what the state receives).
 * @typedef {object} Statistics
 * @property {string} municipality
 * @property {string | null} from
 * @property {string | null} to
 * @property {{ date: string, kind: 'domestic' | 'overseas', issuances: number, copies: number }[]} days
 */

/**
 * GET /api/v1/service (PUT answers `suspended` and `suspendedAt` only).
 * @typedef {object} ServiceState
 * @property {string} code
 * @property {string} name
 * @property {boolean} participates
 * @property {boolean} suspended
 * @property {string | null} suspendedAt
 * @property {{ office: string, phone: string } | null} contact 問合せ先 shown on the kiosk's refusal screens.
 */

/**
 * A staff account or an open invitation of GET /api/v1/staff.
 * @typedef {object} StaffItem
 * @property {string} id
 * @property {string} email
 * @property {'active' | 'disabled' | 'invited' | 'expired'} status
 * @property {boolean} disabled
 * @property {string} createdAt
 * @property {string} [expiresAt] Invitations only.
 */

/**
 * GET /api/v1/staff: accounts and invitations, with the counts the limit applies to.
 * @typedef {object} StaffList
 * @property {StaffItem[]} items
 * @property {number} active
 * @property {number} invited
 * @property {number} limit
 */

/**
 * One entry of the staff operations log (GET /api/v1/audit).
 * @typedef {object} AuditItem
 * @property {string} id
 * @property {string} at
 * @property {string | null} staffId
 * @property {string | null} staffEmail
 * @property {string} action
 * @property {Record<string, string | number | boolean | null> | null} detail
 */

/**
 * GET /api/v1/audit: one page of the log, newest first.
 * @typedef {object} AuditPage
 * @property {AuditItem[]} items
 * @property {number} page
 * @property {number} pageSize
 * @property {number} total
 */

/**
 * A bad row or column of an import (`row` 0: the file as a whole; `column` null: the row).
 * @typedef {object} ImportIssue
 * @property {number} row
 * @property {string | null} column
 * @property {string} code
 * @property {string} message
 */

/**
 * POST /api/v1/imports/{kind} (200 applied, 422 rejected): `ok` false means nothing changed.
 * @typedef {object} ImportReport
 * @property {boolean} ok
 * @property {'residents' | 'vaccinations' | 'passports' | 'overseas-issuances'} kind
 * @property {'utf-8' | 'shift_jis'} encoding
 * @property {number} rows
 * @property {number} inserted
 * @property {number} updated
 * @property {ImportIssue[]} errors
 */
