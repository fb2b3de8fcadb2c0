// ChCore rows for the data path: check_ipc_msg_in_shm (CH-SHM-*), ipc_send_cap (CH-CAP-*),
// sys_ipc_call (CH-CALL-*), migration (CH-MIG-*), sys_ipc_return (CH-RET-*) and
// sys_ipc_exit_routine_return (CH-EXIT-*).
import { describe, expect, it } from 'vitest';
import { client, runScenario, server } from './helpers';

function faultsOf(run: ReturnType<typeof runScenario>) {
  return run.events.filter((e) => e.kind === 'kernel-fault');
}

function green(run: ReturnType<typeof runScenario>, passed: number) {
  expect(run.failures).toEqual([]);
  expect(run.passed).toBe(passed);
  expect(faultsOf(run)).toEqual([]);
}

describe('check_ipc_msg_in_shm (seen through sys_ipc_call)', () => {
  it('CH-SHM-01 a header outside the shm gets -EINVAL', () => {
    const run = runScenario(`${server()}
${client(`    let below = ipc_call(conn, msg: 0x3fff_fff8)
    expect below == -EINVAL
    let straddle = ipc_call(conn, msg: 0x4000_0ff8)
    expect straddle == -EINVAL
    let ok = ipc_call(conn, data: [1])
    expect ok == 2`)}`);
    green(run, 4);
  });

  it('CH-SHM-02 a header whose page was unmapped after registration gets -EINVAL', () => {
    const run = runScenario(`${server()}
${client(`    let u = unmap(shm, 0x4000_0000)
    expect u == 0
    let r = ipc_call(conn, msg: 0x4000_0000)
    expect r == -EINVAL`)}`);
    green(run, 3);
  });

  it('CH-SHM-03 data running past the shm end gets -EINVAL', () => {
    const run = runScenario(`${server()}
${client(`    build_msg(0x4000_0000, 4096, 0, 16, 16)
    let r = ipc_call(conn, msg: 0x4000_0000)
    expect r == -EINVAL`)}`);
    green(run, 2);
  });

  it("CH-SHM-04 the check uses the message's own cap_slot_number, not cap_num", () => {
    const run = runScenario(`${server()}
${client(`    build_msg(0x4000_0000, 0, 1021, 16, 16)
    let r = ipc_call(conn, msg: 0x4000_0000, cap_num: 0)
    expect r == -EINVAL
    build_msg(0x4000_0000, 0, 1020, 16, 16)
    let fits = ipc_call(conn, msg: 0x4000_0000, cap_num: 0)
    expect fits == 1`)}`);
    green(run, 3);
  });

  it('CH-SHM-05 ranges ending exactly at the shm end are accepted', () => {
    const run = runScenario(`${server()}
${client(`    build_msg(0x4000_0000, 4096 - 16, 0, 16, 4096)
    store64(0x4000_0010, 9)
    let r = ipc_call(conn, msg: 0x4000_0000)
    expect r == 10`)}`);
    green(run, 2);
  });
});

describe('ipc_send_cap', () => {
  it('CH-CAP-01 cap_num >= 16 (or a negative, i.e. huge unsigned) gets -EINVAL', () => {
    const run = runScenario(`${server()}
${client(`    build_msg(0x4000_0000, 0, 0, 16, 16)
    let r = ipc_call(conn, msg: 0x4000_0000, cap_num: 16)
    expect r == -EINVAL
    let r2 = ipc_call(conn, msg: 0x4000_0000, cap_num: -1)
    expect r2 == -EINVAL
    let r3 = ipc_call(conn, msg: 0x4000_0000, cap_num: 15)
    expect cap_count(server) == 7 + 15
    expect cap_object(server, 7) == client`)}`);
    // cap_num 15 reads 15 zeroed slots: cap 0 is the client's own group, a valid cap.
    green(run, 5);
  });

  it('CH-CAP-04 TOCTOU: another CPU rewrites cap_slots_offset after the shm check; the re-read offset reaches KBASE (-EINVAL)', () => {
    // The shm sits just below KBASE; t2 (on the other CPU) rewrites the offset while t1 is in the
    // kernel. The race window depends on virtual time, so t2's delay is swept.
    const outcomes = new Set<string>();
    for (let delay = 0; delay < 16; delay++) {
      const run = runScenario(`
machine m {
  cpus 2
  memory 16MiB
  timeslice 100_000
}
${server()}
process client badge 7 {
  pmo shm size 4KiB
  pmo flag size 4KiB at 0x3000_0000
  thread t1 cpu 0 {
    let conn = -1
    repeat 10 {
      conn = register_client(server: server.main, shm: shm, addr: KBASE - 0x1_0000_0000)
      if conn >= 0 { break }
    }
    build_msg(KBASE - 0x1_0000_0000, 0, 0, 16, 16)
    store32(0x3000_0000, 1)
    let r = ipc_call(conn, msg: KBASE - 0x1_0000_0000, cap_num: 1)
    if r == -EINVAL {
      expect cap_count(server) == 7
    }
    print r
  }
  thread t2 cpu 1 {
    repeat 200 {
      if load32(0x3000_0000) == 1 { break }
    }
    repeat ${delay} { let x = 0 }
    store32(KBASE - 0x1_0000_0000 + 12, 0xffff_fffc)
  }
}`);
      expect(run.failures).toEqual([]);
      const steps = run.events.filter((e) => e.kind === 'kernel-step' && e.threadName === 'client.t1').map((e) => (e.kind === 'kernel-step' ? e.step : ''));
      const result = run.events.find((e) => e.kind === 'print');
      const text = result && result.kind === 'print' ? result.text : '?';
      outcomes.add(`${steps.includes('ipc_send_cap') ? 'send_cap' : 'shm_check'} ${text}`);
    }
    // Early rewrites are caught by check_ipc_msg_in_shm (CH-SHM-04); in the window, the re-read
    // offset fails ipc_send_cap's user-range check (CH-CAP-04); later ones are too late.
    expect(outcomes).toContain('shm_check -22');
    expect(outcomes).toContain('send_cap -22');
  });

  it('CH-CAP-03 / CH-RET-07 the handler unmapped its shm: reading cap_slots_offset faults (-1), the IPC stays open', () => {
    const run = runScenario(`${server({
      serve: '    let u = unmap(5, 0x5000_0000)\n    expect u == 0\n    let r = ipc_return(1, cap_num: 1)\n    expect r == -1\n    ipc_return(2)',
    })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == 2`)}`);
    green(run, 4);
  });

  it('CH-CAP-06 cap_num larger than the slots lets the kernel read past the shm: the copy faults (-1)', () => {
    const run = runScenario(`${server()}
${client(`    build_msg(0x4000_0ff0, 0, 0, 16, 16)
    let r = ipc_call(conn, msg: 0x4000_0ff0, cap_num: 1)
    expect r == -1
    expect cap_count(server) == 7`)}`);
    green(run, 3);
  });

  it('CH-CAP-07 an invalid cap rolls back the ones already copied; the user slots are unchanged', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(conn, data: [1], caps: [secret, 99])
    expect r == -ECAPBILITY
    expect cap_count(server) == 7
    expect msg_cap(0x4000_0000, 0) == 3
    expect msg_cap(0x4000_0000, 1) == 99
    let ok = ipc_call(conn, data: [1])
    expect ok == 2`)}`);
    green(run, 6);
    expect(run.events.filter((e) => e.kind === 'cap-free' && e.groupName === 'server')).toHaveLength(1);
  });

  it("CH-CAP-07 a full target table gets -ENOMEM", () => {
    const run = runScenario(
      `${server()}
${client(`    let r = ipc_call(conn, data: [1], caps: [secret])
    expect r == -ENOMEM`)}`,
      { capTableSize: 7 },
    );
    green(run, 2);
  });

  it('CH-CAP-08 slots in a read-only mapping: caps are copied, copy_to_user fails, all are freed (-1)', () => {
    const run = runScenario(`${server()}
process client badge 7 {
  pmo shm size 4KiB
  pmo ro size 4KiB
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let m1 = map(ro, 0x4000_1000, 0)
    let m2 = map(ro, 0x4800_0000)
    store32(0x4800_0000, 2)
    build_msg(0x4000_0000, 0, 0, 16, 4096)
    let r = ipc_call(conn, msg: 0x4000_0000, cap_num: 1)
    expect r == -1
    expect cap_count(server) == 7
  }
}`);
    green(run, 3);
    expect(run.events.filter((e) => e.kind === 'cap-alloc' && e.groupName === 'server')).toHaveLength(3);
    expect(run.events.filter((e) => e.kind === 'cap-free' && e.groupName === 'server')).toHaveLength(1);
  });

  it("CH-CAP-09 / CH-CALL-11 caps land in the handler's group in slot order; both sides see the rewritten slots", () => {
    const run = runScenario(`${server({
      serve: '    expect msg_cap_count(msg) == 3\n    expect msg_cap(msg, 0) == 7\n    expect msg_cap(msg, 1) == 8\n    expect msg_cap(msg, 2) == 9\n    expect cap_object(server, 7) == client.secret\n    ipc_return(0)',
    })}
${client(`    let r = ipc_call(conn, data: [1], caps: [secret, secret, shm])
    expect r == 0
    expect msg_cap(0x4000_0000, 0) == 7
    expect msg_cap(0x4000_0000, 2) == 9
    expect cap_object(server, 8) == client.secret
    expect cap_object(server, 9) == client.shm`)}`);
    green(run, 11);
  });
});

describe('sys_ipc_call', () => {
  it('CH-CALL-01 a NULL message is checked before the connection cap', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(conn, msg: 0)
    expect r == -EINVAL
    let r2 = ipc_call(99, msg: 0)
    expect r2 == -EINVAL`)}`);
    green(run, 3);
  });

  it('CH-CALL-02 a cap that is not a connection gets -ECAPBILITY', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(99, msg: 0x4000_0000)
    expect r == -ECAPBILITY
    let r2 = ipc_call(2, msg: 0x4000_0000)
    expect r2 == -ECAPBILITY`)}`);
    green(run, 3);
  });

  it('CH-CALL-03 an invalid connection (the server exited in Step-1) gets -EINVAL', () => {
    const run = runScenario(`${server({ serve: '    let k = kill(server)\n    ipc_return(1)' })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == -ESRCH
    expect not conn_valid(conn)
    let r2 = ipc_call(conn, data: [1])
    expect r2 == -EINVAL`)}`);
    green(run, 4);
    const conn = run.kernel.state.connections.find((c) => c !== null)!;
    expect(conn.ownership).toBe(0);
  });

  it('CH-CALL-03 a sibling thread uses the conn cap while the registration is unfinished: -EINVAL', () => {
    const run = runScenario(`${server({ register: '    yield()\n    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)' })}
process client badge 7 {
  pmo shm size 4KiB
  thread t1 {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    expect conn == 6
  }
  thread t2 {
    let r = ipc_call(6, msg: 0x4000_0000)
    expect r == -EINVAL
  }
}`);
    green(run, 3);
  });

  it('CH-CALL-06 another thread of the client holds the connection: -EIPCRETRY', () => {
    const run = runScenario(`${server({ serve: '    yield()\n    ipc_return(1)' })}
process client badge 7 {
  pmo shm size 4KiB
  pmo scratch size 4KiB at 0x3000_0000
  thread t1 {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    store32(0x3000_0000, conn)
    let r = ipc_call(conn, data: [1])
    expect r == 1
  }
  thread t2 {
    let conn = load32(0x3000_0000)
    let r = ipc_call(conn, data: [5])
    expect r == -EIPCRETRY
  }
}`);
    green(run, 3);
  });

  it('CH-CALL-05 / CH-RET-04 an exiting user caller meets a busy connection and exits; the handler returns to nobody', () => {
    const run = runScenario(`${server({ serve: '    yield()\n    ipc_return(1)' })}
process client badge 7 {
  pmo shm size 4KiB
  pmo scratch size 4KiB at 0x3000_0000
  thread t1 {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    store32(0x3000_0000, conn)
    let r = ipc_call(conn, data: [1])
    print "t1 not reached"
  }
  thread t2 {
    let conn = load32(0x3000_0000)
    let k = kill(client)
    let r = ipc_call(conn, data: [5])
    print "t2 not reached"
  }
}
process observer {
  thread main {
    repeat 10 { yield() }
    expect thread_state(client.t1) == TS_EXIT
    expect exit_state(client.t1) == TE_EXITED
    expect thread_state(client.t2) == TS_EXIT
    expect thread_state(server.handler) == TS_WAITING
  }
}`);
    green(run, 5);
    expect(run.events.some((e) => e.kind === 'print')).toBe(false);
    const conn = run.kernel.state.connections.find((c) => c !== null)!;
    expect(conn).toMatchObject({ isValid: 0, ownership: 0 });
    const handler = run.kernel.state.threads.find((t) => t?.name === 'server.handler')!;
    expect(handler.sc).toBe(0);
    expect(run.kernel.state.ipcConfigs[handler.ipcConfig - 1]).toMatchObject({ lock: 0, activeConn: 0 });
    expect(run.halt?.reason).toBe('finished');
  });

  it('CH-CALL-07 a handler busy with another connection: -EIPCRETRY, ownership released', () => {
    const run = runScenario(`${server({
      serve: '    yield()\n    ipc_return(1)',
      register: '    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000 + cap_count(server) * 0x10_0000)',
    })}
${client('    let r = ipc_call(conn, data: [1])\n    expect r == 1', { name: 'c1' })}
${client('    let r = ipc_call(conn, data: [1])\n    expect r == -EIPCRETRY\n    yield()\n    let r2 = ipc_call(conn, data: [1])\n    expect r2 == 1', { name: 'c2', badge: 8 })}`);
    green(run, 4);
  });

  it('CH-CALL-08 a message outside the shm releases both locks', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(conn, msg: 0x4000_1000)
    expect r == -EINVAL
    let ok = ipc_call(conn, data: [3])
    expect ok == 4`)}`);
    green(run, 3);
  });

  it('CH-CALL-09 a failed cap transfer releases both locks', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(conn, data: [1], caps: [99])
    expect r == -ECAPBILITY
    let ok = ipc_call(conn, data: [3])
    expect ok == 4`)}`);
    green(run, 3);
  });

  it('CH-CALL-10 / CH-MIG-01 the handler runs on the caller sc with the translated message and the badge', () => {
    const run = runScenario(`${server({
      serve:
        '    expect msg == 0x5000_0100\n    expect badge == 7\n    expect arg1 == 7\n    expect thread_state(client.main) == TS_WAITING\n    ipc_return(msg_data(msg, 0) + 1)',
    })}
${client(`    build_msg(0x4000_0100, 8, 0, 16, 24)
    store64(0x4000_0110, 41)
    let r = ipc_call(conn, msg: 0x4000_0100)
    expect r == 42`)}`);
    green(run, 6);
    const clientThread = run.kernel.state.threads.find((t) => t?.name === 'client.main')!;
    const toServer = run.events.find((e) => e.kind === 'migration' && e.direction === 'to-server');
    expect(toServer).toMatchObject({ sc: clientThread.sc, badge: 7, handlerName: 'server.handler' });
    const conn = run.kernel.state.connections.find((c) => c !== null)!;
    expect(conn.userIpcMsg).toBe(0x4000_0100);
    expect(run.trace).toMatchSnapshot();
  });

  it('CH-MIG-01 a handler restarts from its entry with fresh locals on every call', () => {
    const run = runScenario(`${server({ serve: '    let seen = arg0\n    expect seen == msg\n    ipc_return(msg_data(msg, 0) * 2)' })}
${client(`    let a = ipc_call(conn, data: [5])
    let b = ipc_call(conn, data: [7])
    expect a == 10
    expect b == 14`)}`);
    green(run, 5);
  });

  it('CH-MIG-01 the badge is the registering process\'s, even when another process calls through a copied cap', () => {
    const run = runScenario(`${server({ serve: '    ipc_return(badge)' })}
${client(`    let c1 = cap_copy(conn, other)
    let c2 = cap_copy(shm, other)
    expect c1 == 3
    expect c2 == 4
    let mine = ipc_call(conn, data: [0])
    expect mine == 7`)}
process other badge 9 {
  thread main {
    repeat 20 { yield() }
    let m = map(4, 0x4000_0000)
    expect m == 0
    build_msg(0x4000_0000, 0, 0, 16, 16)
    let r = ipc_call(3, msg: 0x4000_0000)
    expect r == 7
  }
}`);
    green(run, 6);
  });

  it('CH-MIG-02 negative return values pass through to the client', () => {
    const run = runScenario(`${server({ serve: '    ipc_return(-5)' })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == -5`)}`);
    green(run, 2);
  });

  it('CH-MIG-03 the handler is a thread that is not waiting: BUG_ON in sched_to_thread is a kernel fault', () => {
    const run = runScenario(`
process server {
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
  }
  thread worker {
    repeat 50 { yield() }
  }
  thread reg register runs on_register
  routine on_register(d) { ipc_register_cb_return(handler: worker, server_shm: 0x5000_0000) }
  routine serve(msg, badge) { ipc_return(1) }
}
${client('    let r = ipc_call(conn, data: [1])\n    print "not reached"')}`);
    const faults = faultsOf(run);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ row: 'CH-MIG-03', seedLine: 436 });
    expect(run.halt?.reason).toBe('fault');
  });
});

describe('sys_ipc_return', () => {
  it('CH-RET-01 a thread without a handler config dereferences NULL: kernel fault', () => {
    const run = runScenario(`
process p {
  thread main { ipc_return(0) }
}`);
    expect(faultsOf(run)).toHaveLength(1);
    expect(faultsOf(run)[0]).toMatchObject({ row: 'CH-RET-01', seedLine: 773 });
  });

  it('CH-RET-02 a handler that is not serving a call gets -EINVAL and keeps running', () => {
    const run = runScenario(`
process server {
  thread main {
    let r = register_server(register_thread: reg, routine: 0)
  }
  thread worker {
    repeat 20 { yield() }
    let r = ipc_return(0)
    expect r == -EINVAL
  }
  thread reg register runs on_register
  routine on_register(d) { ipc_register_cb_return(handler: worker, server_shm: 0x5000_0000) }
}
${client('    expect conn >= 0')}`);
    green(run, 2);
  });

  it('CH-RET-03 Step-1: an exiting handler invalidates the connection, the client gets -ESRCH, the handler ends TS_WAITING + TE_EXITED', () => {
    const run = runScenario(`${server({ serve: '    let k = kill(server.handler)\n    ipc_return(42)' })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == -ESRCH
    expect thread_state(server.handler) == TS_WAITING
    expect exit_state(server.handler) == TE_EXITED
    expect not conn_valid(conn)`)}`);
    green(run, 5);
  });

  it('CH-RET-07 a failed cap transfer back returns the error to the handler; the IPC stays open and a retry works', () => {
    const run = runScenario(`${server({
      serve: '    let r = ipc_return(1, caps: [99])\n    expect r == -ECAPBILITY\n    expect thread_state(client.main) == TS_WAITING\n    ipc_return(2)',
    })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == 2`)}`);
    green(run, 4);
  });

  it('CH-RET-08 a normal return: the handler waits without an sc, locks are free, current_client_thread is kept', () => {
    const run = runScenario(`${server()}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == 2
    expect thread_state(server.handler) == TS_WAITING`)}`);
    green(run, 3);
    const s = run.kernel.state;
    const handler = s.threads.find((t) => t?.name === 'server.handler')!;
    const clientThread = s.threads.find((t) => t?.name === 'client.main')!;
    expect(handler.sc).toBe(0);
    expect(s.ipcConfigs[handler.ipcConfig - 1]).toMatchObject({ lock: 0, activeConn: 0 });
    const conn = s.connections.find((c) => c !== null)!;
    expect(conn).toMatchObject({ ownership: 0, currentClientThread: clientThread.id });
  });

  it("CH-RET-09 caps returned land in the client's group and the client's message slots", () => {
    const run = runScenario(`${server({ extra: '  pmo reply size 4KiB', serve: '    ipc_return(1, caps: [reply])' })}
${client(`    let r = ipc_call(conn, data: [1])
    expect r == 1
    expect msg_cap_count(0x4000_0000) == 1
    let slot = msg_cap(0x4000_0000, 0)
    expect slot == 7
    expect object_of(slot) == server.reply`)}`);
    green(run, 5);
  });

  it('CH-CALL-04 / CH-RET-05 / CH-RET-03 chained A→B→C: an exiting shadow B gets -ESRCH from a busy connection and returns it to A', () => {
    // B's process is killed while B serves A; B's worker thread holds B→C's connection (C yields).
    const run = runScenario(`
process c badge 3 {
  thread main { let r = register_server(register_thread: reg, routine: serve) }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    yield()
    ipc_return(5)
  }
}
process b badge 2 {
  pmo shm size 4KiB
  pmo scratch size 4KiB at 0x3000_0000
  thread main { let r = register_server(register_thread: reg, routine: serve) }
  thread worker {
    let conn = register_client(server: c.main, shm: shm, addr: 0x4000_0000)
    store32(0x3000_0000, conn)
    let r = ipc_call(conn, data: [1])
    print "worker not reached"
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    let k = kill(b)
    let conn = load32(0x3000_0000)
    let r = ipc_call(conn, data: [1])
    expect r == -ESRCH
    ipc_return(r)
  }
}
process a badge 1 {
  pmo shm size 4KiB
  thread main {
    let conn = register_client(server: b.main, shm: shm, addr: 0x4000_0000)
    let r = ipc_call(conn, data: [1])
    expect r == -ESRCH
  }
}`);
    green(run, 2);
    const s = run.kernel.state;
    const worker = s.threads.find((t) => t?.name === 'b.worker')!;
    expect(worker).toMatchObject({ state: 4, exitState: 2 }); // RET-04 when C returned to the exiting worker
    const bHandler = s.threads.find((t) => t?.name === 'b.handler')!;
    expect(bHandler).toMatchObject({ state: 5, exitState: 2 }); // RET-03 ⚠ TS_WAITING + TE_EXITED
  });

  it('CH-RET-05 chained A→B→C: C returns to an exiting shadow B normally and invalidates the connection', () => {
    const run = runScenario(`
process c badge 3 {
  thread main { let r = register_server(register_thread: reg, routine: serve) }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    let k = kill(b)
    ipc_return(5)
  }
}
process b badge 2 {
  pmo shm size 4KiB
  pmo scratch size 4KiB at 0x3000_0000
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
    let conn = register_client(server: c.main, shm: shm, addr: 0x4000_0000)
    store32(0x3000_0000, conn)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    let conn = load32(0x3000_0000)
    let r = ipc_call(conn, data: [1])
    expect r == 5
    expect not conn_valid(conn)
    ipc_return(r)
  }
}
process a badge 1 {
  pmo shm size 4KiB
  thread main {
    yield()
    let conn = register_client(server: b.main, shm: shm, addr: 0x4000_0000)
    let r = ipc_call(conn, data: [1])
    expect r == -ESRCH
  }
}`);
    green(run, 3);
    expect(run.trace).toMatchSnapshot();
  });
});

describe('sys_ipc_exit_routine_return', () => {
  it('CH-EXIT-01 without an IPC config it acts as sched(): the caller keeps running', () => {
    const run = runScenario(`
process p {
  thread main {
    ipc_exit_routine_return()
    expect thread_state(p.main) == TS_RUNNING
  }
}`);
    green(run, 1);
  });

  it('CH-EXIT-02 a handler frees the (client\'s) sc and unlocks ipc_lock unconditionally; the client never returns', () => {
    const run = runScenario(`${server({ serve: '    ipc_exit_routine_return()' })}
${client('    let r = ipc_call(conn, data: [1])\n    print "not reached"')}`);
    expect(run.halt?.reason).toBe('deadlock');
    const s = run.kernel.state;
    const handler = s.threads.find((t) => t?.name === 'server.handler')!;
    const clientThread = s.threads.find((t) => t?.name === 'client.main')!;
    expect(handler.state).toBe(5);
    expect(s.scs[clientThread.sc]!.freed).toBe(true);
    expect(handler.sc).toBe(clientThread.sc); // dangling
    expect(s.ipcConfigs[handler.ipcConfig - 1]!.lock).toBe(0);
    expect(s.connections.find((c) => c !== null)!.ownership).toBe(1);
  });

  it('CH-EXIT-02 on a register thread it releases register_lock (its first field)', () => {
    const run = runScenario(`${server({ register: '    ipc_exit_routine_return()' })}
${client('    print "not reached"', { name: 'c1' })}`);
    const s = run.kernel.state;
    const reg = s.threads.find((t) => t?.name === 'server.reg')!;
    expect(s.ipcConfigs[reg.ipcConfig - 1]!.lock).toBe(0);
    expect(run.halt?.reason).toBe('deadlock');
  });
});
