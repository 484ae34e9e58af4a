// The transcript dialog of one call: outcome, summary, outcome fields and
// the conversation.

import { api } from './api.js';
import { h, mount, alert } from './dom.js';
import { outcomeFacts } from './outcomes.js';

let dialog = null;

// transcript opens the dialog and loads the call at path into it.
export async function transcript(path, who) {
  if (!dialog) {
    dialog = h('dialog', { class: 'transcript', testid: 'transcript-dialog', 'aria-labelledby': 'transcript-title' });
    dialog.addEventListener('click', (e) => e.target === dialog && dialog.close());
    document.body.append(dialog);
  }
  const body = h('div', { testid: 'transcript-body', 'aria-live': 'polite' }, h('p', {}, 'Loading…'));
  mount(dialog,
    h('div', { class: 'head' }, h('h2', { id: 'transcript-title' }, `Call with ${who || 'contact'}`),
      h('button', { class: 'btn small', testid: 'transcript-close', onclick: () => dialog.close() }, 'Close')),
    body);
  dialog.showModal();
  try {
    mount(body, view(await api(path)));
  } catch (err) {
    mount(body, alert('error', err.message));
  }
}

function view(call) {
  const t = call.transcript;
  const msgs = (t?.messages || []).filter((m) => m.message && m.role !== 'system');
  const text = typeof t === 'string' ? t : t?.text;
  const facts = [['Status', call.status], ['Ended reason', call.endedReason], ['Summary', call.summary],
    ['Success evaluation', call.successEvaluation == null ? null : String(call.successEvaluation)], ...outcomeFacts(call)].filter(([, v]) => v);
  return [
    h('dl', { class: 'info' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    msgs.length ? h('ol', { class: 'chat', testid: 'transcript-messages' },
      msgs.map((m) => h('li', { class: `from-${m.role}` }, h('strong', {}, m.role === 'user' ? 'Contact' : m.role === 'bot' || m.role === 'assistant' ? 'Assistant' : m.role), ' ', m.message)))
      : text ? h('pre', { class: 'text', testid: 'transcript-text' }, text)
        : h('p', { class: 'muted', testid: 'transcript-none' }, 'No transcript for this call.'),
  ];
}
