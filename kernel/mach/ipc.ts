// Mach ports, rights and messages over the plain-data MachState: IPC spaces (names, generations,
// user references), right copyin/copyout by disposition, port death with dead names and dead-name
// notifications, message queues with a limit, port sets, and delivery (hand-off to a waiting
// receiver, else enqueue). Behaviour follows XNU's osfmk/ipc (outside the seeds); the seed
// mach-rpc-kext-mail.txt only describes the two ways RPC reaches the kernel (see syscalls.ts).

import { KBASE, MachConstant, MachReturn, PAGE_SIZE } from '../constants';
import type { Kernel } from '../kernel';
import { findVmr, mapPmo, readUser, roundDownToPage, roundUpToPage } from '../memory';
import type { Thread } from '../state';
import type { MachEntry, MachHost, MachMessage, MachPort, MachPortSet, MachSpace, MachState, MachThread, MachVmCopy } from './state';

export const TYPE_SEND = MachConstant.MACH_PORT_TYPE_SEND;
export const TYPE_RECEIVE = MachConstant.MACH_PORT_TYPE_RECEIVE;
export const TYPE_SEND_ONCE = MachConstant.MACH_PORT_TYPE_SEND_ONCE;
export const TYPE_PORT_SET = MachConstant.MACH_PORT_TYPE_PORT_SET;
export const TYPE_DEAD_NAME = MachConstant.MACH_PORT_TYPE_DEAD_NAME;

export const MOVE_RECEIVE = 16;
export const MOVE_SEND = 17;
export const MOVE_SEND_ONCE = 18;
export const COPY_SEND = 19;
export const MAKE_SEND = 20;
export const MAKE_SEND_ONCE = 21;
/** Carried right types after copyin (`MACH_MSG_TYPE_PORT_*`). */
export const PORT_RECEIVE = 16;
export const PORT_SEND = 17;
export const PORT_SEND_ONCE = 18;

export const PORT_NULL = 0;
export const PORT_DEAD = 0xffff_ffff;
export const UREFS_MAX = MachConstant.MACH_PORT_UREFS_MAX;
export const QLIMIT_DEFAULT = MachConstant.MACH_PORT_QLIMIT_DEFAULT;
export const QLIMIT_MAX = MachConstant.MACH_PORT_QLIMIT_MAX;
export const MSGH_BITS_COMPLEX = 0x8000_0000;
/** `sizeof(mach_msg_header_t)`, the body count, one port descriptor. */
export const HEADER_SIZE = 24;
export const BODY_SIZE = 4;
export const PORT_DESCRIPTOR_SIZE = 12;
/** `sizeof(mach_msg_ool_descriptor64_t)`: address (u64), deallocate, copy, pad, type (u8 each), size (u32). */
export const OOL_DESCRIPTOR_SIZE = 16;
/** The type byte's offset in every descriptor (the last byte of the first 12). */
export const DESCRIPTOR_TYPE_OFFSET = 11;
/** `MachMessage.portTypes` value of an OOL memory descriptor (`MACH_MSG_OOL_DESCRIPTOR << 8`); its `ports` slot holds the MachVmCopy id. */
export const DESC_OOL = MachConstant.MACH_MSG_OOL_DESCRIPTOR << 8;
/** A passive server sees a vm_map_copy as a naked kernel pointer: COPY_BASE + copy id (never mapped, never a name). */
export const COPY_BASE = KBASE + 0x100_0000_0000;
/** Where vm_map_copyout starts looking for a free range in the receiver's address space ("anywhere"). */
export const OOL_MAP_BASE = 0x1_0000_0000;
/** The largest message the emulator accepts (XNU allows far more; see docs/syscalls/mach_msg.md). */
export const MACH_MSG_SIZE_MAX = 4096;
/** First generation of a name and the step between generations (names are ≡ 3 mod 4). */
const GENERATION_FIRST = 3;
const GENERATION_STEP = 4;

export const R = MachReturn;
/** Naked port references (passive kobject servers) are shown to driver code as NAKED_BASE + port id: kernel addresses, never names. */
export const NAKED_BASE = KBASE;

/** True when `name` has the shape of a port name: index ≥ 1 and a generation ≡ 3 (mod 4). */
export function isNameShape(value: number): boolean {
  return value >= 0x103 && value < 0x0100_0000 && (value & 3) === 3;
}

export function machOf(k: Kernel): MachState {
  return k.state.mach;
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
export { own as ownValue };

// ---------------------------------------------------------------------------------------------
// Spaces and entries

export function spaceOf(k: Kernel, process: number): MachSpace {
  const m = k.state.mach;
  let space = m.spaces[process];
  if (space === undefined || space === null) {
    while (m.spaces.length <= process) m.spaces.push(null);
    space = {
      process,
      name: k.program.processes[process]?.name ?? `process${process}`,
      entries: [null],
      generations: [0],
      freeIndices: [],
      sendNames: {},
      count: 0,
      taskPort: 0,
    };
    m.spaces[process] = space;
  }
  return space;
}

export function machThread(k: Kernel, t: Thread): MachThread {
  const m = k.state.mach;
  let mt = m.threads[t.id];
  if (mt === undefined || mt === null) {
    while (m.threads.length <= t.id) m.threads.push(null);
    mt = { thread: t.id, receiveBuffer: -1, deadline: -1, passiveMessage: -1, passiveStack: [], passiveDepth: 0, replyWords: [] };
    m.threads[t.id] = mt;
  }
  return mt;
}

export function hostOf(k: Kernel, machine: number): MachHost {
  const m = k.state.mach;
  let host = m.hosts[machine];
  if (host === undefined || host === null) {
    while (m.hosts.length <= machine) m.hosts.push(null);
    host = { machine, specialPorts: [], bootstrap: {}, registry: {} };
    m.hosts[machine] = host;
  }
  return host;
}

/** The entry a name denotes, or null. A send or send-once right to a dead port turns into a dead name here (XNU's ipc_right_check). */
export function lookup(k: Kernel, space: MachSpace, name: number): MachEntry | null {
  const index = name >>> 8;
  if (index === 0 || index >= space.entries.length) return null;
  const entry = space.entries[index]!;
  if (entry === null || entry.name !== name) return null;
  if ((entry.type & (TYPE_SEND | TYPE_SEND_ONCE)) !== 0) {
    const port = k.state.mach.ports[entry.object]!;
    if (!port.active) becomeDeadName(k, space, entry);
  }
  return entry;
}

function becomeDeadName(k: Kernel, space: MachSpace, entry: MachEntry): void {
  const port = k.state.mach.ports[entry.object]!;
  if ((entry.type & TYPE_SEND) !== 0) {
    port.sendRights--;
    delete space.sendNames[entry.object];
  } else {
    port.sendOnceRights--;
    entry.urefs = 1;
  }
  entry.type = TYPE_DEAD_NAME;
  if (k.record) rightEvent(k, space, entry, port, 'dead-name');
}

/** Allocates a name for new rights; -1 when the space is full (KERN_NO_SPACE). `wanted` picks the name (insert_right). */
export function allocEntry(k: Kernel, space: MachSpace, type: number, object: number, urefs: number, wanted = 0): number {
  let index: number;
  let generation: number;
  if (wanted !== 0) {
    index = wanted >>> 8;
    generation = wanted & 0xff;
    while (space.entries.length <= index) {
      space.freeIndices.unshift(space.entries.length);
      space.entries.push(null);
      space.generations.push(GENERATION_FIRST);
    }
    const at = space.freeIndices.indexOf(index);
    if (at >= 0) space.freeIndices.splice(at, 1);
  } else if (space.freeIndices.length > 0) {
    index = space.freeIndices.pop()!;
    generation = space.generations[index]!;
  } else {
    index = space.entries.length;
    if (index >= k.capTableSize) return -1;
    space.entries.push(null);
    space.generations.push(GENERATION_FIRST);
    generation = GENERATION_FIRST;
  }
  const name = ((index << 8) | generation) >>> 0;
  space.entries[index] = { name, type, object, urefs };
  space.count++;
  if ((type & TYPE_SEND) !== 0) space.sendNames[object] = index;
  return name;
}

/** Frees a name; the next allocation of its index gets the next generation. */
export function freeEntry(space: MachSpace, entry: MachEntry): void {
  const index = entry.name >>> 8;
  if ((entry.type & TYPE_SEND) !== 0) delete space.sendNames[entry.object];
  space.entries[index] = null;
  space.generations[index] = ((entry.name & 0xff) + GENERATION_STEP) & 0xff;
  space.freeIndices.push(index);
  space.count--;
}

// ---------------------------------------------------------------------------------------------
// Ports and port sets

export function newPort(k: Kernel, machine: number, label: string, kobjectType = 0, kobject = 0): MachPort {
  const ports = k.state.mach.ports;
  const port: MachPort = {
    id: ports.length,
    label,
    machine,
    active: true,
    receiverProcess: -1,
    receiverName: 0,
    queue: [],
    queueLimit: QLIMIT_DEFAULT,
    seqno: 0,
    portSet: 0,
    receivers: [],
    blockedSenders: [],
    kobjectType,
    kobject,
    sendRights: 0,
    sendOnceRights: 0,
    deadNameRequests: [],
  };
  ports.push(port);
  return port;
}

export function newPortSet(k: Kernel, process: number, label: string): MachPortSet {
  const sets = k.state.mach.portSets;
  const set: MachPortSet = { id: sets.length, label, active: true, process, members: [], receivers: [] };
  sets.push(set);
  return set;
}

/** Adds a send right for `port` to `space` (merging with an existing name for it); the name, or negative when full. */
export function addSendRight(k: Kernel, space: MachSpace, port: MachPort, reason: string): number {
  const existing = space.sendNames[port.id];
  if (existing !== undefined) {
    const entry = space.entries[existing]!;
    if (entry.urefs < UREFS_MAX) entry.urefs++;
    port.sendRights--; // the right merges into the name's single send right
    if (k.record) rightEvent(k, space, entry, port, reason);
    return entry.name;
  }
  if (port.receiverProcess === space.process && port.receiverName !== 0) {
    const entry = space.entries[port.receiverName >>> 8]!;
    entry.type |= TYPE_SEND;
    entry.urefs = 1;
    space.sendNames[port.id] = port.receiverName >>> 8;
    if (k.record) rightEvent(k, space, entry, port, reason);
    return entry.name;
  }
  const name = allocEntry(k, space, TYPE_SEND, port.id, 1);
  if (name > 0 && k.record) rightEvent(k, space, space.entries[name >>> 8]!, port, reason);
  return name;
}

/** Removes one user reference of a send right (the name's send right goes when they reach 0). */
export function dropSendUref(k: Kernel, space: MachSpace, entry: MachEntry, port: MachPort, reason: string): void {
  if (--entry.urefs > 0) {
    if (k.record) rightEvent(k, space, entry, port, reason);
    return;
  }
  port.sendRights--;
  removeSendBit(k, space, entry, port, reason);
}

function removeSendBit(k: Kernel, space: MachSpace, entry: MachEntry, port: MachPort, reason: string): void {
  delete space.sendNames[entry.object];
  entry.type &= ~TYPE_SEND;
  entry.urefs = 0;
  if (k.record) rightEvent(k, space, entry, port, reason);
  if (entry.type === 0) freeEntry(space, entry);
}

/** Releases a right that is not named anywhere (carried by a destroyed message, or a naked reference). */
export function releaseRight(k: Kernel, portId: number, type: number): void {
  if (portId === 0) return;
  if (type === DESC_OOL) {
    releaseCopy(k, portId);
    return;
  }
  const port = k.state.mach.ports[portId]!;
  if (type === PORT_SEND) port.sendRights--;
  else if (type === PORT_SEND_ONCE) port.sendOnceRights--;
  else if (type === PORT_RECEIVE) destroyPort(k, port);
}

/**
 * Port death (`ipc_port_destroy`): the port goes inactive, queued messages are destroyed, receivers
 * get MACH_RCV_PORT_DIED, blocked senders MACH_SEND_INVALID_DEST, the port leaves its set, and each
 * dead-name request sends a MACH_NOTIFY_DEAD_NAME message. Send rights become dead names lazily.
 */
export function destroyPort(k: Kernel, port: MachPort): void {
  if (!port.active) return;
  port.active = false;
  if (port.receiverProcess >= 0) {
    const space = spaceOf(k, port.receiverProcess);
    const entry = space.entries[port.receiverName >>> 8];
    if (entry && entry.object === port.id && (entry.type & TYPE_RECEIVE) !== 0) {
      entry.type &= ~TYPE_RECEIVE;
      if ((entry.type & TYPE_SEND) !== 0) {
        port.sendRights--;
        delete space.sendNames[port.id];
        entry.type = TYPE_DEAD_NAME;
        if (k.record) rightEvent(k, space, entry, port, 'dead-name');
      } else {
        if (k.record) rightEvent(k, space, { ...entry, type: 0 }, port, 'receive destroyed');
        freeEntry(space, entry);
      }
    }
  }
  port.receiverProcess = -1;
  port.receiverName = 0;
  if (port.portSet !== 0) removeFromSet(k, port);
  const mach = k.state.mach;
  while (port.queue.length > 0) destroyMessage(k, mach.messages[port.queue.shift()!]!, 'port died');
  while (port.receivers.length > 0) wakeReceiver(k, k.state.threads[port.receivers.shift()!]!, MachReturn.MACH_RCV_PORT_DIED, 0);
  while (port.blockedSenders.length > 0) wakeSender(k, k.state.threads[port.blockedSenders.shift()!]!, MachReturn.MACH_SEND_INVALID_DEST);
  const requests = port.deadNameRequests;
  for (let i = 0; i < requests.length; i += 3) {
    const process = requests[i]!;
    const name = requests[i + 1]!;
    const notify = mach.ports[requests[i + 2]!]!;
    const space = spaceOf(k, process);
    const entry = space.entries[name >>> 8];
    if (entry && entry.name === name && entry.object === port.id && notify.active) {
      const message = allocMessage(k);
      message.msgId = MachConstant.MACH_NOTIFY_DEAD_NAME;
      message.bits = MOVE_SEND_ONCE;
      message.remotePort = notify.id;
      message.remoteType = PORT_SEND_ONCE;
      writeWord(message, 0, name);
      message.dataLength = 8;
      if (k.record) messageEvent(k, null, 'notify', notify, message, `dead-name ${hexName(name)} in ${space.name}`);
      deliver(k, null, notify, message);
    } else {
      notify.sendOnceRights--; // the request was cancelled with its name
    }
  }
  port.deadNameRequests = [];
}

export function removeFromSet(k: Kernel, port: MachPort): void {
  const set = k.state.mach.portSets[port.portSet]!;
  const i = set.members.indexOf(port.id);
  if (i >= 0) set.members.splice(i, 1);
  port.portSet = 0;
}

export function destroyPortSet(k: Kernel, set: MachPortSet): void {
  set.active = false;
  const ports = k.state.mach.ports;
  for (const member of set.members) ports[member]!.portSet = 0;
  set.members = [];
  while (set.receivers.length > 0) wakeReceiver(k, k.state.threads[set.receivers.shift()!]!, MachReturn.MACH_RCV_PORT_DIED, 0);
}

// ---------------------------------------------------------------------------------------------
// Rights by disposition (ipc_object_copyin / ipc_object_copyout)

/**
 * Checks that `entry` holds what `disposition` needs; the error to return otherwise (0 if fine).
 * A dead name satisfies nothing.
 */
export function checkDisposition(entry: MachEntry | null, disposition: number, error: number): number {
  if (entry === null) return error;
  switch (disposition) {
    case MOVE_RECEIVE:
    case MAKE_SEND:
    case MAKE_SEND_ONCE:
      return (entry.type & TYPE_RECEIVE) !== 0 ? 0 : error;
    case MOVE_SEND:
    case COPY_SEND:
      return (entry.type & TYPE_SEND) !== 0 ? 0 : error;
    case MOVE_SEND_ONCE:
      return (entry.type & TYPE_SEND_ONCE) !== 0 ? 0 : error;
    default:
      return error;
  }
}

/** Takes the right `disposition` names out of `space` (already checked); returns the carried type. */
export function copyinRight(k: Kernel, space: MachSpace, entry: MachEntry, disposition: number): number {
  const port = k.state.mach.ports[entry.object]!;
  switch (disposition) {
    case MAKE_SEND:
    case COPY_SEND:
      port.sendRights++;
      return PORT_SEND;
    case MOVE_SEND:
      port.sendRights++; // the message's right...
      dropSendUref(k, space, entry, port, 'moved'); // ...and the name's loses a reference
      return PORT_SEND;
    case MAKE_SEND_ONCE:
      port.sendOnceRights++;
      return PORT_SEND_ONCE;
    case MOVE_SEND_ONCE:
      if (k.record) rightEvent(k, space, { ...entry, type: 0 }, port, 'moved');
      freeEntry(space, entry);
      return PORT_SEND_ONCE;
    default: {
      // MOVE_RECEIVE: the port is in transit; it leaves its set.
      entry.type &= ~TYPE_RECEIVE;
      port.receiverProcess = -1;
      port.receiverName = 0;
      if (port.portSet !== 0) removeFromSet(k, port);
      if (k.record) rightEvent(k, space, entry, port, 'receive moved');
      if (entry.type === 0) freeEntry(space, entry);
      return PORT_RECEIVE;
    }
  }
}

/** Names a carried right in `space` (ipc_object_copyout); MACH_PORT_DEAD for a dead port, MACH_PORT_NULL if the space is full. */
export function copyoutRight(k: Kernel, space: MachSpace, portId: number, type: number): number {
  if (portId === 0) return PORT_NULL;
  const port = k.state.mach.ports[portId]!;
  if (type === PORT_RECEIVE) {
    const sendIndex = space.sendNames[portId];
    let name: number;
    if (sendIndex !== undefined) {
      const entry = space.entries[sendIndex]!;
      entry.type |= TYPE_RECEIVE;
      name = entry.name;
    } else {
      name = allocEntry(k, space, TYPE_RECEIVE, portId, 0);
      if (name < 0) {
        destroyPort(k, port);
        return PORT_NULL;
      }
    }
    port.receiverProcess = space.process;
    port.receiverName = name;
    if (k.record) rightEvent(k, space, space.entries[name >>> 8]!, port, 'receive arrived');
    return name;
  }
  if (!port.active) {
    releaseRight(k, portId, type);
    return PORT_DEAD;
  }
  if (type === PORT_SEND) {
    const name = addSendRight(k, space, port, 'copyout');
    if (name < 0) {
      port.sendRights--;
      return PORT_NULL;
    }
    return name;
  }
  const name = allocEntry(k, space, TYPE_SEND_ONCE, portId, 1);
  if (name < 0) {
    port.sendOnceRights--;
    return PORT_NULL;
  }
  if (k.record) rightEvent(k, space, space.entries[name >>> 8]!, port, 'copyout');
  return name;
}

// ---------------------------------------------------------------------------------------------
// Messages

export function allocMessage(k: Kernel): MachMessage {
  const m = k.state.mach;
  let message: MachMessage;
  if (m.freeMessages.length > 0) {
    message = m.messages[m.freeMessages.pop()!]!;
  } else {
    message = {
      id: m.messages.length,
      inUse: false,
      bits: 0,
      msgId: 0,
      remotePort: 0,
      remoteType: 0,
      localPort: 0,
      localType: 0,
      ports: [],
      portTypes: [],
      data: new Uint8Array(64),
      dataLength: 0,
      sender: 0,
    };
    m.messages.push(message);
  }
  message.inUse = true;
  message.bits = 0;
  message.msgId = 0;
  message.remotePort = 0;
  message.remoteType = 0;
  message.localPort = 0;
  message.localType = 0;
  if (message.ports.length !== 0) {
    message.ports.length = 0;
    message.portTypes.length = 0;
  }
  message.dataLength = 0;
  message.sender = 0;
  return message;
}

export function ensureData(message: MachMessage, length: number): Uint8Array {
  if (message.data.length < length) message.data = new Uint8Array(Math.max(length, message.data.length * 2));
  return message.data;
}

/** Writes an 8-byte little-endian word into a message's data (the message's data must be big enough). */
export function writeWord(message: MachMessage, index: number, value: number): void {
  const data = ensureData(message, 8 * index + 8);
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value - high * 0x1_0000_0000;
  const at = 8 * index;
  data[at] = low & 0xff;
  data[at + 1] = (low >>> 8) & 0xff;
  data[at + 2] = (low >>> 16) & 0xff;
  data[at + 3] = (low >>> 24) & 0xff;
  data[at + 4] = high & 0xff;
  data[at + 5] = (high >>> 8) & 0xff;
  data[at + 6] = (high >>> 16) & 0xff;
  data[at + 7] = (high >>> 24) & 0xff;
}

/** Reads an 8-byte word of a message's data (0 past the end). */
export function readWord(message: MachMessage, index: number): number {
  const at = 8 * index;
  if (index < 0 || at + 8 > message.dataLength) return 0;
  const d = message.data;
  const low = (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
  const high = (d[at + 4]! | (d[at + 5]! << 8) | (d[at + 6]! << 16) | (d[at + 7]! << 24)) | 0;
  return high * 0x1_0000_0000 + low;
}

/** Destroys a message and every right it carries (`ipc_kmsg_destroy`). */
export function destroyMessage(k: Kernel, message: MachMessage, why: string, keepBodyRights = false): void {
  if (!message.inUse) return;
  if (k.record && why !== '') {
    const port = k.state.mach.ports[message.remotePort];
    if (!keepBodyRights) for (let i = 0; i < message.ports.length; i++) if (message.portTypes[i] === DESC_OOL && message.ports[i] !== 0) oolEvent(k, null, 'ool-discard', message.ports[i]!, why);
    if (port) messageEvent(k, null, 'destroy', port, message, why);
  }
  if (message.remoteType !== 0) releaseRight(k, message.remotePort, message.remoteType);
  if (message.localType !== 0) releaseRight(k, message.localPort, message.localType);
  if (!keepBodyRights) for (let i = 0; i < message.ports.length; i++) releaseRight(k, message.ports[i]!, message.portTypes[i]!);
  freeMessage(k, message);
}

export function freeMessage(k: Kernel, message: MachMessage): void {
  message.inUse = false;
  message.remoteType = 0;
  message.localType = 0;
  if (message.ports.length !== 0) {
    // vm_map_copy objects still attached (a message freed before or instead of its copyout) go with it.
    for (let i = 0; i < message.ports.length; i++) if (message.portTypes[i] === DESC_OOL && message.ports[i] !== 0) releaseCopy(k, message.ports[i]!);
    message.ports.length = 0;
    message.portTypes.length = 0;
  }
  k.state.mach.freeMessages.push(message.id);
}

/** The first live thread waiting on `port` itself, else on its port set (killed waiters are dropped). */
function takeReceiver(k: Kernel, port: MachPort): Thread | null {
  while (port.receivers.length > 0) {
    const t = k.state.threads[port.receivers.shift()!]!;
    if (t.exitState === 0) return t;
  }
  if (port.portSet !== 0) {
    const set = k.state.mach.portSets[port.portSet]!;
    while (set.receivers.length > 0) {
      const t = k.state.threads[set.receivers.shift()!]!;
      if (t.exitState === 0) return t;
    }
  }
  return null;
}

/**
 * Delivers a copied-in message to an active, non-kobject port: straight to a waiting receiver
 * (`ipc_mqueue_post` hand-off, the queue is not touched), else onto the queue. The caller checked
 * the queue limit.
 */
export function deliver(k: Kernel, sender: Thread | null, port: MachPort, message: MachMessage): void {
  const receiver = takeReceiver(k, port);
  if (receiver !== null) {
    port.seqno++;
    if (k.record) messageEvent(k, sender, 'handoff', port, message, receiver.name);
    wakeReceiver(k, receiver, 0, message.id);
    return;
  }
  port.queue.push(message.id);
  if (k.record) messageEvent(k, sender, 'enqueue', port, message, '');
}

/** Whether a send to `port` must wait (queue at its limit; send-once messages always fit). */
export function queueFull(port: MachPort, message: MachMessage): boolean {
  return port.queue.length >= port.queueLimit && message.remoteType !== PORT_SEND_ONCE;
}

/** Takes the oldest message of a port off its queue and wakes a blocked sender if there is room now. */
export function dequeue(k: Kernel, port: MachPort): number {
  const id = port.queue.shift()!;
  port.seqno++;
  if (port.blockedSenders.length > 0 && port.queue.length < port.queueLimit) {
    wakeSender(k, k.state.threads[port.blockedSenders.shift()!]!, 0);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Blocking and waking (the frame layout is mach_msg's: see syscalls.ts)

/** Step indices of mach_msg's continuations (kept in sync with syscalls.ts). */
export const STEP_SEND_CONTINUE = 5;
export const STEP_RECEIVE_CONTINUE = 7;
export const STEP_COPYOUT = 8;

function clearDeadline(k: Kernel, t: Thread): void {
  const mt = k.state.mach.threads[t.id];
  if (mt && mt.deadline >= 0) {
    mt.deadline = -1;
    const waiters = k.state.mach.timedWaiters;
    const i = waiters.indexOf(t.id);
    if (i >= 0) waiters.splice(i, 1);
  }
}

/** Wakes a receiver blocked in mach_msg with a message (result 0: it resumes at the copyout) or an error. */
export function wakeReceiver(k: Kernel, t: Thread, result: number, message: number): void {
  const f = t.kernel;
  f.v3 = result;
  f.v4 = message;
  f.step = result === 0 ? STEP_COPYOUT : STEP_RECEIVE_CONTINUE;
  f.blocked = false;
  clearDeadline(k, t);
  k.enqueue(t, k.cpu ? k.cpu.time : 0);
}

/** Wakes a sender blocked on a full queue: 0 to retry the send, or an error. */
export function wakeSender(k: Kernel, t: Thread, result: number): void {
  const f = t.kernel;
  f.v3 = result;
  f.step = STEP_SEND_CONTINUE;
  f.blocked = false;
  clearDeadline(k, t);
  k.enqueue(t, k.cpu ? k.cpu.time : 0);
}

/** Fires the timeouts that are due on the machine of `cpu` (deadline ≤ its clock), or with `idle` the earliest of all. Returns whether one fired. */
export function fireTimeouts(k: Kernel, machine: number, now: number, idle: boolean): boolean {
  const m = k.state.mach;
  const waiters = m.timedWaiters;
  let fired = false;
  if (idle) {
    let best = -1;
    let bestDeadline = Infinity;
    for (let i = 0; i < waiters.length; i++) {
      const d = m.threads[waiters[i]!]!.deadline;
      if (d < bestDeadline) {
        bestDeadline = d;
        best = i;
      }
    }
    if (best < 0) return false;
    const t = k.state.threads[waiters[best]!]!;
    const cpu = k.state.cpus[k.state.machines[t.machine]!.cpus[0]!]!;
    if (cpu.time < bestDeadline) cpu.time = bestDeadline;
    k.cpu = cpu;
    timeout(k, t);
    return true;
  }
  for (let i = 0; i < waiters.length; ) {
    const t = k.state.threads[waiters[i]!]!;
    const mt = m.threads[t.id]!;
    if (t.machine === machine && mt.deadline <= now) {
      timeout(k, t);
      fired = true;
    } else {
      i++;
    }
  }
  return fired;
}

function timeout(k: Kernel, t: Thread): void {
  const f = t.kernel;
  const m = k.state.mach;
  // v6 bit 1: blocked sending (else receiving); v1 the destination, v2 the receive object.
  if ((f.v6 & 2) !== 0) {
    const port = m.ports[f.v1]!;
    const i = port.blockedSenders.indexOf(t.id);
    if (i >= 0) port.blockedSenders.splice(i, 1);
    wakeSender(k, t, MachReturn.MACH_SEND_TIMED_OUT);
  } else {
    const list = (f.v6 & 1) !== 0 ? m.portSets[f.v2]!.receivers : m.ports[f.v2]!.receivers;
    const i = list.indexOf(t.id);
    if (i >= 0) list.splice(i, 1);
    wakeReceiver(k, t, MachReturn.MACH_RCV_TIMED_OUT, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Events (built only when recording)

export function hexName(name: number): string {
  return `0x${name.toString(16)}`;
}

export function rightEvent(k: Kernel, space: MachSpace, entry: MachEntry, port: MachPort | MachPortSet | null, reason: string): void {
  const cpu = k.cpu;
  k.emit({
    kind: 'mach-right',
    time: cpu ? cpu.time : 0,
    cpu: cpu ? cpu.index : -1,
    process: space.process,
    processName: space.name,
    name: entry.name,
    object: port ? port.id : 0,
    objectLabel: port ? port.label : '',
    type: entry.type,
    urefs: entry.urefs,
    reason,
  });
}

export function messageEvent(
  k: Kernel,
  t: Thread | null,
  action: 'enqueue' | 'handoff' | 'receive' | 'destroy' | 'kobject-call' | 'kobject-reply' | 'notify' | 'ool-copyin' | 'ool-copyout' | 'ool-discard',
  port: MachPort,
  message: MachMessage,
  detail: string,
): void {
  const cpu = k.cpu;
  k.emit({
    kind: 'mach-msg',
    time: cpu ? cpu.time : 0,
    cpu: cpu ? cpu.index : -1,
    action,
    thread: t ? t.id : 0,
    threadName: t ? t.name : '',
    port: port.id,
    portLabel: port.label,
    message: message.id,
    msgId: message.msgId,
    queued: port.queue.length,
    detail,
  });
}

// ---------------------------------------------------------------------------------------------
// Out-of-line memory: vm_map_copy objects (vm_map_copyin / vm_map_copyout / vm_map_copy_discard)

/** A fresh vm_map_copy object for a descriptor (contents captured later by `copyinCopy`). */
export function allocCopy(k: Kernel, message: number, source: number, size: number, copy: number, deallocate: boolean): MachVmCopy {
  const m = k.state.mach;
  if (m.copies.length === 0) m.copies.push({ id: 0, inUse: false, size: 0, copy: 0, deallocate: false, source: 0, message: -1, bytes: new Uint8Array(0) });
  let c: MachVmCopy;
  if (m.freeCopies.length > 0) c = m.copies[m.freeCopies.pop()!]!;
  else {
    c = { id: m.copies.length, inUse: false, size: 0, copy: 0, deallocate: false, source: 0, message: -1, bytes: new Uint8Array(0) };
    m.copies.push(c);
  }
  c.inUse = true;
  c.size = size;
  c.copy = copy;
  c.deallocate = deallocate;
  c.source = source;
  c.message = message;
  return c;
}

/** vm_map_copy_discard: the object goes back to the pool. */
export function releaseCopy(k: Kernel, id: number): void {
  const c = k.state.mach.copies[id];
  if (!c || !c.inUse) return;
  c.inUse = false;
  c.message = -1;
  k.state.mach.freeCopies.push(id);
}

/** Cycles an OOL transfer of `c` costs (each way): per byte for a physical copy, per page for a virtual (copy-on-write) one. */
export function copyCost(k: Kernel, c: MachVmCopy): number {
  return c.copy === MachConstant.MACH_MSG_VIRTUAL_COPY ? (roundUpToPage(c.size) / PAGE_SIZE) * k.cost.kernelStep : c.size * k.cost.byteCopied;
}

/**
 * vm_map_copyin of the sender's region into `c` (copy semantics: a snapshot), removing the
 * sender's mappings of the page-rounded range when `deallocate` is set. Returns 0 or
 * MACH_SEND_INVALID_MEMORY (a byte of the region is unmapped).
 */
export function copyinCopy(k: Kernel, t: Thread, c: MachVmCopy): number {
  if (c.size === 0) return 0;
  const vmspaceId = k.state.groups[t.group]!.vmspace;
  if (c.bytes.length < c.size) c.bytes = new Uint8Array(roundUpToPage(c.size));
  k.chargeCurrent(copyCost(k, c));
  if (!(c.source >= 0 && c.source + c.size <= KBASE) || !readUser(k.state, vmspaceId, c.source, c.size, c.bytes, 0)) return MachReturn.MACH_SEND_INVALID_MEMORY;
  if (c.deallocate) {
    const vmspace = k.state.vmspaces[vmspaceId]!;
    const start = roundDownToPage(c.source);
    const end = roundUpToPage(c.source + c.size);
    // Mappings wholly inside the range go (src_destroy); a mapping only partly inside stays.
    for (let i = vmspace.vmrs.length - 1; i >= 0; i--) {
      const vmr = vmspace.vmrs[i]!;
      if (vmr.start >= start && vmr.start + vmr.size <= end) vmspace.vmrs.splice(i, 1);
    }
  }
  return 0;
}

/** The first page-aligned free range of `size` bytes at or above OOL_MAP_BASE in a vmspace. */
function freeRange(k: Kernel, vmspaceId: number, size: number): number {
  const vmrs = k.state.vmspaces[vmspaceId]!.vmrs;
  let at = OOL_MAP_BASE;
  for (let i = 0; i < vmrs.length; i++) {
    const vmr = vmrs[i]!;
    if (vmr.start + vmr.size <= at) continue;
    if (vmr.start >= at + size) break;
    at = roundUpToPage(vmr.start + vmr.size);
  }
  return at + size < KBASE ? at : -1;
}

/**
 * vm_map_copyout into the thread's address space: a fresh PMO mapped read-write at a
 * kernel-chosen address, holding the copy's bytes. Returns the address, 0 for a zero-size copy,
 * or -1 when no memory or address range is left. The caller releases the copy (it is consumed
 * either way).
 */
export function copyoutCopy(k: Kernel, t: Thread, c: MachVmCopy): number {
  const size = c.size;
  if (size === 0) return 0;
  k.chargeCurrent(copyCost(k, c));
  const vmspaceId = k.state.groups[t.group]!.vmspace;
  const pages = roundUpToPage(size);
  const address = freeRange(k, vmspaceId, pages);
  const pmoId = address < 0 ? -1 : k.createUserPmo(t, pages);
  if (pmoId < 0) return -1;
  const pmo = k.state.pmos[pmoId]!;
  mapPmo(k.state.vmspaces[vmspaceId]!, pmo, address, true);
  for (let page = 0, done = 0; done < size; page++, done += PAGE_SIZE) {
    const bytes = new Uint8Array(PAGE_SIZE);
    bytes.set(c.bytes.subarray(done, Math.min(size, done + PAGE_SIZE)));
    pmo.pages[page] = bytes;
  }
  return address;
}

/** Whether `address` is mapped in the thread's address space (tests and builtins). */
export function isMapped(k: Kernel, t: Thread, address: number): boolean {
  return findVmr(k.state.vmspaces[k.state.groups[t.group]!.vmspace]!, address) >= 0;
}

/** An OOL event for copy `id` (on the port of the message carrying it, if any). */
export function oolEvent(k: Kernel, t: Thread | null, action: 'ool-copyin' | 'ool-copyout' | 'ool-discard', id: number, detail: string): void {
  const m = k.state.mach;
  const c = m.copies[id]!;
  const message = c.message >= 0 ? m.messages[c.message]! : null;
  const port = message ? m.ports[message.remotePort] : undefined;
  const cpu = k.cpu;
  k.emit({
    kind: 'mach-msg',
    time: cpu ? cpu.time : 0,
    cpu: cpu ? cpu.index : -1,
    action,
    thread: t ? t.id : 0,
    threadName: t ? t.name : '',
    port: port ? port.id : 0,
    portLabel: port ? port.label : '',
    message: message ? message.id : -1,
    msgId: message ? message.msgId : 0,
    queued: port ? port.queue.length : 0,
    detail: `vm_map_copy #${id}, ${c.size} bytes, ${c.copy === MachConstant.MACH_MSG_VIRTUAL_COPY ? 'virtual' : 'physical'} copy${detail ? `, ${detail}` : ''}`,
  });
}

export function entryPort(k: Kernel, entry: MachEntry): MachPort | null {
  if ((entry.type & (TYPE_SEND | TYPE_RECEIVE | TYPE_SEND_ONCE)) === 0) return null;
  return k.state.mach.ports[entry.object] ?? null;
}

export { type MachEntry, type MachPort, type MachPortSet, type MachSpace } from './state';
