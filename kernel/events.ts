// The typed events the kernel emits: one discriminated union, queued during a step and
// delivered to the listener after it (never re-entrantly). With recording off none are built.

import type { SourceLocation } from './program';
import type { HaltReason } from './state';

interface EventBase {
  /** Virtual time (cycles) of the CPU where it happened. */
  readonly time: number;
  /** Global CPU index, -1 when not CPU-bound. */
  readonly cpu: number;
}

export interface SyscallEntryEvent extends EventBase {
  readonly kind: 'syscall-entry';
  readonly thread: number;
  readonly threadName: string;
  readonly syscall: string;
  readonly kernelName: string;
  /** Raw arguments in the seed's C order, by the seed's parameter names. */
  readonly args: readonly (readonly [string, number])[];
  readonly loc: SourceLocation;
}

export interface SyscallExitEvent extends EventBase {
  readonly kind: 'syscall-exit';
  readonly thread: number;
  readonly threadName: string;
  readonly syscall: string;
  readonly result: number;
  /** `-EIPCRETRY` style name when the result is an error code. */
  readonly error?: string;
  readonly loc: SourceLocation;
}

export interface KernelStepEvent extends EventBase {
  readonly kind: 'kernel-step';
  readonly thread: number;
  readonly threadName: string;
  readonly syscall: string;
  readonly step: string;
}

export interface ThreadStateEvent extends EventBase {
  readonly kind: 'thread-state';
  readonly thread: number;
  readonly threadName: string;
  readonly from: number;
  readonly to: number;
  readonly exitState: number;
}

export interface ContextSwitchEvent extends EventBase {
  readonly kind: 'context-switch';
  readonly machine: number;
  /** Thread ids, 0 = idle. */
  readonly from: number;
  readonly to: number;
  readonly fromName: string;
  readonly toName: string;
  readonly reason: 'schedule' | 'preempt' | 'yield' | 'exit' | 'block';
}

export interface MigrationEvent extends EventBase {
  readonly kind: 'migration';
  readonly direction: 'to-register' | 'to-server' | 'to-client';
  /** The thread that waits (client) and the passive thread that runs (handler/register). */
  readonly client: number;
  readonly clientName: string;
  readonly handler: number;
  readonly handlerName: string;
  readonly connection: number;
  readonly sc: number;
  readonly badge: number;
  /** For `to-client`: the value the client's syscall returns. */
  readonly value?: number;
}

export interface CapabilityEvent extends EventBase {
  readonly kind: 'cap-alloc' | 'cap-free';
  readonly group: number;
  readonly groupName: string;
  readonly slot: number;
  readonly object: number;
  readonly objectKind: string;
}

export interface MemoryWriteEvent extends EventBase {
  readonly kind: 'memory-write';
  readonly thread: number;
  readonly threadName: string;
  readonly address: number;
  readonly length: number;
  readonly pmo: number;
  /** Who wrote: user code, the user runtime, or the kernel (copy_to_user). */
  readonly by: 'user' | 'runtime' | 'kernel';
}

export interface ExpectationEvent extends EventBase {
  readonly kind: 'expect';
  readonly thread: number;
  readonly threadName: string;
  readonly pass: boolean;
  readonly text: string;
  /** The values of the compared sides (or the condition), for failure messages. */
  readonly values: readonly (readonly [string, number])[];
  readonly loc: SourceLocation;
}

export interface PrintEvent extends EventBase {
  readonly kind: 'print';
  readonly thread: number;
  readonly threadName: string;
  readonly text: string;
  readonly loc: SourceLocation;
}

export interface ThreadFaultEvent extends EventBase {
  readonly kind: 'thread-fault';
  readonly thread: number;
  readonly threadName: string;
  readonly reason: string;
  readonly address: number;
  readonly loc: SourceLocation | undefined;
}

export interface KernelFaultEvent extends EventBase {
  readonly kind: 'kernel-fault';
  readonly machine: number;
  readonly thread: number;
  readonly threadName: string;
  /** The seed-paths.md row, e.g. `CH-MIG-03`. */
  readonly row: string;
  readonly seedFile: string;
  /** Line in the seed file (as `cat -n` numbers it). */
  readonly seedLine: number;
  readonly message: string;
}

/** A `fault` declaration of the scenario fired. */
export interface FaultInjectedEvent extends EventBase {
  readonly kind: 'fault-injected';
  /** Index of the fault declaration. */
  readonly fault: number;
  readonly action: string;
  /** What it hit, readable: `thread client.main`, `process client`. */
  readonly target: string;
  /** False for actions this kernel does not model (links, machine crashes). */
  readonly applied: boolean;
  readonly loc: SourceLocation;
}

/** XNU mach_node activity on one machine: init, instantiate, register, publish, link, terminate, names, FLIPC, and the seed's printf lines. */
export interface NodeEvent extends EventBase {
  readonly kind: 'node';
  readonly machine: number;
  readonly machineName: string;
  readonly action: string;
  /** The node handle concerned, 0 if none. */
  readonly node: number;
  readonly text: string;
}

/** A message or state change on a `link A <-> B`. */
export interface LinkEvent extends EventBase {
  readonly kind: 'link';
  /** Index of the link declaration. */
  readonly link: number;
  readonly action: 'send' | 'deliver' | 'drop' | 'lost' | 'down' | 'up';
  readonly text: string;
}

/** A machine crashed or booted again (fault injection). */
export interface MachineEvent extends EventBase {
  readonly kind: 'machine';
  readonly machine: number;
  readonly machineName: string;
  readonly action: 'crash' | 'restart';
  readonly text: string;
}

/** Tock process framework and IPC capsule activity: commands, tasks, upcalls, grants, MPU regions, process states. */
export interface TockEvent extends EventBase {
  readonly kind: 'tock';
  readonly what: 'command' | 'subscribe' | 'allow' | 'memop' | 'task' | 'upcall' | 'grant' | 'mpu' | 'process';
  /** The Tock process concerned: its descriptor (index in its board's process array) and name. */
  readonly process: number;
  readonly processName: string;
  /** The seed-paths.md row the path follows (`TK-UPC-11`), or ''. */
  readonly row: string;
  readonly text: string;
}

/** Mach message traffic: enqueue, hand-off to a waiting receiver, receive (copyout), destruction, passive kobject calls and replies, notifications, and out-of-line memory (vm_map_copy copyin, copyout, discard; `message` is -1 for a copy a passive server owns). */
export interface MachMessageEvent extends EventBase {
  readonly kind: 'mach-msg';
  readonly action: 'enqueue' | 'handoff' | 'receive' | 'destroy' | 'kobject-call' | 'kobject-reply' | 'notify' | 'ool-copyin' | 'ool-copyout' | 'ool-discard';
  /** The thread doing it (0 for the kernel itself, e.g. a notification). */
  readonly thread: number;
  readonly threadName: string;
  /** The port concerned (the destination; for a kobject reply, the kobject port). */
  readonly port: number;
  readonly portLabel: string;
  /** Kernel message id and its msgh_id. */
  readonly message: number;
  readonly msgId: number;
  /** The port's queue length afterwards. */
  readonly queued: number;
  /** The receiver of a hand-off, the space of a receive, the kobject server, a reason. */
  readonly detail: string;
}

/** A change to the rights a name denotes in a Mach IPC space. */
export interface MachRightEvent extends EventBase {
  readonly kind: 'mach-right';
  readonly process: number;
  readonly processName: string;
  readonly name: number;
  /** The port or port set (0 for a dead name). */
  readonly object: number;
  readonly objectLabel: string;
  /** MACH_PORT_TYPE_* bits after the change; 0 = the name was freed. */
  readonly type: number;
  readonly urefs: number;
  readonly reason: string;
}

export interface HaltEvent extends EventBase {
  readonly kind: 'halt';
  readonly reason: HaltReason;
  readonly message: string;
}

export type KernelEvent =
  | SyscallEntryEvent
  | SyscallExitEvent
  | KernelStepEvent
  | ThreadStateEvent
  | ContextSwitchEvent
  | MigrationEvent
  | CapabilityEvent
  | MemoryWriteEvent
  | ExpectationEvent
  | PrintEvent
  | ThreadFaultEvent
  | KernelFaultEvent
  | FaultInjectedEvent
  | NodeEvent
  | LinkEvent
  | MachineEvent
  | TockEvent
  | MachMessageEvent
  | MachRightEvent
  | HaltEvent;

export type KernelEventListener = (events: readonly KernelEvent[]) => void;
