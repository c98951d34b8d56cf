import { pacedReads } from './paced-reads';

describe('pacedReads', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A read that finishes when told to. */
  function reads() {
    const started: number[] = [];
    const finishers: Array<() => void> = [];
    const read = () => {
      started.push(Date.now());
      return new Promise<void>((resolve) => finishers.push(resolve));
    };
    const finish = async () => {
      finishers.shift()!();
      await Promise.resolve(); // let .finally run
      await Promise.resolve();
    };
    return { started, read, finish };
  }

  it('runs one read at a time; asks during it make exactly one more, after the gap', async () => {
    const r = reads();
    const paced = pacedReads(r.read, 1000);
    paced.request();
    paced.request();
    paced.request();
    expect(r.started).toEqual([1_000_000]);
    jest.advanceTimersByTime(300);
    await r.finish(); // done at +300: the next may start at +1000
    expect(r.started).toHaveLength(1);
    jest.advanceTimersByTime(699);
    expect(r.started).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(r.started).toEqual([1_000_000, 1_001_000]);
    await r.finish();
    jest.advanceTimersByTime(10_000);
    expect(r.started).toHaveLength(2); // nothing asked since: nothing read
  });

  it('folds asks made while waiting for the gap into the read that follows it, and stops', async () => {
    const r = reads();
    const paced = pacedReads(r.read, 1000);
    paced.request();
    await r.finish();
    paced.request(); // waits for the gap
    paced.request();
    jest.advanceTimersByTime(1000);
    expect(r.started).toHaveLength(2);
    await r.finish();
    jest.advanceTimersByTime(5000);
    expect(r.started).toHaveLength(2);
    paced.request();
    paced.stop();
    jest.advanceTimersByTime(5000);
    expect(r.started).toHaveLength(3); // that ask came a whole gap later: read at once; stop() ends what would follow
    paced.request();
    expect(r.started).toHaveLength(3);
  });
});
