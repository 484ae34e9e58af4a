// Destinations (admin page): the team's systems AutoLynx sends events to,
// signed as Standard Webhooks, with each one's delivery log, a test
// event, redelivery and the outcomes CSV link for a spreadsheet.

import { api } from './api.js';
import { h, mount, field, alert, busy, confirmable, when, table, reporter } from './dom.js';

const EVENTS = [
  ['call.finished', 'Call finished'],
  ['campaign.finished', 'Campaign finished'],
  ['contact.opted_out', 'Opted out'],
];

export default function destinations() {
  const rows = h('tbody', { testid: 'destination-rows' });
  const msg = h('div', { 'aria-live': 'polite' });
  const shown = h('div', { testid: 'destination-shown' });
  const log = h('div', { testid: 'destination-log' });
  const load = async () => {
    try {
      const list = (await api('/api/admin/destinations')).destinations || [];
      mount(rows, list.length ? list.map(row) : h('tr', { testid: 'destinations-empty' }, h('td', { colspan: 6 }, 'No destinations yet.')));
    } catch (err) {
      mount(msg, alert('error', err.message, 'destination-error'));
    }
  };
  const act = reporter(msg, 'destination', load);
  const path = (d, rest = '') => `/api/admin/destinations/${d.id}${rest}`;
  // once shows a value that is never shown again (a secret, a link).
  const once = (title, testid, value, note) => mount(shown, h('div', { class: 'alert ok', role: 'status' },
    h('strong', {}, title), ' ', h('code', { testid }, value), note && h('p', {}, note)));

  const showLog = async (d) => {
    const { deliveries = [], attempts = [] } = await api(path(d, '/deliveries'));
    const redeliver = (x) => h('button', { class: 'btn small', testid: 'delivery-redeliver', onclick: (e) => busy(e.target, () =>
      act(() => api(path(d, `/deliveries/${x.id}/redeliver`), { method: 'POST' }), (st) => `Redelivered: ${st.status}.`).then(() => showLog(d))) }, 'Redeliver');
    mount(log, h('h3', {}, `Delivery log: ${d.name}`),
      table('delivery-table', ['Event', 'Status', 'Attempts', 'Last answer', 'Next try', ''], h('tbody', {}, deliveries.map((x) =>
        h('tr', { testid: 'delivery-row', 'data-id': x.id, 'data-status': x.status, 'data-event': x.eventType },
          h('td', {}, x.eventType), h('td', { testid: 'delivery-status' }, x.status), h('td', {}, String(x.attempts)),
          h('td', {}, x.lastStatusCode ?? '—', x.lastError ? ` ${x.lastError}` : ''), h('td', {}, when(x.nextAttemptAt)),
          h('td', {}, x.eventType !== 'webhook.test' && redeliver(x)))))),
      table('attempt-table', ['When', 'Event', 'Status code', 'Answer', 'Error'], h('tbody', {}, attempts.map((a) =>
        h('tr', { testid: 'attempt-row', 'data-status-code': a.statusCode ?? '' },
          h('td', {}, when(a.attemptedAt)), h('td', {}, a.eventType), h('td', {}, a.statusCode ?? '—'),
          h('td', {}, h('code', {}, a.excerpt ?? '')), h('td', {}, a.error ?? ''))))));
  };

  const row = (d) => h('tr', { testid: 'destination-row', 'data-id': d.id, 'data-last-status': d.lastDelivery?.status ?? '' },
    h('th', { scope: 'row' }, d.name), h('td', {}, h('code', {}, d.url)), h('td', {}, d.events.join(', ') || '—'),
    h('td', { testid: 'destination-last' }, d.lastDelivery ? `${d.lastDelivery.eventType}: ${d.lastDelivery.status} (${d.lastDelivery.lastStatusCode ?? d.lastDelivery.lastError ?? '—'})` : '—'),
    h('td', {}, `${d.pending} pending, ${d.failed} failed`),
    h('td', { class: 'actions' },
      h('button', { class: 'btn small', testid: 'destination-test', onclick: (e) => busy(e.target, () =>
        act(() => api(path(d, '/test'), { method: 'POST' }), (st) => (st.status === 'delivered'
          ? `Test event delivered (${st.lastStatusCode}).` : `Test event ${st.status}: ${st.lastError ?? st.lastStatusCode}.`))) }, 'Send test event'),
      h('button', { class: 'btn small', testid: 'destination-edit', onclick: () => edit(d) }, 'Edit'),
      h('button', { class: 'btn small', testid: 'destination-log-open', onclick: (e) => busy(e.target, () => showLog(d).catch((err) => mount(msg, alert('error', err.message, 'destination-error')))) }, 'Log'),
      confirmable('Rotate secret', 'destination-rotate', 'A new secret signs from now on; the old one also signs for 24 hours.', () =>
        act(async () => once('New signing secret:', 'destination-secret', (await api(path(d, '/secret'), { method: 'POST' })).secret,
          'Copy it now: it is not shown again.'), 'Secret rotated.'), 'btn small'),
      h('button', { class: 'btn small', testid: 'destination-feed', onclick: (e) => busy(e.target, () =>
        act(async () => {
          const f = await api(path(d, '/feed'), { method: 'POST' });
          once('Outcomes CSV link:', 'destination-feed-url', f.url, `In Google Sheets: ${f.formula} — a new link replaces this one.`);
        }, 'Outcomes link made.')) }, d.hasFeed ? 'New CSV link' : 'CSV link'),
      d.hasFeed && confirmable('Revoke link', 'destination-feed-revoke', 'The CSV link stops working.', () =>
        act(() => api(path(d, '/feed'), { method: 'DELETE' }), 'Link revoked.'), 'btn small danger'),
      confirmable('Delete', 'destination-delete', `Delete ${d.name} and its log?`, () =>
        act(() => api(path(d), { method: 'DELETE' }), `${d.name} deleted.`), 'btn small danger')));

  const name = h('input', { required: true, maxlength: 100, testid: 'destination-name' });
  const url = h('input', { type: 'url', required: true, placeholder: 'https://…', testid: 'destination-url' });
  const boxes = EVENTS.map(([v, l]) => [v, h('input', { type: 'checkbox', value: v, checked: true, testid: `destination-event-${v}` }), l]);
  const submit = h('button', { class: 'btn primary', testid: 'destination-submit' }, 'Add destination');
  const heading = h('h3', {}, 'Add a destination');
  // editing is the destination the form edits, null while it adds one.
  let editing = null;
  const reset = (form) => {
    form.reset();
    boxes.forEach(([, b]) => { b.checked = true; });
    editing = null;
    mount(heading, 'Add a destination');
    mount(submit, 'Add destination');
  };
  const edit = (d) => {
    editing = d;
    name.value = d.name;
    url.value = d.url;
    boxes.forEach(([v, b]) => { b.checked = d.events.includes(v); });
    mount(heading, `Edit ${d.name}`);
    mount(submit, 'Save destination');
    name.focus();
  };
  const form = h('form', { class: 'card', testid: 'destination-form', onsubmit: (e) => {
    e.preventDefault();
    const body = { name: name.value.trim(), url: url.value.trim(), events: boxes.filter(([, b]) => b.checked).map(([v]) => v) };
    if (editing) {
      const d = editing;
      busy(submit, () => act(async () => {
        const saved = await api(path(d), { method: 'PATCH', body });
        reset(e.target);
        return saved;
      }, (x) => `Saved ${x.name}.`));
      return;
    }
    busy(submit, () => act(async () => {
      const r = await api('/api/admin/destinations', { method: 'POST', body });
      once('Signing secret:', 'destination-secret', r.secret, 'Copy it now: it is not shown again. Verify each delivery\'s webhook-signature with it.');
      reset(e.target);
      return r.destination;
    }, (d) => `Added ${d.name}.`));
  } }, heading, h('div', { class: 'row' }, field('Name', name), field('URL', url)),
  h('fieldset', { testid: 'destination-events' }, h('legend', {}, 'Events'),
    boxes.map(([, b, l]) => h('label', { class: 'check' }, b, ' ', l))), submit);

  load();
  return h('div', { testid: 'destinations' }, msg, shown,
    table('destinations-table', ['Name', 'URL', 'Events', 'Last delivery', 'Queue', ''], rows), form, log);
}
