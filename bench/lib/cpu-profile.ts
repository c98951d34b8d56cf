import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './engine-child';

/** The parts of a V8 .cpuprofile (written by node --cpu-prof) this summary reads. */
interface CpuProfile {
  startTime: number;
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileFrame {
  /** `function (file:line)`, the file relative to the repository or shortened to its package. */
  frame: string;
  /** Share of all samples (busy and idle) spent in this frame itself, %. */
  selfPct: number;
  /** Share spent in this frame or anything it called, %. */
  totalPct: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Share of samples in V8's (idle) or (program)/(garbage collector) pseudo-frames, %. */
  idlePct: number;
  gcPct: number;
  /** Highest self time. */
  topSelf: ProfileFrame[];
  /** Highest inclusive time among legwork's own code and the libraries it calls (pseudo-frames and the event loop's plumbing left out). */
  topTotal: ProfileFrame[];
  /** Inclusive time per package (node_modules/<package>) or `legwork` / `node`, by self time summed: where the CPU goes. */
  byPackage: Array<{ package: string; selfPct: number }>;
}

const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

function shortUrl(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  if (path.startsWith('node:')) return path;
  return relative(ROOT, path);
}

function packageOf(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:') || path === '') return 'node';
  return 'legwork';
}

/**
 * Names the top frames of a V8 CPU profile: self time (where the CPU is spent) and inclusive time (which calls it is
 * spent under), in % of the sampled time, so a run on a busy machine reads the same as one on a quiet machine.
 */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export function summariseCpuProfile(file: string, top = 15, windows?: ProfileWindow | ProfileWindow[]): ProfileSummary {
  const within = windows === undefined ? null : [windows].flat();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return PSEUDO.has(functionName) ? functionName : `${functionName || '(anonymous)'} (${shortUrl(url)}:${lineNumber + 1})`;
  };

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const pkg = new Map<string, number>();
  let sum = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    // V8 stamps samples on the monotonic clock (process.hrtime on Linux, shared by every process): a bench passes
    // the window of its load so start-up (ts-node compiling, Nest booting) is left out.
    if (within && !within.some((w) => at >= w.fromUs && at <= w.toUs)) return;
    sum += dt;
    const own = label(id);
    self.set(own, (self.get(own) ?? 0) + dt);
    const frame = byId.get(id)!.callFrame;
    const p = PSEUDO.has(frame.functionName) ? frame.functionName : packageOf(frame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + dt);
    // Inclusive: every distinct frame on the stack, once per sample (recursion counted once).
    const seen = new Set<string>();
    for (let frameId: number | undefined = id; frameId !== undefined; frameId = parent.get(frameId)) {
      const name = label(frameId);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + dt);
    }
  });
  const pct = (n: number) => Math.round((n / Math.max(sum, 1)) * 1000) / 10;
  const frame = (name: string): ProfileFrame => ({ frame: name, selfPct: pct(self.get(name) ?? 0), totalPct: pct(total.get(name) ?? 0) });
  const plumbing =
    /^(\(root\)|\(program\)|\(idle\)|\(garbage collector\)|processTicksAndRejections|listOnTimeout|processImmediate|emit |runMicrotasks|\(anonymous\) \(:)/;
  return {
    file,
    sampledMs: Math.round(sum / 1000),
    idlePct: pct(self.get('(idle)') ?? 0),
    gcPct: pct(self.get('(garbage collector)') ?? 0),
    topSelf: [...self.keys()]
      .filter((n) => n !== '(idle)')
      .sort((a, b) => self.get(b)! - self.get(a)!)
      .slice(0, top)
      .map(frame),
    topTotal: [...total.keys()]
      .filter((n) => !plumbing.test(n))
      .sort((a, b) => total.get(b)! - total.get(a)!)
      .slice(0, top)
      .map(frame),
    byPackage: [...pkg.entries()]
      .filter(([p]) => p !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([p, n]) => ({ package: p, selfPct: pct(n) })),
  };
}

/** Prints a summary as three short tables. */
export function printCpuProfile(summary: ProfileSummary): void {
  console.log(`\nCPU profile ${summary.file}: ${summary.sampledMs} ms sampled, idle ${summary.idlePct} %, GC ${summary.gcPct} %`);
  console.log('top frames by self time (% of sampled time):');
  console.table(summary.topSelf);
  console.log('top frames by inclusive time:');
  console.table(summary.topTotal);
  console.log('self time by package:');
  console.table(summary.byPackage);
}

if (require.main === module) {
  const [file, top, fromUs, toUs] = process.argv.slice(2);
  if (!file) {
    console.error('usage: ts-node bench/lib/cpu-profile.ts <file.cpuprofile> [top] [fromUs toUs]');
    process.exit(2);
  }
  printCpuProfile(summariseCpuProfile(file, Number(top ?? 15), fromUs ? { fromUs: Number(fromUs), toUs: Number(toUs) } : undefined));
}
