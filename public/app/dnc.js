// The do-not-call list: numbers no campaign ever dials. Everyone can look
// numbers up and add them (one at a time or a CSV); only admins remove.

import { api, upload } from './api.js';
import { h, mount, field, alert, busy, confirmable, when, num, debounce, table } from './dom.js';

const PAGE = 100, MAX = 1000; // the API lists at most 1000 at once
const MAX_FILE = 4.5 * 1024 * 1024;

export default function dnc(root, ctx) {
  const admin = ctx.me.role === 'admin';
  const cols = ['Phone', 'Source', 'Reason', 'Added', admin ? '' : null].filter((c) => c != null);
  const rows = h('tbody', { testid: 'dnc-rows' });
  const total = h('p', { class: 'muted', testid: 'dnc-total', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'btn small', testid: 'dnc-more', hidden: true, onclick: () => { limit = Math.min(limit + PAGE, MAX); load(); } }, 'Show more');
  const msg = h('div', { 'aria-live': 'polite' });
  const report = h('div', { 'aria-live': 'polite' });
  let limit = PAGE, seq = 0;

  const search = h('input', { type: 'search', placeholder: 'Digits of the number', 'aria-label': 'Search numbers', inputmode: 'tel', testid: 'dnc-search', oninput: () => later() });
  const later = debounce(() => { limit = PAGE; load(); }, 300);

  async function load() {
    later.cancel();
    const n = ++seq;
    const p = new URLSearchParams({ search: search.value.trim(), limit });
    try {
      const { entries = [], total: all = 0 } = await api(`/api/dnc?${p}`);
      if (n !== seq) return; // a newer search is on its way
      mount(rows, entries.length ? entries.map(row)
        : h('tr', {}, h('td', { colspan: cols.length, class: 'empty', testid: 'dnc-empty' },
          search.value.trim() ? 'No number on the list matches.' : 'The do-not-call list is empty.')));
      total.dataset.total = all;
      total.textContent = all > entries.length ? `Showing ${num(entries.length)} of ${num(all)} numbers.` : `${num(all)} number${all === 1 ? '' : 's'}.`;
      more.hidden = all <= entries.length || limit >= MAX;
    } catch (err) {
      mount(msg, alert('error', err.message, 'dnc-error'));
    }
  }

  const remove = (e) => async () => {
    try {
      await api(`/api/dnc/${encodeURIComponent(e.phone)}`, { method: 'DELETE' });
      mount(msg, alert('ok', `Removed ${e.phone}: campaigns may call it again.`, 'dnc-result'));
    } catch (err) {
      mount(msg, alert('error', err.message, 'dnc-error'));
    }
    await load();
  };

  const row = (e) => h('tr', { testid: 'dnc-row', 'data-phone': e.phone },
    h('th', { scope: 'row', class: 'nowrap', testid: 'dnc-phone' }, e.phone),
    h('td', { testid: 'dnc-source' }, e.source),
    h('td', { testid: 'dnc-reason' }, e.reason || '—'),
    h('td', { class: 'nowrap' }, when(e.createdAt)),
    admin && h('td', {}, confirmable('Remove', 'dnc-remove', `Allow calls to ${e.phone} again?`, remove(e), 'btn small danger')));

  const forms = [];
  // shown puts up an addition's report, clears the old messages and reloads.
  const shown = (r, keep) => {
    mount(report, reportView(r));
    for (const el of [msg, ...forms.map((f) => f.note)]) if (el !== keep) mount(el);
    return load();
  };
  forms.push(addForm(shown), uploadForm(shown));
  mount(root,
    h('h1', {}, 'Do not call'),
    h('p', { class: 'muted' }, 'Numbers on this list are never dialed by any campaign: they are skipped at import and checked again before every call.',
      !admin && ' Only admins can take a number off the list.'),
    h('div', { class: 'grid2' }, forms),
    report, msg,
    h('section', {}, h('h2', {}, 'Numbers'),
      h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); limit = PAGE; load(); } },
        search, h('button', { class: 'btn', testid: 'dnc-search-submit' }, 'Search')),
      table('dnc-table', cols, rows), h('div', { class: 'pager' }, total, more)));
  load();
  return () => later.cancel();
}

function addForm(shown) {
  const phone = h('input', { type: 'tel', required: true, autocomplete: 'off', placeholder: '+1 415 555 0100', testid: 'dnc-add-phone' });
  const reason = h('input', { maxlength: 500, placeholder: 'e.g. asked by phone', testid: 'dnc-add-reason' });
  const err = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', testid: 'dnc-add-submit' }, 'Add number');
  return noted(err, h('form', { class: 'card', testid: 'dnc-add-form', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    mount(err);
    if (!phone.value.trim()) return mount(err, alert('error', 'Type a phone number.', 'dnc-add-error'));
    busy(btn, async () => {
      try {
        const r = await api('/api/dnc', { method: 'POST', body: { phone: phone.value.trim(), reason: reason.value.trim() } });
        await shown(r, err);
        if (r.invalid?.length) mount(err, alert('error', `Not a phone number we can dial: ${r.invalid[0].reason}`, 'dnc-add-error'));
        else e.target.reset();
      } catch (x) {
        mount(err, alert('error', x.message, 'dnc-add-error'));
      }
    });
  } }, h('h2', {}, 'Add a number'), field('Phone number', phone), field('Reason (optional)', reason), err, btn));
}

function uploadForm(shown) {
  const file = h('input', { type: 'file', accept: '.csv,.txt,text/csv,text/plain', required: true, testid: 'dnc-file' });
  const reason = h('input', { maxlength: 500, placeholder: 'e.g. list from the client', testid: 'dnc-upload-reason' });
  const status = h('div', { 'aria-live': 'polite', testid: 'dnc-upload-status' });
  const bar = h('progress', { max: 1, value: 0, hidden: true, testid: 'dnc-upload-progress', 'aria-label': 'Upload progress' });
  const btn = h('button', { class: 'btn', testid: 'dnc-upload-submit' }, 'Upload list');
  return noted(status, h('form', { class: 'card', testid: 'dnc-upload-form', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return mount(status, alert('error', 'Choose a CSV file of numbers.', 'dnc-upload-error'));
    if (f.size > MAX_FILE) return mount(status, alert('error', 'The file is larger than 4.5 MB; split it and upload the parts one by one.', 'dnc-upload-error'));
    const fd = new FormData();
    fd.append('reason', reason.value.trim()); // before the file: the server reads the file as it streams
    fd.append('file', f, f.name);
    bar.hidden = false;
    mount(status, `Uploading ${f.name}…`);
    busy(btn, async () => {
      try {
        const r = await upload('/api/dnc', fd, null, (loaded, all) => { bar.value = loaded / (all || 1); },
          (s) => mount(status, `Rate limited; sending again in ${s} s…`));
        e.target.reset();
        await shown(r, status);
        mount(status, alert('ok', `Read ${f.name}.`));
      } catch (x) {
        mount(status, alert('error', `Upload failed: ${x.message}`, 'dnc-upload-error'));
      } finally {
        bar.hidden = true;
      }
    });
  } }, h('h2', {}, 'Upload a list'),
  field('CSV file', file, 'One number per line, or a column named phone (or number).'),
  field('Reason (optional)', reason), bar, status, btn));
}

// noted remembers the form's message area, cleared by another form's success.
const noted = (note, form) => Object.assign(form, { note });

// reportView says what an addition did, with the rows that were not numbers.
function reportView(r) {
  const invalid = r.invalid || [];
  return h('section', { class: 'card', testid: 'dnc-report' },
    h('h2', {}, 'Added to the list'),
    h('dl', { class: 'stats' },
      h('div', {}, h('dt', {}, 'Added'), h('dd', { testid: 'dnc-report-added' }, num(r.added))),
      h('div', {}, h('dt', {}, 'Already on the list'), h('dd', { testid: 'dnc-report-already' }, num(r.already))),
      h('div', {}, h('dt', {}, 'Not a number'), h('dd', { testid: 'dnc-report-invalid-count' }, num(invalid.length)))),
    invalid.length > 0 && [h('p', {}, 'Rows that are not phone numbers, counted from the first number (a header line is not counted):'),
      table('dnc-report-invalid', ['Row', 'Reason'], h('tbody', {},
        invalid.map((x) => h('tr', { testid: 'dnc-invalid-row', 'data-row': x.row }, h('td', { class: 'n' }, x.row), h('td', {}, x.reason)))), 'scroll')]);
}
