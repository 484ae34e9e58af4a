// Campaign detail: why it stopped or waits, metrics, outcome charts,
// controls, export, calling rules, and the contacts with their latest call.

import { api, conditionalGet } from './api.js';
import { h, s, mount, alert, badge, busy, lock, confirmable, money, num, when, duration, debounce, isLive, table } from './dom.js';
import { watch } from './live.js';
import { transcript } from './transcript.js';
import { rulesView } from './rules.js';
import { waitingBadge, waitingNote } from './waiting.js';
import { outcomeCells, outcomeCharts, outcomeFilter } from './outcomes.js';
import { scheduleForm, scheduledNote } from './schedule.js';
import { voicemailView } from './voicemail.js';
import { numberLink } from './numbers.js';
import { testCallPanel } from './testcall.js';

const CALL_STATUSES = ['NOT_CALLED', 'PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS', 'ENDED', 'FAILED', 'CANCELED', 'TIMEOUT'];
const FINAL = ['STOPPED', 'COMPLETED', 'FAILED'];
// ACTIONS says in which campaign states each control is allowed.
const ACTIONS = {
  start: (st) => st === 'CREATED' || st === 'SCHEDULED',
  pause: (st) => isLive(st) || st === 'SCHEDULED',
  resume: (st) => st === 'PAUSED',
  stop: (st) => !FINAL.includes(st),
};
const DONE = { start: 'started', pause: 'paused', resume: 'resumed', stop: 'stopped' };
const CONTACTS_EVERY = 3000; // at most this often while metrics change (rate limit: 100/min)
const LIMIT = 50;

export default function detail(root, ctx) {
  const cached = conditionalGet();
  const [id] = ctx.params;
  const base = `/api/campaigns/${id}`;
  const q = { page: 1, status: '', search: '', outcome: '' };
  let camp = null, contactsAt = 0, contactsTimer = 0;

  const title = h('h1', {}, 'Campaign');
  const head = h('div', { class: 'badges' });
  const note = h('div', { 'aria-live': 'polite' });
  const reason = h('div', { class: 'reason' });
  const next = h('div');
  const rules = h('div');
  // The spend limit can be raised (or removed) to resume a campaign it paused.
  const limitInput = h('input', { type: 'number', min: 0.01, step: 0.01, placeholder: 'no limit', testid: 'spend-limit-input', 'aria-label': 'Spend limit in USD' });
  const limitForm = h('form', { class: 'inline', testid: 'spend-limit-form', onsubmit: (e) => { e.preventDefault(); busy(e.submitter || limitForm.querySelector('button'), saveLimit); } },
    h('label', {}, 'Spend limit (USD) ', limitInput), ' ', h('button', { class: 'btn', testid: 'spend-limit-save' }, 'Save limit'));
  const controls = h('div', { class: 'actions', testid: 'controls' });
  const metrics = h('dl', { class: 'metrics', testid: 'metrics' });
  const charts = h('div', { class: 'charts', testid: 'charts' });
  const info = h('dl', { class: 'info' });
  const rows = h('tbody', { testid: 'contact-rows' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Contacts pages', testid: 'pager' });
  const refilter = () => {
    runSearch.cancel();
    Object.assign(q, { page: 1, status: statusSel.value, search: search.value.trim(), outcome: outcomeSel.value });
    loadContacts();
  };
  const runSearch = debounce(refilter, 300);
  const statusSel = h('select', { testid: 'filter-status', 'aria-label': 'Call status', onchange: refilter },
    h('option', { value: '' }, 'All statuses'), CALL_STATUSES.map((c) => h('option', { value: c }, c.replace('_', ' ').toLowerCase())));
  const outcomeSel = outcomeFilter(refilter);
  const search = h('input', { type: 'search', placeholder: 'Name, business or phone', 'aria-label': 'Search contacts', testid: 'filter-search', oninput: runSearch });

  const tester = testCallPanel(base);
  mount(root,
    h('p', {}, h('a', { href: '#/campaigns' }, '← All campaigns')),
    h('div', { class: 'head' }, title, head), reason, next, note, controls, metrics, charts,
    h('section', { class: 'card', testid: 'rules' }, h('h2', {}, 'Calling rules'), rules, limitForm),
    tester.el,
    h('details', {}, h('summary', {}, 'Settings'), info),
    h('section', {}, h('h2', {}, 'Contacts'),
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); refilter(); } },
        statusSel, outcomeSel, search, h('button', { class: 'btn', testid: 'filter-apply' }, 'Search')),
      table('contacts-table', ['Name', 'Business', 'Phone', 'Call status', 'Ended reason', 'Duration', 'Cost', 'Recording', 'Attempts', 'Result', 'Outcomes', ''], rows),
      pager));

  const act = (name, label, cls = 'btn') => h('button', { class: cls, testid: `btn-${name}`, onclick: (e) => busy(e.currentTarget, () => control(name)) }, label);
  const stopper = confirmable('Stop', 'btn-stop', 'Stop for good? Calls in flight finish; nothing new is dialed.', () => control('stop'));
  const buttons = { start: act('start', 'Start', 'btn primary'), pause: act('pause', 'Pause'), resume: act('resume', 'Resume', 'btn primary'), stop: stopper.button };
  const exportBtn = h('button', { class: 'btn', testid: 'btn-export', onclick: () => busy(exportBtn, () => exportCSV(base, camp?.name, note)) }, 'Export CSV');
  for (const b of Object.values(buttons)) lock(b, true);
  const scheduler = scheduleForm(base, note, () => stop.now());
  mount(controls, buttons.start, buttons.pause, buttons.resume, stopper, exportBtn, scheduler);

  async function saveLimit() {
    const v = limitInput.value.trim();
    try {
      await api(base, { method: 'PATCH', body: { spendLimit: v === '' ? null : Number(v) } });
      mount(note, alert('ok', v === '' ? 'Spend limit removed.' : `Spend limit set to $${v}.`, 'spend-limit-result'));
    } catch (err) {
      mount(note, alert('error', err.message, 'spend-limit-error'));
    }
    await stop.now();
  }

  async function control(action) {
    try {
      const r = await api(`${base}/${action}`, { method: 'POST' });
      mount(note, alert('ok', `Campaign ${DONE[action]}: now ${r.status}.`, 'control-result'));
    } catch (err) {
      mount(note, alert('error', err.message, 'control-error'));
    }
    await stop.now();
  }

  function render(c) {
    camp = c;
    const m = c.metrics || {};
    title.textContent = c.name;
    document.title = `${c.name} · AutoLynx`;
    mount(head, badge(c.status), c.waiting && waitingBadge(),
      h('span', { class: `badge line ${c.phoneLine?.activeCalls ? 'busy' : ''}`, testid: 'phone-line', title: 'Calls live on the phone number (all campaigns)' },
        `Line: ${num(c.phoneLine?.activeCalls ?? 0)} live`));
    showReason(reason, c);
    scheduler.hidden = !['CREATED', 'SCHEDULED'].includes(c.status);
    mount(next, scheduledNote(c), c.waiting ? waitingNote(c.waiting) : c.nextEligibleAt && h('p', { class: 'alert info next', testid: 'next-eligible', 'data-at': c.nextEligibleAt },
      'Next call possible at ', h('strong', {}, at(c.nextEligibleAt)),
      h('small', {}, ' (your time): the contacts left are outside their calling hours or waiting for a retry.')));
    mount(rules, rulesView(c.callingRules), voicemailView(c.voicemail));
    limitForm.hidden = ['STOPPED', 'COMPLETED', 'FAILED'].includes(c.status);
    if (document.activeElement !== limitInput) limitInput.value = c.callingRules?.spendLimitUsd ?? '';
    for (const [k, ok] of Object.entries(ACTIONS)) lock(buttons[k], !ok(c.status));
    if (!ACTIONS.stop(c.status)) stopper.box.hidden = true;
    mount(metrics, [
      ['total', 'Total', num(m.totalContacts)], ['dialed', 'Dialed', num(m.dialedContacts)], ['live', 'Live', num(m.activeCalls)],
      ['completed', 'Completed', num(m.completedCalls)], ['successful', 'Successful', num(m.successfulCalls)],
      ['failed', 'Failed', num(m.failedCalls)], ['cost', 'Cost', money(m.totalCost)],
      ['retries-pending', 'Retries pending', num(m.retriesPending)], ['suppressed', 'Suppressed', num(m.suppressedContacts)],
      ['held-back', 'Held back (frequency cap)', num(m.heldBackContacts)], ['voicemail-messages', 'Voicemail messages left', num(m.voicemailMessagesLeft)],
    ].map(([k, label, v]) => h('div', { class: 'metric' }, h('dt', {}, label), h('dd', { testid: `metric-${k}` }, v))));
    mount(charts, bars('By call status', m.byStatus, 'chart-status', true),
      bars('By disposition', m.byDisposition, 'chart-disposition'), bars('By ended reason', m.byEndedReason, 'chart-ended-reason'),
      outcomeCharts(c.outcomes, bars));
    outcomeSel.hidden = !c.outcomes;
    outcomeSel.update(c.outcomes);
    mount(info, [
      ['Assistant', c.assistant?.name], ['Phone number id', c.phoneNumberId || 'default'], ['Mode', c.mode], ['Cap', c.cap],
      ['Line-quiet gating', c.lineQuietGating ? 'on' : 'off'], ['Created', when(c.createdAt)], ['Started', when(c.startedAt)], ['Completed', when(c.completedAt)],
    ].map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v ?? '—'))));
  }

  let contactsSeq = 0, shownPath = '';
  async function loadContacts() {
    const mine = ++contactsSeq; // the latest request wins
    clearTimeout(contactsTimer);
    contactsAt = Date.now();
    const p = new URLSearchParams({ page: q.page, limit: LIMIT });
    if (q.status) p.set('status', q.status);
    if (q.search) p.set('search', q.search);
    if (q.outcome) p.set(...q.outcome.split(/=(.*)/s).slice(0, 2));
    try {
      const path = `${base}/contacts?${p}`;
      const { data, changed } = await cached(path);
      if (mine === contactsSeq && (changed || path !== shownPath)) {
        shownPath = path;
        renderContacts(data);
      }
    } catch (err) {
      mount(rows, h('tr', {}, h('td', { colspan: 12 }, alert('error', err.message))));
    }
  }

  function renderContacts({ contacts = [], pagination = {} }) {
    mount(rows, contacts.length ? contacts.map(contactRow)
      : h('tr', {}, h('td', { colspan: 12, class: 'empty', testid: 'contacts-empty' }, 'No contacts match.')));
    const { page = 1, pages = 1, total = 0 } = pagination;
    const go = (n) => { q.page = n; loadContacts(); };
    mount(pager,
      h('button', { class: 'btn small', testid: 'page-prev', disabled: page <= 1, onclick: () => go(page - 1) }, '← Previous'),
      h('span', { testid: 'page-info' }, `Page ${page} of ${Math.max(pages, 1)} · ${num(total)} contacts`),
      h('button', { class: 'btn small', testid: 'page-next', disabled: page >= pages, onclick: () => go(page + 1) }, 'Next →'));
  }

  const contactRow = (k) => {
    const c = k.call;
    return h('tr', { testid: 'contact-row', 'data-id': k.id, 'data-status': c?.status || 'NOT_CALLED' },
      h('td', {}, k.name || '—'), h('td', {}, k.businessName || '—'), h('td', { class: 'nowrap' }, numberLink(k.phone)),
      h('td', {}, c ? badge(c.status, 'call-status') : h('span', { class: 'muted', testid: 'call-status' }, 'not called')),
      h('td', {}, c?.endedReason || '—'), h('td', { class: 'n' }, duration(c?.duration)), h('td', { class: 'n' }, money(c?.cost)),
      h('td', {}, c?.recordingUrl ? player(c.recordingUrl, k.name) : '—'),
      h('td', { class: 'n' }, c?.attempt ?? '—'),
      outcomeCells(base, k, loadContacts),
      h('td', {}, c && h('button', { class: 'btn small', testid: 'transcript-btn', onclick: () => transcript(`${base}/calls/${c.id}`, k.name) }, 'Transcript')));
  };

  const refresh = async () => {
    const { data, changed } = await cached(base);
    if (changed) {
      render(data);
      const due = contactsAt + CONTACTS_EVERY - Date.now();
      if (due <= 0) loadContacts();
      else if (!contactsTimer) contactsTimer = setTimeout(() => { contactsTimer = 0; loadContacts(); }, due);
    }
    return isLive(data.status);
  };
  const stop = watch(refresh, {
    realtime: ctx.cfg.realtime,
    tables: [{ table: 'campaigns', filter: `id=eq.${id}` }, { table: 'calls', filter: `campaign_id=eq.${id}` }],
    onError: (err) => (err ? mount(note, alert('error', err.message, 'load-error')) : note.querySelector('[data-testid=load-error]')?.remove()),
  });
  loadContacts();
  const end = () => { stop(); clearTimeout(contactsTimer); runSearch.cancel(); tester.stop(); };
  end.now = stop.now;
  return end;
}

// player is a Listen button for a call's recording. Vapi keeps recordings
// private: our endpoint (which needs the session's token, so an <audio>
// element cannot fetch it itself) answers a short-lived URL, asked for on
// each click and never kept.
function player(path, who) {
  const cell = h('span', { testid: 'recording' });
  const btn = h('button', { class: 'btn small', testid: 'listen-btn', 'aria-label': `Listen to the call with ${who || 'this contact'}`, onclick: () => busy(btn, async () => {
    try {
      const { url } = await api(path);
      mount(cell, h('audio', { controls: true, autoplay: true, preload: 'auto', src: url, testid: 'recording-audio' }));
    } catch (err) {
      mount(cell, btn, ' ', h('small', { class: 'error', role: 'alert' }, err.message));
    }
  }) }, 'Listen');
  mount(cell, btn);
  return cell;
}

// showReason says prominently why the campaign failed or was held (spend
// limit reached…), re-announcing it only when it changes.
function showReason(el, c) {
  const text = c.statusReason || '';
  const kind = c.status === 'FAILED' ? 'error' : 'warn';
  if (el.dataset.text === text && el.dataset.kind === kind) return;
  Object.assign(el.dataset, { text, kind });
  mount(el, text && alert(kind, text, 'status-reason'));
}

const local = new Intl.DateTimeFormat(undefined, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
const at = (t) => local.format(new Date(t));

// bars draws counts as labelled horizontal bars in inline SVG.
function bars(titleText, counts, testid, byStatus) {
  const entries = Object.entries(counts || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const fig = h('figure', { class: 'chart', testid }, h('figcaption', {}, titleText));
  if (!entries.length) return mount(fig, fig.firstChild, h('p', { class: 'muted' }, 'No data yet.'));
  const max = entries[0][1], row = 34, w = 400;
  const svg = s('svg', { viewBox: `0 0 ${w} ${entries.length * row}`, role: 'img', 'aria-label': `${titleText}: ${entries.map(([k, v]) => `${k} ${v}`).join(', ')}` },
    entries.map(([k, v], i) => {
      const y = i * row, bw = Math.max(2, ((w - 60) * v) / max);
      return s('g', { 'data-key': k },
        s('text', { x: 0, y: y + 12, class: 'label' }, k),
        s('rect', { x: 0, y: y + 16, width: bw, height: 12, rx: 2, class: byStatus ? `bar s-${k}` : 'bar' }, s('title', {}, `${k}: ${v}`)),
        s('text', { x: bw + 6, y: y + 27, class: 'count' }, num(v)));
    }));
  fig.append(svg);
  return fig;
}

// exportCSV follows the export's Link rel="next" pages and saves one file.
async function exportCSV(base, name, note) {
  const parts = [];
  let url = `${base}/export.csv`, pages = 0;
  try {
    while (url) {
      mount(note, alert('info', `Exporting… page ${++pages}`, 'export-status'));
      const res = await api(url, { raw: true });
      const blob = await res.blob();
      url = nextLink(res.headers.get('Link'), res.url);
      parts.push(blob);
      if (url && blob.size && (await blob.slice(-1).text()) !== '\n') parts.push('\r\n');
    }
  } catch (err) {
    return mount(note, alert('error', `Export failed: ${err.message}`, 'export-status'));
  }
  const file = new Blob(parts, { type: 'text/csv' });
  const a = h('a', { href: URL.createObjectURL(file), download: `${(name || 'campaign').replace(/[^\w-]+/g, '_')}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  const msg = alert('ok', `Saved ${a.download} (${(file.size / 1024).toFixed(1)} KB, ${pages} page${pages > 1 ? 's' : ''}).`, 'export-status');
  msg.dataset.bytes = file.size;
  msg.dataset.pages = pages;
  mount(note, msg);
}

function nextLink(header, from) {
  const m = /<([^>]+)>\s*;[^,]*rel="?next"?/i.exec(header || '');
  return m ? new URL(m[1], from).href : null;
}
