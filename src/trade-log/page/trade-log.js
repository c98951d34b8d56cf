// legwork trade log page: plain JS, no build step. Reads the JSON API (/api/trade-log/*) and renders the day's
// chains as timelines, positions and charts; the engine's live stream (server-sent events) says when to read again
// and what the engine's state is. Every value from the store is inserted as text (never as HTML).
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
    return answerOf(response);
  }

  /** The JSON body of an answer, or an Error saying "status: message". */
  async function answerOf(response) {
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
      el('span', { class: 'step-name' }, step.kind === 'slice' && step.leg ? step.legName + ' slice ' + step.leg.slice : step.legName),
      order ? el('span', { class: 'side-' + order.transactionType }, order.transactionType + ' ' + order.quantity + ' ' + (order.tradingsymbol || '')) : null,
      order && order.orderType ? el('span', { class: 'chain-meta' }, order.orderType + (order.price ? ' @ ' + money(order.price) : '') + (order.triggerPrice ? ' trg ' + money(order.triggerPrice) : '')) : null,
      el('span', { class: 'badge ' + cls }, status),
      order && order.filledQuantity ? el('span', {}, 'filled ' + order.filledQuantity + ' @ ' + money(order.averagePrice)) : null,
      !order && step.leg && step.leg.slices ? el('span', {}, step.leg.slices + ' slices, filled ' + step.leg.filledQuantity + ' of ' + step.leg.quantity) : null,
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

  const signed = (q) => (q > 0 ? '+' + q : String(q));

  function renderPositions(view) {
    $('positions').tBodies[0].replaceChildren(
      ...view.instruments.map((i) =>
        el('tr', { 'data-symbol': i.tradingsymbol, class: i.netQuantity === 0 ? 'flat' : '' }, [
          el('td', {}, i.tradingsymbol),
          el('td', { class: 'num net' }, signed(i.netQuantity)),
          el('td', { class: 'num' }, i.averagePrice === null ? '' : money(i.averagePrice)),
          el('td', { class: 'num' }, i.boughtQuantity),
          el('td', { class: 'num' }, i.soldQuantity),
          el('td', { class: 'num ' + signClass(i.realised) }, money(i.realised)),
          // The positions check's slot: Kite's own net quantity, "—" until it reports one.
          el('td', { class: 'num kite', 'data-kite': i.kiteNetQuantity === null ? 'none' : String(i.kiteNetQuantity) },
            i.kiteNetQuantity === null ? '—' : signed(i.kiteNetQuantity)),
        ]),
      ),
    );
    $('strategy-positions').tBodies[0].replaceChildren(
      ...view.strategies.map((s) =>
        el('tr', { 'data-strategy': s.strategy, 'data-symbol': s.tradingsymbol, class: s.netQuantity === 0 ? 'flat' : '' }, [
          el('td', {}, s.strategy),
          el('td', {}, s.tradingsymbol),
          el('td', { class: 'num net' }, signed(s.netQuantity)),
          el('td', { class: 'num' }, s.averagePrice === null ? '' : money(s.averagePrice)),
        ]),
      ),
    );
    $('positions-section').hidden = view.instruments.length === 0;
  }

  function renderChains(chains) {
    // Re-rendering replaces the elements: reopen the histories the reader had open (they load again, fresh).
    const open = new Set([...document.querySelectorAll('details.history[open]')].map((d) => d.getAttribute('data-order-id')));
    $('chains').replaceChildren(...chains.map(renderChain));
    for (const details of document.querySelectorAll('details.history')) {
      if (open.has(details.getAttribute('data-order-id'))) details.open = true;
    }
    renderProblems(chains);
    $('chains-section').hidden = chains.length === 0;
  }

  // ---- Reading the day: once at the start, again whenever the stream says something changed ----

  /** What was last drawn, per part: a part whose data did not change is left alone (no flicker, open details stay). */
  const drawn = {};
  function changedPart(name, value) {
    const text = JSON.stringify(value);
    if (drawn[name] === text) return false;
    drawn[name] = text;
    return true;
  }

  let dayPickerReady = false;
  let refreshes = 0;

  async function loadDay() {
    const [days, day] = await Promise.all([dayPickerReady ? null : api('days'), api('day?date=' + encodeURIComponent(date))]);
    const { pnl, positions, pnlOverDay, orderRate } = day;
    const chains = { chains: day.chains };
    if (!dayPickerReady) {
      setUpDayPicker(days.days);
      dayPickerReady = true;
    }
    if (changedPart('pnl', pnl)) renderPnl(pnl);
    if (changedPart('chains', chains)) renderChains(chains.chains);
    if (changedPart('positions', positions)) renderPositions(positions);
    $('charts').hidden = false;
    if (changedPart('pnlOverDay', pnlOverDay)) window.legworkCharts.pnl($('pnl-chart'), pnlOverDay);
    if (changedPart('orderRate', orderRate)) {
      window.legworkCharts.orderRate($('rate-chart'), orderRate);
      $('rate-summary').textContent = orderRate.peak
        ? 'Busiest minute ' + orderRate.peak.minute.slice(11) + ': ' + orderRate.peak.count + ' of ' + orderRate.limitPerMinute + ' allowed. ' +
          'Sent on ' + orderRate.date + ': ' + orderRate.total.place + ' placement' + (orderRate.total.place === 1 ? '' : 's') + ', ' +
          orderRate.total.modify + ' modification' + (orderRate.total.modify === 1 ? '' : 's') + ' (cancellations are paced but not counted here).'
        : '';
    }
    $('status').textContent = chains.chains.length
      ? chains.chains.length + ' chain' + (chains.chains.length === 1 ? '' : 's') + ' on ' + date
      : 'No chains on ' + date + (days && days.days.length ? '. Days with orders: ' + days.days.slice(0, 5).join(', ') : '');
  }

  /** Orders and chains reported changed since the last read; marked once the read that follows is drawn. */
  const pendingMarks = { orders: new Set(), chains: new Set() };
  /**
   * At most one read of the day a second: each read queries every chain of the day, and the engine answers it on the
   * same thread that handles postbacks, so a busy day must not turn an open page into load (see bench/README.md).
   */
  const MIN_READ_GAP_MS = 1000;
  let reading = null;
  let readAgain = false;
  let waiting = null;
  let lastReadAt = 0;

  /** One read at a time; whatever arrives meanwhile makes one more read after it, never a pile of them. */
  function refresh() {
    if (reading || waiting) {
      readAgain = readAgain || Boolean(reading);
      return;
    }
    const wait = lastReadAt + MIN_READ_GAP_MS - Date.now();
    if (wait > 0) {
      waiting = setTimeout(() => {
        waiting = null;
        refresh();
      }, wait);
      return;
    }
    lastReadAt = Date.now();
    const marks = { orders: new Set(pendingMarks.orders), chains: new Set(pendingMarks.chains) };
    pendingMarks.orders.clear();
    pendingMarks.chains.clear();
    reading = loadDay()
      .then(() => {
        mark(marks);
        $('error').hidden = true;
        document.body.setAttribute('data-state', 'ready');
      })
      .catch((error) => {
        if (!dayPickerReady) {
          setUpDayPicker([]);
          dayPickerReady = true;
        }
        $('status').textContent = '';
        $('error').textContent = error.message;
        $('error').hidden = false;
        if (document.body.getAttribute('data-state') !== 'ready') document.body.setAttribute('data-state', 'error');
      })
      .finally(() => {
        reading = null;
        document.body.setAttribute('data-refreshes', String(++refreshes));
        if (readAgain) {
          readAgain = false;
          refresh();
        }
      });
  }

  /** Highlights what changed (the mark fades; the attribute stays until the next change is marked). */
  function mark(marks) {
    if (marks.orders.size === 0 && marks.chains.size === 0) return;
    for (const old of document.querySelectorAll('.changed')) {
      old.classList.remove('changed');
      old.removeAttribute('data-changed');
    }
    const flag = (node) => {
      node.classList.add('changed');
      node.setAttribute('data-changed', 'true');
    };
    for (const orderId of marks.orders) {
      for (const step of document.querySelectorAll('li.step[data-order-id="' + CSS.escape(orderId) + '"]')) {
        flag(step);
        const chain = step.closest('article.chain');
        if (chain) flag(chain);
      }
    }
    for (const chainId of marks.chains) {
      for (const chain of document.querySelectorAll('article.chain[data-chain-id="' + CSS.escape(chainId) + '"]')) flag(chain);
    }
    const note = $('live-note');
    note.textContent = 'Updated ' + new Date().toLocaleTimeString('en-GB', { timeZone: 'Asia/Kolkata' }) + ' IST: ' +
      marks.orders.size + ' order' + (marks.orders.size === 1 ? '' : 's') + ' changed (marked).';
    note.hidden = false;
  }

  // ---- The engine's state, at the top ----

  const istTime = (iso) => (iso ? new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'Asia/Kolkata' }) : '');
  let engineState = null;

  function setCell(id, text, level, attributes) {
    const cell = $(id);
    cell.textContent = text;
    cell.className = 'cell' + (level ? ' ' + level : '');
    for (const [key, value] of Object.entries(attributes || {})) cell.setAttribute(key, value);
  }

  function renderEngine(state) {
    engineState = state;
    setCell('engine-mode', state.mode.toUpperCase() + ' mode', state.mode === 'live' ? 'warn' : '', { 'data-mode': state.mode });
    setCell('engine-instance', state.instance.label, '', { 'data-role': state.instance.role });
    const ks = state.killSwitch;
    setCell(
      'engine-kill-switch',
      ks.tripped ? 'KILL SWITCH TRIPPED: ' + (ks.reason || 'no reason given') + ' (' + (ks.changedBy || '?') + ' ' + istTime(ks.changedAt) + ')' : 'kill switch armed',
      ks.tripped ? 'bad' : 'good',
      { 'data-tripped': String(ks.tripped) },
    );
    $('trip-open').disabled = ks.tripped;
    const o = state.orders;
    setCell(
      'engine-orders',
      'orders ' + o.perMinute.used + '/' + o.perMinute.limit + ' per min · ' + o.perSecond.used + '/' + o.perSecond.limit + ' per s · ' +
        o.perDay.used + '/' + o.perDay.limit + ' today' + (o.queued ? ' · ' + o.queued + ' queued' : ''),
      o.perMinute.used >= o.perMinute.limit * 0.8 || o.perDay.used >= o.perDay.limit * 0.8 ? 'warn' : '',
      { 'data-per-minute': String(o.perMinute.used), 'data-today': String(o.perDay.used) },
    );
    setCell('engine-inbox', 'inbox backlog ' + state.inbox.backlog, state.inbox.backlog > state.inbox.max ? 'bad' : state.inbox.backlog > 0 ? 'warn' : '', {
      'data-backlog': String(state.inbox.backlog),
    });
    const stream = state.orderStream;
    setCell('engine-order-stream', 'Kite order stream ' + (stream.enabled ? (stream.connected ? 'connected' : 'DISCONNECTED') : 'off'),
      stream.enabled && !stream.connected ? 'bad' : '', { 'data-connected': String(stream.connected) });
    const r = state.lastReconcile;
    setCell(
      'engine-reconcile',
      r === null ? 'last reconcile: none yet' : r.ok
        ? 'last reconcile ' + istTime(r.at) + ' (' + r.trigger + ', ' + r.updatesQueued + ' missing)'
        : 'last reconcile FAILED ' + istTime(r.at) + ' (' + r.trigger + '): ' + r.error,
      r && !r.ok ? 'bad' : '',
      { 'data-reconcile': r === null ? 'none' : r.ok ? r.trigger : 'failed' },
    );
  }

  // ---- The live stream (server-sent events; see src/live/live-messages.ts) ----

  let lastEventId = '';
  let retryMs = 2000;

  function setLive(state, text) {
    document.body.setAttribute('data-live', state);
    setCell('live-status', text, state === 'open' ? 'good' : state === 'closed' ? 'bad' : 'warn');
  }

  function connectStream() {
    // EventSource cannot send headers: the token goes as ?token= (this route accepts it, like the page).
    const query = new URLSearchParams();
    if (token) query.set('token', token);
    if (lastEventId) query.set('lastEventId', lastEventId);
    const source = new EventSource('/api/trade-log/stream' + (query.toString() ? '?' + query : ''));
    const remember = (event) => {
      if (event.lastEventId) lastEventId = event.lastEventId;
      return JSON.parse(event.data);
    };
    source.addEventListener('open', () => {
      retryMs = 2000;
      setLive('open', 'live');
    });
    source.addEventListener('resync', (event) => {
      // A new or resumed connection: read everything again (things may have changed while it was away).
      const message = remember(event);
      document.body.setAttribute('data-resync', message.reason);
      message.orderIds.forEach((id) => pendingMarks.orders.add(id));
      refresh();
    });
    source.addEventListener('state', (event) => renderEngine(remember(event)));
    source.addEventListener('orders', (event) => {
      const message = remember(event);
      message.orderIds.forEach((id) => pendingMarks.orders.add(id));
      message.chainIds.forEach((id) => pendingMarks.chains.add(id));
      refresh();
    });
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return setLive('connecting', 'live: reconnecting…'); // the browser retries
      source.close();
      // The browser gave up (an HTTP error): retry with a growing pause, unless the engine refuses us for good.
      fetch('/api/trade-log/engine', { headers, credentials: 'same-origin' })
        .then(answerOf)
        .then(() => scheduleReconnect(), (error) => (error.status === 401 || error.status === 403 ? setLive('closed', 'live updates off: ' + error.message) : scheduleReconnect()));
    });
  }

  function scheduleReconnect() {
    setLive('connecting', 'live: reconnecting in ' + Math.round(retryMs / 1000) + ' s…');
    setTimeout(connectStream, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  // ---- Tripping the kill switch (the rails' access rule: RAILS_TOKEN, never the trade-log token) ----

  function setUpKillSwitch() {
    const dialog = $('trip-dialog');
    const problem = $('trip-error');
    const close = () => {
      $('trip-token').value = ''; // asked for each time, never kept
      dialog.close();
    };
    $('trip-open').addEventListener('click', () => {
      problem.hidden = true;
      $('trip-cancel-open').checked = false;
      dialog.showModal();
      $('trip-reason').focus();
    });
    $('trip-cancel').addEventListener('click', close);
    $('trip-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const reason = $('trip-reason').value.trim();
      if (!reason) {
        problem.textContent = 'Say why: the reason is shown to whoever re-arms it.';
        problem.hidden = false;
        return;
      }
      const railsToken = $('trip-token').value.trim();
      $('trip-confirm').disabled = true;
      try {
        // credentials 'omit': a browser login to this page (the trade-log token) must never ride along.
        const response = await fetch('/rails/kill-switch', {
          method: 'POST',
          credentials: 'omit',
          headers: Object.assign({ 'Content-Type': 'application/json' }, railsToken ? { Authorization: 'Bearer ' + railsToken } : {}),
          body: JSON.stringify({ reason, cancelOpen: $('trip-cancel-open').checked }),
        });
        const result = await answerOf(response);
        close();
        if (engineState) renderEngine(Object.assign({}, engineState, { killSwitch: { tripped: result.tripped, reason: result.reason, changedBy: result.changedBy, changedAt: result.changedAt } }));
        const note = $('live-note');
        note.textContent = 'Kill switch tripped.' + ($('trip-cancel-open').checked ? ' Cancelled: ' + (result.cancelled.join(', ') || 'no open legwork orders') + '.' : '');
        note.hidden = false;
      } catch (error) {
        problem.textContent = error.message;
        problem.hidden = false;
      } finally {
        $('trip-confirm').disabled = false;
      }
    });
  }

  document.title = 'legwork · trade log · ' + date;
  $('expand-all').addEventListener('click', () => {
    for (const d of document.querySelectorAll('details.history')) d.open = true;
  });
  setUpKillSwitch();
  refresh();
  if (typeof EventSource === 'function') connectStream();
  else setLive('closed', 'live updates need a browser with EventSource');
})();
