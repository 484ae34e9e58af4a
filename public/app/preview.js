// The import preview on the new-campaign page: the server's dry run of the
// same import (POST /api/campaigns with dryRun=true), shown before Create,
// and the column choice it asks for when a file is ambiguous or has no
// column the server recognizes as the phone.

import { upload } from './api.js';
import { h, mount, alert, num, table } from './dom.js';

const FIELDS = { name: 'Name', business_name: 'Business', phone: 'Phone', timezone: 'Time zone' };
const ZONE_SOURCE = { column: 'from the file', number: 'from the number', campaign: 'campaign default' };

// isXLSX tells an Excel workbook from a CSV file.
export const isXLSX = (f) => /\.xlsx$/i.test(f.name) || f.type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// runPreview asks the server what importing blob would do and shows it in
// el. fields are the form's calling rules; mapping the chosen columns.
// choose(mapping) is called when the operator picks columns.
export async function runPreview(el, blob, name, fields, mapping, choose, partial) {
  mount(el, h('p', { class: 'muted', testid: 'preview-loading' }, 'Reading the file…'));
  const fd = new FormData();
  fd.append('dryRun', 'true');
  for (const [k, v] of Object.entries(fields)) if (v != null) fd.append(k, v);
  if (mapping) fd.append('mapping', JSON.stringify(mapping));
  fd.append('file', blob, name);
  try {
    const { preview } = await upload('/api/campaigns', fd);
    mount(el, previewView(preview, partial));
    return preview;
  } catch (err) {
    const d = err.details || {};
    mount(el, alert('error', err.message, 'preview-error'),
      d.ambiguous ? chooser(d.ambiguous, mapping, choose)
        : d.missing ? chooser({ phone: d.columns || [] }, mapping, choose) : null);
    return null;
  }
}

// chooser asks which column each field is read from.
function chooser(candidates, mapping, choose) {
  const selects = Object.entries(candidates).map(([field, cols]) =>
    [field, h('select', { testid: `mapping-${field}`, 'aria-label': `Column for ${FIELDS[field] || field}` },
      cols.map((c) => h('option', { value: c }, c)))]);
  return h('form', { class: 'card', testid: 'mapping-choice', onsubmit: (e) => {
    e.preventDefault();
    const m = { ...(mapping || {}) };
    for (const [field, sel] of selects) m[field] = sel.value;
    choose(m);
  } },
  h('p', {}, 'Which column holds each field?'),
  selects.map(([field, sel]) => h('div', { class: 'field' }, h('label', {}, `${FIELDS[field] || field} `, sel))),
  h('button', { class: 'btn primary', testid: 'mapping-apply' }, 'Use these columns'));
}

function previewView(p, partial) {
  const skipped = Object.entries(p.skippedByReason || {});
  return h('section', { class: 'card', testid: 'preview' },
    h('h2', {}, 'Preview'),
    partial && h('p', { class: 'hint', testid: 'preview-partial' }, 'From the first part of the file; the import report covers all of it.'),
    h('dl', { class: 'stats' },
      stat('To import', p.importable, 'preview-importable'), stat('Duplicates', p.duplicates, 'preview-duplicates'),
      stat('On the do-not-call list', p.doNotCall, 'preview-dnc'), stat('Skipped', skipped.reduce((n, [, v]) => n + v, 0), 'preview-skipped-count'),
      stat('Callable right now', p.callableNow, 'preview-callable-now')),
    h('h3', {}, 'Columns'),
    table('preview-mapping', ['Field', 'Column in the file'], h('tbody', {},
      Object.entries(FIELDS).map(([f, label]) => h('tr', { testid: 'preview-mapping-row', 'data-field': f },
        h('th', { scope: 'row' }, label), h('td', {}, (p.mapping?.[f] || []).join(' + ') || '—'))),
      h('tr', {}, h('th', { scope: 'row' }, 'Call variables'), h('td', { testid: 'preview-variables' }, (p.variables || []).join(', ') || '—')))),
    skipped.length > 0 && [h('h3', {}, 'Rows that will be skipped'),
      h('ul', { testid: 'preview-skipped' }, skipped.map(([reason, n]) => h('li', { testid: 'preview-skip-reason', 'data-reason': reason, 'data-count': n }, `${reason}: ${num(n)}`))),
      (p.skipped || []).length > 0 && h('details', {}, h('summary', {}, 'Which rows'),
        table('preview-skipped-rows', ['Row', 'Reason'], h('tbody', {},
          p.skipped.map((s) => h('tr', { testid: 'preview-skipped-row', 'data-row': s.row }, h('td', { class: 'n' }, s.row), h('td', {}, s.reason))))))],
    h('h3', {}, 'First rows as they will be imported'),
    table('preview-rows', ['Row', 'Name', 'Business', 'Phone', 'Time zone'], h('tbody', {},
      (p.rows || []).map((r) => h('tr', { testid: 'preview-row', 'data-row': r.row },
        h('td', { class: 'n' }, r.row), h('td', {}, r.name), h('td', {}, r.businessName),
        h('td', { testid: 'preview-phone' }, r.phone),
        h('td', { testid: 'preview-zone' }, (r.timeZones || []).join(', '), h('small', { class: 'muted' }, ` (${ZONE_SOURCE[r.timeZoneSource] || r.timeZoneSource})`)))))));
}

function stat(label, v, testid) {
  return h('div', {}, h('dt', {}, label), h('dd', { testid }, num(v)));
}
