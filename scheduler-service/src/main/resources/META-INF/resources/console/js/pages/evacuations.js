// Evacuations: every evacuation, newest first, with progress and ETA; a row opens its Gantt view.
import { get } from '../api.js';
import { hostNames } from '../hosts.js';
import { badge, el, every, ms, progress } from '../ui.js';

export async function render(root) {
  const host = await hostNames();
  const rows = el('tbody');
  root.append(el('h1', {}, 'Evacuations'), el('p', { class: 'muted' }, 'Start one from a host on the Fleet page.'),
    el('table', { id: 'evacuations' }, el('thead', {}, el('tr', {}, ['host', 'state', 'progress', 'moves', 'predicted makespan',
      'ETA', 'started'].map(t => el('th', {}, t)))), rows));
  return every(3000, async () => {
    const list = await get('/evacuations?size=100');
    rows.replaceChildren(...list.map(e => {
      const p = e.progress;
      const done = p.succeeded + p.failed + p.cancelled;
      return el('tr', { class: 'clickable', onclick: () => { location.hash = '#/evacuations/' + e.id; } },
        el('td', {}, host(e.hostId)), el('td', {}, badge(e.state)), el('td', {}, progress(p.total ? (100 * done) / p.total : 100)),
        el('td', {}, done + ' of ' + p.total + (p.failed ? ', ' + p.failed + ' failed' : '')),
        el('td', {}, ms(e.predictedMakespanMillis)), el('td', {}, e.etaMillis === null ? '–' : ms(e.etaMillis)),
        el('td', {}, new Date(e.createdAt).toLocaleString()));
    }));
    if (!list.length) rows.append(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No evacuation yet.')));
  });
}
