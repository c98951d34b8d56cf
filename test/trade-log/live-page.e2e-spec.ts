import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { legTag } from '../../src/broker/leg-tag';
import { LiveFeed } from '../../src/live/live-feed.service';
import { KillSwitchService } from '../../src/rails/kill-switch.service';
import type { KiteSimulator } from '../../src/simulator';
import { roundMoney } from '../../src/trade-log/pnl';
import { istToday } from '../../src/market/ist-time';
import { engineEnv, omsOrdersTagged, startEngine, startSimulator } from '../helpers/engine-with-simulator';
import { launchChromium, openPage } from '../helpers/chromium';
import { eventually } from '../helpers/eventually';
import { tempDir, TestApp } from '../helpers/test-app';
import { kiteFor, place, sbinBuy } from '../simulator/kite-client';

const TOKEN = 'trade-log-live-page-token';
const RAILS_TOKEN = 'rails-live-page-token-01';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/**
 * The live /trades page in headless Chromium against a real engine (two-leg strategy) and the Kite simulator: orders
 * change through real postbacks and the page follows without a reload; the kill switch is tripped from the page.
 */
jest.setTimeout(60_000);

describe('live trade-log page in headless Chromium', () => {
  const tmp = tempDir('legwork-trades-live-page-');
  let sim: KiteSimulator;
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    // Postbacks for OPEN orders too (Kite sends them for status changes), and Kite's WebSocket order stream.
    sim = await startSimulator({ postbackOnOpen: true });
    t = await startEngine(
      sim,
      engineEnv(sim, tmp.dir, {
        STRATEGIES: 'two-leg',
        TWO_LEG_TARGET_POINTS: '5',
        TRADE_LOG_TOKEN: TOKEN,
        RAILS_TOKEN,
        KITE_WS_ORDER_UPDATES: 'true',
        KITE_WS_URL: sim.wsUrl,
      }),
    );
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sim?.stop();
    tmp.cleanup();
  });

  const open = (path: string) => openPage(browser, `${base}${path}`, 'body[data-state="ready"][data-live="open"]');

  const text = (page: Page, selector: string) => page.$eval(selector, (n) => n.textContent);
  const attribute = (page: Page, selector: string, name: string) => page.$eval(selector, (n, a) => n.getAttribute(a), name);
  const stepBadge = (chainId: string, step: string) => `article.chain[data-chain-id="${chainId}"] li.step[data-step="${step}"] .badge`;

  it('follows an order through real postbacks without a reload: timeline, marks, positions, P&L chart, order rate, engine state', async () => {
    const today = istToday();
    const { page, errors, navigations } = await open(`/trades?token=${TOKEN}`);

    // The engine's state at the top.
    expect(await text(page, '#engine-mode')).toBe('PAPER mode');
    expect(await text(page, '#engine-instance')).toBe('single instance');
    expect(await text(page, '#engine-kill-switch')).toBe('kill switch armed');
    await page.waitForSelector('#engine-order-stream[data-connected="true"]');
    expect(await text(page, '#engine-order-stream')).toBe('Kite order stream connected');
    expect(await attribute(page, '#engine-inbox', 'data-backlog')).toBe('0');
    expect(await attribute(page, '#engine-reconcile', 'data-reconcile')).toBe('boot'); // the engine reconciled at start
    expect(await text(page, '#live-status')).toBe('live');
    expect(await text(page, '#status')).toBe(`No chains on ${today}`);
    expect(await attribute(page, '#rate-chart', 'data-placed')).toBe('0');

    // An entry tagged for two-leg fills at Kite; its postbacks reach the engine, which places the exit leg.
    const { order_id: entry } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 10, product: 'MIS', tag: 'twoleg' }));
    const exitTag = legTag('two-leg', entry, 'exit');
    const exit = (await eventually(() => omsOrdersTagged(sim, exitTag)[0], 'the exit leg at Kite')).order_id;

    await page.waitForFunction(
      (a, b) => document.querySelector(a)?.textContent === 'COMPLETE' && document.querySelector(b)?.textContent === 'OPEN',
      { timeout: 20_000 },
      stepBadge(entry, 'entry'),
      stepBadge(entry, 'exit'),
    );
    await page.waitForSelector(`li.step[data-order-id="${exit}"].changed`);
    expect(await page.$(`article.chain[data-chain-id="${entry}"].changed`)).not.toBeNull();
    expect(await text(page, '#status')).toBe(`1 chain on ${today}`);

    const entryAverage = sim.getOrder(entry)!.average_price;
    await page.waitForSelector('#positions tr[data-symbol="SBIN"]');
    expect(await page.$$eval('#positions tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)))).toEqual([
      ['SBIN', '+10', entryAverage.toFixed(2), '10', '0', '0.00', '—'],
    ]);
    expect(await page.$$eval('#strategy-positions tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)))).toEqual([
      ['two-leg', 'SBIN', '+10', entryAverage.toFixed(2)],
    ]);
    await page.waitForSelector('#rate-chart[data-placed="1"][data-peak="1"][data-limit="400"] canvas');
    expect(await text(page, '#rate-summary')).toMatch(/^Busiest minute \d\d:\d\d: 1 of 400 allowed\. Sent on \d{4}-\d\d-\d\d: 1 placement, 0 modifications/);
    await page.waitForSelector('#engine-orders[data-today="1"][data-per-minute="1"]');

    // The market reaches the target: the exit fills and the chain's P&L is realised.
    sim.setPrice('SBIN', sim.getOrder(exit)!.price);
    await page.waitForFunction((a) => document.querySelector(a)?.textContent === 'COMPLETE', {}, stepBadge(entry, 'exit'));
    const realised = roundMoney((sim.getOrder(exit)!.average_price - entryAverage) * 10).toFixed(2);
    await page.waitForSelector(`#pnl-chart[data-total="${realised}"][data-series="two-leg=${realised}"] canvas`);
    expect(await text(page, '#pnl-total')).toBe(realised);
    expect(await attribute(page, `article.chain[data-chain-id="${entry}"] .pnl`, 'data-realised')).toBe(realised);
    await page.waitForSelector('#positions tr[data-symbol="SBIN"].flat');
    expect(await text(page, '#positions tr[data-symbol="SBIN"] td.net')).toBe('0');

    expect(navigations()).toBe(1); // never reloaded
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'trade-log-live.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reconnects after the stream drops, resuming from its Last-Event-ID', async () => {
    const { page, errors } = await open(`/trades?token=${TOKEN}`);
    expect(await attribute(page, 'body', 'data-resync')).toBe('connected');

    t.app.get(LiveFeed).endStreams(); // what an engine restart does to the page's connection
    await page.waitForSelector('body[data-live="open"][data-resync="resumed"]'); // the browser sent its Last-Event-ID

    // Still live: a new order shows up.
    const { order_id: entry } = await place(kiteFor(sim), sbinBuy({ order_type: 'MARKET', price: 0, quantity: 2, product: 'MIS', tag: 'twoleg' }));
    await page.waitForFunction((a) => document.querySelector(a)?.textContent === 'COMPLETE', {}, stepBadge(entry, 'entry'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('trips the kill switch only with the rails token, asked for in a confirmation dialog; the trade-log token cannot', async () => {
    const killSwitch = t.app.get(KillSwitchService);
    const { page, errors } = await open(`/trades?token=${TOKEN}`);
    const sent: Array<string | undefined> = [];
    page.on('request', (r: HTTPRequest) => r.url().endsWith('/rails/kill-switch') && sent.push(r.headers().authorization));

    const attempt = async (token: string) => {
      await page.$eval('#trip-token', (input) => ((input as HTMLInputElement).value = ''));
      if (token) await page.type('#trip-token', token);
      await page.click('#trip-confirm');
    };
    await page.click('#trip-open');
    await page.waitForSelector('dialog#trip-dialog[open]');
    await page.type('#trip-reason', 'stopped from the page');

    // Nothing typed: the page does not fall back on the token it was opened with.
    await attempt('');
    await page.waitForFunction(() => !(document.querySelector('#trip-error') as HTMLElement).hidden);
    expect(await text(page, '#trip-error')).toBe('401: the rails endpoints need Authorization: Bearer <RAILS_TOKEN>');

    // The read-only trade-log token is refused.
    await page.$eval('#trip-error', (n) => ((n as HTMLElement).hidden = true));
    await attempt(TOKEN);
    await page.waitForFunction(() => !(document.querySelector('#trip-error') as HTMLElement).hidden);
    expect(await text(page, '#trip-error')).toBe('401: wrong rails token');
    expect((await killSwitch.status()).tripped).toBe(false);

    // The rails token trips it.
    await attempt(RAILS_TOKEN);
    await page.waitForSelector('dialog#trip-dialog:not([open])');
    await page.waitForSelector('#engine-kill-switch[data-tripped="true"]');
    expect(await text(page, '#engine-kill-switch')).toMatch(/^KILL SWITCH TRIPPED: stopped from the page \(http /);
    expect(await killSwitch.status()).toMatchObject({ tripped: true, reason: 'stopped from the page', changedBy: 'http' });
    expect(await page.$eval('#trip-open', (b) => (b as HTMLButtonElement).disabled)).toBe(true);

    expect(sent).toEqual([undefined, `Bearer ${TOKEN}`, `Bearer ${RAILS_TOKEN}`]);
    // The rails token was used for that one request and is kept nowhere.
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, (document.querySelector('#trip-token') as HTMLInputElement).value])).toEqual([
      0,
      0,
      '',
    ]);
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]); // the two refusals are logged by the browser
    await killSwitch.rearm('test');
    await page.close();
  });
});
