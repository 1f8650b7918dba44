// Mesh's HTTP API as the page uses it: JSON reads under /v1/mesh, the followed event log, and the one write the page
// makes (maintenance, through the Consul agent API).
//
// /v1/mesh/* needs the API token when Mesh:Api:Token is set. Open the page as /ui/?token=<token>: every call sends
// it as X-Mesh-Token (a header rather than ?token= on each call, so it stays out of access logs and metrics labels).
const token = new URLSearchParams(location.search).get('token');
const headers = token ? { 'X-Mesh-Token': token } : {};

/** An answer other than 2xx, with the API's own message (it says what is wrong). */
export class ApiError extends Error {
  constructor(status, message) {
    super(`${status}: ${message}`);
    this.status = status;
  }
}

/** GET a JSON document; throws ApiError on a non-2xx answer. */
export async function getJson(path, signal) {
  const response = await fetch(path, { headers, signal, cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, (await response.text()).trim() || response.statusText);
  return response.json();
}

/** PUT with no body (the Consul agent API's writes); throws ApiError on a non-2xx answer. */
export async function put(path) {
  const response = await fetch(path, { method: 'PUT', headers, cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, (await response.text()).trim() || response.statusText);
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Follows the log after position `since`: GET /v1/mesh/events?follow=true answers NDJSON, one event per line, for
 * as long as the connection lasts. Calls onOpen once the stream is open, then onEvent for each event. Returns when
 * the server ends the stream; throws when it cannot be opened or breaks.
 */
export async function followEvents(since, { onOpen, onEvent, signal }) {
  const response = await fetch(`/v1/mesh/events${query({ since, follow: 'true' })}`, { headers, signal, cache: 'no-store' });
  if (!response.ok) throw new ApiError(response.status, (await response.text()).trim() || response.statusText);
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    // A chunk can end mid-line: keep the tail for the next one.
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      if (line.trim()) onEvent(JSON.parse(line));
    }
  }
}
