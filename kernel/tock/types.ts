// Tock's process framework and IPC capsule as plain data (seed: shared/seeds/tock-ipc.rs.txt,
// Tock release-2.1). Everything here is numbers, strings, booleans and arrays of them, so
// `structuredClone(state)` copies it; cross references are indices (a Tock process's
// `descriptor` is its index in its board's process array, `group`/`thread` are kernel object ids).

/** `DRIVER_NUM` of the IPC capsule (seed L256). */
export const IPC_DRIVER_NUM = 0x10000;

/** Tock's `SyscallReturnVariant` numbers (r0 of every Tock syscall). */
export const TockReturn = {
  FAILURE: 0,
  FAILURE_U32: 1,
  FAILURE_2_U32: 2,
  SUCCESS: 128,
  SUCCESS_U32: 129,
  SUCCESS_2_U32: 130,
} as const;

/** Tock's `process::State`, by name (what the debugger shows). */
export type TockProcessStateName =
  | 'Unstarted'
  | 'Running'
  | 'Yielded'
  | 'StoppedRunning'
  | 'StoppedYielded'
  | 'Faulted'
  | 'Terminated';

/** The task ring holds 10 entries, so 9 tasks can be pending (release-2.1 `RingBuffer`). */
export const TASK_QUEUE_CAPACITY = 9;
/** The process's RAM region: base of descriptor 0, stride between descriptors, size. */
export const TOCK_RAM_BASE = 0x2000_0000;
export const TOCK_RAM_STRIDE = 0x1_0000;
export const TOCK_RAM_SIZE = 8 * 1024;
/** The initial app break: the first 4 KiB of the RAM region belong to the app. */
export const TOCK_INITIAL_APP_MEMORY = 4 * 1024;
/** Cortex-M: the smallest MPU region, and the smallest region that can use subregions. */
export const MPU_MIN_REGION_SIZE = 32;
export const MPU_MIN_SUBREGION_REGION_SIZE = 256;

/** A `process::Task`: an upcall to run (`FunctionCall`) or an IPC notification (`IPC`). */
export interface TockTask {
  /** `function-call` (an upcall, or the process's `init` entry) or `ipc`. */
  readonly kind: 'function-call' | 'ipc';
  /** For `function-call`: `init` (the process start) or `upcall`. */
  readonly source: 'init' | 'upcall' | '';
  /** FunctionCall: the routine entry address (`pc`) and its four arguments. */
  readonly pc: number;
  readonly arg0: number;
  readonly arg1: number;
  readonly arg2: number;
  readonly arg3: number;
  /** FunctionCall: a readable description (`service upcall slot 1`). */
  readonly label: string;
  /** IPC: the notifier's descriptor and the ProcessId identifier it had when it notified. */
  readonly from: number;
  readonly fromIdentifier: number;
  readonly fromName: string;
  /** IPC: `IPCUpcallType`. */
  readonly type: 'service' | 'client' | '';
}

/** A subscribed upcall slot: the routine entry address (0 = the null upcall) and its userdata. */
export interface TockUpcallSlot {
  routine: number;
  userdata: number;
}

/** An allowed buffer (pointer and length as the process passed them). */
export interface TockBuffer {
  addr: number;
  len: number;
}

/** An MPU region added for the process (beyond its own RAM and flash regions). */
export interface TockMpuRegion {
  /** The logical region the process may access (the enabled part of the hardware region). */
  readonly start: number;
  readonly size: number;
  /** The hardware region (larger than the logical one when subregions are used). */
  readonly regionStart: number;
  readonly regionSize: number;
  /** Enabled subregions `[first, last]`, or null. */
  readonly subregions: readonly number[] | null;
  /** Whose memory the region exposes: the sharer's capability group id and name. */
  readonly ownerGroup: number;
  readonly ownerName: string;
  /** Read-write (IPC shares are `ReadWriteOnly`). */
  readonly writable: boolean;
}

/** The IPC grant of one process (seed L283-288): NUM_PROCS upcalls, 1 RO allow, NUM_PROCS RW allows. */
export interface TockIpcGrant {
  allocated: boolean;
  /** Bytes the grant took from the process's grant region. */
  bytes: number;
  upcalls: TockUpcallSlot[];
  /** RO allow slot `SEARCH` (0). */
  search: TockBuffer;
  /** RW allow slots, one per process index the buffer is shared with. */
  shared: TockBuffer[];
}

/** The user frame saved while an upcall runs on the process's thread (restored when it returns). */
export interface TockSavedFrame {
  readonly routine: number;
  readonly ip: number;
  readonly badPc: number;
  readonly locals: number[];
  readonly sp: number;
  readonly arg0: number;
  readonly arg1: number;
  readonly arg2: number;
  readonly arg3: number;
  readonly ret: number;
}

export interface TockProcess {
  /** Index in the board's process array: the IPC descriptor, the upcall and RW-allow slot number. */
  readonly descriptor: number;
  /** The process name that discovery matches. */
  readonly name: string;
  /** Index of the process declaration, its capability group id and its machine. */
  readonly process: number;
  readonly group: number;
  readonly machine: number;
  /** The process's thread (Tock processes are single-threaded): its first user thread, 0 if none. */
  readonly thread: number;
  /** `ProcessId` identifier; a restart would change it (TK-UPC-02). */
  identifier: number;
  state: TockProcessStateName;
  /** The task queue, oldest first. */
  tasks: TockTask[];
  droppedUpcalls: number;
  ipc: TockIpcGrant;
  /** RAM region `[ramStart, ramEnd)`: app memory below `appBreak`, grants from `kernelBreak` up. */
  readonly ramStart: number;
  readonly ramEnd: number;
  appBreak: number;
  kernelBreak: number;
  /** The PMO backing the RAM region (0 if it could not be mapped). */
  readonly ramPmo: number;
  /** Regions added with `add_mpu_region`, at most `mpuLimit`. */
  mpuRegions: TockMpuRegion[];
  readonly mpuLimit: number;
  /** Upcalls in progress, innermost last (an upcall may yield and run another). */
  upcallFrames: TockSavedFrame[];
}

export interface TockBoard {
  readonly machine: number;
  readonly machineName: string;
  /** The capsule's `NUM_PROCS` (upcall slots and RW allow slots per grant). */
  numProcs: number;
  /** The kernel's process array: an index into `TockState.processes` per slot, -1 for an empty slot. */
  slots: number[];
}

export interface TockState {
  /** True when the program has a Tock process (the kernel's hooks check this first). */
  active: boolean;
  boards: TockBoard[];
  processes: TockProcess[];
  /** Per process declaration: index into `processes`, or -1 for a non-Tock process. */
  byProcess: number[];
  /** Per thread id: index into `processes` when the thread belongs to a Tock process, else -1. */
  byThread: number[];
  /** The next `ProcessId` identifier (`create_process_identifier`), for restarts. */
  nextIdentifier: number;
}

export function emptyTockState(): TockState {
  return { active: false, boards: [], processes: [], byProcess: [], byThread: [], nextIdentifier: 0 };
}
