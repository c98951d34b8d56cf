import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium, openPage } from '../helpers/chromium';
import { createTestApp, tempDir, testEnv, TestApp } from '../helpers/test-app';
import { CHAIN_A, CHAIN_B, CHAIN_C, DAY, LEG_ERROR, REJECTION, seedTradeLog } from './seed';

const TOKEN = 'trade-log-page-token-0123';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** The /trades page in real headless Chromium, against the engine serving the seeded trade log. */
describe('trade-log page in headless Chromium', () => {
  const tmp = tempDir('legwork-trades-page-');
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    await seedTradeLog(tmp.dir);
    t = await createTestApp(testEnv(tmp.dir, { RECONCILE_ON_BOOT: 'false', TRADE_LOG_TOKEN: TOKEN }), { listen: true });
    base = await t.app.getUrl(); // http://127.0.0.1:<port>
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    tmp.cleanup();
  });

  const open = (path: string) => openPage(browser, `${base}${path}`, 'body[data-state="ready"], body[data-state="error"]');

  it("shows the day's chains as timelines, P&L per strategy, rejections and failed legs; saves a screenshot", async () => {
    const { page, errors } = await open(`/trades?date=${DAY}&token=${TOKEN}`);
    expect(await page.$eval('body', (b) => b.getAttribute('data-state'))).toBe('ready');

    const chains = await page.$$eval('article.chain', (nodes) =>
      nodes.map((n) => ({
        id: n.getAttribute('data-chain-id'),
        strategy: n.getAttribute('data-strategy'),
        realised: n.querySelector('.pnl')?.getAttribute('data-realised'),
        steps: [...n.querySelectorAll('li.step')].map((s) => `${s.getAttribute('data-step')}:${s.querySelector('.badge')?.textContent}`),
      })),
    );
    expect(chains).toEqual([
      { id: CHAIN_A, strategy: 'breakout', realised: '199.00', steps: ['entry:COMPLETE', 'stoploss:CANCELLED', 'target:COMPLETE'] },
      { id: CHAIN_B, strategy: 'breakout', realised: '-52.00', steps: ['entry:COMPLETE', 'stoploss:COMPLETE', 'target:REJECTED'] },
      { id: CHAIN_C, strategy: 'hedger', realised: '525.00', steps: ['entry:COMPLETE', 'hedge:COMPLETE', 'exit:OPEN', 'rehedge:leg failed'] },
    ]);

    const strategies = await page.$$eval('#pnl-strategies tbody tr', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(strategies).toEqual([
      ['breakout', '2', '0', '15', '147.00'],
      ['hedger', '1', '1', '50', '525.00'],
    ]);
    expect(await page.$eval('#pnl-total', (n) => n.textContent)).toBe('672.00');

    const problems = await page.$$eval('#problem-list li', (items) => items.map((i) => i.textContent));
    expect(problems).toEqual([
      `2026-11-25 10:15:02 · breakout · target 251125000000006 REJECTED: ${REJECTION}`,
      `2026-11-25 14:45:01 · hedger · leg rehedge failed: InputException: ${LEG_ERROR}`,
    ]);
    expect(await page.$eval('#status', (n) => n.textContent)).toBe(`3 chains on ${DAY}`);

    // One order's state history, loaded from /api/trade-log/orders/:id (with the token as a Bearer header).
    await page.click(`details.history[data-order-id="${CHAIN_A}"] summary`);
    await page.waitForSelector(`details.history[data-order-id="${CHAIN_A}"][data-loaded="true"]`);
    const history = await page.$$eval(`details.history[data-order-id="${CHAIN_A}"] table.events tbody tr`, (rows) =>
      rows.map((r) => [...r.children].map((c) => c.textContent)),
    );
    expect(history).toEqual([
      ['2026-11-25 09:20:00', 'order.opened', 'OPEN', '0', 'postback', ''],
      ['2026-11-25 09:20:05', 'order.filled', 'OPEN', '4', 'postback', '4 @ 1499.50 (cum. 4)'],
      ['2026-11-25 09:20:06', 'order.filled', 'COMPLETE', '10', 'postback', '6 @ 1500.50 (cum. 10)'],
      ['2026-11-25 09:20:06', 'order.completed', 'COMPLETE', '10', 'postback', ''],
    ]);

    // Every history open, for the screenshot.
    await page.click('#expand-all');
    await page.waitForFunction(() => [...document.querySelectorAll('details.history')].every((d) => d.getAttribute('data-loaded') === 'true'));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0)); // the engine's state bar is sticky: keep it at the top of the picture
    await page.screenshot({ path: join(ARTIFACTS, 'trade-log.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows another day from the date picker', async () => {
    const { page } = await open(`/trades?date=2026-11-24&token=${TOKEN}`);
    expect(await page.$$eval('article.chain', (n) => n.map((c) => c.getAttribute('data-chain-id')))).toEqual(['241124000000001']);
    expect(await page.$eval('#date', (n) => (n as HTMLInputElement).value)).toBe('2026-11-24');
    expect(await page.$$eval('#days option', (o) => o.map((x) => x.textContent))).toEqual(['days with orders…', DAY, '2026-11-24']);
    await page.close();
  });

  it('says why when the API refuses the token', async () => {
    const page = await browser.newPage();
    // The page itself opened with basic auth; a wrong ?token= then reaches the API as a wrong Bearer token.
    await page.authenticate({ username: 'me', password: TOKEN });
    await page.goto(`${base}/trades?date=${DAY}&token=wrong`);
    await page.waitForSelector('body[data-state="error"]');
    expect(await page.$eval('#error', (n) => n.textContent)).toBe('401: wrong trade-log token');
    await page.close();
  });
});
