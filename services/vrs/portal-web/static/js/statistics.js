// 国への統計: what leaves the municipality for the state, counts per day and kind only.
import { api, errorMessage } from './api.js';
import { byId } from './dom.js';
import { addDays, clearMessage, count, el, jstToday, KIND_LABELS, runPage, showMessage, startPage } from './layout.js';

const $ = byId;

async function load() {
  clearMessage($('message'));
  const from = $('from', HTMLInputElement).value;
  const to = $('to', HTMLInputElement).value;
  if (from && to && from > to) {
    showMessage($('message'), 'error', '開始日は終了日より前の日付にしてください。');
    $('from', HTMLInputElement).focus();
    return;
  }
  const q = new URLSearchParams();
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  try {
    /** @type {import('./api.js').Statistics} */
    const res = await api(`/api/v1/statistics?${q}`);
    $('stats-caption').textContent = `${res.from ?? '最初'} 〜 ${res.to ?? '最新'} の日別・種類別件数`;
    const body = $('stats-table', HTMLTableElement).tBodies[0];
    body.replaceChildren(
      ...(res.days.length
        ? res.days.map((d) =>
            el(
              'tr',
              {},
              el('td', {}, d.date),
              el('td', {}, KIND_LABELS[d.kind] ?? d.kind),
              el('td', { class: 'num' }, count(d.issuances)),
              el('td', { class: 'num' }, count(d.copies)),
            ),
          )
        : [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'この期間の交付はありません。'))]),
    );
    $('sum-issuances').textContent = count(res.days.reduce((s, d) => s + d.issuances, 0));
    $('sum-copies').textContent = count(res.days.reduce((s, d) => s + d.copies, 0));
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
}

async function start() {
  await startPage('statistics');
  const today = jstToday();
  $('from', HTMLInputElement).value = addDays(today, -29);
  $('to', HTMLInputElement).value = today;
  $('filter', HTMLFormElement).addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  await load();
}

runPage(start);
