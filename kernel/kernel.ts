// The emulated machine and kernel core: boot, objects and capabilities, the scheduler, the
// per-step loop (one statement or one kernel step on the CPU whose turn it is), events,
// snapshots and the inspection API the debugger uses.

import { DEFAULT_COST_MODEL, type CostModel } from './cost';
import {
  ChCoreError,
  DEFAULT_CAP_TABLE_SIZE,
  describeChCoreResult,
  KBASE,
  PAGE_SIZE,
  ThreadExitState,
  ThreadState,
  ThreadTypeNumber,
} from './constants';
import {
  compileProgram,
  ExpressionCompiler,
  Op,
  threadPc,
  type CompiledProgram,
  type ExecContext,
  type Instruction,
} from './compile';
import type { KernelEvent, KernelEventListener } from './events';
import { lastAccess, mapPmo, readUser, readUserInt, roundUpToPage, writeUser, writeUserInt } from './memory';
import { CODE_BASE, ROUTINE_STRIDE, type Expression, type FaultDecl, type ScenarioProgram, type SourceLocation, type ThreadType } from './program';
import { SYSCALL_IMPLEMENTATIONS } from './dispatch';
import { afterFault, applyFaultAction, newFaultsState, newLinkStates, runDueRestarts } from './faults';
import { newXnuState } from './xnu/mach-node';
import { newMachState } from './mach/state';
import { fireTimeouts as fireMachTimeouts } from './mach/ipc';
import { emptyTockState } from './tock/types';
import { tockAccess, tockBoot, tockDispatch, tockIdle, tockRoutineEnd, tockThreadExit, tockThreadFault } from './tock/process';
import { StepResult, type SyscallImplementation } from './syscall-types';

export { StepResult } from './syscall-types';
import {
  IpcConfigKind,
  ObjectKind,
  OBJECT_KIND_NAMES,
  type CapabilityGroup,
  type Cpu,
  type ExpectationFailure,
  type HaltInfo,
  type HaltReason,
  type IpcConfig,
  type KernelState,
  type SyscallFrame,
  type Thread,
} from './state';

export interface KernelOptions {
  /** PRNG seed: changes tie-breaking between CPUs at equal virtual time. Default 1. */
  readonly seed?: number;
  /** Build and deliver events. Default true. */
  readonly record?: boolean;
  readonly cost?: Partial<CostModel>;
  /** Capability table capacity per group. Default 1024. */
  readonly capTableSize?: number;
  /** Halt with `step-limit` after this many steps. Default 100,000,000. */
  readonly stepLimit?: number;
}

export type StepKind = 'statement' | 'kernel-step' | 'halted';

export interface StepReport {
  readonly kind: StepKind;
  readonly machine: number;
  readonly cpu: number;
  readonly thread: number;
  readonly threadName: string;
  readonly loc: SourceLocation | undefined;
  /** For kernel steps and syscall statements. */
  readonly syscall?: string;
  readonly kernelStep?: string;
  readonly time: number;
}

export interface FrameInfo {
  /** Stable within one stop: `thread * 64 + depth`. */
  readonly id: number;
  readonly thread: number;
  readonly threadName: string;
  readonly kind: 'kernel' | 'scenario';
  readonly name: string;
  readonly loc: SourceLocation | undefined;
  /** This frame belongs to a client whose call migrated into the thread above it. */
  readonly migration: boolean;
}

export interface VariableInfo {
  readonly name: string;
  readonly value: number;
}

export type EvaluateResult = { readonly value: number } | { readonly error: string };

export interface ThreadInfo {
  readonly id: number;
  readonly name: string;
  readonly process: string;
  readonly type: ThreadType;
  readonly state: number;
  readonly exitState: number;
  readonly cpu: number;
  readonly loc: SourceLocation | undefined;
}

const TYPE_NAMES: Record<number, ThreadType> = { 1: 'kernel', 2: 'user', 3: 'shadow', 4: 'register' };

/** Stack placement: thread i of a process has its stack below STACK_TOP - i * STACK_STRIDE. */
export const STACK_TOP = 0x7000_0000_0000;
export const STACK_STRIDE = 0x10_0000;
export const STACK_SIZE = 4 * PAGE_SIZE;

const SEED_FILE = 'chcore-ipc-connection.c.txt';
const NO_LOCATION: SourceLocation = { file: '', line: 0, column: 0, endLine: 0, endColumn: 0 };

export class Kernel implements ExecContext {
  readonly program: ScenarioProgram;
  readonly compiled: CompiledProgram;
  readonly cost: CostModel;
  readonly record: boolean;
  readonly capTableSize: number;
  readonly stepLimit: number;
  state: KernelState;

  // ExecContext (transient, valid during one step only).
  thread!: Thread;
  cpu!: Cpu;
  faultAddress = -1;
  faultReason = '';

  private pending: KernelEvent[] = [];
  private readonly faults: readonly FaultDecl[];
  private readonly hasTimeFaults: boolean;
  private readonly hasSyscallFaults: boolean;
  private listeners: KernelEventListener[] = [];
  private readonly impls: readonly (SyscallImplementation | null)[];
  private readonly expressionCompiler: ExpressionCompiler;
  /** The args list of the last syscall-entry event per syscall (shared while the values repeat). */
  private readonly lastArgs: (readonly (readonly [string, number])[] | undefined)[] = [];

  constructor(program: ScenarioProgram, options: KernelOptions = {}) {
    this.program = program;
    this.compiled = compileProgram(program);
    this.expressionCompiler = new ExpressionCompiler(this.compiled.capabilitySlots);
    this.cost = { ...DEFAULT_COST_MODEL, ...(options.cost ?? {}) };
    this.record = options.record ?? true;
    this.capTableSize = options.capTableSize ?? DEFAULT_CAP_TABLE_SIZE;
    this.stepLimit = options.stepLimit ?? 100_000_000;
    this.impls = SYSCALL_IMPLEMENTATIONS;
    const seed = (options.seed ?? 1) >>> 0;
    this.state = {
      prng: seed === 0 ? 0x9e3779b9 : seed,
      steps: 0,
      machines: [],
      cpus: [],
      kinds: [0],
      refs: [0],
      groups: [null],
      threads: [null],
      connections: [null],
      pmos: [null],
      vmspaces: [null],
      scs: [null],
      ipcConfigs: [],
      bootObjects: [],
      processGroups: [],
      threadIds: [],
      connShm: [],
      faultFired: [],
      faultCounts: [],
      expectPassed: 0,
      expectFailed: 0,
      failures: [],
      halt: null,
      tock: emptyTockState(),
      nodes: newXnuState(program.machines.length > 0 ? program.machines : [{}]),
      links: newLinkStates(program),
      faults: newFaultsState(Math.max(1, program.machines.length)),
      mach: newMachState(),
    };
    this.faults = program.faults ?? [];
    this.state.faultFired = this.faults.map(() => false);
    this.state.faultCounts = this.faults.map(() => 0);
    this.hasTimeFaults = this.faults.some((f) => f.trigger.kind === 'time');
    this.hasSyscallFaults = this.faults.some((f) => f.trigger.kind === 'syscall');
    this.boot();
  }

  // -------------------------------------------------------------------------------------------
  // Boot

  private boot(): void {
    const s = this.state;
    const machines = this.program.machines.length > 0
      ? this.program.machines
      : [{ name: 'machine', cpus: 1, memoryBytes: 64 * 1024 * 1024, timeslice: 10_000 }];
    machines.forEach((decl, index) => {
      const cpus: number[] = [];
      for (let i = 0; i < Math.max(1, decl.cpus); i++) {
        const cpu: Cpu = { index: s.cpus.length, machine: index, local: i, time: 0, current: 0 };
        cpus.push(cpu.index);
        s.cpus.push(cpu);
      }
      s.machines.push({
        index,
        name: decl.name,
        memoryBytes: decl.memoryBytes,
        committed: 0,
        timeslice: decl.timeslice > 0 ? decl.timeslice : 10_000,
        cpus,
        runQueue: [],
        halted: false,
        faulted: false,
        faultMessage: '',
      });
    });
    this.program.processes.forEach((decl, index) => {
      const groupId = this.allocObject(ObjectKind.CAP_GROUP);
      const vmspaceId = this.allocObject(ObjectKind.VMSPACE);
      const machine = Math.min(decl.machine, s.machines.length - 1);
      const group: CapabilityGroup = {
        id: groupId,
        name: decl.name,
        process: index,
        pid: index + 1,
        badge: decl.badge,
        machine,
        slots: [],
        firstFree: 0,
        vmspace: vmspaceId,
        threads: [],
      };
      s.groups[groupId] = group;
      s.vmspaces[vmspaceId] = { id: vmspaceId, group: groupId, vmrs: [] };
      s.processGroups.push(groupId);
      s.connShm.push([]);
      this.capAlloc(groupId, groupId);
      this.capAlloc(groupId, vmspaceId);
    });
    const threadCounts = this.program.processes.map(() => 0);
    this.program.objects.forEach((decl, index) => {
      const group = s.groups[s.processGroups[decl.owner]!]!;
      if (decl.kind === 'pmo') {
        const id = this.createPmo(group.machine, roundUpToPage(Math.max(1, decl.size)), `${group.name}.${decl.name}`, true);
        s.bootObjects.push(id);
        if (id > 0 && decl.mapAt !== undefined) mapPmo(s.vmspaces[group.vmspace]!, s.pmos[id]!, decl.mapAt, true);
        return;
      }
      const position = threadCounts[decl.owner]!++;
      const stackPmo = this.createPmo(group.machine, STACK_SIZE, `${group.name}.${decl.name}.stack`, true);
      const stackTop = STACK_TOP - position * STACK_STRIDE;
      if (stackPmo > 0) mapPmo(s.vmspaces[group.vmspace]!, s.pmos[stackPmo]!, stackTop - STACK_SIZE, true);
      const id = this.allocObject(ObjectKind.THREAD);
      // ChCore's TYPE_KERNEL is 1; kernel threads (Mach active listeners) start at boot like user threads.
      const type = decl.type === 'kernel' ? 1 : ThreadTypeNumber[decl.type];
      const passive = decl.type === 'register' || decl.type === 'shadow';
      const machine = s.machines[group.machine]!;
      const thread: Thread = {
        id,
        name: `${group.name}.${decl.name}`,
        object: index,
        group: group.id,
        process: decl.owner,
        machine: group.machine,
        type,
        state: passive ? ThreadState.TS_WAITING : ThreadState.TS_READY,
        exitState: ThreadExitState.TE_RUNNING,
        affinity: decl.cpu >= 0 && decl.cpu < machine.cpus.length ? decl.cpu : -1,
        bootPriority: decl.priority,
        routine: decl.routine,
        ip: 0,
        badPc: 0,
        sp: stackTop,
        arg0: 0,
        arg1: 0,
        arg2: 0,
        arg3: 0,
        ret: 0,
        sc: 0,
        ipcConfig: 0,
        locals: new Array<number>(this.compiled.maxFrameSize).fill(0),
        entryArg0: 0,
        cpu: -1,
        queued: false,
        readyAt: 0,
        stackPmo,
        stackTop,
        kernel: newFrame(),
      };
      s.threads[id] = thread;
      s.threadIds.push(id);
      group.threads.push(id);
      s.bootObjects.push(id);
      if (!passive) {
        const sc = this.allocObject(ObjectKind.SCHED_CONTEXT);
        s.scs[sc] = { id: sc, priority: decl.priority, budget: machine.timeslice, owner: id, freed: false };
        thread.sc = sc;
        this.enqueue(thread, 0);
      }
    });
    this.program.processes.forEach((decl, index) => {
      const groupId = s.processGroups[index]!;
      for (const cap of decl.caps) {
        const object = cap.object >= 0 ? s.bootObjects[cap.object]! : s.processGroups[cap.group ?? index]!;
        this.capAlloc(groupId, object);
      }
    });
    tockBoot(this);
    // Boot-time events are not interesting to listeners; start with an empty queue.
    this.pending = [];
  }

  /** Creates a PMO; `-ENOMEM` past the machine's memory unless `boot` (boot objects always exist). */
  private createPmo(machineIndex: number, size: number, name: string, boot = false): number {
    const machine = this.state.machines[machineIndex]!;
    if (!boot && !(machine.committed + size <= machine.memoryBytes)) return -ChCoreError.ENOMEM;
    machine.committed += size;
    const id = this.allocObject(ObjectKind.PMO);
    this.state.pmos[id] = { id, name, machine: machineIndex, size, pages: [], freed: false };
    return id;
  }

  /** `sys_create_pmo` for the running thread: the PMO object, or a negative error. */
  createUserPmo(thread: Thread, size: number): number {
    return this.createPmo(thread.machine, roundUpToPage(size), `${this.state.groups[thread.group]!.name}.pmo`);
  }

  // -------------------------------------------------------------------------------------------
  // Objects and capabilities

  allocObject(kind: number): number {
    const s = this.state;
    const id = s.kinds.length;
    s.kinds.push(kind);
    s.refs.push(0);
    s.groups.push(null);
    s.threads.push(null);
    s.connections.push(null);
    s.pmos.push(null);
    s.vmspaces.push(null);
    s.scs.push(null);
    return id;
  }

  /** `obj_get`: the object id in `slot` of the group if it has `kind`, else 0. */
  objGet(groupId: number, slot: number, kind: number): number {
    const group = this.state.groups[groupId]!;
    if (!(slot >= 0 && slot < group.slots.length)) return 0;
    const id = group.slots[slot]!;
    return id !== 0 && this.state.kinds[id] === kind ? id : 0;
  }

  /** `cap_alloc`: the lowest free slot, or -ENOMEM when the table is full. */
  capAlloc(groupId: number, objectId: number): number {
    const group = this.state.groups[groupId]!;
    const slots = group.slots;
    let slot = group.firstFree;
    while (slot < slots.length && slots[slot] !== 0) slot++;
    if (slot >= this.capTableSize) return -ChCoreError.ENOMEM;
    if (slot === slots.length) slots.push(objectId);
    else slots[slot] = objectId;
    group.firstFree = slot + 1;
    this.state.refs[objectId]!++;
    if (this.record) this.emitCap('cap-alloc', group, slot, objectId);
    return slot;
  }

  /** `cap_copy(src, dst, slot)`: -ECAPBILITY for a free/invalid source slot, -ENOMEM when full. */
  capCopy(fromGroup: number, toGroup: number, slot: number): number {
    const group = this.state.groups[fromGroup]!;
    if (!(slot >= 0 && slot < group.slots.length) || group.slots[slot] === 0) return -ChCoreError.ECAPBILITY;
    this.chargeCurrent(this.cost.capabilityCopy);
    return this.capAlloc(toGroup, group.slots[slot]!);
  }

  /** `cap_free`: 0, or -ECAPBILITY for a free slot. The object is freed with its last capability. */
  capFree(groupId: number, slot: number): number {
    const group = this.state.groups[groupId]!;
    if (!(slot >= 0 && slot < group.slots.length) || group.slots[slot] === 0) return -ChCoreError.ECAPBILITY;
    const id = group.slots[slot]!;
    group.slots[slot] = 0;
    if (slot < group.firstFree) group.firstFree = slot;
    if (this.record) this.emitCap('cap-free', group, slot, id);
    if (--this.state.refs[id]! === 0) this.freeObject(id);
    return 0;
  }

  private freeObject(id: number): void {
    const s = this.state;
    const kind = s.kinds[id];
    if (kind === ObjectKind.PMO) {
      const pmo = s.pmos[id]!;
      pmo.freed = true;
      pmo.pages = [];
      s.machines[pmo.machine]!.committed -= pmo.size;
    } else if (kind === ObjectKind.CONNECTION) {
      s.connections[id]!.freed = true;
    }
    // Threads, groups and vmspaces are held by the kernel itself and never freed here.
  }

  private emitCap(kind: 'cap-alloc' | 'cap-free', group: CapabilityGroup, slot: number, object: number): void {
    this.pending.push({
      kind,
      time: this.cpu ? this.cpu.time : 0,
      cpu: this.cpu ? this.cpu.index : -1,
      group: group.id,
      groupName: group.name,
      slot,
      object,
      objectKind: OBJECT_KIND_NAMES[this.state.kinds[object]!] ?? 'unknown',
    });
  }

  newIpcConfig(kind: number): number {
    const configs = this.state.ipcConfigs;
    configs.push({
      id: configs.length + 1,
      kind,
      lock: 0,
      declaredIpcRoutineEntry: 0,
      registerCbThread: 0,
      registerCbEntry: 0,
      registerCbStack: 0,
      // Uninitialised kmalloc memory in the seed; modelled as an invalid capability.
      connCapInClient: -1,
      connCapInServer: -1,
      shmCapInServer: -1,
      ipcRoutineEntry: 0,
      ipcRoutineStack: 0,
      ipcExitRoutineEntry: 0,
      activeConn: 0,
      destructor: 0,
    });
    return configs.length;
  }

  ipcConfigOf(thread: Thread): IpcConfig | null {
    return thread.ipcConfig === 0 ? null : this.state.ipcConfigs[thread.ipcConfig - 1]!;
  }

  // -------------------------------------------------------------------------------------------
  // Time and costs

  /** Charges cycles to the CPU running the current step (the sc is charged per step). */
  chargeCurrent(cycles: number): void {
    this.cpu.time += cycles;
  }

  now(): number {
    return this.cpu.time;
  }

  /** xorshift32; the state lives in `state.prng`. */
  random(): number {
    let x = this.state.prng;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state.prng = x;
    return x;
  }

  // -------------------------------------------------------------------------------------------
  // User memory (ExecContext)

  loadInt(address: number, size: 1 | 2 | 4 | 8, signed: boolean): number {
    const t = this.thread;
    this.cpu.time += size * this.cost.memoryByte;
    const vmspace = this.state.tock.active ? tockAccess(this, t, address, size, false) : this.state.groups[t.group]!.vmspace;
    if (vmspace < 0) return 0;
    const v = readUserInt(this.state, vmspace, address, size);
    if (v !== v) {
      this.userFault('read from an unmapped address', lastAccess().faultAddress);
      return 0;
    }
    if (signed && size === 4 && v >= 0x8000_0000) return v - 0x1_0000_0000;
    return v;
  }

  storeInt(address: number, size: 1 | 2 | 4 | 8, value: number): void {
    const t = this.thread;
    this.cpu.time += size * this.cost.memoryByte;
    const vmspace = this.state.tock.active ? tockAccess(this, t, address, size, true) : this.state.groups[t.group]!.vmspace;
    if (vmspace < 0) return;
    if (!writeUserInt(this.state, vmspace, address, size, value)) {
      this.userFault('write to an unmapped or read-only address', lastAccess().faultAddress);
      return;
    }
    if (this.record) this.emitWrite(t, address, size, 'user');
  }

  storeBytes(address: number, bytes: Uint8Array): void {
    this.writeBytesAs(address, bytes, bytes.length, 'user');
  }

  /** A user-mode write of `length` bytes of `bytes` (user code or the user runtime). */
  writeBytesAs(address: number, bytes: Uint8Array, length: number, by: 'user' | 'runtime'): boolean {
    const t = this.thread;
    this.cpu.time += length * this.cost.memoryByte;
    const vmspace = this.state.tock.active ? tockAccess(this, t, address, length, true) : this.state.groups[t.group]!.vmspace;
    if (vmspace < 0) return false;
    if (!writeUser(this.state, vmspace, address, bytes, 0, length)) {
      this.userFault('write to an unmapped or read-only address', lastAccess().faultAddress);
      return false;
    }
    if (this.record) this.emitWrite(t, address, length, by);
    return true;
  }

  emitWrite(t: Thread, address: number, length: number, by: 'user' | 'runtime' | 'kernel'): void {
    this.pending.push({
      kind: 'memory-write',
      time: this.cpu.time,
      cpu: this.cpu.index,
      thread: t.id,
      threadName: t.name,
      address,
      length,
      pmo: lastAccess().pmo,
      by,
    });
  }

  userFault(reason: string, address: number): void {
    if (this.faultAddress >= 0) return;
    this.faultAddress = address;
    this.faultReason = reason;
  }

  /** Kernel `copy_from_user` into `out`: 0, or -1 on a fault. `BUG_ON(ptr >= KBASE)` is a kernel fault (returns -2). */
  copyFromUser(t: Thread, address: number, length: number, out: Uint8Array): number {
    if (address >= KBASE) return -2;
    this.cpu.time += length * this.cost.byteCopied;
    return readUser(this.state, this.state.groups[t.group]!.vmspace, address, length, out, 0) ? 0 : -1;
  }

  /**
   * The rest of a copyin whose first `outOffset` bytes are already in `out` (read by the same
   * step): copies `length` bytes from `address` to `out[outOffset..]` and charges `charged` bytes
   * (the whole copy, as one `copy_from_user` of it would). 0, or -1 on a fault.
   */
  copyFromUserRest(t: Thread, address: number, length: number, out: Uint8Array, outOffset: number, charged: number): number {
    this.cpu.time += charged * this.cost.byteCopied;
    return readUser(this.state, this.state.groups[t.group]!.vmspace, address, length, out, outOffset) ? 0 : -1;
  }

  /** Kernel `copy_to_user`: 0 or -1. */
  copyToUser(t: Thread, address: number, data: Uint8Array, length: number): number {
    this.cpu.time += length * this.cost.byteCopied;
    if (!writeUser(this.state, this.state.groups[t.group]!.vmspace, address, data, 0, length)) return -1;
    if (this.record) this.emitWrite(t, address, length, 'kernel');
    return 0;
  }

  /** A u32 read by the kernel (copy_from_user of one field): NaN on a fault. */
  kernelReadU32(t: Thread, address: number): number {
    this.cpu.time += 4 * this.cost.byteCopied;
    return readUserInt(this.state, this.state.groups[t.group]!.vmspace, address, 4);
  }

  // -------------------------------------------------------------------------------------------
  // Events

  emit(event: KernelEvent): void {
    this.pending.push(event);
  }

  /**
   * The event listener (assign it: `kernel.onEvents = (events) => ...`). Events queued during a
   * step are delivered after the step, never re-entrantly.
   */
  onEvents: KernelEventListener | null = null;

  /** Adds another listener; returns a function that removes it. */
  subscribe(listener: KernelEventListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private delivering = false;

  /** Delivers queued events. A listener that steps the kernel gets those events afterwards, in order. */
  private deliver(): void {
    if (this.onEvents === null && this.listeners.length === 0) {
      this.pending.length = 0;
      return;
    }
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (this.pending.length > 0) {
        // The listeners get an exact-size copy; the queue keeps its capacity (a step usually
        // queues one event).
        const pending = this.pending;
        let events: KernelEvent[];
        if (pending.length === 1) events = [pending.pop()!];
        else {
          events = pending.slice();
          for (let n = pending.length; n > 0; n--) pending.pop(); // cheaper than a length store
        }
        if (this.onEvents !== null) this.onEvents(events);
        const listeners = this.listeners;
        for (let i = 0; i < listeners.length; i++) listeners[i]!(events);
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Expectation counts and the failed ones (kept even with recording off). */
  expectationStats(): { readonly passed: number; readonly failed: number; readonly failures: readonly ExpectationFailure[] } {
    return { passed: this.state.expectPassed, failed: this.state.expectFailed, failures: this.state.failures };
  }

  setState(t: Thread, to: number): void {
    const from = t.state;
    t.state = to;
    if (this.record && from !== to) {
      this.pending.push({
        kind: 'thread-state',
        time: this.cpu ? this.cpu.time : 0,
        cpu: this.cpu ? this.cpu.index : -1,
        thread: t.id,
        threadName: t.name,
        from,
        to,
        exitState: t.exitState,
      });
    }
  }

  /** Marks a thread TE_EXITED + TS_EXIT. */
  exitThread(t: Thread): void {
    if (this.state.tock.active) tockThreadExit(this, t);
    t.exitState = ThreadExitState.TE_EXITED;
    this.setState(t, ThreadState.TS_EXIT);
    t.kernel.active = false;
    t.kernel.blocked = false;
    if (t.queued) this.dequeue(t);
  }

  /**
   * Reports a seed BUG_ON / NULL dereference / type confusion: a `kernel-fault` event, and the
   * machine halts cleanly. Returns StepResult.HALTED for step functions.
   */
  kernelFault(row: string, seedLine: number, message: string, seedFile: string = SEED_FILE): number {
    const cpu = this.cpu;
    const machine = this.state.machines[cpu.machine]!;
    const t = this.state.threads[cpu.current];
    // Recorded even with recording off: faults are rare and the CLI must be able to report them.
    this.pending.push({
      kind: 'kernel-fault',
      time: cpu.time,
      cpu: cpu.index,
      machine: machine.index,
      thread: t ? t.id : 0,
      threadName: t ? t.name : '',
      row,
      seedFile,
      seedLine,
      message,
    });
    machine.faultMessage = `kernel fault ${row} (${seedFile}:${seedLine}) on machine ${machine.name}: ${message}`;
    machine.halted = true;
    machine.faulted = true;
    return StepResult.HALTED;
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling

  priorityOf(t: Thread): number {
    const sc = t.sc !== 0 ? this.state.scs[t.sc] : null;
    return sc ? sc.priority : t.bootPriority;
  }

  enqueue(t: Thread, time: number): void {
    if (t.queued) return;
    const machine = this.state.machines[t.machine]!;
    machine.runQueue.push(t.id);
    t.queued = true;
    t.readyAt = time;
    if (t.state !== ThreadState.TS_READY) this.setState(t, ThreadState.TS_READY);
  }

  private dequeue(t: Thread): void {
    const queue = this.state.machines[t.machine]!.runQueue;
    const i = queue.indexOf(t.id);
    if (i >= 0) removeAt(queue, i);
    t.queued = false;
  }

  /** Index in the run queue of the thread this CPU would pick (highest priority, FIFO), or -1. */
  private pickIndex(cpu: Cpu): number {
    const queue = this.state.machines[cpu.machine]!.runQueue;
    let best = -1;
    let bestPriority = -Infinity;
    for (let i = 0; i < queue.length; i++) {
      const t = this.state.threads[queue[i]!]!;
      if (t.affinity >= 0 && t.affinity !== cpu.local) continue;
      const p = this.priorityOf(t);
      if (p > bestPriority) {
        best = i;
        bestPriority = p;
      }
    }
    return best;
  }

  /** Puts `t` on `cpu` (the caller removed the previous thread). */
  private dispatch(cpu: Cpu, t: Thread, reason: 'schedule' | 'preempt' | 'yield' | 'exit' | 'block', from: number): void {
    if (t.readyAt > cpu.time) cpu.time = t.readyAt;
    cpu.current = t.id;
    t.cpu = cpu.index;
    this.setState(t, ThreadState.TS_RUNNING);
    if (this.state.tock.active) tockDispatch(this, t);
    cpu.time += this.cost.contextSwitch;
    if (this.record) {
      const fromThread = this.state.threads[from];
      this.pending.push({
        kind: 'context-switch',
        time: cpu.time,
        cpu: cpu.index,
        machine: cpu.machine,
        from,
        to: t.id,
        fromName: fromThread ? fromThread.name : 'idle',
        toName: t.name,
        reason,
      });
    }
  }

  /**
   * ChCore `sched()` on `cpu`: an exiting current thread becomes TE_EXITED/TS_EXIT; a running one
   * is re-enqueued if another thread of at least its priority is ready; the pick runs next.
   */
  schedule(cpu: Cpu, reason: 'schedule' | 'preempt' | 'yield' | 'exit' | 'block'): void {
    const current = this.state.threads[cpu.current];
    const from = cpu.current;
    if (current) {
      if (current.exitState === ThreadExitState.TE_EXITING) {
        this.exitThread(current);
        reason = 'exit';
      }
      if (current.state === ThreadState.TS_RUNNING) {
        const index = this.pickIndex(cpu);
        if (index < 0) return;
        const queue = this.state.machines[cpu.machine]!.runQueue;
        const next = this.state.threads[queue[index]!]!;
        if (this.priorityOf(next) < this.priorityOf(current)) return;
        removeAt(queue, index);
        next.queued = false;
        current.cpu = -1;
        cpu.current = 0;
        this.enqueue(current, cpu.time);
        this.takeNext(cpu, next, reason, from);
        return;
      }
      current.cpu = -1;
      cpu.current = 0;
    }
    const index = this.pickIndex(cpu);
    if (index < 0) return;
    const queue = this.state.machines[cpu.machine]!.runQueue;
    const next = this.state.threads[queue[index]!]!;
    removeAt(queue, index);
    next.queued = false;
    this.takeNext(cpu, next, reason, from);
  }

  private takeNext(cpu: Cpu, next: Thread, reason: 'schedule' | 'preempt' | 'yield' | 'exit' | 'block', from: number): void {
    // pbrr: a chosen thread that is being recycled exits instead of running.
    if (next.exitState === ThreadExitState.TE_EXITING) {
      this.exitThread(next);
      this.schedule(cpu, reason);
      return;
    }
    this.dispatch(cpu, next, reason, from);
  }

  /**
   * ChCore `sched_to_thread(target)`: a direct switch on the current CPU (the fast path). The
   * seed's BUG_ONs become kernel faults. If the target was parked inside a syscall, that syscall
   * returns `target.ret` now. Returns StepResult.SWITCHED or HALTED.
   */
  schedToThread(target: Thread, row: string, seedLine: number, direction: 'to-register' | 'to-server' | 'to-client', connection: number, badge: number): number {
    const cpu = this.cpu;
    const current = this.state.threads[cpu.current]!;
    if (target.state !== ThreadState.TS_WAITING && target.state !== ThreadState.TS_INTER) {
      return this.kernelFault(row, seedLine, `BUG_ON in sched_to_thread: ${target.name} is ${stateName(target.state)}, not TS_WAITING/TS_INTER`);
    }
    if (target === current) return this.kernelFault(row, seedLine, `BUG_ON in sched_to_thread: ${target.name} is the current thread`);
    if (target.exitState === ThreadExitState.TE_EXITED) {
      return this.kernelFault(row, seedLine, `BUG_ON in switch_to_thread: ${target.name} is TE_EXITED`);
    }
    if (target.cpu >= 0) {
      return this.kernelFault(row, seedLine, `sched_to_thread: ${target.name} is still running on CPU ${target.cpu} (documented deviation: one thread cannot run on two CPUs)`);
    }
    current.cpu = -1;
    cpu.current = target.id;
    target.cpu = cpu.index;
    this.setState(target, ThreadState.TS_RUNNING);
    cpu.time += this.cost.migration;
    if (this.record) {
      const client = direction === 'to-client' ? target : current;
      const handler = direction === 'to-client' ? current : target;
      // Two literal shapes instead of a conditional spread (same keys, same order).
      if (direction === 'to-client') {
        this.pending.push({
          kind: 'migration',
          time: cpu.time,
          cpu: cpu.index,
          direction,
          client: client.id,
          clientName: client.name,
          handler: handler.id,
          handlerName: handler.name,
          connection,
          sc: target.sc,
          badge,
          value: target.ret,
        });
      } else {
        this.pending.push({
          kind: 'migration',
          time: cpu.time,
          cpu: cpu.index,
          direction,
          client: client.id,
          clientName: client.name,
          handler: handler.id,
          handlerName: handler.name,
          connection,
          sc: target.sc,
          badge,
        });
      }
    }
    if (target.kernel.active) this.finishSyscall(target, target.ret);
    return StepResult.SWITCHED;
  }

  /** Sets a passive thread's pc to `address` (arch_set_thread_next_ip). */
  setThreadPc(t: Thread, address: number): void {
    const offset = address - CODE_BASE;
    const routine = offset >= 0 ? Math.floor(offset / ROUTINE_STRIDE) : -1;
    if (routine >= 0 && routine < this.compiled.routines.length) {
      t.routine = routine;
      t.ip = offset - routine * ROUTINE_STRIDE;
    } else {
      t.routine = -1;
      t.badPc = address;
    }
  }

  /** Starts the routine at the thread's pc afresh: locals cleared, params bound to arg0... */
  enterRoutine(t: Thread): void {
    const locals = t.locals;
    for (let i = 0; i < locals.length; i++) locals[i] = 0;
    t.entryArg0 = t.arg0;
    t.kernel.active = false;
    t.kernel.blocked = false;
    if (t.routine < 0 || t.ip !== 0) return;
    const params = this.compiled.routines[t.routine]!.params.length;
    if (params > 0) t.locals[0] = t.arg0;
    if (params > 1) t.locals[1] = t.arg1;
    if (params > 2) t.locals[2] = t.arg2;
    if (params > 3) t.locals[3] = t.arg3;
  }

  // -------------------------------------------------------------------------------------------
  // The step loop

  get halt(): HaltInfo | undefined {
    return this.state.halt ?? undefined;
  }

  /** The CPU whose turn it is (lowest local time, ties by the PRNG), or null when nothing can run. */
  private chooseCpu(consumeRandom: boolean): Cpu | null {
    const cpus = this.state.cpus;
    if (cpus.length === 1) {
      const cpu = cpus[0]!;
      if (this.state.machines[0]!.halted) return null;
      return cpu.current !== 0 || this.pickIndex(cpu) >= 0 ? cpu : null;
    }
    let best: Cpu | null = null;
    let ties = 0;
    for (let i = 0; i < cpus.length; i++) {
      const cpu = cpus[i]!;
      if (this.state.machines[cpu.machine]!.halted) continue;
      if (cpu.current === 0 && this.pickIndex(cpu) < 0) continue;
      const time = cpu.current === 0 ? Math.max(cpu.time, this.readyTime(cpu)) : cpu.time;
      const bestTime = best ? (best.current === 0 ? Math.max(best.time, this.readyTime(best)) : best.time) : Infinity;
      if (time < bestTime) {
        best = cpu;
        ties = 1;
      } else if (time === bestTime) {
        ties++;
      }
    }
    if (best === null || ties === 1) return best;
    // Several CPUs at the same time: the seeded PRNG picks one.
    const bestTime = best.current === 0 ? Math.max(best.time, this.readyTime(best)) : best.time;
    const pick = consumeRandom ? this.random() % ties : 0;
    let n = 0;
    for (let i = 0; i < cpus.length; i++) {
      const cpu = cpus[i]!;
      if (this.state.machines[cpu.machine]!.halted) continue;
      if (cpu.current === 0 && this.pickIndex(cpu) < 0) continue;
      const time = cpu.current === 0 ? Math.max(cpu.time, this.readyTime(cpu)) : cpu.time;
      if (time === bestTime && n++ === pick) return cpu;
    }
    return best;
  }

  private readyTime(cpu: Cpu): number {
    const index = this.pickIndex(cpu);
    if (index < 0) return Infinity;
    return this.state.threads[this.state.machines[cpu.machine]!.runQueue[index]!]!.readyAt;
  }

  /** Runs one statement or one kernel step. */
  step(): StepReport {
    const report = this.stepOnce(true);
    this.deliver();
    return report ?? this.haltedReport();
  }

  /** Runs up to `maxSteps` steps; returns the halt info if the kernel halted. */
  run(maxSteps = Infinity): HaltInfo | undefined {
    const s = this.state;
    const deliver = this.onEvents !== null || this.listeners.length > 0;
    // With one CPU and nobody listening, consecutive kernel steps of a syscall run in a burst:
    // no other CPU can interleave and no listener can observe the difference.
    const burst = s.cpus.length === 1 && !deliver;
    let remaining = maxSteps;
    while (remaining > 0) {
      if (s.halt !== null) break;
      const before = s.steps;
      // The burst bound stays a small integer (remaining may be Number.MAX_SAFE_INTEGER).
      this.stepOnce(false, burst ? (remaining < 0x4000_0000 ? remaining : 0x4000_0000) : 1);
      remaining -= Math.max(1, s.steps - before);
      if (this.pending.length > 0) this.deliver();
    }
    this.deliver();
    return s.halt ?? undefined;
  }

  private haltedReport(): StepReport {
    return { kind: 'halted', machine: -1, cpu: -1, thread: 0, threadName: '', loc: undefined, time: this.maxTime() };
  }

  private maxTime(): number {
    let t = 0;
    for (const cpu of this.state.cpus) if (cpu.time > t) t = cpu.time;
    return t;
  }

  /**
   * Runs one step (`burst` 1), or in a burst (run() on one CPU with nobody listening) up to
   * `burst` steps: each one exactly as a separate call would run it, the loop only saves the
   * call. After a kernel-step run, `burst` is what is left of the allowance.
   */
  private stepOnce(wantReport: boolean, burst = 1): StepReport | null {
    const s = this.state;
    if (s.halt !== null) return null;
    for (;;) {
      // Deadlines (time faults, Mach timeouts, restarts): one due on an idle machine before the
      // next step fires first; a machine that runs a thread fires its own before its step.
      const deadlines = this.hasTimeFaults || s.mach.timedWaiters.length > 0 || s.faults.restarts.length > 0;
      if (deadlines && this.fireIdleDeadline()) continue;
      const cpus = s.cpus;
      let cpu: Cpu | null;
      if (cpus.length === 1) {
        cpu = cpus[0]!;
        if (s.machines[0]!.halted || (cpu.current === 0 && this.pickIndex(cpu) < 0)) cpu = null;
      } else {
        cpu = this.chooseCpu(true);
      }
      if (cpu === null) {
        // Nothing can run and no pending deadline can fire (fireIdleDeadline fired any that could).
        this.finish();
        return null;
      }
      this.cpu = cpu;
      if (deadlines) {
        if (this.hasTimeFaults) this.injectTimeFaults(cpu);
        if (s.mach.timedWaiters.length > 0) fireMachTimeouts(this, cpu.machine, cpu.time, false);
        if (s.faults.restarts.length > 0) runDueRestarts(this, cpu.time);
      }
      let t = s.threads[cpu.current];
      if (!t) {
        this.schedule(cpu, 'schedule');
        t = s.threads[cpu.current];
        if (!t) {
          s.steps++;
          return null;
        }
      }
      let report: StepReport | null = null;
      let frame = t.kernel;
      let sc = t.sc !== 0 ? s.scs[t.sc]! : null;
      if (!frame.active || frame.blocked) {
        if (sc !== null && sc.budget <= 0) {
          // Timer preemption at a statement boundary once the budget is spent. ChCore's sched()
          // (here: at the tick) is also where a TE_EXITING thread dies.
          sc.budget = s.machines[cpu.machine]!.timeslice;
          this.schedule(cpu, 'preempt');
          t = s.threads[cpu.current];
          if (!t) {
            s.steps++;
            return wantReport ? this.report('statement', cpu, null) : null;
          }
          frame = t.kernel;
          sc = t.sc !== 0 ? s.scs[t.sc]! : null;
        }
        if (sc !== null && sc.freed) {
          this.kernelFault('CH-EXIT-02', 1029, `${t.name} runs on a scheduling context that sys_ipc_exit_routine_return freed (dangling sc)`);
          s.steps++;
          return wantReport ? this.report('statement', cpu, t) : null;
        }
      }
      // The cycles of a step are charged to the scheduling context it started on.
      const start = cpu.time;
      if (frame.active && !frame.blocked) {
        if (wantReport) report = this.report('kernel-step', cpu, t);
        this.runKernelStep(cpu, t, frame);
        if (sc !== null) sc.budget -= cpu.time - start;
        // A burst (run() on one CPU, no listener): the following kernel steps of the same syscall,
        // exactly as separate steps would run them (no other CPU exists to interleave). With time
        // faults, Mach timeouts or restarts pending, each step goes through the checks above.
        while (
          --burst > 0 &&
          frame.active &&
          !frame.blocked &&
          cpu.current === t.id &&
          s.halt === null &&
          !s.machines[cpu.machine]!.halted &&
          !this.hasTimeFaults &&
          s.mach.timedWaiters.length === 0 &&
          s.faults.restarts.length === 0
        ) {
          if (++s.steps >= this.stepLimit) {
            this.haltWith('step-limit', `step limit of ${this.stepLimit} reached`);
            return report;
          }
          const stepSc = t.sc !== 0 ? s.scs[t.sc]! : null;
          const stepStart = cpu.time;
          this.runKernelStep(cpu, t, frame);
          if (stepSc !== null) stepSc.budget -= cpu.time - stepStart;
        }
      } else {
        if (wantReport) report = this.report('statement', cpu, t);
        this.runStatement(cpu, t);
        if (sc !== null) sc.budget -= cpu.time - start;
        burst--;
      }
      if (++s.steps >= this.stepLimit && s.halt === null) this.haltWith('step-limit', `step limit of ${this.stepLimit} reached`);
      if (burst <= 0 || s.halt !== null) return report;
      // What run() does between two steps with nobody listening: drop the queued events.
      if (this.pending.length > 0) this.pending.length = 0;
    }
  }

  private report(kind: StepKind, cpu: Cpu, t: Thread | null): StepReport {
    if (!t) return { kind, machine: cpu.machine, cpu: cpu.index, thread: 0, threadName: '', loc: undefined, time: cpu.time };
    const frame = t.kernel;
    const impl = frame.active ? this.impls[frame.sys] : null;
    const instruction = this.currentInstruction(t);
    return {
      kind,
      machine: cpu.machine,
      cpu: cpu.index,
      thread: t.id,
      threadName: t.name,
      loc: instruction?.loc,
      ...(impl ? { syscall: impl.name, kernelStep: impl.stepNames[frame.step] } : instruction && instruction.op === Op.SYSCALL ? { syscall: instruction.text } : {}),
      time: cpu.time,
    };
  }

  /** What the next step will be, without doing it (does not consume randomness). */
  peek(): StepReport | undefined {
    if (this.state.halt !== null) return undefined;
    // The same choice step() will make, including the PRNG draw for a tie, then undone.
    const savedPrng = this.state.prng;
    const cpu = this.chooseCpu(true);
    this.state.prng = savedPrng;
    if (cpu === null) return undefined;
    let t = this.state.threads[cpu.current];
    if (!t) {
      const index = this.pickIndex(cpu);
      t = index >= 0 ? this.state.threads[this.state.machines[cpu.machine]!.runQueue[index]!]! : null;
    }
    if (!t) return undefined;
    return this.report(t.kernel.active && !t.kernel.blocked ? 'kernel-step' : 'statement', cpu, t);
  }

  private finish(): void {
    const s = this.state;
    const faulted = s.machines.find((m) => m.faulted);
    if (faulted) {
      this.haltWith('fault', faulted.faultMessage);
      return;
    }
    const stuck = s.threadIds.map((id) => s.threads[id]!).filter((t) => t.kernel.active && t.state !== ThreadState.TS_EXIT && !(s.tock.active && tockIdle(this, t)));
    if (stuck.length > 0) {
      this.haltWith('deadlock', `deadlock: ${stuck.map((t) => `${t.name} waits in ${this.impls[t.kernel.sys]?.kernelName ?? 'a syscall'}`).join(', ')}`);
      return;
    }
    this.haltWith('finished', `finished: ${s.expectPassed} expectations passed, ${s.expectFailed} failed`);
  }

  private haltWith(reason: HaltReason, message: string): void {
    const time = this.maxTime();
    this.state.halt = { reason, message, time, steps: this.state.steps };
    // Halt events are always queued (even with recording off): listeners need to know.
    this.pending.push({ kind: 'halt', time, cpu: -1, reason, message });
  }

  // -------------------------------------------------------------------------------------------
  // Executing user code

  currentInstruction(t: Thread): Instruction | undefined {
    if (t.routine < 0) return undefined;
    return this.compiled.routines[t.routine]!.instructions[t.ip];
  }

  private runStatement(cpu: Cpu, t: Thread): void {
    const routine = t.routine >= 0 ? this.compiled.routines[t.routine] : undefined;
    if (routine === undefined) {
      this.threadFault(cpu, t, 'instruction fetch from a non-code address', t.badPc);
      return;
    }
    const instructions = routine.instructions;
    let ins = instructions[t.ip];
    while (ins !== undefined && ins.op === Op.JUMP) {
      t.ip = ins.target;
      ins = instructions[t.ip];
    }
    if (ins === undefined) {
      this.threadFault(cpu, t, 'instruction fetch past the end of a routine', threadPc(t));
      return;
    }
    this.thread = t;
    this.faultAddress = -1;
    cpu.time += this.cost.statement;
    const locals = t.locals;
    switch (ins.op) {
      case Op.EVAL: {
        const v = ins.expression!(this);
        if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
        locals[ins.slot] = v;
        t.ip++;
        return;
      }
      case Op.JUMP_IF_FALSE: {
        const v = ins.expression!(this);
        if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
        t.ip = v ? t.ip + 1 : ins.target;
        return;
      }
      case Op.REPEAT_INIT: {
        const limit = ins.expression!(this);
        if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
        locals[ins.slot] = 0;
        locals[ins.limitSlot] = limit;
        if (limit > 0) {
          if (ins.iterationSlot >= 0) locals[ins.iterationSlot] = 0;
          t.ip++;
        } else {
          t.ip = ins.target;
        }
        return;
      }
      case Op.REPEAT_NEXT: {
        const count = locals[ins.slot]! + 1;
        locals[ins.slot] = count;
        if (count < locals[ins.limitSlot]!) {
          if (ins.iterationSlot >= 0) locals[ins.iterationSlot] = count;
          t.ip = ins.target;
        } else {
          t.ip++;
        }
        return;
      }
      case Op.SYSCALL:
        this.trap(cpu, t, ins);
        return;
      case Op.EXPECT:
        this.expectation(cpu, t, ins);
        return;
      case Op.PRINT: {
        let text = '';
        for (const part of ins.parts) {
          if (part.text !== null) text += part.text;
          else text += String(part.value!(this));
        }
        if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
        if (this.record) this.pending.push({ kind: 'print', time: cpu.time, cpu: cpu.index, thread: t.id, threadName: t.name, text, loc: ins.loc });
        t.ip++;
        return;
      }
      case Op.BUILTIN:
        this.builtinProcedure(ins);
        if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
        t.ip++;
        return;
      case Op.END:
        if (this.state.tock.active && tockRoutineEnd(this, t)) return;
        this.exitThread(t);
        this.schedule(cpu, 'exit');
        return;
    }
  }

  private builtinProcedure(ins: Instruction): void {
    const a = ins.builtinArguments;
    switch (ins.text) {
      case 'store8':
        this.storeInt(a[0]!(this), 1, a[1]!(this));
        return;
      case 'store16':
        this.storeInt(a[0]!(this), 2, a[1]!(this));
        return;
      case 'store32':
        this.storeInt(a[0]!(this), 4, a[1]!(this));
        return;
      case 'store64':
        this.storeInt(a[0]!(this), 8, a[1]!(this));
        return;
      case 'store_bytes':
        if (ins.bytes) this.storeBytes(a[0]!(this), ins.bytes);
        return;
      case 'build_msg': {
        const address = a[0]!(this);
        const header = new Uint8Array(16);
        const view = new DataView(header.buffer);
        for (let i = 0; i < 4; i++) view.setUint32(i * 4, (a[i + 1] ? a[i + 1]!(this) : 0) >>> 0, true);
        if (this.faultAddress < 0) this.writeBytesAs(address, header, 16, 'user');
        return;
      }
      default:
        // Functions used as statements: evaluate for their faults.
        this.userFault(`unknown procedure ${ins.text}`, 0);
    }
  }

  private expectation(cpu: Cpu, t: Thread, ins: Instruction): void {
    let pass: boolean;
    let left = 0;
    let right = 0;
    if (ins.left !== null) {
      left = ins.left(this);
      right = ins.right!(this);
      pass = ins.expression!(this) !== 0;
    } else {
      left = ins.expression!(this);
      pass = left !== 0;
    }
    if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
    if (pass) this.state.expectPassed++;
    else {
      this.state.expectFailed++;
      this.state.failures.push({ thread: t.id, text: ins.text, line: ins.loc.line, file: ins.loc.file });
    }
    if (this.record || !pass) {
      const values: [string, number][] = ins.left !== null ? [[ins.leftText, left], [ins.rightText, right]] : [[ins.leftText, left]];
      this.pending.push({ kind: 'expect', time: cpu.time, cpu: cpu.index, thread: t.id, threadName: t.name, pass, text: ins.text, values, loc: ins.loc });
    }
    t.ip++;
  }

  /** A user-mode fault: the thread exits (not a kernel fault). */
  threadFault(cpu: Cpu, t: Thread, reason: string, address: number): void {
    this.pending.push({
      kind: 'thread-fault',
      time: cpu.time,
      cpu: cpu.index,
      thread: t.id,
      threadName: t.name,
      reason,
      address,
      loc: this.currentInstruction(t)?.loc,
    });
    if (this.state.tock.active) tockThreadFault(this, t, reason, address);
    this.exitThread(t);
    this.schedule(cpu, 'exit');
  }

  private trap(cpu: Cpu, t: Thread, ins: Instruction): void {
    const impl = ins.callee >= 0 ? this.impls[ins.callee] : null;
    if (!impl) {
      this.threadFault(cpu, t, `unknown syscall ${ins.text}`, 0);
      return;
    }
    const f = t.kernel;
    f.sys = ins.callee;
    f.step = 0;
    f.a0 = 0;
    f.a1 = 0;
    f.a2 = 0;
    f.a3 = 0;
    f.r = 0;
    f.v0 = 0;
    f.v1 = 0;
    f.v2 = 0;
    f.v3 = 0;
    f.v4 = 0;
    f.v5 = 0;
    f.v6 = 0;
    f.v7 = 0;
    f.v8 = 0;
    f.blocked = false;
    impl.prologue(this, t, ins, f);
    if (this.faultAddress >= 0) return this.threadFault(cpu, t, this.faultReason, this.faultAddress);
    f.active = true;
    cpu.time += this.cost.syscallEntry;
    if (this.record) {
      const args = this.syscallArgs(ins.callee, impl, f);
      this.pending.push({
        kind: 'syscall-entry',
        time: cpu.time,
        cpu: cpu.index,
        thread: t.id,
        threadName: t.name,
        syscall: impl.name,
        kernelName: impl.kernelName,
        args,
        loc: ins.loc,
      });
    }
    if (this.hasSyscallFaults) this.injectSyscallFaults(t, impl);
    if (impl.steps.length === 0) this.finishSyscall(t, f.r);
  }

  /**
   * The `args` of a syscall-entry event. Events are read-only, so a syscall entered again with the
   * same raw arguments shares the previous entry's list instead of building a new one.
   */
  private syscallArgs(sys: number, impl: SyscallImplementation, f: SyscallFrame): readonly (readonly [string, number])[] {
    const names = impl.argNames;
    const n = names.length;
    const last = this.lastArgs[sys];
    if (
      last !== undefined &&
      (n < 1 || sameNumber(last[0]![1], f.a0)) &&
      (n < 2 || sameNumber(last[1]![1], f.a1)) &&
      (n < 3 || sameNumber(last[2]![1], f.a2)) &&
      (n < 4 || sameNumber(last[3]![1], f.a3))
    ) {
      return last;
    }
    const args: (readonly [string, number])[] = [];
    for (let i = 0; i < n; i++) args.push([names[i]!, i === 0 ? f.a0 : i === 1 ? f.a1 : i === 2 ? f.a2 : f.a3]);
    this.lastArgs[sys] = args;
    return args;
  }

  // -------------------------------------------------------------------------------------------
  // Fault injection (`fault` declarations): fired once each

  /** The machine a fault's action concerns (for time triggers). */
  private faultMachine(fault: FaultDecl): number {
    const action = fault.action;
    const s = this.state;
    switch (action.kind) {
      case 'kill-thread': {
        const thread = s.threads[s.bootObjects[action.object] ?? 0];
        return thread ? thread.machine : -1;
      }
      case 'kill-process': {
        const group = s.groups[s.processGroups[action.process] ?? 0];
        return group ? group.machine : -1;
      }
      case 'crash-machine':
        return action.machine;
      default:
        return this.program.links?.[action.link]?.a ?? -1;
    }
  }

  /** Fires the time faults of `cpu`'s machine that are due at its clock. Returns whether one fired. */
  private injectTimeFaults(cpu: Cpu): boolean {
    const s = this.state;
    let fired = false;
    for (let i = 0; i < this.faults.length; i++) {
      const fault = this.faults[i]!;
      if (s.faultFired[i] || fault.trigger.kind !== 'time') continue;
      if (cpu.time >= fault.trigger.time && this.faultMachine(fault) === cpu.machine) {
        this.fireFault(i);
        fired = true;
      }
    }
    return fired;
  }

  /**
   * A machine none of whose CPUs runs a thread (all idle, or crashed): its clock only advances
   * through `fireIdleDeadline`. A machine halted by a kernel fault never counts (its deadlines
   * never fire); with `running`, a crashed machine does not count either (Mach timeouts).
   */
  private idleMachine(m: number, running: boolean): boolean {
    const machine = this.state.machines[m];
    if (!machine || machine.faulted) return false;
    if (machine.halted) return !running;
    const cpus = machine.cpus;
    for (let i = 0; i < cpus.length; i++) if (this.state.cpus[cpus[i]!]!.current !== 0) return false;
    return true;
  }

  /** The virtual time of the next step any CPU would take (Infinity when none can step). No PRNG draw. */
  private nextStepTime(): number {
    const s = this.state;
    let best = Infinity;
    for (let i = 0; i < s.cpus.length; i++) {
      const cpu = s.cpus[i]!;
      if (s.machines[cpu.machine]!.halted) continue;
      let time = cpu.time;
      if (cpu.current === 0) {
        const index = this.pickIndex(cpu);
        if (index < 0) continue;
        const readyAt = s.threads[s.machines[cpu.machine]!.runQueue[index]!]!.readyAt;
        if (readyAt > time) time = readyAt;
      }
      if (time < best) best = time;
    }
    return best;
  }

  /**
   * Virtual time on idle machines. The earliest pending deadline (an unfired time fault, a Mach
   * timeout, a machine restart) of a machine that runs no thread fires when it is not later than
   * the next step any CPU would take, or when no CPU can step at all: that machine's CPUs advance
   * to the deadline (the event time) and whatever is due there fires, in the order a step would
   * fire it (time faults, Mach timeouts, restarts). Machines that run a thread fire their
   * deadlines before their own steps (stepOnce). Draws no randomness. Returns whether anything fired.
   */
  private fireIdleDeadline(): boolean {
    const s = this.state;
    let when = Infinity;
    let machine = -1;
    if (this.hasTimeFaults) {
      for (let i = 0; i < this.faults.length; i++) {
        const trigger = this.faults[i]!.trigger;
        if (s.faultFired[i] || trigger.kind !== 'time' || trigger.time >= when) continue;
        const m = this.faultMachine(this.faults[i]!);
        if (m >= 0 && this.idleMachine(m, false)) {
          when = trigger.time;
          machine = m;
        }
      }
    }
    const waiters = s.mach.timedWaiters;
    for (let i = 0; i < waiters.length; i++) {
      const t = s.threads[waiters[i]!];
      const mt = t ? s.mach.threads[t.id] : undefined;
      if (!t || !mt || mt.deadline < 0 || mt.deadline >= when) continue;
      if (this.idleMachine(t.machine, true)) {
        when = mt.deadline;
        machine = t.machine;
      }
    }
    const restarts = s.faults.restarts;
    for (let i = 0; i < restarts.length; i++) {
      const r = restarts[i]!;
      if (r.at < when && s.machines[r.machine]) {
        when = r.at;
        machine = r.machine;
      }
    }
    if (machine < 0 || when > this.nextStepTime()) return false;
    // The machine's clocks advance to the deadline; the earliest of them is where it fires.
    const target = s.machines[machine]!;
    let cpu: Cpu | null = null;
    for (const c of target.cpus) {
      const x = s.cpus[c]!;
      if (x.time < when) x.time = when;
      if (cpu === null || x.time < cpu.time) cpu = x;
    }
    if (cpu === null) return false;
    this.cpu = cpu;
    let fired = this.hasTimeFaults && this.injectTimeFaults(cpu);
    if (waiters.length > 0 && !target.halted && fireMachTimeouts(this, machine, cpu.time, false)) fired = true;
    if (restarts.length > 0 && runDueRestarts(this, when)) fired = true;
    return fired;
  }

  private injectSyscallFaults(t: Thread, impl: SyscallImplementation): void {
    const s = this.state;
    for (let i = 0; i < this.faults.length; i++) {
      const fault = this.faults[i]!;
      const trigger = fault.trigger;
      if (s.faultFired[i] || trigger.kind !== 'syscall') continue;
      if (trigger.syscall !== impl.name && trigger.syscall !== impl.kernelName) continue;
      if (trigger.thread >= 0 && s.bootObjects[trigger.thread] !== t.id) continue;
      if (trigger.process >= 0 && trigger.process !== t.process) continue;
      if (++s.faultCounts[i]! >= Math.max(1, trigger.count)) this.fireFault(i);
    }
  }

  private fireFault(index: number): void {
    const s = this.state;
    s.faultFired[index] = true;
    const fault = this.faults[index]!;
    const action = fault.action;
    let target = '';
    let applied = true;
    const mark = (id: number): void => {
      const thread = s.threads[id];
      if (thread && thread.exitState === ThreadExitState.TE_RUNNING) thread.exitState = ThreadExitState.TE_EXITING;
    };
    switch (action.kind) {
      case 'kill-thread': {
        const id = s.bootObjects[action.object] ?? 0;
        target = `thread ${s.threads[id]?.name ?? '?'}`;
        mark(id);
        break;
      }
      case 'kill-process': {
        const group = s.groups[s.processGroups[action.process] ?? 0];
        target = `process ${group?.name ?? '?'}`;
        group?.threads.forEach(mark);
        break;
      }
      default: {
        // Links, message drops and machine crashes: kernel/faults.ts.
        const result = applyFaultAction(this, action);
        target = result ? result.target : '?';
        applied = result ? result.applied : false;
      }
    }
    afterFault(this);
    // Always queued (rare, and a trace without it would be confusing).
    this.pending.push({ kind: 'fault-injected', time: this.cpu.time, cpu: this.cpu.index, fault: index, action: action.kind, target, applied, loc: fault.loc });
  }

  private runKernelStep(cpu: Cpu, t: Thread, f: SyscallFrame): void {
    const impl = this.impls[f.sys]!;
    this.thread = t;
    cpu.time += this.cost.kernelStep;
    if (this.record) {
      this.pending.push({ kind: 'kernel-step', time: cpu.time, cpu: cpu.index, thread: t.id, threadName: t.name, syscall: impl.kernelName, step: impl.stepNames[f.step]! });
    }
    const next = impl.steps[f.step]!(this, t, f);
    if (next >= 0) f.step = next;
    else if (next === StepResult.DONE) this.finishSyscall(t, f.r);
  }

  /** Returns from a syscall to user mode: the user runtime epilogue, the result, the next statement. */
  finishSyscall(t: Thread, value: number): void {
    const f = t.kernel;
    const impl = this.impls[f.sys]!;
    f.active = false;
    f.blocked = false;
    t.ret = value;
    const cpu = this.cpu;
    cpu.time += this.cost.syscallExit;
    if (impl.epilogue) impl.epilogue(this, t, value);
    const ins = this.currentInstruction(t);
    if (this.record) {
      // Two literal shapes instead of a conditional spread (same keys, same order).
      const error = value < 0 ? describeChCoreResult(value) : undefined;
      const loc = ins ? ins.loc : NO_LOCATION;
      if (error !== undefined && error !== String(value)) {
        this.pending.push({ kind: 'syscall-exit', time: cpu.time, cpu: cpu.index, thread: t.id, threadName: t.name, syscall: impl.name, result: value, error, loc });
      } else {
        this.pending.push({ kind: 'syscall-exit', time: cpu.time, cpu: cpu.index, thread: t.id, threadName: t.name, syscall: impl.name, result: value, loc });
      }
    }
    if (ins && ins.op === Op.SYSCALL) {
      if (ins.slot >= 0) t.locals[ins.slot] = value;
      t.ip++;
    }
  }

  /** Completes the caller's syscall without a return value (void syscalls that keep running). */
  finishVoid(t: Thread): void {
    this.finishSyscall(t, t.ret);
  }

  // -------------------------------------------------------------------------------------------
  // Snapshots

  /** A deep copy of the whole state (plain data; `structuredClone` gives the same result). */
  snapshot(): KernelState {
    return clonePlain(this.state);
  }

  /** Restores a snapshot (copied, so the snapshot can be restored again). */
  restore(snapshot: KernelState): void {
    this.state = clonePlain(snapshot);
    this.pending = [];
  }

  // -------------------------------------------------------------------------------------------
  // Inspection

  threadById(id: number): Thread | undefined {
    return this.state.threads[id] ?? undefined;
  }

  threads(): ThreadInfo[] {
    return this.state.threadIds.map((id) => {
      const t = this.state.threads[id]!;
      return {
        id,
        name: t.name,
        process: this.state.groups[t.group]!.name,
        type: TYPE_NAMES[t.type] ?? 'user',
        state: t.state,
        exitState: t.exitState,
        cpu: t.cpu,
        loc: this.currentInstruction(t)?.loc,
      };
    });
  }

  threadLocation(id: number): SourceLocation | undefined {
    const t = this.state.threads[id];
    return t ? this.currentInstruction(t)?.loc : undefined;
  }

  /** The thread's frames, innermost first, continuing into the clients of migrated calls. */
  frames(id: number): FrameInfo[] {
    const frames: FrameInfo[] = [];
    const seen = new Set<number>();
    let t = this.state.threads[id] ?? null;
    let migration = false;
    while (t && !seen.has(t.id) && frames.length < 60) {
      seen.add(t.id);
      const ins = this.currentInstruction(t);
      if (t.kernel.active) {
        const impl = this.impls[t.kernel.sys]!;
        frames.push({
          id: id * 64 + frames.length,
          thread: t.id,
          threadName: t.name,
          kind: 'kernel',
          name: `${impl.kernelName} › ${impl.stepNames[t.kernel.step] ?? '?'}`,
          loc: ins?.loc,
          migration,
        });
      }
      const routine = t.routine >= 0 ? this.compiled.routines[t.routine]! : null;
      frames.push({
        id: id * 64 + frames.length,
        thread: t.id,
        threadName: t.name,
        kind: 'scenario',
        name: routine ? `${t.name}: ${routine.name}` : `${t.name}: <pc 0x${t.badPc.toString(16)}>`,
        loc: ins?.loc,
        migration,
      });
      t = this.clientOf(t);
      migration = true;
    }
    return frames;
  }

  /** The client whose call (or registration) migrated into `t`, if `t` is serving one. */
  clientOf(t: Thread): Thread | null {
    const config = this.ipcConfigOf(t);
    if (!config) return null;
    let connId = 0;
    if (config.kind === IpcConfigKind.HANDLER) connId = config.activeConn;
    else if (config.kind === IpcConfigKind.REGISTER_CB && config.lock !== 0) {
      connId = this.objGet(t.group, config.connCapInServer, ObjectKind.CONNECTION);
    }
    const conn = connId !== 0 ? this.state.connections[connId] : null;
    if (!conn || conn.currentClientThread === 0) return null;
    return this.state.threads[conn.currentClientThread] ?? null;
  }

  /** Locals of a frame (by `FrameInfo.id`), named from the routine's slot names. */
  locals(frameId: number): VariableInfo[] {
    const owner = Math.floor(frameId / 64);
    const frame = this.frames(owner)[frameId % 64];
    if (!frame) return [];
    const t = this.state.threads[frame.thread]!;
    if (frame.kind === 'kernel') {
      const f = t.kernel;
      const impl = this.impls[f.sys]!;
      const raw = [f.a0, f.a1, f.a2, f.a3];
      return [...impl.argNames.map((name, i) => ({ name, value: raw[i]! })), { name: 'r', value: f.r }];
    }
    const routine = t.routine >= 0 ? this.compiled.routines[t.routine]! : null;
    if (!routine) return [];
    return routine.slotNames.map((name, i) => ({ name, value: t.locals[i] ?? 0 }));
  }

  registers(id: number): VariableInfo[] {
    const t = this.state.threads[id];
    if (!t) return [];
    return [
      { name: 'pc', value: threadPc(t) },
      { name: 'sp', value: t.sp },
      { name: 'arg0', value: t.arg0 },
      { name: 'arg1', value: t.arg1 },
      { name: 'arg2', value: t.arg2 },
      { name: 'arg3', value: t.arg3 },
      { name: 'ret', value: t.ret },
    ];
  }

  /** Evaluates an IR expression in the context of a thread (reads only; no cycles charged). */
  evaluate(threadId: number, expression: Expression): EvaluateResult {
    const t = this.state.threads[threadId];
    if (!t) return { error: `no thread ${threadId}` };
    const evaluator = this.expressionCompiler.compile(expression, t.process);
    const savedThread = this.thread;
    const savedCpu = this.cpu;
    const savedTimes = this.state.cpus.map((c) => c.time);
    this.thread = t;
    this.cpu = this.state.cpus[t.cpu] ?? this.state.cpus[this.state.machines[t.machine]!.cpus[0]!]!;
    this.faultAddress = -1;
    const value = evaluator(this);
    const fault = this.faultAddress >= 0 ? `${this.faultReason} at 0x${this.faultAddress.toString(16)}` : null;
    this.faultAddress = -1;
    this.state.cpus.forEach((c, i) => (c.time = savedTimes[i]!));
    this.thread = savedThread;
    this.cpu = savedCpu;
    return fault ? { error: fault } : { value };
  }

  /** Reads bytes of a thread's address space (for a memory view); null if unmapped. */
  readMemory(threadId: number, address: number, length: number): Uint8Array | null {
    const t = this.state.threads[threadId];
    if (!t) return null;
    const out = new Uint8Array(length);
    return readUser(this.state, this.state.groups[t.group]!.vmspace, address, length, out, 0) ? out : null;
  }
}

/** Deep copy of plain data: arrays, plain objects, Uint8Array, primitives. */
export function clonePlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = clonePlain(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clonePlain((value as Record<string, unknown>)[key]);
  return out as T;
}

/** `Object.is` for the numbers of an event (0 and -0 differ; NaN never repeats). */
function sameNumber(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}

/** `array.splice(index, 1)` without allocating the removed-elements array. */
function removeAt(array: number[], index: number): void {
  const last = array.length - 1;
  for (let i = index; i < last; i++) array[i] = array[i + 1]!;
  array.pop();
}

function newFrame(): SyscallFrame {
  return { active: false, sys: 0, step: 0, a0: 0, a1: 0, a2: 0, a3: 0, r: 0, v0: 0, v1: 0, v2: 0, v3: 0, v4: 0, v5: 0, v6: 0, v7: 0, v8: 0, blocked: false };
}

export function stateName(state: number): string {
  return ['TS_INIT', 'TS_READY', 'TS_INTER', 'TS_RUNNING', 'TS_EXIT', 'TS_WAITING'][state] ?? `state ${state}`;
}
