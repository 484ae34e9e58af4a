// The campaign list: progress and live counters for every campaign,
// newest first.

import { conditionalGet } from './api.js';
import { h, mount, alert, badge, money, num, when, isLive, table } from './dom.js';
import { watch } from './live.js';
import { waitingBadge, waitingText } from './waiting.js';

const COLS = ['Campaign', 'Status', 'Progress', 'Live', 'Completed', 'Successful', 'Cost', 'Created'];

export default function campaigns(root, ctx) {
  const cached = conditionalGet();
  const rows = h('tbody', { testid: 'campaign-rows' });
  const msg = h('div', { 'aria-live': 'polite' });
  mount(root,
    h('div', { class: 'head' }, h('h1', {}, 'Campaigns'),
      h('a', { class: 'btn primary', href: '#/campaigns/new', testid: 'new-campaign' }, 'New campaign')),
    msg,
    table('campaign-table', COLS, rows));

  const refresh = async () => {
    const { data, changed } = await cached('/api/campaigns');
    const list = [...(data.campaigns || [])].sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''));
    if (changed) {
      mount(msg);
      mount(rows, list.length ? list.map(row)
        : h('tr', {}, h('td', { colspan: COLS.length, class: 'empty', testid: 'campaigns-empty' }, 'No campaigns yet. Create one to start calling.')));
    }
    return list.some((c) => isLive(c.status));
  };
  return watch(refresh, {
    realtime: ctx.cfg.realtime,
    tables: [{ table: 'campaigns' }, { table: 'calls' }],
    onError: (err) => mount(msg, err && alert('error', err.message, 'load-error')),
  });
}

function row(c) {
  const total = c.totalContacts || 0, done = c.completedCalls || 0;
  const pct = total ? Math.round((done / total) * 100) : 0;
  return h('tr', { testid: 'campaign-row', 'data-id': c.id, 'data-status': c.status, 'data-waiting': String(!!c.waiting), class: c.waiting ? 'waiting' : '' },
    h('th', { scope: 'row' }, h('a', { href: `#/campaigns/${c.id}`, testid: 'campaign-link' }, c.name)),
    h('td', {}, badge(c.status), c.waiting && [' ', waitingBadge(), h('small', { class: 'wait-why', testid: 'waiting-text' }, waitingText(c.waiting))],
      c.status === 'SCHEDULED' && c.scheduledAt && h('small', { class: 'wait-why', testid: 'scheduled-at', 'data-at': c.scheduledAt }, ` starts ${when(c.scheduledAt)}`)),
    h('td', { class: 'progress-cell' },
      h('progress', { max: total || 1, value: done, testid: 'campaign-progress', 'aria-label': `${c.name}: ${done} of ${total} contacts done` }),
      h('small', {}, `${num(done)} / ${num(total)} (${pct}%)`)),
    h('td', { class: 'n', testid: 'count-live' }, num(c.activeCalls)),
    h('td', { class: 'n', testid: 'count-completed' }, num(done)),
    h('td', { class: 'n', testid: 'count-successful' }, num(c.successfulCalls)),
    h('td', { class: 'n', testid: 'count-cost' }, money(c.totalCost)),
    h('td', {}, when(c.createdAt)));
}
