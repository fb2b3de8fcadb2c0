// The user-space runtime (user mode, like ChCore's libchcore IPC wrappers): it turns a scenario
// statement's arguments into raw syscall arguments, writing `client_shm_config` on the stack and
// `ipc_msg` into the connection's shared memory through the thread's own mappings (which costs
// cycles and can fault like any user access).

import type { CompiledArgument, Instruction } from './compile';
import { IPC_MSG_HEADER_SIZE } from './constants';
import type { Kernel } from './kernel';
import type { SyscallFrame, Thread } from './state';

let buffer = new Uint8Array(4096);
let view = new DataView(buffer.buffer);

function ensure(size: number): void {
  if (buffer.length >= size) return;
  buffer = new Uint8Array(Math.max(size, buffer.length * 2));
  view = new DataView(buffer.buffer);
}

function value(kernel: Kernel, argument: CompiledArgument | null | undefined, fallback: number): number {
  return argument && argument.value ? argument.value(kernel) : fallback;
}

/** Raw arguments in the order given: a0, a1, ... from the spec's parameters. */
export function rawPrologue(kernel: Kernel, _thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  frame.a0 = value(kernel, args[0], 0);
  frame.a1 = value(kernel, args[1], 0);
  frame.a2 = value(kernel, args[2], 0);
  frame.a3 = value(kernel, args[3], 0);
}

/** `register_server(register_thread, routine, destructor)` → `sys_register_server(ipc_routine, register_thread_cap, destructor)`. */
export function registerServerPrologue(kernel: Kernel, _thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  frame.a1 = value(kernel, args[0], 0);
  frame.a0 = value(kernel, args[1], 0);
  frame.a2 = value(kernel, args[2], 0);
}

/**
 * `register_client(server, shm, addr)`: writes `struct client_shm_config { cap_t shm_cap;
 * unsigned long shm_addr; }` (16 bytes: i32, 4 bytes padding, u64) just below the stack pointer
 * and passes its address. The raw form `config:` passes a pointer as is.
 */
export function registerClientPrologue(kernel: Kernel, thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  frame.a0 = value(kernel, args[0], 0);
  const config = args[3];
  if (config && config.value) {
    frame.a1 = config.value(kernel);
    frame.a2 = -1;
    return;
  }
  const shm = value(kernel, args[1], 0);
  const address = value(kernel, args[2], 0);
  if (kernel.faultAddress >= 0) return;
  const pointer = thread.sp - 16;
  view.setInt32(0, shm | 0, true);
  view.setUint32(4, 0, true);
  view.setUint32(8, address % 0x1_0000_0000 >>> 0, true);
  view.setUint32(12, Math.floor(address / 0x1_0000_0000) >>> 0, true);
  kernel.writeBytesAs(pointer, buffer, 16, 'runtime');
  frame.a1 = pointer;
  // Runtime bookkeeping (not a syscall argument): where the shm will be mapped.
  frame.a2 = address;
}

/** On success, the runtime remembers where this connection's shared memory is mapped. */
export function registerClientEpilogue(kernel: Kernel, thread: Thread, result: number): void {
  if (result < 0) return;
  const f = thread.kernel;
  let address = f.a2;
  if (address < 0) {
    // Raw form: read shm_addr back from the config the caller built.
    const saved = kernel.thread;
    kernel.thread = thread;
    const faultBefore = kernel.faultAddress;
    address = kernel.loadInt(f.a1 + 8, 8, false);
    kernel.faultAddress = faultBefore;
    kernel.thread = saved;
  }
  kernel.state.connShm[thread.process]![result] = address;
}

/** `ipc_register_cb_return(handler, server_shm, exit_routine)` → `(handler_cap, exit_routine, server_shm_addr)`. */
export function registerCallbackReturnPrologue(kernel: Kernel, _thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  frame.a0 = value(kernel, args[0], 0);
  frame.a2 = value(kernel, args[1], 0);
  frame.a1 = value(kernel, args[2], 0);
}

/**
 * `ipc_call(conn, data, caps)`: builds the `ipc_msg` at the start of the connection's client
 * shm: header `{data_len, cap_slot_number, data_offset = 16, cap_slots_offset}` (u32 LE), the
 * data (integers as 8-byte LE words, byte strings raw), then the capability slots (4-byte,
 * 4-aligned after the data). Raw form `msg:` / `cap_num:` passes through. A connection the
 * runtime did not register has no known shm: the message pointer is NULL.
 */
export function ipcCallPrologue(kernel: Kernel, thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  const conn = value(kernel, args[0], 0);
  frame.a0 = conn;
  const data = args[1];
  const caps = args[2];
  const rawMessage = args[3];
  const rawCapNum = args[4];
  if (rawMessage && rawMessage.value) {
    frame.a1 = rawMessage.value(kernel);
    frame.a2 = value(kernel, rawCapNum, 0);
    return;
  }
  const capCount = caps && caps.items ? caps.items.length : 0;
  frame.a2 = rawCapNum && rawCapNum.value ? rawCapNum.value(kernel) : capCount;
  const known = kernel.state.connShm[thread.process]![conn];
  if (known === undefined || known < 0) {
    frame.a1 = 0;
    return;
  }
  let length = IPC_MSG_HEADER_SIZE;
  const items = data && data.items ? data.items : null;
  if (items !== null) {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (typeof item === 'function') {
        ensure(length + 8);
        const v = item(kernel);
        const high = Math.floor(v / 0x1_0000_0000);
        view.setUint32(length, (v - high * 0x1_0000_0000) >>> 0, true);
        view.setUint32(length + 4, high >>> 0, true);
        length += 8;
      } else {
        ensure(length + item.length);
        buffer.set(item, length);
        length += item.length;
      }
    }
  }
  const dataLength = length - IPC_MSG_HEADER_SIZE;
  const capsOffset = (length + 3) & ~3;
  ensure(capsOffset + 4 * capCount);
  for (let i = length; i < capsOffset; i++) buffer[i] = 0;
  if (capCount > 0) {
    const items = caps!.items!;
    for (let i = 0; i < capCount; i++) {
      const item = items[i]!;
      view.setInt32(capsOffset + 4 * i, typeof item === 'function' ? item(kernel) | 0 : 0, true);
    }
  }
  view.setUint32(0, dataLength, true);
  view.setUint32(4, capCount, true);
  view.setUint32(8, IPC_MSG_HEADER_SIZE, true);
  view.setUint32(12, capsOffset, true);
  if (kernel.faultAddress >= 0) return;
  kernel.writeBytesAs(known, buffer, capsOffset + 4 * capCount, 'runtime');
  frame.a1 = known;
}

/**
 * `ipc_return(value, caps)`: writes the capability numbers into the slots of the message being
 * served (the handler's arg0 at entry), updates its `cap_slot_number`, and passes `cap_num`.
 * Raw form `cap_num:` passes through.
 */
export function ipcReturnPrologue(kernel: Kernel, thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  frame.a0 = value(kernel, args[0], 0);
  const caps = args[1];
  const rawCapNum = args[2];
  if (!(caps && caps.items)) {
    frame.a1 = value(kernel, rawCapNum, 0);
    return;
  }
  const items = caps.items;
  const message = thread.entryArg0;
  const capsOffset = kernel.loadInt(message + 12, 4, false);
  if (kernel.faultAddress >= 0) return;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    view.setInt32(4 * i, typeof item === 'function' ? item(kernel) | 0 : 0, true);
  }
  if (items.length > 0) kernel.writeBytesAs(message + capsOffset, buffer, 4 * items.length, 'runtime');
  kernel.storeInt(message + 4, 4, items.length);
  frame.a1 = items.length;
}
