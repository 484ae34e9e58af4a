// Scheduled launch on the campaign detail page: a date-time picker that
// starts the campaign at that time (POST …/start {"at"}), and the note
// that says when a scheduled campaign starts, in the viewer's time.

import { api } from './api.js';
import { h, alert, busy, when } from './dom.js';

// scheduleForm offers "Schedule start" for a campaign not started yet
// (CREATED, or SCHEDULED to change the time); done runs after an answer.
export function scheduleForm(base, note, done) {
  const input = h('input', { type: 'datetime-local', testid: 'schedule-at', 'aria-label': 'Start at (your time)' });
  const btn = h('button', { class: 'btn', testid: 'schedule-submit' }, 'Schedule start');
  const submit = (e) => {
    e.preventDefault();
    const at = new Date(input.value);
    if (!input.value || Number.isNaN(at.getTime())) {
      note.replaceChildren(alert('error', 'Choose a date and time to start at.', 'schedule-error'));
      return;
    }
    busy(btn, async () => {
      try {
        const r = await api(`${base}/start`, { method: 'POST', body: { at: at.toISOString().replace(/\.\d{3}Z$/, 'Z') } });
        note.replaceChildren(alert('ok', `Campaign scheduled: it starts at ${when(r.scheduledAt)}.`, 'schedule-result'));
      } catch (err) {
        note.replaceChildren(alert('error', err.message, 'schedule-error'));
      }
      await done();
    });
  };
  return h('form', { class: 'inline', testid: 'schedule-form', onsubmit: submit },
    h('label', {}, 'Start later: ', input), ' ', btn);
}

// scheduledNote says when a SCHEDULED campaign (or one paused before its
// launch, whose time is still ahead) starts.
export function scheduledNote(c) {
  const ahead = c.scheduledAt && new Date(c.scheduledAt).getTime() > Date.now();
  if (!c.scheduledAt || !(c.status === 'SCHEDULED' || (c.status === 'PAUSED' && ahead && !c.startedAt))) return null;
  const held = c.status === 'PAUSED' ? ' Paused: resume to keep this schedule.' : '';
  return h('p', { class: 'alert info', testid: 'scheduled', 'data-at': c.scheduledAt },
    'Starts at ', h('strong', {}, when(c.scheduledAt)), ` (your time).${held}`);
}
