import type { WatchIo } from './trades-watch';

/** What `npm run trades` and its sub-commands write to and read from: replaced by a recorder in tests. */
export interface CliIo extends WatchIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
}
