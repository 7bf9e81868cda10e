// Fleet: clusters, hosts with state, CPU and memory (used by VMs, reserved for incoming migrations, free), the VMs on
// each; host actions: maintenance (admin) and evacuation, previewed with its plan and predicted makespan first.
import { all, api, post } from '../api.js';
import { hasRole } from '../auth.js';
import { attempt, badge, bytes, el, every, ms, notice } from '../ui.js';

export function render(root) {
  const body = el('div');
  root.append(el('h1', {}, 'Fleet'), body);
  return every(5000, () => load(body));
}

async function load(body) {
  const [clusters, hosts, vms, reservations] = await Promise.all([all('/inventory/clusters'), all('/inventory/hosts'),
    all('/inventory/vms'), all('/inventory/reservations?state=ACTIVE')]);
  const sections = clusters.map(c => el('section', {},
    el('h2', {}, c.name),
    el('div', { class: 'grid' }, hosts.filter(h => h.clusterId === c.id).map(h => hostCard(h,
      vms.filter(v => v.hostId === h.id), reservations.filter(r => r.hostId === h.id))))));
  body.replaceChildren(el('p', { class: 'legend' }, hosts.length + ' hosts, ' + vms.length + ' VMs. Memory:',
    el('i', { style: 'background:var(--used)' }), 'used by VMs', el('i', { style: 'background:var(--reserved)' }),
    'reserved for incoming migrations', el('i', { style: 'background:#e7ebef' }), 'free'), ...sections);
}

function hostCard(h, vms, reservations) {
  const capacity = h.memoryBytes * h.memoryOvercommit;
  const used = vms.reduce((s, v) => s + v.memoryBytes, 0);
  const reserved = reservations.reduce((s, r) => s + r.memoryBytes, 0);
  const free = Math.max(0, capacity - used - reserved);
  const pct = n => (capacity > 0 ? (100 * n) / capacity : 0) + '%';
  const vcpus = vms.reduce((s, v) => s + v.vcpus, 0);
  return el('div', { class: 'card host', dataset: { host: h.name } },
    el('div', { class: 'actions', style: 'justify-content:space-between' },
      el('strong', {}, h.name), badge(h.state)),
    el('div', { class: 'muted' }, h.cpuModelName + ' · ' + (h.cpuSockets * h.cpuCores) + ' cores · ' + vcpus + ' vCPUs placed · '
      + h.hypervisorVersion),
    el('div', { class: 'bar', title: 'used ' + bytes(used) + ', reserved ' + bytes(reserved) + ', free ' + bytes(free) },
      el('span', { class: 'used', style: 'width:' + pct(used) }), el('span', { class: 'reserved', style: 'width:' + pct(reserved) })),
    el('div', { class: 'legend' }, bytes(used) + ' used · ' + bytes(reserved) + ' reserved · ' + bytes(free) + ' free of '
      + bytes(capacity)),
    el('table', {}, el('tbody', {}, vms.map(v => el('tr', {},
      el('td', {}, v.name), el('td', {}, bytes(v.memoryBytes)), el('td', {}, v.vcpus + ' vCPU'),
      el('td', {}, hasRole('operator') ? el('a', { href: '#/new/' + v.id }, 'Move…') : ''))))),
    el('div', { class: 'actions' },
      hasRole('admin') && h.state === 'UP'
        ? el('button', { onclick: () => changeState(h, 'MAINTENANCE') }, 'Maintenance') : null,
      hasRole('admin') && h.state === 'MAINTENANCE'
        ? el('button', { onclick: () => changeState(h, 'UP') }, 'Back in service') : null,
      hasRole('operator') && vms.length > 0
        ? el('button', { class: 'evacuate', onclick: () => previewEvacuation(h) }, 'Evacuate…') : null));
}

async function changeState(host, state) {
  await attempt(async () => {
    await api('PUT', '/inventory/hosts/' + host.id + '/state', { state });
    notice(host.name + ' is now ' + state, true);
  });
}

/** The plan the scheduler would run now, shown before anything changes; confirming starts it. */
async function previewEvacuation(host) {
  const plan = await attempt(() => post('/hosts/' + host.id + '/evacuate?dryRun=true'));
  if (!plan) return;
  const dialog = el('dialog', { id: 'evacuation-preview' },
    el('h2', {}, 'Evacuate ' + plan.hostName + '?'),
    el('p', {}, plan.moves.length + ' VM(s), ' + plan.concurrency + ' at a time, predicted makespan ',
      el('strong', { id: 'predicted-makespan' }, ms(plan.predictedMakespanMillis)), '. The host goes into MAINTENANCE first.'),
    el('table', {}, el('thead', {}, el('tr', {}, ['#', 'VM', 'to', 'predicted time', 'predicted downtime'].map(t => el('th', {}, t)))),
      el('tbody', {}, plan.moves.map(m => el('tr', {}, el('td', {}, m.order), el('td', {}, m.vmName), el('td', {}, m.targetHostName),
        el('td', {}, ms(m.predictedTotalTimeMillis)), el('td', {}, ms(m.predictedDowntimeMillis)))))),
    plan.unplaceable.length ? el('div', {}, el('h2', {}, 'Cannot be moved'),
      el('ul', {}, plan.unplaceable.map(u => el('li', {}, u.vmName + ': ' + u.reason)))) : null,
    el('div', { class: 'actions' },
      el('button', { class: 'primary', id: 'confirm-evacuation', onclick: async () => {
        dialog.close();
        const e = await attempt(() => post('/hosts/' + host.id + '/evacuate'));
        if (e) location.hash = '#/evacuations/' + e.id;
      } }, 'Evacuate'),
      el('button', { onclick: () => dialog.close() }, 'Keep the host as it is')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
