// The scenario operations of the XNU node layer: the link-driver KPI (`mnl_*`), the host node
// port, the node bootstrap server's receive, FLIPC send/receive and the link driver's transmit
// and receive over declared links. Each is a static array of named kernel steps over the frame.
//
// Frame use: a0..a3 = the first four parameters in table order, v8 = bitmask of the parameters
// given, v7 = the fifth parameter; v0..v3 are scratch (handles allocated along the way).

import type { Instruction } from '../compile';
import type { Kernel } from '../kernel';
import type { SyscallFrame, Thread } from '../state';
import { StepResult, syscall, type KernelStep, type SyscallImplementation } from '../syscall-types';
import {
  bucketHead,
  disposeRegistration,
  flipcNodePrepare,
  flipcNodeRetire,
  machNodeAllocInit,
  machNodeIdValid,
  machNodeInit,
  machNodePublish,
  mnlEnqueue,
  mnlMsgAlloc,
  mnlMsgFree,
  mnlNameAlloc,
  mnlObjLookup,
  mnlObjRemove,
  msgAt,
  nodeAt,
  nodeEvent,
  objAt,
  printf,
  republishAll,
  terminateNode,
  xnuMachine,
} from './mach-node';
import {
  ipValid,
  portAllocSpecial,
  portAllocUser,
  portDestroy,
  portRecord,
  psetAdd,
  psetAllocSpecial,
  spaceCreateSpecial,
} from './ports';
import {
  MACH_RCV_PORT_DIED,
  MNL_BUCKET_HEAD_BASE,
  MNL_LINK_UP,
  SEED_XNU,
  SUB_FLIPC,
  SUB_NODE,
  type LinkState,
  type XnuMachine,
} from './state';
import { block, wakeThread, wakeWaiters } from './wait';
import './mach-bridge';

const { DONE } = StepResult;
const KERN_INVALID_ARGUMENT = 4;
const KERN_FAILURE = 5;
const KERN_NODE_DOWN = 47;
export const MACH_RCV_INVALID_NAME = 0x10004002;

type Steps = (readonly [string, KernelStep])[];

/** Packs up to five parameters: a0..a3, v7, and the "given" bitmask in v8; `data` words go to v4..v7 (count v3). */
function prologue(kernel: Kernel, _thread: Thread, instruction: Instruction, frame: SyscallFrame): void {
  const args = instruction.arguments;
  let mask = 0;
  const values = [0, 0, 0, 0, 0];
  const words: number[] = [];
  for (let i = 0; i < args.length && i < 5; i++) {
    const a = args[i];
    if (!a) continue;
    mask |= 1 << i;
    if (a.value) values[i] = a.value(kernel);
    else if (a.items) for (const item of a.items) if (words.length < 4) words.push(typeof item === 'function' ? item(kernel) : item.length);
  }
  frame.a0 = values[0]!;
  frame.a1 = values[1]!;
  frame.a2 = values[2]!;
  frame.a3 = values[3]!;
  frame.v7 = values[4]!;
  if (words.length > 0) {
    frame.v3 = words.length;
    frame.v4 = words[0] ?? 0;
    frame.v5 = words[1] ?? 0;
    frame.v6 = words[2] ?? 0;
    frame.v7 = words[3] ?? 0;
  }
  frame.v8 = mask;
}

const xm = (k: Kernel, t: Thread): XnuMachine => xnuMachine(k, t.machine);
const given = (f: SyscallFrame, i: number): boolean => (f.v8 & (1 << i)) !== 0;
const fault = (k: Kernel, row: string, line: number, message: string): number => k.kernelFault(row, line, message, SEED_XNU);
const now = (k: Kernel): number => k.cpu.time;

function done(f: SyscallFrame, r: number): number {
  f.r = r;
  return DONE;
}

// ---------------------------------------------------------------------------------------------
// mnl_instantiate (L626-637, stub L866-870)

const instantiate: Steps = [
  [
    'mach_node_init',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, 0); // XN-STUB-03: no lazy init
      machNodeInit(k, m);
      return 1;
    },
  ],
  [
    'check_nid',
    (k, t, f) => {
      const m = xm(k, t);
      if (f.a0 === m.localnodeId || !machNodeIdValid(m, f.a0)) return done(f, 0); // XN-INST-02/03
      return 2;
    },
  ],
  [
    'mach_node_alloc_init',
    (k, t, f) => {
      const m = xm(k, t);
      f.r = machNodeAllocInit(k, m, f.a0); // XN-INST-04, XN-ALLOC-02
      nodeEvent(k, m, 'instantiate', f.r, `node ${f.a0} (zeroed, not in the table)`);
      return given(f, 1) ? 3 : DONE;
    },
  ],
  [
    'driver_fill_info',
    (k, _t, f) => {
      // The link driver fills the info from what the remote machine reports (outside seed).
      const node = k.state.nodes.nodes[f.r]!;
      const remote = k.state.nodes.machines[f.a1];
      if (remote) {
        node.byteorder = remote.byteOrder;
        node.datamodel = remote.dataModel;
        node.protoVersMin = 1;
        node.protoVersMax = 1;
        node.remoteMachine = f.a1;
        node.remoteEpoch = k.state.faults.epochs[f.a1] ?? 0;
      }
      return DONE;
    },
  ],
];

// mnl_set_info: the driver writes the node info fields (outside seed).
const setInfo: Steps = [
  [
    'driver_write_info',
    (k, t, f) => {
      const node = nodeAt(k, t.machine, f.a0);
      if (!node) return done(f, KERN_INVALID_ARGUMENT);
      if (given(f, 1)) node.nodeId = f.a1;
      if (given(f, 2)) node.byteorder = f.a2;
      if (given(f, 3)) node.datamodel = f.a3;
      if (given(f, 4)) {
        node.remoteMachine = f.v7;
        node.remoteEpoch = k.state.faults.epochs[f.v7] ?? 0;
      }
      return done(f, 0);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mnl_register → mach_node_register (L270-401, L652-661, stub L872-876)

const register: Steps = [
  [
    'mnl_register',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, KERN_FAILURE); // XN-STUB-04
      const node = nodeAt(k, t.machine, f.a0);
      if (!node || node.nodeId === m.localnodeId) return done(f, KERN_INVALID_ARGUMENT); // XN-MREG-01/02
      return 1;
    },
  ],
  [
    'assert(MACH_NODE_ID_VALID(nid))',
    (k, t, f) => {
      const m = xm(k, t);
      const node = k.state.nodes.nodes[f.a0]!;
      if (!machNodeIdValid(m, node.nodeId)) {
        return fault(k, 'XN-REG-01', 277, `assert(MACH_NODE_ID_VALID(nid)) failed in mach_node_register: node_id ${node.nodeId} (table of ${m.nodesMax})`);
      }
      printf(k, m, `mach_node_register(${node.nodeId})`);
      return 2;
    },
  ],
  [
    'check_byteorder_datamodel',
    (k, t, f) => {
      const m = xm(k, t);
      const node = k.state.nodes.nodes[f.a0]!;
      if (node.byteorder !== m.byteOrder || node.datamodel !== m.dataModel) {
        printf(k, m, `mach_node_register: unsupported byte order (${node.byteorder}) or width (${node.datamodel})`);
        return done(f, KERN_INVALID_ARGUMENT); // XN-REG-02
      }
      return 3;
    },
  ],
  [
    'ipc_space_create_special',
    (k, t, f) => {
      f.v0 = spaceCreateSpecial(k, t.machine);
      return 4;
    },
  ],
  [
    'ipc_port_alloc_special(bs_port)',
    (k, t, f) => {
      f.v1 = portAllocSpecial(k, t.machine, f.v0);
      return 5;
    },
  ],
  [
    'ipc_port_alloc_special(ack_port)',
    (k, t, f) => {
      f.v2 = portAllocSpecial(k, t.machine, f.v0);
      return 6;
    },
  ],
  [
    'ipc_pset_alloc_special',
    (k, t, f) => {
      f.v3 = psetAllocSpecial(k, t.machine, f.v0);
      return 7;
    },
  ],
  [
    'ipc_pset_add(bs_port, ack_port)',
    (k, _t, f) => {
      psetAdd(k, f.v3, f.v1);
      psetAdd(k, f.v3, f.v2);
      return 8;
    },
  ],
  [
    'setup_node',
    (k, _t, f) => {
      const node = k.state.nodes.nodes[f.a0]!;
      node.published = 0;
      node.active = 1;
      node.proxySpace = f.v0;
      node.proxyPortSet = f.v3;
      node.bootstrapPort = f.v1;
      node.protoVers = node.protoVersMax;
      node.controlPort = f.v2;
      return 9;
    },
  ],
  [
    'mach_node_table_insert',
    (k, t, f) => {
      const m = xm(k, t);
      const node = k.state.nodes.nodes[f.a0]!;
      const nid = node.nodeId;
      const oldHandle = m.table[nid] ?? 0;
      const old = oldHandle ? k.state.nodes.nodes[oldHandle]! : null;
      if (!old || old.dead) {
        node.antecedent = oldHandle; // XN-REG-07 / XN-REG-08
        flipcNodePrepare(k, node);
        m.table[nid] = node.handle;
        m.toPublish++;
        nodeEvent(k, m, 'register', node.handle, `node ${nid} active${oldHandle ? `, antecedent #${oldHandle}` : ''}`);
        machNodePublish(k, m, node.handle);
        return done(f, 0);
      }
      printf(k, m, `mach_node_register: id ${nid} already active!`); // XN-REG-09
      f.r = KERN_FAILURE;
      return 10;
    },
  ],
  [
    'dispose',
    (k, t, f) => {
      disposeRegistration(k, f.v0, f.v1, f.v2, f.v3);
      nodeEvent(k, xm(k, t), 'register-failed', f.a0, 'proxy space, ports and port set destroyed; the node keeps them (dangling)');
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// mnl_set_link_state (L680-703, stub L878-884)

const setLinkState: Steps = [
  [
    'check_arguments',
    (k, t, f) => {
      if (!xm(k, t).flipc) return done(f, KERN_FAILURE); // XN-STUB-05
      const node = nodeAt(k, t.machine, f.a0);
      const link = f.a1 | 0;
      if (!node || (link & MNL_LINK_UP) === 0 || (link & node.link) !== 0) return done(f, KERN_INVALID_ARGUMENT); // XN-LINK-01/02/03
      return 1;
    },
  ],
  [
    'set_link',
    (k, t, f) => {
      const node = k.state.nodes.nodes[f.a0]!;
      if (node.dead) return done(f, KERN_NODE_DOWN); // XN-LINK-04
      node.link = (node.link | (f.a1 | 0)) & 3; // XN-LINK-05: a 2-bit field
      nodeEvent(k, xm(k, t), 'link', node.handle, `link ${['DOWN', 'RX', 'TX', 'UP'][node.link]}`);
      if (node.link === MNL_LINK_UP) wakeWaiters(k, 'to-node', node.handle, now(k));
      return done(f, 0);
    },
  ],
];

// mnl_terminate (L721-757, stub L886-890)
const terminate: Steps = [
  [
    'check_node',
    (k, t, f) => {
      if (!xm(k, t).flipc) return done(f, KERN_FAILURE); // XN-STUB-06
      if (!nodeAt(k, t.machine, f.a0)) return done(f, KERN_INVALID_ARGUMENT); // XN-TERM-01
      return 1;
    },
  ],
  [
    'terminate',
    (k, t, f) => done(f, terminateNode(k, xm(k, t), k.state.nodes.nodes[f.a0]!)), // XN-TERM-02/03/04
  ],
];

// ---------------------------------------------------------------------------------------------
// Message buffers (L581-609, stubs L854-864)

const msgAlloc: Steps = [
  [
    'kalloc',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, 0); // XN-STUB-01
      if (!(f.a0 >= 0)) return done(f, 0); // a negative payload: kalloc of a huge size fails
      return done(f, mnlMsgAlloc(k, m, f.a0, 'kalloc'));
    },
  ],
];

const msgFree: Steps = [
  [
    'kfree',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, 0); // XN-STUB-02
      const msg = msgAt(k, t.machine, f.a0);
      if (msg) mnlMsgFree(k, m, msg); // XN-MSG-03 / XN-MSG-04
      return done(f, 0);
    },
  ],
];

const msgSet: Steps = [
  [
    'driver_write_msg',
    (k, t, f) => {
      const msg = msgAt(k, t.machine, f.a0);
      if (!msg) return done(f, KERN_INVALID_ARGUMENT);
      if (given(f, 1)) msg.sub = f.a1;
      if (given(f, 2)) msg.nodeId = f.a2;
      if (given(f, 3)) msg.size = f.a3;
      if (given(f, 4)) msg.object = f.v7;
      return done(f, 0);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Link-driver message flow (L768-850, stubs L892-910)

const msgToNode: Steps = [
  [
    'assert(MNL_NODE_VALID(node))',
    (k, t, f) => {
      if (!xm(k, t).flipc) return done(f, 0); // XN-STUB-08: does not block
      if (!nodeAt(k, t.machine, f.a0)) return fault(k, 'XN-TO-01', 814, 'assert(MNL_NODE_VALID(node)) failed in mnl_msg_to_node');
      return 1;
    },
  ],
  [
    'flipc_msg_to_remote_node',
    (k, t, f) => {
      const node = k.state.nodes.nodes[f.a0]!;
      if (!node.flipcReady) return done(f, 0); // the link is being terminated: FLIPC_MSG_NULL
      if (node.link === MNL_LINK_UP && node.flipcQueue.length > 0) return done(f, node.flipcQueue.shift()!);
      return block(k, t, f, 'to-node', node.handle); // XN-TO-02: blocks until a message is queued
    },
  ],
];

const msgFromNode: Steps = [
  [
    'assert(MNL_MSG_VALID(msg))',
    (k, t, f) => {
      if (!xm(k, t).flipc) return done(f, 0); // XN-STUB-07
      if (!msgAt(k, t.machine, f.a1)) return fault(k, 'XN-FROM-01', 776, 'assert(MNL_MSG_VALID(msg)) failed in mnl_msg_from_node');
      return 1;
    },
  ],
  [
    'assert(MACH_NODE_ID_VALID(msg->node_id))',
    (k, t, f) => {
      const m = xm(k, t);
      const msg = k.state.nodes.msgs[f.a1]!;
      if (!machNodeIdValid(m, msg.nodeId)) return fault(k, 'XN-FROM-01', 777, `assert(MACH_NODE_ID_VALID(msg->node_id)) failed in mnl_msg_from_node: node_id ${msg.nodeId}`);
      return 2;
    },
  ],
  [
    'assert(MNL_NODE_VALID(node))',
    (k, t, f) => {
      if (!nodeAt(k, t.machine, f.a0)) return fault(k, 'XN-FROM-01', 778, 'assert(MNL_NODE_VALID(node)) failed in mnl_msg_from_node');
      return 3;
    },
  ],
  [
    'switch(msg->sub)',
    (k, t, f) => {
      const m = xm(k, t);
      const msg = k.state.nodes.msgs[f.a1]!;
      if (msg.sub !== SUB_FLIPC) {
        nodeEvent(k, m, 'drop', f.a0, `mnl_msg_from_node: invalid subsystem ${msg.sub}, message dropped`); // XN-FROM-03
        return done(f, 0);
      }
      // XN-FROM-02: flipc_msg_from_node delivers to the local endpoint named msg->object.
      const target = mnlObjLookup(k, m, msg.object);
      const obj = target > 0 && target < MNL_BUCKET_HEAD_BASE ? objAt(k, t.machine, target) : null;
      if (!obj) {
        nodeEvent(k, m, 'flipc-drop', f.a0, `no endpoint named ${msg.object}; FLIPC message dropped`);
        return done(f, 0);
      }
      const copy = mnlMsgAlloc(k, m, msg.size, 'endpoint');
      const c = k.state.nodes.msgs[copy]!;
      c.sub = msg.sub;
      c.nodeId = msg.nodeId;
      c.object = msg.object;
      c.words = msg.words.slice();
      obj.queue.push(copy);
      nodeEvent(k, m, 'flipc-deliver', f.a0, `message #${copy} to endpoint ${msg.object} (obj #${obj.handle})`);
      wakeWaiters(k, 'obj', obj.handle, now(k));
      return done(f, 0);
    },
  ],
];

const msgComplete: Steps = [
  [
    'switch(msg->sub)',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, 0); // XN-STUB-09
      const msg = msgAt(k, t.machine, f.a1);
      if (!msg) return fault(k, 'XN-CMPL-03', 837, 'NULL dereference: msg->sub in mnl_msg_complete (no NULL check)');
      if (msg.sub === SUB_NODE) mnlMsgFree(k, m, msg); // XN-CMPL-01
      else if (msg.sub === SUB_FLIPC) msg.freed = true; // XN-CMPL-02: flipc_msg_free
      else nodeEvent(k, m, 'leak', f.a0, `mnl_msg_complete: invalid subsystem ${msg.sub}, buffer #${msg.handle} not freed`); // XN-CMPL-03
      return done(f, 0);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// The link driver's transmit and receive over a declared link (outside seed)

export function linkBetween(k: Kernel, a: number, b: number): { index: number; link: LinkState } | null {
  const links = k.state.links;
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if ((l.a === a && l.b === b) || (l.a === b && l.b === a)) return { index: i, link: l };
  }
  return null;
}

export function linkEvent(k: Kernel, index: number, action: 'send' | 'deliver' | 'drop' | 'lost' | 'down' | 'up', text: string): void {
  if (!k.record) return;
  k.emit({ kind: 'link', time: k.cpu ? k.cpu.time : 0, cpu: k.cpu ? k.cpu.index : -1, link: index, action, text });
}

const machineName = (k: Kernel, i: number): string => k.state.machines[i]?.name ?? `#${i}`;

const linkSend: Steps = [
  [
    'link_transmit',
    (k, t, f) => {
      const node = nodeAt(k, t.machine, f.a0);
      const msg = msgAt(k, t.machine, f.a1);
      if (!node || !msg) return done(f, KERN_INVALID_ARGUMENT);
      const found = linkBetween(k, t.machine, node.remoteMachine);
      if (!found || !found.link.up) return done(f, KERN_FAILURE);
      const { index, link } = found;
      const route = `${machineName(k, t.machine)} → ${machineName(k, node.remoteMachine)}`;
      if (link.drop > 0) {
        link.drop--;
        link.dropped++;
        linkEvent(k, index, 'drop', `${route}: message #${msg.handle} dropped (fault)`);
        return done(f, 0);
      }
      const arriveAt = now(k) + link.latency;
      link.inFlight.push({ from: t.machine, to: node.remoteMachine, arriveAt, sub: msg.sub, nodeId: msg.nodeId, object: msg.object, size: msg.size, words: msg.words.slice() });
      link.sent++;
      linkEvent(k, index, 'send', `${route}: message #${msg.handle} (sub ${msg.sub}, object ${msg.object}), arrives at ${arriveAt}`);
      // Wake the receiving driver(s) on the other machine, ready when the message arrives.
      for (const w of k.state.nodes.waiters.slice()) {
        if (w.kind !== 'link') continue;
        const peer = k.state.nodes.nodes[w.target];
        if (peer && peer.machine === node.remoteMachine && peer.remoteMachine === t.machine) wakeThread(k, w.thread, arriveAt);
      }
      return done(f, 0);
    },
  ],
];

const linkRecv: Steps = [
  [
    'link_receive',
    (k, t, f) => {
      const node = nodeAt(k, t.machine, f.a0);
      if (!node || node.dead) return done(f, 0);
      const found = linkBetween(k, t.machine, node.remoteMachine);
      if (!found) return done(f, 0);
      const { index, link } = found;
      let i = -1;
      for (let j = 0; j < link.inFlight.length; j++) {
        const m = link.inFlight[j]!;
        if (m.to === t.machine && m.from === node.remoteMachine && (i < 0 || m.arriveAt < link.inFlight[i]!.arriveAt)) i = j;
      }
      if (i < 0) {
        if (!link.up) return done(f, 0); // the link is down: nothing will come
        return block(k, t, f, 'link', node.handle);
      }
      const incoming = link.inFlight[i]!;
      if (incoming.arriveAt > now(k)) {
        const r = block(k, t, f, 'link', node.handle);
        wakeThread(k, t.id, incoming.arriveAt);
        return r;
      }
      link.inFlight.splice(i, 1);
      link.delivered++;
      const m = xm(k, t);
      const handle = mnlMsgAlloc(k, m, incoming.size, 'kalloc');
      const msg = k.state.nodes.msgs[handle]!;
      msg.sub = incoming.sub;
      msg.nodeId = incoming.nodeId;
      msg.object = incoming.object;
      msg.words = incoming.words.slice();
      linkEvent(k, index, 'deliver', `${machineName(k, incoming.from)} → ${machineName(k, t.machine)}: message #${handle} (sub ${msg.sub}, object ${msg.object})`);
      return done(f, handle);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// FLIPC user side (minimal; the seed only calls FLIPC)

const flipcSend: Steps = [
  [
    'flipc_msg_send',
    (k, t, f) => {
      const m = xm(k, t);
      if (!m.flipc) return done(f, KERN_FAILURE);
      const node = nodeAt(k, t.machine, f.a0);
      if (!node) return done(f, KERN_INVALID_ARGUMENT);
      if (node.dead) return done(f, KERN_NODE_DOWN);
      if (!node.flipcReady) return done(f, KERN_FAILURE);
      const handle = mnlMsgAlloc(k, m, 8 * f.v3, 'flipc');
      const msg = k.state.nodes.msgs[handle]!;
      msg.sub = SUB_FLIPC;
      msg.nodeId = m.localnodeId;
      msg.object = f.a1;
      msg.words = [f.v4, f.v5, f.v6, f.v7].slice(0, f.v3);
      node.flipcQueue.push(handle);
      nodeEvent(k, m, 'flipc-queue', node.handle, `message #${handle} for endpoint ${f.a1} (${f.v3} words)`);
      if (node.link === MNL_LINK_UP) wakeWaiters(k, 'to-node', node.handle, now(k));
      return done(f, 0);
    },
  ],
];

const flipcReceive: Steps = [
  [
    'flipc_msg_receive',
    (k, t, f) => {
      const obj = objAt(k, t.machine, f.a0);
      if (!obj) return done(f, 0);
      if (obj.queue.length > 0) return done(f, obj.queue.shift()!);
      return block(k, t, f, 'obj', obj.handle);
    },
  ],
];

// A thread blocked on a node's proxy port set (what XN-TERM-03 wakes).
const nodeWait: Steps = [
  [
    'mach_msg_receive(proxy_port_set)',
    (k, t, f) => {
      if (f.v0 === 0) {
        const node = nodeAt(k, t.machine, f.a0);
        if (!node || node.proxyPortSet === 0) return done(f, KERN_INVALID_ARGUMENT);
        f.v0 = node.proxyPortSet;
      }
      const pset = portRecord(k, f.v0);
      if (!pset || pset.dead) return done(f, MACH_RCV_PORT_DIED);
      return block(k, t, f, 'pset', f.v0);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// The host node port (mach_node_port_changed, L199-249) and the node bootstrap server

const hostSetNodePort: Steps = [
  [
    'kernel_set_special_port(HOST_NODE_PORT)',
    (k, t, f) => {
      const m = xm(k, t);
      const port = given(f, 0) ? f.a0 : portAllocUser(k, t.machine);
      const old = portRecord(k, m.hostNodePort);
      if (old) old.sendRights--; // the host releases its send right on the old special port
      m.hostNodePort = port;
      m.bootstrapIsMach = false;
      const p = portRecord(k, port);
      if (p) p.sendRights++;
      f.r = port;
      nodeEvent(k, m, 'host-node-port', 0, `HOST_NODE_PORT = port #${port}`);
      if (!m.flipc) return DONE; // no mach_node_port_changed without MACH_FLIPC
      return 1;
    },
  ],
  [
    'mach_node_init',
    (k, t) => {
      machNodeInit(k, xm(k, t)); // XN-PORT-01
      return 2;
    },
  ],
  [
    'flipc_node_retire(localnode)',
    (k, t) => {
      const m = xm(k, t);
      const local = k.state.nodes.nodes[m.localnode]!;
      flipcNodeRetire(k, local);
      if (ipValid(local.bootstrapPort)) local.bootstrapPort = 0; // XN-PORT-02: the send right leaks
      return 3;
    },
  ],
  [
    'kernel_get_special_port(HOST_NODE_PORT)',
    (k, t) => {
      const m = xm(k, t);
      const bs = m.hostNodePort;
      if (!ipValid(bs)) return fault(k, 'XN-PORT-04', 217, 'assert(IP_VALID(bs_port)) failed in mach_node_port_changed');
      const local = k.state.nodes.nodes[m.localnode]!;
      const p = portRecord(k, bs);
      if (p) p.sendRights++; // copy send
      local.bootstrapPort = bs; // XN-PORT-03
      flipcNodePrepare(k, local);
      return 4;
    },
  ],
  [
    'publish_all',
    (k, t, f) => {
      republishAll(k, xm(k, t)); // XN-PORT-05/06
      return done(f, f.r);
    },
  ],
];

const nodedReceive: Steps = [
  [
    'mach_msg_receive',
    (k, t, f) => {
      const p = portRecord(k, f.a0);
      if (!p || p.kind !== 'port' || p.machine !== t.machine) return done(f, MACH_RCV_INVALID_NAME);
      if (p.dead) return done(f, MACH_RCV_PORT_DIED);
      if (p.queue.length > 0) return done(f, p.queue.shift()! + 1);
      return block(k, t, f, 'port', p.handle);
    },
  ],
];

const portDestroyOp: Steps = [
  [
    'ipc_port_destroy',
    (k, t, f) => {
      const p = portRecord(k, f.a0);
      if (!p || p.kind !== 'port' || p.machine !== t.machine) return done(f, KERN_INVALID_ARGUMENT);
      portDestroy(k, f.a0);
      return done(f, 0);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// Names and objects (L443-565)

const objInit: Steps = [
  [
    'mnl_obj_init',
    (k, t, f) => {
      const objs = k.state.nodes.objs;
      const handle = objs.length;
      objs.push({ handle, machine: t.machine, name: 0, linked: false, queue: [] }); // XN-NAME-03
      if (given(f, 0)) objs[handle]!.name = f.a0; // the caller names it before inserting
      return done(f, handle);
    },
  ],
];

const objInsert: Steps = [
  [
    'check_obj',
    (k, t, f) => (objAt(k, t.machine, f.a0) ? 1 : done(f, KERN_INVALID_ARGUMENT)), // XN-INS-01
  ],
  [
    'name_and_enqueue',
    (k, t, f) => {
      const m = xm(k, t);
      const obj = k.state.nodes.objs[f.a0]!;
      if (!(obj.name >= m.nodesMax)) obj.name = mnlNameAlloc(m); // XN-INS-02
      mnlEnqueue(m, obj); // XN-INS-03: duplicates are enqueued
      nodeEvent(k, m, 'name', 0, `obj #${obj.handle} inserted as ${obj.name}`);
      return 2;
    },
  ],
  [
    'check_name',
    (k, t, f) => {
      const m = xm(k, t);
      const obj = k.state.nodes.objs[f.a0]!;
      if (obj.name >= m.nodesMax * 2) {
        return fault(k, 'XN-INS-04', 562, `panic("Unexpected MNL_NAME ${obj.name} in obj #${obj.handle}") in mnl_obj_insert`);
      }
      return done(f, 0); // XN-INS-05
    },
  ],
];

const objLookup: Steps = [['mnl_obj_lookup', (k, t, f) => done(f, mnlObjLookup(k, xm(k, t), f.a0))]];

const objRemove: Steps = [
  [
    'mnl_obj_remove',
    (k, t, f) => {
      const m = xm(k, t);
      const { result, removed } = mnlObjRemove(k, m, f.a0);
      if (removed > 0) nodeEvent(k, m, 'name', 0, `${removed} object(s) named ${f.a0} removed`);
      return done(f, result);
    },
  ],
];

const nameAlloc: Steps = [['mnl_name_alloc', (k, t, f) => done(f, mnlNameAlloc(xm(k, t)))]];
const nameFree: Steps = [['mnl_name_free', (_k, _t, f) => done(f, 0)]];

const buildProfile: Steps = [
  [
    'select_build',
    (k, t, f) => {
      const m = xm(k, t);
      if (m.localnodeId !== -1) return done(f, KERN_FAILURE);
      m.flipc = f.a0 !== 0;
      nodeEvent(k, m, 'profile', 0, m.flipc ? 'MACH_FLIPC' : 'no MACH_FLIPC (KPI stubs)');
      return done(f, 0);
    },
  ],
];

export const XNU_SYSCALL_IMPLEMENTATIONS: readonly SyscallImplementation[] = [
  syscall('mnl_instantiate', 'mnl_instantiate', ['nid', 'remote_machine'], instantiate, prologue),
  syscall('mnl_set_info', 'mnl_driver_set_info', ['node', 'node_id', 'byteorder', 'datamodel'], setInfo, prologue),
  syscall('mnl_register', 'mnl_register', ['node'], register, prologue),
  syscall('mnl_set_link_state', 'mnl_set_link_state', ['node', 'link'], setLinkState, prologue),
  syscall('mnl_terminate', 'mnl_terminate', ['node'], terminate, prologue),
  syscall('mnl_msg_alloc', 'mnl_msg_alloc', ['payload'], msgAlloc, prologue),
  syscall('mnl_msg_free', 'mnl_msg_free', ['msg'], msgFree, prologue),
  syscall('mnl_msg_set', 'mnl_driver_msg_set', ['msg', 'sub', 'node_id', 'size'], msgSet, prologue),
  syscall('mnl_msg_to_node', 'mnl_msg_to_node', ['node'], msgToNode, prologue),
  syscall('mnl_msg_from_node', 'mnl_msg_from_node', ['node', 'msg'], msgFromNode, prologue),
  syscall('mnl_msg_complete', 'mnl_msg_complete', ['node', 'msg'], msgComplete, prologue),
  syscall('link_send', 'mnl_driver_link_send', ['node', 'msg'], linkSend, prologue),
  syscall('link_recv', 'mnl_driver_link_recv', ['node'], linkRecv, prologue),
  syscall('flipc_send', 'flipc_msg_send', ['node', 'object', 'data'], flipcSend, prologue),
  syscall('flipc_receive', 'flipc_msg_receive', ['obj'], flipcReceive, prologue),
  syscall('node_wait', 'mach_msg_receive(proxy_port_set)', ['node'], nodeWait, prologue),
  syscall('host_set_node_port', 'host_set_special_port(HOST_NODE_PORT)', ['port'], hostSetNodePort, prologue),
  syscall('noded_receive', 'noded_mach_msg_receive', ['port'], nodedReceive, prologue),
  syscall('node_port_destroy', 'noded_port_destroy', ['port'], portDestroyOp, prologue),
  syscall('mnl_obj_init', 'mnl_obj_init', ['name'], objInit, prologue),
  syscall('mnl_obj_insert', 'mnl_obj_insert', ['obj'], objInsert, prologue),
  syscall('mnl_obj_lookup', 'mnl_obj_lookup', ['name'], objLookup, prologue),
  syscall('mnl_obj_remove', 'mnl_obj_remove', ['name'], objRemove, prologue),
  syscall('mnl_name_alloc', 'mnl_name_alloc', [], nameAlloc, prologue),
  syscall('mnl_name_free', 'mnl_name_free', ['name'], nameFree, prologue),
  syscall('mnl_build_profile', 'mnl_build_profile', ['flipc'], buildProfile, prologue),
];

export { bucketHead };
