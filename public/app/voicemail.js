// Voicemail policy: the new-campaign fieldset (hang up, or leave a message
// on the last attempt) and its line on the detail page.

import { h } from './dom.js';

// MAX is Vapi's voicemailMessage maxLength (UTF-16 code units, as
// JavaScript counts a string's length).
const MAX = 1000;

// voicemailFieldset is the form part; values() are the API's create form
// fields, problem() a client check as [field, message] or null.
export function voicemailFieldset() {
  const policy = h('select', { testid: 'voicemail-policy', 'aria-label': 'On voicemail' },
    h('option', { value: 'hangup' }, 'Hang up (leave no message)'),
    h('option', { value: 'message_last_attempt' }, 'Leave a message on the last attempt only'));
  const message = h('textarea', { rows: 3, maxlength: MAX, testid: 'voicemail-message', 'aria-label': 'Voicemail message',
    placeholder: 'Hi {{name}}, this is Alex from … Please call us back at …' });
  const box = h('div', { class: 'field', hidden: true }, h('label', {}, 'Message ', h('small', { class: 'hint' }, '{{name}}, {{business_name}} and your file\'s columns are filled in per contact')), message);
  policy.addEventListener('change', () => { box.hidden = policy.value === 'hangup'; });
  const el = h('fieldset', { class: 'card', testid: 'voicemail' }, h('legend', {}, 'Voicemail'),
    h('p', { class: 'muted' }, 'Every call listens for a voicemail greeting. Leave the message once, on a contact\'s last attempt, rather than on every redial.'),
    h('div', { class: 'field' }, h('label', {}, 'On voicemail ', policy)), box);
  return {
    el,
    controls: { voicemailPolicy: policy, voicemailMessage: message },
    values: () => (policy.value === 'hangup' ? { voicemailPolicy: 'hangup' } : { voicemailPolicy: policy.value, voicemailMessage: message.value.trim() }),
    problem: () => {
      if (policy.value === 'hangup') return null;
      if (!message.value.trim()) return ['voicemailMessage', 'Write the voicemail message, or choose to hang up.'];
      if (message.value.trim().length > MAX) return ['voicemailMessage', `The voicemail message must be at most ${MAX} characters.`];
      return null;
    },
  };
}

// voicemailView is the detail page's line for a campaign's policy.
export function voicemailView(v = {}) {
  const leaves = v.policy === 'message_last_attempt';
  return h('p', { testid: 'voicemail-view', 'data-policy': v.policy || 'hangup' }, h('strong', {}, 'Voicemail: '),
    leaves ? 'leave a message on the last attempt — ' : 'hang up', leaves && h('q', { testid: 'voicemail-view-message' }, v.message));
}
