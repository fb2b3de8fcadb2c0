// Tock's IPC capsule (seed: shared/seeds/tock-ipc.rs.txt, `kernel/src/ipc.rs` at release-2.1)
// and the kernel paths around it (subscribe, allow, yield and the kernel loop, memop), each a
// static array of named kernel steps following the seed's order of checks. Line numbers in
// comments are seed-file lines (as `cat -n` shows them); rows are seed-paths.md ids.

import { ThreadState, TockError } from '../constants';
import { latin1 } from '../compile';
import type { Kernel } from '../kernel';
import { readUser } from '../memory';
import { routineIndexOfAddress } from '../program';
import type { SyscallFrame, Thread } from '../state';
import { StepResult, syscall, type KernelStep } from '../syscall-types';
import { rawPrologue } from '../userlib';
import { allocateMpuRegion, describeRegion } from './mpu';
import {
  boardOf,
  enqueueTask,
  enterIpcGrant,
  errorName,
  hex,
  initTask,
  inProcessMemory,
  processAt,
  SEED_TOCK,
  setProcessState,
  terminateProcess,
  tockEvent,
  tockProcessOf,
} from './process';
import { describeTask } from './summary';
import type { TockEvent } from '../events';
import { IPC_DRIVER_NUM, TOCK_INITIAL_APP_MEMORY, TockReturn, type TockProcess, type TockTask } from './types';

const { DONE, SWITCHED } = StepResult;

type Steps = (readonly [string, KernelStep])[];

/** Sets r0..r3 (the result and the registers arg0..arg3), emits the readable result, and ends the syscall. */
function tockReturn(
  k: Kernel,
  t: Thread,
  f: SyscallFrame,
  what: TockEvent['what'],
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  text: string,
  row = '',
): number {
  f.r = r0;
  t.arg0 = r0;
  t.arg1 = r1;
  t.arg2 = r2;
  t.arg3 = r3;
  const p = tockProcessOf(k, t);
  if (p) tockEvent(k, p, what, text, row);
  return DONE;
}

const commandNames = ['driver check', 'discover', 'notify service', 'notify client'];

function commandLabel(f: SyscallFrame): string {
  const name = commandNames[f.a1];
  return `command ${f.a1}${name ? ` (${name})` : ''}${f.a1 === 2 || f.a1 === 3 ? ` target ${f.a2}` : ''}`;
}

function success(k: Kernel, t: Thread, f: SyscallFrame, row: string, note = ''): number {
  return tockReturn(k, t, f, 'command', TockReturn.SUCCESS, 0, 0, 0, `${commandLabel(f)} → success()${note}`, row);
}

function successU32(k: Kernel, t: Thread, f: SyscallFrame, value: number, row: string, note = ''): number {
  return tockReturn(k, t, f, 'command', TockReturn.SUCCESS_U32, value, 0, 0, `${commandLabel(f)} → success_u32(${value})${note}`, row);
}

function failure(k: Kernel, t: Thread, f: SyscallFrame, error: number, row: string, note = ''): number {
  return tockReturn(k, t, f, 'command', TockReturn.FAILURE, error, 0, 0, `${commandLabel(f)} → failure(${errorName(error)})${note}`, row);
}

/** The caller's Tock process; a thread outside any Tock process gets failure(NODEVICE). */
function caller(k: Kernel, t: Thread): TockProcess | null {
  return tockProcessOf(k, t);
}

// ---------------------------------------------------------------------------------------------
// command (driver 0x10000): L352-474

let searchBytes = new Uint8Array(64);

const STEP_DISCOVER = 2;
const STEP_NOTIFY = 5;

const commandSteps: Steps = [
  [
    'platform.with_driver',
    (k, t, f) => {
      if (!caller(k, t)) return tockReturn(k, t, f, 'command', TockReturn.FAILURE, TockError.NODEVICE, 0, 0, `${t.name} is not a Tock process`);
      if (f.a0 !== IPC_DRIVER_NUM) return failure(k, t, f, TockError.NODEVICE, '', `: no driver ${hex(f.a0)}`);
      return 1;
    },
  ],
  [
    'match command_number',
    (k, t, f) => {
      switch (f.a1) {
        case 0:
          return success(k, t, f, 'TK-CMD0-01'); // L370-371
        case 1:
          return STEP_DISCOVER;
        case 2:
        case 3:
          return STEP_NOTIFY;
        default:
          return failure(k, t, f, TockError.NOSUPPORT, 'TK-CMDX-01'); // L473
      }
    },
  ],
  [
    'data.enter(appid)',
    (k, t, f) => {
      // L375-376: the grant is allocated on demand; out of grant memory → NOMEM (L405).
      const result = enterIpcGrant(k, caller(k, t)!, 'TK-DISC-01');
      if (result !== 'ok') return failure(k, t, f, TockError.NOMEM, 'TK-DISC-01');
      return 3;
    },
  ],
  [
    'get_readonly_processbuffer(SEARCH)',
    // L377-380: slot 0 < COUNT 1 and the caller is valid, so this never fails (TK-DISC-02).
    () => 4,
  ],
  [
    'process_until(name == search)',
    (k, t, f) => {
      // L381-400: the search buffer is read now, at command time; an unallowed slot is empty.
      const p = caller(k, t)!;
      const search = p.ipc.search;
      let name = '';
      if (search.len > 0) {
        if (searchBytes.length < search.len) searchBytes = new Uint8Array(search.len);
        const vmspace = k.state.groups[p.group]!.vmspace;
        if (readUser(k.state, vmspace, search.addr, search.len, searchBytes, 0)) name = latin1(searchBytes.subarray(0, search.len));
      }
      const board = boardOf(k, p);
      for (let i = 0; i < board.slots.length; i++) {
        const q = processAt(k, board, i);
        if (q && q.name === name) return successU32(k, t, f, q.descriptor, 'TK-DISC-03', `: ${JSON.stringify(name)} is process ${q.descriptor} (${q.state})`);
      }
      if (search.len === 0) return failure(k, t, f, TockError.NODEVICE, 'TK-DISC-05', ': no search buffer allowed, so the name searched is empty');
      return failure(k, t, f, TockError.NODEVICE, 'TK-DISC-04', `: no process is named exactly ${JSON.stringify(name)}`);
    },
  ],
  [
    'process_until(index == target_id)',
    (k, t, f) => {
      // L410-420 / L443-453
      const p = caller(k, t)!;
      const target = processAt(k, boardOf(k, p), f.a2);
      if (!target) return failure(k, t, f, TockError.INVAL, f.a1 === 2 ? 'TK-SVC-01' : 'TK-CLI-01', `: no process in slot ${f.a2}`);
      f.v0 = target.descriptor;
      return 6;
    },
  ],
  [
    'process_map_or(otherapp)',
    // L421-423 / L454-456: the process just found is always there (TK-SVC-02, TK-CLI-02).
    () => 7,
  ],
  [
    'enqueue_task(Task::IPC)',
    (k, t, f) => {
      // L425-434 / L458-467
      const p = caller(k, t)!;
      const target = processAt(k, boardOf(k, p), f.v0)!;
      const service = f.a1 === 2;
      const task: TockTask = {
        kind: 'ipc',
        source: '',
        pc: 0,
        arg0: 0,
        arg1: 0,
        arg2: 0,
        arg3: 0,
        label: '',
        from: p.descriptor,
        fromIdentifier: p.identifier,
        fromName: p.name,
        type: service ? 'service' : 'client',
      };
      const error = enqueueTask(k, target, task);
      if (error === TockError.NODEVICE) return failure(k, t, f, error, service ? 'TK-SVC-03' : 'TK-CLI-03', `: ${target.name} is ${target.state}`);
      if (error !== 0) {
        return failure(k, t, f, error, service ? 'TK-SVC-04' : 'TK-CLI-04', `: ${target.name}'s task queue is full (dropped upcalls ${target.droppedUpcalls})`);
      }
      tockEvent(k, target, 'task', `queued ${describeTask(task)}; ${target.tasks.length} pending, ${target.name} is ${target.state}`);
      if (target === p) return success(k, t, f, service ? 'TK-SVC-07' : 'TK-CLI-07', ': a notification to itself (delivery will panic)');
      return success(k, t, f, service ? 'TK-SVC-06' : 'TK-CLI-06');
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// subscribe and allow (kernel.rs, release-2.1): the grant is allocated when the first attempt
// finds it unallocated (NOMEM), then the call is retried (TK-GRANT-01/02).

function returns2(k: Kernel, t: Thread, f: SyscallFrame, what: TockEvent['what'], label: string, ok: boolean, a: number, b: number, error: number, row: string, note = ''): number {
  if (ok) return tockReturn(k, t, f, what, TockReturn.SUCCESS_2_U32, a, b, 0, `${label} → success_2_u32(${hex(a)}, ${b})${note}`, row);
  return tockReturn(k, t, f, what, TockReturn.FAILURE_2_U32, error, a, b, `${label} → failure_2_u32(${errorName(error)}, ${hex(a)}, ${b})${note}`, row);
}

/** A routine address as its name when it is one (`on_notify`), else in hex (0x0 is the null upcall). */
function routineName(k: Kernel, address: number): string {
  const index = address === 0 ? -1 : routineIndexOfAddress(address, k.compiled.routines.length);
  return index >= 0 ? k.compiled.routines[index]!.name : hex(address);
}

function subscribeLabel(k: Kernel, f: SyscallFrame): string {
  return `subscribe(${hex(f.a0)}, ${f.a1}, ${routineName(k, f.a2)}, ${f.a3})`;
}

const subscribeSteps: Steps = [
  [
    'platform.with_driver',
    (k, t, f) => {
      if (!caller(k, t) || f.a0 !== IPC_DRIVER_NUM) return returns2(k, t, f, 'subscribe', subscribeLabel(k, f), false, f.a2, f.a3, TockError.NODEVICE, '', ': no such driver');
      return 1;
    },
  ],
  [
    'grant::subscribe',
    (k, t, f) => {
      const p = caller(k, t)!;
      if (!p.ipc.allocated) return 2;
      const numProcs = boardOf(k, p).numProcs;
      if (!(Number.isInteger(f.a1) && f.a1 >= 0 && f.a1 < numProcs)) {
        return returns2(k, t, f, 'subscribe', subscribeLabel(k, f), false, f.a2, f.a3, TockError.INVAL, 'TK-ADJ-01', `: the IPC grant has ${numProcs} upcall slots`);
      }
      const slot = p.ipc.upcalls[f.a1]!;
      const old = { ...slot };
      slot.routine = f.a2;
      slot.userdata = f.a3;
      return returns2(k, t, f, 'subscribe', subscribeLabel(k, f), true, old.routine, old.userdata, 0, '', old.routine !== 0 ? ` (replaces ${routineName(k, old.routine)})` : '');
    },
  ],
  [
    'driver.allocate_grant',
    (k, t, f) => {
      // L477-479
      if (enterIpcGrant(k, caller(k, t)!, 'TK-GRANT-01') !== 'ok') {
        return returns2(k, t, f, 'subscribe', subscribeLabel(k, f), false, f.a2, f.a3, TockError.NOMEM, 'TK-GRANT-02');
      }
      return 1;
    },
  ],
];

function allowSteps(readWrite: boolean): Steps {
  const label = (f: SyscallFrame): string => `allow_${readWrite ? 'readwrite' : 'readonly'}(${hex(f.a0)}, ${f.a1}, ${hex(f.a2)}, ${f.a3})`;
  return [
    [
      'platform.with_driver',
      (k, t, f) => {
        if (!caller(k, t) || f.a0 !== IPC_DRIVER_NUM) return returns2(k, t, f, 'allow', label(f), false, f.a2, f.a3, TockError.NODEVICE, '', ': no such driver');
        return 1;
      },
    ],
    [
      readWrite ? 'build_readwrite_process_buffer' : 'build_readonly_process_buffer',
      (k, t, f) => {
        const p = caller(k, t)!;
        if (f.a3 < 0 || (f.a3 > 0 && !inProcessMemory(k, p, f.a2, f.a3, readWrite))) {
          return returns2(k, t, f, 'allow', label(f), false, f.a2, f.a3, TockError.INVAL, '', `: the buffer is not in ${p.name}'s own ${readWrite ? 'writable ' : ''}memory`);
        }
        return 2;
      },
    ],
    [
      readWrite ? 'grant::allow_rw' : 'grant::allow_ro',
      (k, t, f) => {
        const p = caller(k, t)!;
        if (!p.ipc.allocated) return 3;
        const count = readWrite ? boardOf(k, p).numProcs : 1;
        if (!(Number.isInteger(f.a1) && f.a1 >= 0 && f.a1 < count)) {
          return returns2(k, t, f, 'allow', label(f), false, f.a2, f.a3, TockError.INVAL, readWrite ? 'TK-ADJ-03' : 'TK-ADJ-02', `: the IPC grant has ${count} ${readWrite ? 'read-write' : 'read-only'} allow slot${count === 1 ? '' : 's'}`);
        }
        const slot = readWrite ? p.ipc.shared[f.a1]! : p.ipc.search;
        const old = { ...slot };
        slot.addr = f.a2;
        slot.len = f.a3;
        const note = readWrite ? `: shared with process ${f.a1}` : '';
        return returns2(k, t, f, 'allow', label(f), true, old.addr, old.len, 0, '', note);
      },
    ],
    [
      'driver.allocate_grant',
      (k, t, f) => {
        if (enterIpcGrant(k, caller(k, t)!, 'TK-GRANT-01') !== 'ok') return returns2(k, t, f, 'allow', label(f), false, f.a2, f.a3, TockError.NOMEM, 'TK-GRANT-02');
        return 2;
      },
    ],
  ];
}

// ---------------------------------------------------------------------------------------------
// yield and the kernel loop: the task queue is serviced while the process is Yielded; an IPC
// task runs `schedule_upcall` (L303-339, phase 2, every error dropped); a FunctionCall runs the
// upcall routine on this thread.

const STEP_DEQUEUE = 1;

function drop(k: Kernel, p: TockProcess, text: string, row: string): number {
  tockEvent(k, p, 'upcall', `IPC task dropped: ${text}`, row);
  return STEP_DEQUEUE;
}

/** Runs a FunctionCall on the thread: the yield returns `value`, then the upcall routine starts. */
function invokeUpcall(k: Kernel, t: Thread, p: TockProcess, task: TockTask, value: number): number {
  k.finishSyscall(t, value);
  p.upcallFrames.push({
    routine: t.routine,
    ip: t.ip,
    badPc: t.badPc,
    locals: t.locals.slice(),
    sp: t.sp,
    arg0: t.arg0,
    arg1: t.arg1,
    arg2: t.arg2,
    arg3: t.arg3,
    ret: t.ret,
  });
  t.arg0 = task.arg0;
  t.arg1 = task.arg1;
  t.arg2 = task.arg2;
  t.arg3 = task.arg3;
  k.setThreadPc(t, task.pc);
  k.enterRoutine(t);
  setProcessState(k, p, 'Running', 'an upcall runs');
  const routine = t.routine >= 0 ? k.compiled.routines[t.routine]!.name : hex(task.pc);
  tockEvent(k, p, 'upcall', `runs ${routine}(${task.arg0}, ${task.arg1}, ${hex(task.arg2)}, ${task.arg3}) for ${task.label}`);
  return SWITCHED;
}

const yieldSteps: Steps = [
  [
    'set_yielded_state',
    (k, t, f) => {
      const p = caller(k, t);
      if (!p) {
        f.r = 0;
        return DONE;
      }
      if (f.a0 === 0 && p.tasks.length === 0) {
        f.r = 0; // yield-no-wait with nothing pending returns at once
        return DONE;
      }
      setProcessState(k, p, 'Yielded', f.a0 === 0 ? 'yield-no-wait with tasks pending' : 'yield-wait');
      return STEP_DEQUEUE;
    },
  ],
  [
    'kernel_loop: dequeue_task',
    (k, t, f) => {
      const p = caller(k, t)!;
      const task = p.tasks.shift();
      if (!task) {
        if (f.a0 === 0) {
          setProcessState(k, p, 'Running', 'yield-no-wait: no upcall pending');
          f.r = 0;
          return DONE;
        }
        // Yield-wait with an empty queue: the thread waits until a task is enqueued.
        f.blocked = true;
        k.setState(t, ThreadState.TS_WAITING);
        k.schedule(k.cpu, 'block');
        return SWITCHED;
      }
      tockEvent(k, p, 'task', `dequeued ${describeTask(task)}; ${p.tasks.length} pending`, 'TK-ADJ-04');
      if (task.kind === 'function-call') return invokeUpcall(k, t, p, task, f.a0 === 0 ? 1 : 0);
      f.v0 = task.from;
      f.v1 = task.fromIdentifier;
      f.v2 = task.type === 'service' ? 0 : 1;
      return 2;
    },
  ],
  [
    'schedule_upcall: schedule_on.index()',
    // L310: the receiver is the process being serviced, so its index is valid (TK-UPC-01).
    () => 3,
  ],
  [
    'called_from.index()',
    (k, t, f) => {
      // L311: the notifier must still be the process that notified (same identifier).
      const p = caller(k, t)!;
      const from = processAt(k, boardOf(k, p), f.v0);
      if (!from || from.identifier !== f.v1) return drop(k, p, `the notifier in slot ${f.v0} is gone or was restarted (NoSuchApp)`, 'TK-UPC-02');
      return 4;
    },
  ],
  [
    'data.enter(schedule_on)',
    (k, t) => {
      // L312
      const p = caller(k, t)!;
      if (enterIpcGrant(k, p, 'TK-UPC-03') !== 'ok') return drop(k, p, `${p.name}'s IPC grant cannot be entered`, 'TK-UPC-03');
      return 5;
    },
  ],
  [
    'data.enter(called_from)',
    (k, t, f) => {
      // L313: entering the receiver's own grant again panics (release-2.1).
      const p = caller(k, t)!;
      const from = processAt(k, boardOf(k, p), f.v0)!;
      if (from === p) {
        const row = f.v2 === 0 ? 'TK-SVC-07' : 'TK-CLI-07';
        return k.kernelFault('TK-UPC-05', 313, `panic: Attempted to re-enter a grant region. (${p.name} notified itself, ${row})`, SEED_TOCK);
      }
      const result = enterIpcGrant(k, from, 'TK-UPC-04');
      if (result !== 'ok') {
        return drop(k, p, result === 'inactive' ? `the notifier ${from.name} is ${from.state} (InactiveApp)` : `the notifier ${from.name}'s IPC grant cannot be allocated`, 'TK-UPC-04');
      }
      return 6;
    },
  ],
  [
    'get_readwrite_processbuffer(schedule_on_id) + add_mpu_region',
    (k, t, f) => {
      // L318-329
      const p = caller(k, t)!;
      const board = boardOf(k, p);
      const from = processAt(k, board, f.v0)!;
      if (p.descriptor >= board.numProcs) {
        tockEvent(k, p, 'mpu', `no read-write allow slot ${p.descriptor} in ${from.name}'s grant (NUM_PROCS ${board.numProcs}): no MPU change, upcall args (${from.descriptor}, 0, 0)`, 'TK-UPC-08');
        f.v3 = 0;
        f.v4 = 0;
        return 7;
      }
      const buffer = from.ipc.shared[p.descriptor]!;
      const len = buffer.len;
      const ptr = len === 0 ? 0 : buffer.addr;
      const allocation = allocateMpuRegion(p, ptr, len, len, from.group, from.name);
      if (allocation.ok) {
        p.mpuRegions.push(allocation.region);
        tockEvent(k, p, 'mpu', `add_mpu_region(${hex(ptr)}, ${len}, ${len}) → region #${p.mpuRegions.length - 1} ${describeRegion(allocation.region)}`, 'TK-UPC-06');
      } else {
        tockEvent(k, p, 'mpu', `add_mpu_region(${hex(ptr)}, ${len}, ${len}) failed, ignored: ${allocation.reason}`, len === 0 ? 'TK-UPC-07' : 'TK-UPC-09');
      }
      f.v3 = len;
      f.v4 = ptr;
      return 7;
    },
  ],
  [
    'schedule_on_data.schedule_upcall(to_schedule)',
    (k, t, f) => {
      // L331-335
      const p = caller(k, t)!;
      const board = boardOf(k, p);
      const service = f.v2 === 0;
      const slot = service ? p.descriptor : f.v0;
      const what = `${service ? 'service' : 'client'} upcall slot ${slot}`;
      const rule = service ? 'own index' : "the notifier's index";
      if (slot >= board.numProcs) return drop(k, p, `${what} does not exist (NUM_PROCS ${board.numProcs}): InvalidSubscribeNum`, 'TK-UPC-12');
      const upcall = p.ipc.upcalls[slot]!;
      if (upcall.routine === 0) {
        tockEvent(k, p, 'upcall', `${what} is the null upcall (not subscribed): counted as delivered, nothing runs`, 'TK-UPC-11');
        return STEP_DEQUEUE;
      }
      const from = processAt(k, board, f.v0)!;
      const task: TockTask = {
        kind: 'function-call',
        source: 'upcall',
        pc: upcall.routine,
        arg0: f.v0,
        arg1: f.v3,
        arg2: f.v4,
        arg3: upcall.userdata,
        label: `${what} from ${from.name}`,
        from: f.v0,
        fromIdentifier: f.v1,
        fromName: from.name,
        type: service ? 'service' : 'client',
      };
      const error = enqueueTask(k, p, task);
      if (error !== 0) return drop(k, p, `the upcall for ${what} finds the task queue full (QueueFull; dropped upcalls ${p.droppedUpcalls})`, 'TK-UPC-13');
      tockEvent(k, p, 'upcall', `scheduled ${describeTask(task)} (slot = ${rule}, TK-UPC-10); ${p.tasks.length} pending`, 'TK-UPC-14');
      return STEP_DEQUEUE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// memop (release-2.1): the app break and the RAM layout

const memopSteps: Steps = [
  [
    'memop',
    (k, t, f) => {
      const p = caller(k, t);
      const label = `memop(${f.a0}, ${hex(f.a1)})`;
      if (!p) return tockReturn(k, t, f, 'memop', TockReturn.FAILURE, TockError.NODEVICE, 0, 0, `${label}: not a Tock process`);
      const brk = (address: number): boolean => {
        if (!(address >= p.ramStart && address < p.ramEnd && address <= p.kernelBreak)) return false;
        p.appBreak = address;
        return true;
      };
      const fail = (why: string): number => tockReturn(k, t, f, 'memop', TockReturn.FAILURE, TockError.NOMEM, 0, 0, `${label} → failure(NOMEM): ${why}`);
      const outside = (address: number): string =>
        `${hex(address)} is outside [RAM start ${hex(p.ramStart)}, kernel break ${hex(p.kernelBreak)}] or at the RAM end ${hex(p.ramEnd)}`;
      switch (f.a0) {
        case 0:
          if (!brk(f.a1)) return fail(outside(f.a1));
          return tockReturn(k, t, f, 'memop', TockReturn.SUCCESS, 0, 0, 0, `${label} → success(): app break ${hex(p.appBreak)}`);
        case 1: {
          const old = p.appBreak;
          if (!brk(old + f.a1)) return fail(outside(old + f.a1));
          return tockReturn(k, t, f, 'memop', TockReturn.SUCCESS_U32, old, 0, 0, `${label} → success_u32(${hex(old)}): app break ${hex(p.appBreak)}`);
        }
        case 2:
        case 3:
        case 6: {
          const value = f.a0 === 2 ? p.ramStart : f.a0 === 3 ? p.ramEnd : p.kernelBreak;
          return tockReturn(k, t, f, 'memop', TockReturn.SUCCESS_U32, value, 0, 0, `${label} → success_u32(${hex(value)})`);
        }
        default:
          return tockReturn(k, t, f, 'memop', TockReturn.FAILURE, TockError.NOSUPPORT, 0, 0, `${label} → failure(NOSUPPORT)`);
      }
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// exit (release-2.1): exit-terminate and exit-restart

const exitSteps: Steps = [
  [
    'exit',
    (k, t, f) => {
      const p = caller(k, t);
      if (!p) {
        k.exitThread(t);
        k.schedule(k.cpu, 'exit');
        return SWITCHED;
      }
      if (f.a0 !== 1) {
        terminateProcess(k, p, 'Terminated', `exit-terminate(${f.a1})`);
        k.exitThread(t);
        k.schedule(k.cpu, 'exit');
        return SWITCHED;
      }
      // try_restart: terminate, then a new identifier, a reset memory layout and an init task.
      terminateProcess(k, p, 'Terminated', `exit-restart(${f.a1})`);
      p.identifier = k.state.tock.nextIdentifier++;
      p.mpuRegions = [];
      p.appBreak = p.ramPmo !== 0 ? p.ramStart + TOCK_INITIAL_APP_MEMORY : p.ramStart;
      p.kernelBreak = p.ramEnd;
      p.tasks = [initTask()];
      setProcessState(k, p, 'Unstarted', `restarted with identifier ${p.identifier}`);
      // The thread starts its code again from the top.
      const decl = k.program.objects[t.object];
      t.routine = decl && decl.kind === 'thread' ? decl.routine : t.routine;
      t.ip = 0;
      t.sp = t.stackTop;
      t.arg0 = 0;
      t.arg1 = 0;
      t.arg2 = 0;
      t.arg3 = 0;
      k.enterRoutine(t);
      p.tasks.shift();
      setProcessState(k, p, 'Running', 'the kernel loop dequeued its init task');
      return SWITCHED;
    },
  ],
];

export const TOCK_SYSCALL_IMPLEMENTATIONS = [
  syscall('tock_command', 'Syscall::Command', ['driver', 'command_number', 'target_id', 'arg2'], commandSteps, rawPrologue),
  syscall('tock_subscribe', 'Syscall::Subscribe', ['driver', 'subscribe_num', 'upcall_ptr', 'appdata'], subscribeSteps, rawPrologue),
  syscall('tock_allow_ro', 'Syscall::AllowReadOnly', ['driver', 'allow_num', 'allow_addr', 'allow_size'], allowSteps(false), rawPrologue),
  syscall('tock_allow_rw', 'Syscall::AllowReadWrite', ['driver', 'allow_num', 'allow_addr', 'allow_size'], allowSteps(true), rawPrologue),
  syscall('tock_yield', 'Syscall::Yield', ['which'], yieldSteps, (k, t, i, f) => {
    rawPrologue(k, t, i, f);
    if (!i.arguments[0]) f.a0 = 1;
  }),
  syscall('tock_memop', 'Syscall::Memop', ['operation', 'arg'], memopSteps, rawPrologue),
  syscall('tock_exit', 'Syscall::Exit', ['which', 'completion_code'], exitSteps, rawPrologue),
];
