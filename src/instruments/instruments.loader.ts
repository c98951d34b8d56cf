import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { KITE_CLIENT, KiteClient } from '../kite-session/kite-client.provider';
import { KITE_SESSION_RENEWED, KiteSessionService } from '../kite-session/kite-session.service';
import type { InstrumentList, InstrumentLoadTrigger } from './entities/instrument-list.entity';
import { normalizeInstrumentsInSlices } from './instrument-rows';
import { fetchInstruments } from './kite-instruments';
import { INSERT_BATCH_ROWS, InstrumentStore, yieldToEventLoop } from './instrument.store';
import type { InstrumentInfo } from './instrument.types';
import { instrumentListDay, minutesOfDay, nextRefreshAfter } from './list-day';

/** After a failed load, try again this often while the stored list is not today's. */
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** At most one progress line this often while rows are stored. */
const PROGRESS_EVERY_MS = 2_000;

export interface LoadSummary {
  listDay: string;
  rows: number;
  byExchange: Record<string, number>;
  skipped: number;
  duplicates: number;
  fetchMs: number;
  storeMs: number;
  trigger: InstrumentLoadTrigger;
}

export interface InstrumentsStatus {
  /** The list lookups answer from; null before the first load. */
  list: { listDay: string; loadedAt: Date; rows: number; current: boolean } | null;
  /** The day whose list should be in use now. */
  due: string;
  loading: boolean;
  autoload: boolean;
  lastFailure: { at: Date; reason: string } | null;
  nextCheckAt: Date | null;
}

const count = (n: number): string => n.toLocaleString('en-IN');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Loads Kite's daily instrument list (`kite.getInstruments()` through the engine's one kiteconnect client) into the
 * store: at start when the stored list is older than today's, every day at INSTRUMENTS_REFRESH_AT, and on demand.
 * Runs behind the application: start-up and postback ingress never wait for it, and rows go in short batches. A failed
 * load keeps the previous list in use, says so loudly and retries; readiness shows which day's list is in use.
 */
@Injectable()
export class InstrumentsLoader implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Instruments');
  private readonly settings: LegworkConfig['instruments'];
  private readonly refreshAt: number;
  private inFlight: Promise<LoadSummary> | null = null;
  private background: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private nextCheckAt: Date | null = null;
  private lastFailure: { at: Date; reason: string } | null = null;
  private stopping = false;

  constructor(
    @Inject(KITE_CLIENT) private readonly kite: KiteClient,
    private readonly store: InstrumentStore,
    private readonly config: ConfigService<LegworkConfig, true>,
    private readonly bus: EventEmitter2,
    private readonly session: KiteSessionService,
  ) {
    this.settings = config.get('instruments', { infer: true });
    this.refreshAt = minutesOfDay(this.settings.refreshAt);
  }

  /** A morning login after the refresh time (the old token expired at 06:00) loads the list at once, not at the next retry. */
  private readonly onLogin = (): void => {
    if (this.lastFailure && !this.stopping) this.background = this.check().finally(() => this.schedule());
  };

  onApplicationBootstrap(): void {
    // Not awaited: the engine takes postbacks while the list loads.
    this.background = this.atStart().catch((error) => this.logger.error(`instrument list check at start failed: ${errorText(error)}`));
    if (this.settings.autoload) this.bus.on(KITE_SESSION_RENEWED, this.onLogin);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.bus.off(KITE_SESSION_RENEWED, this.onLogin);
    clearTimeout(this.timer);
    // A load in progress stops at its next batch; its rows are deleted after the next complete load.
    await this.background;
    await this.inFlight?.catch(() => undefined);
  }

  /** The day whose list should be in use now. */
  dueDay(now = new Date()): string {
    return instrumentListDay(now, this.refreshAt);
  }

  async status(): Promise<InstrumentsStatus> {
    const list = await this.store.currentList();
    const due = this.dueDay();
    return {
      list: list && { listDay: list.listDay, loadedAt: list.completedAt ?? list.startedAt, rows: list.rows, current: list.listDay >= due },
      due,
      loading: this.inFlight !== null,
      autoload: this.settings.autoload,
      lastFailure: this.lastFailure,
      nextCheckAt: this.nextCheckAt,
    };
  }

  /**
   * Load the list now unless today's is already in use (`force`: load anyway). Joins a load already running.
   * Rejects when the load fails; the previous list stays in use.
   */
  async refresh(
    trigger: InstrumentLoadTrigger,
    options: { force?: boolean } = {},
  ): Promise<LoadSummary | { listDay: string; rows: number; alreadyCurrent: true }> {
    if (this.inFlight) return this.inFlight;
    if (!options.force) {
      const list = await this.store.currentList();
      if (list && list.listDay >= this.dueDay()) return { listDay: list.listDay, rows: list.rows, alreadyCurrent: true };
    }
    return this.loadOnce(trigger);
  }

  private loadOnce(trigger: InstrumentLoadTrigger): Promise<LoadSummary> {
    // Without a valid session Kite would only answer TokenException (and the session would be marked expired by it):
    // the list loads after the day's login instead.
    if (!this.inFlight && !this.session.canCallKite()) {
      const reason = `no valid Kite session (${this.session.status().state}); the list loads after the next login`;
      if (this.lastFailure?.reason !== reason) this.logger.warn(`instrument list not loaded: ${reason}`);
      this.lastFailure = { at: new Date(), reason };
      return Promise.reject(new Error(reason));
    }
    this.inFlight ??= this.load(trigger).then(
      (summary) => {
        this.inFlight = null;
        this.lastFailure = null;
        return summary;
      },
      async (error: unknown) => {
        this.inFlight = null;
        if (this.stopping) throw error; // shutting down mid-load: nothing to warn about
        this.lastFailure = { at: new Date(), reason: errorText(error) };
        await this.warnFailure(this.lastFailure.reason);
        throw error;
      },
    );
    return this.inFlight;
  }

  private async atStart(): Promise<void> {
    const list = await this.store.currentList();
    const due = this.dueDay();
    this.logger.log(
      list
        ? `instrument list in use: ${list.listDay}'s (${count(list.rows)} rows, loaded ${(list.completedAt ?? list.startedAt).toISOString()})${list.listDay >= due ? '' : `; ${due}'s is due`}`
        : 'no instrument list stored yet',
    );
    if (!this.settings.autoload) {
      this.logger.log('INSTRUMENTS_AUTOLOAD=false: the list is loaded only on demand (POST /instruments/refresh, npm run instruments -- refresh)');
      return;
    }
    if (!this.kiteConfigured()) {
      this.logger.log('no Kite API configured (paper mode without a simulator): the instrument list is not loaded');
      return;
    }
    if (!list || list.listDay < due) await this.loadOnce('start').catch(() => undefined); // warned in loadOnce
    this.schedule();
  }

  /** Next check: the coming refresh time, or sooner to retry a failed load while the list is not today's. */
  private schedule(): void {
    if (this.stopping) return;
    const now = new Date();
    const retry = this.lastFailure ? new Date(now.getTime() + RETRY_AFTER_FAILURE_MS) : null;
    const next = nextRefreshAfter(now, this.refreshAt);
    this.nextCheckAt = retry && retry < next ? retry : next;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.background = this.check().finally(() => this.schedule());
    }, this.nextCheckAt.getTime() - now.getTime());
    this.timer.unref();
  }

  /** Loads when the stored list (whoever loaded it: another instance may have) is older than the due day. */
  private async check(): Promise<void> {
    try {
      const list = await this.store.currentList();
      if (list && list.listDay >= this.dueDay()) {
        this.lastFailure = null;
        return;
      }
      await this.loadOnce('schedule');
    } catch {
      // warned in loadOnce (or the store is unreadable, which readiness reports)
    }
  }

  private kiteConfigured(): boolean {
    return this.config.get('mode', { infer: true }) === 'live' || this.config.get('kite.rootUrl', { infer: true }) !== undefined;
  }

  private async load(trigger: InstrumentLoadTrigger): Promise<LoadSummary> {
    const listDay = this.dueDay();
    const exchanges = this.settings.exchanges;
    const fetchStarted = Date.now();
    this.logger.log(`loading the instrument list for ${listDay} from Kite (${exchanges.length ? exchanges.join(', ') : 'all exchanges'}; ${trigger})`);
    const rows: InstrumentInfo[] = [];
    let skipped = 0;
    let duplicates = 0;
    let firstProblem: string | undefined;
    for (const exchange of exchanges.length ? exchanges : [undefined]) {
      const part = await normalizeInstrumentsInSlices(await fetchInstruments(this.kite, exchange));
      for (const row of part.rows) rows.push(row); // not push(...rows): 100,000 arguments overflow the stack
      skipped += part.skipped;
      duplicates += part.duplicates;
      firstProblem ??= part.firstProblem;
    }
    if (rows.length === 0) throw new Error('Kite sent an empty instrument list');
    const fetchMs = Date.now() - fetchStarted;
    this.logger.log(`instruments: fetched ${count(rows.length)} rows in ${seconds(fetchMs)}; storing them`);
    if (skipped > 0) this.logger.warn(`instruments: ${count(skipped)} row(s) left out as unreadable, e.g. ${firstProblem}`);
    if (duplicates > 0) this.logger.warn(`instruments: ${count(duplicates)} row(s) repeat an exchange + tradingsymbol; the first of each is kept`);

    const storeStarted = Date.now();
    const listId = await this.store.beginList(listDay, trigger, exchanges);
    let lastProgress = storeStarted;
    for (let i = 0; i < rows.length; i += INSERT_BATCH_ROWS) {
      await yieldToEventLoop(); // postbacks that arrived meanwhile are read, and their writes queue before the next batch
      if (this.stopping) throw new Error('the engine is stopping; the list was not completed');
      await this.store.insertBatch(listId, rows.slice(i, i + INSERT_BATCH_ROWS));
      const stored = Math.min(rows.length, i + INSERT_BATCH_ROWS);
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS && stored < rows.length) {
        lastProgress = Date.now();
        this.logger.log(`instruments: stored ${count(stored)} of ${count(rows.length)} (${seconds(lastProgress - storeStarted)})`);
      }
    }
    await this.store.complete(listId, rows.length);
    const storeMs = Date.now() - storeStarted;
    const byExchange: Record<string, number> = {};
    for (const row of rows) byExchange[row.exchange] = (byExchange[row.exchange] ?? 0) + 1;
    const perExchange = Object.entries(byExchange)
      .map(([exchange, n]) => `${exchange} ${count(n)}`)
      .join(', ');
    this.logger.log(
      `instrument list for ${listDay} in use: ${count(rows.length)} rows (${perExchange}); fetched in ${seconds(fetchMs)}, stored in ${seconds(storeMs)}`,
    );

    // Older lists go after the switch, in batches too; a failure here only leaves rows no lookup reads.
    await this.store
      .deleteListsBefore(listId)
      .catch((error) => this.logger.warn(`instruments: older lists not deleted yet (${errorText(error)}); retried after the next load`));
    return { listDay, rows: rows.length, byExchange, skipped, duplicates, fetchMs, storeMs, trigger };
  }

  private async warnFailure(reason: string): Promise<void> {
    const due = this.dueDay();
    let list: InstrumentList | null = null;
    try {
      list = await this.store.currentList();
    } catch {
      // the store itself is failing: say what we know
    }
    const keeping = list
      ? `STILL USING ${list.listDay}'s list (${count(list.rows)} rows): contracts listed since are unknown to lookups, and lot and tick checks use that day's sizes`
      : 'NO instrument list at all: lookups find nothing, so hedges cannot pick strikes and legs are not checked for lot and tick';
    const retry = this.settings.autoload && !this.stopping ? `; retrying every ${RETRY_AFTER_FAILURE_MS / 60_000} min and after a login` : '';
    this.logger.warn(`could not load the instrument list for ${due}: ${reason}. ${keeping}${retry} (or: npm run instruments -- refresh)`);
  }
}
