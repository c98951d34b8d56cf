/**
 * npm run demo — against an engine started with `npm start` in paper mode: places a tagged entry order in the paper
 * account through the engine, then follows the chain in the trade log as it happens: entry placed → postbacks →
 * fills → the two-leg strategy's exit leg → the paper market moved to its target → its fills → the chain's P&L.
 */
import { Command, InvalidArgumentError } from 'commander';
import { cliConfig, engineUrl } from './cli-config';

interface OrderDetail {
  order: {
    orderId: string;
    status: string;
    filledQuantity: number;
    quantity: number;
    averagePrice: number;
    transactionType: string;
    tradingsymbol: string;
    price: number;
    orderType: string;
    statusMessage: string | null;
  };
  events: Array<{
    id: number;
    type: string;
    status: string;
    source: string;
    reason: string | null;
    fill: { quantity: number; price: number; cumulativeQuantity: number } | null;
  }>;
}
interface LegRow {
  legName: string;
  status: string;
  orderId: string | null;
  tag: string;
  lastError: string | null;
  request: { transaction_type: string; quantity: number; order_type: string; price?: number; tradingsymbol: string };
}
interface ChainView {
  chainId: string;
  timeline: Array<{ kind: 'entry' | 'leg'; leg: LegRow | null }>;
  pnl: { realised: number; openQuantity?: number } & Record<string, unknown>;
}

export interface DemoOptions {
  url: string;
  symbol: string;
  quantity: number;
  timeoutSeconds: number;
  token?: string;
  /** Where lines go (the terminal; tests capture them). */
  print: (line: string) => void;
}

class DemoError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = () => new Date().toISOString().slice(11, 23);

export async function runDemo(options: DemoOptions): Promise<{ entry: string; exit: string }> {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  const say = (line: string) => options.print(`${clock()}  ${line}`);

  async function call<T>(method: string, path: string, body?: unknown, root = base): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
    } catch {
      throw new DemoError(
        root === base
          ? `no engine answering at ${base}: start it first with \`npm start\` (paper mode), or pass --url`
          : `the paper simulator at ${root} does not answer`,
      );
    }
    const text = await res.text();
    if (res.status === 404 && path === '/paper')
      throw new DemoError(`${base} is not a legwork engine in paper mode: the demo only runs against paper mode (npm start with no Kite credentials)`);
    if (res.status === 401 || res.status === 403) throw new DemoError(`${base}${path} refused access (${res.status}); pass --token <TRADE_LOG_TOKEN>`);
    if (!res.ok) throw new DemoError(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    const parsed = JSON.parse(text) as { status?: string; data?: unknown };
    // The simulator answers in Kite's envelope ({ status: 'success', data }); the engine answers plain JSON.
    return (root === base ? parsed : parsed.data) as T;
  }

  const deadline = Date.now() + options.timeoutSeconds * 1000;
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new DemoError(`gave up after ${options.timeoutSeconds} s waiting for ${what}; see the engine's log`);
      await sleep(150);
    }
  }

  /** Prints each order event once, as the engine records it. */
  const printed = new Set<number>();
  async function follow(orderId: string, label: string): Promise<OrderDetail | undefined> {
    let detail: OrderDetail;
    try {
      detail = await call<OrderDetail>('GET', `/api/trade-log/orders/${orderId}`);
    } catch (error) {
      if (error instanceof DemoError && / 404:/.test(error.message)) return undefined; // not stored yet
      throw error;
    }
    for (const event of detail.events) {
      if (printed.has(event.id)) continue;
      printed.add(event.id);
      const what = event.fill
        ? `filled ${event.fill.quantity} @ ${event.fill.price ?? '(price pending)'} (${event.fill.cumulativeQuantity}/${detail.order.quantity})`
        : event.type === 'order.rejected'
          ? `REJECTED: ${event.reason}`
          : event.status;
      say(`  ${label} ${orderId}  ${event.type.padEnd(15)} ${what}   [via ${event.source}]`);
    }
    return detail;
  }

  const paper = await call<{ simulatorUrl: string; strategies: Array<{ name: string }> }>('GET', '/paper');
  if (!paper.strategies.some((s) => s.name === 'two-leg')) {
    throw new DemoError(
      `the two-leg strategy is not running in this engine (running: ${paper.strategies.map((s) => s.name).join(', ') || 'none'}); start it with STRATEGIES=all`,
    );
  }
  say(`engine ${base} in PAPER mode; simulator ${paper.simulatorUrl}; strategies: ${paper.strategies.map((s) => s.name).join(', ')}`);

  const state = await call<{ prices?: Record<string, number> }>('GET', '/_sim/state', undefined, paper.simulatorUrl);
  const market = state.prices?.[options.symbol] ?? 0;
  // A marketable LIMIT a little above the market: it fills at once, in the simulator's partial steps.
  const price = market > 0 ? Math.round((market + 0.5) * 20) / 20 : undefined;
  const { order_id: entry } = await call<{ order_id: string }>('POST', '/paper/orders', {
    exchange: 'NSE',
    tradingsymbol: options.symbol,
    transaction_type: 'BUY',
    quantity: options.quantity,
    ...(price ? { order_type: 'LIMIT', price } : { order_type: 'MARKET' }),
    product: 'MIS',
    tag: 'twoleg',
  });
  say(`entry placed: BUY ${options.quantity} ${options.symbol} ${price ? `LIMIT ${price}` : 'MARKET'} tag=twoleg → order ${entry}`);

  const entryDone = await until('the entry to complete', async () => {
    const d = await follow(entry, 'entry');
    if (d && ['REJECTED', 'CANCELLED'].includes(d.order.status)) throw new DemoError(`the entry was ${d.order.status}: ${d.order.statusMessage ?? ''}`);
    return d?.order.status === 'COMPLETE' ? d : undefined;
  });
  say(`entry COMPLETE: ${entryDone.order.filledQuantity} @ average ${entryDone.order.averagePrice}`);

  const exitLeg = await until('the two-leg strategy to place the exit leg', async () => {
    const { chains } = await call<{ chains: ChainView[] }>('GET', `/api/trade-log/chains?chain=${entry}`);
    const leg = chains.find((c) => c.chainId === entry)?.timeline.find((i) => i.kind === 'leg' && i.leg?.legName === 'exit')?.leg;
    if (leg?.status === 'failed') throw new DemoError(`the exit leg failed: ${leg.lastError}`);
    return leg?.status === 'placed' && leg.orderId ? leg : undefined;
  });
  const r = exitLeg.request;
  say(
    `exit leg placed by two-leg: ${r.transaction_type} ${r.quantity} ${r.tradingsymbol} ${r.order_type} ${r.price ?? ''} tag=${exitLeg.tag} → order ${exitLeg.orderId}`,
  );

  const target = Number(r.price);
  say(`moving the paper market to ${target + 0.05} so the target fills`);
  await call('POST', '/_sim/price', { tradingsymbol: options.symbol, price: target + 0.05 }, paper.simulatorUrl);

  await until('the exit to fill', async () => {
    const d = await follow(exitLeg.orderId!, 'exit ');
    return d?.order.status === 'COMPLETE' ? d : undefined;
  });
  const { chains } = await call<{ chains: ChainView[] }>('GET', `/api/trade-log/chains?chain=${entry}`);
  const pnl = chains.find((c) => c.chainId === entry)?.pnl;
  say(`chain ${entry} closed. realised P&L: ${pnl ? Number(pnl.realised).toFixed(2) : '?'}`);
  say(`see it in the trade log: ${base}/trades   or: npm run trades -- chain ${entry}`);
  return { entry, exit: exitLeg.orderId! };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

export async function main(argv = process.argv): Promise<number> {
  const config = cliConfig('demo');
  const program = new Command()
    .name('npm run demo --')
    .description('Place a tagged entry in paper mode and watch the two-leg chain happen')
    .option('--url <url>', 'the engine', engineUrl(config.http))
    .option('--symbol <tradingsymbol>', 'NSE symbol to trade', 'SBIN')
    .option('--quantity <n>', 'entry quantity', positiveInt, 10)
    .option('--timeout <seconds>', 'give up after', positiveInt, 60)
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one', config.tradeLog.token)
    .parse(argv);
  const o = program.opts<{ url: string; symbol: string; quantity: number; timeout: number; token?: string }>();
  try {
    await runDemo({ url: o.url, symbol: o.symbol, quantity: o.quantity, timeoutSeconds: o.timeout, token: o.token, print: (line) => console.log(line) });
    return 0;
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
