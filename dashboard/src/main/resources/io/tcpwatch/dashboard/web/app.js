// tcpwatch dashboard: the fleet overview (worst first, sortable, searchable), a page per server, charts
// over time, the detections table and a detail view with the ladder diagram of a finding's packets, the
// latest connections, kept live by server-sent events from /api/events. The filters, the server shown,
// the sort and the time zone live in the URL.
'use strict';

const PARAMS = new URLSearchParams(location.search);
const TOKEN = PARAMS.get('token');
const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
const TYPES = ['RST_STORM', 'SYN_FLOOD', 'ACCEPT_BACKLOG_OVERFLOW', 'CONNECTION_LIMIT', 'RECONNECT_STORM',
  'RETRANSMISSION_SURGE', 'PORT_EXHAUSTION_RISK', 'RST', 'PORT_REUSE_COLLISION', 'ZERO_WINDOW_STALL', 'HALF_OPEN',
  'SYN_RETRANSMIT', 'UNANSWERED_REQUEST', 'SLOW_RESPONSES'];
const CAUSES = ['REFUSED', 'REJECTED_AFTER_HANDSHAKE', 'ABORTIVE_CLOSE', 'RST_AFTER_FIN', 'IDLE_TIMEOUT',
  'CHALLENGE_ACK_REPLY', 'DATA_AFTER_RST', 'OTHER'];
const COLORS = ['#e5484d', '#e5a50a', '#58a6ff', '#8b949e', '#a371f7', '#3fb950', '#f778ba', '#6e7681'];

let selectedServer = PARAMS.get('selected');
let sortKey = PARAMS.get('sort');
let rows = [];
let lastFleet = {servers: [], open_incidents: 0};
let lastConnections = [];

function api(path, params = {}, as = 'json') {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  if (TOKEN) q.set('token', TOKEN);
  return fetch(path + (q.toString() ? '?' + q : '')).then(r => {
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return as === 'text' ? r.text() : r.json();
  });
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function localTime() {
  return document.getElementById('tz').value === 'local';
}

// An instant as YYYY-MM-DD HH:MM:SS in the zone chosen (UTC or this browser's).
function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  if (!localTime()) return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// The page's state into its URL, so that a view can be shared (the token stays out of it unless it was there).
function saveState() {
  const q = new URLSearchParams();
  if (TOKEN) q.set('token', TOKEN);
  for (const [k, v] of Object.entries(formFilters())) if (v) q.set(k, v);
  if (selectedServer) q.set('selected', selectedServer);
  if (sortKey) q.set('sort', sortKey);
  if (document.getElementById('server-search').value) q.set('search', document.getElementById('server-search').value);
  if (localTime()) q.set('tz', 'local');
  history.replaceState(null, '', location.pathname + (q.toString() ? '?' + q : ''));
}

function restoreState() {
  for (const k of ['type', 'server', 'client', 'status', 'since']) {
    if (PARAMS.get(k)) document.getElementById('filter-' + k).value = PARAMS.get(k);
  }
  document.getElementById('server-search').value = PARAMS.get('search') || '';
  document.getElementById('tz').value = PARAMS.get('tz') === 'local' ? 'local' : 'utc';
  showZone();
}

function showZone() {
  document.getElementById('tz-name').textContent = localTime() ? LOCAL_ZONE : 'UTC';
  document.querySelector('#tz option[value=local]').textContent = 'local (' + LOCAL_ZONE + ')';
}

// ---------------------------------------------------------------- fleet overview

// A server's value for a sort key: its latest window's field, or the overview's own.
function sortValue(s, key) {
  if (key === 'server') return s.server;
  if (key === 'resets') return s.resets || 0;
  if (key === 'open_incidents') return (s.open_critical || 0) * 1000 + s.open_incidents.length;
  if (key === 'port_headroom') return s.port_headroom != null ? -s.port_headroom : -Infinity;
  return (s.latest || {})[key] ?? -Infinity;
}

function renderOverview(fleet) {
  lastFleet = fleet;
  const body = document.querySelector('#overview tbody');
  body.replaceChildren();
  const search = document.getElementById('server-search').value.trim();
  let servers = fleet.servers.filter(s => !search || s.server.includes(search));
  if (sortKey) { // the server's order is worst first; a heading sorts by its column, highest first (servers by name)
    const dir = sortKey === 'server' ? 1 : -1;
    servers = [...servers].sort((a, b) => {
      const x = sortValue(a, sortKey), y = sortValue(b, sortKey);
      return x < y ? -dir : x > y ? dir : 0;
    });
  }
  document.querySelectorAll('#overview th').forEach(th => th.classList.toggle('sorted', th.dataset.sort === sortKey));
  for (const s of servers) {
    body.append(el('tr', {'data-server': s.server, onclick: () => selectServer(s.server)},
      el('td', {}, s.server), ...serverCells(s)));
  }
  document.getElementById('summary').textContent =
    `${fleet.servers.length} server endpoints · ${fleet.open_incidents} open incidents`;
  renderServerPage();
}

// A server's latest window as table cells: new, resets by cause, half-open, retransmissions, concurrency,
// clients, port headroom, open incidents.
function serverCells(s) {
  const w = s.latest || {};
  const rsts = w.rsts || {};
  const total = Object.values(rsts).reduce((a, b) => a + b, 0);
  const byCause = Object.entries(rsts).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ');
  const incidents = el('td');
  for (const i of s.open_incidents) incidents.append(el('span', {class: 'badge ' + i.severity}, i.type));
  return [
    el('td', {class: 'num'}, w.new ?? ''),
    el('td', {}, total ? `${total}: ${byCause}` : '0'),
    el('td', {class: 'num'}, w.half_open ?? ''),
    el('td', {class: 'num'}, w.retransmission_rate != null ? (100 * w.retransmission_rate).toFixed(2) + '%' : ''),
    el('td', {class: 'num'}, w.concurrency_high_water ?? ''),
    el('td', {class: 'num'}, w.distinct_clients ?? ''),
    el('td', {class: 'num'}, s.port_headroom != null ? s.port_headroom + ' ports' : 'ok'),
    incidents];
}

// The server's page replaces the fleet overview while a server is shown; the sections below follow it.
function renderServerPage() {
  document.getElementById('server-page').hidden = !selectedServer;
  document.getElementById('fleet').hidden = !!selectedServer;
  if (!selectedServer) return;
  document.getElementById('server-title').textContent = selectedServer;
  const s = lastFleet.servers.find(x => x.server === selectedServer);
  const body = document.querySelector('#server-latest tbody');
  body.replaceChildren(s ? el('tr', {}, ...serverCells(s)) : el('tr', {}, el('td', {colspan: 8}, 'no window kept for this server')));
}

// ---------------------------------------------------------------- charts

const rstChart = new Chart(document.getElementById('chart-rsts'), {
  type: 'bar',
  data: {labels: [], datasets: CAUSES.map((c, i) => ({label: c, data: [], backgroundColor: COLORS[i]}))},
  options: {animation: false, maintainAspectRatio: false, plugins: {title: {display: true, text: 'reset connections per 10 s, by cause'}},
    scales: {x: {stacked: true, ticks: {maxTicksLimit: 8}}, y: {stacked: true, beginAtZero: true}}}
});
const connChart = new Chart(document.getElementById('chart-conns'), {
  type: 'line',
  data: {labels: [], datasets: [
    {label: 'new', data: [], borderColor: '#58a6ff', pointRadius: 0},
    {label: 'half-open', data: [], borderColor: '#e5484d', pointRadius: 0},
    {label: 'peak concurrent', data: [], borderColor: '#3fb950', pointRadius: 0},
    {label: 'SYN retransmits', data: [], borderColor: '#e5a50a', pointRadius: 0}]},
  options: {animation: false, maintainAspectRatio: false, plugins: {title: {display: true, text: 'connections per 10 s'}},
    scales: {x: {ticks: {maxTicksLimit: 8}}, y: {beginAtZero: true}}}
});

function renderSeries(series) {
  const labels = series.map(w => time(w.window_start).slice(11));
  rstChart.data.labels = labels;
  CAUSES.forEach((c, i) => { rstChart.data.datasets[i].data = series.map(w => (w.rsts || {})[c] || 0); });
  rstChart.update();
  connChart.data.labels = labels;
  ['new', 'half_open', 'concurrency_high_water', 'syn_retransmits'].forEach((f, i) => {
    connChart.data.datasets[i].data = series.map(w => w[f] || 0);
  });
  connChart.update();
  document.getElementById('chart-scope').textContent = selectedServer || 'whole fleet';
}

function selectServer(server) {
  selectedServer = server;
  saveState();
  renderServerPage();
  refreshFleet();
  refreshDetections();
  refreshConnections();
  scrollTo(0, 0);
}

// ---------------------------------------------------------------- connections

function renderConnections(list) {
  lastConnections = list;
  const body = document.querySelector('#connections tbody');
  body.replaceChildren();
  for (const c of list) {
    body.append(el('tr', {'data-uid': c.uid},
      el('td', {}, time(new Date(c.ts * 1000).toISOString())),
      el('td', {}, `${c['id.orig_h']}:${c['id.orig_p']}`),
      el('td', {}, `${c['id.resp_h']}:${c['id.resp_p']}`),
      el('td', {}, c.conn_state),
      el('td', {class: 'mono'}, c.history),
      el('td', {class: 'num'}, c.duration != null ? c.duration.toFixed(3) + ' s' : ''),
      el('td', {class: 'num'}, `${c.orig_bytes ?? ''} / ${c.resp_bytes ?? ''}`),
      el('td', {}, c.close_cause || ''),
      el('td', {class: 'num'}, c.retransmissions ?? '')));
  }
  document.getElementById('connections-scope').textContent = 'latest, ' + (selectedServer || 'whole fleet');
}

// ---------------------------------------------------------------- detections

// The filters as the form holds them (and the URL keeps them).
function formFilters() {
  const f = {};
  for (const k of ['type', 'server', 'client', 'status', 'since']) f[k] = document.getElementById('filter-' + k).value;
  return f;
}

// The detections asked for: the form's filters, on a server's page that server's only.
function filters() {
  const f = formFilters();
  return {...f, server: selectedServer || f.server, limit: 300};
}

function renderDetections(list) {
  rows = list;
  const body = document.querySelector('#detections tbody');
  body.replaceChildren();
  list.forEach((d, i) => body.append(el('tr', {'data-id': d.id, onclick: () => showDetail(rows[i])},
    el('td', {}, time(d.status ? d.opened || d.start : d.start)),
    el('td', {}, d.cause ? `${d.type} / ${d.cause}` : d.type),
    el('td', {}, d.status || ''),
    el('td', {class: 'sev-' + d.severity}, d.severity),
    el('td', {}, d.server),
    el('td', {}, d.client || ''),
    el('td', {class: 'explanation'}, d.explanation))));
}

let detailShown = null;

function showDetail(d) {
  detailShown = d.id;
  document.getElementById('detail-title').textContent =
    `${d.type}${d.cause ? ' / ' + d.cause : ''}${d.status ? ' · ' + d.status : ''} — ${d.server}`;
  document.getElementById('detail-explanation').textContent =
    `${d.explanation} (confidence ${d.confidence}; observed by ${d.observer}; ${time(d.start)} → ${time(d.end)})`;
  document.getElementById('display-filter').textContent = (d.evidence || {}).display_filter || '';
  document.getElementById('detail-evidence').textContent = JSON.stringify(d.evidence, null, 2);
  const ladder = document.getElementById('detail-ladder');
  const packets = Array.isArray(d.packets) && d.packets.length > 0;
  ladder.replaceChildren();
  ladder.hidden = document.getElementById('packets-heading').hidden = !packets;
  if (packets) { // drawn by the server, as the analyze report draws it
    api('api/ladder', {id: d.id}, 'text').then(svg => { if (detailShown === d.id) ladder.innerHTML = svg; })
      .catch(e => { ladder.textContent = 'no ladder: ' + e.message; });
  }
  document.getElementById('detail').hidden = false;
}

document.getElementById('detail-close').addEventListener('click', () => { document.getElementById('detail').hidden = true; });
document.getElementById('back').addEventListener('click', () => selectServer(null));
document.getElementById('copy-filter').addEventListener('click', () => {
  const text = document.getElementById('display-filter').textContent;
  (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).then(
    () => { document.getElementById('copy-filter').textContent = 'copied'; },
    () => { getSelection().selectAllChildren(document.getElementById('display-filter')); });
  setTimeout(() => { document.getElementById('copy-filter').textContent = 'copy'; }, 1500);
});

// ---------------------------------------------------------------- refresh and live updates

function refreshFleet() {
  api('api/fleet').then(renderOverview).catch(console.error);
  api('api/fleet', {series: 1, server: selectedServer}).then(renderSeries).catch(console.error);
  refreshServerEpisodes();
}

// The shown server's fleet episodes still open, each opening its detail.
function refreshServerEpisodes() {
  const panel = document.getElementById('server-episodes');
  panel.hidden = !selectedServer;
  if (!selectedServer) return;
  api('api/detections', {server: selectedServer, status: 'ACTIVE'}).then(list => {
    document.getElementById('server-episodes-scope').textContent = selectedServer;
    const ul = panel.querySelector('ul');
    ul.replaceChildren();
    if (!list.length) ul.append(el('li', {class: 'none'}, 'none open'));
    for (const d of list) {
      ul.append(el('li', {'data-id': d.id, onclick: () => showDetail(d)},
        el('span', {class: 'badge ' + d.severity}, d.type), ` ${d.status} since ${time(d.opened || d.start)} — ${d.explanation}`));
    }
  }).catch(console.error);
}

function refreshDetections() {
  document.getElementById('detections-scope').textContent = selectedServer ? 'of ' + selectedServer : '';
  api('api/detections', filters()).then(renderDetections).catch(console.error);
}

function refreshConnections() {
  api('api/connections', {server: selectedServer, limit: 100}).then(renderConnections).catch(console.error);
}

let pending = null;
function soon(fn) {
  if (pending) return;
  pending = setTimeout(() => { pending = null; fn(); }, 500);
}

for (const t of TYPES) document.getElementById('filter-type').append(el('option', {value: t}, t));
restoreState();
const filtersChanged = () => { saveState(); refreshDetections(); };
document.getElementById('filters').addEventListener('input', filtersChanged);
document.getElementById('filters').addEventListener('change', filtersChanged);
document.getElementById('filters').addEventListener('submit', e => { e.preventDefault(); filtersChanged(); });
document.getElementById('server-search').addEventListener('input', () => { saveState(); renderOverview(lastFleet); });
document.querySelectorAll('#overview th').forEach(th => th.addEventListener('click', () => {
  sortKey = sortKey === th.dataset.sort ? null : th.dataset.sort; // a second click: worst first again
  saveState();
  renderOverview(lastFleet);
}));
document.getElementById('tz').addEventListener('change', () => {
  showZone();
  saveState();
  renderDetections(rows);
  renderConnections(lastConnections);
  refreshFleet();
});

// Live updates while the page is seen: a tab in the background closes its stream (a browser keeps
// at most six connections to one dashboard, so open tabs would otherwise starve the next one) and
// catches up when it is shown again.
let events = null;
function live(on) {
  if (on && !events) {
    events = new EventSource('api/events' + (TOKEN ? '?token=' + encodeURIComponent(TOKEN) : ''));
    events.onopen = () => { document.getElementById('live').className = 'live on'; };
    events.onerror = () => { document.getElementById('live').className = 'live off'; };
    events.addEventListener('detection', () => soon(() => { refreshDetections(); refreshFleet(); }));
    events.addEventListener('fleet', () => soon(() => { refreshDetections(); refreshFleet(); }));
    events.addEventListener('connection', () => soon(refreshConnections));
  } else if (!on && events) {
    events.close();
    events = null;
    document.getElementById('live').className = 'live off';
  }
}
document.addEventListener('visibilitychange', () => {
  const shown = document.visibilityState === 'visible';
  if (shown && !events) soon(() => { refreshFleet(); refreshDetections(); refreshConnections(); });
  live(shown);
});
window.addEventListener('pagehide', () => live(false));
live(document.visibilityState !== 'hidden');

refreshFleet();
refreshDetections();
refreshConnections();
