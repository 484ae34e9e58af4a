// Health banners for admins, above every page: the scheduler (cron) has
// not run for a while, so no call is launched; or webhooks stopped
// arriving. GET /api/health shows liveness only to admins (and the cron
// secret), so operators never get a banner. Checked every 30 s while the
// tab is visible; the Operations page also passes on what it fetched.

import { api } from './api.js';
import { h, mount, when } from './dom.js';

const EVERY = 30000;
const README = h('strong', {}, 'When things go wrong');
let box = null, timer = 0, on = false, seq = 0, shown = '';

// area is the banner strip under the header, made on first use.
function area() {
  if (box) return box;
  box = h('div', { class: 'banners', id: 'banners' });
  const top = document.querySelector('header.top');
  if (top) top.after(box);
  else document.body.prepend(box);
  return box;
}

// startHealth begins checking (once; later calls do nothing).
export function startHealth() {
  if (on) return;
  on = true;
  document.addEventListener('visibilitychange', onVisible);
  check();
}

// stopHealth stops checking and takes the banners down (signed out, or
// not an admin).
export function stopHealth() {
  on = false;
  seq++;
  clearTimeout(timer);
  document.removeEventListener('visibilitychange', onVisible);
  shown = '';
  if (box) mount(box);
}

function onVisible() {
  if (document.hidden) clearTimeout(timer);
  else check();
}

async function check() {
  clearTimeout(timer);
  if (!on || document.hidden) return;
  const n = ++seq;
  try {
    const health = await api('/api/health', { allow: [503] });
    if (n === seq) showHealth(health);
  } catch {
    // Unreachable or refused: keep what is shown until an answer comes.
  }
  if (on && n === seq && !document.hidden) timer = setTimeout(check, EVERY);
}

// showHealth draws the banners for a liveness answer ({cron, webhooks}, as
// in /api/health or the operations page's health); nothing without it.
export function showHealth(health) {
  if (!on) return;
  const cron = health?.cron, hooks = health?.webhooks;
  const banners = [];
  if (cron && (cron.status === 'stale' || cron.status === 'never')) banners.push(cronBanner(cron));
  if (hooks?.status === 'stale') banners.push(webhooksBanner(hooks));
  const key = banners.map((b) => b.textContent).join('|');
  if (key === shown) return; // unchanged: do not announce it again
  shown = key;
  mount(area(), banners);
}

function cronBanner(cron) {
  const since = cron.lastTickAt
    ? ['The scheduler has not run since ', h('time', { datetime: cron.lastTickAt }, when(cron.lastTickAt))]
    : ['The scheduler has never run'];
  return h('div', { class: 'banner error', role: 'alert', testid: 'banner-cron', 'data-status': cron.status, 'data-last-tick': cron.lastTickAt || null },
    h('p', {}, h('strong', {}, since), ': calls are not being launched. See ', README.cloneNode(true), ' in the README.',
      ' ', h('a', { href: '#/operations' }, 'Open Operations')));
}

function webhooksBanner(hooks) {
  const waiting = hooks.waitingCalls || 0;
  const last = hooks.lastAcceptedAt
    ? ['The last webhook came in at ', h('time', { datetime: hooks.lastAcceptedAt }, when(hooks.lastAcceptedAt))]
    : ['No webhook has come in for a day'];
  return h('div', { class: 'banner warn', role: 'status', testid: 'banner-webhooks', 'data-status': hooks.status, 'data-waiting': waiting },
    h('p', {}, h('strong', {}, 'Webhooks from Vapi are not arriving. '), last,
      `; ${waiting} ${waiting === 1 ? 'call is' : 'calls are'} waiting for news. Nothing is lost: the scheduler asks Vapi about calls left silent for 10 minutes. Check WEBHOOK_SHARED_SECRET and see `,
      README.cloneNode(true), ' in the README. ', h('a', { href: '#/operations' }, 'Open Operations')));
}
