// The signed-out page: email + password or a magic link through Supabase
// Auth in production; locally, the token the local runner prints.

import { h, mount, field, alert, busy } from './dom.js';
import { isLocal, setLocalToken, signInWithPassword, sendMagicLink, choosePassword } from './auth.js';

export default function signin(root, ctx) {
  const msg = h('div', { 'aria-live': 'polite' });
  const said = sessionStorage.getItem('autolynx.signinError');
  sessionStorage.removeItem('autolynx.signinError');
  if (said) mount(msg, alert('error', said));
  const done = () => {
    ctx.me = null;
    const next = sessionStorage.getItem('autolynx.next') || '#/campaigns';
    sessionStorage.removeItem('autolynx.next');
    ctx.go(next);
  };
  const fail = (err) => mount(msg, alert('error', err.message || String(err)));
  mount(root, h('section', { class: 'state', testid: 'state-signed-out' },
    h('h1', {}, 'Sign in to AutoLynx'),
    msg,
    isLocal() ? localForm(done, fail) : [passwordForm(done, fail), magicForm(msg, fail)]));
}

function localForm(done, fail) {
  const tok = h('textarea', { rows: 4, required: true, autocomplete: 'off', spellcheck: 'false', testid: 'token-input' });
  return h('form', { class: 'card', testid: 'token-form', onsubmit: (e) => {
    e.preventDefault();
    if (tok.value.split('.').length !== 3) return fail(new Error('That does not look like a token (three parts separated by dots).'));
    setLocalToken(tok.value);
    done();
  } },
  h('p', {}, 'Local mode: the local runner prints a sign-in URL like ', h('code', {}, 'http://localhost:3000/#token=…'), '. Open it, or paste the token here.'),
  field('Token', tok),
  h('button', { class: 'btn primary', testid: 'token-submit' }, 'Sign in'));
}

function passwordForm(done, fail) {
  const email = h('input', { type: 'email', required: true, autocomplete: 'username', testid: 'signin-email' });
  const pw = h('input', { type: 'password', required: true, autocomplete: 'current-password', testid: 'signin-password' });
  const btn = h('button', { class: 'btn primary', testid: 'signin-submit' }, 'Sign in');
  return h('form', { class: 'card', onsubmit: (e) => {
    e.preventDefault();
    busy(btn, () => signInWithPassword(email.value, pw.value)).then(done, fail);
  } }, h('h2', {}, 'With your password'), field('Email', email), field('Password', pw), btn);
}

function magicForm(msg, fail) {
  const email = h('input', { type: 'email', required: true, autocomplete: 'email', testid: 'magic-email' });
  const btn = h('button', { class: 'btn', testid: 'magic-submit' }, 'Email me a sign-in link');
  return h('form', { class: 'card', onsubmit: (e) => {
    e.preventDefault();
    busy(btn, () => sendMagicLink(email.value))
      .then(() => mount(msg, alert('ok', `Check ${email.value}: the link signs you in on this device.`, 'magic-sent')), fail);
  } }, h('h2', {}, 'Or with a link by email'), field('Email', email), btn);
}

// passwordPage greets a user who arrived through an invitation (or a
// recovery link): signed in, but with no password of their own yet.
export function passwordPage(root, done) {
  const msg = h('div', { 'aria-live': 'polite' });
  const pw = h('input', { type: 'password', required: true, minlength: 8, autocomplete: 'new-password', testid: 'new-password' });
  const btn = h('button', { class: 'btn primary', testid: 'new-password-submit' }, 'Save password');
  mount(root, h('section', { class: 'state', testid: 'state-choose-password' },
    h('h1', {}, 'Choose your password'),
    h('p', {}, 'You are signed in. Choose a password to sign in with next time.'),
    msg,
    h('form', { class: 'card', onsubmit: (e) => {
      e.preventDefault();
      busy(btn, () => choosePassword(pw.value)).then(done, (err) => mount(msg, alert('error', err.message || String(err))));
    } }, field('New password', pw, 'At least 8 characters.'), btn)));
}
