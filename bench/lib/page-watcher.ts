import { openLiveStream } from '../../src/cli/live-stream.client';
import { pacedReads } from '../../src/cli/paced-reads';

/** What the /trades page reads each time the stream says something changed (see src/trade-log/page/trade-log.js). */
const PAGE_READS = (process.env.BENCH_PAGE_READS ?? 'day').split(',');
/** As the page: at most one read a second. */
const MIN_READ_GAP_MS = 1000;

export interface PageWatcher {
  /** Stream messages received (resync + orders). */
  messages: number;
  /** Complete page reads (all of PAGE_READS: `day`, or BENCH_PAGE_READS) done. */
  reads: number;
  stop(): void;
}

/**
 * Watches the engine the way an open /trades page does: the live stream, and on every change one read of the day
 * (one at a time, one more queued if changes arrive meanwhile). For benches: what keeping the page open costs.
 */
export function watchLikeThePage(baseUrl: string, date: string): PageWatcher {
  const watcher: PageWatcher = { messages: 0, reads: 0, stop: () => undefined };
  const reads = pacedReads(
    () =>
      Promise.all(PAGE_READS.map((path) => fetch(`${baseUrl}/api/trade-log/${path}?date=${date}`).then((r) => r.json()))).then(
        () => void watcher.reads++,
        () => undefined,
      ),
    MIN_READ_GAP_MS,
  );
  const read = () => reads.request();
  const connection = openLiveStream(
    baseUrl,
    {},
    {
      resync: () => {
        watcher.messages++;
        read();
      },
      orders: () => {
        watcher.messages++;
        read();
      },
    },
  );
  watcher.stop = () => {
    connection.close();
    reads.stop();
  };
  return watcher;
}
