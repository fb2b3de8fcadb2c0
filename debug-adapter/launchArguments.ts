// The `kscn` launch configuration: the TypeScript type of package.json's launch schema.

import type { DebugProtocol } from '@vscode/debugprotocol';

export interface KscnLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the .kscn scenario to debug. */
  program: string;
  /** Stop before the first statement of the first thread to run. */
  stopOnEntry?: boolean;
  /** Seed of the emulated hardware's choices; the same seed gives the same run. */
  seed?: number;
  /** Stop the run after this many kernel steps. */
  maxSteps?: number;
  /** Capability table capacity per process (default 1024); raise it to study huge tables. */
  capTableSize?: number;
  /** Steps of time-travel history kept (default 1,000,000); older history is dropped. 0 turns time travel off. */
  historySize?: number;
  /** Steps between the history's checkpoints (default 1000): more often = faster reverse steps, more memory. */
  checkpointInterval?: number;
}
