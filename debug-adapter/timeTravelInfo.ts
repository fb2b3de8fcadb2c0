// The debugger's place on the recorded timeline as plain data: the body of the custom `kscn/timeTravel`
// event and `kscn/historyInfo` response. No DAP, no imports: the extension reads it too.

/** Where the debugger is on the recorded timeline (sent with every stop as `kscn/timeTravel`). */
export interface TimeTravelInfo {
  /** False when the launch turned history off (`historySize: 0`). */
  readonly enabled: boolean;
  /** Stopped before the newest recorded moment. */
  readonly inPast: boolean;
  /** The current moment: kernel steps run since boot. */
  readonly step: number;
  /** The newest recorded moment (the present). */
  readonly totalSteps: number;
  /** The oldest moment still reachable. */
  readonly oldestStep: number;
  /** Virtual time (the largest CPU clock) at this moment, in cycles. */
  readonly virtualTime: number;
  /** Kernel events delivered before this moment (the index the next event gets). */
  readonly eventCount: number;
  /** Estimated bytes of the history. */
  readonly historyBytes: number;
  readonly maxSteps: number;
  readonly checkpointInterval: number;
  readonly checkpoints: number;
}

/** The body of the `kscn/timeTravel` event sent with every stop: the timeline place and the stopped thread. */
export interface TimeTravelEventBody extends TimeTravelInfo {
  readonly threadId: number;
}
