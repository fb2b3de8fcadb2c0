// The cost model: how many virtual cycles each kind of work takes (see docs/cost-model.md).

export interface CostModel {
  /** One scenario statement (user mode), including evaluating its expressions. */
  readonly statement: number;
  /** Per byte read or written by user code or the user runtime. */
  readonly memoryByte: number;
  /** Trapping into the kernel (syscall entry). */
  readonly syscallEntry: number;
  /** Returning to user mode (syscall exit). */
  readonly syscallExit: number;
  /** Each named kernel step of a syscall. */
  readonly kernelStep: number;
  /** A scheduler context switch (save, pick, restore). */
  readonly contextSwitch: number;
  /** A direct switch on IPC migration (no run-queue pass). */
  readonly migration: number;
  /** Each capability copied or allocated by the kernel. */
  readonly capabilityCopy: number;
  /** Per byte copied by the kernel (copy_from_user / copy_to_user). */
  readonly byteCopied: number;
}

export const DEFAULT_COST_MODEL: CostModel = {
  statement: 10,
  memoryByte: 1,
  syscallEntry: 40,
  syscallExit: 40,
  kernelStep: 15,
  contextSwitch: 300,
  migration: 60,
  capabilityCopy: 25,
  byteCopied: 1,
};
