// Admin: the allowlist of users with their roles, the global settings,
// and the destinations results are sent to (destinations.js).

import { api } from './api.js';
import destinations from './destinations.js';
import { h, mount, field, alert, busy, confirmable, when, table, reporter } from './dom.js';

const ROLES = ['operator', 'admin'];

export default function admin(root, ctx) {
  const users = h('tbody', { testid: 'user-rows' });
  const msg = h('div', { 'aria-live': 'polite' });
  const settings = h('div', { testid: 'settings' }, h('p', {}, 'Loading…'));
  const loadUsers = async () => {
    try {
      mount(users, ((await api('/api/admin/users')).users || []).map(row));
    } catch (err) {
      mount(msg, alert('error', err.message));
    }
  };
  const act = reporter(msg, 'user', loadUsers);
  const user = (u, method, body) => () => api(`/api/admin/users/${u.id}`, { method, body });

  const row = (u) => h('tr', { testid: 'user-row', 'data-id': u.id, 'data-email': u.email },
    h('th', { scope: 'row' }, u.email, u.id === ctx.me.id && h('small', {}, ' (you)')),
    h('td', {}, h('select', { testid: 'user-role-select', 'aria-label': `Role of ${u.email}`, onchange: (e) => act(user(u, 'PATCH', { role: e.target.value }), `${u.email} is now ${e.target.value}.`) },
      ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)))),
    h('td', { testid: 'user-allowlisted' }, u.allowlisted ? 'yes' : 'revoked'),
    h('td', {}, when(u.createdAt)), h('td', {}, when(u.lastSeenAt)),
    h('td', {}, u.id === ctx.me.id ? null : u.allowlisted
      ? confirmable('Revoke', 'user-revoke', `Revoke ${u.email}?`, () => act(user(u, 'DELETE'), `${u.email} can no longer sign in.`), 'btn small danger')
      : h('button', { class: 'btn small', testid: 'user-restore', onclick: () => act(user(u, 'PATCH', { allowlisted: true }), `${u.email} is allowed again.`) }, 'Allow again')));

  const email = h('input', { type: 'email', required: true, testid: 'invite-email' });
  const role = h('select', { testid: 'invite-role' }, ROLES.map((r) => h('option', { value: r }, r)));
  const invite = h('button', { class: 'btn primary', testid: 'invite-submit' }, 'Invite');
  const inviteForm = h('form', { class: 'card', testid: 'invite-form', onsubmit: (e) => {
    e.preventDefault();
    busy(invite, () => act(async () => {
      const u = await api('/api/admin/users', { method: 'POST', body: { email: email.value.trim(), role: role.value } });
      e.target.reset();
      return u;
    }, (u) => `Invited ${u.email} as ${u.role}.`));
  } }, h('h3', {}, 'Invite a user'), h('div', { class: 'row' }, field('Email', email), field('Role', role)), invite);

  const showSettings = (cfg, note) =>
    mount(settings, note, settingsForm(cfg, (next) => showSettings(next, alert('ok', 'Settings saved.', 'settings-saved'))));
  mount(root, h('h1', {}, 'Admin'), msg,
    h('section', {}, h('h2', {}, 'Users'), table('users-table', ['Email', 'Role', 'Allowlisted', 'Added', 'Last seen', ''], users), inviteForm),
    h('section', {}, h('h2', {}, 'Settings'), settings),
    h('section', {}, h('h2', {}, 'Destinations'), destinations()));
  loadUsers();
  api('/api/admin/config').then(showSettings, (err) => mount(settings, alert('error', err.message)));
}

// settingsForm renders each key by the type of its value: numbers, booleans,
// strings; anything else as JSON. Only changed keys are sent.
function settingsForm(cfg, saved) {
  const inputs = Object.entries(cfg).map(([k, v]) => {
    const props = { name: k, testid: `setting-${k}` };
    const el = typeof v === 'number' ? h('input', { ...props, type: 'number', step: 'any', value: String(v) })
      : typeof v === 'boolean' ? h('input', { ...props, type: 'checkbox', checked: v })
        : typeof v === 'string' || v === null ? h('input', { ...props, value: v ?? '' })
          : h('textarea', { ...props, rows: 3, class: 'code', value: JSON.stringify(v) });
    return [k, v, el];
  });
  const read = (v, el) => (typeof v === 'number' ? (el.value === '' ? NaN : Number(el.value)) : typeof v === 'boolean' ? el.checked
    : typeof v === 'string' ? el.value : v === null ? el.value || null : JSON.parse(el.value));
  const msg = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { class: 'btn primary', testid: 'settings-save' }, 'Save settings');
  const submit = (e) => {
    e.preventDefault();
    const patch = {};
    for (const [k, v, el] of inputs) {
      let nv;
      try { nv = read(v, el); } catch { return mount(msg, alert('error', `${label(k)} is not valid JSON.`)); }
      if (Number.isNaN(nv)) return mount(msg, alert('error', `${label(k)} must be a number.`));
      if (JSON.stringify(nv) !== JSON.stringify(v)) patch[k] = nv;
    }
    if (!Object.keys(patch).length) return mount(msg, alert('info', 'Nothing changed.'));
    busy(btn, () => api('/api/admin/config', { method: 'PATCH', body: patch }).then(saved, (err) => mount(msg, alert('error', err.message, 'settings-error'))));
  };
  return h('form', { class: 'card', testid: 'settings-form', onsubmit: submit }, msg,
    inputs.map(([k, v, el]) => (typeof v === 'boolean'
      ? h('div', { class: 'field check' }, h('label', {}, el, ' ', label(k)), h('small', { class: 'hint' }, k))
      : field(label(k), el, k))), btn);
}

// label turns "defaultConcurrencyCap" into "Default concurrency cap".
const label = (k) => k.replace(/([a-z0-9])([A-Z])/g, (m, a, b) => `${a} ${b.toLowerCase()}`).replace(/^./, (c) => c.toUpperCase());
