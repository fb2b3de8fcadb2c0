// Mach builtins (user mode): accessors for the last received message, and kernel-state queries
// for tests. In a driver method served passively (ipc_kobject_server), the message accessors read
// the uncooked kernel message instead, and ports appear as naked references, not names.

import type { Evaluator, ExecContext, ExpressionCompiler } from '../compile';
import type { Expression } from '../program';
import { COPY_BASE, DESC_OOL, DESCRIPTOR_TYPE_OFFSET, HEADER_SIZE, MSGH_BITS_COMPLEX, NAKED_BASE, OOL_DESCRIPTOR_SIZE, PORT_DESCRIPTOR_SIZE, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE, isNameShape, readWord } from './ipc';
import type { MachEntry, MachMessage, MachState } from './state';

export type BuiltinCompiler = (args: readonly Expression[], owner: number, compiler: ExpressionCompiler) => Evaluator;

const zero: Evaluator = () => 0;

function argument(args: readonly Expression[], i: number, owner: number, compiler: ExpressionCompiler): Evaluator {
  return args[i] ? compiler.compile(args[i]!, owner) : zero;
}

/** The uncooked message a driver method on this thread is serving, or null. */
function passiveMessage(cx: ExecContext): MachMessage | null {
  const mt = cx.state.mach.threads[cx.thread.id];
  if (!mt || mt.passiveDepth === 0 || mt.passiveMessage < 0) return null;
  return cx.state.mach.messages[mt.passiveMessage] ?? null;
}

/** The address of the thread's last received message; faults if none. */
function buffer(cx: ExecContext): number {
  const mt = cx.state.mach.threads[cx.thread.id];
  if (!mt || mt.receiveBuffer < 0) {
    cx.userFault('no Mach message has been received on this thread', 0);
    return -1;
  }
  return mt.receiveBuffer;
}

function entryOf(cx: ExecContext, process: number, name: number): MachEntry | null {
  const space = cx.state.mach.spaces[process];
  if (!space) return null;
  const index = name >>> 8;
  const entry = index > 0 && index < space.entries.length ? space.entries[index]! : null;
  return entry !== null && entry.name === name ? entry : null;
}

/** The port a name in the caller's space denotes (send, receive or send-once), or null. */
function portOf(cx: ExecContext, name: number) {
  const entry = entryOf(cx, cx.thread.process, name);
  if (entry === null || (entry.type & (TYPE_SEND | TYPE_RECEIVE | TYPE_SEND_ONCE)) === 0) return null;
  return (cx.state.mach as MachState).ports[entry.object] ?? null;
}

/** Size of the descriptor at `at` in a received message (16 for OOL memory, 12 for a port). */
function descriptorSize(cx: ExecContext, at: number): number {
  return cx.loadInt(at + DESCRIPTOR_TYPE_OFFSET, 1, false) === 1 ? OOL_DESCRIPTOR_SIZE : PORT_DESCRIPTOR_SIZE;
}

/** Where the inline data starts: after the header, and the body count and descriptors of a complex message. */
function dataOffset(cx: ExecContext, base: number): number {
  const bits = cx.loadInt(base, 4, false);
  if (bits < MSGH_BITS_COMPLEX) return HEADER_SIZE;
  const count = cx.loadInt(base + HEADER_SIZE, 4, false);
  let offset = HEADER_SIZE + 4;
  for (let i = 0; i < count; i++) offset += descriptorSize(cx, base + offset);
  return offset;
}

/** Offset of the index-th descriptor (`ool`: the index-th OOL memory descriptor) of a received message, or -1. */
function descriptorOffset(cx: ExecContext, base: number, index: number, ool: boolean): number {
  const bits = cx.loadInt(base, 4, false);
  if (bits < MSGH_BITS_COMPLEX || index < 0) return -1;
  const count = cx.loadInt(base + HEADER_SIZE, 4, false);
  let offset = HEADER_SIZE + 4;
  let seen = 0;
  for (let i = 0; i < count; i++) {
    const size = descriptorSize(cx, base + offset);
    if (!ool || size === OOL_DESCRIPTOR_SIZE) {
      if (seen === index) return offset;
      seen++;
    }
    offset += size;
  }
  return -1;
}

/** The vm_map_copy id of the index-th OOL descriptor of an uncooked message (0 if none or consumed). */
function passiveCopy(message: MachMessage, index: number): number {
  let seen = 0;
  for (let i = 0; i < message.ports.length; i++) {
    if (message.portTypes[i] !== DESC_OOL) continue;
    if (seen++ === index) return message.ports[i]!;
  }
  return 0;
}

function passiveOolCount(message: MachMessage): number {
  let n = 0;
  for (let i = 0; i < message.portTypes.length; i++) if (message.portTypes[i] === DESC_OOL) n++;
  return n;
}

export const MACH_BUILTIN_COMPILERS: ReadonlyMap<string, BuiltinCompiler> = new Map<string, BuiltinCompiler>([
  [
    'mach_msg_id',
    () => (cx) => {
      const passive = passiveMessage(cx);
      if (passive) return passive.msgId;
      const base = buffer(cx);
      return base < 0 ? 0 : cx.loadInt(base + 20, 4, true);
    },
  ],
  [
    'mach_msg_data',
    (args, owner, c) => {
      const index = argument(args, 0, owner, c);
      return (cx) => {
        const i = index(cx);
        const passive = passiveMessage(cx);
        if (passive) return readWord(passive, i);
        const base = buffer(cx);
        if (base < 0) return 0;
        // msgh_bits and msgh_size in one 8-byte load.
        const head = cx.loadInt(base, 8, false);
        const size = Math.floor(head / 0x1_0000_0000);
        const offset = head % 0x1_0000_0000 >= MSGH_BITS_COMPLEX ? dataOffset(cx, base) : HEADER_SIZE;
        if (i < 0 || offset + 8 * i + 8 > size) return 0;
        // A signed 64-bit word (exact within 2^53), so that negative codes such as MIG_BAD_ID read back.
        const at = base + offset + 8 * i;
        const low = cx.loadInt(at, 4, false);
        return cx.loadInt(at + 4, 4, true) * 0x1_0000_0000 + low;
      };
    },
  ],
  [
    'mach_msg_port_count',
    () => (cx) => {
      const passive = passiveMessage(cx);
      if (passive) return passive.ports.length;
      const base = buffer(cx);
      if (base < 0) return 0;
      const bits = cx.loadInt(base, 4, false);
      return bits >= MSGH_BITS_COMPLEX ? cx.loadInt(base + HEADER_SIZE, 4, false) : 0;
    },
  ],
  [
    'mach_msg_port',
    (args, owner, c) => {
      const index = argument(args, 0, owner, c);
      return (cx) => {
        const i = index(cx);
        const passive = passiveMessage(cx);
        if (passive) {
          const id = passive.ports[i];
          return id === undefined || id === 0 || passive.portTypes[i] === DESC_OOL ? 0 : NAKED_BASE + id;
        }
        const base = buffer(cx);
        if (base < 0) return 0;
        const at = descriptorOffset(cx, base, i, false);
        if (at < 0 || cx.loadInt(base + at + DESCRIPTOR_TYPE_OFFSET, 1, false) !== 0) return 0;
        return cx.loadInt(base + at, 4, false);
      };
    },
  ],
  [
    'mach_msg_ool_count',
    () => (cx) => {
      const passive = passiveMessage(cx);
      if (passive) return passiveOolCount(passive);
      const base = buffer(cx);
      if (base < 0) return 0;
      let n = 0;
      while (descriptorOffset(cx, base, n, true) >= 0) n++;
      return n;
    },
  ],
  [
    'mach_msg_ool_addr',
    (args, owner, c) => {
      const index = argument(args, 0, owner, c);
      return (cx) => {
        const i = index(cx);
        const passive = passiveMessage(cx);
        if (passive) {
          // Uncooked (MR-PAS-04): the descriptor's address field holds the vm_map_copy itself, a
          // kernel pointer; nothing is mapped until vm_map_copyout.
          const id = passiveCopy(passive, i);
          return id === 0 ? 0 : COPY_BASE + id;
        }
        const base = buffer(cx);
        const at = base < 0 ? -1 : descriptorOffset(cx, base, i, true);
        return at < 0 ? 0 : cx.loadInt(base + at, 8, false);
      };
    },
  ],
  [
    'mach_msg_ool_size',
    (args, owner, c) => {
      const index = argument(args, 0, owner, c);
      return (cx) => {
        const i = index(cx);
        const passive = passiveMessage(cx);
        if (passive) {
          const id = passiveCopy(passive, i);
          return id === 0 ? 0 : cx.state.mach.copies[id]!.size;
        }
        const base = buffer(cx);
        const at = base < 0 ? -1 : descriptorOffset(cx, base, i, true);
        return at < 0 ? 0 : cx.loadInt(base + at + 12, 4, false);
      };
    },
  ],
  [
    'mach_vm_copies',
    () => (cx) => {
      const copies = cx.state.mach.copies;
      let n = 0;
      for (let i = 1; i < copies.length; i++) if (copies[i]!.inUse) n++;
      return n;
    },
  ],
  [
    'mach_msg_reply_port',
    () => (cx) => {
      const passive = passiveMessage(cx);
      if (passive) return passive.localPort !== 0 && passive.localType !== 0 ? NAKED_BASE + passive.localPort : 0;
      const base = buffer(cx);
      return base < 0 ? 0 : cx.loadInt(base + 8, 4, false);
    },
  ],
  [
    'mach_port_type',
    (args, owner, c) => {
      const name = argument(args, 0, owner, c);
      return (cx) => {
        const entry = entryOf(cx, cx.thread.process, name(cx));
        if (entry === null) return 0;
        // A send right to a dead port reads as a dead name (as mach_port_type reports it).
        if ((entry.type & (TYPE_SEND | TYPE_SEND_ONCE)) !== 0 && !cx.state.mach.ports[entry.object]!.active) return 0x10_0000;
        return entry.type;
      };
    },
  ],
  [
    'mach_port_refs',
    (args, owner, c) => {
      const name = argument(args, 0, owner, c);
      const right = argument(args, 1, owner, c);
      return (cx) => {
        const entry = entryOf(cx, cx.thread.process, name(cx));
        if (entry === null) return 0;
        const r = right(cx);
        const bit = 1 << (16 + r);
        if (r < 0 || r > 4) return 0;
        const dead = (entry.type & (TYPE_SEND | TYPE_SEND_ONCE)) !== 0 && !cx.state.mach.ports[entry.object]!.active;
        const type = dead ? 0x10_0000 : entry.type;
        if ((type & bit) === 0) return 0;
        return r === 0 || r === 4 ? entry.urefs : 1;
      };
    },
  ],
  [
    'mach_port_msgcount',
    (args, owner, c) => {
      const name = argument(args, 0, owner, c);
      return (cx) => portOf(cx, name(cx))?.queue.length ?? 0;
    },
  ],
  [
    'mach_port_seqno',
    (args, owner, c) => {
      const name = argument(args, 0, owner, c);
      return (cx) => portOf(cx, name(cx))?.seqno ?? 0;
    },
  ],
  [
    'mach_port_srights',
    (args, owner, c) => {
      const name = argument(args, 0, owner, c);
      return (cx) => portOf(cx, name(cx))?.sendRights ?? 0;
    },
  ],
  [
    'mach_port_names',
    (args, owner, c) => {
      const process = args[0] ? c.compileIdentity(args[0], owner, false) : zero;
      return (cx) => {
        const group = cx.state.groups[process(cx)];
        const space = group ? cx.state.mach.spaces[group.process] : null;
        return space ? space.count : 0;
      };
    },
  ],
  [
    'mach_port_valid',
    (args, owner, c) => {
      const v = argument(args, 0, owner, c);
      return (cx) => (isNameShape(v(cx)) ? 1 : 0);
    },
  ],
]);
