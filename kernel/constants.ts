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

/**
 * Mach IPC return codes with XNU's values (`<mach/message.h>` `mach_msg_return_t`, MIG, the bootstrap
 * server), plus the `kern_return_t` values the Mach port calls use that `KernReturn` lacks.
 * Successful results are `KERN_SUCCESS` / `MACH_MSG_SUCCESS` (0).
 */
export const MachReturn = {
  MACH_MSG_SUCCESS: 0,
  KERN_NOT_IN_SET: 12,
  KERN_NOT_SUPPORTED: 46,
  KERN_NOT_FOUND: 56,
  MACH_SEND_INVALID_DATA: 0x10000002,
  MACH_SEND_INVALID_DEST: 0x10000003,
  MACH_SEND_TIMED_OUT: 0x10000004,
  MACH_SEND_MSG_TOO_SMALL: 0x10000008,
  MACH_SEND_INVALID_REPLY: 0x10000009,
  MACH_SEND_INVALID_RIGHT: 0x1000000a,
  MACH_SEND_INVALID_MEMORY: 0x1000000c,
  MACH_SEND_TOO_LARGE: 0x1000000e,
  MACH_SEND_INVALID_TYPE: 0x1000000f,
  MACH_SEND_INVALID_HEADER: 0x10000010,
  MACH_RCV_INVALID_NAME: 0x10004002,
  MACH_RCV_TIMED_OUT: 0x10004003,
  MACH_RCV_TOO_LARGE: 0x10004004,
  MACH_RCV_PORT_CHANGED: 0x10004006,
  MACH_RCV_INVALID_DATA: 0x10004008,
  MACH_RCV_PORT_DIED: 0x10004009,
  MIG_BAD_ID: -303,
  BOOTSTRAP_NAME_IN_USE: 1101,
  BOOTSTRAP_UNKNOWN_SERVICE: 1102,
} as const;

/** Mach names, rights, dispositions, options, host special ports and kobject types (XNU values). */
export const MachConstant = {
  MACH_PORT_NULL: 0,
  MACH_PORT_DEAD: 0xffff_ffff,
  MACH_PORT_RIGHT_SEND: 0,
  MACH_PORT_RIGHT_RECEIVE: 1,
  MACH_PORT_RIGHT_SEND_ONCE: 2,
  MACH_PORT_RIGHT_PORT_SET: 3,
  MACH_PORT_RIGHT_DEAD_NAME: 4,
  MACH_PORT_TYPE_SEND: 0x1_0000,
  MACH_PORT_TYPE_RECEIVE: 0x2_0000,
  MACH_PORT_TYPE_SEND_ONCE: 0x4_0000,
  MACH_PORT_TYPE_PORT_SET: 0x8_0000,
  MACH_PORT_TYPE_DEAD_NAME: 0x10_0000,
  MACH_MSG_TYPE_MOVE_RECEIVE: 16,
  MACH_MSG_TYPE_MOVE_SEND: 17,
  MACH_MSG_TYPE_MOVE_SEND_ONCE: 18,
  MACH_MSG_TYPE_COPY_SEND: 19,
  MACH_MSG_TYPE_MAKE_SEND: 20,
  MACH_MSG_TYPE_MAKE_SEND_ONCE: 21,
  MACH_MSGH_BITS_COMPLEX: 0x8000_0000,
  MACH_MSG_PORT_DESCRIPTOR: 0,
  MACH_MSG_OOL_DESCRIPTOR: 1,
  MACH_MSG_OOL_PORTS_DESCRIPTOR: 2,
  MACH_MSG_PHYSICAL_COPY: 0,
  MACH_MSG_VIRTUAL_COPY: 1,
  MACH_SEND_MSG: 0x1,
  MACH_RCV_MSG: 0x2,
  MACH_SEND_TIMEOUT: 0x10,
  MACH_RCV_TIMEOUT: 0x100,
  MACH_PORT_QLIMIT_DEFAULT: 5,
  MACH_PORT_QLIMIT_MAX: 1024,
  MACH_PORT_UREFS_MAX: 0xffff,
  MACH_NOTIFY_DEAD_NAME: 0o110,
  HOST_PORT: 1,
  HOST_PRIV_PORT: 2,
  HOST_IO_MASTER_PORT: 3,
  HOST_NODE_PORT: 26,
  IKOT_NONE: 0,
  IKOT_THREAD_CONTROL: 1,
  IKOT_TASK_CONTROL: 2,
  IKOT_HOST: 3,
  IKOT_HOST_PRIV: 4,
  IKOT_MASTER_DEVICE: 19,
  IKOT_SEMAPHORE: 23,
  IKOT_IOKIT_CONNECT: 29,
  IKOT_IOKIT_OBJECT: 30,
} as const;

/** XNU mach_node constants (mach_node_link.h, mach_node.h): link bits, subsystems, server messages. */
export const XnuConstant = {
  MNL_LINK_DOWN: 0,
  MNL_LINK_RX: 1,
  MNL_LINK_TX: 2,
  MNL_LINK_UP: 3,
  MACH_NODE_SUB_INVALID: 0,
  MACH_NODE_SUB_NODE: 1,
  MACH_NODE_SUB_FLIPC: 2,
  MACH_NODE_SUB_VMSYS: 3,
  MACH_NODE_SERVER_MSG_ID: 0x45444f4e,
  MACH_NODE_SM_REG_LOCAL: 0,
  MACH_NODE_SM_REG_REMOTE: 1,
  MNL_NAME_NULL: 0,
  MNL_NODE_NULL: 0,
  MNL_MSG_NULL: 0,
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
  ...Object.entries(MachReturn),
  ...Object.entries(MachConstant),
  ...Object.entries(XnuConstant),
  ...Object.entries(ThreadState),
  ...Object.entries(ThreadExitState),
  ['KBASE', KBASE],
  ['PAGE_SIZE', PAGE_SIZE],
]);

/** Which family a constant belongs to, for hovers and the reverse lookup of results. */
export function constantFamily(name: string): 'chcore' | 'mach' | 'tock' | 'state' | 'config' | undefined {
  if (name in ChCoreError) return 'chcore';
  if (name in KernReturn) return 'mach';
  if (name in MachReturn || name in MachConstant) return 'mach';
  if (name in XnuConstant) return 'mach';
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
