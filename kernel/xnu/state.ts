// XNU mach_node state as plain data: per machine, the node table, the mnl name table and the
// node bootstrap port; globally, node structs, mnl objects, mnl_msg buffers, the minimal ports
// this layer needs (see ports.ts) and the links between machines. Every cross reference is a
// numeric handle (0 = NULL); scenario code sees the same integers.

import type { KernelState } from '../state';

export const SEED_XNU = 'xnu-mach_node.c.txt';

/** `MNL_LINK_*` (mach_node_link.h). */
export const MNL_LINK_DOWN = 0;
export const MNL_LINK_RX = 1;
export const MNL_LINK_TX = 2;
export const MNL_LINK_UP = 3;
/** `MACH_NODE_SUB_*`. */
export const SUB_INVALID = 0;
export const SUB_NODE = 1;
export const SUB_FLIPC = 2;
export const SUB_VMSYS = 3;
export const MACH_NODE_SERVER_MSG_ID = 0x45444f4e;
export const MACH_NODE_SM_REG_LOCAL = 0;
export const MACH_NODE_SM_REG_REMOTE = 1;
export const MACH_MSG_TYPE_COPY_SEND = 19;
export const MACH_MSG_TYPE_MAKE_SEND = 20;
export const MNL_PROTOCOL_V1 = 1;
/** `sizeof(struct mnl_msg)` (packed). */
export const MNL_MSG_SIZE = 24;
/** `sizeof(struct mach_node_server_register_msg)`: header 24 + 3 u32 + 2 u8, pack(4) → 40 (outside seed: mach_node.h). */
export const NODE_SERVER_REGISTER_MSG_SIZE = 40;
export const MNL_NAME_TABLE_SIZE = 256;
/** Mach return codes of the minimal port layer (outside seed: mach/message.h). */
export const MACH_SEND_INVALID_DEST = 0x10000003;
export const MACH_RCV_PORT_DIED = 0x10004009;
/**
 * The "bucket head cast to mnl_obj_t" that mnl_obj_lookup/remove return when nothing matches
 * (XN-LKP-03, XN-RMV-02/03): `MNL_BUCKET_HEAD_BASE + name % 256`. Never 0 and never a real
 * object handle (object handles are small integers).
 */
export const MNL_BUCKET_HEAD_BASE = 0x4e00_0000;

/** One `struct mach_node` (= `mnl_node_info` at its head). Handle = index in `XnuState.nodes`. */
export interface MachNode {
  readonly handle: number;
  /** The machine whose kernel allocated it (its node table owner). */
  readonly machine: number;
  // info (mnl_node_info)
  nodeId: number;
  datamodel: number;
  byteorder: number;
  protoVersMin: number;
  protoVersMax: number;
  // mach_node
  protoVers: number;
  published: number;
  active: number;
  suspended: number;
  dead: number;
  /** 2-bit bitfield. */
  link: number;
  antecedent: number;
  proxySpace: number;
  proxyPortSet: number;
  bootstrapPort: number;
  controlPort: number;
  /** Driver-side binding: the machine at the other end of the link (-1 none). */
  remoteMachine: number;
  /** The remote machine's boot epoch when the driver bound the node (crashes bump it). */
  remoteEpoch: number;
  /** A Mach port standing for `bootstrapPort` in REG_REMOTE messages to a Mach bootstrap port (0 = none yet). */
  machProxyPort: number;
  /** FLIPC: prepared by flipc_node_prepare, retired by flipc_node_retire. */
  flipcReady: boolean;
  /** FLIPC messages (mnl_msg handles) queued for transmission to this node. */
  flipcQueue: number[];
}

/** An mnl_obj (a link-driver or FLIPC object with a name). Handle = index in `XnuState.objs`. */
export interface MnlObj {
  readonly handle: number;
  readonly machine: number;
  name: number;
  /** In a bucket of the name table (`links` enqueued). */
  linked: boolean;
  /** FLIPC endpoint: payloads delivered to this object (mnl_msg handles). */
  queue: number[];
}

/** An mnl_msg buffer. Handle = index in `XnuState.msgs`. */
export interface MnlMsg {
  readonly handle: number;
  readonly machine: number;
  sub: number;
  cmd: number;
  qos: number;
  flags: number;
  nodeId: number;
  object: number;
  options: number;
  size: number;
  /** Payload as 8-byte words (not zeroed by mnl_msg_alloc: seeded garbage until written). */
  words: number[];
  /** Who owns it: 'kalloc' (mnl_msg_alloc), 'flipc' (FLIPC's pool), 'endpoint' (delivered). */
  pool: 'kalloc' | 'flipc' | 'endpoint';
  freed: boolean;
}

/** A registration message as mach_node_publish builds it (the fields the seed sets). */
export interface NodeServerMsg {
  readonly bits: number;
  readonly remotePort: number;
  readonly localPort: number;
  readonly voucherPort: number;
  readonly id: number;
  readonly size: number;
  readonly identifier: number;
  readonly options: number;
  readonly nodeId: number;
  readonly datamodel: number;
  readonly byteorder: number;
}

/** Minimal Mach port / port set / IPC space records (the seam; see ports.ts). */
export interface XnuPort {
  readonly handle: number;
  readonly machine: number;
  readonly kind: 'port' | 'pset' | 'space';
  /** A port that was destroyed (or a pset destroyed, a space terminated). */
  dead: boolean;
  /** The space holding the receive right (0 = a user task's space). */
  readonly space: number;
  /** Port: the pset it is a member of; pset: unused. */
  pset: number;
  /** Queued registration messages (indices into `XnuState.kmsgs`). */
  queue: number[];
  /** Send rights held on it by the kernel (leaked references are visible here). */
  sendRights: number;
}

export interface XnuMachine {
  readonly machine: number;
  /** MACH_FLIPC build profile: false = the KPI stubs (XN-STUB-*). */
  flipc: boolean;
  /** MACH_NODES_MAX for this machine. */
  readonly nodesMax: number;
  readonly byteOrder: number;
  readonly dataModel: number;
  /** -1 before mach_node_init. */
  localnodeId: number;
  localnode: number;
  /** Node handles by node id; 0 = empty. */
  table: number[];
  toPublish: number;
  nameNext: number;
  /** 256 buckets of object handles, in queue order. */
  names: number[][];
  /** HOST_NODE_PORT (the special port) set with `host_set_node_port`, 0 = none. */
  hostNodePort: number;
  /**
   * The localnode's bootstrap port is a Mach port (`kernel/mach/`), set through Mach's
   * `host_set_special_port(HOST_NODE_PORT)`: publications are real Mach messages.
   */
  bootstrapIsMach: boolean;
  /** Bytes currently kalloc'd for mnl_msg buffers (mnl_msg_alloc/free accounting, XN-MSG-04). */
  msgBytes: number;
  /** The seed's printf output, in order (bounded to the last 64 lines). */
  printf: string[];
}

/** A thread blocked in an XNU operation. */
export interface XnuWaiter {
  readonly thread: number;
  readonly kind: 'pset' | 'port' | 'obj' | 'to-node' | 'link';
  /** The node / port / obj handle it waits on. */
  readonly target: number;
}

/** A message in flight on a link. */
export interface LinkMessage {
  readonly from: number;
  readonly to: number;
  readonly arriveAt: number;
  readonly sub: number;
  readonly nodeId: number;
  readonly object: number;
  readonly size: number;
  readonly words: number[];
}

/** Run-time state of one `link A <-> B`. */
export interface LinkState {
  readonly a: number;
  readonly b: number;
  readonly latency: number;
  up: boolean;
  /** Messages still to be dropped (fault `drop`). */
  drop: number;
  inFlight: LinkMessage[];
  sent: number;
  delivered: number;
  dropped: number;
  lost: number;
}

export interface XnuState {
  machines: XnuMachine[];
  nodes: (MachNode | null)[];
  objs: (MnlObj | null)[];
  msgs: (MnlMsg | null)[];
  ports: (XnuPort | null)[];
  kmsgs: NodeServerMsg[];
  waiters: XnuWaiter[];
}

/** The XNU part of the kernel state (`KernelState.nodes`), created at boot. */
export function xnuOf(state: KernelState): XnuState {
  return state.nodes;
}
