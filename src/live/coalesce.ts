import { buffer, filter, Observable, SchedulerLike, share, throttleTime, asyncScheduler } from 'rxjs';

/**
 * Collects what arrives within `windowMs` of the first item into one array: a burst of order events becomes one
 * message per window instead of one per event, and a steady stream still gets a message every window (no starving,
 * as a debounce would). The scheduler is a parameter so tests can run it on virtual time.
 */
export function coalesce<T>(source: Observable<T>, windowMs: number, scheduler: SchedulerLike = asyncScheduler): Observable<T[]> {
  const shared = source.pipe(share());
  const windowEnds = shared.pipe(throttleTime(windowMs, scheduler, { leading: false, trailing: true }));
  return shared.pipe(
    buffer(windowEnds),
    filter((items) => items.length > 0),
  );
}
