#!/usr/bin/env node
/**
 * Record, replay and send postbacks.
 *
 *   npm run postbacks -- send --url http://127.0.0.1:3000/kite/postback [--file p.json] [--set status=COMPLETE]
 *   npm run postbacks -- export --date 2026-11-25 [--db data/legwork.sqlite] [--out day.jsonl]
 *   npm run postbacks -- replay --file day.jsonl --db fresh.sqlite          (into a fresh trade log)
 *   npm run postbacks -- replay --file day.jsonl --url http://host/kite/postback [--resign]
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { cliConfig } from './cli-config';
import { applyOverrides, sendPostback, signPostback } from './postback-client';
import { exportPostbacks, readPostbackLog, replayIntoDatabase } from './postback-log';
import { progressBar } from './progress';

const config = cliConfig('postbacks');
const SAMPLE = join(__dirname, '..', '..', 'test', 'fixtures', 'kite-postback.json');

const program = new Command('postbacks').description('Send, export and replay Kite order postbacks').showHelpAfterError();

program
  .command('send')
  .description('send signed postbacks to any URL (like `stripe trigger`), to test a deployment end to end')
  .option('--url <url>', 'where to send', `http://127.0.0.1:${config.http.port}${config.postback.path}`)
  .option('--secret <secret>', 'api_secret to sign with (default: KITE_API_SECRET or the paper secret)')
  .option('--file <path>', "a postback template (JSON object), or a .jsonl export to send line by line (default: Kite's sample)")
  .option('--set <key=value...>', 'override fields of the template (e.g. status=COMPLETE filled_quantity=1)', [])
  .option('--no-sign', 'send the checksum as it is in the file')
  .action(async (opts: { url: string; secret?: string; file?: string; set: string[]; sign: boolean }) => {
    const secret = opts.secret ?? config.kite.apiSecret;
    const path = opts.file ?? SAMPLE;
    const bodies = path.endsWith('.jsonl')
      ? readPostbackLog(path).map((r) => JSON.parse(r.rawBody) as Record<string, unknown>)
      : [JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>];
    let failed = 0;
    for (const template of bodies) {
      const payload = applyOverrides(template, opts.set);
      const body = JSON.stringify(opts.sign ? signPostback(payload, secret) : payload);
      const result = await sendPostback(opts.url, body);
      if (result.status !== 200) failed++;
      console.log(`${result.status || 'ERR'} order ${String(payload.order_id)} ${String(payload.status)} → ${result.body}`);
    }
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('export')
  .description("export a day's raw postbacks (as received, from the inbox) as JSON lines")
  .requiredOption('--date <yyyy-mm-dd>', 'the day to export (by receive time, UTC)')
  .option('--db <path>', 'trade log', config.database.path)
  .option('--out <file>', 'output file (default: stdout)')
  .action(async (opts: { date: string; db: string; out?: string }) => {
    const file = opts.out ? createWriteStream(opts.out) : null;
    const count = await exportPostbacks(opts.db, opts.date, file ?? process.stdout, progressBar);
    if (file) await new Promise<void>((resolve) => file.end(() => resolve()));
    console.error(`exported ${count} postback(s) from ${opts.date}${opts.out ? ` to ${opts.out}` : ''}`);
  });

program
  .command('replay')
  .description('replay an export into a fresh trade log, or against a running engine')
  .requiredOption('--file <path>', 'a .jsonl export')
  .addOption(new Option('--db <path>', 'replay into this (new) SQLite trade log through the real pipeline').conflicts('url'))
  .addOption(new Option('--url <url>', 'POST each postback to a running engine').conflicts('db'))
  .option('--resign', 're-sign each postback with --secret (or KITE_API_SECRET) before sending')
  .option('--secret <secret>', 'api_secret for --resign')
  .action(async (opts: { file: string; db?: string; url?: string; resign?: boolean; secret?: string }) => {
    const records = readPostbackLog(opts.file);
    if (opts.db) {
      const summary = await replayIntoDatabase(records, opts.db, progressBar);
      console.error(`replayed ${records.length} postback(s) into ${opts.db}: ${JSON.stringify(summary)}`);
      return;
    }
    if (!opts.url) throw new Error('replay needs --db or --url');
    const bar = progressBar('replay', records.length);
    const statuses: Record<string, number> = {};
    for (const record of records) {
      const body = opts.resign ? JSON.stringify(signPostback(JSON.parse(record.rawBody), opts.secret ?? config.kite.apiSecret)) : record.rawBody;
      const { status } = await sendPostback(opts.url, body);
      statuses[status] = (statuses[status] ?? 0) + 1;
      bar.tick();
    }
    bar.stop();
    console.error(`replayed ${records.length} postback(s) to ${opts.url}: ${JSON.stringify(statuses)}`);
    process.exitCode = Object.keys(statuses).every((s) => s === '200') ? 0 : 1;
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
