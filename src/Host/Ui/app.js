// The Mesh web UI: the live registry, the registry at an earlier position with the diff to now, and the event log.
// Plain DOM code, no framework; everything it shows comes from the forensics API (/v1/mesh/state, diff, events,
// timeline), which src/Host/Api/Mesh/HistoryEndpoints.cs documents.
import { getJson, followEvents, put, query } from './api.js';

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

/** An element with attributes (data-* included) and children (strings become text: nothing is parsed as HTML). */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replaces an element's children; through a fragment, as a spread of 100 000 rows would overflow the call stack. */
function fill(parent, nodes) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes) fragment.append(node);
  parent.replaceChildren(fragment);
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Recorded times, in UTC to the millisecond: 2026-11-30 14:03:12.345Z.
const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ') : '');
const endpoint = (i) => `${i.Address}:${i.Port}`;

// What the page shows: the live registry, or the registry at position `at` (with the diff from there to now).
const view = { live: true, at: 0, head: 0 };

function showError(error) {
  const box = $('error');
  box.hidden = !error;
  box.textContent = error ? String(error.message ?? error) : '';
}

function setConnection(text, kind) {
  const pill = $('connection');
  pill.textContent = text;
  pill.className = `pill ${kind}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The registry tables: services -> instances, environments, routes (the same layout live and historical).
// ---------------------------------------------------------------------------------------------------------------
function renderRegistry(state) {
  const table = $('instances');
  for (const body of table.querySelectorAll('tbody')) body.remove();
  const byService = new Map();
  for (const instance of state.Instances) {
    if (!byService.has(instance.Service)) byService.set(instance.Service, []);
    byService.get(instance.Service).push(instance);
  }
  for (const service of [...byService.keys()].sort()) {
    const instances = byService.get(service).sort((a, b) => a.InstanceId.localeCompare(b.InstanceId));
    const passing = instances.filter((i) => i.Status === 'passing').length;
    table.append(el('tbody', { 'data-testid': 'service', 'data-service': service },
      el('tr', { className: 'service-row' },
        el('th', { colspan: 8 }, service, el('span', { className: 'count' }, ` ${passing}/${instances.length} passing`))),
      instances.map((i) => el('tr', { 'data-testid': 'instance', 'data-instance-id': i.InstanceId, 'data-status': i.Status },
        el('td', {}, i.InstanceId),
        el('td', {}, endpoint(i)),
        el('td', {}, i.Env),
        el('td', {}, el('span', { className: `status ${i.Status}`, title: checksText(i) }, i.Status)),
        el('td', {}, i.Tags.map((t) => el('span', { className: 'tag' }, t))),
        el('td', {}, i.Version ?? ''),
        el('td', {}, i.Node),
        el('td', {}, maintenanceCell(i))))));
  }
  $('no-instances').hidden = byService.size > 0;

  fill($('environments').tBodies[0], state.Environments
    .sort((a, b) => a.Name.localeCompare(b.Name))
    .map((e) => el('tr', { 'data-testid': 'environment', 'data-env': e.Name },
      el('td', {}, e.Name), el('td', {}, e.Fallback ?? ''), el('td', {}, e.Defined ? 'yes' : 'no'), el('td', {}, e.InstanceCount))));

  fill($('routes').tBodies[0], state.Routes.map((r) =>
    el('tr', { 'data-testid': 'route', 'data-host': r.Host },
      el('td', {}, `${r.Host}${r.PathPrefix}`), el('td', {}, r.Cluster), el('td', {}, r.Destinations.join(', ')))));
}

// In maintenance an instance is critical: out of DNS answers, gateway routes and nginx upstreams (a drain). The live
// view offers the switch; a past registry only says what was so.
function maintenanceCell(instance) {
  const reason = instance.Maintenance;
  const text = reason === null || reason === undefined ? null : el('span', { 'data-testid': 'maintenance-reason', className: 'maintenance' }, reason || 'on');
  if (!view.live) return text;
  const enable = text === null;
  return [text, el('button', {
    type: 'button',
    className: 'maintenance-toggle',
    'data-testid': 'maintenance-toggle',
    'data-enable': String(enable),
    'data-instance-id': instance.InstanceId,
  }, enable ? 'Drain' : 'Undrain')];
}

// The Consul service id of an instance: what the agent API was given for API registrations, the instance id otherwise.
const consulServiceId = (instanceId) => (instanceId.startsWith('api:') ? instanceId.slice(4) : instanceId);

async function toggleMaintenance(click) {
  const button = click.target.closest('[data-testid=maintenance-toggle]');
  if (!button) return;
  button.disabled = true;
  const enable = button.dataset.enable === 'true';
  const id = encodeURIComponent(consulServiceId(button.dataset.instanceId));
  try {
    await put(`/v1/agent/service/maintenance/${id}${query({ enable, reason: enable ? 'drained from the Mesh UI' : '' })}`);
    showError(null);
    // The followed log brings the change; reloading now only saves the wait.
    await refreshLive();
  } catch (error) {
    showError(error);
    button.disabled = false;
  }
}

function checksText(instance) {
  return instance.Checks.map((c) => `${c.CheckId}: ${c.Status}${c.Output ? ` (${c.Output})` : ''}`).join('\n');
}

// The header shows the position of the registry on screen and the store head; the slider spans 0..head.
function renderHeader(at) {
  view.head = at.Head;
  $('position').textContent = view.live ? at.Position : view.at;
  $('head').textContent = at.Head;
  const slider = $('slider');
  slider.max = at.Head;
  if (view.live) {
    slider.value = at.Head;
    $('slider-value').textContent = at.Head;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Live: load the state, then follow the log; every event (debounced) reloads it. The stream reconnects with backoff.
// ---------------------------------------------------------------------------------------------------------------
let lastSeen = 0;
let refreshTimer = null;
let liveSequence = 0;

async function refreshLive() {
  // Reloads can overlap (an event, the Live button): an older answer arriving late is dropped.
  const sequence = ++liveSequence;
  const state = await getJson('/v1/mesh/state');
  if (sequence !== liveSequence) return;
  showError(null);
  lastSeen = Math.max(lastSeen, state.At.Position);
  renderHeader(state.At);
  if (view.live) renderRegistry(state);
  else showDiff(view.at).catch(showError); // "now" moved on: the diff to it did too
  if (!$('filter-since').value.trim()) loadEvents().catch(showError); // the "latest events" view follows the log
}

function scheduleRefresh() {
  // A burst of events (a deploy, a reconcile) becomes one reload, ~200 ms after it started.
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshLive().catch(showError);
  }, 200);
}

async function follow() {
  let backoff = 500;
  for (;;) {
    try {
      await refreshLive();
      await followEvents(lastSeen, {
        onOpen: () => {
          backoff = 500;
          setConnection('connected', 'ok');
        },
        onEvent: (event) => {
          lastSeen = Math.max(lastSeen, event.Position);
          scheduleRefresh();
        },
      });
    } catch (error) {
      showError(error);
    }
    // The stream ended (Mesh restarted, a proxy timed out) or could not open: try again, a little later each time.
    setConnection('reconnecting…', 'warn');
    await delay(backoff);
    backoff = Math.min(backoff * 2, 15000);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Time travel: the registry at a position (slider) or at a time or position typed in; the diff from there to now.
// ---------------------------------------------------------------------------------------------------------------
let historySequence = 0;

async function showAt(at) {
  // Slider moves overlap: only the answer to the latest request is shown.
  const sequence = ++historySequence;
  const state = await getJson(`/v1/mesh/state${query({ at })}`);
  if (sequence !== historySequence) return;
  view.live = false;
  view.at = state.At.Position;
  renderHeader(state.At);
  $('slider').value = state.At.Position;
  $('slider-value').textContent = state.At.Position;
  renderRegistry(state);
  const asOf = $('as-of');
  asOf.hidden = false;
  asOf.textContent = state.At.Position === 0
    ? 'As of position 0: before the first event, the registry was empty.'
    : `As of position ${state.At.Position} (recorded at ${time(state.At.RecordedAt)}), not live.`;
  $('mode').textContent = `history @ ${state.At.Position}`;
  $('mode').className = 'mode history';
  $('live-button').disabled = false;
  await showDiff(state.At.Position, sequence);
  showError(null);
}

async function showDiff(from, sequence = historySequence) {
  const answer = await getJson(`/v1/mesh/diff${query({ from })}`);
  if (sequence !== historySequence || view.live) return;
  const d = answer.Diff;
  const instance = (i) => `${i.InstanceId} (${i.Service}, ${endpoint(i)}, ${i.Env}, ${i.Status})`;
  const route = (r) => `${r.Host}${r.PathPrefix} → ${r.Cluster} [${r.Destinations.join(', ')}]`;
  const groups = [
    ['diff-added', 'Added', d.Added, instance],
    ['diff-removed', 'Removed', d.Removed, instance],
    ['diff-health', 'Health changed', d.HealthChanged, (h) => `${h.InstanceId} (${h.Service}): ${h.From} → ${h.To}`],
    ['diff-changed', 'Changed', d.Changed, (c) => `${c.InstanceId} (${c.Service}): ${c.Fields.join(', ')}`],
    ['diff-routes-added', 'Routes added', d.RoutesAdded, route],
    ['diff-routes-removed', 'Routes removed', d.RoutesRemoved, route],
    ['diff-routes-changed', 'Routes changed', d.RoutesChanged,
      (r) => `${r.Host}${r.PathPrefix}: ${r.FromCluster} [${r.FromDestinations.join(', ')}] → ${r.ToCluster} [${r.ToDestinations.join(', ')}]`],
  ].filter(([, , items]) => items.length > 0);
  $('diff-body').replaceChildren(
    el('p', {}, `From position ${answer.From.Position} to ${answer.To.Position} (now):`),
    ...(groups.length === 0 ? [el('p', { className: 'empty' }, 'Nothing changed.')] : []),
    ...groups.map(([testid, title, items, text]) => el('div', { 'data-testid': testid, className: testid },
      el('h3', {}, `${title} (${items.length})`),
      el('ul', {}, items.map((item) => el('li', { 'data-instance-id': item.InstanceId }, text(item)))))));
  $('diff').hidden = false;
}

function goLive() {
  historySequence++; // drop any history answer still on its way
  view.live = true;
  $('as-of').hidden = true;
  $('diff').hidden = true;
  $('mode').textContent = 'live';
  $('mode').className = 'mode live';
  $('live-button').disabled = true;
  refreshLive().catch(showError);
}

// ---------------------------------------------------------------------------------------------------------------
// The event log with filters, newest last; and the history (timeline) of one service or instance.
// ---------------------------------------------------------------------------------------------------------------
const maxLimit = 100000;
let eventsSequence = 0;

async function loadEvents() {
  const sequence = ++eventsSequence;
  const service = $('filter-service').value.trim();
  const type = $('filter-type').value;
  const since = $('filter-since').value.trim();
  const limit = Math.min(Math.max(parseInt($('filter-limit').value, 10) || 100, 1), maxLimit);
  const read = (from, max) => getJson(`/v1/mesh/events${query({ since: from, type, service, limit: max })}`);
  let events;
  if (since) {
    events = await read(since, limit);
  } else {
    // The latest `limit` matching events. The API reads forward from a position, so look back from the head in
    // growing windows until enough events match (or the window reaches the start of the log).
    for (let window = limit; ; window *= 4) {
      const from = Math.max(0, view.head - window);
      events = await read(from, maxLimit);
      if (events.length >= limit || from === 0) break;
    }
    events = events.slice(-limit);
  }
  if (sequence !== eventsSequence) return;
  renderEvents(events);
}

// Each event is two rows: its summary, and (below it, full width, hidden until "JSON" is pressed) the event itself.
function renderEvents(events) {
  const body = $('events').tBodies[0];
  // Keep the events the reader opened open across reloads.
  const open = new Set([...body.querySelectorAll('[data-testid="event-json"]:not([hidden])')].map((row) => row.dataset.position));
  fill(body, events.flatMap((e) => {
    const expanded = open.has(String(e.Position));
    return [
      el('tr', { 'data-testid': 'event-row', 'data-position': e.Position, 'data-type': e.Type, 'data-service': e.Service ?? '' },
        el('td', {}, e.Position),
        el('td', {}, time(e.RecordedAt)),
        el('td', {}, e.Type),
        el('td', {}, e.InstanceId ?? ''),
        el('td', {}, e.Service ?? ''),
        el('td', {}, el('button', { type: 'button', className: 'toggle', 'aria-expanded': String(expanded) }, 'JSON'))),
      el('tr', { 'data-testid': 'event-json', 'data-position': e.Position, className: 'json', hidden: !expanded },
        el('td', { colspan: 6 }, el('pre', {}, JSON.stringify(e, null, 2)))),
    ];
  }));
  $('no-events').hidden = events.length > 0;
}

function toggleEvent(click) {
  const button = click.target.closest('button.toggle');
  if (!button) return;
  const json = button.closest('tr').nextElementSibling;
  json.hidden = !json.hidden;
  button.setAttribute('aria-expanded', String(!json.hidden));
}

async function loadHistory(name) {
  const list = $('history');
  if (!name) {
    list.replaceChildren();
    return;
  }
  try {
    const timeline = await getJson(`/v1/mesh/timeline/${encodeURIComponent(name)}`);
    fill(list, timeline.Entries.map((e) => el('li', { 'data-testid': 'history-entry', 'data-position': e.Position },
      el('span', { className: 'pos' }, `#${e.Position}`), ` ${time(e.RecordedAt)} `, el('b', {}, e.Type), ` ${e.Summary}`)));
  } catch (error) {
    list.replaceChildren(el('li', { className: 'empty' }, error.status === 404 ? `Nothing in the log about '${name}'.` : error.message));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring.
// ---------------------------------------------------------------------------------------------------------------
function start() {
  // `input` fires while dragging (shown after a short pause), `change` when the slider is let go (shown at once).
  let sliderTimer = null;
  const slide = (wait) => {
    clearTimeout(sliderTimer);
    const at = $('slider').value;
    $('slider-value').textContent = at;
    sliderTimer = setTimeout(() => showAt(at).catch(showError), wait);
  };
  $('slider').addEventListener('input', () => slide(150));
  $('slider').addEventListener('change', () => slide(0));

  $('at-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const at = $('at-input').value.trim();
    if (at === '' || at === 'now') goLive();
    else showAt(at).catch(showError);
  });
  $('live-button').addEventListener('click', goLive);
  $('events').addEventListener('click', toggleEvent);
  $('instances').addEventListener('click', (click) => toggleMaintenance(click));
  $('event-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    loadEvents().catch(showError);
  });
  $('history-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadHistory($('history-name').value.trim());
  });

  follow();
}

start();
