// legwork trade log charts: realised P&L through the day and orders per minute, drawn with uPlot (served by the engine
// from node_modules). Plain JS, no build step. trade-log.js calls window.legworkCharts.pnl / .orderRate with the API's data.
'use strict';

window.legworkCharts = (function () {
  const IST = 'Asia/Kolkata';
  const COLORS = ['#2f5bd3', '#8a3ffc', '#0f7b3f', '#b46900', '#b42318', '#00838f', '#6d4c41'];
  const HEIGHT = 220;

  /** "yyyy-mm-dd hh:mm[:ss]" in IST → Unix seconds. */
  function epoch(ist) {
    const text = ist.length === 16 ? ist + ':00' : ist;
    return Date.parse(text.replace(' ', 'T') + '+05:30') / 1000;
  }

  /** The trading session of the day, widened to whatever happened outside it. */
  function dayRange(date, xs) {
    const from = Math.min(epoch(date + ' 09:15:00'), ...xs);
    const to = Math.max(epoch(date + ' 15:30:00'), ...xs);
    return [from - 60, to + 60];
  }

  function note(container, text) {
    destroy(container);
    const p = document.createElement('p');
    p.className = 'hint chart-empty';
    p.textContent = text;
    container.replaceChildren(p);
  }

  function destroy(container) {
    if (container.uplot) container.uplot.destroy();
    container.uplot = null;
    container.uplotKey = null;
  }

  /** Draws a new chart, or gives the existing one its new data when the series are the same (no flicker). */
  function draw(container, key, makeOptions, data) {
    if (container.uplot && container.uplotKey === key) {
      container.uplot.setData(data);
      return;
    }
    destroy(container);
    container.replaceChildren();
    const options = makeOptions();
    options.width = Math.max(320, container.clientWidth || 600);
    options.height = HEIGHT;
    options.tzDate = (seconds) => uPlot.tzDate(new Date(seconds * 1000), IST);
    container.uplot = new uPlot(options, data, container);
    container.uplotKey = key;
  }

  const money = (u, values) => values.map((v) => (v === null || v === undefined ? '' : v.toFixed(2)));

  /**
   * P&L: one stepped line per strategy and the total, from `GET /api/trade-log/pnl-over-day`. The lines start at 0 at
   * the session's open and step at each closing fill, so their ends are the table's realised figures.
   */
  function pnl(container, view) {
    container.setAttribute('data-points', String(view.times.length));
    const last = (values) => (values.length ? values[values.length - 1] : 0);
    container.setAttribute('data-total', last(view.total).toFixed(2));
    container.setAttribute('data-series', view.strategies.map((s) => s.strategy + '=' + last(s.realised).toFixed(2)).join(' '));
    if (view.times.length === 0) return note(container, 'No realised P&L on ' + view.date + ' yet.');

    const xs = view.times.map(epoch);
    const start = Math.min(epoch(view.date + ' 09:15:00'), xs[0] - 60);
    const data = [[start, ...xs], [0, ...view.total], ...view.strategies.map((s) => [0, ...s.realised])];
    const stepped = uPlot.paths.stepped({ align: 1 });
    const key = 'pnl:' + view.date + ':' + view.strategies.map((s) => s.strategy).join(',');
    draw(container, key, () => ({
      scales: { x: { time: true, range: () => dayRange(view.date, [start, ...xs]) } },
      axes: [{}, { values: money, size: 70 }],
      series: [
        { label: 'time (IST)' },
        { label: 'total', stroke: '#1d2330', width: 2.5, paths: stepped, value: (u, v) => (v === null ? '' : v.toFixed(2)) },
        ...view.strategies.map((s, i) => ({
          label: s.strategy, stroke: COLORS[i % COLORS.length], width: 1.5, paths: stepped, value: (u, v) => (v === null ? '' : v.toFixed(2)),
        })),
      ],
    }), data);
  }

  /** Orders per minute as bars (placements + modifications) under a line at the per-minute limit. */
  function orderRate(container, view) {
    container.setAttribute('data-peak', view.peak ? String(view.peak.count) : '0');
    container.setAttribute('data-limit', String(view.limitPerMinute));
    container.setAttribute('data-placed', String(view.total.place));
    if (view.minutes.length === 0) return note(container, 'No orders sent on ' + view.date + '. Limit: ' + view.limitPerMinute + ' per minute.');

    const xs = view.minutes.map((m) => epoch(m.minute));
    const range = dayRange(view.date, xs);
    const data = [
      [range[0], ...xs, range[1]],
      [null, ...view.minutes.map((m) => m.place + m.modify), null],
      [view.limitPerMinute, ...xs.map(() => view.limitPerMinute), view.limitPerMinute],
    ];
    draw(container, 'rate:' + view.date, () => ({
      scales: { x: { time: true, range: () => range }, y: { range: (u, min, max) => [0, Math.max(max, view.limitPerMinute) * 1.1] } },
      axes: [{}, { size: 50 }],
      series: [
        { label: 'minute (IST)' },
        { label: 'orders', fill: 'rgba(47, 91, 211, 0.35)', stroke: '#2f5bd3', paths: uPlot.paths.bars({ size: [0.9, 12] }), points: { show: false } },
        { label: 'limit / min', stroke: '#b42318', dash: [6, 4], width: 1.5, points: { show: false } },
      ],
    }), data);
  }

  window.addEventListener('resize', () => {
    for (const container of document.querySelectorAll('.chart')) {
      if (container.uplot) container.uplot.setSize({ width: Math.max(320, container.clientWidth), height: HEIGHT });
    }
  });

  return { pnl, orderRate };
})();
