// Prediction accuracy: predicted against actual total time of finished migrations, per driver and per outcome, with
// the errors, and how often the prediction of convergence (which admission control acts on) came true.
import { get } from '../api.js';
import { el, ms } from '../ui.js';

const COLORS = ['#1f6feb', '#cf222e', '#1a7f37', '#8250df', '#d29922'];

export async function render(root) {
  const a = await get('/migrations/prediction-accuracy');
  root.append(el('h1', {}, 'Prediction accuracy'),
    el('p', { class: 'muted' }, 'Over the newest ' + a.migrations + ' succeeded migrations with a forecast; each dot is one '
      + 'succeeded migration of the newest ' + a.recent.length + ' finished, on the diagonal when the forecast was exact.'));
  const c = a.convergence;
  if (c && c.migrations) {
    root.append(el('p', { id: 'convergence' }, 'Convergence predicted right for ' + c.rightPercent.toFixed(1) + ' % of '
      + c.migrations + ' migrations: ' + c.succeededAsPredicted + ' succeeded as predicted, ' + c.succeededAgainstPrediction
      + ' succeeded though predicted not to, ' + c.gaveUpAsPredicted + ' gave up as predicted, ' + c.gaveUpAgainstPrediction
      + ' gave up though predicted to converge.'));
  }
  const outcomes = Object.keys(a.byOutcome || {});
  if (outcomes.length) {
    root.append(el('table', { id: 'accuracy-by-outcome' }, el('thead', {}, el('tr', {}, ['outcome', 'migrations',
      'total time (mean abs. % error)', 'downtime (mean abs. error)', 'rounds (mean abs. error)'].map(t => el('th', {}, t)))),
    el('tbody', {}, outcomes.map(o => { const e = a.byOutcome[o]; return el('tr', {}, el('td', {}, o), el('td', {}, e.migrations),
      el('td', {}, e.totalTimeMeanAbsolutePercentError.toFixed(1) + ' %'), el('td', {}, ms(e.downtimeMeanAbsoluteErrorMillis)),
      el('td', {}, e.roundsMeanAbsoluteError.toFixed(1))); }))));
  }
  if (!a.migrations) {
    root.append(el('p', {}, 'No migration has succeeded with a forecast yet.'));
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
  const succeeded = a.recent.filter(s => s.outcome === 'SUCCEEDED');
  const xs = [...new Set(succeeded.map(s => s.actualTotalTimeMillis / 1000))].sort((p, q) => p - q);
  const series = drivers.map(d => xs.map(x => {
    const s = succeeded.find(r => r.driver === d && r.actualTotalTimeMillis / 1000 === x);
    return s ? s.predictedTotalTimeMillis / 1000 : null;
  }));
  const max = Math.max(...xs, ...succeeded.map(s => s.predictedTotalTimeMillis / 1000));
  new uPlot({ width: 520, height: 360, scales: { x: { time: false, range: [0, max] }, y: { range: [0, max] } },
    axes: [{ label: 'actual (s)' }, { label: 'predicted (s)' }],
    series: [{ label: 'actual' }, { label: 'exact', stroke: '#999', dash: [4, 4], points: { show: false } },
      ...drivers.map((d, i) => ({ label: d, stroke: COLORS[i % COLORS.length], paths: () => null,
        points: { show: true, size: 7, fill: COLORS[i % COLORS.length] } }))] },
  [xs, xs, ...series], box);
}
