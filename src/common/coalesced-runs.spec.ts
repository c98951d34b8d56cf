import { CoalescedRuns } from './coalesced-runs';

describe('CoalescedRuns', () => {
  it('runs one at a time; requests during a run share one more run after it, whose result they get', async () => {
    const gates: Array<() => void> = [];
    let runs = 0;
    const runner = new CoalescedRuns(async () => {
      const n = ++runs;
      await new Promise<void>((resolve) => gates.push(resolve));
      return n;
    });
    const first = runner.run();
    const second = runner.run();
    const third = runner.run();
    expect(runs).toBe(1);
    gates.shift()!(); // the first run ends: the extra run starts
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    gates.shift()!();
    expect(await Promise.all([first, second, third])).toEqual([2, 2, 2]);
    expect(runs).toBe(2);
    const later = runner.run();
    gates.shift()!();
    expect(await later).toBe(3);
  });

  it('makes no extra run once stopped', async () => {
    let runs = 0;
    let stop = false;
    const runner = new CoalescedRuns(
      () => {
        runs++;
        stop = true;
        return Promise.resolve(runs);
      },
      () => stop,
    );
    const first = runner.run();
    void runner.run();
    expect(await first).toBe(1);
    expect(runs).toBe(1);
  });
});
