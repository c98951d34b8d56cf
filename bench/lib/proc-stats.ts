import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms) this process spent so far on its main thread (the event loop) and on all its other threads. */
export interface ThreadCpu {
  mainMs: number;
  otherMs: number;
}

/** Clock ticks per second for /proc's utime/stime: 100 on every Linux Node runs on (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU ms (user + system) in a /proc …/stat line: utime and stime, fields 14 and 15. */
function cpuMsOf(stat: string): number {
  // Counted after the command name, which may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU ms (user + system, every thread) a process has used so far, from /proc/<pid>/stat (Linux); null elsewhere. */
export function processCpuMs(pid: number): number | null {
  try {
    return cpuMsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Splits this process's CPU time by thread, from /proc/self/task (Linux): the event loop's own work apart from what
 * runs beside it — libuv's pool (fdatasync), worker threads (the WAL checkpointer), V8's GC helpers. process.cpuUsage()
 * sums them all. Null where /proc is not there.
 */
export function threadCpu(): ThreadCpu | null {
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const cpu = { mainMs: 0, otherMs: 0 };
  for (const task of tasks) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const ms = cpuMsOf(stat);
    if (task === String(process.pid)) cpu.mainMs += ms;
    else cpu.otherMs += ms;
  }
  return cpu;
}

/** Write system calls (write, pwrite, writev: files and sockets) a process made so far, and the bytes they wrote. */
export interface ProcessWrites {
  calls: number;
  bytes: number;
}

/**
 * From /proc/<pid>/io (Linux; this process by default), every thread counted. Unlike CPU time, a count that machine
 * noise does not move: on the engine's side mostly SQLite writing WAL frames (two writes per page a commit changed)
 * and HTTP answers. Null where /proc is not there (or the process is gone).
 */
export function processWrites(pid: number | 'self' = 'self'): ProcessWrites | null {
  let io: string;
  try {
    io = readFileSync(`/proc/${pid}/io`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return { calls: field('syscw'), bytes: field('wchar') };
}
