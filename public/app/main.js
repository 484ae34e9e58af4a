// Boots the dashboard: loads /api/config, signs the user in, and routes
// #/… hashes to views. A view is fn(root, ctx) and may return a stop
// function, called when the user leaves it.

import { api, onAuthFailure } from './api.js';
import { initAuth, takeToken, token, signOut, onSignedOut, claims, mustChoosePassword } from './auth.js';
import { h, mount, alert } from './dom.js';
import signin, { passwordPage } from './signin.js';
import campaigns from './campaigns.js';
import newCampaign from './new.js';
import detail from './detail.js';
import assistants from './assistants.js';
import admin from './admin.js';
import dnc from './dnc.js';
import operations from './ops.js';
import numberHistory from './numbers.js';
import { startHealth, stopHealth } from './banner.js';

const routes = [
  [/^\/campaigns\/new$/, newCampaign],
  [/^\/campaigns\/([0-9a-zA-Z-]+)$/, detail],
  [/^\/campaigns$/, campaigns],
  [/^\/dnc$/, dnc],
  [/^\/numbers\/([^/]+)$/, numberHistory],
  [/^\/assistants$/, assistants, true],
  [/^\/admin$/, admin, true],
  [/^\/operations$/, operations, true],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const ctx = { cfg: {}, me: null, go };
let stopView = null;
let seq = 0;

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function leave() {
  stopView?.();
  stopView = null;
}

// page shows a full-page state (signed out, forbidden, expired, error).
function page(testid, title, text, ...actions) {
  leave();
  mount(main, h('section', { class: 'state', testid }, h('h1', { tabindex: -1 }, title), h('p', {}, text), h('p', { class: 'actions' }, actions)));
  main.querySelector('h1').focus();
}

async function out() {
  await signOut();
  ctx.me = null;
  renderNav();
  go('#/signin');
}

const signInAgain = (label = 'Sign in again') => h('button', { class: 'btn primary', testid: 'signin-again', onclick: out }, label);

function expired() {
  ctx.me = null;
  renderNav();
  page('state-expired', 'Your session has expired', 'Sign in again to continue where you left off.', signInAgain());
}

async function forbidden() {
  const { email } = await claims();
  page('state-forbidden', 'Not on the allowlist',
    `${email ? `The account ${email} is` : 'Your account is'} signed in but not allowed to use AutoLynx. Ask an admin to invite you.`,
    signInAgain('Sign out'));
}

function failed(err, retry) {
  page('state-error', 'Something went wrong', err.message || String(err),
    h('button', { class: 'btn', testid: 'retry', onclick: retry }, 'Try again'));
}

// renderNav draws the main navigation for who is signed in. While that
// stays the same it only moves aria-current, so a link being clicked is
// never swapped for a copy under the pointer.
function renderNav() {
  const me = ctx.me;
  const who = me ? `${me.email} ${me.role}` : '';
  if (nav.dataset.who !== who) {
    nav.dataset.who = who;
    const link = (href, text, testid) => h('a', { href, testid }, text);
    mount(nav, me && [
      link('#/campaigns', 'Campaigns', 'nav-campaigns'),
      link('#/dnc', 'Do not call', 'nav-dnc'),
      me.role === 'admin' && link('#/assistants', 'Assistants', 'nav-assistants'),
      me.role === 'admin' && link('#/operations', 'Operations', 'nav-operations'),
      me.role === 'admin' && link('#/admin', 'Admin', 'nav-admin'),
      h('span', { class: 'who', testid: 'user-email' }, me.email, ' ', h('small', { testid: 'user-role' }, me.role)),
      h('button', { class: 'btn small', testid: 'signout', onclick: out }, 'Sign out'),
    ]);
  }
  for (const a of nav.querySelectorAll('a[href]')) {
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Health banners (scheduler, webhooks) are for admins only.
  if (me?.role === 'admin') startHealth();
  else stopHealth();
}

async function route() {
  const n = ++seq;
  leave();
  document.title = 'AutoLynx';
  if (location.hash.startsWith('#token=')) {
    takeToken();
    ctx.me = null;
    stopHealth(); // until the new user is known
  }
  const path = location.hash.replace(/^#/, '') || '/campaigns';
  if (path === '/signin') {
    if (await token()) return go('#/campaigns');
    renderNav();
    stopView = signin(mount(main, h('div')), ctx);
    return;
  }
  if (!(await token())) {
    sessionStorage.setItem('autolynx.next', '#' + path);
    return go('#/signin');
  }
  if (!ctx.me) {
    try {
      ctx.me = await api('/api/me');
    } catch (err) {
      if (err.status === 401) return; // expired() already shown
      if (err.status === 403) return forbidden();
      return failed(err, route);
    }
  }
  if (n !== seq) return; // the user moved on meanwhile
  renderNav();
  if (mustChoosePassword()) return passwordPage(mount(main, h('div')), () => go('#/campaigns'));
  const r = routes.find(([re]) => re.test(path));
  if (!r) return page('state-not-found', 'Page not found', 'There is nothing at this address.', h('a', { class: 'btn', href: '#/campaigns' }, 'Go to campaigns'));
  if (r[2] && ctx.me.role !== 'admin') return page('state-admins-only', 'Admins only', 'This page is for admins. Ask an admin if you need a change here.', h('a', { class: 'btn', href: '#/campaigns' }, 'Go to campaigns'));
  const root = mount(main, h('div', { class: 'view' }));
  try {
    stopView = r[1](root, { ...ctx, params: path.match(r[0]).slice(1) }) || null;
  } catch (err) {
    failed(err, route);
  }
  (root.querySelector('h1') || root).setAttribute('tabindex', '-1');
  (root.querySelector('h1') || root).focus();
}

async function boot() {
  const hashError = /error_description=([^&]*)/.exec(location.hash);
  if (hashError) {
    sessionStorage.setItem('autolynx.signinError', decodeURIComponent(hashError[1].replace(/\+/g, ' ')));
    history.replaceState(null, '', location.pathname + '#/signin');
  }
  try {
    const res = await fetch('/api/config', { cache: 'no-store' });
    if (!res.ok) throw new Error(`The server answered ${res.status} for /api/config.`);
    ctx.cfg = await res.json();
    await initAuth(ctx.cfg);
  } catch (err) {
    return page('state-error', 'Cannot load AutoLynx', `${err.message} Is the server running?`,
      h('button', { class: 'btn', testid: 'retry', onclick: () => location.reload() }, 'Try again'));
  }
  onAuthFailure(expired);
  onSignedOut(() => { ctx.me = null; go('#/signin'); });
  window.addEventListener('hashchange', route);
  window.addEventListener('unhandledrejection', (e) => {
    main.prepend(alert('error', e.reason?.message || 'Unexpected error', 'alert-unexpected'));
  });
  document.getElementById('version').textContent = ctx.cfg.version ? `version ${ctx.cfg.version}` : '';
  route();
}

boot();
