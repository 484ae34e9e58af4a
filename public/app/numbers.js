// One history per phone number (#/numbers/<E.164>): every call to the
// number across campaigns, newest first, with its outcome, cost and
// structured data, and where the number stands against the frequency cap.

import { api } from './api.js';
import { h, mount, alert, badge, money, num, when, duration, table } from './dom.js';
import { transcript } from './transcript.js';

const LIMIT = 50;

// numberLink links a phone number to its history page.
export const numberLink = (phone) => h('a', { href: `#/numbers/${encodeURIComponent(phone)}`, testid: 'number-link', title: 'Every call to this number' }, phone);

export default function numberHistory(root, ctx) {
  const phone = decodeURIComponent(ctx.params[0]);
  const path = `/api/numbers/${encodeURIComponent(phone)}/calls`;
  const cap = h('div');
  const rows = h('tbody', { testid: 'number-rows' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Call history pages', testid: 'number-pager' });
  const note = h('div', { 'aria-live': 'polite' });
  document.title = `${phone} · AutoLynx`;
  mount(root, h('p', {}, h('a', { href: '#/campaigns', onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, '← Back')),
    h('h1', { testid: 'number-title' }, `Calls to ${phone}`), note, cap,
    table('number-table', ['When', 'Campaign', 'Contact', 'Attempt', 'Status', 'Ended reason', 'Duration', 'Cost', 'Outcome', ''], rows), pager);

  async function load(page) {
    try {
      const hist = await api(`${path}?page=${page}&limit=${LIMIT}`);
      show(hist);
    } catch (err) {
      mount(note, alert('error', err.message, 'number-error'));
    }
  }

  function show({ calls = [], pagination = {}, frequencyCap: fc = {} }) {
    mount(cap, h('p', { class: `alert ${fc.nextAllowedAt ? 'warn' : 'info'}`, testid: 'number-cap', 'data-attempts': fc.attempts, 'data-next-allowed-at': fc.nextAllowedAt || '' },
      fc.limit ? `${num(fc.attempts)} of ${num(fc.limit)} calls allowed in ${fc.days} days made. ` : 'No frequency cap. ',
      fc.nextAllowedAt ? `Campaigns hold this number back until ${when(fc.nextAllowedAt)} (your time).` : fc.limit ? 'It may be called now.' : ''));
    mount(rows, calls.length ? calls.map(row)
      : h('tr', {}, h('td', { colspan: 10, class: 'empty', testid: 'number-empty' }, 'No call to this number yet.')));
    const { page = 1, pages = 1, total = 0 } = pagination;
    mount(pager,
      h('button', { class: 'btn small', testid: 'number-prev', disabled: page <= 1, onclick: () => load(page - 1) }, '← Newer'),
      h('span', { testid: 'number-page-info' }, `Page ${page} of ${Math.max(pages, 1)} · ${num(total)} calls`),
      h('button', { class: 'btn small', testid: 'number-next', disabled: page >= pages, onclick: () => load(page + 1) }, 'Older →'));
  }

  const row = (c) => h('tr', { testid: 'number-row', 'data-id': c.id, 'data-campaign': c.campaign.id, 'data-disposition': c.disposition || '' },
    h('td', { class: 'nowrap' }, when(c.dialedAt)),
    h('td', {}, h('a', { href: `#/campaigns/${c.campaign.id}`, testid: 'number-campaign' }, c.campaign.name)),
    h('td', {}, c.name || '—'), h('td', { class: 'n' }, c.attempt), h('td', {}, badge(c.status, 'number-status')),
    h('td', {}, c.endedReason || '—'), h('td', { class: 'n' }, duration(c.durationSeconds)), h('td', { class: 'n' }, money(c.cost)),
    h('td', { testid: 'number-outcome' }, outcome(c)),
    h('td', {}, h('button', { class: 'btn small', testid: 'number-transcript', onclick: () => transcript(`/api/campaigns/${c.campaign.id}/calls/${c.id}`, c.name) }, 'Transcript')));

  load(1);
}

// outcome is the call's disposition and what its analysis found, in a
// line: {"interested": true} → "interested: yes". A campaign's outcome
// fields are read by name; other calls show their raw structured data.
function outcome(c) {
  const parts = [];
  const found = c.outcomes || c.structuredData;
  const data = found && typeof found === 'object' ? found : {};
  for (const [k, v] of Object.entries(data)) {
    const val = v && typeof v === 'object' && 'result' in v ? v.result : v;
    const name = v && typeof v === 'object' && v.name ? v.name : k;
    parts.push(`${name}: ${val === true ? 'yes' : val === false ? 'no' : typeof val === 'object' ? JSON.stringify(val) : val}`);
  }
  return [c.disposition && h('strong', {}, c.disposition), parts.length ? ` — ${parts.join(', ')}` : ''];
}
