/**
 * Baseline for the reconcile bench, run as its own process so it is measured like the engine (a separate process
 * talking to the simulator over loopback): the bare getOrders + getTrades fetch through kiteconnect, in parallel as
 * the reconcile does it. Prints one JSON line: { coldMs, warmMs[], orders, trades }.
 *   KITE_ROOT_URL, KITE_API_KEY, KITE_ACCESS_TOKEN, REPEAT (default 3)
 */
import { performance } from 'node:perf_hooks';
import { KiteConnect } from 'kiteconnect';

async function main(): Promise<void> {
  const kite = new KiteConnect({
    api_key: process.env.KITE_API_KEY!,
    access_token: process.env.KITE_ACCESS_TOKEN!,
    root: process.env.KITE_ROOT_URL!,
    timeout: 60_000,
  });
  const once = async () => {
    const started = performance.now();
    const [orders, trades] = await Promise.all([kite.getOrders(), kite.getTrades()]);
    return { ms: performance.now() - started, orders: orders.length, trades: trades.length };
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < Number(process.env.REPEAT ?? 3); i++) warm.push(Math.round((await once()).ms));
  process.stdout.write(`${JSON.stringify({ coldMs: Math.round(cold.ms), warmMs: warm, orders: cold.orders, trades: cold.trades })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
