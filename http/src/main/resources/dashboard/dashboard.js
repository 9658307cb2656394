// Polls /health/metrics?scope=cluster and charts the last few minutes, per actor type and node.
// The page is served by the node; Chart.js comes from the node too (a WebJar), nothing external.
(function () {
  'use strict';
  const POLL_MS = 1500;
  const KEEP = 120; // points per series (3 minutes at 1.5 s)
  const palette = ['#4fb0ff', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#4dd0e1', '#fff176', '#a1887f',
    '#90a4ae', '#f06292'];
  const colors = new Map();
  const color = (name) => {
    if (!colors.has(name)) colors.set(name, palette[colors.size % palette.length]);
    return colors.get(name);
  };
  const labels = [];
  let updates = 0;
  let nodesSeen = new Set();

  Chart.defaults.color = '#8a96a3';
  Chart.defaults.borderColor = '#243040';
  Chart.defaults.font.size = 11;

  function chart(id, yTitle, opts) {
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { labels: labels, datasets: [] },
      options: Object.assign({
        animation: false, responsive: true, maintainAspectRatio: false, spanGaps: true,
        elements: { point: { radius: 0 }, line: { borderWidth: 1.6, tension: 0.25 } },
        interaction: { mode: 'nearest', intersect: false },
        plugins: { legend: { position: 'right', labels: { boxWidth: 10 } } },
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } }
      }, opts || {})
    });
  }

  const charts = {
    throughput: chart('throughput', 'msg/s'),
    latency: chart('latency', 'ms'),
    http: chart('http', 'ms'),
    hits: chart('hits', 'ratio', { scales: { y: { min: 0, max: 1, title: { display: true, text: 'ratio' } } } }),
    queues: chart('queues', 'messages'),
    batches: chart('batches', 'texts / ms')
  };

  // one dataset per series name, padded with nulls so that every series lines up with the labels
  function push(c, name, value, dash) {
    let ds = c.data.datasets.find((d) => d.label === name);
    if (!ds) {
      ds = { label: name, data: new Array(Math.max(0, labels.length - 1)).fill(null), borderColor: color(name),
        backgroundColor: color(name), borderDash: dash || [] };
      c.data.datasets.push(ds);
    }
    ds.data.push(Number.isFinite(value) ? value : null);
  }

  function trim(c) {
    c.data.datasets.forEach((d) => {
      while (d.data.length < labels.length) d.data.push(null);
      while (d.data.length > labels.length) d.data.shift();
    });
  }

  const suffix = (node, many) => (many ? ' @ ' + node : '');
  const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

  function render(all) {
    const picked = document.getElementById('node').value;
    const nodes = all.nodes.filter((n) => picked === '*' || n.node === picked);
    const many = nodes.length > 1;
    labels.push(new Date().toLocaleTimeString());
    while (labels.length > KEEP) labels.shift();
    let totalMsgs = 0, totalReqs = 0, lookups = 0, hits = 0, mailbox = 0;
    const rows = [];
    nodes.forEach((n) => {
      const s = suffix(n.node, many);
      Object.entries(n.actors).forEach(([type, a]) => {
        push(charts.throughput, type + s, a.messagesPerSecond);
        push(charts.latency, type + s, a.p99Ms);
        push(charts.queues, type + s, a.mailbox);
        totalMsgs += a.messagesPerSecond;
        mailbox += a.mailbox;
        rows.push([n.node, type, fmt(a.messagesPerSecond, 1), fmt(a.p50Ms, 3), fmt(a.p99Ms, 3), fmt(a.mailbox, 0), fmt(a.mailboxWaitP99Ms, 3),
          fmt(a.shards, 0), fmt(a.entities, 0), a.errors, a.passivations]);
      });
      Object.entries(n.http).forEach(([route, r]) => {
        if (route.startsWith('/dashboard') || route === '/health/metrics') return; // the dashboard's own polling
        push(charts.http, route + ' p99' + s, r.p99Ms);
        push(charts.http, route + ' p50' + s, r.p50Ms, [4, 3]);
        totalReqs += r.requestsPerSecond;
      });
      Object.entries(n.caches).forEach(([kind, c]) => {
        push(charts.hits, kind + s, c.hitRatio);
        lookups += c.lookups;
        hits += c.hits;
      });
      Object.entries(n.batchers).forEach(([lane, b]) => {
        push(charts.queues, 'batcher ' + lane + s, b.pending, [4, 3]);
        push(charts.batches, 'mean batch size ' + lane + s, b.meanBatchSize);
        push(charts.batches, 'tokens/10 ' + lane + s, b.meanTokens / 10, [2, 2]);
        push(charts.batches, 'inference p99 ms ' + lane + s, b.inferenceP99Ms, [4, 3]);
      });
    });
    Object.values(charts).forEach((c) => { trim(c); c.update('none'); });

    document.getElementById('totals').innerHTML =
      box('nodes', nodes.length) + box('actor msg/s', fmt(totalMsgs, 1)) + box('HTTP req/s', fmt(totalReqs, 1)) +
      box('cache hit ratio', lookups ? fmt(hits / lookups, 3) : '–') + box('queued messages', fmt(mailbox, 0)) +
      box('heap', nodes.map((n) => fmt(100 * n.jvm.heapRatio, 0) + '%').join(' / '));
    document.querySelector('#actors tbody').innerHTML =
      rows.map((r) => '<tr>' + r.map((v) => '<td>' + escape(String(v)) + '</td>').join('') + '</tr>').join('');

    const select = document.getElementById('node');
    all.nodes.forEach((n) => {
      if (!nodesSeen.has(n.node)) {
        nodesSeen.add(n.node);
        const o = document.createElement('option');
        o.value = o.textContent = n.node;
        select.appendChild(o);
      }
    });
    updates++;
    document.body.dataset.updates = String(updates);
    const status = document.getElementById('status');
    status.textContent = 'updated ' + new Date().toLocaleTimeString() + ' · window ' +
      fmt(nodes.length ? nodes[0].windowSeconds : 0, 0) + ' s';
    status.className = '';
  }

  function box(label, value) {
    return '<div>' + escape(label) + '<b>' + escape(String(value)) + '</b></div>';
  }

  function escape(s) {
    return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]));
  }

  async function poll() {
    try {
      const r = await fetch('/health/metrics?scope=cluster', { cache: 'no-store' });
      if (r.ok) {
        render(await r.json());
      } else {
        stale('HTTP ' + r.status);
      }
    } catch (e) {
      stale(e.message);
    }
    setTimeout(poll, POLL_MS);
  }

  function stale(why) {
    const status = document.getElementById('status');
    status.textContent = 'no data: ' + why;
    status.className = 'stale';
  }

  window.ragmillDashboard = { charts: charts, updates: () => updates };
  poll();
})();
