// The assistant directory (admins): list, create at Vapi, import an
// existing Vapi assistant, edit, activate/deactivate, delete.

import { api } from './api.js';
import { h, mount, field, alert, busy, confirmable, when, table, reporter } from './dom.js';

export default function assistants(root) {
  const rows = h('tbody', { testid: 'assistant-rows' });
  const msg = h('div', { 'aria-live': 'polite' });
  const edit = h('dialog', { testid: 'assistant-dialog', 'aria-labelledby': 'edit-title' });

  const load = async () => {
    try {
      const { assistants: list = [] } = await api('/api/assistants');
      mount(rows, list.length ? list.map(row)
        : h('tr', {}, h('td', { colspan: 5, class: 'empty', testid: 'assistants-empty' }, 'No assistants yet. Create or import one.')));
    } catch (err) {
      mount(msg, alert('error', err.message));
    }
  };
  const act = reporter(msg, 'assistant', load);

  const row = (a) => h('tr', { testid: 'assistant-row', 'data-id': a.id },
    h('th', { scope: 'row' }, a.name),
    h('td', {}, a.source),
    h('td', {}, h('span', { class: `badge ${a.active ? 's-RUNNING' : ''}`, testid: 'assistant-active' }, a.active ? 'active' : 'inactive')),
    h('td', {}, h('code', {}, a.providerAssistantId), h('br'), h('small', {}, `updated ${when(a.updatedAt)}`)),
    h('td', {}, h('span', { class: 'actions' },
      h('button', { class: 'btn small', testid: 'assistant-edit', onclick: () => openEdit(a) }, 'Edit'),
      confirmable('Delete', 'assistant-delete', `Delete ${a.name}?`, () => act(
        () => api(`/api/assistants/${a.id}`, { method: 'DELETE' }), `Deleted ${a.name}.`,
        (err) => (err.status === 409 ? `${a.name} is in use by an unfinished campaign; stop or finish that campaign first (or deactivate the assistant).` : err.message)),
      'btn small danger'))));

  function openEdit(a) {
    const name = h('input', { value: a.name, required: true, testid: 'edit-name' });
    const active = h('input', { type: 'checkbox', checked: a.active, testid: 'edit-active' });
    const config = h('textarea', { rows: 14, spellcheck: 'false', class: 'code', testid: 'edit-config', value: JSON.stringify(a.config || {}, null, 2) });
    const err = h('div', { 'aria-live': 'polite' });
    const save = h('button', { class: 'btn primary', testid: 'edit-save' }, 'Save');
    const submit = (e) => {
      e.preventDefault();
      const patch = {};
      if (name.value.trim() !== a.name) patch.name = name.value.trim();
      if (active.checked !== a.active) patch.active = active.checked;
      try {
        const cfg = JSON.parse(config.value);
        if (JSON.stringify(cfg) !== JSON.stringify(a.config || {})) patch.config = cfg;
      } catch {
        return mount(err, alert('error', 'The config is not valid JSON.'));
      }
      if (!Object.keys(patch).length) return edit.close();
      busy(save, () => api(`/api/assistants/${a.id}`, { method: 'PATCH', body: patch }).then(
        () => { edit.close(); return act(() => {}, `Saved ${patch.name || a.name}.`); },
        (e2) => mount(err, alert('error', e2.message))));
    };
    mount(edit, h('form', { onsubmit: submit },
      h('h2', { id: 'edit-title' }, `Edit ${a.name}`), err,
      field('Name', name), h('div', { class: 'field check' }, h('label', {}, active, ' Active (can be chosen for new campaigns)')),
      field('Config (JSON; changes are sent to Vapi too)', config),
      h('p', { class: 'actions' }, save, h('button', { type: 'button', class: 'btn', testid: 'edit-cancel', onclick: () => edit.close() }, 'Cancel'))));
    edit.showModal();
  }

  mount(root, h('h1', {}, 'Assistants'), msg,
    table('assistants-table', ['Name', 'Source', 'State', 'Vapi id', ''], rows),
    h('div', { class: 'grid2' }, createForm(act), importForm(act)), edit);
  load();
  return () => edit.close();
}

// form builds a card form whose submit runs send(values) while btn is busy.
function form(testid, title, fields, btn, send) {
  return h('form', { class: 'card', testid, onsubmit: (e) => {
    e.preventDefault();
    const v = Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value.trim()]));
    busy(btn, () => send(v, () => e.target.reset()));
  } }, h('h2', {}, title), Object.values(fields).map((el) => field(el.dataset.label, el)), btn);
}

function createForm(act) {
  const inp = (label, testid, props) => h(props?.rows ? 'textarea' : 'input', { 'data-label': label, testid, ...props });
  const f = {
    name: inp('Name', 'create-name', { required: true }),
    firstMessage: inp('First message', 'create-first-message', { placeholder: 'Hi {{name}}, this is …' }),
    systemPrompt: inp('System prompt', 'create-system-prompt', { rows: 5 }),
    voiceProvider: inp('Voice provider', 'create-voice-provider', { placeholder: '11labs' }),
    voiceId: inp('Voice id', 'create-voice-id'),
    modelProvider: inp('Model provider', 'create-model-provider', { placeholder: 'openai' }),
    model: inp('Model', 'create-model', { placeholder: 'gpt-4o-mini' }),
  };
  const btn = h('button', { class: 'btn primary', testid: 'create-submit' }, 'Create at Vapi');
  return form('assistant-create', 'Create assistant', f, btn, (v, reset) => act(async () => {
    const config = prune({
      firstMessage: v.firstMessage, systemPrompt: v.systemPrompt,
      voice: prune({ provider: v.voiceProvider, voiceId: v.voiceId }), model: prune({ provider: v.modelProvider, model: v.model }),
    });
    const a = await api('/api/assistants', { method: 'POST', body: { name: v.name, config } });
    reset();
    return a;
  }, (a) => `Created ${a.name}.`));
}

// prune drops empty values; an object left empty is dropped too.
function prune(o) {
  const r = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== undefined));
  return Object.keys(r).length ? r : undefined;
}

function importForm(act) {
  const f = {
    providerAssistantId: h('input', { 'data-label': 'Vapi assistant id', required: true, testid: 'import-provider-id', spellcheck: 'false' }),
    name: h('input', { 'data-label': 'Name (optional)', testid: 'import-name', placeholder: 'Vapi’s name' }),
  };
  const btn = h('button', { class: 'btn', testid: 'import-submit' }, 'Import');
  return form('assistant-import', 'Import from Vapi', f, btn, (v, reset) => act(async () => {
    const a = await api('/api/assistants/import', { method: 'POST', body: prune(v) });
    reset();
    return a;
  }, (a) => `Imported ${a.name}.`));
}
