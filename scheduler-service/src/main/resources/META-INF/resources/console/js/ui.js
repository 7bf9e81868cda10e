// Small DOM and formatting helpers shared by the pages.

/** el('td', {class: 'x', onclick: f}, 'text', child, ...): an element; null and false children are skipped. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** Replaces parent's children, skipping null and false (which replaceChildren itself would print as text). */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.flat().filter(c => c !== null && c !== undefined && c !== false));
}

export function bytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
}

export function ms(n) {
  if (n === null || n === undefined) return '–';
  if (n < 1000) return Math.round(n) + ' ms';
  if (n < 120_000) return (n / 1000).toFixed(1) + ' s';
  return Math.floor(n / 60_000) + ' min ' + Math.round((n % 60_000) / 1000) + ' s';
}

export const badge = text => el('span', { class: 'badge ' + text }, text);

export function progress(percent) {
  return el('div', { class: 'progress', title: Math.round(percent) + ' %' },
    el('span', { style: 'width:' + Math.max(0, Math.min(100, percent)) + '%' }));
}

/** A message at the top of the page: an error (what the service said) or, with info, a confirmation. */
export function notice(message, info) {
  const n = document.getElementById('notice');
  n.textContent = message;
  n.className = info ? 'info' : '';
  n.hidden = !message;
}

/** Runs an action, showing its error (the API's problem detail) instead of losing it. */
export async function attempt(action) {
  try {
    notice('');
    return await action();
  } catch (e) {
    notice(e.message || String(e));
    return undefined;
  }
}

/** Calls tick now and every ms milliseconds until the returned function is called (when the page is left). */
export function every(ms, tick) {
  let stopped = false;
  let timer;
  const run = async () => {
    try { await tick(); } catch (e) { notice(e.message || String(e)); }
    if (!stopped) timer = setTimeout(run, ms);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

export const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
