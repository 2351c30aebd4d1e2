// The capability graph as SVG (GET /api/capgraph): processes and services
// on a circle, an arrow from each holder to what its capability reaches.
// Built with DOM calls only (no markup strings), so no text from the
// server is ever parsed as markup.

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

export function renderCapgraph(container, graph) {
  const nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
  const edges = Array.isArray(graph.edges) ? graph.edges : [];
  const size = Math.max(240, Math.min(640, 80 * Math.sqrt(nodes.length) + 160));
  const r = size / 2 - 50;
  const svg = el('svg', { viewBox: `0 0 ${size} ${size}`, width: '100%', role: 'img',
                          'aria-label': `${nodes.length} holders, ${edges.length} capabilities` });
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 18, refY: 5,
                                markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#7a8491' }, marker);
  const pos = new Map();
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    pos.set(n.id, { x: size / 2 + r * Math.cos(a), y: size / 2 + r * Math.sin(a) });
  });
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    if (!a || !b) continue;
    const line = el('line', { class: 'edge', x1: a.x, y1: a.y, x2: b.x, y2: b.y, 'marker-end': 'url(#arrow)' }, svg);
    el('title', {}, line).textContent = `${e.from} → ${e.to}: ${e.label || ''}`;
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    const g = el('g', { class: `node ${n.kind === 'service' ? 'service' : 'process'}` }, svg);
    el('circle', { cx: p.x, cy: p.y, r: 10 }, g);
    el('text', { x: p.x, y: p.y + 24, 'text-anchor': 'middle' }, g).textContent = String(n.label || n.id);
  }
  container.replaceChildren(svg);
}
