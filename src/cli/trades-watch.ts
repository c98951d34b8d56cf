/**
 * npm run trades -- watch: a live terminal view of the running engine, the same numbers as the /trades page — the
 * engine's state, realised P&L per strategy and positions — redrawn as the engine's live stream reports changes.
 * In a terminal the screen is redrawn; without one (a pipe, a log file, a test) each new view is printed below the last.
 */
import type { EngineState } from '../live/live-messages';
import type { DayView, PositionsView } from '../trade-log/day-view.service';
import { formatIst } from '../market/ist-time';
import { pnlTables, positionsTables } from '../trade-log/trade-log.render';
import { istToday } from '../market/ist-time';
import type { PnlReport } from '../trade-log/trade-log.types';
import { openLiveStream } from './live-stream.client';
import { pacedReads } from './paced-reads';

export interface WatchIo {
  out(text: string): void;
  err(text: string): void;
  /** Stops watching (Ctrl-C in a terminal; tests abort it). */
  signal?: AbortSignal;
  /** Redraw the screen instead of printing each view below the last. */
  isTTY?: boolean;
}

export interface WatchOptions {
  url: string;
  token?: string;
  /** Trading day for P&L and positions (default: today, IST). */
  date?: string;
}

const MIN_LOAD_GAP_MS = 1_000;

/** Every view starts with this line (tests and readers of a log find the latest view by it). */
export const WATCH_TITLE = 'legwork trades watch';

const time = (iso: string | null | undefined) => (iso ? `${formatIst(new Date(iso)).slice(11)} IST` : '—');

/** The engine's state as a few lines of text (no colours: it must read the same in a log file). */
export function engineStateLines(state: EngineState, streamConnected: boolean): string[] {
  const o = state.orders;
  const ks = state.killSwitch;
  const reconcile = state.lastReconcile;
  return [
    `engine       ${state.mode.toUpperCase()} · ${state.instance.label} · live stream ${streamConnected ? 'connected' : 'disconnected, reconnecting…'}`,
    `kill switch  ${ks.tripped ? `TRIPPED by ${ks.changedBy ?? '?'} at ${time(ks.changedAt)}: ${ks.reason ?? 'no reason given'}` : 'armed'}`,
    `orders       this minute ${o.perMinute.used}/${o.perMinute.limit} · this second ${o.perSecond.used}/${o.perSecond.limit} · today ${o.perDay.used}/${o.perDay.limit} · queued ${o.queued}`,
    `inbox        backlog ${state.inbox.backlog} (ready up to ${state.inbox.max}) · Kite order stream ${state.orderStream.enabled ? (state.orderStream.connected ? 'connected' : 'DISCONNECTED') : 'off'}`,
    `reconcile    ${
      reconcile === null
        ? 'not run since the engine started'
        : reconcile.ok
          ? `${time(reconcile.at)} (${reconcile.trigger}): ${reconcile.omsOrders} order(s) in Kite's book, ${reconcile.updatesQueued} update(s) the store lacked`
          : `FAILED ${time(reconcile.at)} (${reconcile.trigger}): ${reconcile.error}`
    }`,
  ];
}

class ProblemAnswer extends Error {}

async function getJson<T>(base: string, path: string, headers: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const body = JSON.parse(text) as { message?: string | string[] };
      message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? text);
    } catch {
      // not JSON: the text as it came
    }
    throw new ProblemAnswer(`GET ${path} answered ${res.status}: ${message}`);
  }
  return JSON.parse(text) as T;
}

/** Runs until io.signal aborts (exit code 0), or fails: 2 when no engine answers, 1 when it refuses or the stream closes for good. */
export async function watchEngine(options: WatchOptions, io: WatchIo): Promise<number> {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const date = options.date ?? istToday();

  let state: EngineState;
  try {
    state = await getJson<EngineState>(base, '/api/trade-log/engine', headers);
  } catch (error) {
    if (error instanceof ProblemAnswer) {
      io.err(`trades watch: ${error.message}\n`);
      return 1;
    }
    io.err(`trades watch: no engine answering at ${base} (start it with npm start, or pass --url)\n`);
    return 2;
  }

  let connected = false;
  let pnl: PnlReport | null = null;
  let positions: PositionsView | null = null;
  let dataProblem: string | null = null;
  let lastChange: { at: string; orders: number } | null = null;
  let shown = '';

  const render = () => {
    const lines = [
      `${WATCH_TITLE} · ${base} · day ${date} (IST)`,
      ...engineStateLines(state, connected),
      lastChange ? `last change  ${time(lastChange.at)}: ${lastChange.orders} order(s)` : 'last change  none since watching',
      '',
      dataProblem ? `data not loaded: ${dataProblem}` : '',
      pnl ? pnlTables(pnl, 'strategy').trimEnd() : 'loading P&L…',
      positions ? positionsTables(positions).trimEnd() : 'loading positions…',
    ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
    const view = `${lines.join('\n')}\n`;
    if (view === shown) return;
    shown = view;
    io.out(io.isTTY ? `\x1b[2J\x1b[H${view}` : `\n${view}`);
  };

  // As the page: one load at a time, at most one a second (each reads every chain of the day).
  const loads = pacedReads(async () => {
    try {
      const day = await getJson<DayView>(base, `/api/trade-log/day?date=${encodeURIComponent(date)}`, headers);
      pnl = day.pnl;
      positions = day.positions;
      dataProblem = null;
    } catch (error) {
      dataProblem = error instanceof Error ? error.message : String(error);
    }
    render();
  }, MIN_LOAD_GAP_MS);
  const load = () => loads.request();

  return new Promise<number>((resolve) => {
    const stream = openLiveStream(
      base,
      { token: options.token },
      {
        open: () => {
          connected = true;
          render();
        },
        resync: (message) => {
          connected = true;
          if (message.orderIds.length > 0) lastChange = { at: new Date().toISOString(), orders: message.orderIds.length };
          load();
        },
        state: (next) => {
          state = next;
          render();
        },
        orders: (message) => {
          lastChange = { at: new Date().toISOString(), orders: message.orderIds.length };
          load();
        },
        error: (problem) => {
          connected = false;
          render();
          if (problem.closed) {
            io.err(`trades watch: the live stream closed${problem.status ? ` (${problem.status})` : ''}${problem.message ? `: ${problem.message}` : ''}\n`);
            finish(1);
          }
        },
      },
    );
    const finish = (code: number) => {
      stream.close();
      loads.stop();
      io.signal?.removeEventListener('abort', stop);
      resolve(code);
    };
    const stop = () => finish(0);
    if (io.signal?.aborted) return finish(0);
    io.signal?.addEventListener('abort', stop, { once: true });
    render();
  });
}
