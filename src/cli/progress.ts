import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on stderr in a terminal; silent (no escape codes in logs or pipes) otherwise. */
export function progressBar(label: string, total: number): { tick(n?: number): void; stop(): void } {
  if (!process.stderr.isTTY || total === 0) return { tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0);
  return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}
