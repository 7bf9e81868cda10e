// Per-round charts (uPlot, from its WebJar): x is the round's place in the migration; hovering a point shows the
// policy's decision and reason for that round.
import { el } from './ui.js';

const MIB = 1024 * 1024;
const PAGE = 4096;

/** The charts a migration's rounds are drawn in: what each plots, from a round and the migration. */
const CHARTS = [
  { id: 'remaining', title: 'Remaining memory (MiB)', series: [
    { label: 'remaining', stroke: '#1f6feb', value: r => r.remainingBytes / MIB }] },
  { id: 'rates', title: 'Dirty rate and bandwidth (MiB/s)', series: [
    { label: 'dirty rate', stroke: '#cf222e', value: r => (r.dirtyRatePagesPerSecond * PAGE) / MIB },
    { label: 'bandwidth', stroke: '#1a7f37', value: r => r.bandwidthBytesPerSecond / MIB }] },
  { id: 'downtime', title: 'Expected downtime against the target (ms)', series: [
    { label: 'expected downtime', stroke: '#8250df', value: r => r.expectedDowntimeMillis },
    { label: 'target', stroke: '#9a6700', dash: [6, 4], value: (r, m) => m.maxDowntimeMillis }] },
  { id: 'throttle', title: 'vCPU throttle (%)', series: [
    { label: 'throttle', stroke: '#d29922', value: r => r.throttlePercent }] },
];

/** Draws the charts into root; answers update(rounds, migration), which redraws them with every round so far. */
export function roundCharts(root) {
  const tooltip = el('div', { class: 'tooltip', hidden: true });
  document.body.append(tooltip);
  let rounds = [];
  const plots = CHARTS.map(c => {
    const box = el('div', { class: 'card chart', id: 'chart-' + c.id }, el('h3', {}, c.title));
    root.append(box);
    const plot = new uPlot({
      width: 420, height: 200,
      scales: { x: { time: false } },
      // whole rounds on x; room for five-digit values on y
      axes: [{ label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { size: 64 }],
      series: [{ label: 'round' }, ...c.series.map(s => ({ label: s.label, stroke: s.stroke, dash: s.dash, width: 2,
        points: { show: true, size: 5 } }))],
      hooks: { setCursor: [u => hover(u, tooltip, rounds)] },
    }, [[], ...c.series.map(() => [])], box);
    box.addEventListener('mouseleave', () => { tooltip.hidden = true; });
    return { chart: c, plot };
  });
  return {
    update(all, migration) {
      rounds = all;
      root.dataset.points = String(all.length);
      const x = all.map((r, i) => i + 1);
      for (const { chart, plot } of plots) {
        plot.setData([x, ...chart.series.map(s => all.map(r => s.value(r, migration)))]);
      }
    },
    remove() { tooltip.remove(); },
  };
}

function hover(u, tooltip, rounds) {
  const i = u.cursor.idx;
  if (i === null || i === undefined || !rounds[i]) { tooltip.hidden = true; return; }
  const r = rounds[i];
  const box = u.over.getBoundingClientRect();
  tooltip.hidden = false; // shown before placing it: its width decides where it goes
  tooltip.replaceChildren(el('strong', {}, 'round ' + r.round + (r.attempt > 1 ? ' (attempt ' + r.attempt + ')' : '') + ': '
    + (r.decision || '–')), el('br'), r.reason || '');
  const x = box.left + u.cursor.left;
  // on the right half of the window the tooltip opens leftwards, so that it stays on the screen
  tooltip.style.left = (x > window.innerWidth / 2 ? x - tooltip.offsetWidth - 12 : x + 12) + 'px';
  tooltip.style.top = (box.top + u.cursor.top + 12) + 'px';
}
