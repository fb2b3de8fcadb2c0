// The shape of a syscall implementation: a user-runtime prologue, a static array of named kernel
// step functions over a plain-data frame, and an optional user-runtime epilogue.

import type { Instruction } from './compile';
import type { Kernel } from './kernel';
import type { SyscallFrame, Thread } from './state';

/** Results of a kernel step function besides "next step index" (>= 0). */
export const StepResult = {
  /** The syscall is complete: return `frame.r` to the caller, who keeps running. */
  DONE: -1,
  /** The caller no longer runs here (blocked, migrated, exited); the CPU already switched. */
  SWITCHED: -2,
  /** A kernel fault halted the machine. */
  HALTED: -3,
} as const;

/** One kernel step: returns the next step index, or a StepResult. */
export type KernelStep = (kernel: Kernel, thread: Thread, frame: SyscallFrame) => number;

export interface SyscallImplementation {
  /** Scenario name (`ipc_call`). */
  readonly name: string;
  /** Kernel entry (`sys_ipc_call`). */
  readonly kernelName: string;
  /** The seed's C parameter names for frame.a0..a3. */
  readonly argNames: readonly string[];
  readonly stepNames: readonly string[];
  readonly steps: readonly KernelStep[];
  /**
   * User mode, before the trap: evaluates the statement's arguments and fills frame.a0..a3
   * (writing messages or configs through the thread's mappings). Faults via the kernel's
   * ExecContext (`faultAddress`).
   */
  readonly prologue: (kernel: Kernel, thread: Thread, instruction: Instruction, frame: SyscallFrame) => void;
  /** User mode, after the return (e.g. remembering a connection's shared memory). */
  readonly epilogue: ((kernel: Kernel, thread: Thread, result: number) => void) | null;
}

/** Builds an implementation from `[name, step]` pairs; step indices follow the array order. */
export function syscall(
  name: string,
  kernelName: string,
  argNames: readonly string[],
  steps: readonly (readonly [string, KernelStep])[],
  prologue: SyscallImplementation['prologue'],
  epilogue: SyscallImplementation['epilogue'] = null,
): SyscallImplementation {
  return { name, kernelName, argNames, stepNames: steps.map((s) => s[0]), steps: steps.map((s) => s[1]), prologue, epilogue };
}
