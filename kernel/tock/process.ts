// Tock's process framework around the IPC capsule (Tock release-2.1, outside the seed; see
// seed-paths.md "Constants" and section 3.4): boot of Tock processes with their RAM regions,
// process states, the task queue (`enqueue_task`), grant allocation in the grant region, the
// MPU check of user memory accesses, and the hooks the kernel calls (dispatch, routine end,
// thread fault, thread exit).

import { TockError, ThreadState } from '../constants';
import type { Kernel } from '../kernel';
import { findVmr, mapPmo } from '../memory';
import type { Statement } from '../program';
import { ObjectKind, type Thread } from '../state';
import type { TockEvent } from '../events';
import {
  TASK_QUEUE_CAPACITY,
  TOCK_INITIAL_APP_MEMORY,
  TOCK_RAM_BASE,
  TOCK_RAM_SIZE,
  TOCK_RAM_STRIDE,
  type TockBoard,
  type TockProcess,
  type TockProcessStateName,
  type TockTask,
} from './types';

export const SEED_TOCK = 'tock-ipc.rs.txt';
/** Default `NUM_PROCS` and process slots of a board (as on the usual boards, e.g. imix). */
export const DEFAULT_NUM_PROCS = 4;
const DEFAULT_MPU_REGIONS = 6;

export function hex(value: number): string {
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

const ERROR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TockError).map(([k, v]) => [v, k]));

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? String(code);
}

/** Emits a `tock` event (only when recording). */
export function tockEvent(k: Kernel, p: TockProcess, what: TockEvent['what'], text: string, row = ''): void {
  if (!k.record) return;
  const cpu = k.cpu as Kernel['cpu'] | undefined;
  k.emit({ kind: 'tock', time: cpu ? cpu.time : 0, cpu: cpu ? cpu.index : -1, what, process: p.descriptor, processName: p.name, row, text });
}

export function setProcessState(k: Kernel, p: TockProcess, to: TockProcessStateName, why: string, row = ''): void {
  if (p.state === to) return;
  const from = p.state;
  p.state = to;
  tockEvent(k, p, 'process', `${from} → ${to}${why ? ` (${why})` : ''}`, row);
}

/** The Tock process a thread belongs to, or null. */
export function tockProcessOf(k: Kernel, t: Thread): TockProcess | null {
  const index = k.state.tock.byThread[t.id] ?? -1;
  return index >= 0 ? k.state.tock.processes[index]! : null;
}

export function boardOf(k: Kernel, p: TockProcess): TockBoard {
  return k.state.tock.boards[p.machine]!;
}

/** The process in slot `descriptor` of a board, or null (an empty slot, or out of range). */
export function processAt(k: Kernel, board: TockBoard, descriptor: number): TockProcess | null {
  if (!Number.isInteger(descriptor) || descriptor < 0 || descriptor >= board.slots.length) return null;
  const index = board.slots[descriptor]!;
  return index >= 0 ? k.state.tock.processes[index]! : null;
}

export function isInactive(p: TockProcess): boolean {
  return p.state === 'Faulted' || p.state === 'Terminated';
}

// ---------------------------------------------------------------------------------------------
// Boot

function usesTock(statements: readonly Statement[]): boolean {
  for (const s of statements) {
    switch (s.kind) {
      case 'let':
      case 'assign':
        if (s.isSyscall && 'args' in s.value && s.value.name.startsWith('tock_')) return true;
        break;
      case 'syscall':
        if (s.call.name.startsWith('tock_')) return true;
        break;
      case 'if':
        if (usesTock(s.then) || usesTock(s.else)) return true;
        break;
      case 'repeat':
        if (usesTock(s.body)) return true;
        break;
      default:
    }
  }
  return false;
}

export function initTask(): TockTask {
  return { kind: 'function-call', source: 'init', pc: 0, arg0: 0, arg1: 0, arg2: 0, arg3: 0, label: 'init', from: -1, fromIdentifier: 0, fromName: '', type: '' };
}

/**
 * Boots the Tock processes: a process declared `tock`, or (until the language has the option)
 * one whose code makes a `tock_*` syscall. Each gets the next slot of its machine's process
 * array, a RAM region (a PMO mapped at 0x2000_0000 + slot * 64 KiB) and an `init` task.
 */
export function tockBoot(k: Kernel): void {
  const s = k.state;
  const program = k.program;
  const tock = s.tock;
  const marked = program.processes.map((decl) => decl.tock === true);
  for (const routine of program.routines) if (!marked[routine.owner] && usesTock(routine.body)) marked[routine.owner] = true;
  tock.byProcess = program.processes.map(() => -1);
  tock.boards = s.machines.map((m) => ({ machine: m.index, machineName: m.name, numProcs: DEFAULT_NUM_PROCS, slots: [] }));
  tock.byThread = [];
  program.processes.forEach((decl, index) => {
    if (!marked[index]) return;
    const group = s.groups[s.processGroups[index]!]!;
    const board = tock.boards[group.machine]!;
    const descriptor = board.slots.length;
    const ramStart = TOCK_RAM_BASE + descriptor * TOCK_RAM_STRIDE;
    // The RAM region: a kernel-made PMO, mapped read-write, charged to the machine.
    const machine = s.machines[group.machine]!;
    const pmoId = k.allocObject(ObjectKind.PMO);
    const pmo = { id: pmoId, name: `${group.name}.ram`, machine: group.machine, size: TOCK_RAM_SIZE, pages: [], freed: false };
    s.pmos[pmoId] = pmo;
    machine.committed += TOCK_RAM_SIZE;
    const mapped = mapPmo(s.vmspaces[group.vmspace]!, pmo, ramStart, true) === 0;
    const thread = group.threads.find((id) => s.threads[id]!.type === 2) ?? group.threads[0] ?? 0;
    const machineDecl = program.machines[group.machine];
    const limit = machineDecl && machineDecl.mpuRegions > 0 ? machineDecl.mpuRegions : DEFAULT_MPU_REGIONS;
    const p: TockProcess = {
      descriptor,
      name: decl.name,
      process: index,
      group: group.id,
      machine: group.machine,
      thread,
      identifier: index,
      state: 'Unstarted',
      tasks: [initTask()],
      droppedUpcalls: 0,
      ipc: { allocated: false, bytes: 0, upcalls: [], search: { addr: 0, len: 0 }, shared: [] },
      ramStart,
      ramEnd: ramStart + TOCK_RAM_SIZE,
      appBreak: mapped ? ramStart + TOCK_INITIAL_APP_MEMORY : ramStart,
      kernelBreak: ramStart + TOCK_RAM_SIZE,
      ramPmo: mapped ? pmoId : 0,
      mpuRegions: [],
      mpuLimit: limit,
      upcallFrames: [],
    };
    tock.byProcess[index] = tock.processes.length;
    board.slots.push(tock.processes.length);
    for (const id of group.threads) tock.byThread[id] = tock.processes.length;
    tock.processes.push(p);
  });
  for (const board of tock.boards) {
    if (board.slots.length === 0) continue;
    board.numProcs = Math.max(DEFAULT_NUM_PROCS, board.slots.length);
    while (board.slots.length < board.numProcs) board.slots.push(-1);
  }
  for (let id = 0; id < s.threads.length; id++) if (tock.byThread[id] === undefined) tock.byThread[id] = -1;
  tock.active = tock.processes.length > 0;
  tock.nextIdentifier = program.processes.length;
}

// ---------------------------------------------------------------------------------------------
// Tasks, grants, termination

/**
 * `Process::enqueue_task` (release-2.1): 0, or NODEVICE for a Faulted/Terminated process (no
 * dropped-upcall count), or NOMEM when 9 tasks are pending (`dropped_upcall_count++`). A
 * process waiting in yield-wait is made runnable.
 */
export function enqueueTask(k: Kernel, p: TockProcess, task: TockTask): number {
  if (isInactive(p)) return TockError.NODEVICE;
  if (p.tasks.length >= TASK_QUEUE_CAPACITY) {
    p.droppedUpcalls++;
    return TockError.NOMEM;
  }
  p.tasks.push(task);
  const t = k.state.threads[p.thread];
  if (t && p.state === 'Yielded' && t.kernel.active && t.kernel.blocked && t.state === ThreadState.TS_WAITING) {
    t.kernel.blocked = false;
    k.enqueue(t, k.cpu.time);
  }
  return 0;
}

/** Size of the IPC grant: a header, NUM_PROCS upcalls (8 bytes), 1 RO and NUM_PROCS RW allows (8 bytes), 8-aligned. */
export function ipcGrantSize(numProcs: number): number {
  const bytes = 4 + 8 * numProcs + 8 + 8 * numProcs;
  return Math.ceil(bytes / 8) * 8;
}

export type GrantResult = 'ok' | 'inactive' | 'nomem';

/**
 * `Grant::enter` of the IPC grant: allocates it on first use in the process's grant region,
 * below the kernel break (NOMEM when it would cross the app break).
 */
export function enterIpcGrant(k: Kernel, p: TockProcess, row: string): GrantResult {
  if (isInactive(p)) return 'inactive';
  if (p.ipc.allocated) return 'ok';
  const board = boardOf(k, p);
  const size = ipcGrantSize(board.numProcs);
  if (p.kernelBreak - size < p.appBreak) {
    tockEvent(k, p, 'grant', `cannot allocate the IPC grant: ${size} bytes below the kernel break ${hex(p.kernelBreak)} would cross the app break ${hex(p.appBreak)}`, row);
    return 'nomem';
  }
  p.kernelBreak -= size;
  p.ipc.allocated = true;
  p.ipc.bytes = size;
  p.ipc.upcalls = [];
  p.ipc.shared = [];
  for (let i = 0; i < board.numProcs; i++) {
    p.ipc.upcalls.push({ routine: 0, userdata: 0 });
    p.ipc.shared.push({ addr: 0, len: 0 });
  }
  p.ipc.search = { addr: 0, len: 0 };
  tockEvent(k, p, 'grant', `IPC grant allocated: ${size} bytes at ${hex(p.kernelBreak)} (${board.numProcs} upcall slots, 1 read-only and ${board.numProcs} read-write allow slots)`, row);
  return 'ok';
}

/** `terminate` (and the Stop fault policy): tasks dropped, grants reset, the new state. */
export function terminateProcess(k: Kernel, p: TockProcess, to: 'Faulted' | 'Terminated', why: string): void {
  if (isInactive(p)) return;
  setProcessState(k, p, to, why);
  p.tasks = [];
  p.upcallFrames = [];
  p.ipc = { allocated: false, bytes: 0, upcalls: [], search: { addr: 0, len: 0 }, shared: [] };
  p.kernelBreak = p.ramEnd;
  // The process never runs again: its thread, if it waits in yield-wait, ends too (another of
  // its threads faulted, or it was killed).
  const t = k.state.threads[p.thread];
  if (t && t.kernel.active && t.kernel.blocked && t.state === ThreadState.TS_WAITING) k.exitThread(t);
}

// ---------------------------------------------------------------------------------------------
// The MPU check of user memory accesses

/** Whether `[address, address + length)` lies in memory the process owns (for allow). */
export function inProcessMemory(k: Kernel, p: TockProcess, address: number, length: number, write: boolean): boolean {
  const end = address + length;
  if (p.ramPmo !== 0 && address >= p.ramStart && address < p.ramEnd) return end <= p.appBreak;
  const vmspace = k.state.vmspaces[k.state.groups[p.group]!.vmspace]!;
  const index = findVmr(vmspace, address);
  if (index < 0) return false;
  const vmr = vmspace.vmrs[index]!;
  return end <= vmr.start + vmr.size && (!write || vmr.writable);
}

/**
 * The memory hook: which vmspace a user access of `length` bytes at `address` by thread `t` goes
 * through. Non-Tock threads use their own. A Tock process may access its RAM below the app break,
 * its other mappings (PMOs, stacks), and its MPU regions (which expose the sharer's memory on
 * the board's one address space); anything else is an MPU fault (-1, the fault is set).
 */
export function tockAccess(k: Kernel, t: Thread, address: number, length: number, write: boolean): number {
  const s = k.state;
  const own = s.groups[t.group]!.vmspace;
  const index = s.tock.byThread[t.id] ?? -1;
  if (index < 0) return own;
  const p = s.tock.processes[index]!;
  const end = address + length;
  const access = `${write ? 'write' : 'read'} of ${length} byte${length === 1 ? '' : 's'} at ${hex(address)}`;
  if (p.ramPmo !== 0 && address >= p.ramStart && address < p.ramEnd) {
    if (end <= p.appBreak) return own;
    const at = address < p.appBreak ? p.appBreak : address;
    const part = at >= p.kernelBreak ? `the grant region [${hex(p.kernelBreak)}, ${hex(p.ramEnd)})` : `RAM above the app break ${hex(p.appBreak)}`;
    k.userFault(`MPU fault: ${access} by ${p.name} reaches ${part}`, at);
    return -1;
  }
  const vmspace = s.vmspaces[own]!;
  if (findVmr(vmspace, address) >= 0) return own;
  for (let i = 0; i < p.mpuRegions.length; i++) {
    const r = p.mpuRegions[i]!;
    if (address < r.start || address >= r.start + r.size) continue;
    if (end > r.start + r.size) {
      k.userFault(`MPU fault: ${access} by ${p.name} runs past the end of MPU region #${i} at ${hex(r.start + r.size)}`, r.start + r.size);
      return -1;
    }
    if (write && !r.writable) {
      k.userFault(`MPU fault: ${access} by ${p.name}: MPU region #${i} is read-only`, address);
      return -1;
    }
    return s.groups[r.ownerGroup]!.vmspace;
  }
  k.userFault(
    `MPU fault: ${access} by ${p.name} is outside its memory (RAM below ${hex(p.appBreak)}, its PMOs and stacks) and its ${p.mpuRegions.length} MPU region${p.mpuRegions.length === 1 ? '' : 's'}`,
    address,
  );
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Kernel hooks

/** Scheduler hook (a thread is dispatched): an Unstarted process's `init` task is dequeued. */
export function tockDispatch(k: Kernel, t: Thread): void {
  const p = tockProcessOf(k, t);
  if (!p || p.thread !== t.id || p.state !== 'Unstarted') return;
  const first = p.tasks[0];
  if (first && first.kind === 'function-call' && first.source === 'init') {
    p.tasks.shift();
    setProcessState(k, p, 'Running', 'the kernel loop dequeued its init task');
  }
}

/** Routine-end hook: the end of an upcall returns to the code after the `tock_yield`. */
export function tockRoutineEnd(k: Kernel, t: Thread): boolean {
  const p = tockProcessOf(k, t);
  if (!p || p.thread !== t.id || p.upcallFrames.length === 0) return false;
  const frame = p.upcallFrames.pop()!;
  t.routine = frame.routine;
  t.ip = frame.ip;
  t.badPc = frame.badPc;
  for (let i = 0; i < t.locals.length; i++) t.locals[i] = frame.locals[i] ?? 0;
  t.sp = frame.sp;
  t.arg0 = frame.arg0;
  t.arg1 = frame.arg1;
  t.arg2 = frame.arg2;
  t.arg3 = frame.arg3;
  t.ret = frame.ret;
  const routine = frame.routine >= 0 ? k.compiled.routines[frame.routine]!.name : hex(frame.badPc);
  tockEvent(k, p, 'upcall', `upcall returned; ${routine} continues after tock_yield`);
  return true;
}

/** Thread-fault hook: a fault of a Tock process's thread faults the process (Stop policy). */
export function tockThreadFault(k: Kernel, t: Thread, reason: string, address: number): void {
  const p = tockProcessOf(k, t);
  if (!p) return;
  terminateProcess(k, p, 'Faulted', reason.includes(hex(address)) ? `${t.name}: ${reason}` : `${t.name}: ${reason} at ${hex(address)}`);
}

/** Thread-exit hook: when the process's thread ends, the process is Terminated. */
export function tockThreadExit(k: Kernel, t: Thread): void {
  const p = tockProcessOf(k, t);
  if (!p || p.thread !== t.id) return;
  terminateProcess(k, p, 'Terminated', `${t.name} ended`);
}

/**
 * Halt hook: a Tock process waiting in yield-wait with an empty task queue is idle, as a board
 * whose processes have all yielded is (the kernel sleeps); it does not make the run a deadlock.
 */
export function tockIdle(k: Kernel, t: Thread): boolean {
  const p = tockProcessOf(k, t);
  return p !== null && p.thread === t.id && p.state === 'Yielded' && t.kernel.blocked && p.tasks.length === 0;
}
