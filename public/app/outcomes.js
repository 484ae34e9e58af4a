// Outcome fields: the create form's field editor (from a template or by
// hand, with the rules that turn values into a result), and on the
// campaign page the values in the contacts table, the result an operator
// corrects by hand, the per-field charts and the callbacks to come.

import { api } from './api.js';
import { h, mount, busy, num } from './dom.js';

const TYPES = [['boolean', 'Yes / no'], ['string', 'Text'], ['number', 'Number'], ['datetime', 'Date and time'], ['enum', 'One of']];

// outcomeFieldset is the create form's "Outcome fields" section: values()
// gives the form fields outcomeFields and outcomeRules (as JSON), or
// nothing when no field is defined.
export function outcomeFieldset() {
  const rows = h('div', { class: 'outcome-fields', testid: 'outcome-fields' });
  const ruleRows = h('div', { class: 'outcome-rules', testid: 'outcome-rules' });
  const template = h('select', { testid: 'outcome-template', 'aria-label': 'Start from a template', onchange: () => useTemplate(template.value) },
    h('option', { value: '' }, 'Start from a template…'));
  let templates = [];
  api('/api/campaigns/outcome-templates').then((r) => {
    templates = r.templates || [];
    template.append(...templates.map((t) => h('option', { value: t.name }, t.label)));
  }, () => {});

  function useTemplate(name) {
    const t = templates.find((x) => x.name === name);
    if (!t) return;
    mount(rows, t.fields.map(fieldRow));
    mount(ruleRows, (t.rules || []).map(ruleRow));
  }
  const el = h('details', { class: 'rules', testid: 'outcome-details' },
    h('summary', {}, 'Outcome fields'),
    h('p', { class: 'hint' }, 'What the assistant records from each call: shown per contact, filterable, charted and exported as outcome.<name> columns. A date-time field marked callback schedules a call back at the time the person asked for, in their own time zone.'),
    h('p', {}, template),
    rows,
    h('p', {}, h('button', { type: 'button', class: 'btn small', testid: 'outcome-add', onclick: () => rows.append(fieldRow({ type: 'boolean' })) }, 'Add field')),
    h('h3', {}, 'Results'),
    h('p', { class: 'hint' }, 'The first rule a call matches sets the contact\'s result, but a matching opt-out rule always wins: the result opt-out (also written opt out, do not call, DNC) puts the number on the do-not-call list.'),
    ruleRows,
    h('p', {}, h('button', { type: 'button', class: 'btn small', testid: 'outcome-rule-add', onclick: () => ruleRows.append(ruleRow({})) }, 'Add rule')));

  const fields = () => [...rows.querySelectorAll('[data-testid=outcome-field]')].map((r) => {
    const get = (k) => r.querySelector(`[data-k=${k}]`);
    const f = { name: get('name').value.trim(), type: get('type').value, description: get('description').value.trim() };
    if (f.type === 'enum') f.options = get('options').value.split(',').map((o) => o.trim()).filter(Boolean);
    if (f.type === 'datetime' && get('callback').checked) f.callback = true;
    return f;
  });
  const rules = () => [...ruleRows.querySelectorAll('[data-testid=outcome-rule]')].map((r) => {
    const get = (k) => r.querySelector(`[data-k=${k}]`).value.trim();
    return { field: get('field'), equals: get('equals'), result: get('result') };
  }).filter((r) => r.field || r.result);
  return {
    el,
    controls: { outcomeFields: rows, outcomeRules: ruleRows },
    values() {
      const f = fields();
      if (!f.length) return {};
      return { outcomeFields: JSON.stringify(f), outcomeRules: JSON.stringify(rules()) };
    },
  };
}

function fieldRow(f) {
  const type = h('select', { 'data-k': 'type', 'aria-label': 'Type', onchange: () => sync() }, TYPES.map(([v, label]) => h('option', { value: v, selected: v === f.type }, label)));
  const options = h('input', { 'data-k': 'options', placeholder: 'option, option', 'aria-label': 'Options', value: (f.options || []).join(', ') });
  const callback = h('input', { type: 'checkbox', 'data-k': 'callback', checked: !!f.callback });
  const cb = h('label', { class: 'check' }, callback, ' callback');
  const sync = () => { options.hidden = type.value !== 'enum'; cb.hidden = type.value !== 'datetime'; };
  const row = h('div', { class: 'outcome-field', testid: 'outcome-field' },
    h('input', { 'data-k': 'name', placeholder: 'name (a_z_0_9)', 'aria-label': 'Field name', value: f.name || '', maxlength: 40, testid: 'outcome-field-name' }),
    type,
    h('input', { 'data-k': 'description', placeholder: 'what the assistant should record', 'aria-label': 'Description', value: f.description || '', maxlength: 500 }),
    options, cb,
    h('button', { type: 'button', class: 'btn small', 'aria-label': 'Remove field', onclick: () => row.remove() }, '×'));
  sync();
  return row;
}

function ruleRow(r) {
  const row = h('div', { class: 'outcome-rule', testid: 'outcome-rule' },
    h('label', {}, 'When ', h('input', { 'data-k': 'field', value: r.field || '', 'aria-label': 'Field', size: 12 })),
    h('label', {}, ' is ', h('input', { 'data-k': 'equals', value: r.equals == null ? '' : String(r.equals), 'aria-label': 'Value', size: 8 })),
    h('label', {}, ' → result ', h('input', { 'data-k': 'result', value: r.result || '', 'aria-label': 'Result', size: 10, maxlength: 40, list: resultList() })),
    h('button', { type: 'button', class: 'btn small', 'aria-label': 'Remove rule', onclick: () => row.remove() }, '×'));
  return row;
}

// RESULTS are the results every result input suggests; opt-out is the
// one that also lists the number as do-not-call.
const RESULTS = ['won', 'lost', 'opt-out'];

// resultList is the id of the page's one list of suggested results.
function resultList() {
  if (!document.getElementById('result-choices')) {
    document.body.append(h('datalist', { id: 'result-choices' }, RESULTS.map((r) => h('option', { value: r }))));
  }
  return 'result-choices';
}

// show formats one outcome value for a person.
export function show(v) {
  if (v === true) return 'yes';
  if (v === false) return 'no';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return v.slice(0, 16).replace('T', ' ') + v.slice(19);
  return String(v);
}

// outcomeCells are a contact row's Result and Outcomes cells: the result
// with how it was set and a correction form, the values and a callback.
export function outcomeCells(base, k, onSaved) {
  const vals = k.outcomes || {};
  const input = h('input', { value: k.result || '', maxlength: 40, size: 8, 'aria-label': `Result for ${k.name || k.phone}`, testid: 'result-input', list: resultList() });
  const msg = h('small', { 'aria-live': 'polite' });
  const save = h('button', { class: 'btn small', testid: 'result-save', onclick: () => busy(save, async () => {
    try {
      await api(`${base}/contacts/${k.id}/result`, { method: 'PUT', body: { result: input.value.trim() || null } });
      onSaved();
    } catch (err) {
      mount(msg, h('span', { class: 'error', role: 'alert' }, err.message));
    }
  }) }, 'Set');
  return [
    h('td', { testid: 'contact-result', 'data-source': k.resultSource || '' },
      k.result ? h('strong', {}, k.result) : '—',
      k.resultSource === 'manual' && h('small', { class: 'muted', testid: 'result-manual' }, ' (by hand)'),
      h('details', { class: 'inline' }, h('summary', { testid: 'result-edit' }, 'Edit'), input, ' ', save, msg)),
    h('td', { testid: 'contact-outcomes' },
      Object.keys(vals).length ? h('ul', { class: 'outcomes' }, Object.entries(vals).map(([f, v]) => h('li', { 'data-field': f }, h('span', { class: 'muted' }, `${f}: `), show(v)))) : '—',
      k.callbackAt && h('p', { class: 'callback', testid: 'contact-callback', 'data-at': k.callbackAt }, 'Callback ', new Date(k.callbackAt).toLocaleString())),
  ];
}

// outcomeCharts are the campaign's per-field counts, results and next
// calls (pending callbacks), drawn with the page's bars().
export function outcomeCharts(o, bars) {
  if (!o) return [];
  const charts = (o.fields || []).filter((f) => f.type === 'boolean' || f.type === 'enum').map((f) => {
    const c = o.counts?.[f.name] || {};
    const vals = Object.fromEntries(Object.entries(c.values || {}).map(([k, n]) => [f.type === 'boolean' ? show(k === 'true') : k, n]));
    return bars(`Outcome: ${f.name}`, vals, `chart-outcome-${f.name}`);
  });
  const given = Object.fromEntries((o.fields || []).map((f) => [f.name, o.counts?.[f.name]?.given || 0]));
  return [
    ...charts,
    bars('Outcomes given', given, 'chart-outcomes-given'),
    bars('Results', o.results, 'chart-results'),
    h('figure', { class: 'chart', testid: 'next-calls' }, h('figcaption', {}, `Next calls: ${num(o.callbacks?.pending || 0)} callbacks`),
      o.callbacks?.next?.length ? h('ol', {}, o.callbacks.next.map((c) => h('li', { testid: 'next-call', 'data-id': c.contactId }, `${new Date(c.at).toLocaleString()} — ${c.name || 'contact'}`)))
        : h('p', { class: 'muted' }, 'No callback pending.')),
  ];
}

// outcomeFilter is the contacts filter on an outcome value or a result
// (its value is the query to add, e.g. "outcome.interested=true").
export function outcomeFilter(onchange) {
  const sel = h('select', { testid: 'filter-outcome', 'aria-label': 'Outcome or result', onchange }, h('option', { value: '' }, 'Any outcome'));
  sel.update = (o) => {
    if (!o || sel.dataset.filled === JSON.stringify([o.fields, Object.keys(o.results || {})])) return;
    sel.dataset.filled = JSON.stringify([o.fields, Object.keys(o.results || {})]);
    const keep = sel.value;
    const opts = [];
    for (const f of o.fields || []) {
      if (f.type === 'boolean') opts.push([`outcome.${f.name}=true`, `${f.name}: yes`], [`outcome.${f.name}=false`, `${f.name}: no`]);
      if (f.type === 'enum') for (const v of f.options) opts.push([`outcome.${f.name}=${v}`, `${f.name}: ${v}`]);
    }
    for (const r of Object.keys(o.results || {})) opts.push([`result=${r}`, `result: ${r}`]);
    mount(sel, h('option', { value: '' }, 'Any outcome'), opts.map(([v, label]) => h('option', { value: v, selected: v === keep }, label)));
  };
  return sel;
}

// outcomeFacts are the transcript view's lines for a call's outcomes.
export function outcomeFacts(call) {
  return Object.entries(call.outcomes || {}).map(([f, v]) => [`Outcome: ${f}`, show(v)]);
}
