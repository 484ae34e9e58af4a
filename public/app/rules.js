// Calling rules: when a campaign may dial (window, days, zone), how often it
// retries, how much it may spend and from which numbers. The create form's
// fieldset and the read-only view on the campaign page share the wording.

import { h, field, money, num } from './dom.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const RETRYABLE = ['no-answer', 'busy', 'voicemail', 'timeout'];
// BUILTIN mirror campaign.DefaultRules on the server.
const BUILTIN = {
  windowStart: '09:00', windowEnd: '17:00', days: [1, 2, 3, 4, 5], fallbackTimezone: 'America/New_York',
  maxAttempts: 3, retryDelayMinutes: 240, retryOn: ['no-answer', 'busy', 'voicemail'],
};

// daysText names ISO weekdays (1 = Monday), runs of three or more as a range.
export function daysText(days) {
  const d = [...new Set(days || [])].filter((x) => x >= 1 && x <= 7).sort((a, b) => a - b);
  if (!d.length) return 'no day';
  const runs = [];
  for (const x of d) {
    const last = runs[runs.length - 1];
    if (last && x === last[1] + 1) last[1] = x;
    else runs.push([x, x]);
  }
  return runs.map(([a, b]) => (b - a >= 2 ? `${DAY_NAMES[a - 1]}–${DAY_NAMES[b - 1]}`
    : DAY_NAMES.slice(a - 1, b).join(', '))).join(', ');
}

// minutesText writes 240 as "4 h", 90 as "1 h 30 min".
export function minutesText(m) {
  if (m == null) return '—';
  const hours = Math.floor(m / 60), rest = m % 60;
  return [hours && `${hours} h`, (rest || !hours) && `${rest} min`].filter(Boolean).join(' ');
}

const retryText = (on) => (on?.length ? on.join(', ') : 'never');
const attemptsText = (n) => (n === 1 ? '1 (no retries)' : `up to ${num(n)} per contact`);

// summaryText is the one-line gist of rules, for the collapsed form.
function summaryText(r) {
  return `${r.windowStart}–${r.windowEnd} ${daysText(r.days)}, ${attemptsText(r.maxAttempts)}`
    + (r.maxAttempts > 1 ? `, every ${minutesText(r.retryDelayMinutes)} on ${retryText(r.retryOn)}` : '')
    + (r.spendLimitUsd ? `, at most ${money(r.spendLimitUsd)}` : '');
}

// rulesView lists a campaign's callingRules (Summary JSON).
export function rulesView(r = {}) {
  const rows = [
    ['window', 'Calling window', `${r.windowStart || '—'}–${r.windowEnd || '—'}`, 'in each contact’s local time'],
    ['days', 'Days', daysText(r.days)],
    ['timezone', 'Fallback time zone', r.fallbackTimezone || '—', 'for numbers whose zone is unknown'],
    ['attempts', 'Attempts', r.maxAttempts ? attemptsText(r.maxAttempts) : '—'],
    ['delay', 'Retry delay', minutesText(r.retryDelayMinutes)],
    ['retry-on', 'Retry on', retryText(r.retryOn)],
    ['spend-limit', 'Spend limit', r.spendLimitUsd ? money(r.spendLimitUsd) : 'none'],
    ['auto-dnc', 'Do-not-call on opt-out', r.autoDncOnOptOut ? 'on' : 'off'],
    ['numbers', 'Caller numbers', r.phoneNumberIds?.length ? h('code', {}, r.phoneNumberIds.join(', ')) : 'default'],
  ];
  return h('dl', { class: 'info', testid: 'rules-view' }, rows.map(([k, label, v, hint]) => h('div', {},
    h('dt', {}, label, hint && ` (${hint})`), h('dd', { testid: `rules-view-${k}` }, v))));
}

const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] != null).map((k) => [k, o[k]]));

const check = (testid, value, checked, label) => h('label', { class: 'chip' },
  h('input', { type: 'checkbox', value, checked, testid }), ' ', label);

function zoneList(id) {
  let zones = [];
  try { zones = Intl.supportedValuesOf('timeZone'); } catch { /* older browser: free text only */ }
  return h('datalist', { id }, zones.map((z) => h('option', { value: z })));
}

// rulesFieldset builds the collapsed "Calling rules" part of the create
// form. mainPhone is the form's phone number id input (the first caller
// number when extra ones are given). It returns the element, controls (by
// form field name, for error messages), values() (every field, sent
// explicitly) and problem() (a client-side check: [field, message] or null).
export function rulesFieldset(mainPhone, server = {}) {
  // The server's defaults (GET /api/config callingDefaults) win over ours.
  const DEFAULTS = { ...BUILTIN, ...pick(server, ['windowStart', 'windowEnd', 'days']) };
  const legal = `${server.legalWindowStart || '08:00'}–${server.legalWindowEnd || '21:00'}`;
  const start = h('input', { type: 'time', value: DEFAULTS.windowStart, required: true, testid: 'rules-window-start' });
  const end = h('input', { type: 'time', value: DEFAULTS.windowEnd, required: true, testid: 'rules-window-end' });
  const days = DAYS.map((d, i) => check(`rules-day-${d}`, d, DEFAULTS.days.includes(i + 1), DAY_NAMES[i]));
  const daysBox = h('fieldset', { class: 'group', testid: 'rules-days' }, h('legend', {}, 'Days'), h('div', { class: 'chips' }, days));
  const zone = h('input', { value: DEFAULTS.fallbackTimezone, list: 'rules-zones', spellcheck: 'false', autocomplete: 'off', testid: 'rules-timezone' });
  const attempts = h('input', { type: 'number', min: 1, max: 10, step: 1, value: String(DEFAULTS.maxAttempts), testid: 'rules-max-attempts' });
  const delay = h('input', { type: 'number', min: 1, max: 10080, step: 1, value: String(DEFAULTS.retryDelayMinutes), testid: 'rules-retry-delay' });
  const retry = RETRYABLE.map((d) => check(`rules-retry-${d}`, d, DEFAULTS.retryOn.includes(d), d));
  const retryBox = h('fieldset', { class: 'group', testid: 'rules-retry-on' }, h('legend', {}, 'Retry on'), h('div', { class: 'chips' }, retry));
  const spend = h('input', { type: 'number', min: 0.01, step: 0.01, placeholder: 'no limit', testid: 'rules-spend-limit' });
  const autoDnc = h('input', { type: 'checkbox', testid: 'rules-auto-dnc' });
  const numbers = h('input', { placeholder: 'e.g. pn_123, pn_456', spellcheck: 'false', autocomplete: 'off', testid: 'rules-phone-numbers' });
  const gist = h('span', { class: 'muted', testid: 'rules-summary' });
  const checked = (labels) => labels.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value);

  const values = () => {
    const extra = numbers.value.split(',').map((x) => x.trim()).filter(Boolean);
    const main = mainPhone.value.trim();
    return {
      callingWindowStart: start.value, callingWindowEnd: end.value, callingDays: checked(days).join(','),
      timezone: zone.value.trim(), maxAttempts: attempts.value.trim(), retryDelayMinutes: delay.value.trim(),
      retryOn: checked(retry).join(','), spendLimit: spend.value.trim(), autoDncOnOptOut: String(autoDnc.checked),
      phoneNumberIds: extra.length ? [...new Set([main, ...extra].filter(Boolean))].join(',') : '',
    };
  };
  const whole = (v, lo, hi) => /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;
  const problem = () => {
    const v = values();
    if (!v.callingWindowStart || !v.callingWindowEnd) return ['callingWindowStart', 'Give the calling window as two times.'];
    if (v.callingWindowStart >= v.callingWindowEnd) return ['callingWindowEnd', 'The calling window must end after it starts.'];
    if (!v.callingDays) return ['callingDays', 'Pick at least one day.'];
    if (!v.timezone) return ['timezone', 'Give a fallback time zone, such as America/Chicago.'];
    if (!whole(v.maxAttempts, 1, 10)) return ['maxAttempts', 'Max attempts must be a whole number from 1 to 10.'];
    if (!whole(v.retryDelayMinutes, 1, 10080)) return ['retryDelayMinutes', 'The retry delay must be a whole number of minutes from 1 to 10080 (a week).'];
    if (v.spendLimit && !(Number(v.spendLimit) > 0)) return ['spendLimit', 'The spend limit must be a positive amount in USD, or empty.'];
    return null;
  };
  const update = () => {
    const v = values();
    gist.textContent = `(${summaryText({ windowStart: v.callingWindowStart, windowEnd: v.callingWindowEnd,
      days: checked(days).map((d) => DAYS.indexOf(d) + 1), maxAttempts: Number(v.maxAttempts),
      retryDelayMinutes: Number(v.retryDelayMinutes), retryOn: checked(retry), spendLimitUsd: Number(v.spendLimit) || null })})`;
    retryBox.disabled = delay.disabled = v.maxAttempts === '1';
  };

  const el = h('details', { class: 'rules', testid: 'rules-details', oninput: update, onchange: update },
    h('summary', {}, 'Calling rules ', gist),
    h('div', { class: 'rules-body' },
      h('div', { class: 'row' },
        field('Calling window starts', start), field('Calling window ends', end)),
      h('p', { class: 'hint', testid: 'rules-window-note' }, `In each contact’s local time; the account’s legal bound is ${legal}.`),
      daysBox,
      field('Fallback time zone', zone, 'Used when a number’s time zone cannot be told from it (IANA name).'),
      zoneList('rules-zones'),
      h('div', { class: 'row' },
        field('Max attempts per contact', attempts, '1 to 10; 1 never retries.'),
        field('Retry delay (minutes)', delay, 'Wait at least this long before calling again.')),
      retryBox,
      field('Spend limit (USD)', spend, 'Optional. The campaign stops dialing when its calls have cost this much.'),
      h('div', { class: 'field check' }, h('label', {}, autoDnc, ' Add contacts who ask not to be called to the do-not-call list')),
      field('Extra caller numbers', numbers, 'Comma-separated Vapi phone number ids to spread calls over, besides the phone number id above (fill that in to include it).')));
  update();
  const controls = {
    callingWindowStart: start, callingWindowEnd: end, callingDays: daysBox, timezone: zone, maxAttempts: attempts,
    retryDelayMinutes: delay, retryOn: retryBox, spendLimit: spend, autoDncOnOptOut: autoDnc, phoneNumberIds: numbers,
  };
  return { el, controls, values, problem };
}
