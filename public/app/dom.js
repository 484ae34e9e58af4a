// Tiny DOM and formatting helpers, so views read as markup without a
// framework.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'open', 'indeterminate']);

// h builds an element: h('button', {class: 'x', testid: 'go', onclick}, 'Go').
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  setProps(el, props);
  el.append(...flat(kids));
  return el;
}

// s builds an SVG element.
export function s(tag, props, ...kids) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setProps(el, props);
  el.append(...flat(kids));
  return el;
}

function setProps(el, props) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'testid') el.setAttribute('data-testid', v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : v);
  }
}

function flat(kids) {
  return kids.flat(Infinity).filter((k) => k != null && k !== false).map((k) => (k instanceof Node ? k : String(k)));
}

// mount replaces the children of el.
export function mount(el, ...kids) {
  el.replaceChildren(...flat(kids));
  return el;
}

// field wraps a control with its label.
export function field(label, control, hint) {
  const id = control.id || (control.id = 'f' + Math.random().toString(36).slice(2, 9));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint && h('small', { class: 'hint' }, hint));
}

// alert shows a message box; kind is error, ok or info.
export function alert(kind, msg, testid) {
  return h('div', { class: `alert ${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: testid || `alert-${kind}` }, msg);
}

export function badge(status, testid = 'status-badge') {
  return h('span', { class: `badge s-${status || 'NONE'}`, testid }, status || '—');
}

export const LIVE = ['QUEUED', 'DIALING', 'RUNNING'];
export const isLive = (st) => LIVE.includes(st);

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
export const money = (n) => (n == null ? '—' : usd.format(n));
export const num = (n) => (n == null ? '—' : Number(n).toLocaleString('en-US'));
export const when = (t) => (t ? new Date(t).toLocaleString() : '—');

// ago says how long before now t was: "just now", "5 min ago", "3 h ago",
// "2 days ago"; '' without a time.
export function ago(t, now = Date.now()) {
  if (!t) return '';
  const sec = Math.max(0, (now - new Date(t).getTime()) / 1000);
  if (sec < 60) return 'just now';
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  if (sec < 172800) return `${Math.floor(sec / 3600)} h ago`;
  return `${Math.floor(sec / 86400)} days ago`;
}

export function duration(sec) {
  if (sec == null) return '—';
  const m = Math.floor(sec / 60), r = Math.round(sec % 60);
  return m ? `${m}m ${String(r).padStart(2, '0')}s` : `${r}s`;
}

// debounce delays fn until ms passed without another call.
export function debounce(fn, ms) {
  let t;
  const d = (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

// busy disables a button while an action runs; after, it is enabled unless
// lock() says it must stay off (e.g. the action changed what is allowed).
export async function busy(btn, fn) {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { btn.disabled = btn.hasAttribute('data-locked'); btn.removeAttribute('aria-busy'); }
}

export function lock(btn, locked) {
  btn.toggleAttribute('data-locked', locked);
  if (!btn.hasAttribute('aria-busy')) btn.disabled = locked;
}

// confirmable is a button that asks once more before a destructive action:
// the first click shows Yes and Cancel (testids `${testid}-confirm` and
// `${testid}-cancel`). The element's .button is the first button.
export function confirmable(label, testid, question, action, cls = 'btn danger') {
  const box = h('span', { class: 'confirm', hidden: true }, question, ' ');
  const btn = h('button', { class: cls, testid, onclick: () => { box.hidden = false; yes.focus(); } }, label);
  const yes = h('button', { class: cls, testid: `${testid}-confirm`, onclick: () => { box.hidden = true; busy(btn, action); } }, `Yes, ${label.toLowerCase()}`);
  box.append(yes, h('button', { class: 'btn', testid: `${testid}-cancel`, onclick: () => { box.hidden = true; btn.focus(); } }, 'Cancel'));
  const wrap = h('span', { class: 'confirmable' }, btn, box);
  wrap.button = btn;
  wrap.box = box;
  return wrap;
}

// table is a scrollable table with column headers around body.
export const table = (testid, cols, body, cls = '') => h('div', { class: `table-wrap ${cls}` },
  h('table', { testid }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), body));

// reporter returns act(fn, ok): run the API call fn, then say ok (a text or
// a function of fn's result) or the error in msg, then run after().
export const reporter = (msg, prefix, after) => async (fn, ok, explain = (e) => e.message) => {
  try {
    const r = await fn();
    mount(msg, alert('ok', typeof ok === 'function' ? ok(r) : ok, `${prefix}-result`));
  } catch (err) {
    mount(msg, alert('error', explain(err), `${prefix}-error`));
  }
  await after?.();
};
