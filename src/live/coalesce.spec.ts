import { TestScheduler } from 'rxjs/testing';
import { coalesce } from './coalesce';
import { batchOf } from './live-feed.service';
import { parseEventId } from './live.controller';

/** What coalesce(source, windowMs) emits, with the virtual time (ms) of each emission. */
function emissions(marbles: string, windowMs: number): Array<[number, string[] | 'complete']> {
  const result: Array<[number, string[] | 'complete']> = [];
  const scheduler = new TestScheduler(() => undefined);
  scheduler.run(({ cold }) => {
    coalesce(cold<string>(marbles), windowMs).subscribe({
      next: (items) => result.push([scheduler.now(), items]),
      complete: () => result.push([scheduler.now(), 'complete']),
    });
  });
  return result;
}

describe('coalesce (virtual time)', () => {
  it('turns a burst into one message per window, holding everything that arrived in it', () => {
    // Five changes in the first 5 ms, one more at 20 ms; 10 ms windows.
    expect(emissions('abcde 15ms f|', 10)).toEqual([
      [10, ['a', 'b', 'c', 'd', 'e']],
      [20, ['f']],
      [21, 'complete'],
    ]);
  });

  it('does not starve a steady stream: a message every window, not only once it falls quiet', () => {
    // A change every 4 ms (never 10 ms of quiet, which a debounce would wait for).
    expect(emissions('a 3ms b 3ms c 3ms d 3ms e 3ms f 30ms |', 10)).toEqual([
      [10, ['a', 'b', 'c']],
      [20, ['d', 'e', 'f']],
      [51, 'complete'],
    ]);
  });

  it('sends nothing while nothing happens', () => {
    expect(emissions('100ms |', 10)).toEqual([[100, 'complete']]);
  });
});

describe('batchOf', () => {
  it('lists each order and chain once and keeps the newest order event id', () => {
    expect(
      batchOf([{ orderId: '1', eventId: 7 }, { orderId: '2', eventId: 9 }, { orderId: '1', eventId: 8 }, { orderId: '3', chainId: '1' }, { chainId: '1' }]),
    ).toEqual({ orderIds: ['1', '2', '3'], chainIds: ['1'], eventId: 9 });
    expect(batchOf([{ chainId: '5' }])).toEqual({ orderIds: [], chainIds: ['5'], eventId: null });
  });
});

describe('parseEventId', () => {
  it.each([
    ['42', 42],
    [' 7 ', 7],
    ['0', 0],
  ])('%p is %p', (text, id) => expect(parseEventId(text)).toBe(id));
  it.each([undefined, '', '-1', '1.5', 'abc', '1e3', '9999999999999999'])('%p is none', (text) => expect(parseEventId(text)).toBeNull());
});
