// The syscall and builtin tables: one description of every operation a scenario can invoke.
//
// The checker validates calls against these tables, the language server's hover and completion
// read them, the kernel dispatches on them and the reference pages in docs/syscalls/ follow them,
// so the four cannot drift apart.

import { MACH_BUILTINS, MACH_SYSCALLS } from './mach/spec';
import { TOCK_BUILTINS, TOCK_SYSCALLS } from './tock/spec';
import { XNU_BUILTINS, XNU_SYSCALLS } from './xnu/spec';

/** What a parameter accepts, as the checker sees it. */
export type ParameterKind =
  /** Any capability slot number in the caller's group (an object name lowers to its slot). */
  | 'capability'
  /** A capability expected to name a thread (the checker warns on a statically known other kind). */
  | 'thread'
  | 'pmo'
  | 'connection'
  /** A process (capability group) name; used by cap transfer and fault injection. */
  | 'process'
  /** A thread or process, for fault injection. */
  | 'target'
  /** A routine name (lowered to its entry address) or an integer address. */
  | 'routine'
  | 'address'
  | 'integer'
  /** A list of integers and byte strings: message data. */
  | 'data'
  /** A list of capabilities: capabilities to transfer. */
  | 'capabilities'
  /** A static object identity for kernel-state queries (no capability needed). */
  | 'object'
  /** A machine name, lowered to its index. */
  | 'machine'
  /** A Mach port name in the caller's IPC space (an integer at run time). */
  | 'port'
  | 'bytes';

export interface ParameterSpec {
  readonly name: string;
  readonly kind: ParameterKind;
  readonly optional?: boolean;
  readonly doc: string;
}

export interface ErrorSpec {
  /** The error's name as written in scenarios: `-EINVAL`, `KERN_NODE_DOWN`, `NODEVICE`. */
  readonly code: string;
  readonly when: string;
  /** The seed-paths.md row ids this error path follows. */
  readonly rows: readonly string[];
}

export type SyscallFamily = 'chcore-ipc' | 'capability' | 'memory' | 'thread' | 'fault' | 'mach' | 'mach-rpc' | 'xnu-node' | 'tock';

export interface SyscallSpec {
  /** The name used in scenarios: `ipc_call`. */
  readonly name: string;
  /** The kernel entry it models, used for function breakpoints: `sys_ipc_call`. */
  readonly kernelName: string;
  readonly family: SyscallFamily;
  readonly params: readonly ParameterSpec[];
  /** Sets of parameters that may not be given together (alternative forms of the call). */
  readonly exclusive?: readonly (readonly string[])[];
  readonly summary: string;
  readonly returns: string;
  /** What a successful result names, so the checker can type `let conn = register_client(...)`. */
  readonly resultKind?: ParameterKind;
  readonly errors: readonly ErrorSpec[];
  /** Where the behaviour comes from: a seed file and line range. */
  readonly seed: string;
}

const SHM_NOTE =
  'The message header, its data and its capability slots must lie inside the connection\'s shared memory.';

const CHCORE_AND_GENERIC_SYSCALLS: readonly SyscallSpec[] = [
  {
    name: 'register_server',
    kernelName: 'sys_register_server',
    family: 'chcore-ipc',
    params: [
      { name: 'register_thread', kind: 'thread', doc: 'A thread of type `register` in this process; it runs each client registration.' },
      { name: 'routine', kind: 'routine', optional: true, doc: 'The declared IPC routine, passed to the register thread in arg0. Not validated.' },
      { name: 'destructor', kind: 'routine', optional: true, doc: 'Routine recorded as the connection destructor.' },
    ],
    summary: 'Publishes the calling thread as an IPC server whose registrations run on `register_thread`.',
    returns: '0 on success.',
    errors: [
      { code: '-EINVAL', when: 'the calling thread already has an IPC configuration (registered before, or is a register or handler thread)', rows: ['CH-RSRV-01'] },
      { code: '-ECAPBILITY', when: '`register_thread` is not a thread capability in the caller\'s group', rows: ['CH-RSRV-02'] },
      { code: '-EINVAL', when: '`register_thread` is a thread but not of type `register`', rows: ['CH-RSRV-03'] },
    ],
    seed: 'chcore-ipc-connection.c.txt L133-211, L462-467',
  },
  {
    name: 'register_client',
    kernelName: 'sys_register_client',
    family: 'chcore-ipc',
    params: [
      { name: 'server', kind: 'thread', doc: 'A capability to the server thread (the one that called `register_server`).' },
      { name: 'shm', kind: 'pmo', optional: true, doc: 'The PMO to share with the server; the runtime writes the `client_shm_config` on the stack.' },
      { name: 'addr', kind: 'address', optional: true, doc: 'Where to map `shm` in the client.' },
      { name: 'config', kind: 'address', optional: true, doc: 'Raw form: the user address of a 16-byte `client_shm_config { cap_t shm_cap; unsigned long shm_addr; }`.' },
    ],
    exclusive: [['shm', 'config'], ['addr', 'config']],
    summary:
      'Connects to a server: maps the shared memory, creates the connection, and migrates to the server\'s register thread, which finishes the registration with `ipc_register_cb_return`.',
    returns: 'The connection capability in the client\'s group.',
    resultKind: 'connection',
    errors: [
      { code: '-ECAPBILITY', when: '`server` is not a thread capability', rows: ['CH-RCLI-01'] },
      { code: '-EIPCRETRY', when: 'the server thread has not called `register_server` yet', rows: ['CH-RCLI-02'] },
      { code: '-EIPCRETRY', when: 'another registration to this server is in flight (its register lock is held)', rows: ['CH-RCLI-03'] },
      { code: '-EINVAL', when: 'the config pointer + 1 reaches KBASE (a one-byte range check, as in the seed)', rows: ['CH-RCLI-04'] },
      { code: '-ECAPBILITY', when: 'the config could not be read (it stays {0, 0}, so cap 0, the caller\'s own group, is mapped)', rows: ['CH-RCLI-05'] },
      { code: '-ECAPBILITY', when: 'the shm capability is not a PMO', rows: ['CH-RCLI-06'] },
      { code: '-EINVAL', when: 'the mapping reaches KBASE or overlaps an existing mapping', rows: ['CH-RCLI-06'] },
      { code: '-ENOMEM', when: 'the client or server capability table is full', rows: ['CH-RCLI-07', 'CH-CONN-03', 'CH-CONN-04'] },
    ],
    seed: 'chcore-ipc-connection.c.txt L242-337, L469-581',
  },
  {
    name: 'ipc_register_cb_return',
    kernelName: 'sys_ipc_register_cb_return',
    family: 'chcore-ipc',
    params: [
      { name: 'handler', kind: 'thread', doc: 'The handler thread that will serve calls on the new connection.' },
      { name: 'server_shm', kind: 'address', doc: 'Where to map the shared memory in the server.' },
      { name: 'exit_routine', kind: 'routine', optional: true, doc: 'Routine the handler runs when a client exits (first registration only).' },
    ],
    summary:
      'Called by the register thread: configures the handler, maps the shared memory in the server and returns the connection capability to the waiting client.',
    returns: 'Does not return to the register thread on success; the client\'s `register_client` returns.',
    errors: [
      { code: '-ECAPBILITY', when: 'the caller is not a register thread (no IPC configuration)', rows: ['CH-RCB-01'] },
      { code: '-ECAPBILITY', when: 'no registration is pending (the recorded connection capability is invalid)', rows: ['CH-RCB-02'] },
      { code: '-ECAPBILITY', when: '`handler` is not a thread capability', rows: ['CH-RCB-03'] },
      { code: '-EINVAL', when: 'mapping the shared memory at `server_shm` overlaps or reaches KBASE', rows: ['CH-RCB-04'] },
      { code: '-ECAPBILITY', when: 'the shared-memory capability copied into the server is invalid', rows: ['CH-RCB-04'] },
    ],
    seed: 'chcore-ipc-connection.c.txt L899-1007',
  },
  {
    name: 'ipc_call',
    kernelName: 'sys_ipc_call',
    family: 'chcore-ipc',
    params: [
      { name: 'conn', kind: 'connection', doc: 'The connection capability returned by `register_client`.' },
      { name: 'data', kind: 'data', optional: true, doc: 'Message data: integers (8 bytes each) and byte strings. The runtime builds the message at the start of the shared memory.' },
      { name: 'caps', kind: 'capabilities', optional: true, doc: 'Capabilities to transfer to the server.' },
      { name: 'msg', kind: 'address', optional: true, doc: 'Raw form: the address of an `ipc_msg` you built yourself.' },
      { name: 'cap_num', kind: 'integer', optional: true, doc: 'Raw form: the number of capabilities to transfer.' },
    ],
    exclusive: [['data', 'msg'], ['caps', 'msg'], ['caps', 'cap_num']],
    summary: `Calls the server over a connection: the calling thread waits and its scheduling context migrates to the handler thread. ${SHM_NOTE}`,
    returns: 'The value the handler passes to `ipc_return`, or -ESRCH if the server exited.',
    errors: [
      { code: '-EINVAL', when: 'the message pointer is null', rows: ['CH-CALL-01'] },
      { code: '-ECAPBILITY', when: '`conn` is not a connection capability', rows: ['CH-CALL-02'] },
      { code: '-EINVAL', when: 'the connection is not valid (registration unfinished, or an end exited)', rows: ['CH-CALL-03'] },
      { code: '-ESRCH', when: 'the connection is busy and the caller is an exiting shadow thread', rows: ['CH-CALL-04'] },
      { code: '-EIPCRETRY', when: 'another call holds the connection', rows: ['CH-CALL-06'] },
      { code: '-EIPCRETRY', when: 'the handler thread is serving another call', rows: ['CH-CALL-07'] },
      { code: '-EINVAL', when: 'the message header, data or capability slots lie outside the shared memory', rows: ['CH-CALL-08', 'CH-SHM-01', 'CH-SHM-03', 'CH-SHM-04'] },
      { code: '-EINVAL', when: 'more than 15 capabilities', rows: ['CH-CALL-09', 'CH-CAP-01'] },
      { code: '-ECAPBILITY', when: 'a capability to transfer is not valid', rows: ['CH-CALL-09', 'CH-CAP-07'] },
      { code: '-ENOMEM', when: 'the server\'s capability table is full', rows: ['CH-CALL-09', 'CH-CAP-07'] },
    ],
    seed: 'chcore-ipc-connection.c.txt L650-761, L383-436',
  },
  {
    name: 'ipc_return',
    kernelName: 'sys_ipc_return',
    family: 'chcore-ipc',
    params: [
      { name: 'value', kind: 'integer', doc: 'The value the client\'s `ipc_call` returns.' },
      { name: 'caps', kind: 'capabilities', optional: true, doc: 'Capabilities to return: the runtime writes them into the capability slots of the client\'s message.' },
      { name: 'cap_num', kind: 'integer', optional: true, doc: 'Raw form: transfer the first `cap_num` capabilities named in the message\'s slots.' },
    ],
    exclusive: [['caps', 'cap_num']],
    summary: 'Returns from a handler: the value (and capabilities) go back to the client, and control and the scheduling context migrate back to it.',
    returns: 'Does not return on success; the client runs next.',
    errors: [
      { code: '-EINVAL', when: 'the handler is not serving a call', rows: ['CH-RET-02'] },
      { code: '-EINVAL', when: '`cap_num` is 16 or more', rows: ['CH-RET-07', 'CH-CAP-01'] },
      { code: '-ECAPBILITY', when: 'a capability to return is not valid', rows: ['CH-RET-07', 'CH-CAP-07'] },
      { code: '-ENOMEM', when: 'the client\'s capability table is full', rows: ['CH-RET-07', 'CH-CAP-07'] },
    ],
    seed: 'chcore-ipc-connection.c.txt L758-897, L436-449',
  },
  {
    name: 'ipc_exit_routine_return',
    kernelName: 'sys_ipc_exit_routine_return',
    family: 'chcore-ipc',
    params: [],
    summary: 'Ends a handler\'s exit routine; the handler becomes migratable again.',
    returns: 'Does not return.',
    errors: [],
    seed: 'chcore-ipc-connection.c.txt L1009-1034',
  },
  {
    name: 'cap_copy',
    kernelName: 'cap_copy',
    family: 'capability',
    params: [
      { name: 'cap', kind: 'capability', doc: 'The capability to copy.' },
      { name: 'to', kind: 'process', doc: 'The process that receives the copy.' },
    ],
    summary: 'Copies a capability into another process\'s lowest free slot.',
    returns: 'The new slot number in the target process.',
    resultKind: 'capability',
    errors: [
      { code: '-ECAPBILITY', when: '`cap` is a free slot', rows: [] },
      { code: '-ENOMEM', when: 'the target table has no free slot', rows: [] },
    ],
    seed: 'ChCore cap_copy (outside seed; see seed-paths.md constants)',
  },
  {
    name: 'cap_free',
    kernelName: 'cap_free',
    family: 'capability',
    params: [{ name: 'cap', kind: 'capability', doc: 'The slot to free.' }],
    summary: 'Frees a capability slot; the object is freed when its last capability goes.',
    returns: '0.',
    errors: [{ code: '-ECAPBILITY', when: 'the slot is already free', rows: [] }],
    seed: 'ChCore cap_free (outside seed)',
  },
  {
    name: 'pmo_create',
    kernelName: 'sys_create_pmo',
    family: 'memory',
    params: [{ name: 'size', kind: 'integer', doc: 'Size in bytes, rounded up to a page.' }],
    summary: 'Creates a physical memory object.',
    returns: 'The new PMO capability.',
    resultKind: 'pmo',
    errors: [
      { code: '-EINVAL', when: 'the size is zero or negative', rows: [] },
      { code: '-ENOMEM', when: 'the machine\'s physical memory or the capability table is exhausted', rows: [] },
    ],
    seed: 'ChCore sys_create_pmo (outside seed)',
  },
  {
    name: 'map',
    kernelName: 'sys_map_pmo',
    family: 'memory',
    params: [
      { name: 'pmo', kind: 'pmo', doc: 'The PMO to map.' },
      { name: 'addr', kind: 'address', doc: 'The virtual address (rounded down to a page).' },
      { name: 'writable', kind: 'integer', optional: true, doc: '1 (default) for read-write, 0 for read-only.' },
    ],
    summary: 'Maps a PMO into the caller\'s address space.',
    returns: '0.',
    errors: [
      { code: '-ECAPBILITY', when: '`pmo` is not a PMO capability', rows: [] },
      { code: '-EINVAL', when: 'the mapping reaches KBASE or overlaps an existing mapping', rows: [] },
    ],
    seed: 'ChCore map_pmo_in_current_cap_group (outside seed; see seed-paths.md constants)',
  },
  {
    name: 'unmap',
    kernelName: 'sys_unmap_pmo',
    family: 'memory',
    params: [
      { name: 'pmo', kind: 'pmo', doc: 'The mapped PMO.' },
      { name: 'addr', kind: 'address', doc: 'The address it is mapped at.' },
    ],
    summary: 'Removes a mapping; later accesses there fault.',
    returns: '0.',
    errors: [
      { code: '-ECAPBILITY', when: '`pmo` is not a PMO capability', rows: [] },
      { code: '-EINVAL', when: 'the PMO is not mapped at `addr`', rows: [] },
    ],
    seed: 'ChCore sys_unmap_pmo (outside seed)',
  },
  {
    name: 'yield',
    kernelName: 'sys_yield',
    family: 'thread',
    params: [],
    summary: 'Gives up the CPU; the thread is re-enqueued.',
    returns: '0.',
    errors: [],
    seed: 'ChCore sys_yield (outside seed)',
  },
  {
    name: 'thread_exit',
    kernelName: 'sys_thread_exit',
    family: 'thread',
    params: [],
    summary: 'Ends the calling thread.',
    returns: 'Does not return.',
    errors: [],
    seed: 'ChCore sys_thread_exit (outside seed)',
  },
  {
    name: 'kill',
    kernelName: 'kill',
    family: 'fault',
    params: [{ name: 'target', kind: 'target', doc: 'A thread or a process to kill.' }],
    summary:
      'Fault injection: marks the target thread, or every thread of the target process, `TE_EXITING`, as ChCore\'s recycler does. Running threads exit at their next sched() (a timer tick, yield, or the seed\'s own exiting paths); blocked ones are handled by the IPC exit paths.',
    returns: '0.',
    errors: [],
    seed: 'ChCore recycler (seed-paths.md section 5.4)',
  },
];

export const SYSCALLS: readonly SyscallSpec[] = [
  ...CHCORE_AND_GENERIC_SYSCALLS,
  ...MACH_SYSCALLS,
  ...XNU_SYSCALLS,
  ...TOCK_SYSCALLS,
];

const SYSCALLS_BY_NAME = new Map(SYSCALLS.map((s) => [s.name, s]));
const SYSCALLS_BY_KERNEL_NAME = new Map(SYSCALLS.map((s) => [s.kernelName, s]));

export function syscallByName(name: string): SyscallSpec | undefined {
  return SYSCALLS_BY_NAME.get(name) ?? SYSCALLS_BY_KERNEL_NAME.get(name);
}

// ---------------------------------------------------------------------------------------------
// Builtins: pure functions and memory accesses run in user mode, without entering the kernel.

export interface BuiltinSpec {
  readonly name: string;
  /** `function` returns a value; `procedure` is a statement. */
  readonly form: 'function' | 'procedure';
  readonly params: readonly ParameterSpec[];
  readonly summary: string;
  readonly returns: string;
}

const addr = (doc = 'A virtual address in the calling process.'): ParameterSpec => ({ name: 'addr', kind: 'address', doc });
const value: ParameterSpec = { name: 'value', kind: 'integer', doc: 'The value to store.' };
const msg: ParameterSpec = { name: 'msg', kind: 'address', doc: 'The address of an `ipc_msg`.' };
const index: ParameterSpec = { name: 'index', kind: 'integer', doc: 'Zero-based index.' };
const object: ParameterSpec = { name: 'object', kind: 'object', doc: 'A thread, PMO or process, by name.' };

const CORE_BUILTINS: readonly BuiltinSpec[] = [
  { name: 'load8', form: 'function', params: [addr()], summary: 'Reads one byte through the caller\'s mappings.', returns: 'The byte; a fault if unmapped.' },
  { name: 'load16', form: 'function', params: [addr()], summary: 'Reads a little-endian u16.', returns: 'The value.' },
  { name: 'load32', form: 'function', params: [addr()], summary: 'Reads a little-endian u32.', returns: 'The value.' },
  { name: 'load64', form: 'function', params: [addr()], summary: 'Reads a little-endian u64 (exact up to 2^53).', returns: 'The value.' },
  { name: 'store8', form: 'procedure', params: [addr(), value], summary: 'Writes one byte.', returns: 'Nothing.' },
  { name: 'store16', form: 'procedure', params: [addr(), value], summary: 'Writes a little-endian u16.', returns: 'Nothing.' },
  { name: 'store32', form: 'procedure', params: [addr(), value], summary: 'Writes a little-endian u32.', returns: 'Nothing.' },
  { name: 'store64', form: 'procedure', params: [addr(), value], summary: 'Writes a little-endian u64.', returns: 'Nothing.' },
  {
    name: 'store_bytes',
    form: 'procedure',
    params: [addr(), { name: 'bytes', kind: 'bytes', doc: 'A byte string.' }],
    summary: 'Writes a byte string.',
    returns: 'Nothing.',
  },
  {
    name: 'build_msg',
    form: 'procedure',
    params: [
      addr('Where to write the 16-byte header.'),
      { name: 'data_len', kind: 'integer', doc: 'Header field `data_len`.' },
      { name: 'cap_slot_number', kind: 'integer', doc: 'Header field `cap_slot_number`.' },
      { name: 'data_offset', kind: 'integer', doc: 'Header field `data_offset`.' },
      { name: 'cap_slots_offset', kind: 'integer', doc: 'Header field `cap_slots_offset`.' },
    ],
    summary: 'Writes an `ipc_msg` header (four u32 fields) for raw `ipc_call(conn, msg: ...)`.',
    returns: 'Nothing.',
  },
  { name: 'msg_data', form: 'function', params: [msg, index], summary: 'Reads the index-th 8-byte data word of a message.', returns: 'The word.' },
  { name: 'msg_data_len', form: 'function', params: [msg], summary: 'Reads a message\'s `data_len`.', returns: 'Bytes of data.' },
  { name: 'msg_cap', form: 'function', params: [msg, index], summary: 'Reads the index-th capability slot of a message: after a transfer, a slot number in the reader\'s group.', returns: 'The slot number.' },
  { name: 'msg_cap_count', form: 'function', params: [msg], summary: 'Reads a message\'s `cap_slot_number`.', returns: 'The count.' },
  { name: 'thread_state', form: 'function', params: [object], summary: 'A thread\'s scheduling state.', returns: 'TS_INIT, TS_READY, TS_INTER, TS_RUNNING, TS_EXIT or TS_WAITING.' },
  { name: 'exit_state', form: 'function', params: [object], summary: 'A thread\'s exit state.', returns: 'TE_RUNNING, TE_EXITING or TE_EXITED.' },
  {
    name: 'conn_valid',
    form: 'function',
    params: [{ name: 'conn', kind: 'connection', doc: 'A connection capability of the calling process.' }],
    summary: 'Whether a connection is valid (`is_valid == VALID`).',
    returns: 'true or false.',
  },
  {
    name: 'cap_object',
    form: 'function',
    params: [
      { name: 'process', kind: 'process', doc: 'The process whose table to read.' },
      { name: 'slot', kind: 'integer', doc: 'The slot number.' },
    ],
    summary: 'The object a capability slot names, comparable with an object by name (`cap_object(server, 4) == client.shm`).',
    returns: 'An object identity, or 0 for a free slot.',
  },
  {
    name: 'object_of',
    form: 'function',
    params: [{ name: 'cap', kind: 'capability', doc: 'A slot in the calling process.' }],
    summary: 'The object one of the caller\'s own slots names.',
    returns: 'An object identity, or 0 for a free slot.',
  },
  {
    name: 'cap_count',
    form: 'function',
    params: [{ name: 'process', kind: 'process', doc: 'The process.' }],
    summary: 'How many slots of a process\'s capability table are in use.',
    returns: 'The count.',
  },
  { name: 'now', form: 'function', params: [], summary: 'The virtual time of the calling CPU, in cycles.', returns: 'Cycles.' },
];

export const BUILTINS: readonly BuiltinSpec[] = [...CORE_BUILTINS, ...MACH_BUILTINS, ...XNU_BUILTINS, ...TOCK_BUILTINS];

const BUILTINS_BY_NAME = new Map(BUILTINS.map((b) => [b.name, b]));

export function builtinByName(name: string): BuiltinSpec | undefined {
  return BUILTINS_BY_NAME.get(name);
}
