// "Test call" on the campaign detail page: one call of the campaign's
// assistant, with a chosen contact's variables, to a number the operator
// types; its status is followed until it ends. Test calls are not the
// campaign's calls: no metric, export or progress counts them.

import { api } from './api.js';
import { h, mount, alert, badge, busy, money, when, duration, table } from './dom.js';


const FINAL = ['ENDED', 'FAILED', 'CANCELED', 'TIMEOUT'];
const EVERY = 2000; // while a test call is live
const MAX_POLLS = 600; // 20 minutes of following one call, then stop

// testCallPanel returns the section and a stop function for the view's end.
export function testCallPanel(base) {
  const phone = h('input', { type: 'tel', placeholder: '+14155550100', required: true, testid: 'test-call-phone', 'aria-label': 'Number to call' });
  const contact = h('select', { testid: 'test-call-contact', 'aria-label': 'Contact whose variables the call uses' }, h('option', { value: '' }, 'No contact (name "Test")'));
  const btn = h('button', { class: 'btn', testid: 'test-call-submit' }, 'Place test call');
  const note = h('div', { 'aria-live': 'polite' });
  const rows = h('tbody', { testid: 'test-call-rows' });
  let timer = 0, polls = 0, stopped = false;

  const form = h('form', { class: 'inline', testid: 'test-call-form', onsubmit: (e) => {
    e.preventDefault();
    if (!phone.value.trim()) return mount(note, alert('error', 'Type the number to call.', 'test-call-error'));
    busy(btn, async () => {
      try {
        const body = { phone: phone.value.trim() };
        if (contact.value) body.contactId = contact.value;
        const t = await api(`${base}/test-calls`, { method: 'POST', body });
        mount(note, alert('ok', `Test call to ${t.phone} placed.`, 'test-call-result'));
        polls = 0;
        await load();
      } catch (err) {
        mount(note, alert('error', err.message, 'test-call-error'));
      }
    });
  } }, h('label', {}, 'Call ', phone), ' ', h('label', {}, 'as ', contact), ' ', btn);

  const row = (t) => h('tr', { testid: 'test-call-row', 'data-id': t.id, 'data-status': t.status },
    h('td', { class: 'nowrap' }, when(t.createdAt)), h('td', { class: 'nowrap' }, t.phone), h('td', {}, badge(t.status, 'test-call-status')),
    h('td', {}, t.endedReason || '—'), h('td', { class: 'n' }, duration(t.durationSeconds)), h('td', { class: 'n' }, money(t.cost)),
    h('td', {}, t.transcript && h('button', { class: 'btn small', testid: 'test-call-transcript', onclick: () => showTranscript(t) }, 'Transcript')));

  async function load() {
    clearTimeout(timer);
    if (stopped) return;
    try {
      const { testCalls = [] } = await api(`${base}/test-calls`);
      mount(rows, testCalls.length ? testCalls.map(row) : h('tr', {}, h('td', { colspan: 7, class: 'empty', testid: 'test-calls-empty' }, 'No test call yet.')));
      if (testCalls.some((t) => !FINAL.includes(t.status)) && ++polls < MAX_POLLS) timer = setTimeout(load, EVERY);
    } catch (err) {
      mount(note, alert('error', err.message, 'test-call-error'));
    }
  }

  api(`${base}/contacts?limit=100`).then(({ contacts = [] }) => {
    for (const k of contacts) contact.append(h('option', { value: k.id }, `${k.name || '—'} (${k.phone})`));
  }, () => {});
  load();

  const el = h('section', { class: 'card', testid: 'test-call' }, h('h2', {}, 'Test call'),
    h('p', { class: 'muted' }, 'Hear the assistant before (or while) the campaign dials: one call to the number you type, with the chosen contact\'s variables. It is not one of the campaign\'s calls and no metric counts it.'),
    form, note, table('test-call-table', ['Placed', 'Number', 'Status', 'Ended reason', 'Duration', 'Cost', ''], rows));
  return { el, stop: () => { stopped = true; clearTimeout(timer); } };
}

// showTranscript shows a test call's summary and conversation in a
// dialog.
function showTranscript(t) {
  const text = t.transcript?.text || '';
  const d = h('dialog', { class: 'transcript', testid: 'test-call-dialog' },
    h('div', { class: 'head' }, h('h2', {}, `Test call to ${t.phone}`), h('button', { class: 'btn small', onclick: () => d.close() }, 'Close')),
    t.summary && h('p', {}, t.summary), h('pre', { testid: 'test-call-text' }, text));
  d.addEventListener('close', () => d.remove());
  document.body.append(d);
  d.showModal();
}
