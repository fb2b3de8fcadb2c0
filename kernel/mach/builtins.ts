// Mach builtins (user mode): accessors for the last received message, and kernel-state queries
// for tests. In a driver method served passively (ipc_kobject_server), the message accessors read
// the uncooked kernel message instead, and ports appear as naked references, not names.

import type { Evaluator, ExecContext, ExpressionCompiler } from '../compile';
import type { Expression } from '../program';
import { HEADER_SIZE, MSGH_BITS_COMPLEX, NAKED_BASE, PORT_DESCRIPTOR_SIZE, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE, isNameShape, readWord } from './ipc';
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

/** Where the inline data starts: after the header, and the body count and port descriptors of a complex message. */
function dataOffset(cx: ExecContext, base: number): number {
  const bits = cx.loadInt(base, 4, false);
  return bits >= MSGH_BITS_COMPLEX ? HEADER_SIZE + 4 + PORT_DESCRIPTOR_SIZE * cx.loadInt(base + HEADER_SIZE, 4, false) : HEADER_SIZE;
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
          return id === undefined || id === 0 ? 0 : NAKED_BASE + id;
        }
        const base = buffer(cx);
        if (base < 0) return 0;
        const bits = cx.loadInt(base, 4, false);
        const count = bits >= MSGH_BITS_COMPLEX ? cx.loadInt(base + HEADER_SIZE, 4, false) : 0;
        if (i < 0 || i >= count) return 0;
        return cx.loadInt(base + HEADER_SIZE + 4 + PORT_DESCRIPTOR_SIZE * i, 4, false);
      };
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
