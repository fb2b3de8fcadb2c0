// XNU `osfmk/kern/mach_node.c` over plain data: lazy init, the node table, publication to the
// node bootstrap port, registration, link state, termination, the mnl name table and the
// mnl_msg buffers. Functions here are the seed's functions; the syscalls in `syscalls.ts` cut
// them into named kernel steps. Seed lines are file lines of shared/seeds/xnu-mach_node.c.txt.

import type { Kernel } from '../kernel';
import {
  ipValid,
  portDestroy,
  psetDestroy,
  sendFromKernel,
  spaceTerminate,
} from './ports';
import {
  MACH_MSG_TYPE_COPY_SEND,
  MACH_MSG_TYPE_MAKE_SEND,
  MACH_NODE_SERVER_MSG_ID,
  MACH_NODE_SM_REG_LOCAL,
  MACH_NODE_SM_REG_REMOTE,
  MNL_BUCKET_HEAD_BASE,
  MNL_LINK_DOWN,
  MNL_MSG_SIZE,
  MNL_NAME_TABLE_SIZE,
  MNL_PROTOCOL_V1,
  NODE_SERVER_REGISTER_MSG_SIZE,
  type MachNode,
  type MnlMsg,
  type MnlObj,
  type XnuMachine,
  type XnuState,
} from './state';
import { wakeWaiters } from './wait';
import { sendToMachPort } from './mach-send';

// ---------------------------------------------------------------------------------------------
// State creation and lookup

export function newXnuMachine(machine: number, nodesMax: number, byteOrder: number, dataModel: number): XnuMachine {
  return {
    machine,
    flipc: true,
    nodesMax,
    byteOrder,
    dataModel,
    localnodeId: -1,
    localnode: 0,
    table: [],
    toPublish: 0,
    nameNext: 0,
    names: [],
    hostNodePort: 0,
    bootstrapIsMach: false,
    msgBytes: 0,
    printf: [],
  };
}

/** The XNU state for a kernel about to boot: one entry per machine declaration. */
export function newXnuState(machines: readonly { nodeTableSize?: number; byteOrder?: number; dataModel?: number }[]): XnuState {
  return {
    machines: machines.map((m, i) =>
      newXnuMachine(i, clampNodes(m.nodeTableSize), m.byteOrder === 2 ? 2 : 1, m.dataModel === 1 ? 1 : 2),
    ),
    nodes: [null],
    objs: [null],
    msgs: [null],
    ports: [null],
    kmsgs: [],
    waiters: [],
  };
}

function clampNodes(n: number | undefined): number {
  if (n === undefined || !Number.isInteger(n) || n < 2) return 2;
  return Math.min(n, 65_536);
}

export function xnuMachine(kernel: Kernel, machine: number): XnuMachine {
  return kernel.state.nodes.machines[machine]!;
}

/** The node a handle names, if it belongs to `machine`'s kernel (MACH_NODE_VALID); else null. */
export function nodeAt(kernel: Kernel, machine: number, handle: number): MachNode | null {
  if (!Number.isInteger(handle) || handle <= 0) return null;
  const node = kernel.state.nodes.nodes[handle];
  return node && node.machine === machine ? node : null;
}

export function objAt(kernel: Kernel, machine: number, handle: number): MnlObj | null {
  if (!Number.isInteger(handle) || handle <= 0) return null;
  const obj = kernel.state.nodes.objs[handle];
  return obj && obj.machine === machine ? obj : null;
}

export function msgAt(kernel: Kernel, machine: number, handle: number): MnlMsg | null {
  if (!Number.isInteger(handle) || handle <= 0) return null;
  const msg = kernel.state.nodes.msgs[handle];
  return msg && msg.machine === machine && !msg.freed ? msg : null;
}

export function machNodeIdValid(xm: XnuMachine, id: number): boolean {
  return id >= 0 && id < xm.nodesMax;
}

// ---------------------------------------------------------------------------------------------
// Events

export function nodeEvent(kernel: Kernel, xm: XnuMachine, action: string, node: number, text: string): void {
  if (!kernel.record) return;
  const cpu = kernel.cpu;
  kernel.emit({
    kind: 'node',
    time: cpu ? cpu.time : 0,
    cpu: cpu ? cpu.index : -1,
    machine: xm.machine,
    machineName: kernel.state.machines[xm.machine]?.name ?? String(xm.machine),
    action,
    node,
    text,
  });
}

/** The seed's printf: kept on the machine (last 64 lines) and traced. */
export function printf(kernel: Kernel, xm: XnuMachine, line: string): void {
  xm.printf.push(line);
  if (xm.printf.length > 64) xm.printf.shift();
  nodeEvent(kernel, xm, 'printf', 0, JSON.stringify(line));
}

// ---------------------------------------------------------------------------------------------
// Node structs

/** `mach_node_alloc_init(node_id)` (XN-ALLOC-02): zeroed, not in the table. */
export function machNodeAllocInit(kernel: Kernel, xm: XnuMachine, nodeId: number): number {
  const nodes = kernel.state.nodes.nodes;
  const handle = nodes.length;
  nodes.push({
    handle,
    machine: xm.machine,
    nodeId,
    datamodel: 0,
    byteorder: 0,
    protoVersMin: 0,
    protoVersMax: 0,
    protoVers: 0,
    published: 0,
    active: 0,
    suspended: 0,
    dead: 0,
    link: 0,
    antecedent: 0,
    proxySpace: 0,
    proxyPortSet: 0,
    bootstrapPort: 0,
    controlPort: 0,
    remoteMachine: -1,
    remoteEpoch: 0,
    machProxyPort: 0,
    flipcReady: false,
    flipcQueue: [],
  });
  return handle;
}

/** `mach_node_for_id_locked` (XN-FID-01..06; allocation never fails here). */
export function machNodeForIdLocked(kernel: Kernel, xm: XnuMachine, nodeId: number, allocIfDead: boolean, allocIfAbsent: boolean): number {
  if (nodeId < 0 || nodeId >= xm.nodesMax) return 0;
  let handle = xm.table[nodeId] ?? 0;
  const node = handle ? kernel.state.nodes.nodes[handle]! : null;
  if ((!node && allocIfAbsent) || (node && node.dead && allocIfDead)) {
    handle = machNodeAllocInit(kernel, xm, nodeId);
    kernel.state.nodes.nodes[handle]!.antecedent = xm.table[nodeId] ?? 0;
    xm.table[nodeId] = handle;
  }
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Init (XN-INIT-*)

/** `mach_node_init` (L105-115): lazy, idempotent. */
export function machNodeInit(kernel: Kernel, xm: XnuMachine): void {
  if (xm.localnodeId !== -1) return; // XN-INIT-02
  xm.localnodeId = 0;
  printf(kernel, xm, `mach_node_init(): localnode_id=${xm.localnodeId} of ${xm.nodesMax}`);
  // mach_node_table_init (L119-145)
  xm.table = new Array<number>(xm.nodesMax).fill(0);
  xm.toPublish = 0;
  const local = machNodeForIdLocked(kernel, xm, xm.localnodeId, true, true);
  xm.localnode = local;
  const node = kernel.state.nodes.nodes[local]!;
  // bzero(localnode): every field cleared (antecedent, bootstrap port, node_id = 0 ...).
  Object.assign(node, {
    nodeId: 0,
    datamodel: xm.dataModel,
    byteorder: xm.byteOrder,
    protoVersMin: MNL_PROTOCOL_V1,
    protoVersMax: MNL_PROTOCOL_V1,
    protoVers: MNL_PROTOCOL_V1,
    published: 0,
    active: 1,
    suspended: 0,
    dead: 0,
    link: 0,
    antecedent: 0,
    proxySpace: 0,
    proxyPortSet: 0,
    bootstrapPort: 0,
    controlPort: 0,
  });
  // mnl_name_table_init (L470-480)
  xm.nameNext = xm.localnodeId + xm.nodesMax;
  xm.names = [];
  for (let i = 0; i < MNL_NAME_TABLE_SIZE; i++) xm.names.push([]);
  nodeEvent(kernel, xm, 'init', local, `localnode_id=0, table of ${xm.nodesMax}, first name ${xm.nameNext}`);
}

// ---------------------------------------------------------------------------------------------
// Publication (XN-PUB-*)

/** `mach_node_publish(node)` (L153-196); the caller holds the table lock. */
export function machNodePublish(kernel: Kernel, xm: XnuMachine, handle: number): void {
  const node = handle ? kernel.state.nodes.nodes[handle] : null;
  if (!node || !node.active || node.published) return; // XN-PUB-01/02/03
  const local = kernel.state.nodes.nodes[xm.localnode]!;
  const bsPort = local.bootstrapPort;
  if (!ipValid(bsPort)) return; // XN-PUB-04
  const isLocal = handle === xm.localnode;
  const send = xm.bootstrapIsMach ? sendToMachPort : sendFromKernel;
  const kr = send(kernel, {
    remotePort: bsPort,
    size: NODE_SERVER_REGISTER_MSG_SIZE,
    localPort: isLocal ? 0 : node.bootstrapPort,
    voucherPort: 0,
    id: MACH_NODE_SERVER_MSG_ID,
    nodeId: node.nodeId,
    options: 0,
    datamodel: node.datamodel,
    byteorder: node.byteorder,
    identifier: isLocal ? MACH_NODE_SM_REG_LOCAL : MACH_NODE_SM_REG_REMOTE,
    bits: isLocal ? MACH_MSG_TYPE_COPY_SEND : MACH_MSG_TYPE_COPY_SEND | (MACH_MSG_TYPE_MAKE_SEND << 8),
  }, handle);
  if (kr === 0) {
    node.published = 1; // XN-PUB-07
    xm.toPublish--;
  }
  printf(kernel, xm, `mach_node_publish(${node.nodeId})=${kr}`);
  nodeEvent(kernel, xm, 'publish', handle, `${isLocal ? 'REG_LOCAL' : 'REG_REMOTE'} node ${node.nodeId} → port #${bsPort}: ${kr === 0 ? 'sent' : `failed 0x${kr.toString(16)}`}`);
}

/** Phase 2 of `mach_node_port_changed` (L220-249): publication state reset, then publish. */
export function republishAll(kernel: Kernel, xm: XnuMachine): void {
  const nodes = kernel.state.nodes.nodes;
  nodes[xm.localnode]!.active = 1;
  xm.toPublish = 0;
  for (let n = 0; n < xm.nodesMax; n++) {
    const node = nodes[xm.table[n]!];
    if (!node) continue;
    node.published = 0;
    if (node.active === 1) xm.toPublish++;
  }
  machNodePublish(kernel, xm, xm.localnode);
  for (let n = 0; n < xm.nodesMax; n++) machNodePublish(kernel, xm, xm.table[n]!);
}

// ---------------------------------------------------------------------------------------------
// FLIPC (the seed only calls it; minimal model, see docs/ipc-design.md)

export function flipcNodePrepare(kernel: Kernel, node: MachNode): void {
  node.flipcReady = true;
  void kernel;
}

/** `flipc_node_retire`: queued messages are freed; a driver blocked in mnl_msg_to_node gets NULL. */
export function flipcNodeRetire(kernel: Kernel, node: MachNode): void {
  node.flipcReady = false;
  for (const m of node.flipcQueue) {
    const msg = kernel.state.nodes.msgs[m];
    if (msg) msg.freed = true;
  }
  node.flipcQueue = [];
  wakeWaiters(kernel, 'to-node', node.handle, kernel.cpu ? kernel.cpu.time : 0);
}

// ---------------------------------------------------------------------------------------------
// Termination (XN-TERM-*)

/** `mnl_terminate` after its NULL check (L734-758): KERN_SUCCESS or KERN_NODE_DOWN. */
export function terminateNode(kernel: Kernel, xm: XnuMachine, node: MachNode): number {
  if (node.dead) return 47; // XN-TERM-02
  node.link = MNL_LINK_DOWN;
  node.active = 0;
  node.suspended = 0;
  node.dead = 1;
  flipcNodeRetire(kernel, node);
  if (node.proxyPortSet !== 0) {
    psetDestroy(kernel, node.proxyPortSet); // wakes every thread blocked on it
    node.proxyPortSet = 0;
  }
  nodeEvent(kernel, xm, 'terminate', node.handle, `node ${node.nodeId} dead, links down`);
  // Threads blocked on the link of this node see it terminated.
  wakeWaiters(kernel, 'link', node.handle, kernel.cpu ? kernel.cpu.time : 0);
  return 0;
}

/** Registration failure cleanup (L381-398). */
export function disposeRegistration(kernel: Kernel, space: number, bs: number, ack: number, pset: number): void {
  if (pset) psetDestroy(kernel, pset);
  if (bs) portDestroy(kernel, bs);
  if (ack) portDestroy(kernel, ack);
  if (space) spaceTerminate(kernel, space);
}

// ---------------------------------------------------------------------------------------------
// Names (XN-NAME-*, XN-LKP-*, XN-RMV-*, XN-INS-*)

/** `mnl_name_alloc` (L451-455): the value before the add. */
export function mnlNameAlloc(xm: XnuMachine): number {
  const name = xm.nameNext;
  xm.nameNext += xm.nodesMax;
  return name;
}

export function bucketHead(name: number): number {
  return MNL_BUCKET_HEAD_BASE + hash(name);
}

function hash(name: number): number {
  const h = name % MNL_NAME_TABLE_SIZE;
  return h < 0 ? h + MNL_NAME_TABLE_SIZE : h;
}

function bucket(xm: XnuMachine, name: number): number[] {
  // Before mach_node_init the buckets are uninitialised static memory: zeroed queue heads, which
  // the emulator treats as empty.
  return xm.names[hash(name)] ?? [];
}

/** `mnl_obj_lookup` (L499-511): first match, else the bucket sentinel (XN-LKP-03); 0 for name 0. */
export function mnlObjLookup(kernel: Kernel, xm: XnuMachine, name: number): number {
  if (name === 0) return 0;
  for (const h of bucket(xm, name)) if (kernel.state.nodes.objs[h]!.name === name) return h;
  return bucketHead(name);
}

/** `mnl_obj_remove` (L520-532): unlinks every match, returns the sentinel (XN-RMV-02/03). */
export function mnlObjRemove(kernel: Kernel, xm: XnuMachine, name: number): { result: number; removed: number } {
  if (name === 0) return { result: 0, removed: 0 };
  const b = bucket(xm, name);
  let removed = 0;
  for (let i = b.length - 1; i >= 0; i--) {
    const obj = kernel.state.nodes.objs[b[i]!]!;
    if (obj.name === name) {
      obj.linked = false;
      b.splice(i, 1);
      removed++;
    }
  }
  return { result: bucketHead(name), removed };
}

/** Enqueue (tail) in the bucket of the object's name (L556). */
export function mnlEnqueue(xm: XnuMachine, obj: MnlObj): void {
  if (xm.names.length === 0) for (let i = 0; i < MNL_NAME_TABLE_SIZE; i++) xm.names.push([]);
  xm.names[hash(obj.name)]!.push(obj.handle);
  obj.linked = true;
}

// ---------------------------------------------------------------------------------------------
// Messages (XN-MSG-*)

/** `mnl_msg_alloc(payload)`: header zeroed, payload not (seeded garbage). */
export function mnlMsgAlloc(kernel: Kernel, xm: XnuMachine, payload: number, pool: MnlMsg['pool']): number {
  const msgs = kernel.state.nodes.msgs;
  const handle = msgs.length;
  const words: number[] = [];
  const n = Math.min(Math.max(0, Math.ceil(payload / 8)), 64);
  for (let i = 0; i < n; i++) words.push(pool === 'kalloc' ? kernel.random() : 0);
  msgs.push({ handle, machine: xm.machine, sub: 0, cmd: 0, qos: 0, flags: 0, nodeId: 0, object: 0, options: 0, size: payload, words, pool, freed: false });
  if (pool === 'kalloc') xm.msgBytes += MNL_MSG_SIZE + payload;
  return handle;
}

/** `mnl_msg_free`: kfree(24 + msg->size), the size as it is now (XN-MSG-04). */
export function mnlMsgFree(kernel: Kernel, xm: XnuMachine, msg: MnlMsg): void {
  msg.freed = true;
  if (msg.pool === 'kalloc') xm.msgBytes -= MNL_MSG_SIZE + msg.size;
  void kernel;
}
