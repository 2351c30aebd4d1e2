// The views after login (docs/webui.md, "Front end"): uptime, memory,
// the process table and the capability graph, filled from the JSON API
// with textContent and DOM calls only, refreshed every few seconds without
// reloading the page.  A 401 on any of them means the session is gone:
// the caller shows the login page again; a 403 means the session's profile
// does not grant that page (a guest's), and its section is hidden.

import * as api from './api.js';
import { renderCapgraph } from './capgraph.js';

const REFRESH_MS = 3000;
let timer = null;

function formatUptime(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return `${d ? d + 'd ' : ''}${h}h ${String(m).padStart(2, '0')}m ${String(s % 60).padStart(2, '0')}s`;
}

function kib(n) {
  return n >= 1024 ? `${(n / 1024).toFixed(1)} MiB` : `${n} KiB`;
}

function renderProcesses(list) {
  const body = document.querySelector('#procs tbody');
  const rows = list.map((p) => {
    const tr = document.createElement('tr');
    for (const v of [p.pid, p.name, p.state, p.threads, p.caps, p.frames, kib(p.kmem_kib || 0), p.session]) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.appendChild(td);
    }
    return tr;
  });
  body.replaceChildren(...rows);
}

function renderMemory(m) {
  const meter = document.getElementById('memory-meter');
  meter.max = m.total_kib || 1;
  meter.value = m.used_kib || 0;
  document.getElementById('memory-text').textContent =
    `${kib(m.used_kib)} used, ${kib(m.free_kib)} free of ${kib(m.total_kib)}; kernel heap ${kib(m.kernel_heap_kib || 0)}`;
}

async function refresh(onLoggedOut) {
  const [up, mem, procs, graph] = await Promise.all([api.getUptime(), api.getMemory(), api.getProcesses(),
                                                      api.getCapgraph()]);
  if ([up, mem, procs, graph].some((r) => r.status === 401)) {
    stop();
    onLoggedOut();
    return;
  }
  // what the session's profile does not grant (403) is not shown at all
  for (const [res, id] of [[up, 'uptime'], [mem, 'memory-meter'], [procs, 'procs'], [graph, 'capgraph']]) {
    document.getElementById(id).closest('section').hidden = res.status === 403;
  }
  if (up.status === 200) {
    document.getElementById('uptime').textContent = formatUptime(up.data.uptime_ms);
    document.getElementById('uptime').title = `${up.data.running} of ${up.data.services} services running`;
  }
  if (mem.status === 200) renderMemory(mem.data);
  if (procs.status === 200) renderProcesses(procs.data.processes || []);
  if (graph.status === 200) {
    renderCapgraph(document.getElementById('capgraph'), document.getElementById('holdings'), graph.data);
  }
  document.getElementById('app-status').textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

export function start(onLoggedOut) {
  stop();
  const tick = async () => {
    try {
      await refresh(onLoggedOut);
    } catch {
      document.getElementById('app-status').textContent = 'The server does not answer; trying again.';
    }
    if (timer !== null) timer = setTimeout(tick, REFRESH_MS);
  };
  timer = setTimeout(tick, 0);
}

export function stop() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}
