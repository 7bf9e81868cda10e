// One evacuation as a Gantt chart: per source → destination link, each move's planned bar (the plan's order,
// concurrency and forecasts) above its actual bar (from leaving the queue to its final phase), with the live ETA.
import { get, post } from '../api.js';
import { hasRole } from '../auth.js';
import { hostNames } from '../hosts.js';
import { attempt, badge, el, every, fill, FINAL, ms } from '../ui.js';

export async function render(root, id) {
  const host = await hostNames();
  const header = el('div');
  const chart = el('div', { class: 'gantt', id: 'gantt' });
  root.append(header, chart, el('p', { class: 'legend' }, el('i', { style: 'background:#9cd1ff' }), 'planned',
    el('i', { style: 'background:var(--accent)' }), 'actual', el('i', { style: 'background:var(--warn)' }), 'now'));
  const finished = new Map(); // migrations that reached a final phase do not change: read once
  return every(2000, async () => {
    const e = await get('/evacuations/' + id);
    const migrations = await Promise.all(e.moves.map(async m => finished.get(m.migrationId)
      || get('/migrations/' + m.migrationId).then(v => { if (FINAL.includes(v.phase)) finished.set(m.migrationId, v); return v; })));
    draw(header, chart, e, migrations, host);
  });
}

function draw(header, chart, e, migrations, host) {
  const start = Date.parse(e.createdAt);
  const now = Date.now() - start;
  const actual = migrations.map(m => {
    const left = m.history.find(t => t.to === 'SCHEDULED');
    const end = m.history.find(t => FINAL.includes(t.to));
    return left ? { from: Date.parse(left.at) - start, to: end ? Date.parse(end.at) - start : now, phase: m.phase } : null;
  });
  const span = Math.max(e.predictedMakespanMillis, ...actual.filter(Boolean).map(a => a.to), e.state === 'RUNNING' ? now : 0, 1);
  const pct = t => (100 * t) / span + '%';
  fill(header, el('h1', {}, 'Evacuation of ' + host(e.hostId) + ' ', badge(e.state)),
    el('p', {}, e.progress.succeeded + ' of ' + e.progress.total + ' moved, ' + e.progress.inFlight + ' in flight, '
      + e.progress.queued + ' queued' + (e.progress.failed ? ', ' + e.progress.failed + ' failed' : '') + ' · predicted makespan '
      + ms(e.predictedMakespanMillis) + ' · ', el('strong', { id: 'eta' }, e.state !== 'RUNNING' ? 'done' : 'ETA ' + ms(e.etaMillis)),
    ' · ', ms(now), ' so far · ', e.concurrency + ' at once'),
    // once done: how far the ETA that followed the migrations was off, beside the plan's own
    e.etaError ? el('p', { id: 'eta-error' }, 'ETA off by ' + ['at25', 'at50', 'at75'].map(k => (e.etaError[k] === null ? '–'
      : Math.round(100 * e.etaError[k]) + ' %') + ' at ' + k.slice(2) + ' %').join(', ') + ' of the way (the plan alone: '
      + Math.round(100 * e.etaError.planAlone) + ' %)') : null,
    hasRole('operator') && e.state === 'RUNNING' ? el('div', { class: 'actions' }, el('button', { class: 'danger',
      onclick: () => confirm('Cancel the moves not yet done?') && attempt(() => post('/evacuations/' + e.id + '/cancel')) },
    'Cancel the evacuation')) : null,
    e.unplaceable && e.unplaceable.length ? el('p', {}, 'Cannot be moved: ' + e.unplaceable.map(u => u.vmName + ' (' + u.reason + ')')
      .join('; ')) : null);
  const rows = e.moves.map((m, i) => ({ m, a: actual[i] }))
    .sort((x, y) => x.m.targetHostId - y.m.targetHostId || x.m.order - y.m.order);
  chart.replaceChildren(...rows.map(({ m, a }) => el('div', { class: 'row', dataset: { vm: m.vmName } },
    el('span', { title: m.failureReason || '' }, host(e.hostId) + ' → ' + host(m.targetHostId) + ': ' + m.vmName),
    el('div', { class: 'lane' },
      el('span', { class: 'plan', title: 'planned ' + ms(m.plannedStartMillis) + ' + ' + ms(m.predictedTotalTimeMillis),
        style: 'left:' + pct(m.plannedStartMillis) + ';width:' + pct(m.predictedTotalTimeMillis || 0) }),
      a ? el('span', { class: 'actual ' + a.phase, title: m.phase + ' ' + ms(a.from) + ' to ' + ms(a.to),
        style: 'left:' + pct(a.from) + ';width:' + pct(Math.max(0, a.to - a.from)) }) : null,
      e.state === 'RUNNING' ? el('span', { class: 'now', style: 'left:' + pct(now) }) : null))));
}
