// データ取込: uploads one CSV file as the request body and shows the import report; a rejected
// file lists every bad row and column and says that nothing was changed.
import { api, errorMessage } from './api.js';
import { byId, query, queryAll } from './dom.js';
import { clearMessage, count, el, runPage, showMessage, startPage } from './layout.js';

const $ = byId;

/** @type {Record<string, string>} */
const KIND_NAMES = { residents: '接種対象者（住民）', vaccinations: '接種記録', passports: '旅券情報', 'overseas-issuances': '窓口・アプリでの海外用交付' };

/** What each issue code of the import report means, in Japanese. */
/** @type {Record<string, string>} */
const ISSUES = {
  CSV_SYNTAX: 'CSV の書式が正しくありません（引用符の対応や余分な文字を確認してください）',
  EMPTY_FILE: 'ファイルが空です（1 行目に列名が必要です）',
  UNKNOWN_COLUMN: 'この取込で使えない列名です',
  DUPLICATE_COLUMN: '同じ列名が 2 回あります',
  MISSING_COLUMN: '必要な列がありません',
  COLUMN_COUNT: 'この行の項目数が列名の数と合いません',
  REQUIRED: '値が必要です',
  DUPLICATE_KEY: '同じキーの行がファイル内に複数あります',
  DUPLICATE_MY_NUMBER: 'このマイナンバーは別の個別宛名番号で登録されています',
  UNKNOWN_ATENA_NUMBER: 'この個別宛名番号の接種対象者が登録されていません',
  TOO_MANY_ERRORS: '誤りが多すぎるため、以降は表示していません',
  BAD_ATENA_NUMBER: '個別宛名番号の形式が正しくありません',
  BAD_MY_NUMBER: 'マイナンバーが正しくありません（桁数またはチェックデジット）',
  BAD_DATE: '日付が正しくありません（YYYYMMDD または YYYY/MM/DD）',
  BAD_DOSE: '接種回数が正しくありません',
  BAD_FLAG: '転出/死亡フラグが正しくありません（空欄、1、2、3、9 のいずれか）',
  BAD_MUNICIPALITY_CODE: '自治体コードが正しくありません（桁数またはチェックデジット）',
  BAD_SEX: '性別が正しくありません',
  BAD_TICKET_NUMBER: '券番号の形式が正しくありません',
  BAD_AMOUNT: '接種量が正しくありません',
  BAD_NAME_ROMAN: 'ローマ字氏名が正しくありません',
  BAD_NATIONALITY: '国籍が正しくありません（3 文字の国コード）',
  BAD_PASSPORT_NUMBER: '旅券番号が正しくありません',
  BAD_CHANNEL: '交付方法が正しくありません（窓口 または アプリ）',
  DATE_BEFORE_SERVICE: '交付日が海外用証明書の交付開始（2021年7月26日）より前です',
  BAD_CERTIFICATE_ID: '証明書IDの形式が正しくありません（英数字）',
  TOO_LONG: '値が長すぎます',
  NFKC: '使えない文字が含まれています',
};

/** @type {Record<string, string>} */
const ENCODINGS = { 'utf-8': 'UTF-8', shift_jis: 'Shift_JIS' };

/**
 * @param {string} term
 * @param {string} value
 */
function fact(term, value) {
  return [el('dt', {}, term), el('dd', {}, value)];
}

/**
 * @param {string} fileName
 * @param {import('./api.js').ImportReport} report
 */
function renderReport(fileName, report) {
  const section = $('report');
  section.hidden = false;
  const kind = KIND_NAMES[report.kind] ?? report.kind;
  $('report-facts').replaceChildren(
    ...fact('ファイル', fileName),
    ...fact('取込の種類', kind),
    ...fact('文字コード', ENCODINGS[report.encoding] ?? report.encoding),
    ...fact('データ行数', `${count(report.rows)} 行`),
    ...(report.ok ? [...fact('新規', `${count(report.inserted)} 件`), ...fact('更新', `${count(report.updated)} 件`)] : []),
  );
  const errorsBox = $('report-errors');
  if (report.ok) {
    section.dataset.outcome = 'applied';
    showMessage($('report-message'), 'ok', `${count(report.rows)} 行をすべて取り込みました。`, `${kind}の取込が完了しました。`);
    errorsBox.hidden = true;
    $('error-table', HTMLTableElement).tBodies[0].replaceChildren();
  } else {
    section.dataset.outcome = 'rejected';
    showMessage(
      $('report-message'),
      'error',
      `${count(report.errors.length)} 件の誤りがあるため、このファイルは取り込みませんでした。データは一切変更されていません。下の一覧の誤りをすべて直してから、ファイル全体をもう一度取り込んでください。`,
      '取り込みませんでした（データは変更されていません）',
    );
    errorsBox.hidden = false;
    $('error-table', HTMLTableElement).tBodies[0].replaceChildren(
      ...report.errors.map((e) =>
        el(
          'tr',
          {},
          el('td', { class: 'num' }, e.row === 0 ? 'ファイル全体' : `${e.row} 行目`),
          el('td', {}, e.column ?? '（行全体）'),
          el('td', {}, ISSUES[e.code] ?? e.message, el('span', { class: 'badge' }, e.code)),
        ),
      ),
    );
  }
  section.focus();
}

/** @param {HTMLFormElement} form One of the page's import forms (`data-kind`). */
async function submit(form) {
  const kind = form.dataset.kind;
  const input = query('input[type="file"]', HTMLInputElement, form);
  const button = query('button[type="submit"]', HTMLButtonElement, form);
  const file = input.files && input.files[0];
  if (!file) {
    $('report').hidden = false;
    showMessage($('report-message'), 'error', 'CSV ファイルを選んでください。');
    $('report-facts').replaceChildren();
    $('report-errors').hidden = true;
    input.focus();
    return;
  }
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  clearMessage($('report-message'));
  try {
    const { status, data } = await api(`/api/v1/imports/${kind}`, {
      method: 'POST',
      body: file,
      contentType: 'text/csv',
      accept: [200, 422],
    });
    if (!data || typeof data.ok !== 'boolean') throw new Error(`unexpected answer ${status}`);
    renderReport(file.name, data);
    if (data.ok) input.value = '';
  } catch (err) {
    $('report').hidden = false;
    $('report').dataset.outcome = 'failed';
    $('report-facts').replaceChildren();
    $('report-errors').hidden = true;
    showMessage($('report-message'), 'error', `${errorMessage(err)} データは変更されていません。`, '取り込めませんでした');
    $('report').focus();
  } finally {
    button.disabled = false;
    button.setAttribute('aria-busy', 'false');
  }
}

async function start() {
  await startPage('imports');
  for (const form of queryAll('form.import-form', HTMLFormElement)) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit(form);
    });
  }
}

runPage(start);
