import { Injectable } from '@nestjs/common';

export interface RunningStrategy {
  name: string;
  description?: string;
  /** `method(event)` per handler, for the start-up log. */
  handlers: string[];
}

/**
 * Which strategies run, and which Kite tags their handlers claim (entry orders meant for legwork, not external ones).
 * The strategy host fills it once while it discovers the strategies; the rails (limits, external-order tracking), the
 * square-off and the paper endpoints read it. It lives here, below all of them, so none of them imports the host.
 */
@Injectable()
export class RunningStrategies {
  private readonly running: RunningStrategy[] = [];
  private readonly claims: Array<(tag: string) => boolean> = [];
  private known = false;
  private readonly waiting: Array<() => void> = [];

  add(strategy: RunningStrategy, claimsTag: (tag: string) => boolean): void {
    this.running.push(strategy);
    this.claims.push(claimsTag);
  }

  /** Called by the strategy host once every strategy is found: runs what waited for that. */
  complete(): void {
    this.known = true;
    for (const then of this.waiting.splice(0)) then();
  }

  /**
   * Runs `then` once every strategy is known: at once if it is, else when the host completes the list (both happen
   * during application bootstrap, in an order Nest does not promise). What `then` throws stops the start.
   */
  whenKnown(then: () => void): void {
    if (this.known) then();
    else this.waiting.push(then);
  }

  get all(): readonly RunningStrategy[] {
    return this.running;
  }

  /** True when a running strategy's handler asks for this tag. */
  claimsTag(tag: string | null | undefined): boolean {
    return Boolean(tag) && this.claims.some((claims) => claims(tag!));
  }
}
