// サービス停止・再開: the municipality's kiosk service, with a switch that asks for confirmation,
// and its 問合せ先 (office and telephone) shown on the kiosk's refusal screens.
import { api, errorMessage } from './api.js';
import { byId } from './dom.js';
import { clearMessage, el, jstText, runPage, showMessage, startPage } from './layout.js';

const $ = byId;
/** @type {import('./api.js').ServiceState} */
let service;

function render() {
  const suspended = service.suspended;
  const running = service.participates && !suspended;
  const state = $('service-state');
  state.className = `service-state ${suspended ? 'suspended' : 'running'}`;
  state.textContent = !service.participates
    ? 'コンビニ交付に参加していません'
    : suspended
      ? '停止中（コンビニ端末では交付できません）'
      : '提供中（コンビニ端末で交付できます）';
  $('service-since').textContent = suspended && service.suspendedAt ? `${jstText(service.suspendedAt)} から停止しています。` : '';
  const sw = $('service-switch', HTMLButtonElement);
  sw.setAttribute('aria-checked', running ? 'true' : 'false');
  sw.disabled = !service.participates;
  $('switch-label').textContent = `コンビニ交付を提供する（現在: ${running ? 'オン' : 'オフ'}）`;
  document.body.dataset.suspended = String(suspended);
}

/**
 * Asks in the dialog whether to suspend (or resume) the service.
 * @param {boolean} suspend
 * @returns {Promise<boolean>} true when confirmed.
 */
function confirmChange(suspend) {
  const dialog = $('confirm', HTMLDialogElement);
  const name = service.name;
  $('confirm-title').textContent = suspend ? `${name}のコンビニ交付を停止しますか？` : `${name}のコンビニ交付を再開しますか？`;
  $('confirm-text').textContent = suspend
    ? '停止すると直ちに、全国のコンビニ端末のメニューからこの自治体が外れ、接種証明書を交付できなくなります。'
    : '再開すると直ちに、全国のコンビニ端末でこの自治体の接種証明書を交付できるようになります。';
  const ok = $('confirm-ok', HTMLButtonElement);
  ok.textContent = suspend ? '停止する' : '再開する';
  ok.className = suspend ? 'danger' : '';
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    $('confirm-cancel', HTMLButtonElement).focus();
  });
}

async function toggle() {
  const suspend = !service.suspended;
  if (!(await confirmChange(suspend))) {
    $('service-switch', HTMLButtonElement).focus();
    return;
  }
  clearMessage($('message'));
  try {
    /** @type {Pick<import('./api.js').ServiceState, 'suspended' | 'suspendedAt'>} */
    const res = await api('/api/v1/service', { method: 'PUT', json: { suspended: suspend } });
    service = { ...service, suspended: res.suspended, suspendedAt: res.suspendedAt };
    render();
    showMessage($('message'), 'ok', suspend ? 'コンビニ交付を停止しました。' : 'コンビニ交付を再開しました。');
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
  $('service-switch', HTMLButtonElement).focus();
}

/** The municipality's 問合せ先 as it is now. */
function renderContact() {
  const c = service.contact;
  $('contact-current').textContent = c ? `現在の問合せ先: ${c.office}（${c.phone}）` : '問合せ先が登録されていません。';
  $('contact-office', HTMLInputElement).value = c?.office ?? '';
  $('contact-phone', HTMLInputElement).value = c?.phone ?? '';
}

/** The phone rule of the API (services/vrs/portal/service/contact.ts), checked before sending. */
const PHONE = /^0\d{1,4}-\d{1,4}-\d{3,4}$/;

/** @param {SubmitEvent} e */
async function saveContact(e) {
  e.preventDefault();
  const box = $('contact-message');
  clearMessage(box);
  const office = $('contact-office', HTMLInputElement).value.trim();
  const phone = $('contact-phone', HTMLInputElement).value.trim();
  if (!office) {
    showMessage(box, 'error', '担当課の名称を入力してください。');
    $('contact-office', HTMLInputElement).focus();
    return;
  }
  const digits = phone.replace(/-/g, '').length;
  if (!PHONE.test(phone) || (digits !== 10 && digits !== 11)) {
    showMessage(box, 'error', '電話番号は市外局番からハイフン区切りで入力してください（例: 0766-20-1234）。');
    $('contact-phone', HTMLInputElement).focus();
    return;
  }
  try {
    /** @type {{ contact: { office: string, phone: string } | null }} */
    const res = await api('/api/v1/service/contact', { method: 'PUT', json: { office, phone } });
    service = { ...service, contact: res.contact };
    renderContact();
    showMessage(box, 'ok', '問合せ先を保存しました。コンビニ端末の画面に直ちに表示されます。');
  } catch (err) {
    showMessage(box, 'error', errorMessage(err));
  }
}

async function start() {
  await startPage('service');
  service = await api('/api/v1/service');
  $('facts').replaceChildren(
    el('dt', {}, '自治体名'),
    el('dd', {}, service.name),
    el('dt', {}, '自治体コード'),
    el('dd', {}, service.code),
    el('dt', {}, 'コンビニ交付への参加'),
    el('dd', {}, service.participates ? '参加' : '不参加'),
  );
  render();
  renderContact();
  $('service-switch', HTMLButtonElement).addEventListener('click', () => void toggle());
  $('contact-form', HTMLFormElement).addEventListener('submit', (e) => void saveContact(/** @type {SubmitEvent} */ (e)));
}

runPage(start);
