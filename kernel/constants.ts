// Named constants a scenario can write: error codes with the seeds' names and numbers, thread
// states, and the fixed configuration the seeds leave open (KBASE, page size).

/** ChCore errno values; syscalls return them negated (`-EIPCRETRY` is -199). */
export const ChCoreError = {
  ESRCH: 3,
  ENOMEM: 12,
  EINVAL: 22,
  EIPCRETRY: 199,
  ECAPBILITY: 200,
} as const;
export type ChCoreErrorName = keyof typeof ChCoreError;

/** XNU `kern_return_t` values used by mach_node.c and Mach IPC. */
export const KernReturn = {
  KERN_SUCCESS: 0,
  KERN_INVALID_ADDRESS: 1,
  KERN_PROTECTION_FAILURE: 2,
  KERN_NO_SPACE: 3,
  KERN_INVALID_ARGUMENT: 4,
  KERN_FAILURE: 5,
  KERN_RESOURCE_SHORTAGE: 6,
  KERN_INVALID_NAME: 15,
  KERN_INVALID_TASK: 16,
  KERN_INVALID_RIGHT: 17,
  KERN_INVALID_VALUE: 18,
  KERN_UREFS_OVERFLOW: 19,
  KERN_INVALID_CAPABILITY: 20,
  KERN_RIGHT_EXISTS: 21,
  KERN_NAME_EXISTS: 13,
  KERN_NODE_DOWN: 47,
} as const;

/** Tock `ErrorCode` values. */
export const TockError = {
  FAIL: 1,
  BUSY: 2,
  ALREADY: 3,
  OFF: 4,
  RESERVE: 5,
  INVAL: 6,
  SIZE: 7,
  CANCEL: 8,
  NOMEM: 9,
  NOSUPPORT: 10,
  NODEVICE: 11,
} as const;

/** ChCore `enum thread_state`. */
export const ThreadState = {
  TS_INIT: 0,
  TS_READY: 1,
  TS_INTER: 2,
  TS_RUNNING: 3,
  TS_EXIT: 4,
  TS_WAITING: 5,
} as const;
export type ThreadStateName = keyof typeof ThreadState;
export const THREAD_STATE_NAMES: readonly ThreadStateName[] = ['TS_INIT', 'TS_READY', 'TS_INTER', 'TS_RUNNING', 'TS_EXIT', 'TS_WAITING'];

/** ChCore `enum thread_exit_state`. */
export const ThreadExitState = {
  TE_RUNNING: 0,
  TE_EXITING: 1,
  TE_EXITED: 2,
} as const;
export type ThreadExitStateName = keyof typeof ThreadExitState;
export const THREAD_EXIT_STATE_NAMES: readonly ThreadExitStateName[] = ['TE_RUNNING', 'TE_EXITING', 'TE_EXITED'];

/** ChCore `enum thread_type` numbers. */
export const ThreadTypeNumber = { kernel: 1, user: 2, shadow: 3, register: 4 } as const;

export const PAGE_SIZE = 4096;
/**
 * The end of the user address range. ChCore leaves it to the architecture; 2^47 keeps every
 * address exact in a JavaScript number.
 */
export const KBASE = 0x8000_0000_0000;
/** `MAX_CAP_TRANSFER` (seed L584): at most 15 capabilities per message. */
export const MAX_CAP_TRANSFER = 16;
/** Size of `struct ipc_msg`: four u32 fields. */
export const IPC_MSG_HEADER_SIZE = 16;
/** Capability table capacity per group (real ChCore grows until memory runs out). */
export const DEFAULT_CAP_TABLE_SIZE = 1024;

/** Every constant a scenario may name, with its value. Error codes are positive; write `-EINVAL`. */
export const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map<string, number>([
  ...Object.entries(ChCoreError),
  ...Object.entries(KernReturn),
  ...Object.entries(TockError),
  ...Object.entries(ThreadState),
  ...Object.entries(ThreadExitState),
  ['KBASE', KBASE],
  ['PAGE_SIZE', PAGE_SIZE],
]);

/** Which family a constant belongs to, for hovers and the reverse lookup of results. */
export function constantFamily(name: string): 'chcore' | 'mach' | 'tock' | 'state' | 'config' | undefined {
  if (name in ChCoreError) return 'chcore';
  if (name in KernReturn) return 'mach';
  if (name in TockError) return 'tock';
  if (name in ThreadState || name in ThreadExitState) return 'state';
  if (name === 'KBASE' || name === 'PAGE_SIZE') return 'config';
  return undefined;
}

const CHCORE_ERROR_BY_VALUE = new Map<number, string>(Object.entries(ChCoreError).map(([k, v]) => [-v, `-${k}`]));

/** Names a ChCore syscall result: `-EIPCRETRY` for -199, the number otherwise. */
export function describeChCoreResult(value: number): string {
  return CHCORE_ERROR_BY_VALUE.get(value) ?? String(value);
}
