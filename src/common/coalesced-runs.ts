/**
 * One run at a time. Asked while a run is under way, the caller gets a promise that settles after one more run that
 * starts once the current one has ended — so whatever was asked for during a run is looked at by a run that started
 * after the asking. Later requests during the same run share that one extra run.
 */
export class CoalescedRuns<T> {
  private running: Promise<T> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<T>,
    /** Checked between runs: no extra run once this says stop (shutdown). */
    private readonly stopped: () => boolean = () => false,
  ) {}

  run(): Promise<T> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let result: T;
      do {
        this.again = false;
        result = await this.work();
      } while (this.again && !this.stopped());
      return result;
    })().finally(() => (this.running = null));
    return this.running;
  }
}
