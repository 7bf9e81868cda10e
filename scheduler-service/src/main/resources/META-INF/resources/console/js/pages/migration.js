// One migration, live over its server-sent event stream: a chart per round of remaining memory, dirty rate and
// bandwidth, expected downtime against the target, and throttle (hover a point for the policy's decision); the
// prediction next to the actual; cancel and force-complete; the audit trail.
import { get, post, stream } from '../api.js';
import { hasRole } from '../auth.js';
import { roundCharts } from '../charts.js';
import { hostNames } from '../hosts.js';
import { attempt, badge, bytes, el, fill, FINAL, ms, notice, progress } from '../ui.js';

export async function render(root, id) {
  const host = await hostNames();
  const header = el('div');
  const facts = el('div', { class: 'card' });
  const actions = el('div', { class: 'actions' });
  const charts = el('div', { class: 'charts', id: 'charts', dataset: { points: '0' } });
  const audit = el('tbody');
  root.append(header, actions, facts, el('h2', {}, 'Rounds'), charts, el('h2', {}, 'Audit trail'),
    el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, ['#', 'when', 'direction', 'type', 'attempt', 'by', 'note']
      .map(t => el('th', {}, t)))), audit));
  const drawn = roundCharts(charts);
  const rounds = new Map(); // by position: the stream's views carry the newest rounds, the first read pages through all
  const aborter = new AbortController();

  const show = async m => {
    for (const r of m.rounds) rounds.set(r.position, r);
    header.replaceChildren(el('h1', {}, m.vmName + ' ', badge(m.phase)),
      el('p', { class: 'muted' }, host(m.sourceHostId) + ' → ' + host(m.targetHostId) + ' · ' + m.mode + ' · attempt ' + m.attempt
        + ' · driver ' + (m.driver || '–') + ' · policy ' + (m.policy || "the workers' default") + ' · requested by ' + (m.requestedBy ? m.requestedBy.name : '–')));
    facts.replaceChildren(el('dl', { class: 'kv' }, ...kv(m)));
    fill(actions, buttons(m));
    drawn.update([...rounds.values()].sort((a, b) => a.position - b.position), m);
    await refreshAudit(id, audit);
  };

  const first = await get('/migrations/' + id);
  for (let after = 0; ;) { // every round so far, a page at a time
    const page = await get('/migrations/' + id + '/rounds?limit=1000&after=' + after);
    page.forEach(r => rounds.set(r.position, r));
    if (page.length < 1000) break;
    after = page[page.length - 1].position;
  }
  await show(first);
  if (!FINAL.includes(first.phase)) follow(id, show, aborter.signal);
  return () => { aborter.abort(); drawn.remove(); };
}

/** Follows the stream to the end; when it breaks off (a scheduler restarting), reads on after a pause. */
async function follow(id, show, signal) {
  let last = null;
  while (!signal.aborted) {
    try {
      await stream('/migrations/' + id + '/stream', m => { last = m; show(m); }, signal);
      if (last && FINAL.includes(last.phase)) return;
      last = await get('/migrations/' + id);
      await show(last);
      if (FINAL.includes(last.phase)) return;
    } catch (e) {
      if (signal.aborted) return;
      notice('live updates interrupted (' + e.message + '); retrying');
      await new Promise(r => setTimeout(r, 2000));
    }
  }
}

function kv(m) {
  const p = m.prediction || {};
  const rows = [
    ['progress', el('span', {}, progress(m.progressPercent), ' ' + Math.round(m.progressPercent) + ' %')],
    ['round', m.currentRound + ' (' + m.roundCount + ' recorded)'],
    ['memory', bytes(m.memoryBytes) + ', ' + bytes(m.remainingBytes) + ' left, ' + bytes(m.bytesSent) + ' sent'],
    ['ETA', m.etaMillis === null ? '–' : ms(m.etaMillis)],
    ['downtime target', ms(m.maxDowntimeMillis)],
    ['expected downtime', ms(m.expectedDowntimeMillis) + (m.throttlePercent ? ', throttle ' + m.throttlePercent + ' %' : '')],
    ['predicted', (p.rounds ?? '–') + ' rounds, ' + ms(p.totalTimeMillis) + ' total, ' + ms(p.downtimeMillis) + ' downtime'],
    ['actual', (FINAL.includes(m.phase) ? m.currentRound + ' rounds, ' : '') + ms(m.totalTimeMillis) + ' total, '
      + ms(m.downtimeMillis) + ' downtime'],
    ['prediction basis', p.basis || '–'],
    ['target chosen', m.targetReason || '–'],
  ];
  if (m.failureReason) rows.push(['why it ended', m.failureReason]);
  return rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { dataset: { fact: k } }, v)]);
}

function buttons(m) {
  if (!hasRole('operator') || FINAL.includes(m.phase)) return [];
  const act = (path, label) => attempt(async () => {
    await post('/migrations/' + m.id + '/' + path);
    notice(label + ' requested; the worker confirms it', true);
  });
  return [
    el('button', { class: 'danger', id: 'cancel', disabled: !!m.cancelRequestedAt,
      onclick: () => confirm('Cancel this migration? The VM stays on its source.') && act('cancel', 'cancel') }, 'Cancel'),
    m.phase === 'RUNNING' ? el('button', { id: 'force-complete', disabled: !!m.forceCompleteRequestedAt,
      onclick: () => confirm('Pause the VM now and copy what is left?') && act('force-complete', 'force-complete') },
    'Force complete') : null,
  ];
}

async function refreshAudit(id, audit) {
  const entries = await get('/migrations/' + id + '/events?limit=5000');
  audit.replaceChildren(...entries.map(a => el('tr', {}, el('td', {}, a.position),
    el('td', {}, new Date(a.recordedAt).toLocaleTimeString()), el('td', {}, a.direction), el('td', {}, a.type),
    el('td', {}, a.attempt), el('td', {}, a.principal ? a.principal.name : ''), el('td', {}, a.note || ''))));
}
