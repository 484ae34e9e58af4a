// Why a live campaign with nothing in flight is not dialing, in words and
// in the viewer's own time, from the API's `waiting` counts.

import { h } from './dom.js';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayClock = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

// yourTime is "14:05", or "Thu 09:00" when it is not today; rounded up
// to the minute, as the server words it.
function yourTime(iso) {
  const t = new Date(Math.ceil(new Date(iso).getTime() / 60000) * 60000);
  return t.toDateString() === new Date().toDateString() ? clock.format(t) : dayClock.format(t);
}

// city names a zone as people do: America/New_York → New York.
const city = (zone) => (zone || '').split('/').pop().replaceAll('_', ' ');

const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

// waitingText says why nothing is dialing, e.g. "12 redials due from 14:05
// your time; 5 contacts outside their calling hours until 09:00 in New York".
export function waitingText(w) {
  const parts = [];
  if (w.dueNow) parts.push(`${plural(w.dueNow, 'contact')} can be called now; the next tick dials them`);
  if (w.redials) {
    const cb = w.callbacks || 0;
    const what = cb === w.redials ? plural(cb, 'callback') : cb ? `${plural(w.redials - cb, 'redial')} and ${plural(cb, 'callback')}` : plural(w.redials, 'redial');
    parts.push(`${what} due from ${yourTime(w.redialsFrom)} your time`);
  }
  if (w.outsideHours) parts.push(`${plural(w.outsideHours, 'contact')} outside their calling hours until ${w.opensLocal} in ${city(w.opensZone)}`);
  if (w.heldBack) parts.push(`${plural(w.heldBack, 'contact')} held back by the frequency cap${w.heldUntil ? ` until ${yourTime(w.heldUntil)} your time` : ''}`);
  return parts.length ? parts.join('; ') : 'every contact has an outcome; the next tick completes the campaign';
}

// waitingBadge marks a campaign that waits rather than dials.
export function waitingBadge() {
  return h('span', { class: 'badge waiting', testid: 'waiting-badge', title: 'No call in flight: waiting for redials or calling hours' }, 'Waiting');
}

// waitingNote is the detail page's explanation.
export function waitingNote(w) {
  return h('div', { class: 'alert waiting', testid: 'waiting', 'data-next-call-at': w.nextCallAt || '' },
    h('strong', {}, 'Waiting — nothing is dialing. '), h('span', { testid: 'waiting-text' }, `${waitingText(w)}.`),
    w.nextCallAt && h('small', {}, ` Next call possible at ${yourTime(w.nextCallAt)} your time.`));
}
