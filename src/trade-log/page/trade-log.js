// legwork trade log page: plain JS, no build step. Reads the JSON API (/api/trade-log/*) and renders the day's
// chains as timelines. Every value from the store is inserted as text (never as HTML).
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  // ?token= opens the page; the API gets it as a Bearer header, never in a URL.
  const token = params.get('token');
  const headers = token ? { Authorization: 'Bearer ' + token } : {};

  const $ = (id) => document.getElementById(id);

  function istToday() {
    // en-CA formats as yyyy-mm-dd.
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }

  function shiftDay(day, delta) {
    const d = new Date(day + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + delta);
    return d.toISOString().slice(0, 10);
  }

  const date = /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') || '') ? params.get('date') : istToday();

  /** el('td', { class: 'num' }, 'text' | Node | [..]) */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('data-')) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of [].concat(children === undefined ? [] : children)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const money = (n) => (typeof n === 'number' ? n.toFixed(2) : '');
  const signClass = (n) => (n > 0 ? 'gain' : n < 0 ? 'loss' : '');
  const statusClass = (status) => 's-' + String(status || '').toLowerCase().replace(/[^a-z]+/g, '-');

  async function api(path) {
    const response = await fetch('/api/trade-log/' + path, { headers, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message || response.statusText;
      const error = new Error(response.status + ': ' + message);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function go(day) {
    const next = new URLSearchParams(window.location.search);
    next.set('date', day);
    window.location.search = next.toString();
  }

  function setUpDayPicker(days) {
    $('date').value = date;
    $('date').addEventListener('change', (e) => e.target.value && go(e.target.value));
    $('prev-day').addEventListener('click', () => go(shiftDay(date, -1)));
    $('next-day').addEventListener('click', () => go(shiftDay(date, 1)));
    $('today').addEventListener('click', () => go(istToday()));
    const select = $('days');
    for (const day of days) select.append(el('option', { value: day, selected: day === date }, day));
    select.addEventListener('change', (e) => e.target.value && go(e.target.value));
  }

  function renderPnl(report) {
    const body = $('pnl-strategies').tBodies[0];
    const foot = $('pnl-strategies').tFoot;
    body.replaceChildren(
      ...report.strategies.map((s) =>
        el('tr', { 'data-strategy': s.strategy }, [
          el('td', {}, s.strategy),
          el('td', { class: 'num' }, s.chains),
          el('td', { class: 'num' }, s.openChains),
          el('td', { class: 'num' }, s.matchedQuantity),
          el('td', { class: 'num ' + signClass(s.realised) }, money(s.realised)),
        ]),
      ),
    );
    const openChains = report.strategies.reduce((n, s) => n + s.openChains, 0);
    foot.replaceChildren(
      el('tr', {}, [
        el('td', {}, 'Total'),
        el('td', { class: 'num' }, report.total.chains),
        el('td', { class: 'num' }, openChains),
        el('td', { class: 'num' }, report.total.matchedQuantity),
        el('td', { class: 'num ' + signClass(report.total.realised), id: 'pnl-total' }, money(report.total.realised)),
      ]),
    );
    $('pnl').hidden = false;
  }

  function renderProblems(chains) {
    const items = [];
    for (const chain of chains) {
      for (const step of chain.timeline) {
        if (step.order && step.order.status === 'REJECTED') {
          items.push(el('li', { 'data-order-id': step.order.orderId }, [
            step.at + ' · ' + chain.strategy + ' · ' + step.legName + ' ' + step.order.orderId + ' REJECTED: ',
            el('span', { class: 'reason' }, step.order.statusMessage || '(no reason given)'),
          ]));
        }
        if (step.leg && step.leg.status === 'failed') {
          items.push(el('li', { 'data-leg-tag': step.leg.tag }, [
            step.at + ' · ' + chain.strategy + ' · leg ' + step.legName + ' failed: ',
            el('span', { class: 'reason' }, (step.leg.errorType ? step.leg.errorType + ': ' : '') + (step.leg.lastError || '')),
          ]));
        }
      }
    }
    $('problem-list').replaceChildren(...items);
    $('problems').hidden = items.length === 0;
  }

  function historyTable(detail) {
    const events = el('table', { class: 'grid events' }, [
      el('thead', {}, el('tr', {}, ['Exchange time', 'Event', 'Status', 'Filled', 'Source', 'Detail'].map((h) => el('th', {}, h)))),
      el('tbody', {}, detail.events.map((e) =>
        el('tr', { 'data-event': e.type }, [
          el('td', {}, e.exchangeUpdateTimestamp || e.recordedAt),
          el('td', {}, e.type),
          el('td', {}, el('span', { class: 'badge ' + statusClass(e.status) }, e.status)),
          el('td', { class: 'num' }, e.filledQuantity),
          el('td', {}, e.source),
          el('td', { class: e.reason ? 'reason' : '' },
            e.reason || (e.fill ? e.fill.quantity + ' @ ' + money(e.fill.price) + ' (cum. ' + e.fill.cumulativeQuantity + ')' : (e.changes || []).join(', '))),
        ]),
      )),
    ]);
    const fills = detail.fills.length
      ? el('table', { class: 'grid fills' }, [
          el('thead', {}, el('tr', {}, ['Fill time', 'Side', 'Qty', 'Price', 'Cum. qty'].map((h) => el('th', {}, h)))),
          el('tbody', {}, detail.fills.map((f) =>
            el('tr', {}, [
              el('td', {}, f.time),
              el('td', { class: 'side-' + f.transactionType }, f.transactionType),
              el('td', { class: 'num' }, f.quantity),
              el('td', { class: 'num' }, money(f.price)),
              el('td', { class: 'num' }, f.cumulativeQuantity),
            ]),
          )),
        ])
      : el('p', { class: 'hint' }, 'no fills');
    return el('div', { class: 'history-body' }, [events, fills]);
  }

  function historyDetails(orderId) {
    const details = el('details', { class: 'history', 'data-order-id': orderId }, el('summary', {}, 'state history and fills'));
    let loaded = false;
    details.addEventListener('toggle', async () => {
      if (!details.open || loaded) return;
      loaded = true;
      const placeholder = el('p', { class: 'hint' }, 'loading…');
      details.append(placeholder);
      try {
        const detail = await api('orders/' + encodeURIComponent(orderId));
        placeholder.replaceWith(historyTable(detail));
        details.setAttribute('data-loaded', 'true');
      } catch (error) {
        placeholder.replaceWith(el('p', { class: 'error' }, error.message));
      }
    });
    return details;
  }

  function renderStep(step) {
    const order = step.order;
    const status = order ? order.status : step.leg ? 'leg ' + step.leg.status : '';
    const cls = statusClass(order ? order.status : step.leg && step.leg.status);
    const line = el('div', { class: 'step-line' }, [
      el('span', { class: 'step-time' }, step.at.slice(11) || step.at),
      el('span', { class: 'step-name' }, step.legName),
      order ? el('span', { class: 'side-' + order.transactionType }, order.transactionType + ' ' + order.quantity + ' ' + (order.tradingsymbol || '')) : null,
      order && order.orderType ? el('span', { class: 'chain-meta' }, order.orderType + (order.price ? ' @ ' + money(order.price) : '') + (order.triggerPrice ? ' trg ' + money(order.triggerPrice) : '')) : null,
      el('span', { class: 'badge ' + cls }, status),
      order && order.filledQuantity ? el('span', {}, 'filled ' + order.filledQuantity + ' @ ' + money(order.averagePrice)) : null,
      order ? el('span', { class: 'chain-meta' }, 'order ' + order.orderId) : null,
      (step.leg && step.leg.tag) || (order && order.tag) ? el('span', { class: 'chain-meta' }, 'tag ' + ((step.leg && step.leg.tag) || order.tag)) : null,
    ]);
    const reason = order && order.statusMessage
      ? el('div', { class: 'reason' }, order.statusMessage)
      : step.leg && step.leg.lastError
        ? el('div', { class: 'reason' }, (step.leg.errorType ? step.leg.errorType + ': ' : '') + step.leg.lastError)
        : null;
    return el('li', { class: 'step ' + cls, 'data-step': step.legName, 'data-order-id': order ? order.orderId : null }, [
      line,
      reason,
      order ? historyDetails(order.orderId) : null,
    ]);
  }

  function renderChain(chain) {
    const pnl = chain.pnl;
    const instruments = el('table', { class: 'grid pnl-instruments' }, [
      el('thead', {}, el('tr', {}, ['Symbol', 'Bought', 'Sold', 'Matched', 'Realised', 'Open qty'].map((h) => el('th', {}, h)))),
      el('tbody', {}, pnl.instruments.map((i) =>
        el('tr', {}, [
          el('td', {}, i.tradingsymbol),
          el('td', { class: 'num' }, i.boughtQuantity ? i.boughtQuantity + ' @ ' + money(i.boughtValue / i.boughtQuantity) : '0'),
          el('td', { class: 'num' }, i.soldQuantity ? i.soldQuantity + ' @ ' + money(i.soldValue / i.soldQuantity) : '0'),
          el('td', { class: 'num' }, i.matchedQuantity),
          el('td', { class: 'num ' + signClass(i.realised) }, money(i.realised)),
          el('td', { class: 'num' }, i.openQuantity + (i.openAveragePrice ? ' @ ' + money(i.openAveragePrice) : '')),
        ]),
      )),
    ]);
    return el('article', { class: 'chain', 'data-chain-id': chain.chainId, 'data-strategy': chain.strategy }, [
      el('div', { class: 'chain-head' }, [
        el('h3', {}, 'Chain ' + chain.chainId),
        el('span', { class: 'chain-meta' }, chain.strategy + ' · ' + chain.tradingsymbols.join(', ') + ' · from ' + chain.startedAt.slice(11)),
        pnl.openQuantity ? el('span', { class: 'badge s-open' }, pnl.openQuantity + ' open') : null,
        el('span', { class: 'pnl ' + signClass(pnl.realised), 'data-realised': money(pnl.realised) }, 'P&L ' + money(pnl.realised)),
      ]),
      el('ol', { class: 'timeline' }, chain.timeline.map(renderStep)),
      pnl.instruments.length ? instruments : null,
    ]);
  }

  async function load() {
    try {
      const [days, chains, pnl] = await Promise.all([
        api('days'),
        api('chains?date=' + encodeURIComponent(date)),
        api('pnl?date=' + encodeURIComponent(date)),
      ]);
      setUpDayPicker(days.days);
      renderPnl(pnl);
      renderProblems(chains.chains);
      $('chains').replaceChildren(...chains.chains.map(renderChain));
      $('chains-section').hidden = chains.chains.length === 0;
      $('status').textContent = chains.chains.length
        ? chains.chains.length + ' chain' + (chains.chains.length === 1 ? '' : 's') + ' on ' + date
        : 'No chains on ' + date + (days.days.length ? '. Days with orders: ' + days.days.slice(0, 5).join(', ') : '');
      $('expand-all').addEventListener('click', () => {
        for (const d of document.querySelectorAll('details.history')) d.open = true;
      });
      document.body.setAttribute('data-state', 'ready');
    } catch (error) {
      setUpDayPicker([]);
      $('status').textContent = '';
      $('error').textContent = error.message;
      $('error').hidden = false;
      document.body.setAttribute('data-state', 'error');
    }
  }

  document.title = 'legwork · trade log · ' + date;
  load();
})();
