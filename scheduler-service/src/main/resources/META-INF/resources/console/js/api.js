// Ferry's public API, as any client calls it: JSON with a bearer token; problem+json answers become errors that say
// what the service said. Inventory's reads go through the scheduler's relay (/inventory/...), so one origin serves all.
import { token } from './auth.js';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || ('HTTP ' + status));
    this.status = status;
    this.problem = problem;
  }
}

export async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + await token(), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiError(r.status, data || {});
  return data;
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body);

/** Every row of an inventory listing, a page of 1,000 at a time. */
export async function all(path) {
  const rows = [];
  for (let page = 0; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const batch = await get(path + sep + 'size=1000&page=' + page);
    rows.push(...batch);
    if (batch.length < 1000) return rows;
  }
}

/**
 * A server-sent event stream read with fetch (EventSource cannot send a bearer token): calls onData with each event's
 * JSON until the stream ends or signal aborts; resolves when it ends.
 */
export async function stream(path, onData, signal) {
  const r = await fetch(path, { headers: { Authorization: 'Bearer ' + await token(), Accept: 'text/event-stream' }, signal });
  if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => ({})));
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
      buffer = buffer.slice(end + 2);
      if (data) onData(JSON.parse(data));
    }
  }
}
