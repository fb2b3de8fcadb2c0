// The minimal Mach IPC this layer needs, behind a narrow seam: special ports and port sets, a
// kernel send of a registration message to the node bootstrap port
// (`mach_msg_send_from_kernel_proper`), and a user receive on it. The Mach layer in
// `kernel/mach/` models ports fully; until the two are joined, every use goes through the
// functions below, so switching to it touches this file only.

import type { Kernel } from '../kernel';
import { MACH_SEND_INVALID_DEST, type NodeServerMsg, type XnuPort } from './state';
import { wakeWaiters } from './wait';

function add(kernel: Kernel, machine: number, kind: XnuPort['kind'], space: number): number {
  const ports = kernel.state.nodes.ports;
  const handle = ports.length;
  ports.push({ handle, machine, kind, dead: false, space, pset: 0, queue: [], sendRights: 0 });
  return handle;
}

/** `ipc_space_create_special`. */
export function spaceCreateSpecial(kernel: Kernel, machine: number): number {
  return add(kernel, machine, 'space', 0);
}

/** `ipc_port_alloc_special(space)`. */
export function portAllocSpecial(kernel: Kernel, machine: number, space: number): number {
  return add(kernel, machine, 'port', space);
}

/** A port whose receive right a user task holds (the node bootstrap server's port). */
export function portAllocUser(kernel: Kernel, machine: number): number {
  return add(kernel, machine, 'port', 0);
}

/** `ipc_pset_alloc_special(space)`. */
export function psetAllocSpecial(kernel: Kernel, machine: number, space: number): number {
  return add(kernel, machine, 'pset', space);
}

export function portRecord(kernel: Kernel, handle: number): XnuPort | null {
  return handle > 0 ? (kernel.state.nodes.ports[handle] ?? null) : null;
}

/** `ipc_pset_add(pset, port)`. */
export function psetAdd(kernel: Kernel, pset: number, port: number): void {
  const p = portRecord(kernel, port);
  if (p) p.pset = pset;
}

/** `ipc_pset_destroy`: members leave the set; every thread blocked on it wakes (MACH_RCV_PORT_DIED). */
export function psetDestroy(kernel: Kernel, pset: number): void {
  const set = portRecord(kernel, pset);
  if (!set || set.dead) return;
  set.dead = true;
  for (const p of kernel.state.nodes.ports) if (p && p.pset === pset) p.pset = 0;
  wakeWaiters(kernel, 'pset', pset, kernel.cpu ? kernel.cpu.time : 0);
}

/** `ipc_port_dealloc_special` / port destruction: queued messages are dropped, receivers wake. */
export function portDestroy(kernel: Kernel, port: number): void {
  const p = portRecord(kernel, port);
  if (!p || p.dead) return;
  p.dead = true;
  p.queue = [];
  p.pset = 0;
  wakeWaiters(kernel, 'port', port, kernel.cpu ? kernel.cpu.time : 0);
}

/** `ipc_space_terminate`. */
export function spaceTerminate(kernel: Kernel, space: number): void {
  const p = portRecord(kernel, space);
  if (p) p.dead = true;
}

/** `IP_VALID(port)`: not NULL (a destroyed port is still "valid"; sends to it fail). */
export function ipValid(port: number): boolean {
  return port > 0;
}

/**
 * `mach_msg_send_from_kernel_proper`: queues the message on the destination port and wakes a
 * receiver. KERN_SUCCESS, or MACH_SEND_INVALID_DEST when the port is dead or not a port.
 */
export function sendFromKernel(kernel: Kernel, msg: NodeServerMsg, _nodeHandle = 0): number {
  const p = portRecord(kernel, msg.remotePort);
  if (!p || p.dead || p.kind !== 'port') return MACH_SEND_INVALID_DEST;
  const kmsgs = kernel.state.nodes.kmsgs;
  kmsgs.push(msg);
  p.queue.push(kmsgs.length - 1);
  // MAKE_SEND in the local disposition: the receiver gets a send right to the proxy port.
  if (msg.localPort !== 0) {
    const local = portRecord(kernel, msg.localPort);
    if (local) local.sendRights++;
  }
  wakeWaiters(kernel, 'port', msg.remotePort, kernel.cpu ? kernel.cpu.time : 0);
  return 0;
}
