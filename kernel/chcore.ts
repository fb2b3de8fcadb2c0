// ChCore's IPC syscalls (seed: shared/seeds/chcore-ipc-connection.c.txt), each a static array of
// named kernel steps following the seed's order of checks, error paths and quirks. Line numbers
// in comments are seed-file lines (as `cat -n` shows them); rows are seed-paths.md ids.

import { ChCoreError, IPC_MSG_HEADER_SIZE, KBASE, MAX_CAP_TRANSFER, ThreadExitState, ThreadState, ThreadTypeNumber } from './constants';
import type { Kernel } from './kernel';
import { mapPmo } from './memory';
import { IpcConfigKind, IPC_CONFIG_KIND_NAMES, ObjectKind, type Connection, type IpcConfig, type SyscallFrame, type Thread } from './state';
import { StepResult, syscall, type KernelStep } from './syscall-types';
import {
  ipcCallPrologue,
  ipcReturnPrologue,
  rawPrologue,
  registerCallbackReturnPrologue,
  registerClientEpilogue,
  registerClientPrologue,
  registerServerPrologue,
} from './userlib';
import { threadPc } from './compile';

const { DONE, SWITCHED } = StepResult;
const EINVAL = -ChCoreError.EINVAL;
const ECAPBILITY = -ChCoreError.ECAPBILITY;
const EIPCRETRY = -ChCoreError.EIPCRETRY;
const ESRCH = -ChCoreError.ESRCH;
const OBJECT_STATE_INVALID = 0;
const OBJECT_STATE_VALID = 1;

const header = new Uint8Array(IPC_MSG_HEADER_SIZE);
const headerView = new DataView(header.buffer);
const config16 = new Uint8Array(16);
const config16View = new DataView(config16.buffer);
const capBuffer = new Uint8Array(4 * MAX_CAP_TRANSFER);
const capView = new DataView(capBuffer.buffer);
const capNumbers: number[] = new Array<number>(MAX_CAP_TRANSFER).fill(0);

function configAt(k: Kernel, index: number): IpcConfig {
  return k.state.ipcConfigs[index - 1]!;
}

function kindName(config: IpcConfig): string {
  return IPC_CONFIG_KIND_NAMES[config.kind] ?? 'config';
}

/** `check_user_addr_range(start, len)`: -1 iff start + len >= KBASE (no overflow check). */
function checkUserAddrRange(start: number, length: number): number {
  return start + length >= KBASE ? -1 : 0;
}

/** `map_pmo_in_current_cap_group(cap, addr, perm)`. */
function mapPmoInCurrentCapGroup(k: Kernel, t: Thread, cap: number, address: number): number {
  const pmo = k.objGet(t.group, cap, ObjectKind.PMO);
  if (pmo === 0) return ECAPBILITY;
  return mapPmo(k.state.vmspaces[k.state.groups[t.group]!.vmspace]!, k.state.pmos[pmo]!, address, true);
}

/**
 * `ipc_send_cap(target, ipc_msg, cap_num)` (L579-647), run with the current thread's mappings.
 * Returns 0 or the error; on success the slots in user memory hold the receiver's numbers.
 */
function ipcSendCap(k: Kernel, t: Thread, targetGroup: number, message: number, capNumber: number): number {
  // cap_num is unsigned: a negative value is huge (CH-CAP-01).
  if (capNumber < 0 || capNumber >= MAX_CAP_TRANSFER) return EINVAL;
  let uaddr = message + 12;
  if (checkUserAddrRange(uaddr, 4) !== 0) return EINVAL; // CH-CAP-02
  const capSlotsOffset = k.kernelReadU32(t, uaddr); // re-read: TOCTOU against CH-SHM-04
  if (capSlotsOffset !== capSlotsOffset) return -1; // CH-CAP-03
  uaddr = message + capSlotsOffset;
  if (checkUserAddrRange(uaddr, 4 * capNumber) !== 0) return EINVAL; // CH-CAP-04: user range only
  if (k.copyFromUser(t, uaddr, 4 * capNumber, capBuffer) !== 0) return -1; // CH-CAP-06
  let i = 0;
  for (; i < capNumber; i++) {
    const dest = k.capCopy(t.group, targetGroup, capView.getInt32(4 * i, true));
    if (dest < 0) {
      // CH-CAP-07: roll back the caps already created, in reverse order.
      for (--i; i >= 0; i--) k.capFree(targetGroup, capNumbers[i]!);
      return dest;
    }
    capNumbers[i] = dest;
  }
  for (let j = 0; j < capNumber; j++) capView.setInt32(4 * j, capNumbers[j]!, true);
  if (k.copyToUser(t, uaddr, capBuffer, 4 * capNumber) !== 0) {
    for (--i; i >= 0; i--) k.capFree(targetGroup, capNumbers[i]!); // CH-CAP-08
    return -1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// sys_register_server(ipc_routine, register_thread_cap, destructor)   L133-211, L462-467

const registerServerSteps: (readonly [string, KernelStep])[] = [
  [
    'check_general_ipc_config',
    (_k, t, f) => {
      if (t.ipcConfig !== 0) {
        f.r = EINVAL; // CH-RSRV-01
        return DONE;
      }
      return 1;
    },
  ],
  [
    'obj_get(register_thread)',
    (k, t, f) => {
      f.v0 = k.objGet(t.group, f.a1, ObjectKind.THREAD);
      if (f.v0 === 0) {
        f.r = ECAPBILITY; // CH-RSRV-02
        return DONE;
      }
      return 2;
    },
  ],
  [
    'check_thread_type',
    (k, _t, f) => {
      if (k.state.threads[f.v0]!.type !== ThreadTypeNumber.register) {
        f.r = EINVAL; // CH-RSRV-03
        return DONE;
      }
      return 3;
    },
  ],
  [
    'init_register_cb_config',
    (k, _t, f) => {
      const server = k.newIpcConfig(IpcConfigKind.SERVER);
      const serverConfig = configAt(k, server);
      serverConfig.declaredIpcRoutineEntry = f.a0; // not validated
      serverConfig.registerCbThread = f.v0;
      const register = k.state.threads[f.v0]!;
      // CH-RSRV-05: an existing register_cb config is silently replaced.
      const cb = k.newIpcConfig(IpcConfigKind.REGISTER_CB);
      register.ipcConfig = cb;
      const cbConfig = configAt(k, cb);
      cbConfig.lock = 0;
      cbConfig.registerCbEntry = threadPc(register);
      cbConfig.registerCbStack = register.sp;
      cbConfig.destructor = f.a2;
      f.v1 = server;
      return 4;
    },
  ],
  [
    'publish_server_config',
    (_k, t, f) => {
      t.ipcConfig = f.v1; // the last step publishes the service (CH-RSRV-04)
      f.r = 0;
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// sys_register_client(server_cap, shm_config_ptr)   L469-581, create_connection L242-332

const RCLI_UNLOCK = 12;

const registerClientSteps: (readonly [string, KernelStep])[] = [
  [
    'obj_get(server)',
    (k, t, f) => {
      f.v0 = k.objGet(t.group, f.a0, ObjectKind.THREAD);
      if (f.v0 === 0) {
        f.r = ECAPBILITY; // CH-RCLI-01
        return DONE;
      }
      return 1;
    },
  ],
  [
    'check_server_config',
    (k, _t, f) => {
      const server = k.state.threads[f.v0]!;
      const config = k.ipcConfigOf(server);
      if (config === null) {
        f.r = EIPCRETRY; // CH-RCLI-02
        return DONE;
      }
      if (config.kind !== IpcConfigKind.SERVER) {
        return k.kernelFault('CH-RCLI-10', 509, `type confusion: ${server.name}'s general_ipc_config is an ${kindName(config)}, read as ipc_server_config`);
      }
      f.v1 = config.registerCbThread;
      f.v8 = config.id; // the server config, for declared_ipc_routine_entry
      return 2;
    },
  ],
  [
    'try_lock(register_lock)',
    (k, _t, f) => {
      const register = k.state.threads[f.v1]!;
      const config = k.ipcConfigOf(register);
      if (config === null || config.kind !== IpcConfigKind.REGISTER_CB) {
        return k.kernelFault('CH-RCLI-10', 510, `type confusion: register thread ${register.name} has ${config ? kindName(config) : 'no config'}`);
      }
      if (config.lock !== 0) {
        f.r = EIPCRETRY; // CH-RCLI-03
        return DONE;
      }
      config.lock = 1;
      f.v2 = config.id;
      return 3;
    },
  ],
  [
    'check_user_addr_range',
    (_k, _t, f) => {
      // CH-RCLI-04 ⚠: `check_user_addr_range(ptr, sizeof(shm_config) != 0)` checks one byte.
      if (checkUserAddrRange(f.a1, 1) !== 0) {
        f.r = EINVAL;
        return RCLI_UNLOCK;
      }
      return 4;
    },
  ],
  [
    'copy_from_user(shm_config)',
    (k, t, f) => {
      // CH-RCLI-05 ⚠: the result is ignored; on a fault shm_config stays {0, 0}.
      f.v3 = 0;
      f.v4 = 0;
      if (k.copyFromUser(t, f.a1, 16, config16) === 0) {
        f.v3 = config16View.getInt32(0, true);
        f.v4 = config16View.getUint32(12, true) * 0x1_0000_0000 + config16View.getUint32(8, true);
      }
      return 5;
    },
  ],
  [
    'map_pmo_in_current_cap_group',
    (k, t, f) => {
      const r = mapPmoInCurrentCapGroup(k, t, f.v3, f.v4);
      if (r !== 0) {
        f.r = r; // CH-RCLI-05 / CH-RCLI-06
        return RCLI_UNLOCK;
      }
      return 6;
    },
  ],
  [
    'create_connection: cap_copy(shm)',
    (k, t, f) => {
      // CH-CONN-01 ⚠: unchecked; a negative error is stored as shm_cap_in_server.
      const server = k.state.threads[f.v0]!;
      f.v5 = k.capCopy(t.group, server.group, f.v3);
      return 7;
    },
  ],
  [
    'create_connection: obj_alloc(connection)',
    (k, t, f) => {
      const id = k.allocObject(ObjectKind.CONNECTION);
      const pmo = k.objGet(t.group, f.v3, ObjectKind.PMO);
      if (pmo === 0) return k.kernelFault('CH-CONN-06', 233, 'BUG_ON(!pmo) in get_pmo_size');
      const server = k.state.threads[f.v0]!;
      const conn: Connection = {
        id,
        ownership: 0,
        isValid: OBJECT_STATE_INVALID,
        currentClientThread: t.id,
        serverHandlerThread: 0,
        clientBadge: k.state.groups[t.group]!.badge,
        clientShmUaddr: f.v4,
        shmSize: k.state.pmos[pmo]!.size,
        serverShmUaddr: 0,
        shmCapInClient: f.v3,
        shmCapInServer: f.v5,
        connCapInClient: 0,
        connCapInServer: 0,
        userIpcMsg: 0,
        clientGroup: t.group,
        serverGroup: server.group,
        freed: false,
      };
      k.state.connections[id] = conn;
      f.v6 = id;
      return 8;
    },
  ],
  [
    'create_connection: cap_alloc(client, connection)',
    (k, t, f) => {
      const cap = k.capAlloc(t.group, f.v6);
      if (cap < 0) {
        // CH-CONN-03: the connection is freed; the server keeps the copied shm cap.
        k.state.connections[f.v6]!.freed = true;
        f.r = cap;
        return RCLI_UNLOCK;
      }
      f.v7 = cap;
      return 9;
    },
  ],
  [
    'create_connection: cap_copy(connection → server)',
    (k, t, f) => {
      const server = k.state.threads[f.v0]!;
      const cap = k.capCopy(t.group, server.group, f.v7);
      if (cap < 0) {
        // CH-CONN-04: the client's conn cap is freed (and with it the connection).
        k.capFree(t.group, f.v7);
        f.r = cap;
        return RCLI_UNLOCK;
      }
      f.v8 = cap;
      return 10;
    },
  ],
  [
    'record_connection_caps',
    (k, _t, f) => {
      const config = configAt(k, f.v2);
      config.connCapInClient = f.v7;
      config.connCapInServer = f.v8;
      config.shmCapInServer = f.v5;
      return 11;
    },
  ],
  [
    'sched_to_thread(register_thread)',
    (k, t, f) => {
      // CH-RCLI-08: the client waits; the register thread restarts at its entry on our sc.
      const config = configAt(k, f.v2);
      const register = k.state.threads[f.v1]!;
      const serverConfig = configAt(k, k.ipcConfigOf(k.state.threads[f.v0]!)!.id);
      k.setState(t, ThreadState.TS_WAITING);
      register.sp = config.registerCbStack;
      k.setThreadPc(register, config.registerCbEntry);
      register.arg0 = serverConfig.declaredIpcRoutineEntry;
      register.sc = t.sc;
      if (register.state === ThreadState.TS_WAITING || register.state === ThreadState.TS_INTER) k.enterRoutine(register);
      f.blocked = true;
      const conn = k.state.connections[k.objGet(t.group, config.connCapInClient, ObjectKind.CONNECTION)];
      return k.schedToThread(register, 'CH-RCLI-09', 571, 'to-register', conn ? conn.id : 0, conn ? conn.clientBadge : 0);
    },
  ],
  [
    'unlock(register_lock)',
    (k, _t, f) => {
      configAt(k, f.v2).lock = 0; // out_fail_unlock
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// sys_ipc_register_cb_return(handler_thread_cap, exit_routine, server_shm_addr)   L905-1013

const registerCallbackReturnSteps: (readonly [string, KernelStep])[] = [
  [
    'get_register_cb_config',
    (k, t, f) => {
      const config = k.ipcConfigOf(t);
      if (config === null) {
        f.r = ECAPBILITY; // CH-RCB-01
        return DONE;
      }
      if (config.kind !== IpcConfigKind.REGISTER_CB) {
        return k.kernelFault('CH-RCB-01', 918, `type confusion: ${t.name}'s general_ipc_config is an ${kindName(config)}, read as ipc_server_register_cb_config`);
      }
      f.v0 = config.id;
      return 1;
    },
  ],
  [
    'obj_get(connection)',
    (k, t, f) => {
      f.v1 = k.objGet(t.group, configAt(k, f.v0).connCapInServer, ObjectKind.CONNECTION);
      if (f.v1 === 0) {
        f.r = ECAPBILITY; // CH-RCB-02
        return DONE;
      }
      return 2;
    },
  ],
  [
    'obj_get(handler_thread)',
    (k, t, f) => {
      f.v2 = k.objGet(t.group, f.a0, ObjectKind.THREAD);
      if (f.v2 === 0) {
        f.r = ECAPBILITY; // CH-RCB-03: registration stays pending
        return DONE;
      }
      return 3;
    },
  ],
  [
    'map_pmo_in_current_cap_group',
    (k, t, f) => {
      const r = mapPmoInCurrentCapGroup(k, t, configAt(k, f.v0).shmCapInServer, f.a2);
      if (r !== 0) {
        f.r = r; // CH-RCB-04
        return DONE;
      }
      return 4;
    },
  ],
  [
    'arch_set_thread_return(client)',
    (k, _t, f) => {
      const conn = k.state.connections[f.v1]!;
      if (conn.currentClientThread === 0) {
        return k.kernelFault('CH-RCB-08', 951, 'NULL dereference: conn->current_client_thread is NULL (stale register_cb config, no registration pending)');
      }
      k.state.threads[conn.currentClientThread]!.ret = configAt(k, f.v0).connCapInClient;
      f.v3 = conn.currentClientThread;
      return 5;
    },
  ],
  [
    'init_handler_config',
    (k, _t, f) => {
      const handler = k.state.threads[f.v2]!;
      if (handler.ipcConfig === 0) {
        // CH-RCB-05: entry and stack are the handler's current pc and sp.
        const id = k.newIpcConfig(IpcConfigKind.HANDLER);
        handler.ipcConfig = id;
        const config = configAt(k, id);
        config.lock = 0;
        config.ipcRoutineEntry = threadPc(handler);
        config.ipcRoutineStack = handler.sp;
        config.ipcExitRoutineEntry = f.a1;
        config.destructor = configAt(k, f.v0).destructor;
      }
      // CH-RCB-06 / CH-RCB-07: an existing config (of any kind) is left untouched.
      return 6;
    },
  ],
  [
    'fill_connection',
    (k, _t, f) => {
      const conn = k.state.connections[f.v1]!;
      const config = configAt(k, f.v0);
      conn.serverShmUaddr = f.a2;
      conn.serverHandlerThread = f.v2;
      conn.isValid = OBJECT_STATE_VALID;
      conn.currentClientThread = 0;
      conn.connCapInClient = config.connCapInClient;
      conn.connCapInServer = config.connCapInServer;
      return 7;
    },
  ],
  [
    'unlock(register_lock)',
    (k, t, f) => {
      k.setState(t, ThreadState.TS_WAITING);
      configAt(k, f.v0).lock = 0;
      return 8;
    },
  ],
  [
    'clear_sc',
    (_k, t) => {
      t.sc = 0; // after the unlock ⚠ (the reverse of ipc_return's OP-SET-NULL)
      return 9;
    },
  ],
  [
    'sched_to_thread(client)',
    (k, t, f) => {
      t.kernel.active = false; // the register thread does not return
      const conn = k.state.connections[f.v1]!;
      return k.schedToThread(k.state.threads[f.v3]!, 'CH-RCB-08', 1004, 'to-client', conn.id, conn.clientBadge);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// sys_ipc_call(conn_cap, ipc_msg, cap_num)   L656-762, grab_ipc_lock L344-373, migrate L389-440

const CALL_RELEASE_IPC_LOCK = 8;
const CALL_UNLOCK_OWNERSHIP = 9;

function handlerConfigForCall(k: Kernel, conn: Connection, line: number): IpcConfig | number {
  const handler = k.state.threads[conn.serverHandlerThread];
  if (!handler) return k.kernelFault('CH-CALL-07', line, 'NULL dereference: conn->server_handler_thread is NULL');
  const config = k.ipcConfigOf(handler);
  if (config === null) return k.kernelFault('CH-RCB-07', line, `NULL dereference: handler ${handler.name} has no general_ipc_config`);
  if (config.kind !== IpcConfigKind.HANDLER) {
    return k.kernelFault('CH-RCB-07', line, `type confusion: handler ${handler.name}'s general_ipc_config is an ${kindName(config)}, read as ipc_server_handler_config`);
  }
  return config;
}

/** The seed's check_ipc_msg_in_shm (L75-117): 0 or -1. */
function checkIpcMessageInShm(k: Kernel, t: Thread, message: number, shmStart: number, shmSize: number): number {
  const shmEnd = shmStart + shmSize;
  if (!(shmStart <= message && message + IPC_MSG_HEADER_SIZE <= shmEnd)) return -1; // CH-SHM-01
  const r = k.copyFromUser(t, message, IPC_MSG_HEADER_SIZE, header);
  if (r < 0) return r; // CH-SHM-02
  const dataLength = headerView.getUint32(0, true);
  const capSlotNumber = headerView.getUint32(4, true);
  const dataOffset = headerView.getUint32(8, true);
  const capSlotsOffset = headerView.getUint32(12, true);
  const dataStart = message + dataOffset;
  const dataEnd = dataStart + dataLength;
  const capsStart = message + capSlotsOffset;
  const capsEnd = capsStart + capSlotNumber * 4; // the message's own count, not cap_num ⚠
  if (!(shmStart <= dataStart && dataEnd <= shmEnd)) return -1; // CH-SHM-03
  if (!(shmStart <= capsStart && capsEnd <= shmEnd)) return -1; // CH-SHM-04
  return 0;
}

const ipcCallSteps: (readonly [string, KernelStep])[] = [
  [
    'check_ipc_msg_null',
    (_k, _t, f) => {
      if (f.a1 === 0) {
        f.r = EINVAL; // CH-CALL-01
        return DONE;
      }
      return 1;
    },
  ],
  [
    'obj_get(connection)',
    (k, t, f) => {
      f.v0 = k.objGet(t.group, f.a0, ObjectKind.CONNECTION);
      if (f.v0 === 0) {
        f.r = ECAPBILITY; // CH-CALL-02
        return DONE;
      }
      return 2;
    },
  ],
  [
    'try_lock(ownership)',
    (k, t, f) => {
      const conn = k.state.connections[f.v0]!;
      if (conn.ownership === 0) {
        conn.ownership = 1;
        return 3;
      }
      if (t.exitState === ThreadExitState.TE_EXITING) {
        if (t.type === ThreadTypeNumber.shadow) {
          f.r = ESRCH; // CH-CALL-04
          return DONE;
        }
        // CH-CALL-05: sched() marks the caller TE_EXITED + TS_EXIT.
        k.schedule(k.cpu, 'exit');
        return SWITCHED;
      }
      f.r = EIPCRETRY; // CH-CALL-06
      return DONE;
    },
  ],
  [
    'check_conn_valid',
    (k, _t, f) => {
      if (k.state.connections[f.v0]!.isValid === OBJECT_STATE_INVALID) {
        f.r = EINVAL; // CH-CALL-03
        return CALL_UNLOCK_OWNERSHIP;
      }
      return 4;
    },
  ],
  [
    'grab_ipc_lock',
    (k, _t, f) => {
      const config = handlerConfigForCall(k, k.state.connections[f.v0]!, 351);
      if (typeof config === 'number') return config;
      if (config.lock !== 0) {
        f.r = EIPCRETRY; // CH-CALL-07
        return CALL_UNLOCK_OWNERSHIP;
      }
      config.lock = 1;
      f.v1 = config.id;
      return 5;
    },
  ],
  [
    'check_ipc_msg_in_shm',
    (k, t, f) => {
      const conn = k.state.connections[f.v0]!;
      if (checkIpcMessageInShm(k, t, f.a1, conn.clientShmUaddr, conn.shmSize) < 0) {
        f.r = EINVAL; // CH-CALL-08
        return CALL_RELEASE_IPC_LOCK;
      }
      return f.a2 !== 0 ? 6 : 7;
    },
  ],
  [
    'ipc_send_cap',
    (k, t, f) => {
      const conn = k.state.connections[f.v0]!;
      const handler = k.state.threads[conn.serverHandlerThread]!;
      const r = ipcSendCap(k, t, handler.group, f.a1, f.a2);
      if (r < 0) {
        f.r = r; // CH-CALL-09
        return CALL_RELEASE_IPC_LOCK;
      }
      return 7; // CH-CALL-11
    },
  ],
  [
    'thread_migrate_to_server',
    (k, t, f) => {
      const conn = k.state.connections[f.v0]!;
      conn.userIpcMsg = f.a1;
      const messageInServer = f.a1 - conn.clientShmUaddr + conn.serverShmUaddr;
      const handler = k.state.threads[conn.serverHandlerThread]!;
      const config = configAt(k, f.v1);
      config.activeConn = conn.id;
      conn.currentClientThread = t.id;
      k.setState(t, ThreadState.TS_WAITING);
      handler.sc = t.sc; // the handler runs on the caller's scheduling context
      handler.sp = config.ipcRoutineStack;
      k.setThreadPc(handler, config.ipcRoutineEntry);
      handler.arg0 = messageInServer;
      handler.arg1 = conn.clientBadge;
      if (handler !== t && (handler.state === ThreadState.TS_WAITING || handler.state === ThreadState.TS_INTER) && handler.cpu < 0) {
        k.enterRoutine(handler);
      }
      f.blocked = true;
      return k.schedToThread(handler, 'CH-MIG-03', 436, 'to-server', conn.id, conn.clientBadge);
    },
  ],
  [
    'release_ipc_lock',
    (k, _t, f) => {
      configAt(k, f.v1).lock = 0; // out_release_lock
      return CALL_UNLOCK_OWNERSHIP;
    },
  ],
  [
    'unlock(ownership)',
    (k, _t, f) => {
      k.state.connections[f.v0]!.ownership = 0; // out_obj_put
      return DONE;
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// sys_ipc_return(ret, cap_num)   L764-903, thread_migrate_to_client L442-453

const ipcReturnSteps: (readonly [string, KernelStep])[] = [
  [
    'get_active_conn',
    (k, t, f) => {
      const config = k.ipcConfigOf(t);
      if (config === null) return k.kernelFault('CH-RET-01', 773, `NULL dereference: ${t.name} has no general_ipc_config (not a handler thread)`);
      if (config.kind !== IpcConfigKind.HANDLER) {
        return k.kernelFault('CH-RET-01', 773, `type confusion: ${t.name}'s general_ipc_config is an ${kindName(config)}, read as ipc_server_handler_config`);
      }
      if (config.activeConn === 0) {
        f.r = EINVAL; // CH-RET-02
        return DONE;
      }
      f.v0 = config.activeConn;
      f.v1 = k.state.connections[config.activeConn]!.currentClientThread;
      f.v2 = config.id;
      return 1;
    },
  ],
  [
    'check_handler_exiting',
    (k, t, f) => {
      if (t.exitState === ThreadExitState.TE_EXITING) {
        // CH-RET-03 (Step-1) ⚠: TS_EXIT here is overwritten with TS_WAITING below.
        k.state.connections[f.v0]!.isValid = OBJECT_STATE_INVALID;
        t.exitState = ThreadExitState.TE_EXITED;
        k.setState(t, ThreadState.TS_EXIT);
        f.a0 = ESRCH;
      }
      return 2;
    },
  ],
  [
    'check_client_exiting',
    (k, t, f) => {
      const client = k.state.threads[f.v1]!;
      if (client.exitState !== ThreadExitState.TE_EXITING) return f.a1 !== 0 ? 3 : 4;
      const conn = k.state.connections[f.v0]!;
      conn.isValid = OBJECT_STATE_INVALID;
      if (client.type === ThreadTypeNumber.shadow) return f.a1 !== 0 ? 3 : 4; // CH-RET-05
      // CH-RET-04 (Step-2.0): nobody returns; ret and caps are dropped.
      const config = configAt(k, f.v2);
      config.activeConn = 0;
      k.setState(t, ThreadState.TS_WAITING);
      t.sc = 0;
      config.lock = 0;
      conn.ownership = 0;
      k.exitThread(client);
      t.kernel.active = false;
      k.schedule(k.cpu, 'block');
      return SWITCHED;
    },
  ],
  [
    'ipc_send_cap',
    (k, t, f) => {
      const conn = k.state.connections[f.v0]!;
      if (conn.userIpcMsg === 0) {
        f.r = EINVAL; // CH-RET-06
        return DONE;
      }
      const serverMessage = conn.userIpcMsg - conn.clientShmUaddr + conn.serverShmUaddr;
      const client = k.state.threads[conn.currentClientThread]!;
      const r = ipcSendCap(k, t, client.group, serverMessage, f.a1);
      if (r < 0) {
        f.r = r; // CH-RET-07: the IPC is not completed
        return DONE;
      }
      return 4; // CH-RET-09
    },
  ],
  [
    'clear_active_conn(OP-SET-NULL)',
    (k, t, f) => {
      configAt(k, f.v2).activeConn = 0;
      k.setState(t, ThreadState.TS_WAITING);
      t.sc = 0; // before unlocking (OP-SET-NULL)
      return 5;
    },
  ],
  [
    'release_ipc_lock',
    (k, _t, f) => {
      configAt(k, f.v2).lock = 0;
      return 6;
    },
  ],
  [
    'unlock(ownership)',
    (k, _t, f) => {
      k.state.connections[f.v0]!.ownership = 0;
      return 7;
    },
  ],
  [
    'thread_migrate_to_client',
    (k, t, f) => {
      const client = k.state.threads[f.v1]!;
      const conn = k.state.connections[f.v0]!;
      client.ret = f.a0; // CH-RET-08 / CH-MIG-02
      t.kernel.active = false;
      return k.schedToThread(client, 'CH-MIG-03', 449, 'to-client', conn.id, conn.clientBadge);
    },
  ],
];

// ---------------------------------------------------------------------------------------------
// sys_ipc_exit_routine_return(void)   L1015-1034

const exitRoutineReturnSteps: (readonly [string, KernelStep])[] = [
  [
    'get_config',
    (k, t, f) => {
      const config = k.ipcConfigOf(t);
      if (config === null) return 2; // CH-EXIT-01
      f.v0 = config.id;
      return 1;
    },
  ],
  [
    'kfree(sc), unlock(ipc_lock)',
    (k, t, f) => {
      const config = configAt(k, f.v0);
      k.setState(t, ThreadState.TS_WAITING);
      // CH-EXIT-02 ⚠: the sc is freed but the pointer stays (dangling); the unlock is unconditional.
      const sc = k.state.scs[t.sc];
      if (sc) sc.freed = true;
      if (config.kind === IpcConfigKind.SERVER) {
        return k.kernelFault('CH-EXIT-02', 1030, `unlock(&config->ipc_lock) on ${t.name}'s ipc_server_config unlocks through a pointer field`);
      }
      config.lock = 0; // on a register_cb config this releases register_lock ⚠
      return 2;
    },
  ],
  [
    'sched',
    (k, t) => {
      if (t.state === ThreadState.TS_RUNNING) {
        k.finishVoid(t); // CH-EXIT-01: no return value is set
        k.schedule(k.cpu, 'yield');
        return SWITCHED;
      }
      t.kernel.active = false;
      k.schedule(k.cpu, 'block');
      return SWITCHED;
    },
  ],
];

export const CHCORE_SYSCALLS = [
  syscall('register_server', 'sys_register_server', ['ipc_routine', 'register_thread_cap', 'destructor'], registerServerSteps, registerServerPrologue),
  syscall('register_client', 'sys_register_client', ['server_cap', 'shm_config_ptr'], registerClientSteps, registerClientPrologue, registerClientEpilogue),
  syscall(
    'ipc_register_cb_return',
    'sys_ipc_register_cb_return',
    ['server_handler_thread_cap', 'server_thread_exit_routine', 'server_shm_addr'],
    registerCallbackReturnSteps,
    registerCallbackReturnPrologue,
  ),
  syscall('ipc_call', 'sys_ipc_call', ['conn_cap', 'ipc_msg', 'cap_num'], ipcCallSteps, ipcCallPrologue),
  syscall('ipc_return', 'sys_ipc_return', ['ret', 'cap_num'], ipcReturnSteps, ipcReturnPrologue),
  syscall('ipc_exit_routine_return', 'sys_ipc_exit_routine_return', [], exitRoutineReturnSteps, rawPrologue),
];

export type { SyscallFrame };
