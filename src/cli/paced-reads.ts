/**
 * Reads asked for by a live view, paced: one at a time and at most one per `minGapMs`; asks that arrive meanwhile
 * make exactly one more read after it, never a pile of them. (The /trades page does the same in plain JS.)
 */
export function pacedReads(read: () => Promise<void>, minGapMs: number): { request(): void; stop(): void } {
  let running = false;
  let again = false;
  let waiting: NodeJS.Timeout | undefined;
  let lastAt = 0;
  let stopped = false;
  const request = (): void => {
    if (stopped) return;
    if (running || waiting) {
      again = again || running;
      return;
    }
    const wait = lastAt + minGapMs - Date.now();
    if (wait > 0) {
      waiting = setTimeout(() => {
        waiting = undefined;
        request();
      }, wait);
      return;
    }
    lastAt = Date.now();
    running = true;
    void read().finally(() => {
      running = false;
      if (again) {
        again = false;
        request();
      }
    });
  };
  return {
    request,
    stop: () => {
      stopped = true;
      clearTimeout(waiting);
    },
  };
}
