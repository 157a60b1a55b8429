// The frame every page after login shares: session check (no session → login page), header with
// the municipality and the logout button, and the navigation.
import { api, errorMessage, setCsrfToken, toLogin } from './api.js';
import { query } from './dom.js';

const PAGES = [
  { href: '/', id: 'issuances', label: '交付履歴' },
  { href: '/imports.html', id: 'imports', label: 'データ取込' },
  { href: '/service.html', id: 'service', label: 'サービス停止・再開' },
  { href: '/staff.html', id: 'staff', label: '職員アカウント' },
  { href: '/audit.html', id: 'audit', label: '操作ログ' },
  { href: '/statistics.html', id: 'statistics', label: '国への統計' },
];

/**
 * Creates an element with text and attributes (never innerHTML: values come from the server).
 * `class` sets the class name, `text` the text, `on…` functions listen to events; attributes that
 * are undefined, null or false are left out, true ones are set empty. Children are nodes or text
 * (arrays are flattened; undefined, null and false are left out).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/**
 * The answer of GET /api/v1/session (and of POST /api/v1/login/verify).
 * @typedef {object} Session
 * @property {string} csrfToken
 * @property {{ email: string, municipality: { code: string, name: string } }} staff
 */

/**
 * Checks the session, then draws the header and navigation of page `pageId`. Answers the session
 * (`{ csrfToken, staff: { email, municipality: { code, name } } }`).
 * @param {string} pageId One of PAGES' ids.
 * @returns {Promise<Session>}
 */
export async function startPage(pageId) {
  const answer = await api('/api/v1/session', { accept: [200, 401] });
  if (answer.status === 401) {
    // Not logged in (or the session ended): the login page, without an error message.
    toLogin();
    return new Promise(() => {});
  }
  /** @type {Session} */
  const session = answer.data;
  setCsrfToken(session.csrfToken);
  const m = session.staff.municipality;

  const header = query('.site-header');
  header.replaceChildren(
    el('p', { class: 'site-title' }, 'ワクチン接種記録システム', el('small', {}, '自治体向け画面')),
    el(
      'div',
      { class: 'site-user' },
      el('span', { class: 'municipality', 'data-testid': 'municipality' }, `${m.name}（${m.code}）`),
      el('span', {}, session.staff.email),
      el('button', { type: 'button', id: 'logout', onclick: logout }, 'ログアウト'),
    ),
  );
  const nav = query('.site-nav');
  nav.setAttribute('aria-label', 'メニュー');
  nav.replaceChildren(
    el(
      'ul',
      {},
      PAGES.map((p) => el('li', {}, el('a', { href: p.href, 'aria-current': p.id === pageId ? 'page' : undefined }, p.label))),
    ),
  );
  document.title = `${PAGES.find((p) => p.id === pageId)?.label ?? ''} | ${m.name} | ワクチン接種記録システム`;
  document.body.classList.remove('pending');
  return session;
}

async function logout() {
  try {
    await api('/api/v1/logout', { method: 'POST' });
  } catch (err) {
    // Whatever the server says, the staff member wants out: go to the login page.
    console.warn(errorMessage(err));
  }
  toLogin('logout');
}

/**
 * Shows `text` in a message box (`kind`: error, ok, info, warn); empty text hides it.
 * @param {HTMLElement} box
 * @param {'error' | 'ok' | 'info' | 'warn'} kind
 * @param {string} [text]
 * @param {string} [title] Shown in bold before the text.
 */
export function showMessage(box, kind, text, title) {
  box.className = `message ${kind}`;
  box.replaceChildren(...(title ? [el('strong', {}, title)] : []), ...(text ? [text] : []));
}

/**
 * Empties and hides a message box.
 * @param {HTMLElement} box
 */
export function clearMessage(box) {
  box.className = 'message';
  box.replaceChildren();
}

/**
 * `2026-11-23T16:50:12+09:00` → `2026-11-23 16:50:12` (the API answers JST already).
 * @param {string | null | undefined} iso
 * @param {boolean} [withSeconds]
 * @returns {string} Empty for no date.
 */
export function jstText(iso, withSeconds = true) {
  if (!iso) return '';
  return iso.slice(0, withSeconds ? 19 : 16).replace('T', ' ');
}

/**
 * Today in JST as YYYY-MM-DD.
 * @returns {string}
 */
export function jstToday() {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

/**
 * `day` (YYYY-MM-DD) plus `n` days.
 * @param {string} day
 * @param {number} n
 * @returns {string}
 */
export function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** @param {number} n Yen, as `1,200 円`. */
export const yen = (n) => `${Number(n).toLocaleString('ja-JP')} 円`;
/** @param {number} n A count with thousands separators. */
export const count = (n) => Number(n).toLocaleString('ja-JP');

/** @type {Record<string, string>} */
export const KIND_LABELS = { domestic: '国内用', overseas: '海外用' };
/** @type {Record<string, string>} */
export const CHANNEL_LABELS = { kiosk: 'コンビニ交付', counter: '窓口', app: 'アプリ' };

/**
 * Runs a page's start function; an error before the page could draw is shown in place of it.
 * @param {() => Promise<unknown>} start
 */
export function runPage(start) {
  start().catch((err) => {
    document.body.classList.remove('pending');
    const main = query('main');
    const box = el('div', { class: 'message error', role: 'alert' }, errorMessage(err));
    main.prepend(box);
  });
}
