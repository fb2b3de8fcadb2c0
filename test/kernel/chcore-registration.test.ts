// ChCore rows for the control path: sys_register_server (CH-RSRV-*), sys_register_client and
// create_connection (CH-RCLI-*, CH-CONN-*), sys_ipc_register_cb_return (CH-RCB-*).
import { describe, expect, it } from 'vitest';
import { routineEntryAddress } from '../../kernel/index';
import { client, runScenario, server } from './helpers';

function kernelFaults(run: ReturnType<typeof runScenario>) {
  return run.events.filter((e) => e.kind === 'kernel-fault');
}

describe('sys_register_server', () => {
  it('CH-RSRV-01 a thread that already has an IPC config gets -EINVAL', () => {
    const run = runScenario(
      server({ extra: '' }).replace(
        '    expect r == 0\n',
        '    expect r == 0\n    let again = register_server(register_thread: reg, routine: serve)\n    expect again == -EINVAL\n',
      ),
    );
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(2);
  });

  it('CH-RSRV-01 register and handler threads already have a config: -EINVAL', () => {
    const run = runScenario(`${server({
      register: '    let again = register_server(register_thread: reg)\n    expect again == -EINVAL\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)',
      serve: '    let again = register_server(register_thread: reg)\n    expect again == -EINVAL\n    ipc_return(1)',
    })}
${client('    let r = ipc_call(conn, data: [1])\n    expect r == 1')}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(4);
  });

  it('CH-RSRV-02 a register thread cap that is not a thread gets -ECAPBILITY', () => {
    const run = runScenario(`
process server {
  pmo p size 4KiB
  thread main {
    let v1 = register_server(register_thread: 99)
    expect v1 == -ECAPBILITY
    let r = register_server(register_thread: 2)
    expect r == -ECAPBILITY
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(2);
  });

  it('CH-RSRV-03 a thread that is not of type register gets -EINVAL, and nothing changes', () => {
    const run = runScenario(`
process server {
  thread main {
    let r = register_server(register_thread: handler)
    expect r == -EINVAL
    let r2 = register_server(register_thread: reg)
    expect r2 == 0
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) { ipc_return(0) }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(2);
  });

  it('CH-RSRV-04 success publishes the service: register_client stops returning -EIPCRETRY', () => {
    const run = runScenario(`
process client badge 7 {
  pmo shm size 4KiB
  thread main {
    let early = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect early == -EIPCRETRY
    yield()
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect conn >= 0
  }
}
${server()}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
    const reg = run.kernel.state.threads.find((t) => t?.name === 'server.reg')!;
    const config = run.kernel.state.ipcConfigs[reg.ipcConfig - 1]!;
    const onRegister = run.kernel.program.routines.findIndex((r) => r.name === 'on_register');
    expect(config.registerCbEntry).toBe(routineEntryAddress(onRegister));
  });

  it('CH-RSRV-05 a second server naming the same register thread silently replaces its config', () => {
    const run = runScenario(`
process server {
  thread main {
    let x101 = register_server(register_thread: reg, routine: serve)
    expect x101 == 0
  }
  thread main2 {
    let x102 = register_server(register_thread: reg, routine: serve)
    expect x102 == 0
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) { ipc_return(1) }
}
${client('    expect conn >= 0\n    let w17 = ipc_call(conn, data: [1])\n    expect w17 == 1')}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(4);
    // Three configs were made: server 1, register_cb (replaced), server 2, register_cb, handler.
    expect(run.kernel.state.ipcConfigs.map((c) => c.kind)).toEqual([1, 2, 1, 2, 3]);
    const reg = run.kernel.state.threads.find((t) => t?.name === 'server.reg')!;
    expect(reg.ipcConfig).toBe(4);
  });
});

describe('sys_register_client and create_connection', () => {
  it('CH-RCLI-01 a server cap that is not a thread gets -ECAPBILITY', () => {
    const run = runScenario(`${server()}
process client {
  pmo shm size 4KiB
  thread main {
    let v2 = register_client(server: 99, shm: shm, addr: 0x4000_0000)
    expect v2 == -ECAPBILITY
    let v3 = register_client(server: 2, shm: shm, addr: 0x4000_0000)
    expect v3 == -ECAPBILITY
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
  });

  it('CH-RCLI-02 a server that has not registered yet gets -EIPCRETRY (not -EINVAL)', () => {
    const run = runScenario(`
process client {
  pmo shm size 4KiB
  thread main {
    let x103 = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect x103 == -EIPCRETRY
  }
}
process server {
  thread main { yield() }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(1);
  });

  it('CH-RCLI-03 a registration in flight holds the register lock: -EIPCRETRY', () => {
    const run = runScenario(`${server({ register: '    yield()\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000 + cap_count(server) * 0x10_0000)' })}
process a badge 7 {
  pmo shm size 4KiB
  thread main {
    let x104 = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect x104 >= 0
  }
}
process b badge 8 {
  pmo shm size 4KiB
  thread main {
    let first = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect first == -EIPCRETRY
    yield()
    let v4 = register_client(server: server.main, shm: shm, addr: 0x6000_0000)
    expect v4 >= 0
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(4);
  });

  it('CH-RCLI-04 the config pointer check is one byte wide: ptr + 1 >= KBASE gets -EINVAL and the lock is released', () => {
    const run = runScenario(`${server()}
process client {
  pmo shm size 4KiB
  thread main {
    let v5 = register_client(server: server.main, config: KBASE - 1)
    expect v5 == -EINVAL
    let v6 = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect v6 >= 0
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
  });

  it('CH-RCLI-05 an unreadable config is ignored: {0, 0} maps cap 0 (the group) and gets -ECAPBILITY', () => {
    const run = runScenario(`${server()}
process client {
  pmo shm size 4KiB
  thread main {
    let v7 = register_client(server: server.main, config: KBASE - 2)
    expect v7 == -ECAPBILITY
    let v8 = register_client(server: server.main, config: 0)
    expect v8 == -ECAPBILITY
    let v9 = register_client(server: server.main, config: 0x1234_0000)
    expect v9 == -ECAPBILITY
    let v10 = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect v10 >= 0
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
  });

  it('CH-RCLI-06 mapping the shm fails: bad cap -ECAPBILITY, overlap or KBASE -EINVAL, lock released', () => {
    const run = runScenario(`${server()}
process client {
  pmo shm size 4KiB
  pmo other size 4KiB at 0x4000_0000
  thread main {
    let v11 = register_client(server: server.main, shm: 4, addr: 0x4000_0000)
    expect v11 == -ECAPBILITY
    let v12 = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect v12 == -EINVAL
    let v13 = register_client(server: server.main, shm: shm, addr: KBASE - 4096)
    expect v13 == -EINVAL
    let v14 = register_client(server: server.main, shm: shm, addr: 0x4100_0000)
    expect v14 >= 0
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
  });

  it('CH-RCLI-07 / CH-CONN-03 a full client table: -ENOMEM, the conn is freed, the shm stays mapped and the server keeps its shm cap', () => {
    const run = runScenario(
      `${server()}
process client {
  pmo shm size 4KiB
  pmo secret size 4KiB
  thread main {
    let r = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect r == -ENOMEM
    expect cap_count(server) == 6
    expect cap_object(server, 5) == client.shm
    store32(0x4000_0000, 7)
    let again = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect again == -EINVAL
  }
}`,
      { capTableSize: 6 },
    );
    expect(run.failures).toEqual([]);
    const conn = run.kernel.state.connections.find((c) => c !== null)!;
    expect(conn.freed).toBe(true);
  });

  it('CH-CONN-04 a full server table: the client conn cap is freed again; the shm cap copy leaks', () => {
    const run = runScenario(
      `${server({ extra: '  pmo extra size 4KiB' })}
process client {
  pmo shm size 4KiB
  pmo secret size 4KiB
  thread main {
    let r = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect r == -ENOMEM
    expect cap_count(client) == 6
    expect cap_count(server) == 7
    expect cap_object(server, 6) == client.shm
  }
}`,
      { capTableSize: 7 },
    );
    expect(run.failures).toEqual([]);
    expect(run.events.some((e) => e.kind === 'cap-free' && e.groupName === 'client' && e.objectKind === 'connection')).toBe(true);
  });

  it('CH-CONN-01 / CH-CONN-05 the shm cap is copied first, then the conn cap; the connection starts invalid with the client badge', () => {
    const run = runScenario(`${server({
      register: '    expect thread_state(client.main) == TS_WAITING\n    expect cap_object(server, 5) == client.shm\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)',
    })}
${client('    expect conn == 6\n    expect cap_object(server, 6) == object_of(conn)')}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
    const allocs = run.events.flatMap((e) => (e.kind === 'cap-alloc' ? [e] : [])).map((e) => `${e.groupName}[${e.slot}]=${e.objectKind}`);
    expect(allocs).toEqual(['server[5]=pmo', 'client[6]=connection', 'server[6]=connection']);
    const conn = run.kernel.state.connections.find((c) => c !== null)!;
    expect(conn.clientBadge).toBe(7);
    expect(conn.shmSize).toBe(4096);
  });

  it('CH-RCLI-08 the client waits while the register thread runs on its sc with arg0 = the declared routine', () => {
    const run = runScenario(`${server({
      register:
        '    expect thread_state(client.main) == TS_WAITING\n    expect declared_routine == arg0\n    expect thread_state(server.reg) == TS_RUNNING\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)',
    })}
${client('    expect conn >= 0')}`);
    expect(run.failures).toEqual([]);
    const migration = run.events.find((e) => e.kind === 'migration' && e.direction === 'to-register');
    const clientThread = run.kernel.state.threads.find((t) => t?.name === 'client.main')!;
    expect(migration && migration.kind === 'migration' && migration.sc).toBe(clientThread.sc);
    expect(run.trace).toMatchSnapshot();
  });

  it('CH-RCLI-10 a server cap naming a handler thread is type-confused: kernel fault', () => {
    const run = runScenario(`${server()}
${client('    expect conn >= 0\n    let bad = register_client(server: server.handler, shm: secret, addr: 0x4100_0000)\n    print "not reached"')}`);
    const faults = kernelFaults(run);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ row: 'CH-RCLI-10', seedFile: 'chcore-ipc-connection.c.txt', seedLine: 509 });
    expect(run.halt?.reason).toBe('fault');
    expect(run.events.some((e) => e.kind === 'print')).toBe(false);
  });

  it('CH-RCLI-09 sched_to_thread into a register thread that is not waiting: kernel fault', () => {
    // Two servers share one register thread (CH-RSRV-05); the second registration replaces the
    // config (and its lock) while the register thread is still busy with the first client.
    const run2 = runScenario(`
process server {
  thread main {
    let x106 = register_server(register_thread: reg, routine: serve)
    expect x106 == 0
  }
  thread main2 {
    yield()
    let v16 = register_server(register_thread: reg, routine: serve)
    expect v16 == 0
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) {
    repeat 3 { yield() }
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) { ipc_return(1) }
}
process a {
  pmo shm size 4KiB
  thread main { let c = register_client(server: server.main, shm: shm, addr: 0x4000_0000) }
}
process b {
  pmo shm size 4KiB
  thread main {
    yield()
    yield()
    let c = register_client(server: server.main2, shm: shm, addr: 0x4000_0000)
  }
}`);
    const faults = kernelFaults(run2);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ row: 'CH-RCLI-09', seedLine: 571 });
    expect(run2.halt?.reason).toBe('fault');
  });
});

describe('sys_ipc_register_cb_return', () => {
  it('CH-RCB-01 a thread without an IPC config gets -ECAPBILITY', () => {
    const run = runScenario(`
process p {
  thread main {
    let x107 = ipc_register_cb_return(handler: main, server_shm: 0x5000_0000)
    expect x107 == -ECAPBILITY
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(1);
  });

  it('CH-RCB-02 the recorded conn cap is no longer a connection: -ECAPBILITY, the client waits forever', () => {
    const run = runScenario(`${server({
      register: '    let w20 = cap_free(6)\n    expect w20 == 0\n    let r = ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)\n    expect r == -ECAPBILITY',
    })}
${client('    print "not reached"')}`);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('deadlock');
    expect(run.halt?.message).toContain('client.main waits in sys_register_client');
  });

  it('CH-RCB-03 a handler cap that is not a thread: -ECAPBILITY, the registration stays pending and can be retried', () => {
    const run = runScenario(`${server({
      register:
        '    let r = ipc_register_cb_return(handler: 99, server_shm: 0x5000_0000)\n    expect r == -ECAPBILITY\n    expect thread_state(client.main) == TS_WAITING\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)',
    })}
${client('    expect conn >= 0\n    let w18 = ipc_call(conn, data: [1])\n    expect w18 == 2')}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
  });

  it('CH-RCB-04 mapping the shm in the server fails: -EINVAL, retry at another address works', () => {
    const run = runScenario(`${server({
      extra: '  pmo taken size 4KiB at 0x5000_0000',
      register:
        '    let w21 = ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)\n    expect w21 == -EINVAL\n    let w19 = ipc_register_cb_return(handler: handler, server_shm: KBASE - 4096)\n    expect w19 == -EINVAL\n    ipc_register_cb_return(handler: handler, server_shm: 0x5100_0000)',
      serve: '    expect msg == 0x5100_0000\n    ipc_return(msg_data(msg, 0) + 1)',
    })}
${client('    let w22 = ipc_call(conn, data: [41])\n    expect w22 == 42')}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
  });

  it('CH-RCB-05 success: the client gets its conn cap, the connection becomes valid, the register thread waits without an sc', () => {
    const run = runScenario(`${server()}
${client('    expect conn == 6\n    expect conn_valid(conn)\n    expect thread_state(server.reg) == TS_WAITING')}`);
    expect(run.failures).toEqual([]);
    const s = run.kernel.state;
    const reg = s.threads.find((t) => t?.name === 'server.reg')!;
    const handler = s.threads.find((t) => t?.name === 'server.handler')!;
    expect(reg.sc).toBe(0);
    expect(s.ipcConfigs[reg.ipcConfig - 1]!.lock).toBe(0);
    const handlerConfig = s.ipcConfigs[handler.ipcConfig - 1]!;
    expect(handlerConfig.kind).toBe(3);
    expect(handlerConfig.ipcRoutineEntry).toBe(routineEntryAddress(run.kernel.program.routines.findIndex((r) => r.name === 'serve')));
    const conn = s.connections.find((c) => c !== null)!;
    expect(conn).toMatchObject({ isValid: 1, currentClientThread: 0, serverShmUaddr: 0x5000_0000, connCapInClient: 6, connCapInServer: 6 });
  });

  it('CH-RCB-06 a handler serving a second connection keeps its first config (exit_routine ignored)', () => {
    const run = runScenario(`
process server {
  thread main {
    let x108 = register_server(register_thread: reg, routine: serve)
    expect x108 == 0
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000 + cap_count(server) * 0x10_0000, exit_routine: on_exit)
  }
  routine serve(msg, badge) { ipc_return(badge) }
  routine on_exit() { ipc_exit_routine_return() }
}
${client('    let w23 = ipc_call(conn, data: [1])\n    expect w23 == 7', { name: 'c1', badge: 7 })}
${client('    let w24 = ipc_call(conn, data: [1])\n    expect w24 == 8', { name: 'c2', badge: 8 })}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
    expect(run.kernel.state.ipcConfigs.filter((c) => c.kind === 3)).toHaveLength(1);
  });

  it('CH-RCB-07 naming a thread with a server config as the handler type-confuses grab_ipc_lock: kernel fault', () => {
    const run = runScenario(`${server({ register: '    ipc_register_cb_return(handler: main, server_shm: 0x5000_0000)' })}
${client('    expect conn >= 0\n    let r = ipc_call(conn, data: [1])')}`);
    const faults = kernelFaults(run);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ row: 'CH-RCB-07', seedLine: 351 });
    expect(run.halt?.reason).toBe('fault');
    expect(run.trace.split('\n').slice(-3).join('\n')).toMatchSnapshot();
  });
});
