// New campaign: the form with its calling rules, a CSV or .xlsx dropped or
// picked, the server's preview of the import, the chunked upload with one
// progress bar, the merged import report, then Start.

import { api, upload } from './api.js';
import { h, mount, field, alert, busy, num, table, debounce } from './dom.js';
import { splitCSV, CHUNK_BYTES } from './csv.js';
import { rulesFieldset } from './rules.js';
import { voicemailFieldset } from './voicemail.js';
import { runPreview, isXLSX } from './preview.js';
import { outcomeFieldset } from './outcomes.js';

// Tests may shrink chunks to exercise the multi-chunk path with small files.
const chunkBytes = () => Number(localStorage.getItem('autolynx.chunkBytes')) || CHUNK_BYTES;

export default function newCampaign(root, ctx) {
  let file = null, mapping = null;
  let createKey = null; // see run; a changed form is a new request

  const name = h('input', { required: true, maxlength: 200, testid: 'campaign-name' });
  const assistant = h('select', { required: true, testid: 'campaign-assistant' }, h('option', { value: '' }, 'Loading…'));
  const phone = h('input', { placeholder: 'default', testid: 'campaign-phone' });
  const cap = h('input', { type: 'number', min: 1, step: 1, value: '8', required: true, testid: 'campaign-cap' });
  const mode = h('select', { testid: 'campaign-mode' }, h('option', { value: 'continuous' }, 'Continuous (keep up to cap calls live)'), h('option', { value: 'batch' }, 'Strict batches of cap calls'));
  const quiet = h('input', { type: 'checkbox', testid: 'campaign-line-quiet' });
  const picker = h('input', { type: 'file', accept: '.csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', testid: 'campaign-file', onchange: () => pick(picker.files[0]) });
  const chosen = h('p', { class: 'muted', testid: 'file-chosen', 'aria-live': 'polite' }, 'No file chosen.');
  const drop = h('div', { class: 'drop', testid: 'dropzone' },
    h('p', {}, 'Drag a CSV or Excel (.xlsx) file here, or pick one:'), h('label', { class: 'file' }, h('span', { class: 'sr-only' }, 'Contacts file'), picker),
    h('p', { class: 'muted' }, 'A phone column is required (Phone, Mobile Phone, Cell…); name (or First Name + Last Name), company and time zone are recognized; other columns become call variables.'),
    chosen);
  const preview = h('div', { 'aria-live': 'polite', testid: 'preview-area' });
  const rules = rulesFieldset(phone, ctx.cfg.callingDefaults);
  const outcomes = outcomeFieldset();
  const voicemail = voicemailFieldset();
  const submit = h('button', { class: 'btn primary', testid: 'campaign-submit' }, 'Create and upload');
  const form = h('form', { class: 'card', testid: 'campaign-form', novalidate: true },
    field('Campaign name', name), field('Assistant', assistant), field('Phone number id', phone, 'Leave empty for the configured number.'),
    h('div', { class: 'row' }, field('Concurrent call cap', cap), field('Mode', mode)),
    h('div', { class: 'field check' }, h('label', {}, quiet, ' Line-quiet gating: dial only while the phone number has no live call')),
    rules.el, outcomes.el, voicemail.el, drop, preview, submit);
  // controls by API field name, to show a refusal next to its field.
  const controls = { name, assistantId: assistant, phoneNumberId: phone, cap, mode, lineQuietGating: quiet, file: picker, ...rules.controls, ...outcomes.controls, ...voicemail.controls };
  const out = h('div', { 'aria-live': 'polite' });
  mount(root, h('h1', {}, 'New campaign'), form, out);

  form.addEventListener('input', () => { createKey = null; });
  form.addEventListener('change', () => { createKey = null; });

  function pick(f) {
    if (!f) return;
    file = f;
    mapping = null;
    createKey = null;
    mount(chosen, 'Selected: ', h('strong', {}, f.name), ` (${(f.size / 1024).toFixed(1)} KB)`);
    showPreview();
  }

  // showPreview runs the server's dry run on the file (its first chunk
  // for a large CSV) with the rules as they are now.
  async function showPreview() {
    if (!file) return;
    let blob = file, partial = false;
    if (!isXLSX(file)) {
      try {
        const chunks = await splitCSV(file, chunkBytes());
        blob = chunks[0].blob;
        partial = chunks.length > 1;
      } catch (err) {
        return mount(preview, alert('error', `Cannot read the file: ${err.message}`, 'preview-error'));
      }
    }
    const problem = rules.problem();
    if (problem) return mount(preview, alert('error', problem[1], 'preview-error'));
    await runPreview(preview, blob, file.name, rules.values(), mapping, (m) => { mapping = m; createKey = null; showPreview(); }, partial);
  }
  // Rules change who is callable now; one dry run once the edits settle.
  rules.el.addEventListener('change', debounce(showPreview, 800));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); pick(e.dataTransfer.files[0]); });

  api('/api/assistants').then(({ assistants }) => {
    const active = (assistants || []).filter((a) => a.active);
    mount(assistant, h('option', { value: '' }, active.length ? 'Choose an assistant' : 'No active assistant — ask an admin'),
      active.map((a) => h('option', { value: a.id }, a.name)));
  }, (err) => mount(out, alert('error', `Cannot load assistants: ${err.message}`)));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const problem = !name.value.trim() ? ['name', 'Give the campaign a name.'] : !assistant.value ? ['assistantId', 'Choose an assistant.']
      : !(Number(cap.value) >= 1 && Number.isInteger(Number(cap.value))) ? ['cap', 'The cap must be a whole number of at least 1.']
        : rules.problem() || voicemail.problem() || (!file ? ['file', 'Choose a CSV file.'] : null);
    if (problem) {
      fieldError(controls[problem[0]], problem[0], problem[1]);
      return mount(out, alert('error', problem[1], 'form-error'));
    }
    const fields = { name: name.value.trim(), assistantId: assistant.value, phoneNumberId: phone.value.trim() || null, cap: cap.value, mode: mode.value, lineQuietGating: String(quiet.checked), ...rules.values(), ...voicemail.values(),
      mapping: mapping && JSON.stringify(mapping), ...outcomes.values() };
    // outcomeFields[2].name is shown at the outcome fields.
    const refused = (err) => err.details?.field && fieldError(controls[err.details.field] || controls[err.details.field.split(/[.[]/)[0]], err.details.field.split(/[.[]/)[0], err.message);
    createKey ||= crypto.randomUUID();
    busy(submit, () => run(out, form, file, fields, refused, createKey));
  });
}

function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[data-testid=field-error]')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

// fieldError shows msg under the control of the form field name (opening
// the calling rules if it is one of them) and moves the focus there.
function fieldError(control, name, msg) {
  if (!control) return;
  const id = `err-${name}`;
  const where = control.closest('.field, fieldset, .drop') || control.parentElement;
  where.querySelector(`#${id}`)?.remove();
  where.append(h('small', { class: 'field-error', id, role: 'alert', testid: 'field-error', 'data-field': name }, msg));
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', id);
  const rules = control.closest('details');
  if (rules) rules.open = true;
  (control.matches('fieldset') ? control.querySelector('input') : control).focus();
}

// run uploads every chunk; after a failure it offers to resume from there.
// refused(err) hears why the server turned the campaign down. createKey is
// the create's Idempotency-Key: the same while the form is unchanged, so
// pressing Create again after a lost answer finds the campaign already
// made instead of making a second one.
async function run(out, form, file, fields, refused, createKey) {
  const bar = h('progress', { max: 1, value: 0, testid: 'upload-progress', 'aria-label': 'Upload progress' });
  const text = h('p', { testid: 'upload-status' }, 'Reading the file…');
  const report = { accepted: 0, duplicates: 0, suppressed: 0, skipped: [], skippedTotal: 0, skippedByReason: {} };
  const state = { id: null, next: 0 };
  mount(out, h('section', { class: 'card' }, h('h2', {}, 'Upload'), bar, text), h('div'));
  form.inert = true;
  let chunks;
  try {
    chunks = isXLSX(file) ? [workbook(file)] : await splitCSV(file, chunkBytes());
  } catch (err) {
    form.inert = false;
    return mount(text, alert('error', `Cannot read the file: ${err.message}`, 'upload-error'));
  }
  const total = chunks.reduce((n, c) => n + c.size, 0);
  bar.max = total;
  const step = async () => {
    for (; state.next < chunks.length; state.next++) {
      const k = state.next, c = chunks[k];
      const before = chunks.slice(0, k).reduce((n, x) => n + x.size, 0);
      const label = chunks.length > 1 ? `part ${k + 1} of ${chunks.length}` : 'the file';
      const progress = (loaded, all) => {
        bar.value = before + (c.size * loaded) / (all || 1);
        text.textContent = loaded < all ? `Uploading ${label}… ${Math.floor((bar.value / total) * 100)}%` : `Importing ${label}…`;
      };
      const wait = (s, lost) => { text.textContent = `${lost ? 'No answer' : 'Rate limited'}; sending ${label} again in ${s} s…`; };
      // One key per chunk, kept when the chunk is sent again (resume).
      c.key ||= k === 0 ? createKey : crypto.randomUUID();
      let res;
      if (k === 0) {
        const fd = new FormData();
        // Calling rules go even when empty: an empty retryOn means never.
        for (const [key, v] of Object.entries(fields)) if (v != null) fd.append(key, v);
        fd.append('file', c.blob, file.name);
        res = await upload('/api/campaigns', fd, null, progress, wait, c.key);
        state.id = res.campaignId;
      } else {
        res = await upload(`/api/campaigns/${state.id}/contacts`, c.blob, 'text/csv', progress, wait, c.key);
      }
      merge(report, res.importReport, c.rowOffset);
    }
  };
  const attempt = async () => {
    try {
      await step();
      bar.value = total;
      text.textContent = `Uploaded ${chunks.length > 1 ? `${chunks.length} parts` : 'the file'}.`;
      text.dataset.done = 'true';
      finish(out.lastChild, report, state.id, null);
    } catch (err) {
      mount(text, alert('error', `Upload failed: ${err.message}`, 'upload-error'));
      if (state.id === null) {
        form.inert = false;
        refused(err);
      }
      finish(out.lastChild, report, state.id, state.id && (() => busy(out.querySelector('[data-testid=resume-upload]'), attempt)));
    }
  };
  await attempt();
}

// workbook is an .xlsx file's one upload: a workbook cannot be cut into
// parts, so it must fit one request.
function workbook(file) {
  if (file.size > CHUNK_BYTES) throw new Error(`an .xlsx file over ${CHUNK_BYTES / 1048576} MB cannot be uploaded: save it as "CSV UTF-8" and upload that`);
  return { size: file.size, rowOffset: 0, blob: file };
}

// merge adds one chunk's report, moving its row numbers to the file's own.
function merge(report, r, offset) {
  if (!r) return;
  report.accepted += r.accepted || 0;
  report.duplicates += r.duplicates || 0;
  report.suppressed += r.suppressed || 0;
  report.skippedTotal += r.skippedTotal ?? (r.skipped || []).length;
  for (const [reason, n] of Object.entries(r.skippedByReason || {})) report.skippedByReason[reason] = (report.skippedByReason[reason] || 0) + n;
  // The server lists at most the first 500 skipped rows of each chunk.
  for (const s of r.skipped || []) if (report.skipped.length < 500) report.skipped.push({ row: s.row + offset, reason: s.reason });
}

function finish(el, report, id, resume) {
  if (!id) return mount(el);
  const status = h('p', { 'aria-live': 'polite', testid: 'start-status' });
  const start = h('button', { class: 'btn primary', testid: 'start-campaign', onclick: () => busy(start, async () => {
    try {
      const r = await api(`/api/campaigns/${id}/start`, { method: 'POST' });
      mount(status, alert('ok', `Started: the campaign is ${r.status}.`));
      start.hidden = true;
    } catch (err) {
      mount(status, alert('error', err.message));
    }
  }) }, 'Start calling');
  mount(el, reportView(report),
    h('p', { class: 'actions' },
      resume ? h('button', { class: 'btn primary', testid: 'resume-upload', onclick: resume }, 'Resume upload') : start,
      h('a', { class: 'btn', href: `#/campaigns/${id}`, testid: 'open-campaign' }, 'Open campaign')),
    status);
}

function reportView(r) {
  const skipped = [...r.skipped].sort((a, b) => a.row - b.row);
  return h('section', { class: 'card', testid: 'import-report' },
    h('h2', {}, 'Import report'),
    h('dl', { class: 'stats' },
      h('div', {}, h('dt', {}, 'Accepted'), h('dd', { testid: 'report-accepted' }, num(r.accepted))),
      h('div', {}, h('dt', {}, 'Duplicates'), h('dd', { testid: 'report-duplicates' }, num(r.duplicates))),
      h('div', {}, h('dt', {}, 'On the do-not-call list'), h('dd', { testid: 'report-suppressed' }, num(r.suppressed))),
      h('div', {}, h('dt', {}, 'Skipped'), h('dd', { testid: 'report-skipped-count' }, num(r.skippedTotal)))),
    r.suppressed > 0 && h('p', { class: 'hint' }, 'Numbers on the do-not-call list are never called; their rows are among the skipped ones.'),
    r.skippedTotal > skipped.length && [
      h('p', { class: 'hint', testid: 'report-skipped-partial' }, `The first ${num(skipped.length)} of ${num(r.skippedTotal)} skipped rows are listed. By reason:`),
      h('ul', { testid: 'report-skipped-reasons' }, Object.entries(r.skippedByReason).sort((a, b) => b[1] - a[1]).map(([reason, n]) => h('li', {}, `${reason}: ${num(n)}`)))],
    skipped.length > 0 && [h('p', {}, 'Skipped rows, numbered as in your spreadsheet:'),
      table('report-skipped', ['Row', 'Reason'], h('tbody', {},
        skipped.map((s) => h('tr', { testid: 'skipped-row', 'data-row': s.row }, h('td', { class: 'n' }, s.row), h('td', {}, s.reason)))), 'scroll')]);
}
