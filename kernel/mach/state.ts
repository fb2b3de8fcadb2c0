// Mach IPC state as plain data: ports, port sets, one IPC space (port name space) per process,
// kernel messages (a reusable pool), per-thread receive state, the bootstrap registry, the host
// special ports and the IOKit registry. Cross references are numeric ids (0 = none), so the whole
// `KernelState.mach` is cloned with the rest of the state.

/** A Mach port (`struct ipc_port`). Port id 0 is NULL. */
export interface MachPort {
  readonly id: number;
  /** Readable label: `server:0x103`, `host`, `task client`, `io_connect drv #1`. */
  readonly label: string;
  readonly machine: number;
  /** `ip_active`: false once the receive right was destroyed (the port is dead). */
  active: boolean;
  /** Process index whose space holds the receive right, -1 when the kernel holds it (kobjects) or it is in transit. */
  receiverProcess: number;
  /** The receive right's name in that space (0 when none). */
  receiverName: number;
  /** Queued kernel message ids, oldest first (`ip_messages`). */
  queue: number[];
  /** `mq_qlimit`. */
  queueLimit: number;
  /** Messages delivered to receivers through this port (dequeued or handed off): `mq_seqno`. */
  seqno: number;
  /** Port set id this port belongs to (0 = none). */
  portSet: number;
  /** Thread ids blocked in a receive on this port itself, first come first served. */
  receivers: number[];
  /** Thread ids blocked sending because the queue is full. */
  blockedSenders: number[];
  /** `ip_kotype`: 0 (IKOT_NONE) for an ordinary port; a type of the fixed kobject table otherwise. */
  kobjectType: number;
  /** The object a kobject port stands for: a process index (task), an IOKit connection id, a machine. */
  kobject: number;
  /** Send rights outstanding (named, naked, or carried by messages): `ip_srights`. */
  sendRights: number;
  /** Send-once rights outstanding: `ip_sorights`. */
  sendOnceRights: number;
  /** Dead-name requests: flattened pairs [process, name, notify port id, ...]. */
  deadNameRequests: number[];
}

/** A port set (`struct ipc_pset`). */
export interface MachPortSet {
  readonly id: number;
  readonly label: string;
  active: boolean;
  readonly process: number;
  /** Member port ids, in the order they joined. */
  members: number[];
  /** Thread ids blocked in a receive on the set. */
  receivers: number[];
}

/** One entry of an IPC space (`struct ipc_entry`): the rights a name denotes. */
export interface MachEntry {
  /** The full name: `(index << 8) | generation`. */
  name: number;
  /** `MACH_PORT_TYPE_*` bits (send, receive, send-once, port set, dead name). */
  type: number;
  /** Port id (or port-set id for a port set, 0 for a dead name whose port is gone). */
  object: number;
  /** User references of the send right or dead name. */
  urefs: number;
}

/** A task's port name space (`struct ipc_space`). */
export interface MachSpace {
  readonly process: number;
  readonly name: string;
  /** Entry by name index (`name >> 8`); null for a free index. Index 0 is never used. */
  entries: (MachEntry | null)[];
  /** Generation to use at the next allocation of each index. */
  generations: number[];
  /** Free indices, reused last-freed first. */
  freeIndices: number[];
  /** Send-right reverse lookup: port id → name index (a task has one name for its send rights to a port). */
  sendNames: Record<number, number>;
  /** Names in use. */
  count: number;
  /** The task's self port (IKOT_TASK_CONTROL), created on first use. */
  taskPort: number;
}

/** A kernel message (`ipc_kmsg`), kept in a pool and reused. */
export interface MachMessage {
  readonly id: number;
  inUse: boolean;
  /** `msgh_bits` as the sender wrote them. */
  bits: number;
  /** `msgh_id`. */
  msgId: number;
  /** Destination port id and the right the message carries for it (17 send, 18 send-once). */
  remotePort: number;
  remoteType: number;
  /** Reply port id and its carried right (0 = none). */
  localPort: number;
  localType: number;
  /**
   * Descriptors in message order. Port descriptors: port ids and carried rights (16 receive, 17
   * send, 18 send-once; 0 for a null name). OOL memory descriptors: the `MachVmCopy` id (0 for a
   * zero-size region) with the type `DESC_OOL` (see ipc.ts).
   */
  ports: number[];
  portTypes: number[];
  /** Inline data bytes (the body after the descriptors); `dataLength` of `data` are valid. */
  data: Uint8Array;
  dataLength: number;
  /** The sending thread (0 for a kernel-generated message such as a notification). */
  sender: number;
}

/**
 * A `vm_map_copy` object: out-of-line memory in transit. Copyin captures the sender's bytes (copy
 * semantics: later writes by the sender are not seen); an ordinary receive maps them into the
 * receiver (vm_map_copyout), a passive server gets the object itself. Kept in a pool and reused.
 */
export interface MachVmCopy {
  readonly id: number;
  inUse: boolean;
  /** The region's size in bytes (`size` of the descriptor). */
  size: number;
  /** MACH_MSG_PHYSICAL_COPY (0) or MACH_MSG_VIRTUAL_COPY (1), as the sender asked. */
  copy: number;
  /** The sender asked to deallocate its region (`deallocate`). */
  deallocate: boolean;
  /** The sender's address (before copyin), for the trace. */
  source: number;
  /** The message carrying it; -1 once a passive server owns it (a naked reference). */
  message: number;
  /** The captured contents; `size` bytes are valid (the pool reuses the buffer). */
  bytes: Uint8Array;
}

/** Per-thread Mach state (created on first use). */
export interface MachThread {
  readonly thread: number;
  /** Where the last receive copied its message out (the message builtins read there). */
  receiveBuffer: number;
  /** Deadline (virtual cycles) of a blocked send or receive with a timeout; -1 = none. */
  deadline: number;
  /**
   * The uncooked message a driver method on this thread serves (innermost call; -1 = none, also
   * once the method received a message itself: the accessors then read that one).
   */
  passiveMessage: number;
  /** Saved contexts of passive calls in progress, innermost last (see `ipc_kobject_server`). */
  passiveStack: MachSavedContext[];
  passiveDepth: number;
  /** Output words of the driver method that is returning (`iokit_return(value, data: [...])`). */
  replyWords: number[];
}

/** A caller's context saved while a driver routine serves its message on the same thread. */
export interface MachSavedContext {
  message: number;
  routine: number;
  ip: number;
  sp: number;
  arg0: number;
  arg1: number;
  arg2: number;
  arg3: number;
  entryArg0: number;
  locals: number[];
  sys: number;
  step: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  v0: number;
  v1: number;
  v2: number;
  v5: number;
  v7: number;
  v8: number;
}

/** A registered IOKit service (`IOService` with a user client class), served passively. */
export interface IoService {
  readonly id: number;
  readonly name: string;
  readonly machine: number;
  /** The driver process and the routine that serves `io_connect_method`. */
  readonly process: number;
  readonly routine: number;
  /** Its io_service kobject port (IKOT_IOKIT_OBJECT). */
  readonly port: number;
}

/** An open IOKit user client (`io_connect`). */
export interface IoConnect {
  readonly id: number;
  readonly service: number;
  readonly client: number;
  readonly port: number;
}

export interface MachHost {
  readonly machine: number;
  /** Special ports by index (`host_special_port`), port ids; 0 = unset. */
  specialPorts: number[];
  /** Bootstrap registrations: service name → port id (the bootstrap server holds a send right). */
  bootstrap: Record<string, number>;
  /** IOKit registry: service name → IoService id. */
  registry: Record<string, number>;
}

export interface MachState {
  ports: (MachPort | null)[];
  portSets: (MachPortSet | null)[];
  /** One space per process (index = process declaration), created on first use. */
  spaces: (MachSpace | null)[];
  messages: MachMessage[];
  freeMessages: number[];
  /** By thread id. */
  threads: (MachThread | null)[];
  /** One per machine, created on first use. */
  hosts: (MachHost | null)[];
  services: IoService[];
  connects: IoConnect[];
  /** Threads blocked in mach_msg with a deadline (their `MachThread.deadline`). */
  timedWaiters: number[];
  /** vm_map_copy objects (out-of-line memory in transit); index 0 is never used. */
  copies: MachVmCopy[];
  freeCopies: number[];
}

export function newMachState(): MachState {
  return {
    ports: [null],
    portSets: [null],
    spaces: [],
    messages: [],
    freeMessages: [],
    threads: [],
    hosts: [],
    services: [],
    connects: [],
    timedWaiters: [],
    copies: [],
    freeCopies: [],
  };
}
