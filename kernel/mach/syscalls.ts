// Mach's scenario-visible operations as kernel steps: the port calls (mach_port_*), mach_msg
// (send and receive with copyin, kobject dispatch, queueing, blocking and copyout), the task and
// host self ports, the bootstrap server, the host special ports and IOKit user clients.
//
// The two ways RPC reaches the kernel (seed mach-rpc-kext-mail.txt, rows MR-*):
// - active listener: a kernel thread receives on an ordinary port with mach_msg like any user
//   thread; every RPC costs thread switches (MR-ACT-*);
// - passive invocation: the destination is a kobject of the fixed table below; mach_msg stops
//   after copyin (`ipc_kobject_server`) and the server runs on the calling thread, seeing the
//   message uncooked (MR-PAS-*). Only IOKit's io_connect/io_service kobjects run scenario code.

import { KernReturn, MachConstant, MachReturn, ThreadState } from '../constants';
import type { Instruction } from '../compile';
import type { Kernel } from '../kernel';
import { routineEntryAddress } from '../program';
import type { SyscallFrame, Thread } from '../state';
import { StepResult, syscall, type KernelStep, type SyscallImplementation } from '../syscall-types';
import {
  BODY_SIZE,
  COPY_BASE,
  COPY_SEND,
  DESC_OOL,
  DESCRIPTOR_TYPE_OFFSET,
  OOL_DESCRIPTOR_SIZE,
  allocCopy,
  copyinCopy,
  copyoutCopy,
  oolEvent,
  releaseCopy,
  HEADER_SIZE,
  MACH_MSG_SIZE_MAX,
  MAKE_SEND_ONCE,
  MOVE_RECEIVE,
  MOVE_SEND,
  MOVE_SEND_ONCE,
  MSGH_BITS_COMPLEX,
  NAKED_BASE,
  PORT_DEAD,
  PORT_DESCRIPTOR_SIZE,
  PORT_NULL,
  PORT_RECEIVE,
  PORT_SEND,
  PORT_SEND_ONCE,
  QLIMIT_MAX,
  TYPE_DEAD_NAME,
  TYPE_PORT_SET,
  TYPE_RECEIVE,
  TYPE_SEND,
  TYPE_SEND_ONCE,
  UREFS_MAX,
  addSendRight,
  allocEntry,
  allocMessage,
  checkDisposition,
  copyinRight,
  copyoutRight,
  deliver,
  dequeue,
  destroyMessage,
  destroyPort,
  destroyPortSet,
  dropSendUref,
  ensureData,
  freeEntry,
  freeMessage,
  hexName,
  hostOf,
  lookup,
  machThread,
  messageEvent,
  newPort,
  newPortSet,
  ownValue,
  queueFull,
  readWord,
  releaseRight,
  removeFromSet,
  rightEvent,
  spaceOf,
  wakeReceiver,
  wakeSender,
  writeWord,
} from './ipc';
import type { MachEntry, MachMessage, MachPort, MachSavedContext, MachVmCopy } from './state';

const { DONE, SWITCHED } = StepResult;
const {
  KERN_SUCCESS,
  KERN_INVALID_ARGUMENT,
  KERN_INVALID_NAME,
  KERN_INVALID_RIGHT,
  KERN_INVALID_VALUE,
  KERN_UREFS_OVERFLOW,
  KERN_NO_SPACE,
  KERN_NAME_EXISTS,
  KERN_RIGHT_EXISTS,
  KERN_INVALID_CAPABILITY,
} = KernReturn;
const R = MachReturn;
const C = MachConstant;

/** Where the user runtime builds messages and receives them: a 4 KiB buffer in the thread's stack. */
export const MACH_MSG_BUFFER_OFFSET = 0x2000;
/** Where the runtime writes a service name (bootstrap, IOKit) before the trap: 128 bytes (`name_t`). */
export const MACH_NAME_BUFFER_OFFSET = 0x2100;
export const MACH_NAME_MAX = 128;

/** MIG message ids the built-in kobject servers answer (their routine numbers in XNU's .defs). */
export const MIG_HOST_INFO = 200;
export const MIG_TASK_INFO = 3405;
export const MIG_IO_CONNECT_METHOD = 2865;
/** `upl_commit_range` in `<mach/upl.defs>` (subsystem 2050): no user-visible server answers it (MR-UPL-01). */
export const MIG_UPL_COMMIT_RANGE = 2053;

export function isKernelThread(k: Kernel, t: Thread): boolean {
  return t.type === 1 || k.state.groups[t.group]!.name === 'kernel_task';
}

// ---------------------------------------------------------------------------------------------
// The kobject table: fixed when the kernel is built (XNU's ipc_kobject.c), never extended.

export interface KobjectType {
  readonly type: number;
  readonly name: string;
  /** MIG ids the built-in server answers; the driver's routine serves io_connect/io_service. */
  readonly served: readonly number[];
  readonly driver: boolean;
}

export const KOBJECT_TABLE: readonly KobjectType[] = Object.freeze([
  { type: C.IKOT_THREAD_CONTROL, name: 'thread', served: [], driver: false },
  { type: C.IKOT_TASK_CONTROL, name: 'task', served: [MIG_TASK_INFO], driver: false },
  { type: C.IKOT_HOST, name: 'host', served: [MIG_HOST_INFO], driver: false },
  { type: C.IKOT_HOST_PRIV, name: 'host_priv', served: [MIG_HOST_INFO], driver: false },
  { type: C.IKOT_MASTER_DEVICE, name: 'io_master', served: [], driver: false },
  { type: C.IKOT_SEMAPHORE, name: 'semaphore', served: [], driver: false },
  { type: C.IKOT_IOKIT_CONNECT, name: 'io_connect', served: [MIG_IO_CONNECT_METHOD], driver: true },
  { type: C.IKOT_IOKIT_OBJECT, name: 'io_service', served: [MIG_IO_CONNECT_METHOD], driver: true },
]);

export function kobjectName(type: number): string {
  for (const entry of KOBJECT_TABLE) if (entry.type === type) return entry.name;
  return `ikot ${type}`;
}

// ---------------------------------------------------------------------------------------------
// User runtime helpers

let scratch = new Uint8Array(MACH_MSG_SIZE_MAX + 64);
let view = new DataView(scratch.buffer);

function ensureScratch(size: number): void {
  if (scratch.length >= size) return;
  scratch = new Uint8Array(size);
  view = new DataView(scratch.buffer);
}

/** `to[toOffset..] = from[fromOffset..]` for `length` bytes (small copies: no subarray objects). */
function copyBytes(to: Uint8Array, toOffset: number, from: Uint8Array, fromOffset: number, length: number): void {
  const n = length | 0;
  const t = toOffset | 0;
  const f = fromOffset | 0;
  if (n > 256) {
    to.set(from.subarray(f, f + n), t);
    return;
  }
  for (let i = 0; i < n; i++) to[t + i] = from[f + i]!;
}

type Arg = Instruction['arguments'][number];

function given(arg: Arg | undefined): boolean {
  return arg !== null && arg !== undefined;
}

function value(k: Kernel, arg: Arg | undefined, fallback: number): number {
  return arg && arg.value ? arg.value(k) : fallback;
}

/** Writes a name argument (byte strings and numbers of a `data` list) at the thread's name buffer: a0 = pointer, a1 = length. */
function namePrologue(k: Kernel, t: Thread, arg: Arg | undefined, f: SyscallFrame): void {
  let length = 0;
  const items = arg && arg.items ? arg.items : null;
  if (items) {
    for (const item of items) {
      if (typeof item === 'function') {
        const digits = String(item(k));
        for (let i = 0; i < digits.length && length < MACH_NAME_MAX; i++) scratch[length++] = digits.charCodeAt(i);
      } else {
        for (let i = 0; i < item.length && length < MACH_NAME_MAX; i++) scratch[length++] = item[i]!;
      }
    }
  }
  const pointer = t.stackTop - MACH_NAME_BUFFER_OFFSET;
  if (length > 0) k.writeBytesAs(pointer, scratch, length, 'runtime');
  f.a0 = pointer;
  f.a1 = length;
}

const nameBytes = new Uint8Array(MACH_NAME_MAX);

/** copyinstr of a name the runtime wrote; null on a fault. */
function copyinName(k: Kernel, t: Thread, pointer: number, length: number): string | null {
  const n = Math.max(0, Math.min(length, MACH_NAME_MAX));
  if (n > 0 && k.copyFromUser(t, pointer, n, nameBytes) !== 0) return null;
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(nameBytes[i]!);
  return s;
}

function raw(k: Kernel, _t: Thread, ins: Instruction, f: SyscallFrame): void {
  const a = ins.arguments;
  f.a0 = value(k, a[0], 0);
  f.a1 = value(k, a[1], 0);
  f.a2 = value(k, a[2], 0);
  f.a3 = value(k, a[3], 0);
}

// ---------------------------------------------------------------------------------------------
// mach_port_allocate(task, right, &name)

const allocateSteps: (readonly [string, KernelStep])[] = [
  [
    'check_right',
    (_k, _t, f) => {
      const right = f.a0;
      if (right !== C.MACH_PORT_RIGHT_RECEIVE && right !== C.MACH_PORT_RIGHT_PORT_SET && right !== C.MACH_PORT_RIGHT_DEAD_NAME) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_entry_alloc',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const right = f.a0;
      let name: number;
      if (right === C.MACH_PORT_RIGHT_RECEIVE) {
        const port = newPortPlaceholder(k, t);
        name = allocEntry(k, space, TYPE_RECEIVE, port.id, 0);
        if (name < 0) {
          port.active = false;
          f.r = KERN_NO_SPACE;
          return DONE;
        }
        port.receiverProcess = t.process;
        port.receiverName = name;
        (port as { label: string }).label = `${space.name}:${hexName(name)}`;
        if (k.record) rightEvent(k, space, space.entries[name >>> 8]!, port, 'allocate');
      } else if (right === C.MACH_PORT_RIGHT_PORT_SET) {
        const set = newPortSet(k, t.process, '');
        name = allocEntry(k, space, TYPE_PORT_SET, set.id, 0);
        if (name < 0) {
          set.active = false;
          f.r = KERN_NO_SPACE;
          return DONE;
        }
        (set as { label: string }).label = `${space.name}:${hexName(name)} (set)`;
        if (k.record) rightEvent(k, space, space.entries[name >>> 8]!, set, 'allocate');
      } else {
        name = allocEntry(k, space, TYPE_DEAD_NAME, 0, 1);
        if (name < 0) {
          f.r = KERN_NO_SPACE;
          return DONE;
        }
        if (k.record) rightEvent(k, space, space.entries[name >>> 8]!, null, 'allocate');
      }
      f.r = name;
      return DONE;
    },
  ],
];

function newPortPlaceholder(k: Kernel, t: Thread): MachPort {
  return newPort(k, t.machine, '');
}

// ---------------------------------------------------------------------------------------------
// mach_port_deallocate(task, name): drops one user reference of a send, send-once or dead name.

const deallocateSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_right_lookup',
    (k, t, f) => {
      if (f.a0 === PORT_NULL || f.a0 === PORT_DEAD) {
        f.r = KERN_SUCCESS;
        return DONE;
      }
      if (lookup(k, spaceOf(k, t.process), f.a0) === null) {
        f.r = KERN_INVALID_NAME;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_right_dealloc',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const entry = lookup(k, space, f.a0)!;
      const port = k.state.mach.ports[entry.object] ?? null;
      if ((entry.type & TYPE_SEND_ONCE) !== 0) {
        port!.sendOnceRights--;
        if (k.record) rightEvent(k, space, { ...entry, type: 0 }, port, 'deallocate');
        freeEntry(space, entry);
      } else if ((entry.type & TYPE_SEND) !== 0) {
        dropSendUref(k, space, entry, port!, 'deallocate');
      } else if ((entry.type & TYPE_DEAD_NAME) !== 0) {
        if (--entry.urefs === 0) {
          if (k.record) rightEvent(k, space, { ...entry, type: 0 }, null, 'deallocate');
          freeEntry(space, entry);
        } else if (k.record) rightEvent(k, space, entry, null, 'deallocate');
      } else {
        f.r = KERN_INVALID_RIGHT;
        return DONE;
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_destroy(task, name): every right the name denotes goes; a receive right kills the port.

const destroySteps: (readonly [string, KernelStep])[] = [
  deallocateSteps[0]!,
  [
    'ipc_right_destroy',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const entry = lookup(k, space, f.a0)!;
      const mach = k.state.mach;
      if ((entry.type & TYPE_PORT_SET) !== 0) {
        const set = mach.portSets[entry.object]!;
        if (k.record) rightEvent(k, space, { ...entry, type: 0 }, set, 'destroy');
        freeEntry(space, entry);
        destroyPortSet(k, set);
      } else if ((entry.type & TYPE_RECEIVE) !== 0) {
        const port = mach.ports[entry.object]!;
        if ((entry.type & TYPE_SEND) !== 0) {
          port.sendRights--;
          entry.type &= ~TYPE_SEND;
          delete space.sendNames[port.id];
        }
        destroyPort(k, port); // frees the entry (it now holds only the receive right)
      } else {
        const port = mach.ports[entry.object] ?? null;
        if ((entry.type & TYPE_SEND) !== 0) port!.sendRights--;
        else if ((entry.type & TYPE_SEND_ONCE) !== 0) port!.sendOnceRights--;
        if (k.record) rightEvent(k, space, { ...entry, type: 0 }, port, 'destroy');
        freeEntry(space, entry);
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_mod_refs(task, name, right, delta)

const modRefsSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_right_lookup',
    (k, t, f) => {
      const right = f.a1;
      if (right < 0 || right > C.MACH_PORT_RIGHT_DEAD_NAME) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      if (f.a0 === PORT_NULL || f.a0 === PORT_DEAD) {
        f.r = right === C.MACH_PORT_RIGHT_SEND || right === C.MACH_PORT_RIGHT_SEND_ONCE ? KERN_SUCCESS : KERN_INVALID_NAME;
        return DONE;
      }
      if (lookup(k, spaceOf(k, t.process), f.a0) === null) {
        f.r = KERN_INVALID_NAME;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_right_delta',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const entry = lookup(k, space, f.a0)!;
      const mach = k.state.mach;
      const right = f.a1;
      const delta = f.a2;
      f.r = KERN_SUCCESS;
      switch (right) {
        case C.MACH_PORT_RIGHT_RECEIVE:
        case C.MACH_PORT_RIGHT_PORT_SET: {
          const bit = right === C.MACH_PORT_RIGHT_RECEIVE ? TYPE_RECEIVE : TYPE_PORT_SET;
          if ((entry.type & bit) === 0) f.r = KERN_INVALID_RIGHT;
          else if (delta === 0) break;
          else if (delta !== -1) f.r = KERN_INVALID_VALUE;
          else if (bit === TYPE_PORT_SET) {
            const set = mach.portSets[entry.object]!;
            if (k.record) rightEvent(k, space, { ...entry, type: 0 }, set, 'mod_refs');
            freeEntry(space, entry);
            destroyPortSet(k, set);
          } else {
            destroyPort(k, mach.ports[entry.object]!); // send rights under the name become a dead name
          }
          break;
        }
        case C.MACH_PORT_RIGHT_SEND_ONCE:
          if ((entry.type & TYPE_SEND_ONCE) === 0) f.r = KERN_INVALID_RIGHT;
          else if (delta === 0) break;
          else if (delta !== -1) f.r = KERN_INVALID_VALUE;
          else {
            const port = mach.ports[entry.object]!;
            port.sendOnceRights--;
            if (k.record) rightEvent(k, space, { ...entry, type: 0 }, port, 'mod_refs');
            freeEntry(space, entry);
          }
          break;
        default: {
          // SEND or DEAD_NAME: user references.
          const bit = right === C.MACH_PORT_RIGHT_SEND ? TYPE_SEND : TYPE_DEAD_NAME;
          if ((entry.type & bit) === 0) {
            f.r = KERN_INVALID_RIGHT;
            break;
          }
          const urefs = entry.urefs + delta;
          if (urefs < 0) f.r = KERN_INVALID_VALUE;
          else if (urefs > UREFS_MAX) f.r = KERN_UREFS_OVERFLOW;
          else if (bit === TYPE_SEND) {
            const port = mach.ports[entry.object]!;
            if (urefs === 0) {
              entry.urefs = 1;
              dropSendUref(k, space, entry, port, 'mod_refs');
            } else {
              entry.urefs = urefs;
              if (k.record) rightEvent(k, space, entry, port, 'mod_refs');
            }
          } else if (urefs === 0) {
            if (k.record) rightEvent(k, space, { ...entry, type: 0 }, null, 'mod_refs');
            freeEntry(space, entry);
          } else {
            entry.urefs = urefs;
            if (k.record) rightEvent(k, space, entry, null, 'mod_refs');
          }
        }
      }
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_insert_right(task, name, poly, polyPoly): a right from the caller's space, under `name` in the task's.

function validDisposition(d: number): boolean {
  return d >= MOVE_RECEIVE && d <= MAKE_SEND_ONCE;
}

const insertRightSteps: (readonly [string, KernelStep])[] = [
  [
    'check_name',
    (k, _t, f) => {
      // a0 name, a1 poly (the caller's name), a2 disposition, a3 target process (-1 = self)
      const index = f.a0 >>> 8;
      // Chosen names keep the shape of allocated ones (generation ≡ 3 mod 4), so results stay unambiguous.
      if (f.a0 === PORT_NULL || f.a0 === PORT_DEAD || (f.a0 & 3) !== 3 || index === 0 || index >= k.capTableSize || f.a0 > 0xffff_ffff) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      if (!validDisposition(f.a2)) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_object_copyin',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const entry = lookup(k, space, f.a1);
      if (entry === null) {
        f.r = KERN_INVALID_NAME;
        return DONE;
      }
      if (checkDisposition(entry, f.a2, KERN_INVALID_RIGHT) !== 0) {
        f.r = KERN_INVALID_RIGHT;
        return DONE;
      }
      return 2;
    },
  ],
  [
    'ipc_object_copyout_name',
    (k, t, f) => {
      const mach = k.state.mach;
      const from = spaceOf(k, t.process);
      const entry = lookup(k, from, f.a1)!;
      const target = spaceOf(k, f.a3 >= 0 ? f.a3 : t.process);
      const port = mach.ports[entry.object]!;
      const existing = target.entries[f.a0 >>> 8] ?? null;
      const sendIndex = target.sendNames[port.id];
      const makesSend = f.a2 !== MOVE_RECEIVE && f.a2 !== MAKE_SEND_ONCE && f.a2 !== MOVE_SEND_ONCE;
      if (existing !== null && (existing.name !== f.a0 || existing.object !== port.id || existing.type === TYPE_DEAD_NAME || !makesSend && f.a2 !== MOVE_RECEIVE)) {
        f.r = KERN_NAME_EXISTS;
        return DONE;
      }
      if (existing === null && makesSend && sendIndex !== undefined) {
        f.r = KERN_RIGHT_EXISTS; // the task already names its send rights for this port differently
        return DONE;
      }
      if (existing === null && f.a2 === MOVE_RECEIVE && sendIndex !== undefined) {
        f.r = KERN_RIGHT_EXISTS;
        return DONE;
      }
      if (existing !== null && makesSend && existing.urefs >= UREFS_MAX) {
        f.r = KERN_UREFS_OVERFLOW;
        return DONE;
      }
      const carried = copyinRight(k, from, entry, f.a2);
      if (existing !== null) {
        if (carried === PORT_SEND) {
          if ((existing.type & TYPE_SEND) !== 0) {
            existing.urefs++;
            port.sendRights--;
          } else {
            existing.type |= TYPE_SEND;
            existing.urefs = 1;
            target.sendNames[port.id] = f.a0 >>> 8;
          }
        } else {
          existing.type |= TYPE_RECEIVE;
          port.receiverProcess = target.process;
          port.receiverName = f.a0;
        }
        if (k.record) rightEvent(k, target, existing, port, 'insert');
      } else {
        const type = carried === PORT_SEND ? TYPE_SEND : carried === PORT_SEND_ONCE ? TYPE_SEND_ONCE : TYPE_RECEIVE;
        allocEntry(k, target, type, port.id, carried === PORT_RECEIVE ? 0 : 1, f.a0);
        if (carried === PORT_RECEIVE) {
          port.receiverProcess = target.process;
          port.receiverName = f.a0;
        }
        if (k.record) rightEvent(k, target, target.entries[f.a0 >>> 8]!, port, 'insert');
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_move_member(task, member, after)

const moveMemberSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_right_lookup',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const member = lookup(k, space, f.a0);
      const after = f.a1 === PORT_NULL ? null : lookup(k, space, f.a1);
      if (member === null || (f.a1 !== PORT_NULL && after === null)) {
        f.r = KERN_INVALID_NAME;
        return DONE;
      }
      if ((member.type & TYPE_RECEIVE) === 0 || (after !== null && (after.type & TYPE_PORT_SET) === 0)) {
        f.r = KERN_INVALID_RIGHT;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_pset_move',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const mach = k.state.mach;
      const port = mach.ports[lookup(k, space, f.a0)!.object]!;
      if (f.a1 === PORT_NULL) {
        if (port.portSet === 0) {
          f.r = R.KERN_NOT_IN_SET;
          return DONE;
        }
        removeFromSet(k, port);
        f.r = KERN_SUCCESS;
        return DONE;
      }
      const set = mach.portSets[lookup(k, space, f.a1)!.object]!;
      if (port.portSet !== 0) removeFromSet(k, port);
      port.portSet = set.id;
      set.members.push(port.id);
      // Receivers waiting on the port itself learn that it moved into a set (MACH_RCV_PORT_CHANGED).
      while (port.receivers.length > 0) {
        const waiter = k.state.threads[port.receivers.shift()!]!;
        wakeWith(k, waiter, R.MACH_RCV_PORT_CHANGED);
      }
      // Messages already queued can now satisfy receivers waiting on the set.
      while (port.queue.length > 0 && set.receivers.length > 0) {
        const waiter = k.state.threads[set.receivers.shift()!]!;
        const id = dequeue(k, port);
        if (k.record) messageEvent(k, t, 'handoff', port, mach.messages[id]!, waiter.name);
        wakeReceive(k, waiter, id);
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_request_notification(task, name, MACH_NOTIFY_DEAD_NAME, sync, notify, MAKE_SEND_ONCE, &previous)

const requestNotificationSteps: (readonly [string, KernelStep])[] = [
  [
    'check_variant',
    (_k, _t, f) => {
      // a0 name, a1 notify, a2 variant, a3 notify disposition
      if (f.a2 !== C.MACH_NOTIFY_DEAD_NAME) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      if (f.a3 !== MAKE_SEND_ONCE && f.a3 !== MOVE_SEND_ONCE) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'ipc_right_lookup',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const entry = lookup(k, space, f.a0);
      if (entry === null) {
        f.r = KERN_INVALID_NAME;
        return DONE;
      }
      if ((entry.type & (TYPE_SEND | TYPE_RECEIVE | TYPE_SEND_ONCE | TYPE_DEAD_NAME)) === 0) {
        f.r = KERN_INVALID_RIGHT;
        return DONE;
      }
      const notify = lookup(k, space, f.a1);
      if (checkDisposition(notify, f.a3, 1) !== 0) {
        f.r = KERN_INVALID_CAPABILITY;
        return DONE;
      }
      return 2;
    },
  ],
  [
    'ipc_right_request_alloc',
    (k, t, f) => {
      const space = spaceOf(k, t.process);
      const mach = k.state.mach;
      const notifyEntry = lookup(k, space, f.a1)!;
      const notify = mach.ports[notifyEntry.object]!;
      copyinRight(k, space, notifyEntry, f.a3); // a send-once right for the notification
      const entry = lookup(k, space, f.a0)!;
      if ((entry.type & TYPE_DEAD_NAME) !== 0) {
        // Already dead: the notification is sent at once.
        const message = allocMessage(k);
        message.msgId = C.MACH_NOTIFY_DEAD_NAME;
        message.bits = MOVE_SEND_ONCE;
        message.remotePort = notify.id;
        message.remoteType = PORT_SEND_ONCE;
        writeWord(message, 0, f.a0);
        message.dataLength = 8;
        if (k.record) messageEvent(k, t, 'notify', notify, message, `dead-name ${hexName(f.a0)} in ${space.name}`);
        if (notify.active) deliver(k, t, notify, message);
        else destroyMessage(k, message, '');
      } else {
        mach.ports[entry.object]!.deadNameRequests.push(t.process, f.a0, notify.id);
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_set_attributes(MACH_PORT_LIMITS_INFO): the queue limit.

/** The caller's entry for the name in a0 if it holds a receive right; else null with f.r set (KERN_INVALID_NAME or KERN_INVALID_RIGHT). */
function lookupReceive(k: Kernel, t: Thread, f: SyscallFrame): MachEntry | null {
  const entry = lookup(k, spaceOf(k, t.process), f.a0);
  if (entry === null) {
    f.r = KERN_INVALID_NAME;
    return null;
  }
  if ((entry.type & TYPE_RECEIVE) === 0) {
    f.r = KERN_INVALID_RIGHT;
    return null;
  }
  return entry;
}

const setQlimitSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_right_lookup',
    (k, t, f) => {
      const entry = lookupReceive(k, t, f);
      if (entry === null) return DONE;
      if (f.a1 < 0 || f.a1 > QLIMIT_MAX) {
        f.r = KERN_INVALID_VALUE;
        return DONE;
      }
      f.v0 = entry.object;
      return 1;
    },
  ],
  [
    'ipc_mqueue_set_qlimit',
    (k, _t, f) => {
      const port = k.state.mach.ports[f.v0]!;
      port.queueLimit = f.a1;
      while (port.blockedSenders.length > 0 && port.queue.length < port.queueLimit) {
        wakeSenderRetry(k, k.state.threads[port.blockedSenders.shift()!]!);
      }
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mach_port_set_kobject: a run-time attempt to make a port an IPC kernel object. Refused (MR-PAS-06).

const setKobjectSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_right_lookup',
    (k, t, f) => (lookupReceive(k, t, f) === null ? DONE : 1),
  ],
  [
    'ipc_kobject_table_fixed',
    (_k, _t, f) => {
      f.r = R.KERN_NOT_SUPPORTED; // the kobject table is built into the kernel; nothing hooks up new types
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Waking helpers shared with ipc.ts (mach_msg's continuation steps).

function wakeWith(k: Kernel, t: Thread, result: number): void {
  wakeReceiver(k, t, result, 0);
}
function wakeReceive(k: Kernel, t: Thread, message: number): void {
  wakeReceiver(k, t, 0, message);
}
function wakeSenderRetry(k: Kernel, t: Thread): void {
  wakeSender(k, t, 0);
}

// ---------------------------------------------------------------------------------------------
// mach_msg: the user runtime builds the message in the thread's buffer.

const P = {
  send: 0,
  disposition: 1,
  reply: 2,
  replyDisposition: 3,
  id: 4,
  data: 5,
  ports: 6,
  portDisposition: 7,
  receive: 8,
  timeout: 9,
  msg: 10,
  option: 11,
  sendSize: 12,
  rcvSize: 13,
  rcvMsg: 14,
  ool: 15,
  oolCopy: 16,
  oolDealloc: 17,
} as const;

function machMsgPrologue(k: Kernel, t: Thread, ins: Instruction, f: SyscallFrame): void {
  const a = ins.arguments;
  const hasReceive = given(a[P.receive]);
  const hasTimeout = given(a[P.timeout]);
  const timeout = value(k, a[P.timeout], 0);
  f.a2 = value(k, a[P.receive], 0);
  f.a3 = timeout;
  f.v5 = value(k, a[P.rcvMsg], 0); // mach_msg_overwrite's separate receive buffer (0: the message buffer)
  if (given(a[P.msg])) {
    f.a0 = value(k, a[P.msg], 0);
    let option = given(a[P.option]) ? value(k, a[P.option], 0) : C.MACH_SEND_MSG | (hasReceive ? C.MACH_RCV_MSG : 0);
    if (!given(a[P.option]) && hasTimeout) option |= C.MACH_SEND_TIMEOUT | C.MACH_RCV_TIMEOUT;
    f.a1 = option;
    f.v7 = value(k, a[P.sendSize], 0);
    f.v8 = given(a[P.rcvSize]) ? value(k, a[P.rcvSize], 0) : MACH_MSG_SIZE_MAX;
    return;
  }
  const buffer = t.stackTop - MACH_MSG_BUFFER_OFFSET;
  let option = hasReceive ? C.MACH_RCV_MSG : 0;
  if (given(a[P.send])) {
    option |= C.MACH_SEND_MSG;
    const dest = value(k, a[P.send], 0);
    const destType = value(k, a[P.disposition], COPY_SEND);
    const replyGiven = given(a[P.reply]);
    const reply = value(k, a[P.reply], 0);
    const replyType = replyGiven ? value(k, a[P.replyDisposition], MAKE_SEND_ONCE) : 0;
    const ports = a[P.ports] && a[P.ports]!.items ? a[P.ports]!.items! : null;
    const portType = value(k, a[P.portDisposition], COPY_SEND);
    let length = HEADER_SIZE;
    const ool = a[P.ool] && a[P.ool]!.items ? a[P.ool]!.items! : null;
    const oolCount = ool !== null ? ool.length >> 1 : 0;
    const portCount = ports !== null ? ports.length : 0;
    const complex = portCount > 0 || oolCount > 0;
    if (complex) {
      view.setUint32(HEADER_SIZE, portCount + oolCount, true);
      length += BODY_SIZE;
      for (let i = 0; i < portCount; i++) {
        const item = ports![i]!;
        view.setUint32(length, typeof item === 'function' ? item(k) >>> 0 : 0, true);
        view.setUint32(length + 4, 0, true);
        view.setUint16(length + 8, 0, true);
        scratch[length + 10] = portType & 0xff;
        scratch[length + 11] = 0; // MACH_MSG_PORT_DESCRIPTOR
        length += PORT_DESCRIPTOR_SIZE;
      }
      if (oolCount > 0) {
        // mach_msg_ool_descriptor64_t: address, deallocate, copy, pad, type, size.
        const copy = value(k, a[P.oolCopy], C.MACH_MSG_VIRTUAL_COPY);
        const dealloc = value(k, a[P.oolDealloc], 0) !== 0 ? 1 : 0;
        ensureScratch(length + OOL_DESCRIPTOR_SIZE * oolCount + 64);
        for (let i = 0; i < oolCount; i++) {
          const at = ool![2 * i]!;
          const sz = ool![2 * i + 1]!;
          const address = typeof at === 'function' ? at(k) : 0;
          const high = Math.floor(address / 0x1_0000_0000);
          view.setUint32(length, (address - high * 0x1_0000_0000) >>> 0, true);
          view.setUint32(length + 4, high >>> 0, true);
          scratch[length + 8] = dealloc;
          scratch[length + 9] = copy & 0xff;
          scratch[length + 10] = 0;
          scratch[length + 11] = C.MACH_MSG_OOL_DESCRIPTOR;
          view.setUint32(length + 12, (typeof sz === 'function' ? sz(k) : sz.length) >>> 0, true);
          length += OOL_DESCRIPTOR_SIZE;
        }
      }
    }
    const items = a[P.data] && a[P.data]!.items ? a[P.data]!.items! : null;
    if (items !== null) {
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (typeof item === 'function') {
          ensureScratch(length + 8);
          const v = item(k);
          const high = Math.floor(v / 0x1_0000_0000);
          view.setUint32(length, (v - high * 0x1_0000_0000) >>> 0, true);
          view.setUint32(length + 4, high >>> 0, true);
          length += 8;
        } else {
          ensureScratch(length + item.length + 4);
          scratch.set(item, length);
          length += item.length;
        }
      }
    }
    while ((length & 3) !== 0) scratch[length++] = 0;
    view.setUint32(0, ((destType & 0x1f) | ((replyType & 0x1f) << 8) | (complex ? MSGH_BITS_COMPLEX : 0)) >>> 0, true);
    view.setUint32(4, length, true);
    view.setUint32(8, dest >>> 0, true);
    view.setUint32(12, reply >>> 0, true);
    view.setUint32(16, 0, true);
    view.setInt32(20, value(k, a[P.id], 0) | 0, true);
    if (k.faultAddress >= 0) return;
    k.writeBytesAs(buffer, scratch, length, 'runtime');
    f.v7 = length;
  }
  if (hasTimeout) option |= (option & C.MACH_SEND_MSG ? C.MACH_SEND_TIMEOUT : 0) | (hasReceive ? C.MACH_RCV_TIMEOUT : 0);
  f.a0 = buffer;
  f.a1 = option;
  f.v8 = MACH_MSG_SIZE_MAX;
}

// Frame: a0 msg, a1 option, a2 rcv_name, a3 timeout; v0 the message being sent, v1 its
// destination port, v2 the receive port/set, v3 a waker's result, v4 the received message,
// v5 the separate receive buffer (rcv_msg, 0 = none), v6 flags (1 receiving on a set, 2 blocked
// sending), v7 send size, v8 receive size.

// Step indices (ipc.ts wakes threads at 5, ipc_mqueue_send_continue, and 7, ipc_mqueue_receive_continue).
const S_HEADER = 1;
const S_BODY = 2;
const S_SEND = 3;
const S_KOBJECT = 4;
const S_RECEIVE = 6;
const S_COPYOUT = 8;
const S_KOBJECT_RETURN = 9;

function afterSend(f: SyscallFrame): number {
  if ((f.a1 & C.MACH_RCV_MSG) !== 0) return S_RECEIVE;
  f.r = R.MACH_MSG_SUCCESS;
  return DONE;
}

function fail(f: SyscallFrame, code: number): number {
  f.r = code;
  return DONE;
}

function block(k: Kernel, t: Thread, f: SyscallFrame): number {
  if ((f.v6 & 2) !== 0 ? (f.a1 & C.MACH_SEND_TIMEOUT) !== 0 : (f.a1 & C.MACH_RCV_TIMEOUT) !== 0) {
    const mt = machThread(k, t);
    mt.deadline = k.cpu.time + f.a3;
    k.state.mach.timedWaiters.push(t.id);
  }
  k.setState(t, ThreadState.TS_WAITING);
  f.blocked = true;
  k.schedule(k.cpu, 'block');
  return SWITCHED;
}

/** Pseudo-receive of a message that could not be sent (MACH_SEND_TIMED_OUT): its rights go back to the sender's space. */
function pseudoReceive(k: Kernel, t: Thread, message: MachMessage): void {
  const space = spaceOf(k, t.process);
  if (message.remoteType !== 0) copyoutRight(k, space, message.remotePort, message.remoteType);
  if (message.localType !== 0) copyoutRight(k, space, message.localPort, message.localType);
  for (let i = 0; i < message.ports.length; i++) {
    if (message.portTypes[i] === DESC_OOL) continue; // OOL memory is not given back (freeMessage discards it)
    copyoutRight(k, space, message.ports[i]!, message.portTypes[i]!);
  }
  freeMessage(k, message);
}

/** Before destroying a partly copied-in message: port descriptors from `from` on still hold names, not rights (their slots are emptied); OOL copies stay and are discarded with it. */
function abandonFrom(message: MachMessage, from: number): void {
  for (let j = from; j < message.ports.length; j++) {
    if (message.portTypes[j] !== DESC_OOL) {
      message.ports[j] = 0;
      message.portTypes[j] = 0;
    }
  }
}

const machMsgSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_kmsg_get',
    (k, t, f) => {
      if ((f.a1 & C.MACH_SEND_MSG) === 0) return S_RECEIVE;
      // The size comes from the option argument (send_size) or, without one, from the header.
      let size = f.v7;
      let have = 0;
      if (size <= 0) {
        if (k.copyFromUser(t, f.a0, HEADER_SIZE, scratch) !== 0) return fail(f, R.MACH_SEND_INVALID_DATA);
        size = view.getUint32(4, true);
        have = HEADER_SIZE;
      }
      if (size < HEADER_SIZE || (size & 3) !== 0) return fail(f, R.MACH_SEND_MSG_TOO_SMALL);
      if (size > MACH_MSG_SIZE_MAX) return fail(f, R.MACH_SEND_TOO_LARGE);
      // One copyin of the whole message (one user-memory walk), then into the kernel message.
      // When the header was just read (same step, same bytes), only the rest is walked; the
      // whole message is charged either way.
      if (have > 0) {
        if (k.copyFromUserRest(t, f.a0 + have, size - have, scratch, have, size) !== 0) return fail(f, R.MACH_SEND_INVALID_DATA);
      } else if (k.copyFromUser(t, f.a0, size, scratch) !== 0) return fail(f, R.MACH_SEND_INVALID_DATA);
      const bits = view.getUint32(0, true);
      const message = allocMessage(k);
      message.bits = bits;
      message.remotePort = view.getUint32(8, true); // names until copyin translates them
      message.localPort = view.getUint32(12, true);
      message.msgId = view.getInt32(20, true);
      message.sender = t.id;
      let offset = HEADER_SIZE;
      if ((bits & MSGH_BITS_COMPLEX) !== 0) {
        const count = size >= HEADER_SIZE + BODY_SIZE ? view.getUint32(HEADER_SIZE, true) : -1;
        if (!(count >= 0) || HEADER_SIZE + BODY_SIZE + count * PORT_DESCRIPTOR_SIZE > size) {
          freeMessage(k, message);
          return fail(f, R.MACH_SEND_MSG_TOO_SMALL);
        }
        offset += BODY_SIZE;
        for (let i = 0; i < count; i++) {
          const type = offset + PORT_DESCRIPTOR_SIZE <= size ? scratch[offset + DESCRIPTOR_TYPE_OFFSET]! : -1;
          if (type === C.MACH_MSG_OOL_DESCRIPTOR) {
            // An OOL memory descriptor: its vm_map_copy is filled by ipc_kmsg_copyin_body.
            if (offset + OOL_DESCRIPTOR_SIZE > size) {
              freeMessage(k, message);
              return fail(f, R.MACH_SEND_MSG_TOO_SMALL);
            }
            const address = view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 0x1_0000_0000;
            const copy = allocCopy(k, message.id, address, view.getUint32(offset + 12, true), scratch[offset + 9]!, scratch[offset + 8]! !== 0);
            message.ports.push(copy.id);
            message.portTypes.push(DESC_OOL);
            offset += OOL_DESCRIPTOR_SIZE;
            continue;
          }
          if (type < 0) {
            freeMessage(k, message);
            return fail(f, R.MACH_SEND_MSG_TOO_SMALL);
          }
          message.ports.push(view.getUint32(offset, true));
          message.portTypes.push(scratch[offset + 10]! | (type << 8));
          offset += PORT_DESCRIPTOR_SIZE;
        }
      }
      const dataLength = size - offset;
      const data = ensureData(message, dataLength);
      copyBytes(data, 0, scratch, offset, dataLength);
      message.dataLength = dataLength;
      f.v0 = message.id;
      return S_HEADER;
    },
  ],
  [
    'ipc_kmsg_copyin_header',
    (k, t, f) => {
      const mach = k.state.mach;
      const message = mach.messages[f.v0]!;
      const destType = message.bits & 0x1f;
      const replyType = (message.bits >>> 8) & 0x1f;
      if (destType < MOVE_SEND || destType > MAKE_SEND_ONCE || (replyType !== 0 && (replyType < MOVE_SEND || replyType > MAKE_SEND_ONCE))) {
        freeMessage(k, message);
        return fail(f, R.MACH_SEND_INVALID_HEADER);
      }
      const space = spaceOf(k, t.process);
      const destName = message.remotePort;
      const destEntry = destName === PORT_NULL || destName === PORT_DEAD ? null : lookup(k, space, destName);
      if (checkDisposition(destEntry, destType, 1) !== 0) {
        freeMessage(k, message);
        return fail(f, R.MACH_SEND_INVALID_DEST);
      }
      const replyName = message.localPort;
      const hasReply = replyType !== 0 && replyName !== PORT_NULL && replyName !== PORT_DEAD;
      if (hasReply && checkDisposition(lookup(k, space, replyName), replyType, 1) !== 0) {
        freeMessage(k, message);
        return fail(f, R.MACH_SEND_INVALID_REPLY);
      }
      const destPort = destEntry!.object;
      message.remoteType = copyinRight(k, space, destEntry!, destType);
      message.remotePort = destPort;
      message.localPort = 0;
      if (hasReply) {
        const replyEntry = lookup(k, space, replyName);
        if (checkDisposition(replyEntry, replyType, 1) !== 0) {
          destroyMessage(k, message, ''); // the destination right was consumed by the same name
          return fail(f, R.MACH_SEND_INVALID_REPLY);
        }
        const replyPort = replyEntry!.object;
        message.localType = copyinRight(k, space, replyEntry!, replyType);
        message.localPort = replyPort;
      }
      f.v1 = destPort;
      return message.ports.length > 0 ? S_BODY : S_SEND;
    },
  ],
  [
    'ipc_kmsg_copyin_body',
    (k, t, f) => {
      const message = k.state.mach.messages[f.v0]!;
      const space = spaceOf(k, t.process);
      const count = message.ports.length;
      const copies = k.state.mach.copies;
      // First pass (as XNU's): every descriptor's type and copy option, before any copyin.
      for (let i = 0; i < count; i++) {
        const rawType = message.portTypes[i]!;
        const ok = rawType === DESC_OOL ? copies[message.ports[i]!]!.copy <= C.MACH_MSG_VIRTUAL_COPY : rawType >>> 8 === 0;
        if (!ok) {
          abandonFrom(message, 0);
          destroyMessage(k, message, 'copyin failed');
          return fail(f, R.MACH_SEND_INVALID_TYPE);
        }
      }
      for (let i = 0; i < count; i++) {
        const rawType = message.portTypes[i]!;
        if (rawType === DESC_OOL) {
          // vm_map_copyin of the sender's region (ipc_kmsg_copyin_ool_descriptor).
          const id = message.ports[i]!;
          const error = copyinCopy(k, t, copies[id]!);
          if (error !== 0) {
            abandonFrom(message, i + 1);
            destroyMessage(k, message, 'copyin failed');
            return fail(f, error);
          }
          if (k.record) oolEvent(k, t, 'ool-copyin', id, `from 0x${copies[id]!.source.toString(16)} in ${space.name}${copies[id]!.deallocate ? ', sender region deallocated' : ''}`);
          continue;
        }
        const disposition = rawType & 0xff;
        let error = 0;
        if (!validDisposition(disposition)) error = R.MACH_SEND_INVALID_RIGHT;
        const name = message.ports[i]!;
        if (error === 0 && (name === PORT_NULL || name === PORT_DEAD)) {
          message.ports[i] = 0;
          message.portTypes[i] = 0;
          continue;
        }
        const entry = error === 0 ? lookup(k, space, name) : null;
        if (error === 0 && checkDisposition(entry, disposition, 1) !== 0) error = R.MACH_SEND_INVALID_RIGHT;
        if (error !== 0) {
          // The message is destroyed with the rights and memory copied in so far (ipc_kmsg_clean_partial).
          abandonFrom(message, i);
          destroyMessage(k, message, 'copyin failed');
          return fail(f, error);
        }
        const portId = entry!.object;
        message.portTypes[i] = copyinRight(k, space, entry!, disposition);
        message.ports[i] = portId;
      }
      return S_SEND;
    },
  ],
  [
    'ipc_kmsg_send',
    (k, t, f) => {
      const mach = k.state.mach;
      const message = mach.messages[f.v0]!;
      const port = mach.ports[f.v1]!;
      if (!port.active) {
        destroyMessage(k, message, 'destination dead');
        return fail(f, R.MACH_SEND_INVALID_DEST);
      }
      if (port.kobjectType !== 0) return S_KOBJECT;
      if (queueFull(port, message)) {
        if ((f.a1 & C.MACH_SEND_TIMEOUT) !== 0 && f.a3 <= 0) {
          pseudoReceive(k, t, message);
          return fail(f, R.MACH_SEND_TIMED_OUT);
        }
        port.blockedSenders.push(t.id);
        f.v6 |= 2;
        return block(k, t, f);
      }
      deliver(k, t, port, message);
      return afterSend(f);
    },
  ],
  [
    'ipc_kobject_server',
    (k, t, f) => kobjectServer(k, t, f),
  ],
  [
    'ipc_mqueue_send_continue',
    (k, t, f) => {
      f.v6 &= ~2;
      const message = k.state.mach.messages[f.v0]!;
      if (f.v3 === R.MACH_SEND_TIMED_OUT) {
        pseudoReceive(k, t, message);
        return fail(f, f.v3);
      }
      if (f.v3 !== 0) {
        destroyMessage(k, message, 'destination dead');
        return fail(f, f.v3);
      }
      return S_SEND;
    },
  ],
  [
    'ipc_mqueue_receive',
    (k, t, f) => {
      f.v6 = 0;
      const mach = k.state.mach;
      const entry = lookup(k, spaceOf(k, t.process), f.a2);
      if (entry === null || (entry.type & (TYPE_RECEIVE | TYPE_PORT_SET)) === 0) return fail(f, R.MACH_RCV_INVALID_NAME);
      f.v2 = entry.object;
      if ((entry.type & TYPE_RECEIVE) !== 0) {
        const port = mach.ports[entry.object]!;
        if (port.queue.length > 0) {
          f.v4 = dequeue(k, port);
          return S_COPYOUT;
        }
        if ((f.a1 & C.MACH_RCV_TIMEOUT) !== 0 && f.a3 <= 0) return fail(f, R.MACH_RCV_TIMED_OUT);
        port.receivers.push(t.id);
        return block(k, t, f);
      }
      const set = mach.portSets[entry.object]!;
      f.v6 |= 1;
      for (let i = 0; i < set.members.length; i++) {
        const port = mach.ports[set.members[i]!]!;
        if (port.queue.length > 0) {
          f.v4 = dequeue(k, port);
          return S_COPYOUT;
        }
      }
      if ((f.a1 & C.MACH_RCV_TIMEOUT) !== 0 && f.a3 <= 0) return fail(f, R.MACH_RCV_TIMED_OUT);
      set.receivers.push(t.id);
      return block(k, t, f);
    },
  ],
  [
    'ipc_mqueue_receive_continue',
    (_k, _t, f) => {
      if (f.v3 !== 0) return fail(f, f.v3);
      return S_COPYOUT;
    },
  ],
  [
    'ipc_kmsg_copyout',
    (k, t, f) => {
      const mach = k.state.mach;
      const message = mach.messages[f.v4]!;
      const port = mach.ports[message.remotePort]!;
      const count = message.ports.length;
      const complex = count > 0;
      let size = HEADER_SIZE + (complex ? BODY_SIZE + count * PORT_DESCRIPTOR_SIZE : 0) + message.dataLength;
      if (complex) for (let i = 0; i < count; i++) if (message.portTypes[i] === DESC_OOL) size += OOL_DESCRIPTOR_SIZE - PORT_DESCRIPTOR_SIZE;
      if (size > f.v8) {
        destroyMessage(k, message, 'too large');
        return fail(f, R.MACH_RCV_TOO_LARGE);
      }
      const space = spaceOf(k, t.process);
      const localName = port.receiverProcess === t.process ? port.receiverName : 0;
      const remoteType = message.remoteType;
      releaseRight(k, message.remotePort, remoteType); // the destination right is consumed
      message.remoteType = 0;
      const replyType = message.localType;
      const replyName = replyType !== 0 ? copyoutRight(k, space, message.localPort, replyType) : PORT_NULL;
      message.localType = 0;
      ensureScratch(size);
      view.setUint32(0, ((replyType & 0x1f) | ((remoteType & 0x1f) << 8) | (complex ? MSGH_BITS_COMPLEX : 0)) >>> 0, true);
      view.setUint32(4, size, true);
      view.setUint32(8, replyName >>> 0, true);
      view.setUint32(12, localName >>> 0, true);
      view.setUint32(16, 0, true);
      view.setInt32(20, message.msgId | 0, true);
      let offset = HEADER_SIZE;
      if (complex) {
        view.setUint32(offset, count, true);
        offset += BODY_SIZE;
        for (let i = 0; i < count; i++) {
          const type = message.portTypes[i]!;
          if (type === DESC_OOL) {
            offset = copyoutOolDescriptor(k, t, message.ports[i]!, offset, space.name);
            message.ports[i] = 0;
            continue;
          }
          const name = type !== 0 ? copyoutRight(k, space, message.ports[i]!, type) : PORT_NULL;
          view.setUint32(offset, name >>> 0, true);
          view.setUint32(offset + 4, 0, true);
          view.setUint16(offset + 8, 0, true);
          scratch[offset + 10] = type;
          scratch[offset + 11] = 0;
          offset += PORT_DESCRIPTOR_SIZE;
        }
        message.ports.length = 0;
        message.portTypes.length = 0;
      }
      const data = message.data;
      copyBytes(scratch, offset, data, 0, message.dataLength);
      if (k.record) messageEvent(k, t, 'receive', port, message, `in ${space.name}`);
      freeMessage(k, message);
      // One copyout of the whole message.
      const into = f.v5 !== 0 ? f.v5 : f.a0;
      if (k.copyToUser(t, into, scratch, size) !== 0) return fail(f, R.MACH_RCV_INVALID_DATA);
      const mt = machThread(k, t);
      mt.receiveBuffer = into;
      mt.passiveMessage = -1; // a driver method that receives reads its own message from now on
      f.r = R.MACH_MSG_SUCCESS;
      return DONE;
    },
  ],
  [
    'ipc_kobject_server_return',
    (k, t, f) => {
      const mt = machThread(k, t);
      const message = k.state.mach.messages[f.v0]!;
      // OOL memory the method left in the request (ipc_kobject_server): after KERN_SUCCESS the
      // server is responsible for the contents, so the copies stay, owned by it (naked references
      // it may still vm_map_copyout / vm_map_copy_discard); after an error the request is destroyed
      // with its memory.
      releaseUnconsumedCopies(k, t, message, f.v3 === KERN_SUCCESS);
      // The driver's method returned (iokit_return): its value and output words make the reply.
      sendReply(k, t, message, f.v3, mt.replyWords, true);
      return afterSend(f);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Out-of-line memory on receive and in passive servers

/** Writes the receiver's OOL descriptor at `offset` after vm_map_copyout of copy `id` into the thread's space; returns the next offset. */
function copyoutOolDescriptor(k: Kernel, t: Thread, id: number, offset: number, spaceName: string): number {
  const c = id !== 0 ? k.state.mach.copies[id]! : null;
  let address = 0;
  if (c !== null) {
    address = copyoutCopy(k, t, c);
    if (k.record) oolEvent(k, t, 'ool-copyout', id, address > 0 ? `mapped at 0x${address.toString(16)} in ${spaceName}` : address === 0 ? 'empty' : `no memory in ${spaceName}: not mapped`);
    if (address < 0) address = 0;
    releaseCopy(k, id);
  }
  view.setUint32(offset, address % 0x1_0000_0000 >>> 0, true);
  view.setUint32(offset + 4, Math.floor(address / 0x1_0000_0000) >>> 0, true);
  scratch[offset + 8] = 0; // deallocate
  scratch[offset + 9] = c !== null ? c.copy : 0;
  scratch[offset + 10] = 0;
  scratch[offset + 11] = C.MACH_MSG_OOL_DESCRIPTOR;
  view.setUint32(offset + 12, c !== null ? c.size : 0, true);
  return offset + OOL_DESCRIPTOR_SIZE;
}

function releaseUnconsumedCopies(k: Kernel, t: Thread, message: MachMessage, keep: boolean): void {
  const copies = k.state.mach.copies;
  for (let i = 0; i < message.ports.length; i++) {
    if (message.portTypes[i] !== DESC_OOL || message.ports[i] === 0) continue;
    const id = message.ports[i]!;
    if (keep) {
      if (k.record) oolEvent(k, t, 'ool-discard', id, 'not consumed; the server returned KERN_SUCCESS and keeps it (not released)');
      copies[id]!.message = -1;
    } else {
      if (k.record) oolEvent(k, t, 'ool-discard', id, 'the server returned an error: destroyed with the request');
      releaseCopy(k, id);
    }
    message.ports[i] = 0;
  }
}

/** The vm_map_copy a naked reference names, if the caller may use it: a driver method serving the message that carries it, or (for a copy a server kept) a driver method or kernel thread. */
function copyReference(k: Kernel, t: Thread, reference: number): MachVmCopy | null {
  const mt = machThread(k, t);
  if (mt.passiveDepth === 0 && !isKernelThread(k, t)) return null;
  const id = reference - COPY_BASE;
  const mach = k.state.mach;
  const c = id > 0 && Number.isInteger(id) ? mach.copies[id] : undefined;
  if (!c || !c.inUse) return null;
  if (c.message >= 0) {
    const serving = mt.passiveDepth > 0 ? mt.passiveStack[mt.passiveDepth - 1]!.v0 : -1;
    if (c.message !== serving) return null;
    // Taken out of the uncooked request: the descriptor no longer holds it.
    const message = mach.messages[c.message]!;
    for (let i = 0; i < message.ports.length; i++) if (message.ports[i] === id && message.portTypes[i] === DESC_OOL) message.ports[i] = 0;
  }
  return c;
}

const vmMapCopyoutSteps: (readonly [string, KernelStep])[] = [
  [
    'vm_map_copyout',
    (k, t, f) => {
      const c = copyReference(k, t, f.a0);
      if (c === null) return fail(f, KERN_INVALID_ARGUMENT);
      const id = c.id;
      const address = copyoutCopy(k, t, c);
      if (k.record) oolEvent(k, t, 'ool-copyout', id, address > 0 ? `mapped at 0x${address.toString(16)} by the server` : address === 0 ? 'empty' : 'no memory');
      c.message = -1;
      releaseCopy(k, id);
      f.r = address < 0 ? KernReturn.KERN_RESOURCE_SHORTAGE : address;
      return DONE;
    },
  ],
];

const vmMapCopyDiscardSteps: (readonly [string, KernelStep])[] = [
  [
    'vm_map_copy_discard',
    (k, t, f) => {
      const c = copyReference(k, t, f.a0);
      if (c === null) return fail(f, KERN_INVALID_ARGUMENT);
      if (k.record) oolEvent(k, t, 'ool-discard', c.id, 'by the server');
      c.message = -1;
      releaseCopy(k, c.id);
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Passive invocation: ipc_kobject_server on the calling thread.

const replyWords: number[] = [];

function kobjectServer(k: Kernel, t: Thread, f: SyscallFrame): number {
  const mach = k.state.mach;
  const message = mach.messages[f.v0]!;
  const port = mach.ports[f.v1]!;
  const kind = kobjectName(port.kobjectType);
  if (k.record) messageEvent(k, t, 'kobject-call', port, message, `${kind} server runs on ${t.name}`);
  replyWords.length = 0;
  let code = 0;
  switch (port.kobjectType) {
    case C.IKOT_HOST:
    case C.IKOT_HOST_PRIV:
      if (message.msgId === MIG_HOST_INFO) {
        const machine = k.state.machines[port.kobject]!;
        replyWords.push(machine.cpus.length, machine.memoryBytes);
      } else code = R.MIG_BAD_ID;
      break;
    case C.IKOT_TASK_CONTROL:
      if (message.msgId === MIG_TASK_INFO) {
        const space = spaceOf(k, port.kobject);
        replyWords.push(port.kobject + 1, space.count);
      } else code = R.MIG_BAD_ID;
      break;
    case C.IKOT_IOKIT_CONNECT:
    case C.IKOT_IOKIT_OBJECT:
      if (message.msgId === MIG_IO_CONNECT_METHOD) return callDriver(k, t, f, message, port);
      code = R.MIG_BAD_ID;
      break;
    default:
      code = R.MIG_BAD_ID;
  }
  sendReply(k, t, message, code, replyWords, false);
  return afterSend(f);
}

/**
 * The kobject server's reply (MIG): to the request's reply right, id + 100, data [RetCode, out...].
 * The request is consumed; a driver keeps the naked rights of its body (`keepBodyRights`).
 */
function sendReply(k: Kernel, t: Thread, request: MachMessage, code: number, words: readonly number[], keepBodyRights: boolean): void {
  const mach = k.state.mach;
  const kobjectPort = mach.ports[request.remotePort]!;
  if (request.localType !== 0) {
    const reply = allocMessage(k);
    reply.msgId = request.msgId + 100;
    reply.bits = request.localType;
    reply.remotePort = request.localPort;
    reply.remoteType = request.localType;
    request.localType = 0;
    request.localPort = 0;
    writeWord(reply, 0, code);
    for (let i = 0; i < words.length; i++) writeWord(reply, i + 1, words[i]!);
    reply.dataLength = 8 * (words.length + 1);
    const replyPort = mach.ports[reply.remotePort]!;
    if (k.record) messageEvent(k, t, 'kobject-reply', kobjectPort, reply, `reply to ${replyPort.label}`);
    if (!replyPort.active || queueFull(replyPort, reply)) destroyMessage(k, reply, 'reply dropped');
    else deliver(k, t, replyPort, reply);
  }
  destroyMessage(k, request, '', keepBodyRights);
}

function callDriver(k: Kernel, t: Thread, f: SyscallFrame, message: MachMessage, port: MachPort): number {
  const mach = k.state.mach;
  const connect = port.kobjectType === C.IKOT_IOKIT_CONNECT ? mach.connects[port.kobject]! : null;
  const service = mach.services[connect ? connect.service : port.kobject]!;
  const mt = machThread(k, t);
  let saved = mt.passiveStack[mt.passiveDepth];
  if (saved === undefined) {
    saved = newSavedContext(k);
    mt.passiveStack.push(saved);
  }
  saved.message = mt.passiveMessage;
  saved.routine = t.routine;
  saved.ip = t.ip;
  saved.sp = t.sp;
  saved.arg0 = t.arg0;
  saved.arg1 = t.arg1;
  saved.arg2 = t.arg2;
  saved.arg3 = t.arg3;
  saved.entryArg0 = t.entryArg0;
  for (let i = 0; i < t.locals.length; i++) saved.locals[i] = t.locals[i]!;
  saved.sys = f.sys;
  saved.step = S_KOBJECT_RETURN;
  saved.a0 = f.a0;
  saved.a1 = f.a1;
  saved.a2 = f.a2;
  saved.a3 = f.a3;
  saved.v0 = f.v0;
  saved.v1 = f.v1;
  saved.v2 = f.v2;
  saved.v5 = f.v5;
  saved.v7 = f.v7;
  saved.v8 = f.v8;
  mt.passiveDepth++;
  mt.passiveMessage = message.id;
  // The driver's method runs on this thread, in this address space, with this scheduling context.
  k.setThreadPc(t, routineEntryAddress(service.routine));
  t.arg0 = readWord(message, 0);
  t.arg1 = readWord(message, 1);
  t.arg2 = readWord(message, 2);
  t.arg3 = connect ? connect.id : 0;
  k.enterRoutine(t);
  f.active = true;
  f.blocked = true; // parked in ipc_kobject_server while the method's statements run
  return SWITCHED;
}

function newSavedContext(k: Kernel): MachSavedContext {
  return {
    message: 0,
    routine: 0,
    ip: 0,
    sp: 0,
    arg0: 0,
    arg1: 0,
    arg2: 0,
    arg3: 0,
    entryArg0: 0,
    locals: new Array<number>(k.compiled.maxFrameSize).fill(0),
    sys: 0,
    step: 0,
    a0: 0,
    a1: 0,
    a2: 0,
    a3: 0,
    v0: 0,
    v1: 0,
    v2: 0,
    v5: 0,
    v7: 0,
    v8: 0,
  };
}

// iokit_return(value, data): ends a driver method; the caller's mach_msg continues.

function iokitReturnPrologue(k: Kernel, t: Thread, ins: Instruction, f: SyscallFrame): void {
  const a = ins.arguments;
  f.a0 = value(k, a[0], 0);
  const mt = machThread(k, t);
  mt.replyWords.length = 0;
  const items = a[1] && a[1].items ? a[1].items : null;
  if (items) for (const item of items) mt.replyWords.push(typeof item === 'function' ? item(k) : item.length);
  f.a1 = mt.replyWords.length;
}

const iokitReturnSteps: (readonly [string, KernelStep])[] = [
  [
    'IOUserClient::externalMethod_return',
    (k, t, f) => {
      const mt = machThread(k, t);
      if (mt.passiveDepth === 0) return fail(f, KERN_INVALID_ARGUMENT); // not serving a passive call
      const saved = mt.passiveStack[--mt.passiveDepth]!;
      mt.passiveMessage = saved.message;
      t.routine = saved.routine;
      t.ip = saved.ip;
      t.sp = saved.sp;
      t.arg0 = saved.arg0;
      t.arg1 = saved.arg1;
      t.arg2 = saved.arg2;
      t.arg3 = saved.arg3;
      t.entryArg0 = saved.entryArg0;
      for (let i = 0; i < t.locals.length; i++) t.locals[i] = saved.locals[i]!;
      const result = f.a0;
      f.sys = saved.sys;
      f.a0 = saved.a0;
      f.a1 = saved.a1;
      f.a2 = saved.a2;
      f.a3 = saved.a3;
      f.v0 = saved.v0;
      f.v1 = saved.v1;
      f.v2 = saved.v2;
      f.v3 = result;
      f.v5 = saved.v5;
      f.v6 = 0;
      f.v7 = saved.v7;
      f.v8 = saved.v8;
      return saved.step; // continues in mach_msg's ipc_kobject_server_return
    },
  ],
];

// ipc_port_release_send(ref): a driver releases a naked send right it got in a passive message.

const releaseSendSteps: (readonly [string, KernelStep])[] = [
  [
    'ipc_port_release_send',
    (k, t, f) => {
      const mt = machThread(k, t);
      const id = f.a0 - NAKED_BASE;
      const port = k.state.mach.ports[id];
      if (mt.passiveDepth === 0 && !isKernelThread(k, t)) return fail(f, KERN_INVALID_ARGUMENT);
      if (!port || id <= 0 || port.sendRights <= 0) return fail(f, KERN_INVALID_ARGUMENT);
      port.sendRights--;
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];


// ---------------------------------------------------------------------------------------------
// mach_task_self / mach_host_self: send rights to the task's and the host's kobject ports.

export function taskPort(k: Kernel, process: number): MachPort {
  const space = spaceOf(k, process);
  if (space.taskPort === 0) {
    const group = k.state.groups[k.state.processGroups[process]!]!;
    space.taskPort = newPort(k, group.machine, `task ${space.name}`, C.IKOT_TASK_CONTROL, process).id;
  }
  return k.state.mach.ports[space.taskPort]!;
}

export function hostPort(k: Kernel, machine: number, which: number): MachPort {
  const host = hostOf(k, machine);
  let id = host.specialPorts[which] ?? 0;
  if (id === 0) {
    const name = which === C.HOST_PORT ? 'host' : which === C.HOST_PRIV_PORT ? 'host_priv' : 'io_master';
    const type = which === C.HOST_PORT ? C.IKOT_HOST : which === C.HOST_PRIV_PORT ? C.IKOT_HOST_PRIV : C.IKOT_MASTER_DEVICE;
    id = newPort(k, machine, name, type, machine).id;
    while (host.specialPorts.length <= which) host.specialPorts.push(0);
    host.specialPorts[which] = id;
  }
  return k.state.mach.ports[id]!;
}

function sendRightResult(k: Kernel, t: Thread, f: SyscallFrame, port: MachPort): number {
  port.sendRights++;
  const name = addSendRight(k, spaceOf(k, t.process), port, 'copyout');
  if (name < 0) {
    port.sendRights--;
    return fail(f, KERN_NO_SPACE);
  }
  f.r = name;
  return DONE;
}

const taskSelfSteps: (readonly [string, KernelStep])[] = [['ipc_port_copy_send(task)', (k, t, f) => sendRightResult(k, t, f, taskPort(k, t.process))]];
const hostSelfSteps: (readonly [string, KernelStep])[] = [['ipc_port_copy_send(host)', (k, t, f) => sendRightResult(k, t, f, hostPort(k, t.machine, C.HOST_PORT))]];

// ---------------------------------------------------------------------------------------------
// Bootstrap server (a user-space server in real systems: launchd). Kernel threads have no bootstrap port (MR-BOOT-01).

const bootstrapRegisterSteps: (readonly [string, KernelStep])[] = [
  [
    'task_get_bootstrap_port',
    (k, t, f) => (isKernelThread(k, t) ? fail(f, R.MACH_SEND_INVALID_DEST) : 1),
  ],
  [
    'bootstrap_register',
    (k, t, f) => {
      // a0/a1 the name the runtime wrote, a2 the port name.
      const service = copyinName(k, t, f.a0, f.a1);
      if (service === null) return fail(f, R.MACH_SEND_INVALID_DATA);
      const space = spaceOf(k, t.process);
      const entry = f.a2 === PORT_NULL ? null : lookup(k, space, f.a2);
      if (entry === null || (entry.type & (TYPE_SEND | TYPE_RECEIVE)) === 0) return fail(f, R.MACH_SEND_INVALID_RIGHT);
      const host = hostOf(k, t.machine);
      const mach = k.state.mach;
      const existing = ownValue(host.bootstrap, service);
      if (existing !== undefined && mach.ports[existing]!.active) return fail(f, R.BOOTSTRAP_NAME_IN_USE);
      const port = mach.ports[entry.object]!;
      port.sendRights++; // the bootstrap server keeps a send right (COPY_SEND or MAKE_SEND)
      if (existing !== undefined) mach.ports[existing]!.sendRights--;
      host.bootstrap[service] = port.id;
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

const bootstrapLookUpSteps: (readonly [string, KernelStep])[] = [
  bootstrapRegisterSteps[0]!,
  [
    'bootstrap_look_up',
    (k, t, f) => {
      const service = copyinName(k, t, f.a0, f.a1);
      if (service === null) return fail(f, R.MACH_SEND_INVALID_DATA);
      const id = ownValue(hostOf(k, t.machine).bootstrap, service);
      const port = id !== undefined ? k.state.mach.ports[id]! : null;
      if (port === null || !port.active) return fail(f, R.BOOTSTRAP_UNKNOWN_SERVICE);
      return sendRightResult(k, t, f, port);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// host_get_special_port / host_set_special_port

/** Called when a host special port changes (the XNU node code hooks HOST_NODE_PORT here). */
export type HostSpecialPortHook = (kernel: Kernel, machine: number, which: number, port: number) => void;
const hostSpecialPortHooks: HostSpecialPortHook[] = [];

/** Registers a function called after every successful host_set_special_port (e.g. XNU's mach_node_port_changed for HOST_NODE_PORT). */
export function onHostSpecialPortChanged(hook: HostSpecialPortHook): void {
  if (!hostSpecialPortHooks.includes(hook)) hostSpecialPortHooks.push(hook);
}

/** The port id a host special port holds (0 = unset); creates the kernel's own ports 1..3 on demand. */
export function hostSpecialPort(k: Kernel, machine: number, which: number): number {
  if (which >= C.HOST_PORT && which <= C.HOST_IO_MASTER_PORT) return hostPort(k, machine, which).id;
  return hostOf(k, machine).specialPorts[which] ?? 0;
}

const HOST_MAX_SPECIAL_KERNEL_PORT = 7;
const HOST_MAX_SPECIAL_PORT = 31;

const hostGetSpecialPortSteps: (readonly [string, KernelStep])[] = [
  [
    'host_get_special_port',
    (k, t, f) => {
      if (f.a0 < 0 || f.a0 > HOST_MAX_SPECIAL_PORT) return fail(f, KERN_INVALID_ARGUMENT);
      const id = hostSpecialPort(k, t.machine, f.a0);
      if (id === 0) {
        f.r = PORT_NULL;
        return DONE;
      }
      const port = k.state.mach.ports[id]!;
      if (!port.active) {
        f.r = PORT_DEAD;
        return DONE;
      }
      return sendRightResult(k, t, f, port);
    },
  ],
];

const hostSetSpecialPortSteps: (readonly [string, KernelStep])[] = [
  [
    'host_set_special_port',
    (k, t, f) => {
      if (f.a0 <= HOST_MAX_SPECIAL_KERNEL_PORT || f.a0 > HOST_MAX_SPECIAL_PORT) return fail(f, KERN_INVALID_ARGUMENT);
      let portId = 0;
      if (f.a1 !== PORT_NULL) {
        const entry = lookup(k, spaceOf(k, t.process), f.a1);
        if (entry === null || (entry.type & (TYPE_SEND | TYPE_RECEIVE)) === 0) return fail(f, R.MACH_SEND_INVALID_RIGHT);
        portId = entry.object;
        k.state.mach.ports[portId]!.sendRights++;
      }
      const host = hostOf(k, t.machine);
      while (host.specialPorts.length <= f.a0) host.specialPorts.push(0);
      const old = host.specialPorts[f.a0]!;
      if (old !== 0) k.state.mach.ports[old]!.sendRights--;
      host.specialPorts[f.a0] = portId;
      f.r = KERN_SUCCESS;
      for (const hook of hostSpecialPortHooks) hook(k, t.machine, f.a0, portId);
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// IOKit: a driver registers a service; user space opens a user client (io_connect) on it.

const iokitRegisterSteps: (readonly [string, KernelStep])[] = [
  [
    'IOService::registerService',
    (k, t, f) => {
      // a0/a1 the name, a2 the method routine's entry address.
      const name = copyinName(k, t, f.a0, f.a1);
      if (name === null) return fail(f, R.MACH_SEND_INVALID_DATA);
      const routine = (f.a2 - routineEntryAddress(0)) / (routineEntryAddress(1) - routineEntryAddress(0));
      if (!Number.isInteger(routine) || routine < 0 || routine >= k.compiled.routines.length) return fail(f, KERN_INVALID_ARGUMENT);
      const host = hostOf(k, t.machine);
      if (ownValue(host.registry, name) !== undefined) return fail(f, KERN_NAME_EXISTS);
      const mach = k.state.mach;
      const id = mach.services.length;
      const port = newPort(k, t.machine, `io_service ${name}`, C.IKOT_IOKIT_OBJECT, id);
      mach.services.push({ id, name, machine: t.machine, process: t.process, routine, port: port.id });
      host.registry[name] = id;
      f.r = KERN_SUCCESS;
      return DONE;
    },
  ],
];

const iokitOpenSteps: (readonly [string, KernelStep])[] = [
  [
    'IORegistryEntry::fromPath',
    (k, t, f) => {
      const name = copyinName(k, t, f.a0, f.a1);
      if (name === null) return fail(f, R.MACH_SEND_INVALID_DATA);
      const id = ownValue(hostOf(k, t.machine).registry, name);
      if (id === undefined) return fail(f, R.KERN_NOT_FOUND);
      f.v0 = id;
      return 1;
    },
  ],
  [
    'is_io_service_open_extended',
    (k, t, f) => {
      const mach = k.state.mach;
      const service = mach.services[f.v0]!;
      const id = mach.connects.length;
      const port = newPort(k, t.machine, `io_connect ${service.name} #${id}`, C.IKOT_IOKIT_CONNECT, id);
      mach.connects.push({ id, service: service.id, client: t.process, port: port.id });
      return sendRightResult(k, t, f, port);
    },
  ],
];

const iokitGetServiceSteps: (readonly [string, KernelStep])[] = [
  iokitOpenSteps[0]!,
  [
    'iokit_make_send_right',
    (k, t, f) => sendRightResult(k, t, f, k.state.mach.ports[k.state.mach.services[f.v0]!.port]!),
  ],
];

// ---------------------------------------------------------------------------------------------

function nameArgPrologue(index: number, rest: (k: Kernel, t: Thread, ins: Instruction, f: SyscallFrame) => void) {
  return (k: Kernel, t: Thread, ins: Instruction, f: SyscallFrame): void => {
    rest(k, t, ins, f);
    namePrologue(k, t, ins.arguments[index], f);
  };
}

export const MACH_SYSCALL_IMPLEMENTATIONS: readonly SyscallImplementation[] = [
  syscall('mach_port_allocate', 'mach_port_allocate', ['right'], allocateSteps, raw),
  syscall('mach_port_deallocate', 'mach_port_deallocate', ['name'], deallocateSteps, raw),
  syscall('mach_port_destroy', 'mach_port_destroy', ['name'], destroySteps, raw),
  syscall('mach_port_mod_refs', 'mach_port_mod_refs', ['name', 'right', 'delta'], modRefsSteps, raw),
  syscall('mach_port_insert_right', 'mach_port_insert_right', ['name', 'poly', 'polyPoly', 'task'], insertRightSteps, (k, t, ins, f) => {
    raw(k, t, ins, f);
    f.a3 = given(ins.arguments[3]) ? processIndexOf(k, f.a3) : -1;
  }),
  syscall('mach_port_move_member', 'mach_port_move_member', ['member', 'after'], moveMemberSteps, raw),
  syscall('mach_port_request_notification', 'mach_port_request_notification', ['name', 'notify', 'variant', 'notifyPoly'], requestNotificationSteps, (k, t, ins, f) => {
    raw(k, t, ins, f);
    if (!given(ins.arguments[2])) f.a2 = C.MACH_NOTIFY_DEAD_NAME;
    if (!given(ins.arguments[3])) f.a3 = MAKE_SEND_ONCE;
  }),
  syscall('mach_port_set_qlimit', 'mach_port_set_attributes', ['name', 'qlimit'], setQlimitSteps, raw),
  syscall('mach_port_set_kobject', 'ipc_kobject_set', ['name', 'type'], setKobjectSteps, raw),
  syscall('mach_msg', 'mach_msg_overwrite_trap', ['msg', 'option', 'rcv_name', 'timeout'], machMsgSteps, machMsgPrologue),
  syscall('mach_task_self', 'task_self_trap', [], taskSelfSteps, raw),
  syscall('mach_host_self', 'host_self_trap', [], hostSelfSteps, raw),
  syscall('bootstrap_register', 'bootstrap_register', ['name_ptr', 'name_len', 'port'], bootstrapRegisterSteps, nameArgPrologue(0, (k, _t, ins, f) => (f.a2 = value(k, ins.arguments[1], 0)))),
  syscall('bootstrap_look_up', 'bootstrap_look_up', ['name_ptr', 'name_len'], bootstrapLookUpSteps, nameArgPrologue(0, () => undefined)),
  syscall('host_get_special_port', 'host_get_special_port', ['which'], hostGetSpecialPortSteps, raw),
  syscall('host_set_special_port', 'host_set_special_port', ['which', 'port'], hostSetSpecialPortSteps, raw),
  syscall('iokit_register_service', 'IOService::registerService', ['name_ptr', 'name_len', 'routine'], iokitRegisterSteps, nameArgPrologue(0, (k, _t, ins, f) => (f.a2 = value(k, ins.arguments[1], 0)))),
  syscall('iokit_open', 'io_service_open_extended', ['name_ptr', 'name_len'], iokitOpenSteps, nameArgPrologue(0, () => undefined)),
  syscall('iokit_get_service', 'io_service_get_matching_service', ['name_ptr', 'name_len'], iokitGetServiceSteps, nameArgPrologue(0, () => undefined)),
  syscall('iokit_return', 'IOUserClient::externalMethod', ['value', 'count'], iokitReturnSteps, iokitReturnPrologue),
  syscall('ipc_port_release_send', 'ipc_port_release_send', ['port'], releaseSendSteps, raw),
  syscall('vm_map_copyout', 'vm_map_copyout', ['copy'], vmMapCopyoutSteps, raw),
  syscall('vm_map_copy_discard', 'vm_map_copy_discard', ['copy'], vmMapCopyDiscardSteps, raw),
];

/** A `process` argument evaluates to a group id; the Mach space is indexed by process. */
function processIndexOf(k: Kernel, group: number): number {
  const g = k.state.groups[group];
  return g ? g.process : -1;
}

