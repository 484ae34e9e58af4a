// Operations (admins): is the scheduler ticking, are webhooks arriving,
// can Vapi be reached; volumes and failures over the last hour or day;
// spend against the alert thresholds (account and per campaign); recent
// alerts and whether they went out; and the alert and retention policy.
// Polls every 10 s while the tab is visible.

import { api } from './api.js';
import { h, mount, field, alert, badge, busy, money, num, when, ago, table, reporter } from './dom.js';
import { watch } from './live.js';
import { showHealth } from './banner.js';

const WINDOWS = { hour: 'Last hour', day: 'Last 24 hours' };
const WINDOW_KEY = 'autolynx.opsWindow';
const MAX_ATTEMPTS = 20; // lib/ops: a failed alert post is retried at most this often

// What each health status means, shown under the badge.
const MEANING = {
  cron: {
    ok: 'Ticking on time.',
    stale: 'No tick for 3 cadences: calls are not being launched. Call the tick by hand (see “When things go wrong” in the README).',
    never: 'No tick recorded yet: calls are not being launched.',
  },
  webhooks: {
    ok: 'Arriving.',
    idle: 'No call is live, so none are expected.',
    stale: 'Calls have waited 3 cadences without a webhook. Check WEBHOOK_SHARED_SECRET; the tick asks Vapi about silent calls after 10 minutes.',
  },
  vapi: {
    ok: 'The last tick reached Vapi.',
    failing: 'Vapi answers, but no request of the last tick succeeded (429, 5xx, 401…).',
    unreachable: 'The last tick got no answer at all from Vapi.',
    unknown: 'No tick has asked Vapi anything yet.',
  },
};

const POLICY = [
  { key: 'spendAlertUsd', label: 'Monthly spend alert (USD)', usd: true,
    hint: 'Alert once when spend this UTC month reaches this amount. Empty = off.' },
  { key: 'spendAlertDailyUsd', label: 'Daily spend alert (USD)', usd: true,
    hint: 'Alert once when spend this UTC day reaches this amount. Empty = off.' },
  { key: 'retentionTranscriptDays', label: 'Keep transcripts (days)',
    hint: 'Transcripts, recordings and summaries of campaigns finished longer ago are erased. Empty = keep everything.' },
  { key: 'retentionPiiDays', label: 'Keep contact details (days)',
    hint: 'Names, business names, variables and phone numbers (and transcripts) of campaigns finished longer ago are erased. Empty = keep everything.' },
];

const KINDS = { 'account-day': 'Daily spend', 'account-month': 'Monthly spend', campaign: 'Campaign spend' };

export default function operations(root) {
  let win = WINDOWS[sessionStorage.getItem(WINDOW_KEY)] ? sessionStorage.getItem(WINDOW_KEY) : 'hour';
  let names = new Map(); // campaign id → name, for the alerts
  let lastAlerts = '';

  const msg = h('div', { 'aria-live': 'polite' });
  const updated = h('small', { class: 'muted', testid: 'ops-updated' });
  const range = h('small', { class: 'muted', testid: 'ops-window-range' });
  const winButtons = Object.entries(WINDOWS).map(([w, label]) => h('button', {
    type: 'button', class: 'btn small', testid: `ops-window-${w}`, 'data-window': w, 'aria-pressed': String(w === win),
    onclick: () => setWindow(w),
  }, label));
  const switcher = h('div', { class: 'switch', role: 'group', 'aria-label': 'Window', testid: 'ops-window', 'data-window': win }, winButtons);

  const health = h('dl', { class: 'health' });
  const webhooks = h('dl', { class: 'metrics' });
  const vapi = h('dl', { class: 'metrics' });
  const calls = h('dl', { class: 'metrics' });
  const totals = h('dl', { class: 'metrics' });
  const spendRows = h('tbody', { testid: 'ops-spend-rows' });
  const thresholdMsg = h('div', { 'aria-live': 'polite' });
  const alertRows = h('tbody', { testid: 'ops-alert-rows' });
  const policyBox = h('div');

  const addForm = addThresholdForm(thresholdMsg, () => stop.now(), (list) => { for (const c of list) names.set(c.id, c.name); });
  const spend = spendTable(spendRows, thresholdMsg, () => stop.now());
  const policy = policyForm(() => stop.now());
  mount(policyBox, policy.form);

  mount(root,
    h('div', { class: 'head' }, h('h1', {}, 'Operations'), h('div', { class: 'actions' }, switcher, updated)),
    msg,
    h('section', { class: 'card', testid: 'ops-health' }, h('h2', {}, 'Health'), health),
    h('h2', {}, 'Volumes and failures ', range),
    h('div', { class: 'ops-groups' },
      h('section', { class: 'card', testid: 'ops-webhooks' }, h('h3', {}, 'Webhooks'), webhooks),
      h('section', { class: 'card', testid: 'ops-vapi' }, h('h3', {}, 'Vapi'), vapi),
      h('section', { class: 'card', testid: 'ops-calls' }, h('h3', {}, 'Calls'), calls)),
    h('section', { testid: 'ops-spend' }, h('h2', {}, 'Spend ', h('small', { class: 'muted' }, '(UTC, by when calls ended)')),
      totals, thresholdMsg,
      table('ops-spend-table', ['Campaign', 'Status', 'This month', 'Lifetime', 'Alert at'], spendRows),
      addForm.form),
    h('section', { testid: 'ops-alerts' }, h('h2', {}, 'Recent alerts'),
      table('ops-alerts-table', ['Raised', 'Alert', 'For', 'Spent', 'Threshold', 'Delivery'], alertRows, 'scroll')),
    h('section', {}, h('h2', {}, 'Alert and retention policy'), policyBox));

  function setWindow(w) {
    if (w === win) return;
    win = w;
    sessionStorage.setItem(WINDOW_KEY, w);
    switcher.dataset.window = w;
    for (const b of winButtons) b.setAttribute('aria-pressed', String(b.dataset.window === w));
    stop.now();
  }

  function render(d) {
    const now = Date.now();
    updated.dataset.at = new Date(now).toISOString();
    updated.textContent = `Updated ${new Date(now).toLocaleTimeString()}`;
    range.textContent = `(${WINDOWS[d.window].toLowerCase()}: ${when(d.since)} – ${when(d.until)})`;
    showHealth(d.health);
    mount(health, healthItems(d.health || {}));
    mount(webhooks,
      metric('Accepted', d.webhooks?.accepted, 'ops-webhooks-accepted'),
      metric('Refused (bad signature)', d.webhooks?.refused, 'ops-webhooks-refused', true),
      metric('Unmatched', d.webhooks?.unmatched, 'ops-webhooks-unmatched', true));
    mount(vapi,
      metric('Requests', d.vapi?.requests, 'ops-vapi-requests'),
      metric('429 (rate limited)', d.vapi?.rateLimited, 'ops-vapi-429', true),
      metric('5xx', d.vapi?.serverErrors, 'ops-vapi-5xx', true),
      metric('No answer', d.vapi?.unreachable, 'ops-vapi-unreachable', true),
      metric('Ambiguous, reconciled', d.vapi?.ambiguousReconciled, 'ops-vapi-ambiguous', true));
    mount(calls,
      metric('Launched', d.calls?.launched, 'ops-calls-launched'),
      metric('Completed', d.calls?.completed, 'ops-calls-completed'),
      metric('Timed out', d.calls?.timedOut, 'ops-calls-timedout', true));
    const sp = d.spend || {};
    mount(totals,
      spendMetric('Today', sp.today, sp.dailyThreshold, 'ops-spend-today', 'daily'),
      spendMetric('This month', sp.month, sp.monthlyThreshold, 'ops-spend-month', 'monthly'));
    for (const c of sp.campaigns || []) names.set(c.id, c.name);
    spend.render(sp.campaigns || []);
    const key = JSON.stringify(d.alerts || []);
    if (key !== lastAlerts) {
      lastAlerts = key;
      mount(alertRows, (d.alerts || []).length ? d.alerts.map((a) => alertRow(a, names))
        : h('tr', {}, h('td', { colspan: 6, class: 'empty', testid: 'ops-alerts-empty' }, 'No alert has been raised.')));
    }
    policy.fill(d.policy || {});
  }

  const refresh = async () => {
    const asked = win;
    const d = await api(`/api/admin/operations?window=${asked}`);
    if (asked === win) {
      mount(msg);
      render(d);
    }
    return false; // poll at the idle pace (10 s)
  };
  const stop = watch(refresh, {
    realtime: false,
    onError: (err) => mount(msg, err && alert('error', err.message, 'ops-error')),
  });
  return stop;
}

function statusBadge(status, testid) {
  return h('span', { class: `badge h-${status || 'unknown'}`, testid, 'data-status': status || 'unknown' }, status || 'unknown');
}

const at = (t, testid) => h('span', { testid, 'data-at': t || null }, t ? [when(t), h('small', { class: 'muted' }, ` (${ago(t)})`)] : 'never');

function healthItems(hl) {
  const cron = hl.cron || {}, hooks = hl.webhooks || {}, vapi = hl.vapi || {};
  const item = (title, testid, status, kind, ...lines) => h('div', { class: 'health-item', 'data-status': status || 'unknown' },
    h('dt', {}, title), h('dd', {}, statusBadge(status, testid)),
    h('dd', { class: 'hint' }, MEANING[kind][status] || ''), lines.map((l) => h('dd', {}, l)));
  return [
    item('Scheduler (cron)', 'ops-health-cron', cron.status, 'cron',
      ['Last tick: ', at(cron.lastTickAt, 'ops-health-cron-last')],
      cron.cadenceSeconds ? `Every ${cron.cadenceSeconds} s; stale after ${cron.staleAfterSeconds} s` : null),
    item('Webhooks', 'ops-health-webhooks', hooks.status, 'webhooks',
      ['Last accepted: ', at(hooks.lastAcceptedAt, 'ops-health-webhooks-last')],
      ['Live calls: ', h('span', { testid: 'ops-health-live-calls' }, num(hooks.liveCalls)),
        '; waiting for news: ', h('span', { testid: 'ops-health-waiting-calls' }, num(hooks.waitingCalls))]),
    item('Vapi', 'ops-health-vapi', vapi.status, 'vapi',
      ['Checked: ', at(vapi.checkedAt, 'ops-health-vapi-last')]),
  ];
}

// metric is one count; a failure count above zero is marked.
function metric(label, value, testid, failure = false) {
  return h('div', { class: `metric${failure && value > 0 ? ' warn' : ''}` },
    h('dt', {}, label), h('dd', { testid, 'data-value': value ?? null }, num(value)));
}

function spendMetric(label, amount, threshold, testid, period) {
  const over = threshold != null && amount >= threshold;
  return h('div', { class: `metric${over ? ' warn' : ''}`, testid: `${testid}-card`, 'data-over': String(over) },
    h('dt', {}, label),
    h('dd', { testid, 'data-value': amount ?? 0 }, money(amount ?? 0)),
    h('dd', { class: 'sub', testid: `${testid}-threshold`, 'data-value': threshold ?? null },
      threshold == null ? `no ${period} alert` : [
        h('meter', { min: 0, max: threshold, value: Math.min(amount ?? 0, threshold), low: threshold * 0.8, high: threshold * 0.8, optimum: 0, 'aria-label': `${label}: ${money(amount)} of ${money(threshold)}` }),
        ` ${over ? 'over' : 'alert at'} ${money(threshold)}`,
      ]));
}

// spendTable keeps one row per campaign and updates it in place, so a
// threshold being typed survives the 10 s refresh.
function spendTable(body, msg, after) {
  const rows = new Map();
  const act = reporter(msg, 'ops-threshold', after);
  const empty = h('tr', {}, h('td', { colspan: 5, class: 'empty', testid: 'ops-spend-empty' }, 'No campaign has spent anything this month or has a spend alert.'));

  function make(c) {
    const input = h('input', { type: 'number', min: '0.01', step: 'any', inputmode: 'decimal', placeholder: 'off', class: 'amount',
      testid: 'ops-threshold-input', 'aria-label': `Spend alert for ${c.name} (USD, empty = off)`,
      oninput: () => { input.dataset.dirty = 'true'; } });
    const save = h('button', { class: 'btn small', testid: 'ops-threshold-save' }, 'Save');
    const r = {
      input,
      name: h('a', { href: `#/campaigns/${c.id}`, testid: 'ops-spend-name' }),
      status: h('td'),
      month: h('td', { class: 'n', testid: 'ops-spend-campaign-month' }),
      total: h('td', { class: 'n', testid: 'ops-spend-campaign-total' }),
    };
    const form = h('form', { class: 'inline', testid: 'ops-threshold-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      const v = input.value.trim();
      const usd = v === '' ? null : Number(v);
      if (usd !== null && !(usd > 0)) return mount(msg, alert('error', 'A spend alert is a positive amount in USD, or empty for none.', 'ops-threshold-error'));
      busy(save, () => act(async () => {
        await api(`/api/admin/operations/${c.id}`, { method: 'PATCH', body: { spendAlertUsd: usd } });
        delete input.dataset.dirty;
      }, usd === null ? `No spend alert for ${r.c.name} any more.` : `${r.c.name} alerts at ${money(usd)}.`));
    } }, input, save);
    r.tr = h('tr', { testid: 'ops-spend-row', 'data-id': c.id },
      h('th', { scope: 'row' }, r.name), r.status, r.month, r.total, h('td', {}, form));
    return r;
  }

  function render(list) {
    const seen = new Set();
    const order = list.map((c) => {
      seen.add(c.id);
      const r = rows.get(c.id) || make(c);
      rows.set(c.id, r);
      r.c = c;
      const over = c.threshold != null && c.total >= c.threshold;
      r.tr.dataset.status = c.status;
      r.tr.dataset.threshold = c.threshold ?? '';
      r.tr.dataset.over = String(over);
      r.tr.classList.toggle('over', over);
      r.name.textContent = c.name;
      mount(r.status, badge(c.status, 'ops-spend-status'));
      r.month.textContent = money(c.month);
      r.total.textContent = money(c.total);
      if (!r.input.dataset.dirty && document.activeElement !== r.input) r.input.value = c.threshold ?? '';
      return r.tr;
    });
    for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
    const next = order.length ? order : [empty];
    // Moving a focused input would blur it: touch the DOM only when the
    // rows changed.
    if (next.length !== body.children.length || next.some((tr, i) => body.children[i] !== tr)) mount(body, next);
  }
  return { render };
}

// addThresholdForm sets a spend alert on any campaign, including one that
// has not spent yet (the table lists only those with spend or an alert).
function addThresholdForm(msg, after, known) {
  const act = reporter(msg, 'ops-threshold', after);
  const select = h('select', { testid: 'ops-threshold-campaign', required: true }, h('option', { value: '' }, 'Loading…'));
  const amount = h('input', { type: 'number', min: '0.01', step: 'any', inputmode: 'decimal', required: true, testid: 'ops-threshold-amount', placeholder: 'e.g. 50' });
  const submit = h('button', { class: 'btn', testid: 'ops-threshold-add-submit' }, 'Set alert');
  const load = async () => {
    try {
      const list = [...((await api('/api/campaigns')).campaigns || [])].sort((a, b) => (b.createdAt || '').localeCompare(a.createdAt || ''));
      known(list);
      const keep = select.value;
      mount(select, h('option', { value: '' }, list.length ? 'Choose a campaign' : 'No campaigns yet'),
        list.map((c) => h('option', { value: c.id, selected: c.id === keep, 'data-name': c.name }, `${c.name} (${c.status})`)));
    } catch (err) {
      mount(select, h('option', { value: '' }, 'Cannot list campaigns'));
      mount(msg, alert('error', err.message, 'ops-threshold-error'));
    }
  };
  const form = h('form', { class: 'card', testid: 'ops-threshold-add', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const usd = Number(amount.value);
    if (!select.value) return mount(msg, alert('error', 'Choose a campaign.', 'ops-threshold-error'));
    if (!(usd > 0)) return mount(msg, alert('error', 'A spend alert is a positive amount in USD.', 'ops-threshold-error'));
    const name = select.selectedOptions[0]?.dataset.name || 'The campaign';
    busy(submit, () => act(async () => {
      await api(`/api/admin/operations/${select.value}`, { method: 'PATCH', body: { spendAlertUsd: usd } });
      e.target.reset();
    }, `${name} alerts at ${money(usd)} (lifetime spend).`));
  } },
  h('h3', {}, 'Set a campaign spend alert'),
  h('p', { class: 'hint' }, 'Alerts once when the campaign’s lifetime spend reaches the amount; a raised amount alerts again. Clear it in the table above.'),
  h('div', { class: 'row' }, field('Campaign', select), field('Alert at (USD)', amount)), submit);
  load();
  return { form, load };
}

function alertRow(a, names) {
  const delivered = !!a.deliveredAt;
  const delivery = delivered
    ? h('span', { class: 'ok-text' }, 'Delivered ', when(a.deliveredAt))
    : a.attempts >= MAX_ATTEMPTS ? h('span', { class: 'bad-text' }, `Not delivered: gave up after ${a.attempts} attempts`)
      : a.attempts > 0 ? h('span', { class: 'warn-text' }, `Not delivered yet (${a.attempts} ${a.attempts === 1 ? 'attempt' : 'attempts'}; retried each tick)`)
        : h('span', { class: 'muted' }, 'Not posted (recorded only; posted by the tick when ALERT_WEBHOOK_URL is set)');
  const scope = a.kind === 'campaign'
    ? (a.campaignId ? h('a', { href: `#/campaigns/${a.campaignId}` }, names.get(a.campaignId) || a.campaignId.slice(0, 8)) : 'deleted campaign')
    : 'Account';
  return h('tr', { testid: 'ops-alert-row', 'data-id': a.id, 'data-kind': a.kind, 'data-delivered': String(delivered) },
    h('td', { class: 'nowrap' }, when(a.createdAt)),
    h('th', { scope: 'row' }, KINDS[a.kind] || a.kind, a.period && a.period !== 'lifetime' ? h('small', { class: 'muted' }, ` ${a.period}`) : null),
    h('td', {}, scope),
    h('td', { class: 'n' }, money(a.amount)),
    h('td', { class: 'n' }, money(a.threshold)),
    h('td', { testid: 'ops-alert-delivery' }, delivery));
}

// policyForm edits the account thresholds and retention horizons. Only
// changed fields are sent; empty sends null (off). Shortening or turning on
// retention erases data, so it asks once more.
function policyForm(after) {
  let current = null;
  const msg = h('div', { 'aria-live': 'polite' });
  const inputs = POLICY.map((p) => {
    const el = h('input', { type: 'number', name: p.key, testid: `ops-policy-${p.key}`, placeholder: 'off', inputmode: p.usd ? 'decimal' : 'numeric',
      min: p.usd ? '0.01' : '0', step: p.usd ? 'any' : '1', oninput: () => { el.dataset.dirty = 'true'; el.removeAttribute('aria-invalid'); } });
    return { ...p, el };
  });
  const save = h('button', { class: 'btn primary', testid: 'ops-policy-save' }, 'Save policy');
  const confirmBox = h('span', { class: 'confirm', hidden: true });
  let pending = null;

  const read = (p) => {
    const v = p.el.value.trim();
    if (v === '') return null;
    const n = Number(v);
    if (p.usd && !(n > 0)) throw new Error(`${p.label} must be a positive amount, or empty for off.`);
    if (!p.usd && !(Number.isInteger(n) && n >= 0 && n <= 36500)) throw new Error(`${p.label} must be a whole number of days from 0 to 36500, or empty for off.`);
    return n;
  };
  // erases says whether the change makes retention erase more than before.
  const erases = (patch) => ['retentionTranscriptDays', 'retentionPiiDays'].some((k) => k in patch && patch[k] !== null
    && (current?.[k] == null || patch[k] < current[k]));

  const send = (patch) => busy(save, async () => {
    try {
      const p = await api('/api/admin/operations', { method: 'PATCH', body: patch });
      for (const i of inputs) delete i.el.dataset.dirty;
      fill(p, true);
      mount(msg, alert('ok', 'Policy saved.', 'ops-policy-saved'));
      after?.();
    } catch (err) {
      const f = err.details?.field && inputs.find((i) => i.key === err.details.field);
      if (f) f.el.setAttribute('aria-invalid', 'true');
      mount(msg, alert('error', err.message, 'ops-policy-error'));
    }
  });

  const submit = (e) => {
    e.preventDefault();
    confirmBox.hidden = true;
    mount(msg);
    const patch = {};
    for (const p of inputs) {
      let v;
      try { v = read(p); } catch (err) {
        p.el.setAttribute('aria-invalid', 'true');
        p.el.focus();
        return mount(msg, alert('error', err.message, 'ops-policy-error'));
      }
      if (v !== (current?.[p.key] ?? null)) patch[p.key] = v;
    }
    if (!Object.keys(patch).length) return mount(msg, alert('info', 'Nothing changed.', 'ops-policy-unchanged'));
    if (erases(patch)) {
      pending = patch;
      const days = ['retentionTranscriptDays', 'retentionPiiDays'].filter((k) => k in patch && patch[k] !== null)
        .map((k) => `${k === 'retentionPiiDays' ? 'contact details' : 'transcripts'} after ${patch[k]} days`).join(' and ');
      mount(confirmBox, `Erase ${days}? The next ticks erase them for every campaign finished longer ago; this cannot be undone. `,
        h('button', { type: 'button', class: 'btn danger', testid: 'ops-policy-save-confirm', onclick: () => { confirmBox.hidden = true; send(pending); } }, 'Yes, save'),
        h('button', { type: 'button', class: 'btn', testid: 'ops-policy-save-cancel', onclick: () => { confirmBox.hidden = true; save.focus(); } }, 'Cancel'));
      confirmBox.hidden = false;
      confirmBox.querySelector('button').focus();
      return;
    }
    send(patch);
  };

  // fill shows the server's policy in the fields nobody is editing (all of
  // them with force, after a save).
  function fill(p, force = false) {
    current = { ...p };
    for (const i of inputs) {
      if (!force && (i.el.dataset.dirty || document.activeElement === i.el)) continue;
      i.el.value = p[i.key] ?? '';
    }
  }

  const form = h('form', { class: 'card', testid: 'ops-policy-form', novalidate: true, onsubmit: submit }, msg,
    h('div', { class: 'row' }, inputs.map((i) => field(i.label, i.el, i.hint))),
    h('p', { class: 'hint' }, 'Retention counts from the day a campaign finished; the contact-details horizon also erases transcripts. Statuses, dispositions, costs and times are always kept, and so is the do-not-call list.'),
    h('p', { class: 'actions' }, save, confirmBox));
  return { form, fill };
}
