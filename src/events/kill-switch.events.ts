/**
 * Published by the kill switch's cancel-open; the GTT service answers with what it deleted (the rails know nothing of
 * GTTs, and GTTs nothing of the rails: both know this name).
 */
export const KILL_SWITCH_CANCEL_OPEN = 'kill-switch.cancel-open';

/** What the GTT service answers to KILL_SWITCH_CANCEL_OPEN. */
export interface CancelOpenGttAnswer {
  deleted: number[];
  failures: Array<{ triggerId: number; error: string }>;
}
