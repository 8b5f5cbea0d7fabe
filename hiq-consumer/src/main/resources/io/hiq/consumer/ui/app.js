// HiQ analytics UI. Every value from the API is put in the page with textContent or as an SVG/canvas
// attribute: never as HTML (no innerHTML anywhere), so a tag like <script> is shown as text.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function fmt(ms) { return (Math.round(ms * 1000) / 1000).toFixed(3); }
  function isoMicros(us) {
    const d = new Date(Math.floor(us / 1000));
    return d.toISOString().replace('T', ' ').replace('Z', '') + String(us % 1000).padStart(3, '0');
  }

  async function get(url, asText) {
    const r = await fetch(url, { credentials: 'same-origin', headers: { 'Accept': asText ? 'text/plain' : 'application/json' } });
    if (r.status === 401) throw new Error('This service requires a token: open /?token=<HIQ_CONSUMER_TOKEN> once.');
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return asText ? r.text() : r.json();
  }
  function showError(e) { const p = $('error'); p.hidden = false; p.textContent = String(e && e.message || e); }

  // ------------------------------------------------------------------ requests table
  async function loadTrees() {
    const params = new URLSearchParams({ limit: '100', order: $('f-order').value });
    const svc = $('f-service').value.trim();
    if (svc) params.set('service', svc);
    const min = $('f-min').value.trim();
    if (min) params.set('minLatencyMs', min);
    const max = $('f-max').value.trim();
    if (max) params.set('maxLatencyMs', max);
    const tag = $('f-tag').value.trim();
    if (tag) params.set('tag', tag);
    const data = await get('/api/trees?' + params.toString());
    $('total').textContent = data.total + ' matching';
    const rows = data.trees.map((t) => {
      const tr = el('tr');
      const idCell = el('td');
      const b = el('button', t.id, 'link tree-link');
      b.type = 'button';
      b.addEventListener('click', () => { location.hash = '#/trees/' + encodeURIComponent(t.id); });
      idCell.appendChild(b);
      tr.append(idCell, el('td', t.service), el('td', t.root), el('td', t.thread), el('td', isoMicros(t.start)), el('td', fmt(t.latency_ms), 'num'),
        el('td', t.errors ? String(t.errors) : '', t.errors ? 'num error' : 'num'));
      return tr;
    });
    $('requests').tBodies[0].replaceChildren(...rows);
    // root tags by number of listed trees: the chart's default is the busiest one
    const roots = new Map();
    data.trees.forEach((t) => roots.set(t.root, (roots.get(t.root) || 0) + 1));
    busiestRoot = [...roots.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] || null;
  }
  let busiestRoot = null;

  // one row per service that stored trees in the last hour (not only those listed): its busiest
  // root tag's statistics, never mixed across services
  async function loadServices() {
    const data = await get('/api/services?limit=20');
    const rows = data.services.map((s) => {
      const tr = el('tr');
      tr.append(el('td', s.service), el('td', s.trees, 'num'), el('td', s.root || ''), el('td', s.count, 'num'), el('td', fmt(s.p50_ms), 'num'),
        el('td', fmt(s.p95_ms), 'num'), el('td', fmt(s.p99_ms), 'num'), el('td', fmt(s.max_ms), 'num'));
      tr.addEventListener('click', () => { $('f-service').value = s.service; refresh(); });
      return tr;
    });
    $('services').tBodies[0].replaceChildren(...rows);
  }

  // ------------------------------------------------------------------ one tree
  function nodes(root) { // depth-first, in call order, with depth
    const out = [];
    (function walk(n, depth) { out.push({ n, depth }); (n.children || []).forEach((c) => walk(c, depth + 1)); })(root, 0);
    return out;
  }
  function slowestOf(root) {
    let best = root, bestSpan = -1;
    for (const { n } of nodes(root)) {
      if (n === root && (root.children || []).length > 0) continue; // the root is trivially slowest
      const s = n.value_end - n.value_start;
      if (s > bestSpan) { best = n; bestSpan = s; }
    }
    return best;
  }
  function spanMs(tree, n) {
    const v = n.value_end - n.value_start;
    if (tree.metric === 'time' && tree.unit === 'ns') return v / 1e6;
    return (n.end - n.start) / 1000;
  }

  function collapsible(tree, n, slow) {
    const d = el('details');
    d.open = true;
    const s = el('summary', n.name + '  (' + fmt(spanMs(tree, n)) + ' ms)');
    if (n === slow) s.classList.add('slowest');
    if (n.extra && n.extra.exception) s.classList.add('error');
    s.addEventListener('click', () => details(tree, n));
    const extra = n.extra && Object.keys(n.extra).length ? '  ' + JSON.stringify(n.extra) : '';
    if (extra) s.appendChild(el('span', extra, 'muted'));
    d.appendChild(s);
    (n.children || []).forEach((c) => d.appendChild(collapsible(tree, c, slow)));
    return d;
  }

  function waterfall(tree, slow) {
    const list = nodes(tree.root);
    const t0 = tree.root.start, total = Math.max(1, tree.root.end - tree.root.start);
    const rowH = 18, labelW = 260, barW = 620, width = labelW + barW + 110, axisH = 22;
    const s = svg('svg', { viewBox: '0 0 ' + width + ' ' + (list.length * rowH + 4 + axisH), role: 'img', 'aria-label': 'timeline' });
    // time axis: about five "nice" steps (1, 2 or 5 times a power of ten) of the root's wall-clock span
    const totalMs = total / 1000, raw = totalMs / 5, p10 = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((k) => k * p10).find((v) => v >= raw);
    for (let v = 0; v <= totalMs + 1e-9; v += step) {
      const x = labelW + v / totalMs * barW;
      s.append(svg('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: axisH - 4, y2: list.length * rowH + axisH, class: 'wf-grid' }));
      const t = svg('text', { x: x.toFixed(1), y: 12, class: 'wf-tick', 'text-anchor': 'middle' });
      t.textContent = unit(v);
      s.append(t);
    }
    list.forEach(({ n, depth }, i) => {
      const y = i * rowH + 2 + axisH;
      const isSlow = n === slow;
      const label = svg('text', { x: 4 + depth * 10, y: y + 12, class: 'wf-label' + (isSlow ? ' slowest' : '') });
      label.textContent = n.name;
      if (isSlow) s.append(svg('polygon', { points: (depth * 10 - 6) + ',' + (y + 3) + ' ' + (depth * 10 + 2) + ',' + (y + 7) + ' '
        + (depth * 10 - 6) + ',' + (y + 11), class: 'wf-flag' })); // a flag drawn, not a glyph some fonts lack
      label.setAttribute('x', String(4 + depth * 10 + (isSlow ? 4 : 0)));
      const x = labelW + (n.start - t0) / total * barW;
      const w = Math.max(1, (n.end - n.start) / total * barW);
      const bar = svg('rect', { x: x.toFixed(1), y: y + 2, width: w.toFixed(1), height: rowH - 5, class: 'wf-bar' + (isSlow ? ' slowest' : '') });
      const title = svg('title', {});
      title.textContent = n.name + ': ' + fmt(spanMs(tree, n)) + ' ms';
      bar.appendChild(title);
      const v = svg('text', { x: labelW + barW + 6, y: y + 12 });
      v.textContent = fmt(spanMs(tree, n)) + ' ms';
      s.append(label, bar, v);
      if (n.extra && n.extra.exception) { // a red diamond at the end of a span that threw
        const ex = x + w;
        const m = svg('polygon', { points: ex + ',' + (y + 1) + ' ' + (ex + 6) + ',' + (y + 8) + ' ' + ex + ',' + (y + 15) + ' ' + (ex - 6) + ',' + (y + 8), class: 'wf-exc' });
        const mt = svg('title', {});
        mt.textContent = String(n.extra.exception);
        m.appendChild(mt);
        s.append(m);
        label.classList.add('error');
      }
      [label, bar].forEach((e) => e.addEventListener('click', () => details(tree, n)));
    });
    return s;
  }

  function unit(ms) { // a duration with a readable unit
    if (ms === 0) return '0';
    if (ms < 1) return +(ms * 1000).toPrecision(3) + ' \u00b5s';
    if (ms < 1000) return +ms.toPrecision(4) + ' ms';
    return +(ms / 1000).toPrecision(4) + ' s';
  }

  // the details of one span: every value goes in as text
  function details(tree, n) {
    const rows = [['name', n.name], ['start', isoMicros(n.start)], ['end', isoMicros(n.end)],
      ['span', fmt(spanMs(tree, n)) + ' ms'],
      ['% of root', (100 * (n.value_end - n.value_start) / Math.max(1, tree.root.value_end - tree.root.value_start)).toFixed(2) + ' %'],
      ['thread', (n.extra && (n.extra.thread || n.extra.thread_id)) || tree.thread],
      [tree.metric + ' (' + tree.unit + ')', n.value_start + ' \u2192 ' + n.value_end]];
    for (const k in (n.values || {})) rows.push(['values.' + k, n.values[k].join(' \u2192 ')]);
    for (const k in (n.extra || {})) rows.push(['extra.' + k, typeof n.extra[k] === 'string' ? n.extra[k] : JSON.stringify(n.extra[k])]);
    const dl = el('dl');
    rows.forEach(([k, v]) => { const dd = el('dd', v); if (k === 'extra.exception') dd.className = 'error'; dl.append(el('dt', k), dd); });
    $('span-details').replaceChildren(el('h3', 'Span ' + n.name), dl);
    $('span-details').hidden = false;
  }

  // the root marker of the B5c text: a CSS dot, since many systems have no font with the emoji
  function renderText(text) {
    const parts = text.split('\u{1F7E2}');
    const out = [];
    parts.forEach((p, i) => {
      if (i) { const d = el('span', null, 'root-dot'); d.title = 'root'; d.setAttribute('aria-label', 'root'); out.push(d); }
      out.push(document.createTextNode(p));
    });
    $('tree-text').replaceChildren(...out);
  }

  async function showTree(id) {
    const enc = encodeURIComponent(id);
    const [tree, text] = await Promise.all([get('/api/trees/' + enc), get('/api/trees/' + enc + '/text', true)]);
    const slow = slowestOf(tree.root);
    $('tree-id').textContent = tree.id + ' (' + tree.service + ')';
    renderText(text);
    $('span-details').hidden = true;
    $('tree-collapsible').replaceChildren(collapsible(tree, tree.root, slow));
    $('waterfall').replaceChildren(waterfall(tree, slow));
    $('tree-section').hidden = false;
  }

  // ------------------------------------------------------------------ routing: #/trees/ID is one tree, anything else the list
  function route() {
    const m = /^#\/trees\/(.+)$/.exec(location.hash);
    const list = ['requests-section', 'services-section', 'stats-section', 'chart-section'];
    $('error').hidden = true;
    if (m) {
      list.forEach((x) => { $(x).hidden = true; });
      $('tree-section').hidden = true;
      let id;
      try { id = decodeURIComponent(m[1]); } catch (e) { showError('bad tree link'); return; }
      showTree(id).catch((e) => showError(/HTTP 404/.test(String(e.message)) ? 'no tree with id ' + id : e));
    } else {
      $('tree-section').hidden = true;
      list.forEach((x) => { $(x).hidden = false; });
    }
  }
  function inTree() { return /^#\/trees\//.test(location.hash); }

  // ------------------------------------------------------------------ stats and chart
  async function loadStats() {
    const params = new URLSearchParams();
    const svc = $('f-service').value.trim();
    if (svc) params.set('service', svc);
    const data = await get('/api/stats?' + params.toString());
    const rows = data.tags.map((t) => {
      const tr = el('tr');
      tr.append(el('td', t.tag), el('td', t.count, 'num'), el('td', fmt(t.mean_ms), 'num'), el('td', fmt(t.p50_ms), 'num'),
        el('td', fmt(t.p95_ms), 'num'), el('td', fmt(t.p99_ms), 'num'), el('td', fmt(t.max_ms), 'num'));
      tr.addEventListener('click', () => { $('chart-tag').value = t.tag; loadChart().catch(showError); });
      return tr;
    });
    $('stats').tBodies[0].replaceChildren(...rows);
    const sel = $('chart-tag'), keep = sel.value;
    sel.replaceChildren(...data.tags.map((t) => { const o = el('option', t.tag); o.value = t.tag; return o; }));
    if (keep && data.tags.some((t) => t.tag === keep)) sel.value = keep;
    else if (busiestRoot && data.tags.some((t) => t.tag === busiestRoot)) sel.value = busiestRoot; // the busiest root tag
    else if (data.tags.length) sel.value = data.tags.reduce((a, b) => (b.count > a.count ? b : a)).tag; // else the busiest tag
    if (sel.value) await loadChart();
  }

  async function loadChart() {
    const tag = $('chart-tag').value;
    if (!tag) return;
    const params = new URLSearchParams({ tag });
    const svc = $('f-service').value.trim();
    if (svc) params.set('service', svc);
    draw(await get('/api/stats/series?' + params.toString()));
  }

  function draw(points) {
    const c = $('chart'), g = c.getContext('2d');
    const W = c.width, H = c.height, L = 60, R = 10, T = 10, B = 30;
    g.clearRect(0, 0, W, H);
    g.fillStyle = '#fff'; g.fillRect(0, 0, W, H);
    c.dataset.points = String(points.length);
    if (!points.length) { g.fillStyle = '#6b7380'; g.fillText('no data', W / 2 - 20, H / 2); return; }
    const maxY = Math.max(...points.map((p) => p.p99_ms)) * 1.1 || 1;
    const t0 = points[0].minute, t1 = points[points.length - 1].minute, span = Math.max(60000, t1 - t0);
    const X = (m) => points.length === 1 ? L + (W - L - R) / 2 : L + (m - t0) / span * (W - L - R);
    const Y = (v) => H - B - v / maxY * (H - T - B);
    g.strokeStyle = '#aab'; g.lineWidth = 1; g.beginPath(); g.moveTo(L, T); g.lineTo(L, H - B); g.lineTo(W - R, H - B); g.stroke();
    g.fillStyle = '#444'; g.font = '11px sans-serif';
    for (let i = 0; i <= 4; i++) { const v = maxY * i / 4; g.fillText(unit(v), 4, Y(v) + 4); } // ticks carry their unit
    c.dataset.unit = 'ms';
    g.fillText(new Date(t0).toISOString().substring(11, 16), L, H - 10);
    if (t1 !== t0) g.fillText(new Date(t1).toISOString().substring(11, 16), W - R - 34, H - 10);
    [['p50_ms', '#2e7d32'], ['p95_ms', '#ef6c00'], ['p99_ms', '#b00020']].forEach(([k, color]) => {
      g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 2; g.beginPath();
      points.forEach((p, i) => { const x = X(p.minute), y = Y(p[k]); if (i) g.lineTo(x, y); else g.moveTo(x, y); });
      g.stroke();
      points.forEach((p) => { g.beginPath(); g.arc(X(p.minute), Y(p[k]), 3, 0, 2 * Math.PI); g.fill(); });
    });
  }

  async function loadHealth() {
    const r = await fetch('/health');
    const h = await r.json();
    const b = $('health');
    b.textContent = h.status;
    b.className = 'badge ' + (h.status === 'UP' ? 'up' : 'down');
  }

  function refresh() {
    return Promise.all([loadTrees().then(() => Promise.all([loadStats(), loadServices()])), loadHealth()]).catch(showError);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('filters').addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
    $('chart-tag').addEventListener('change', () => loadChart().catch(showError));
    window.addEventListener('hashchange', route);
    route();
    refresh();
    setInterval(() => { if ($('f-auto').checked && !document.hidden && !inTree()) refresh(); }, 5000);
  });
})();
