/** Events about GTTs legwork placed for strategies (src/gtt). */
export const GttEventName = {
  /** The GTT's status changed: placed at Kite, unknown after an unclear answer, refused, or a status Kite reported. */
  Changed: 'gtt.changed',
} as const;

/** Which GTT of which chain. */
export interface GttRef {
  gttId: number;
  strategy: string;
  chainId: string;
  parentOrderId: string;
  name: string;
  triggerId: number | null;
}

export class GttChangedEvent {
  readonly name = GttEventName.Changed;
  constructor(
    readonly gtt: GttRef,
    readonly from: string,
    readonly to: string,
    /** Why, when there is more to say (Kite's error, the rejection of a fired order). */
    readonly reason: string | null = null,
  ) {}
}
