// Mach RPC rows of seed-paths.md section 4 (seed mach-rpc-kext-mail.txt): the active listener
// (MR-ACT-*), passive invocation of kobjects (MR-PAS-*), export through IOKit (MR-EXP-01), the
// bootstrap server outside the kernel (MR-BOOT-01) and the unserved UPL call (MR-UPL-01).
import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../kernel/index';
import { runScenario, expectFinishedGreen } from './helpers';

const green = expectFinishedGreen;

/** Events between a thread's syscall entry and its exit of the n-th mach_msg (0-based). */
function duringCall(events: readonly KernelEvent[], thread: string, n: number): KernelEvent[] {
  let seen = -1;
  let start = -1;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'syscall-entry' && e.threadName === thread && e.syscall === 'mach_msg' && ++seen === n) start = i;
    if (start >= 0 && e.kind === 'syscall-exit' && e.threadName === thread && e.syscall === 'mach_msg') return events.slice(start, i + 1);
  }
  return [];
}

/** A kext in kernel_task: an active listener on a host special port (20) serving `rounds` RPCs, and an IOKit service. */
const kext = (rounds: number): string => `
process kernel_task {
  thread listener kernel {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 20, port: svc)
    iokit_register_service(name: "adder", routine: add_one)
    repeat ${rounds} {
      let r = mach_msg(receive: svc)
      expect thread_state(client.main) == TS_WAITING
      mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [0, mach_msg_data(0) + 1])
    }
  }
  routine add_one(value, unused, unused2, connection) {
    expect thread_state(client.main) == TS_RUNNING
    iokit_return(KERN_SUCCESS, data: [value + 1])
  }
}
`;

describe('active listener (MR-ACT)', () => {
  it('MR-ACT-01 a send to a busy kernel listener is queued; its receive returns it; the reply arrives on the reply port', () => {
    const run = runScenario(`
process kernel_task {
  thread listener kernel {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 20, port: svc)
    yield()
    expect mach_port_msgcount(svc) == 1
    let r = mach_msg(receive: svc)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == 41
    expect mach_port_msgcount(svc) == 0
    mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [42])
  }
}
process client {
  thread main {
    let svc = host_get_special_port(which: 20)
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, reply: reply, data: [41], receive: reply)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == 42
  }
}`);
    green(run, 6);
    expect(run.trace).toContain('client.main: mach enqueue msg #0 id 0 on kernel_task:0x103, queue 1');
    expect(run.trace).toContain('kernel_task.listener: mach receive msg #0 id 0 from kernel_task:0x103, queue 0');
  });

  it('MR-ACT-02 every RPC costs at least two context switches and runs on the listener thread', () => {
    const run = runScenario(`${kext(2)}
process client {
  thread main {
    yield()
    let svc = host_get_special_port(which: 20)
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, reply: reply, data: [41], receive: reply)
    expect mach_msg_data(1) == 42
    r = mach_msg(send: svc, reply: reply, data: [1], receive: reply)
    expect mach_msg_data(1) == 2
  }
}`);
    green(run, 4);
    for (const n of [0, 1]) {
      const switches = duringCall(run.events, 'client.main', n).filter((e) => e.kind === 'context-switch');
      expect(switches.length).toBeGreaterThanOrEqual(2);
      expect(switches.map((e) => (e.kind === 'context-switch' ? `${e.fromName}>${e.toName}` : ''))).toEqual([
        'client.main>kernel_task.listener',
        'kernel_task.listener>client.main',
      ]);
    }
    expect(run.trace).toMatchSnapshot();
    const receive = run.events.find((e) => e.kind === 'mach-msg' && e.action === 'receive' && e.portLabel === 'kernel_task:0x103');
    expect(receive && receive.kind === 'mach-msg' ? receive.threadName : '').toBe('kernel_task.listener');
  });

  it('MR-ACT-03 rights in the request are named in the kernel task space; the reply right is a send-once right', () => {
    const run = runScenario(`
process kernel_task {
  thread listener kernel {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 20, port: svc)
    let before = mach_port_names(kernel_task)
    let r = mach_msg(receive: svc)
    expect mach_port_names(kernel_task) == before + 2
    expect mach_port_type(mach_msg_reply_port()) == MACH_PORT_TYPE_SEND_ONCE
    expect mach_port_type(mach_msg_port(0)) == MACH_PORT_TYPE_SEND
    mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [1])
  }
}
process client {
  thread main {
    yield()
    let svc = host_get_special_port(which: 20)
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let extra = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, reply: reply, ports: [extra], port_disposition: MACH_MSG_TYPE_MAKE_SEND, receive: reply)
    expect r == MACH_MSG_SUCCESS
  }
}`);
    green(run, 4);
  });

  it('MR-ACT-04 any fresh port works for a kernel listener: no kobject type, no registration', () => {
    const run = runScenario(`
process kernel_task {
  thread listener kernel {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    mach_msg(send: p, data: [7])
    let r = mach_msg(receive: p)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == 7
  }
}`);
    green(run, 2);
    expect(run.kernel.state.mach.ports[1]!.kobjectType).toBe(0);
  });

  it('MR-ACT-05 exception messages are queued on an exception port and received in order by a dedicated kernel thread', () => {
    const run = runScenario(`
process kernel_task {
  thread ux_handler kernel {
    let exc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 24, port: exc)
    yield()
    yield()
    expect mach_port_msgcount(exc) == 2
    repeat 2 as i {
      let r = mach_msg(receive: exc)
      expect mach_msg_id() == 2401
      expect mach_msg_data(0) == i + 1
    }
  }
}
process app {
  thread a {
    let exc = host_get_special_port(which: 24)
    mach_msg(send: exc, id: 2401, data: [1])
  }
  thread b {
    let exc = host_get_special_port(which: 24)
    mach_msg(send: exc, id: 2401, data: [2])
  }
}`);
    green(run, 5);
  });
});

describe('passive invocation (MR-PAS)', () => {
  const CLIENT = `
process client {
  thread main {
    yield()
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let connection = iokit_open(service: "adder")
    let r = mach_msg(send: connection, reply: reply, id: 2865, data: [41], receive: reply)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == KERN_SUCCESS
    expect mach_msg_data(1) == 42
    expect mach_msg_id() == 2965
    expect mach_port_msgcount(connection) == 0
    expect mach_port_seqno(connection) == 0
  }
}`;

  it('MR-PAS-01 the kobject server runs on the calling thread after copyin; the kobject port queue is never used', () => {
    const run = runScenario(`${kext(0)}${CLIENT}`);
    green(run, 7);
    expect(run.trace).toMatchSnapshot();
    const call = duringCall(run.events, 'client.main', 0);
    expect(call.filter((e) => e.kind === 'context-switch')).toEqual([]);
    const steps = call.filter((e) => e.kind === 'kernel-step').map((e) => (e.kind === 'kernel-step' ? e.step : ''));
    expect(steps.slice(0, 4)).toEqual(['ipc_kmsg_get', 'ipc_kmsg_copyin_header', 'ipc_kmsg_send', 'ipc_kobject_server']);
    const onKobject = call.filter((e) => e.kind === 'mach-msg' && e.portLabel.startsWith('io_connect'));
    expect(onKobject.map((e) => (e.kind === 'mach-msg' ? `${e.action} ${e.threadName}` : ''))).toEqual(['kobject-call client.main', 'kobject-reply client.main']);
  });

  it('MR-PAS-02 only half an IPC: no server receive, the reply comes back within the same mach_msg, 0 switches against 2', () => {
    const run = runScenario(`${kext(1)}
process client {
  thread main {
    yield()
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let active = host_get_special_port(which: 20)
    let t0 = now()
    mach_msg(send: active, reply: reply, data: [1], receive: reply)
    let active_cycles = now() - t0
    let connection = iokit_open(service: "adder")
    let t1 = now()
    mach_msg(send: connection, reply: reply, id: 2865, data: [1], receive: reply)
    let passive_cycles = now() - t1
    expect mach_msg_data(1) == 2
    expect passive_cycles * 2 < active_cycles
  }
}`);
    green(run, 4);
    const passive = duringCall(run.events, 'client.main', 1);
    expect(passive.filter((e) => e.kind === 'context-switch')).toEqual([]);
    expect(passive.filter((e) => e.kind === 'mach-msg' && e.action === 'receive').map((e) => (e.kind === 'mach-msg' ? e.threadName : ''))).toEqual(['client.main']);
    expect(duringCall(run.events, 'client.main', 0).filter((e) => e.kind === 'context-switch').length).toBe(2);
  });

  it('MR-PAS-03 the caller is tied up: it runs the server, and blocks when the server blocks', () => {
    const run = runScenario(`
process kernel_task {
  thread main kernel {
    iokit_register_service(name: "waiter", routine: wait_for_event)
  }
  routine wait_for_event(port, unused, unused2, connection) {
    expect thread_state(client.main) == TS_RUNNING
    let r = mach_msg(receive: port)
    iokit_return(r, data: [mach_msg_data(0)])
  }
}
process client {
  thread main {
    yield()
    let events = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: events, port: events, disposition: MACH_MSG_TYPE_MAKE_SEND)
    bootstrap_register(name: "events", port: events)
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let connection = iokit_open(service: "waiter")
    let r = mach_msg(send: connection, reply: reply, id: 2865, data: [events], receive: reply)
    expect mach_msg_data(0) == MACH_MSG_SUCCESS
    expect mach_msg_data(1) == 99
  }
  thread helper {
    yield()
    yield()
    yield()
    expect thread_state(client.main) == TS_WAITING
    let events = bootstrap_look_up(name: "events")
    mach_msg(send: events, data: [99])
  }
}`);
    green(run, 4);
  });

  // MR-PAS-04 itself (OOL memory reaches a passive server as an unmapped vm_map_copy) is in mach-ool.test.ts.
  it('MR-PAS-04 (deviation) OOL port arrays are not modelled: such a descriptor is refused with MACH_SEND_INVALID_TYPE', () => {
    const run = runScenario(`
process client {
  pmo buf size 4KiB at 0x2000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    store32(0x2000_0000, MACH_MSG_TYPE_MAKE_SEND | MACH_MSGH_BITS_COMPLEX)
    store32(0x2000_0004, 40)
    store32(0x2000_0008, p)
    store32(0x2000_0018, 1)
    store32(0x2000_001c, 0x1000)
    store8(0x2000_0027, MACH_MSG_OOL_PORTS_DESCRIPTOR)
    let r = mach_msg(msg: 0x2000_0000)
    expect r == MACH_SEND_INVALID_TYPE
    expect mach_port_msgcount(p) == 0
    expect mach_port_srights(p) == 0
  }
}`);
    green(run, 3);
  });

  it('MR-PAS-05 rights reach the server naked: no name in any space, released only by the server', () => {
    const run = runScenario(`
process kernel_task {
  thread main kernel {
    iokit_register_service(name: "keeper", routine: keep)
  }
  routine keep(selector, unused, unused2, connection) {
    expect mach_msg_port(0) > KBASE
    expect not mach_port_valid(mach_msg_port(0))
    if selector == 1 {
      ipc_port_release_send(mach_msg_port(0))
    }
    iokit_return(KERN_SUCCESS)
  }
}
process client {
  thread main {
    yield()
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let token = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let connection = iokit_open(service: "keeper")
    let names = mach_port_names(client)
    let kernel_names = mach_port_names(kernel_task)
    mach_msg(send: connection, reply: reply, id: 2865, data: [0], ports: [token], port_disposition: MACH_MSG_TYPE_MAKE_SEND, receive: reply)
    expect mach_port_names(client) == names
    expect mach_port_names(kernel_task) == kernel_names
    expect mach_port_srights(token) == 1
    mach_msg(send: connection, reply: reply, id: 2865, data: [1], ports: [token], port_disposition: MACH_MSG_TYPE_MAKE_SEND, receive: reply)
    expect mach_port_srights(token) == 1
  }
}`);
    green(run, 8);
  });

  it('MR-PAS-06 new kobject types cannot be hooked up at run time; the port stays queued', () => {
    const run = runScenario(`
process kernel_task {
  thread main kernel {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    let a = mach_port_set_kobject(p, type: 99)
    expect a == KERN_NOT_SUPPORTED
    let b = mach_port_set_kobject(p, type: IKOT_HOST)
    expect b == KERN_NOT_SUPPORTED
    let c = mach_port_set_kobject(p, type: IKOT_IOKIT_CONNECT)
    expect c == KERN_NOT_SUPPORTED
    let d = mach_port_set_kobject(0x999, type: 99)
    expect d == KERN_INVALID_NAME
    mach_msg(send: p, data: [5])
    expect mach_port_msgcount(p) == 1
  }
}`);
    green(run, 5);
    expect(run.kernel.state.mach.ports[1]!.kobjectType).toBe(0);
  });

  it('MR-PAS-07 io_connect and io_service ports are served passively by the driver method', () => {
    const run = runScenario(`${kext(0)}
process client {
  thread main {
    yield()
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let service = iokit_get_service(service: "adder")
    let r = mach_msg(send: service, reply: reply, id: 2865, data: [9], receive: reply)
    expect mach_msg_data(1) == 10
    let connection = iokit_open(service: "adder")
    r = mach_msg(send: connection, reply: reply, id: 2865, data: [19], receive: reply)
    expect mach_msg_data(1) == 20
    r = mach_msg(send: connection, reply: reply, id: 2866, receive: reply)
    expect mach_msg_data(0) == MIG_BAD_ID
  }
}`);
    green(run, 5);
  });
});

describe('export, bootstrap and UPL', () => {
  it('MR-EXP-01 user space finds a kext through the IOKit registry, not the bootstrap server', () => {
    const run = runScenario(`${kext(0)}
process client {
  thread main {
    yield()
    let b = bootstrap_look_up(name: "adder")
    expect b == BOOTSTRAP_UNKNOWN_SERVICE
    let c = iokit_open(service: "adder")
    expect mach_port_valid(c)
    let s = iokit_get_service(service: "adder")
    expect mach_port_valid(s)
    let n = iokit_open(service: "nope")
    expect n == KERN_NOT_FOUND
    let m = iokit_get_service(service: "nope")
    expect m == KERN_NOT_FOUND
  }
}`);
    green(run, 5);
  });

  it('MR-BOOT-01 bootstrap services are unavailable to kernel threads; user tasks can use them', () => {
    const run = runScenario(`
process kernel_task {
  thread main kernel {
    yield()
    let r = bootstrap_look_up(name: "svc")
    expect r == MACH_SEND_INVALID_DEST
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let g = bootstrap_register(name: "kernel-svc", port: p)
    expect g == MACH_SEND_INVALID_DEST
  }
}
process app {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let g = bootstrap_register(name: "svc", port: p)
    expect g == KERN_SUCCESS
    let s = bootstrap_look_up(name: "svc")
    expect s == p
  }
}`);
    green(run, 4);
  });

  it('MR-UPL-01 a user-space upl_commit_range is not served: the reply carries MIG_BAD_ID', () => {
    const run = runScenario(`
process app {
  thread main {
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let task = mach_task_self()
    let r = mach_msg(send: task, reply: reply, id: 2053, receive: reply)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == MIG_BAD_ID
    let host = mach_host_self()
    r = mach_msg(send: host, reply: reply, id: 2053, receive: reply)
    expect mach_msg_data(0) == MIG_BAD_ID
  }
}`);
    green(run, 3);
  });
});
