// Prediction accuracy: predicted against actual total time of finished migrations, per driver, with the errors.
import { get } from '../api.js';
import { el, ms } from '../ui.js';

const COLORS = ['#1f6feb', '#cf222e', '#1a7f37', '#8250df', '#d29922'];

export async function render(root) {
  const a = await get('/migrations/prediction-accuracy');
  root.append(el('h1', {}, 'Prediction accuracy'),
    el('p', { class: 'muted' }, 'Over the newest ' + a.migrations + ' succeeded migrations with a forecast; each dot is one '
      + 'migration (the newest ' + a.recent.length + '), on the diagonal when the forecast was exact.'));
  if (!a.migrations) {
    root.append(el('p', {}, 'No migration has finished with a forecast yet.'));
    return;
  }
  const drivers = Object.keys(a.byDriver);
  root.append(el('table', { id: 'accuracy' }, el('thead', {}, el('tr', {}, ['driver', 'migrations', 'total time (mean abs. % error)',
    'downtime (mean abs. error)', 'rounds (mean abs. error)'].map(t => el('th', {}, t)))),
  el('tbody', {}, [['all drivers', a.migrations, a.totalTimeMeanAbsolutePercentError, a.downtimeMeanAbsoluteErrorMillis,
    a.roundsMeanAbsoluteError], ...drivers.map(d => [d, a.byDriver[d].migrations, a.byDriver[d].totalTimeMeanAbsolutePercentError,
    a.byDriver[d].downtimeMeanAbsoluteErrorMillis, a.byDriver[d].roundsMeanAbsoluteError])].map(([d, n, pct, dt, r]) => el('tr', {},
    el('td', {}, d), el('td', {}, n), el('td', {}, pct.toFixed(1) + ' %'), el('td', {}, ms(dt)), el('td', {}, r.toFixed(1)))))));
  const box = el('div', { class: 'card chart', id: 'accuracy-chart' }, el('h3', {}, 'Predicted against actual total time (s)'));
  root.append(box);
  // one series per driver over a shared, sorted x (actual time); uPlot draws points only (no lines)
  const xs = [...new Set(a.recent.map(s => s.actualTotalTimeMillis / 1000))].sort((p, q) => p - q);
  const series = drivers.map(d => xs.map(x => {
    const s = a.recent.find(r => r.driver === d && r.actualTotalTimeMillis / 1000 === x);
    return s ? s.predictedTotalTimeMillis / 1000 : null;
  }));
  const max = Math.max(...xs, ...a.recent.map(s => s.predictedTotalTimeMillis / 1000));
  new uPlot({ width: 520, height: 360, scales: { x: { time: false, range: [0, max] }, y: { range: [0, max] } },
    axes: [{ label: 'actual (s)' }, { label: 'predicted (s)' }],
    series: [{ label: 'actual' }, { label: 'exact', stroke: '#999', dash: [4, 4], points: { show: false } },
      ...drivers.map((d, i) => ({ label: d, stroke: COLORS[i % COLORS.length], paths: () => null,
        points: { show: true, size: 7, fill: COLORS[i % COLORS.length] } }))] },
  [xs, xs, ...series], box);
}
