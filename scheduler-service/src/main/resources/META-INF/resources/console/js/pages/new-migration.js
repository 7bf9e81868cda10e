// New migration: pick a VM, see every host it could go to, ranked, with each host's forecast or its failed rules
// (each rule's sentence), choose one (or let the scheduler place it), set the limits, start. A host where the VM is
// predicted not to converge shows why and the changes that would help; it can still be forced.
import { all, get, post } from '../api.js';
import { attempt, bytes, el, ms } from '../ui.js';

export async function render(root, vmId) {
  const vms = (await all('/inventory/vms')).filter(v => v.state === 'RUNNING');
  const pick = el('select', { id: 'vm' }, el('option', { value: '' }, 'choose a running VM'),
    vms.map(v => el('option', { value: v.id, selected: String(v.id) === vmId }, v.name + ' (' + bytes(v.memoryBytes) + ')')));
  const downtime = el('input', { id: 'max-downtime', type: 'number', min: 1, max: 60000, value: 300 });
  const deadline = el('input', { id: 'deadline-minutes', type: 'number', min: 1, placeholder: 'none' });
  const throttle = el('input', { id: 'throttle-ceiling', type: 'number', min: 0, max: 99, placeholder: 'workers\' default' });
  const postCopy = el('input', { id: 'allow-post-copy', type: 'checkbox' });
  const policy = el('select', { id: 'policy' }, (await get('/policies')).map(p => el('option', { value: p.isDefault ? '' : p.name },
    p.name + (p.isDefault ? ' (default)' : ''))));
  const hosts = el('div', { id: 'candidates' });
  root.append(el('h1', {}, 'New migration'),
    el('div', { class: 'filters' }, el('label', {}, 'VM ', pick),
      el('label', {}, 'downtime target (ms) ', downtime), el('label', {}, 'deadline (minutes) ', deadline),
      el('label', {}, 'throttle ceiling (%) ', throttle), el('label', {}, 'policy ', policy),
      el('label', {}, postCopy, ' allow post-copy')),
    hosts);
  const request = targetHostId => {
    const r = { vmId: Number(pick.value), targetHostId, maxDowntimeMillis: Number(downtime.value) || undefined,
      allowPostCopy: postCopy.checked, policy: policy.value || undefined,
      throttleCeilingPercent: throttle.value === '' ? undefined : Number(throttle.value) };
    if (deadline.value) r.deadline = new Date(Date.now() + Number(deadline.value) * 60_000).toISOString();
    return r;
  };
  const show = () => (pick.value ? candidates(hosts, request) : hosts.replaceChildren());
  pick.addEventListener('change', () => { history.replaceState(null, '', '#/new/' + pick.value); show(); });
  [downtime, deadline, throttle, postCopy].forEach(input => input.addEventListener('change', show));
  policy.addEventListener('change', show);
  await show();
}

async function candidates(root, request) {
  root.replaceChildren(el('p', { class: 'muted' }, 'Checking every host…'));
  const vmId = request(null).vmId;
  const [list, auto] = await Promise.all([get('/inventory/vms/' + vmId + '/candidates'),
    post('/migrations?dryRun=true', request(null)).catch(refused)]);
  const rows = [];
  for (const c of list) { // inventory ranks them: compatible first, most room left first
    const v = c.verdict;
    const forecast = v.compatible ? await post('/migrations?dryRun=true', request(v.hostId)).catch(refused) : null;
    rows.push(el('tr', { dataset: { host: v.hostName, compatible: String(v.compatible) } },
      el('td', {}, v.hostName),
      el('td', {}, v.compatible ? 'compatible, ' + bytes(c.freeMemoryAfterBytes) + ' and ' + c.freeVcpusAfter + ' vCPUs free after'
        : 'refused'),
      el('td', {}, forecast && !forecast.refused ? prediction(forecast) : forecast ? refusal(forecast) : ''),
      el('td', {}, el('ul', { class: 'rules' }, v.failed.map(r => el('li', { class: 'fail' }, r.code + ': ' + r.message)))),
      el('td', {}, v.compatible && forecast && !forecast.refused
        ? el('button', { class: 'start', onclick: () => start(request(v.hostId)) }, 'Move here')
        : forecast && forecast.suggestions ? el('button', { class: 'force', onclick: () => start(request(v.hostId), true) }, 'Move anyway')
          : '')));
  }
  root.replaceChildren(
    el('div', { class: 'card' }, auto.refused
      ? el('div', {}, el('p', {}, 'The scheduler would refuse this migration:'), refusal(auto))
      : el('p', {}, 'The scheduler would choose ', el('strong', {}, hostName(list, auto.targetHostId)), ': ', auto.targetReason,
        '. ', prediction(auto), ' ', el('button', { class: 'primary', id: 'start-auto', onclick: () => start(request(null)) },
          'Start, let the scheduler place it'))),
    el('table', {}, el('thead', {}, el('tr', {}, ['host', 'verdict', 'forecast', 'failed rules', ''].map(t => el('th', {}, t)))),
      el('tbody', {}, rows)));
}

const hostName = (list, id) => (list.find(c => c.verdict.hostId === id) || { verdict: { hostName: 'host ' + id } }).verdict.hostName;

function prediction(plan) {
  const p = plan.prediction || {};
  return (p.rounds ?? '–') + ' rounds, ' + ms(p.totalTimeMillis) + ', downtime ' + ms(p.downtimeMillis);
}

// A refusal keeps the problem's words and, when the VM is predicted not to converge, what would make it.
const refused = e => ({ refused: e.message, suggestions: e.problem && e.problem.suggestions });

function refusal(answer) {
  return el('div', { class: 'refusal' }, el('p', {}, answer.refused),
    answer.suggestions && answer.suggestions.length ? el('ul', { class: 'suggestions' },
      answer.suggestions.map(s => el('li', {}, s.change + ' — forecast ' + s.forecast.rounds + ' rounds, '
        + ms(s.forecast.totalTimeMillis) + ', downtime ' + ms(s.forecast.downtimeMillis)))) : '');
}

async function start(request, force) {
  const m = await attempt(() => post('/migrations' + (force ? '?force=true' : ''), request));
  if (m) location.hash = '#/migrations/' + m.id;
}
