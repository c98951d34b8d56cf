/**
 * npm run reconcile — ask a running engine to reconcile with Kite's order book now, and show the recovered updates
 * being processed (a progress bar in a terminal, a line per second otherwise) until the inbox has drained.
 */
import { Command } from 'commander';
import { cliConfig, engineUrl } from './cli-config';
import { progressBar } from './progress';

interface Summary {
  trigger: string;
  omsOrders: number;
  updatesQueued: number;
  durationMs: number;
}

async function backlog(base: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/health/ready`, { headers });
  const body = (await res.json()) as { details?: { inbox?: { backlog?: number } } };
  const value = body.details?.inbox?.backlog;
  if (typeof value !== 'number') throw new Error(`${base}/health/ready did not report the inbox backlog`);
  return value;
}

export async function reconcileNow(options: { url: string; token?: string; timeoutSeconds: number; print: (line: string) => void }): Promise<Summary> {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  let res: Response;
  try {
    res = await fetch(`${base}/reconcile`, { method: 'POST', headers });
  } catch {
    throw new Error(`no engine answering at ${base} (start it with npm start, or pass --url)`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /reconcile answered ${res.status}: ${text}`);
  const summary = JSON.parse(text) as Summary;
  options.print(`Kite's book: ${summary.omsOrders} order(s); ${summary.updatesQueued} update(s) the store lacked (read in ${summary.durationMs} ms)`);
  if (summary.updatesQueued === 0) return summary;

  const bar = progressBar('processing', summary.updatesQueued);
  const start = await backlog(base, headers);
  let done = 0;
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let lastLine = 0;
  for (;;) {
    const left = await backlog(base, headers);
    const now = Math.max(0, Math.min(summary.updatesQueued, start - left));
    if (now > done) bar.tick(now - done);
    done = now;
    if (left === 0) break;
    if (!process.stderr.isTTY && Date.now() - lastLine > 1000) {
      options.print(`processing: ${left} update(s) still in the inbox`);
      lastLine = Date.now();
    }
    if (Date.now() > deadline) {
      bar.stop();
      throw new Error(`still ${left} update(s) in the inbox after ${options.timeoutSeconds} s; the engine keeps processing them`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (done < summary.updatesQueued) bar.tick(summary.updatesQueued - done);
  bar.stop();
  options.print('done: the store is level with Kite; strategies have seen the recovered events');
  return summary;
}

export async function main(argv = process.argv): Promise<number> {
  const config = cliConfig('reconcile');
  const o = new Command()
    .name('npm run reconcile --')
    .description("Reconcile a running engine with Kite's order book now and wait until the recovered updates are processed")
    .option('--url <url>', 'the engine', engineUrl(config.http))
    .option('--token <token>', 'TRADE_LOG_TOKEN, if the engine requires one', config.tradeLog.token)
    .option('--timeout <seconds>', 'stop waiting after', (v) => Number(v), 120)
    .parse(argv)
    .opts<{ url: string; token?: string; timeout: number }>();
  try {
    await reconcileNow({ url: o.url, token: o.token, timeoutSeconds: o.timeout, print: (line) => console.log(line) });
    return 0;
  } catch (error) {
    console.error(`reconcile: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) void main().then((code) => (process.exitCode = code));
