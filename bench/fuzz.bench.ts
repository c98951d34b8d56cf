/**
 * Ingress fuzz: thousands of malformed postbacks, generated with fast-check from a seed, against the engine running
 * as its own process. Categories: random bytes, deeply nested JSON, bodies over the limit (with and without a
 * Content-Length), wrong types in the fields the route reads, missing required fields, forged checksums, wrong
 * content types (form fields, multipart, XML), empty bodies. Asserted:
 *   - the engine never goes down (GET /health answers between batches and at the end; the process is alive);
 *   - every body gets the 4xx its category calls for (400 unreadable, 403 not signed by us, 413 too large);
 *     anything else is recorded by category with samples (fatal only with --strict / BENCH_FUZZ_STRICT=1);
 *   - nothing reaches the store (inbox, orders, order_events, fills unchanged) and no domain event is published
 *     (the events counter on /metrics unchanged).
 *
 *   npm run bench:fuzz                    # 4,000 bodies
 *   npm run bench:fuzz -- --smoke         # 400 bodies (CI); or BENCH_SMOKE=1
 *   BENCH_FUZZ_RUNS=20000 BENCH_SEED=42 npm run bench:fuzz -- --strict
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { postbackChecksum } from '../src/common/kite-checksum';
import sample from '../test/fixtures/kite-postback.json';
import { freePort } from '../test/helpers/engine-process';
import { openStoreReadOnly, spawnEngine, storeCounts } from './lib/engine-child';
import { isSmoke, writeResults } from './lib/results';

const SECRET = 'bench-fuzz-secret-0123';
const LIMIT_BYTES = 64 * 1024;
const smoke = isSmoke();
const RUNS = Number(process.env.BENCH_FUZZ_RUNS ?? (smoke ? 400 : 4000));
const SEED = Number(process.env.BENCH_SEED ?? Date.now() % 1_000_000);
const CONCURRENCY = 8;
/** Also fail (exit 1) on unexpected statuses, not only on crashes and on anything stored or published. */
const STRICT = process.argv.includes('--strict') || process.env.BENCH_FUZZ_STRICT === '1';

/** One malformed request and the statuses its category allows. */
interface Case {
  category: string;
  body: Uint8Array | string | (() => ReadableStream<Uint8Array>);
  contentType?: string;
  expect: number[];
}

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';
const signed = (fields: Record<string, unknown>) => ({
  ...fields,
  checksum: postbackChecksum(String(fields.order_id), String(fields.order_timestamp), SECRET),
});
const base = (): Record<string, unknown> => ({ ...sample, order_id: '9100000000000000001', order_timestamp: '2026-11-25 09:15:00', status: 'COMPLETE' });

/** A value of any JSON type other than a non-empty string (what order_id / order_timestamp / status must be). */
const notAString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isSafeInteger(n)),
  fc.constant(''),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const contentTypes = fc.constantFrom(
  FORM,
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/xml',
  'multipart/form-data; boundary=x',
  undefined,
);

const categories: Record<string, fc.Arbitrary<Case>> = {
  'random bytes': fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 4096 }), contentTypes).map(([bytes, contentType]) => ({
    category: 'random bytes',
    body: bytes,
    contentType,
    expect: [400],
  })),
  'deeply nested JSON': fc
    .tuple(fc.integer({ min: 500, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.boolean(), contentTypes)
    .map(([depth, open, wrapInPostback, contentType]) => {
      const close = open === '[' ? ']' : '}';
      const size = Math.min(depth, Math.floor((LIMIT_BYTES - 2_000) / (open.length + close.length)));
      const nested = `${open.repeat(size)}1${close.repeat(size)}`;
      // Nested where the route reads a string (order_id), or as the whole body: either way unreadable.
      const body = wrapInPostback ? JSON.stringify(signed(base())).replace('"order_id":"9100000000000000001"', `"order_id":${nested}`) : nested;
      return { category: 'deeply nested JSON', body, contentType, expect: [400] };
    }),
  'over the body limit': fc
    .tuple(fc.integer({ min: LIMIT_BYTES + 1, max: LIMIT_BYTES * 8 }), fc.boolean(), contentTypes)
    .map(([size, chunked, contentType]) => {
      const valid = JSON.stringify({ ...signed(base()), padding: '' });
      const text = valid.replace('"padding":""', `"padding":"${'x'.repeat(Math.max(0, size - valid.length))}"`);
      const bytes = new TextEncoder().encode(text);
      // Chunked (no Content-Length): the limit must hold while streaming, not only on the declared length.
      const body = chunked
        ? () =>
            new ReadableStream<Uint8Array>({
              start(controller) {
                for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.subarray(i, i + 16_384));
                controller.close();
              },
            })
        : text;
      return { category: 'over the body limit', body, contentType, expect: [413] };
    }),
  'wrong types': fc.tuple(fc.constantFrom('order_id', 'order_timestamp', 'status'), notAString, contentTypes).map(([field, value, contentType]) => {
    // Signed over what a sender would have hashed, so only the type is wrong.
    const fields = signed(base());
    return { category: 'wrong types', body: JSON.stringify({ ...fields, [field]: value }), contentType, expect: [400] };
  }),
  'wrong types, validly signed': fc
    .tuple(
      fc.constantFrom('quantity', 'filled_quantity', 'pending_quantity', 'cancelled_quantity', 'price', 'trigger_price', 'average_price'),
      fc.oneof(
        fc.constant('abc'),
        fc.constant('1e999'),
        fc.constant('NaN'),
        fc.array(fc.integer(), { minLength: 2, maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
      ),
      contentTypes,
    )
    .map(([field, value, contentType]) => {
      // The checksum covers only order_id + order_timestamp, so a body with a non-numeric quantity is correctly signed.
      const fields = signed({ ...base(), order_id: '9100000000000000003' });
      return { category: 'wrong types, validly signed', body: JSON.stringify({ ...fields, [field]: value }), contentType, expect: [400] };
    }),
  'missing fields': fc
    .tuple(fc.subarray(['order_id', 'order_timestamp', 'status', 'checksum'], { minLength: 1 }), contentTypes)
    .map(([missing, contentType]) => {
      const fields: Record<string, unknown> = signed(base());
      for (const key of missing) delete fields[key];
      // Without order_id / order_timestamp / status the body is unreadable (400); with only the checksum gone, 403.
      return {
        category: 'missing fields',
        body: JSON.stringify(fields),
        contentType,
        expect: missing.length === 1 && missing[0] === 'checksum' ? [403] : [400],
      };
    }),
  'forged checksum': fc
    .tuple(
      fc.oneof(
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.string({ maxLength: 80 }).filter((s) => s !== ''),
        fc.constant(postbackChecksum('9100000000000000001', '2026-11-25 09:15:00', 'not-the-secret')),
        fc.constant(postbackChecksum('9100000000000000002', '2026-11-25 09:15:00', SECRET)), // another order's
        fc.constant(postbackChecksum('9100000000000000001', '2026-11-25 09:15:01', SECRET)), // another timestamp
        fc.constant(postbackChecksum('9100000000000000001', '2026-11-25 09:15:00', SECRET).slice(0, 63)),
        fc.integer(),
      ),
      contentTypes,
    )
    .map(([checksum, contentType]) => ({ category: 'forged checksum', body: JSON.stringify({ ...base(), checksum }), contentType, expect: [403] })),
  'wrong content type': fc.tuple(fc.constantFrom('form fields', 'multipart', 'xml', 'query string'), contentTypes).map(([shape, contentType]) => {
    const fields = signed(base());
    const pairs = Object.entries(fields).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
    const body =
      shape === 'form fields'
        ? pairs.join('&')
        : shape === 'multipart'
          ? `--x\r\nContent-Disposition: form-data; name="payload"\r\n\r\n${JSON.stringify(fields)}\r\n--x--\r\n`
          : shape === 'xml'
            ? `<?xml version="1.0"?><postback>${Object.entries(fields)
                .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
                .join('')}</postback>`
            : `?${pairs.join('&')}`;
    return { category: 'wrong content type', body, contentType: contentType ?? (shape === 'xml' ? 'application/xml' : FORM), expect: [400] };
  }),
  'odd JSON': fc
    .tuple(fc.constantFrom('__proto__', 'constructor', 'unsafe integer id', 'duplicate keys', 'array of postbacks'), contentTypes)
    .map(([shape, contentType]) => {
      const valid = JSON.stringify(signed(base()));
      const body =
        shape === '__proto__'
          ? `{"__proto__":${valid}}` // must not be read through the prototype
          : shape === 'constructor'
            ? `{"constructor":{"prototype":${valid}}}`
            : shape === 'unsafe integer id'
              ? valid.replace('"order_id":"9100000000000000001"', '"order_id":9100000000000000001') // beyond 2^53: never through a float
              : shape === 'duplicate keys'
                ? valid.replace('"status":"COMPLETE"', '"status":"COMPLETE","status":7')
                : `[${valid},${valid}]`;
      return { category: 'odd JSON', body, contentType, expect: [400] };
    }),
  'empty body': fc
    .tuple(fc.constantFrom('', ' ', '\r\n', '\t \n', '\u00a0'), contentTypes)
    .map(([body, contentType]) => ({ category: 'empty body', body, contentType, expect: [400] })),
};

interface CategoryResult {
  category: string;
  sent: number;
  statuses: Record<string, number>;
  unexpected: number;
  samples: Array<{ status: number | string; expected: number[]; contentType?: string; body: string }>;
}

async function send(url: string, c: Case): Promise<number | string> {
  const headers: Record<string, string> = {};
  if (c.contentType) headers['content-type'] = c.contentType;
  const streamed = typeof c.body === 'function';
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: streamed ? (c.body as () => ReadableStream<Uint8Array>)() : (c.body as string | Uint8Array),
      ...(streamed ? { duplex: 'half' } : {}),
    });
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    // The server may answer 413 and close before a large body is fully sent; undici then reports the write error.
    return `network error: ${(error as Error).cause ? String((error as { cause: unknown }).cause) : String(error)}`;
  }
}

async function eventsPublished(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => /^legwork_events_published_total[{ ]/.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'legwork-bench-fuzz-'));
  const db = join(dir, 'fuzz.sqlite');
  const port = await freePort();
  const engine = await spawnEngine(
    {
      LEGWORK_MODE: 'paper',
      PAPER_SIMULATOR: 'false',
      KITE_API_SECRET: SECRET,
      DATABASE_PATH: db,
      STRATEGIES: 'none',
      KITE_WS_ORDER_UPDATES: 'false',
      POSTBACK_BODY_LIMIT: '64kb',
      LOG_LEVEL: 'error',
    },
    port,
  );
  const postbackUrl = `${engine.url}/kite/postback`;
  const results: CategoryResult[] = [];
  let healthFailures = 0;
  try {
    const storeBefore = readCounts(db);
    const eventsBefore = await eventsPublished(engine.url);
    const names = Object.keys(categories);
    const perCategory = Math.ceil(RUNS / names.length);
    for (const [i, name] of names.entries()) {
      const cases = fc.sample(categories[name], { numRuns: perCategory, seed: SEED + i });
      const result: CategoryResult = { category: name, sent: 0, statuses: {}, unexpected: 0, samples: [] };
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length) {
            const c = cases[next++];
            const status = await send(postbackUrl, c);
            result.sent++;
            const key = String(status);
            result.statuses[key] = (result.statuses[key] ?? 0) + 1;
            // A 413 may surface as a reset connection when the server stops reading a large upload early.
            const ok =
              typeof status === 'number' ? c.expect.includes(status) : c.expect.includes(413) && /EPIPE|ECONNRESET|other side closed|socket/i.test(status);
            if (!ok) {
              result.unexpected++;
              if (result.samples.length < 5) result.samples.push({ status, expected: c.expect, contentType: c.contentType, body: preview(c.body) });
            }
          }
        }),
      );
      const healthy = await fetch(`${engine.url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) healthFailures++;
      results.push(result);
      console.log(
        `${name}: ${result.sent} sent, statuses ${JSON.stringify(result.statuses)}${result.unexpected ? `, ${result.unexpected} UNEXPECTED` : ''}${healthy ? '' : ', HEALTH CHECK FAILED'}`,
      );
    }
    const alive = engine.child.exitCode === null && engine.child.signalCode === null;
    const healthyAtEnd =
      alive &&
      (await fetch(`${engine.url}/health`).then(
        (r) => r.ok,
        () => false,
      ));
    const eventsAfter = alive ? await eventsPublished(engine.url) : NaN;
    await engine.stop();
    const storeAfter = readCounts(db);
    const storeUnchanged = JSON.stringify(storeBefore) === JSON.stringify(storeAfter);
    const sent = results.reduce((n, r) => n + r.sent, 0);
    const unexpected = results.reduce((n, r) => n + r.unexpected, 0);
    const accepted = results.reduce((n, r) => n + (r.statuses['200'] ?? 0), 0);
    const serverErrors = results.reduce(
      (n, r) =>
        n +
        Object.entries(r.statuses)
          .filter(([s]) => /^5\d\d$/.test(s))
          .reduce((m, [, c]) => m + c, 0),
      0,
    );
    const crashes = (healthyAtEnd ? 0 : 1) + healthFailures;

    console.log(`\nfuzz: ${sent} malformed postbacks (seed ${SEED})`);
    console.table(results.map((r) => ({ category: r.category, sent: r.sent, statuses: JSON.stringify(r.statuses), unexpected: r.unexpected })));
    console.table([
      {
        crashes,
        'unexpected statuses': unexpected,
        '5xx': serverErrors,
        'accepted (200)': accepted,
        'store unchanged': storeUnchanged,
        'events published': eventsAfter - eventsBefore,
      },
    ]);
    const file = writeResults('fuzz', smoke, startedAt, {
      seed: SEED,
      runs: sent,
      bodyLimitBytes: LIMIT_BYTES,
      categories: results,
      store: { before: storeBefore, after: storeAfter },
      summary: {
        crashes,
        unexpectedStatuses: unexpected,
        serverErrors,
        accepted,
        storeUnchanged,
        eventsPublished: eventsAfter - eventsBefore,
        /** The hard invariants: the engine stayed up, nothing reached the store or the bus. */
        invariantsHold: crashes === 0 && storeUnchanged && eventsAfter === eventsBefore,
        /** …and every body got the status its category calls for. */
        allStatusesAsExpected: unexpected === 0,
      },
    });
    console.log(`results: ${file}`);
    const invariantsHold = crashes === 0 && storeUnchanged && eventsAfter === eventsBefore;
    if (!invariantsHold) {
      console.error('FAIL: the engine went down, or a malformed body reached the store or the event bus');
      process.exitCode = 1;
    } else if (unexpected > 0) {
      // Recorded (with samples in the JSON) rather than fatal, unless BENCH_FUZZ_STRICT=1: see bench/README.md.
      console.warn(`FINDINGS: ${unexpected} bodies got an unexpected status (samples in the results file); no crash, nothing stored or published`);
      if (STRICT) process.exitCode = 1;
    } else {
      console.log('PASS: no crash, every body refused with the right 4xx, nothing stored or published');
    }
  } finally {
    await engine.kill9();
    rmSync(dir, { recursive: true, force: true });
  }
}

function readCounts(db: string): Record<string, number> {
  const store = openStoreReadOnly(db);
  try {
    return storeCounts(store);
  } finally {
    store.close();
  }
}

function preview(body: Case['body']): string {
  if (typeof body === 'function') return '(streamed body over the limit)';
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('base64');
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
