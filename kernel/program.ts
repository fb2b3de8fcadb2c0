// The kernel program: the resolved, checked form of a scenario that the emulator boots and runs.
//
// The language core lowers a syntax tree into a `ScenarioProgram`; the kernel never sees source
// text. Every name is resolved: locals are frame slots, objects are indices into
// `ScenarioProgram.objects`, syscalls and builtins are checked against the tables in
// `syscalls.ts`. Source locations travel along so that events, traces and the debugger can point
// back at the scenario line.

/** A source location, 1-based line and column (the one convention inside the core). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/**
 * `user` threads start at boot; `register` and `shadow` threads are ChCore's passive threads;
 * `kernel` threads run in the kernel's own task (Mach's active listeners).
 */
export type ThreadType = 'user' | 'register' | 'shadow' | 'kernel';

export interface MachineDecl {
  readonly name: string;
  readonly cpus: number;
  /** Physical memory in bytes. */
  readonly memoryBytes: number;
  /** Timer preemption quantum in cycles. */
  readonly timeslice: number;
  /** XNU `MACH_NODES_MAX` for this machine's node table (default 2, up to 1024). */
  readonly nodeTableSize: number;
  /** `OSHostByteOrder()`: 1 little-endian (default), 2 big-endian. */
  readonly byteOrder: number;
  /** `LOCAL_DATA_MODEL`: 2 LP64 (default), 1 ILP32. */
  readonly dataModel: number;
  /** MPU region slots per Tock process (default 6, as in Tock release-2.1). */
  readonly mpuRegions: number;
  readonly loc: SourceLocation;
}

/** A link between two machines (`link a <-> b latency 500`): the FLIPC transport. */
export interface LinkDecl {
  readonly a: number;
  readonly b: number;
  /** One-way latency in cycles. */
  readonly latency: number;
  readonly loc: SourceLocation;
}

/** When an injected fault fires. */
export type FaultTrigger =
  /** When the virtual time of the target's machine reaches `time` cycles. */
  | { readonly kind: 'time'; readonly time: number }
  /**
   * At the `count`-th entry (1-based) into a syscall or kernel operation, by its scenario or
   * kernel name, optionally only by one thread (object index) or any thread of one process.
   */
  | {
      readonly kind: 'syscall';
      readonly syscall: string;
      readonly thread: number;
      readonly process: number;
      readonly count: number;
    };

export type FaultAction =
  | { readonly kind: 'kill-thread'; readonly object: number }
  | { readonly kind: 'kill-process'; readonly process: number }
  | { readonly kind: 'link-down'; readonly link: number }
  | { readonly kind: 'link-up'; readonly link: number }
  /** Crash a machine; with `restartAfter` >= 0 it boots again that many cycles later. */
  | { readonly kind: 'crash-machine'; readonly machine: number; readonly restartAfter: number }
  /** Drop the next `count` messages that cross a link. */
  | { readonly kind: 'drop-messages'; readonly link: number; readonly count: number };

/** `fault <trigger> <action>`: fault injection, fired once. */
export interface FaultDecl {
  readonly trigger: FaultTrigger;
  readonly action: FaultAction;
  readonly loc: SourceLocation;
}

/** An object created at boot, owned by one process (capability group). */
export type ObjectDecl =
  | {
      readonly kind: 'pmo';
      readonly name: string;
      readonly owner: number;
      /** Requested size in bytes; the kernel rounds it up to a page. */
      readonly size: number;
      /** Optional boot-time mapping into the owner's address space. */
      readonly mapAt?: number;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: 'thread';
      readonly name: string;
      readonly owner: number;
      readonly type: ThreadType;
      readonly priority: number;
      /** CPU affinity, or -1 for any CPU of the owner's machine. */
      readonly cpu: number;
      /** Index into `ScenarioProgram.routines`: the code the thread runs from its entry point. */
      readonly routine: number;
      readonly loc: SourceLocation;
    };

/** A capability installed at boot. Slots 0 and 1 are the group itself and its vmspace. */
export interface BootCapability {
  /** Local name in the holder process (for traces and the debugger); may repeat the object's name. */
  readonly name: string;
  /** Object index, or -1 for the holder's own capability group of another process (see `group`). */
  readonly object: number;
  /** When `object` is -1: the process whose capability group this capability names. */
  readonly group?: number;
  readonly loc: SourceLocation;
}

export interface ProcessDecl {
  readonly name: string;
  readonly machine: number;
  readonly badge: number;
  /**
   * A Tock process (`process blink tock`): its name is what IPC discovery matches, and its user
   * memory accesses are checked against its MPU regions as well as its mappings.
   */
  readonly tock: boolean;
  /** Capabilities in slot order, starting at slot 2. */
  readonly caps: readonly BootCapability[];
  readonly loc: SourceLocation;
}

/** A body of code: a thread's program, a handler routine, an exit routine. */
export interface Routine {
  readonly name: string;
  readonly owner: number;
  /** Parameter names bound at entry to arg0, arg1, ... (at most 4). */
  readonly params: readonly string[];
  /** Number of local slots the body uses (params first). */
  readonly frameSize: number;
  /** Slot names, for traces and the Variables view. */
  readonly slotNames: readonly string[];
  readonly body: readonly Statement[];
  readonly loc: SourceLocation;
}

export interface ScenarioProgram {
  readonly file: string;
  readonly machines: readonly MachineDecl[];
  readonly links: readonly LinkDecl[];
  readonly faults: readonly FaultDecl[];
  readonly processes: readonly ProcessDecl[];
  readonly objects: readonly ObjectDecl[];
  readonly routines: readonly Routine[];
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type BinaryOperator =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export type UnaryOperator = '-' | 'not' | '~';

export type Register = 'pc' | 'sp' | 'arg0' | 'arg1' | 'arg2' | 'arg3' | 'ret';

export type Expression =
  | { readonly kind: 'number'; readonly value: number; readonly loc: SourceLocation }
  | { readonly kind: 'bytes'; readonly value: Uint8Array; readonly loc: SourceLocation }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly loc: SourceLocation }
  | { readonly kind: 'local'; readonly slot: number; readonly name: string; readonly loc: SourceLocation }
  | { readonly kind: 'register'; readonly register: Register; readonly loc: SourceLocation }
  /**
   * A boot object used as a capability: evaluates to the slot of the current process's boot
   * capability for it (its own objects, or the `cap` declarations and grants the lowering added).
   */
  | { readonly kind: 'object'; readonly object: number; readonly loc: SourceLocation }
  /**
   * A boot object used as an identity, for kernel-state queries (`thread_state(server.h)`) and
   * comparisons with `cap_object(...)`: evaluates to the runtime object id. Needs no capability.
   */
  | { readonly kind: 'objectRef'; readonly object: number; readonly loc: SourceLocation }
  /** A process (capability group) as a value, for kernel-state queries. */
  | { readonly kind: 'process'; readonly process: number; readonly loc: SourceLocation }
  /** A named constant: an error code (`-EINVAL` is unary minus over `EINVAL`), a thread state. */
  | { readonly kind: 'constant'; readonly name: string; readonly value: number; readonly loc: SourceLocation }
  | { readonly kind: 'list'; readonly items: readonly Expression[]; readonly loc: SourceLocation }
  | { readonly kind: 'unary'; readonly op: UnaryOperator; readonly operand: Expression; readonly loc: SourceLocation }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly loc: SourceLocation;
    }
  /** A builtin function (memory loads, message accessors, kernel-state queries); see `BUILTINS`. */
  | {
      readonly kind: 'builtin';
      readonly name: string;
      readonly args: readonly Expression[];
      readonly loc: SourceLocation;
    };

/** A syscall with its arguments by canonical parameter name (see `SYSCALLS`). */
export interface SyscallInvocation {
  readonly name: string;
  readonly args: Readonly<Record<string, Expression>>;
  readonly loc: SourceLocation;
}

// ---------------------------------------------------------------------------------------------
// Statements

export type Statement =
  /** `let x = <expression>` or `let x = <syscall>`. */
  | {
      readonly kind: 'let';
      readonly slot: number;
      readonly name: string;
      readonly value: Expression | SyscallInvocation;
      readonly isSyscall: boolean;
      readonly loc: SourceLocation;
    }
  /** `x = <expression>` or `x = <syscall>`: assignment to an existing local. */
  | {
      readonly kind: 'assign';
      readonly slot: number;
      readonly name: string;
      readonly value: Expression | SyscallInvocation;
      readonly isSyscall: boolean;
      readonly loc: SourceLocation;
    }
  | { readonly kind: 'syscall'; readonly call: SyscallInvocation; readonly loc: SourceLocation }
  /** A builtin procedure used as a statement (`store32(addr, v)`). */
  | {
      readonly kind: 'builtin';
      readonly name: string;
      readonly args: readonly Expression[];
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: 'expect';
      readonly condition: Expression;
      /** The condition's source text, for traces: `r == 42`. */
      readonly text: string;
      readonly loc: SourceLocation;
    }
  | { readonly kind: 'print'; readonly parts: readonly Expression[]; readonly loc: SourceLocation }
  | {
      readonly kind: 'if';
      readonly condition: Expression;
      readonly then: readonly Statement[];
      readonly else: readonly Statement[];
      readonly loc: SourceLocation;
    }
  /** `repeat N [as i] { ... }`: a bounded loop; `slot` counts from 0 when named, else -1. */
  | {
      readonly kind: 'repeat';
      readonly count: Expression;
      readonly slot: number;
      /** Hidden slot holding the iteration counter. */
      readonly counterSlot: number;
      readonly body: readonly Statement[];
      readonly loc: SourceLocation;
    }
  | { readonly kind: 'break'; readonly loc: SourceLocation }
  | { readonly kind: 'continue'; readonly loc: SourceLocation };

// ---------------------------------------------------------------------------------------------
// Code addresses: routines live in a code region so that `pc` and routine arguments are numbers.

export const CODE_BASE = 0x40_0000;
export const ROUTINE_STRIDE = 0x1_0000;

/** The entry address of routine `index` (the value a `routine` argument lowers to). */
export function routineEntryAddress(index: number): number {
  return CODE_BASE + index * ROUTINE_STRIDE;
}

/** The routine index an entry address names, or -1. */
export function routineIndexOfAddress(address: number, routineCount: number): number {
  const offset = address - CODE_BASE;
  if (offset < 0 || offset % ROUTINE_STRIDE !== 0) return -1;
  const index = offset / ROUTINE_STRIDE;
  return index < routineCount ? index : -1;
}
