// The live capability graph as SVG (GET /api/capgraph, docs/webui.md):
// services on a circle, coloured by state, with their restarts; the
// devices they drive and the exports they import drawn as arrows from the
// source to the holder (dashed while the holder does not hold it now).
// What comes from the kernel and init is listed on each service rather
// than drawn — every service holds some — and the list below the drawing
// says everything in words, for keyboards and screen readers.  Built with
// DOM calls only (no markup strings): no text from the server is ever
// parsed as markup.

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function drawn(edge, byId) {
  const from = byId.get(edge.from);
  return from && (from.kind === 'service' || from.kind === 'device');
}

// Services on a circle; each device just outside the service that holds it
// (devices are claimed exclusively: one holder), so no link crosses the middle.
function place(nodes, edges, size) {
  const services = nodes.filter((n) => n.kind === 'service');
  const pos = new Map(), angle = new Map();
  const r = size / 2 - 100;
  services.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, services.length) - Math.PI / 2;
    angle.set(n.id, a);
    pos.set(n.id, { x: size / 2 + r * Math.cos(a), y: size / 2 + r * Math.sin(a) });
  });
  for (const n of nodes.filter((d) => d.kind === 'device')) {
    const e = edges.find((x) => x.from === n.id && angle.has(x.to));
    const a = e ? angle.get(e.to) : Math.PI / 2;
    pos.set(n.id, { x: size / 2 + (r + 60) * Math.cos(a), y: size / 2 + (r + 60) * Math.sin(a) });
  }
  return pos;
}

function describe(n, held) {
  const parts = [`${n.label}: ${n.state}`];
  if (n.pid) parts.push(`pid ${n.pid}`);
  if (n.restarts) parts.push(`${n.restarts} restart${n.restarts === 1 ? '' : 's'}`);
  if (n.failed) parts.push('failed');
  const count = (k, one, many) => `${k} ${k === 1 ? one : many}`;
  if (n.state === 'running') {
    parts.push(`${count(n.caps, 'capability', 'capabilities')}, ${count(n.threads, 'thread', 'threads')}`);
  }
  if (held.length) parts.push(`holds ${held.join(', ')}`);
  return parts.join('; ');
}

function holdingsOf(edges, byId) {
  const by = new Map();
  for (const e of edges) {
    const from = byId.get(e.from);
    const text = from && from.kind === 'service' ? `${e.label} (export ${e.source_name} of ${from.label})`
      : from ? `${e.label} (${from.kind}${from.kind === 'kernel' || from.kind === 'init' ? '' : ' ' + from.label}` +
               `${e.source_name !== e.label ? ': ' + e.source_name : ''})` : e.label;
    if (!by.has(e.to)) by.set(e.to, []);
    by.get(e.to).push(text + (e.held ? '' : ' — not held now'));
  }
  return by;
}

export function renderCapgraph(container, list, graph) {
  const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
  const edges = Array.isArray(graph.edges) ? graph.edges : [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const services = nodes.filter((n) => n.kind === 'service');
  const size = Math.max(320, Math.min(760, 90 * Math.sqrt(services.length) + 300));
  const pos = place(nodes, edges, size);
  const shown = edges.filter((e) => drawn(e, byId));
  const svg = el('svg', { viewBox: `0 0 ${size} ${size}`, width: '100%', role: 'img',
                          'aria-label': `${services.length} services, ${shown.length} links between them and devices` });
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 20, refY: 5,
                                markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7a8491' }, marker);
  for (const e of shown) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const line = el('line', { class: `edge${e.held ? '' : ' idle'}`, x1: a.x, y1: a.y, x2: b.x, y2: b.y,
                              'marker-end': 'url(#arrow)' }, svg);
    el('title', {}, line).textContent = `${byId.get(e.to).label} holds ${e.label} from ${byId.get(e.from).label}`;
  }
  const holdings = holdingsOf(edges, byId);
  for (const n of nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const g = el('g', { class: `node ${n.kind} ${n.state || ''}${n.failed ? ' failed' : ''}` }, svg);
    el('circle', { cx: p.x, cy: p.y, r: 12 }, g);
    const label = n.restarts ? `${n.label} ↻${n.restarts}` : String(n.label);
    el('text', { x: p.x, y: p.y + 28, 'text-anchor': 'middle' }, g).textContent = label;
    el('title', {}, g).textContent = n.kind === 'service' ? describe(n, holdings.get(n.id) || []) : `${n.kind} ${n.label}`;
  }
  container.replaceChildren(svg);
  list.replaceChildren(...services.map((n) => {
    const li = document.createElement('li');
    li.textContent = describe(n, holdings.get(n.id) || []);
    return li;
  }));
}
