// Migrations: the live list (refreshed every 2 s) with phase, progress, ETA and downtime target; filters by phase,
// VM name and requester.
import { get } from '../api.js';
import { hostNames } from '../hosts.js';
import { badge, el, every, ms, progress } from '../ui.js';

const PHASES = ['', 'QUEUED', 'SCHEDULED', 'RUNNING', 'OUTCOME_UNKNOWN', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export async function render(root) {
  const host = await hostNames();
  const phase = el('select', { id: 'phase-filter' }, PHASES.map(p => el('option', { value: p }, p || 'any phase')));
  const vm = el('input', { id: 'vm-filter', placeholder: 'VM name contains' });
  const requester = el('input', { id: 'requester-filter', placeholder: 'requested by' });
  const rows = el('tbody');
  root.append(el('h1', {}, 'Migrations'),
    el('div', { class: 'filters' }, phase, vm, requester, el('span', { class: 'muted' }, 'newest first, live')),
    el('table', { id: 'migrations' }, el('thead', {}, el('tr', {}, ['VM', 'phase', 'progress', 'round', 'ETA', 'downtime target',
      'from → to', 'requested by', 'created'].map(t => el('th', {}, t)))), rows));
  const refresh = () => load(rows, host, phase.value, vm.value.trim().toLowerCase(), requester.value.trim());
  [phase, vm, requester].forEach(f => f.addEventListener('change', refresh));
  return every(2000, refresh);
}

async function load(rows, host, phase, vmName, requestedBy) {
  const q = new URLSearchParams({ size: '200' });
  if (phase) q.set('phase', phase);
  if (requestedBy) q.set('requestedBy', requestedBy);
  const list = (await get('/migrations?' + q)).filter(m => !vmName || m.vmName.toLowerCase().includes(vmName));
  rows.replaceChildren(...list.map(m => el('tr', { class: 'clickable', dataset: { id: m.id, vm: m.vmName },
    onclick: () => { location.hash = '#/migrations/' + m.id; } },
  el('td', {}, m.vmName), el('td', {}, badge(m.phase)), el('td', {}, progress(m.progressPercent)),
  el('td', {}, m.currentRound || '–'), el('td', {}, m.etaMillis === null ? '–' : ms(m.etaMillis)),
  el('td', {}, ms(m.maxDowntimeMillis)), el('td', {}, host(m.sourceHostId) + ' → ' + host(m.targetHostId)),
  el('td', {}, m.requestedBy ? m.requestedBy.name : '–'), el('td', {}, new Date(m.createdAt).toLocaleString()))));
  if (!list.length) rows.append(el('tr', {}, el('td', { colspan: 9, class: 'muted' }, 'No migration matches.')));
}
