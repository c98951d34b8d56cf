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

  add(strategy: RunningStrategy, claimsTag: (tag: string) => boolean): void {
    this.running.push(strategy);
    this.claims.push(claimsTag);
  }

  get all(): readonly RunningStrategy[] {
    return this.running;
  }

  /** True when a running strategy's handler asks for this tag. */
  claimsTag(tag: string | null | undefined): boolean {
    return Boolean(tag) && this.claims.some((claims) => claims(tag!));
  }
}
