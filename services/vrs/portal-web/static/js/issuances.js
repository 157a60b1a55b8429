// 交付履歴: the municipality's issuances with a period filter, paging, totals, CSV download and
// a chart of issuances per day and kind (Chart.js, served from node_modules at /vendor).
import { api, errorMessage } from './api.js';
import { byId } from './dom.js';
import { addDays, CHANNEL_LABELS, clearMessage, count, el, jstText, jstToday, KIND_LABELS, runPage, showMessage, startPage, yen } from './layout.js';

const PAGE_SIZE = 50;
const $ = byId;
const state = { from: '', to: '', page: 1, total: 0 };
/** @type {import('chart.js').Chart<'bar', number[], string> | null} */
let chart = null;

/**
 * Chart.js as its UMD build (/vendor/chart.umd.js, loaded by the page before this module) leaves
 * it on `window`; undefined when that script could not be loaded. Typed by the chart.js package.
 * @returns {typeof import('chart.js').Chart | undefined}
 */
const chartJs = () => /** @type {Window & { Chart?: typeof import('chart.js').Chart }} */ (window).Chart;

/**
 * The period (and `extra`) as a query string, `?…` or empty.
 * @param {Record<string, string | number>} [extra]
 */
function query(extra = {}) {
  const q = new URLSearchParams();
  if (state.from) q.set('from', state.from);
  if (state.to) q.set('to', state.to);
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function rangeText() {
  if (state.from && state.to) return `${state.from} から ${state.to} まで`;
  if (state.from) return `${state.from} 以降`;
  if (state.to) return `${state.to} まで`;
  return '全期間';
}

/** @param {import('./api.js').Issuance[]} items */
function renderTable(items) {
  const body = $('issuances', HTMLTableElement).tBodies[0];
  if (items.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 9, class: 'empty' }, 'この期間の交付はありません。')));
    return;
  }
  body.replaceChildren(
    ...items.map((i) =>
      el(
        'tr',
        { 'data-certificate-id': i.certificateId, 'data-channel': i.channel },
        el('td', { class: 'mono' }, i.certificateId ?? '—'),
        el('td', { class: 'mono' }, i.atenaNumber),
        el('td', {}, KIND_LABELS[i.kind] ?? i.kind),
        el('td', {}, CHANNEL_LABELS[i.channel] ?? i.channel),
        el('td', { class: 'num' }, i.copies ?? ''),
        el('td', { class: 'num' }, i.fee === null ? '' : yen(i.fee)),
        el('td', { class: 'mono' }, i.storeId ?? ''),
        el('td', { class: 'mono' }, i.kioskId ?? ''),
        el('td', {}, jstText(i.issuedAt)),
      ),
    ),
  );
}

/** @param {number} shown Rows on this page. */
function renderPager(shown) {
  const first = state.total === 0 ? 0 : (state.page - 1) * PAGE_SIZE + 1;
  const last = (state.page - 1) * PAGE_SIZE + shown;
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $('page-text').textContent = `全 ${count(state.total)} 件中 ${count(first)}〜${count(last)} 件目（${state.page}／${pages} ページ）`;
  $('prev', HTMLButtonElement).disabled = state.page <= 1;
  $('next', HTMLButtonElement).disabled = state.page >= pages;
}

/** Every day of the period (the chart shows days without issuances as zero). */
/**
 * @param {import('./api.js').Statistics['days']} days
 * @returns {string[]}
 */
function daysOf(days) {
  const from = state.from || days[0]?.date;
  const to = state.to || days[days.length - 1]?.date;
  if (!from || !to) return [];
  const out = [];
  for (let d = from; d <= to && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}

/** @param {import('./api.js').Statistics} stats */
function renderChart(stats) {
  const labels = daysOf(stats.days);
  const series = (kind) => labels.map((d) => stats.days.find((x) => x.date === d && x.kind === kind)?.issuances ?? 0);
  const sum = (kind) => stats.days.filter((x) => x.kind === kind).reduce((s, x) => s + x.issuances, 0);
  $('total-domestic').textContent = count(sum('domestic'));
  $('total-overseas').textContent = count(sum('overseas'));
  const data = {
    labels: labels.map((d) => d.slice(5).replace('-', '/')),
    datasets: [
      { label: KIND_LABELS.domestic, data: series('domestic'), backgroundColor: '#0b4f8a', stack: 'k' },
      { label: KIND_LABELS.overseas, data: series('overseas'), backgroundColor: '#e08a00', stack: 'k' },
    ],
  };
  const Chart = chartJs();
  if (!Chart) {
    $('chart', HTMLCanvasElement).replaceWith(el('p', { class: 'message warn' }, 'グラフを表示できませんでした（グラフ部品を読み込めません）。'));
    return;
  }
  if (chart) {
    chart.data = data;
    chart.update();
    return;
  }
  // The canvas draws text with the page's Japanese font only once that font is loaded.
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#333';
  chart = new Chart($('chart', HTMLCanvasElement), {
    type: 'bar',
    data,
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'top', align: 'end' }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y} 件` } } },
      scales: {
        x: { stacked: true, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: '件数' } },
      },
    },
  });
}

async function load() {
  clearMessage($('message'));
  $('range-text').textContent = `表示中: ${rangeText()}`;
  $('csv-link', HTMLAnchorElement).href = `/api/v1/issuances.csv${query()}`;
  try {
    /** @type {[import('./api.js').IssuanceList, import('./api.js').Statistics]} */
    const [list, stats] = await Promise.all([api(`/api/v1/issuances${query({ page: state.page, pageSize: PAGE_SIZE })}`), api(`/api/v1/statistics${query()}`)]);
    state.total = list.total;
    renderTable(list.items);
    renderPager(list.items.length);
    $('total-count').textContent = count(list.total);
    $('total-copies').textContent = count(list.totals.copies);
    $('total-fee').textContent = count(list.totals.fee);
    // Web fonts the page needed (none where a Japanese system font exists) are loaded by then.
    await document.fonts.ready;
    renderChart(stats);
    document.body.dataset.loaded = 'true';
  } catch (err) {
    showMessage($('message'), 'error', errorMessage(err));
  }
}

async function start() {
  await startPage('issuances');
  const params = new URLSearchParams(location.search);
  const today = jstToday();
  state.from = params.get('from') ?? addDays(today, -29);
  state.to = params.get('to') ?? today;
  $('from', HTMLInputElement).value = state.from;
  $('to', HTMLInputElement).value = state.to;

  $('filter', HTMLFormElement).addEventListener('submit', (e) => {
    e.preventDefault();
    const from = $('from', HTMLInputElement).value;
    const to = $('to', HTMLInputElement).value;
    if (from && to && from > to) {
      showMessage($('message'), 'error', '開始日は終了日より前の日付にしてください。');
      $('from', HTMLInputElement).focus();
      return;
    }
    state.from = from;
    state.to = to;
    state.page = 1;
    history.replaceState(null, '', `/${query()}`);
    void load();
  });
  $('prev', HTMLButtonElement).addEventListener('click', () => {
    if (state.page > 1) {
      state.page -= 1;
      void load();
    }
  });
  $('next', HTMLButtonElement).addEventListener('click', () => {
    state.page += 1;
    void load();
  });
  await load();
}

runPage(start);
