// The kernel's whole state as plain data: machines, CPUs, kernel objects and the PRNG.
//
// Architecture Invariant: nothing in here is an object pointer. Cross references are numeric
// object ids (0 = NULL) or indices, so `structuredClone(state)` is a complete snapshot and
// restoring one is an assignment.

import type { TockState } from './tock/types';
import type { FaultsState } from './faults';
import type { LinkState, XnuState } from './xnu/state';
import type { MachState } from './mach/state';

/** Kernel object kinds (ChCore's `TYPE_*`). Object id 0 is NULL. */
export const ObjectKind = {
  NONE: 0,
  CAP_GROUP: 1,
  THREAD: 2,
  CONNECTION: 3,
  PMO: 4,
  VMSPACE: 5,
  SCHED_CONTEXT: 6,
} as const;
export type ObjectKindNumber = (typeof ObjectKind)[keyof typeof ObjectKind];
export const OBJECT_KIND_NAMES = ['none', 'cap_group', 'thread', 'connection', 'pmo', 'vmspace', 'sched_context'] as const;

/** Which of the three `general_ipc_config` structures a thread's config really is. */
export const IpcConfigKind = { SERVER: 1, REGISTER_CB: 2, HANDLER: 3 } as const;
export const IPC_CONFIG_KIND_NAMES = ['none', 'ipc_server_config', 'ipc_server_register_cb_config', 'ipc_server_handler_config'] as const;

export interface CapabilityGroup {
  readonly id: number;
  readonly name: string;
  /** Index of the process declaration in the program. */
  readonly process: number;
  readonly pid: number;
  readonly badge: number;
  readonly machine: number;
  /** Slot -> object id; 0 = free slot. */
  slots: number[];
  /** Lower bound for the lowest free slot (allocation hint). */
  firstFree: number;
  readonly vmspace: number;
  /** Thread ids of this group, in declaration order. */
  threads: number[];
}

export interface Vmr {
  start: number;
  size: number;
  pmo: number;
  writable: boolean;
}

export interface VmSpace {
  readonly id: number;
  readonly group: number;
  /** Sorted by `start`, non-overlapping. */
  vmrs: Vmr[];
}

export interface PhysicalMemoryObject {
  readonly id: number;
  readonly name: string;
  readonly machine: number;
  /** Size in bytes, rounded up to a page. */
  readonly size: number;
  /** Lazily allocated pages by page index: null or missing until first written. */
  pages: (Uint8Array | null)[];
  freed: boolean;
}

export interface SchedulingContext {
  readonly id: number;
  priority: number;
  /** Remaining budget in cycles; refilled to the machine's timeslice on expiry. */
  budget: number;
  /** The thread this sc was created for. */
  readonly owner: number;
  freed: boolean;
}

/**
 * The three `general_ipc_config` structures share one record, as the C code shares one pointer.
 * `lock` is the first field of each: `register_lock` of a register_cb config, `ipc_lock` of a
 * handler config (a server config's first field is a pointer; unlocking it is a kernel fault).
 */
export interface IpcConfig {
  readonly id: number;
  readonly kind: number;
  lock: number;
  // ipc_server_config
  declaredIpcRoutineEntry: number;
  registerCbThread: number;
  // ipc_server_register_cb_config
  registerCbEntry: number;
  registerCbStack: number;
  connCapInClient: number;
  connCapInServer: number;
  shmCapInServer: number;
  // ipc_server_handler_config
  ipcRoutineEntry: number;
  ipcRoutineStack: number;
  ipcExitRoutineEntry: number;
  activeConn: number;
  // shared
  destructor: number;
}

export interface Connection {
  readonly id: number;
  ownership: number;
  isValid: number;
  currentClientThread: number;
  serverHandlerThread: number;
  clientBadge: number;
  clientShmUaddr: number;
  shmSize: number;
  serverShmUaddr: number;
  shmCapInClient: number;
  shmCapInServer: number;
  connCapInClient: number;
  connCapInServer: number;
  userIpcMsg: number;
  /** The client group that created the connection (for summaries). */
  readonly clientGroup: number;
  readonly serverGroup: number;
  freed: boolean;
}

/** The in-kernel part of a syscall in progress: which step runs next, over plain numbers. */
export interface SyscallFrame {
  active: boolean;
  /** Index into the syscall implementation table. */
  sys: number;
  /** Index of the next kernel step. */
  step: number;
  /** Raw syscall arguments, in the seed's C order. */
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  /** The value the syscall will return. */
  r: number;
  /** Scratch registers of the kernel path (object ids, saved values). */
  v0: number;
  v1: number;
  v2: number;
  v3: number;
  v4: number;
  v5: number;
  v6: number;
  v7: number;
  v8: number;
  /** The thread is parked inside the syscall (migrated away, waiting for a return). */
  blocked: boolean;
}

export interface Thread {
  readonly id: number;
  readonly name: string;
  /** Index of the object declaration. */
  readonly object: number;
  readonly group: number;
  readonly process: number;
  readonly machine: number;
  /** ChCore thread type number: TYPE_USER 2, TYPE_SHADOW 3, TYPE_REGISTER 4. */
  readonly type: number;
  state: number;
  exitState: number;
  /** CPU affinity inside its machine, -1 for any. */
  readonly affinity: number;
  readonly bootPriority: number;
  // The saved register context (the CPU register file while the thread runs).
  /** Routine index and instruction index: together they are `pc`. routine -1 = bad pc. */
  routine: number;
  ip: number;
  /** Raw pc when it does not decode to a routine. */
  badPc: number;
  sp: number;
  arg0: number;
  arg1: number;
  arg2: number;
  arg3: number;
  ret: number;
  /** Scheduling context object id, 0 = none. */
  sc: number;
  /** general_ipc_config: an IpcConfig index + 1, 0 = NULL. */
  ipcConfig: number;
  /** Local slots of the current routine. */
  locals: number[];
  /** arg0 when the current routine was entered (the message a handler serves). */
  entryArg0: number;
  /** Global CPU index the thread is running on, -1 if none. */
  cpu: number;
  /** In the machine's run queue. */
  queued: boolean;
  /** Virtual time it became ready (an idle CPU does not take it earlier). */
  readyAt: number;
  readonly stackPmo: number;
  readonly stackTop: number;
  kernel: SyscallFrame;
}

export interface Cpu {
  /** Global index across machines. */
  readonly index: number;
  readonly machine: number;
  /** Index inside its machine. */
  readonly local: number;
  /** Local virtual time in cycles. */
  time: number;
  /** Thread id running here, 0 = idle. */
  current: number;
}

export interface Machine {
  readonly index: number;
  readonly name: string;
  readonly memoryBytes: number;
  /** Bytes committed by PMOs. */
  committed: number;
  readonly timeslice: number;
  readonly cpus: number[];
  /** Ready thread ids, FIFO; the scheduler picks the highest priority, first in. */
  runQueue: number[];
  halted: boolean;
  faulted: boolean;
  /** The kernel fault that halted this machine, as text. */
  faultMessage: string;
}

export interface ExpectationFailure {
  readonly thread: number;
  readonly text: string;
  readonly line: number;
  readonly file: string;
}

export type HaltReason = 'finished' | 'deadlock' | 'fault' | 'step-limit';

export interface HaltInfo {
  readonly reason: HaltReason;
  readonly message: string;
  readonly time: number;
  readonly steps: number;
}

export interface KernelState {
  /** xorshift32 PRNG state; never 0. */
  prng: number;
  steps: number;
  machines: Machine[];
  cpus: Cpu[];
  /** Object id -> kind. Index 0 is NULL. */
  kinds: number[];
  /** Capability references per object id. */
  refs: number[];
  groups: (CapabilityGroup | null)[];
  threads: (Thread | null)[];
  connections: (Connection | null)[];
  pmos: (PhysicalMemoryObject | null)[];
  vmspaces: (VmSpace | null)[];
  scs: (SchedulingContext | null)[];
  ipcConfigs: IpcConfig[];
  /** Object id of each program object declaration. */
  bootObjects: number[];
  /** Group id of each process declaration. */
  processGroups: number[];
  /** All thread ids, in boot order. */
  threadIds: number[];
  /** User runtime: per process, connection cap -> client shm address (-1 unknown). */
  connShm: number[][];
  /** Per fault declaration: fired (faults fire once), and syscall-trigger entry counts. */
  faultFired: boolean[];
  faultCounts: number[];
  expectPassed: number;
  expectFailed: number;
  failures: ExpectationFailure[];
  halt: HaltInfo | null;
  /** Tock's process framework and IPC capsule (kernel/tock/types.ts). */
  tock: TockState;
  /** XNU mach_node per machine: node tables, names, FLIPC (kernel/xnu/state.ts). */
  nodes: XnuState;
  /** Run-time state of the declared links (kernel/xnu/state.ts). */
  links: LinkState[];
  /** Fault engine: crashed machines and pending restarts (kernel/faults.ts). */
  faults: FaultsState;
  /** Mach IPC: ports, port sets, IPC spaces per process, messages (kernel/mach/state.ts). */
  mach: MachState;
}
