import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

/** One load run against a postback URL: every request a POST of the next body, one request in flight per connection. */
export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  /** Bodies, sent in turn (each connection takes the next). */
  bodiesFile: string;
  bodies: string[];
  seconds: number;
  connections: number;
  /** Scratch directory for wrk's script. */
  dir: string;
}

/** wrk from the distribution (Debian: `apt-get install wrk`), if installed: a C load generator that leaves the CPU to the server. */
export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    return (error as { status?: number }).status === 1;
  }
}

/**
 * wrk with 1 thread (the measurements), each request the next body of the file; its Lua `done` hook prints the
 * summary as one JSON line.
 */
const WRK_SCRIPT = `
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[((i - 1) % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"durationUs":%d,"p50us":%d,"p99us":%d,"non2xx":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
`;

export async function runLoad(tool: 'wrk' | 'autocannon', options: LoadOptions): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(options) : runAutocannon(options);
}

async function runWrk({ url, bodiesFile, seconds, connections, dir }: LoadOptions): Promise<LoadResult> {
  const script = join(dir, 'postbacks.lua');
  writeFileSync(script, WRK_SCRIPT);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url], {
      env: { ...process.env, BENCH_BODIES: bodiesFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`))));
  });
  const line = /RESULT (\{.*\})/.exec(output);
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const r = JSON.parse(line[1]) as { requests: number; durationUs: number; p50us: number; p99us: number; non2xx: number; errors: number };
  return {
    tool: 'wrk',
    requests: r.requests,
    requestsPerSec: Math.round(r.requests / (r.durationUs / 1e6)),
    p50ms: +(r.p50us / 1000).toFixed(2),
    p99ms: +(r.p99us / 1000).toFixed(2),
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function runAutocannon({ url, bodies, seconds, connections }: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    duration: seconds,
    connections,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    requests: [{ setupRequest: (r) => ({ ...r, body: bodies[i++ % bodies.length] }) }],
  });
  return {
    tool: 'autocannon',
    requests: result.requests.total,
    requestsPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
