// mach_msg (outside the seeds; XNU ipc_kmsg.c / ipc_mqueue.c): dispositions, reply ports, port
// descriptors, blocking and timeouts, every mach_msg_return_t the emulator produces, the raw form;
// the bootstrap server, host special ports (with the HOST_NODE_PORT hook) and the built-in kobjects.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/index';
import { onHostSpecialPortChanged } from '../../kernel/mach/syscalls';
import { machRoundTripScenario } from '../../kernel/mach/bench-scenario';
import { compileScenario, runScenario, expectFinishedGreen, oneProcess } from './helpers';

const green = expectFinishedGreen;

const one = oneProcess;

const ECHO_SERVER = `
process server {
  thread main {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "echo", port: svc)
    let r = mach_msg(receive: svc)
    mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, id: mach_msg_id() + 100, data: [mach_msg_data(0) + 1])
  }
}`;

describe('mach_msg send and receive', () => {
  it('an RPC between two user processes: trace', () => {
    const run = runScenario(`${ECHO_SERVER}
process client {
  thread main {
    yield()
    let svc = bootstrap_look_up(name: "echo")
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, reply: reply, id: 7, data: [41], receive: reply)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_id() == 107
    expect mach_msg_data(0) == 42
    expect mach_port_type(reply) == MACH_PORT_TYPE_RECEIVE
  }
}`);
    green(run, 4);
    expect(run.trace).toMatchSnapshot();
  });

  it('dispositions: MAKE_SEND and MOVE_SEND on the destination, COPY_SEND keeps the reference', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r1 = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [1])
    expect r1 == MACH_MSG_SUCCESS
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    mach_msg(send: p, data: [2])
    expect mach_port_refs(p, MACH_PORT_RIGHT_SEND) == 1
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MOVE_SEND, data: [3])
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE
    expect mach_port_msgcount(p) == 3
    mach_msg(receive: p)
    expect mach_msg_data(0) == 1
    mach_msg(receive: p)
    mach_msg(receive: p)
    expect mach_msg_data(0) == 3
    expect mach_port_seqno(p) == 3`),
    );
    green(run, 8);
  });

  it('port descriptors: COPY_SEND names a send right in the receiver, MOVE_RECEIVE moves the receive right', () => {
    const run = runScenario(`
process server {
  thread main {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "s", port: svc)
    mach_msg(receive: svc)
    expect mach_msg_port_count() == 1
    let got = mach_msg_port(0)
    expect mach_port_type(got) == MACH_PORT_TYPE_SEND
    mach_msg(send: got, data: [77])
    mach_msg(receive: svc)
    let moved = mach_msg_port(0)
    expect mach_port_type(moved) == MACH_PORT_TYPE_RECEIVE
    let r = mach_msg(receive: moved, timeout: 0)
    expect r == MACH_RCV_TIMED_OUT
  }
}
process client {
  thread main {
    yield()
    let svc = bootstrap_look_up(name: "s")
    let mine = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: mine, port: mine, disposition: MACH_MSG_TYPE_MAKE_SEND)
    mach_msg(send: svc, ports: [mine])
    mach_msg(receive: mine)
    expect mach_msg_data(0) == 77
    let gift = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_msg(send: svc, ports: [gift], port_disposition: MACH_MSG_TYPE_MOVE_RECEIVE)
    expect mach_port_type(gift) == 0
  }
}`);
    green(run, 6);
  });

  it('a receive blocks until a message arrives (hand-off: the queue is not used)', () => {
    const run = runScenario(`
process a {
  thread rx {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "p", port: p)
    let r = mach_msg(receive: p)
    expect mach_msg_data(0) == 5
    expect mach_port_seqno(p) == 1
  }
  thread tx {
    yield()
    expect thread_state(a.rx) == TS_WAITING
    let p = bootstrap_look_up(name: "p")
    mach_msg(send: p, data: [5])
  }
}`);
    green(run, 3);
    expect(run.trace).toContain('a.tx: mach hand-off msg #0 id 0 on a:0x103 to a.rx');
  });

  it('MACH_RCV_TIMED_OUT at once with timeout 0 and after the timeout otherwise', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r0 = mach_msg(receive: p, timeout: 0)
    expect r0 == MACH_RCV_TIMED_OUT
    let t0 = now()
    let r1 = mach_msg(receive: p, timeout: 10000)
    expect r1 == MACH_RCV_TIMED_OUT
    expect now() - t0 >= 10000`),
    );
    green(run, 3);
  });

  it('MACH_RCV_PORT_DIED when the port dies during the receive', () => {
    const run = runScenario(`
process a {
  thread rx {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(receive: p)
    expect r == MACH_RCV_PORT_DIED
  }
  thread killer {
    yield()
    mach_port_destroy(0x103)
  }
}`);
    green(run, 1);
  });

  it('MACH_RCV_INVALID_NAME, MACH_RCV_TOO_LARGE, MACH_RCV_INVALID_DATA', () => {
    const run = runScenario(
      one(
        `    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r1 = mach_msg(receive: 0x7703)
    expect r1 == MACH_RCV_INVALID_NAME
    let d = mach_port_allocate(right: MACH_PORT_RIGHT_DEAD_NAME)
    let r2 = mach_msg(receive: d)
    expect r2 == MACH_RCV_INVALID_NAME
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [1, 2, 3, 4])
    let r3 = mach_msg(msg: 0x2000_0000, option: MACH_RCV_MSG, receive: p, rcv_size: 32)
    expect r3 == MACH_RCV_TOO_LARGE
    expect mach_port_msgcount(p) == 0
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [5])
    let r4 = mach_msg(msg: 0x5000_0000, option: MACH_RCV_MSG, receive: p)
    expect r4 == MACH_RCV_INVALID_DATA`,
        '  pmo buf size 4KiB at 0x2000_0000',
      ),
    );
    green(run, 5);
  });

  it('send errors: MACH_SEND_INVALID_DEST, _INVALID_HEADER, _INVALID_REPLY, _INVALID_RIGHT, _MSG_TOO_SMALL, _TOO_LARGE, _INVALID_DATA', () => {
    const run = runScenario(
      one(
        `    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let e1 = mach_msg(send: MACH_PORT_NULL)
    expect e1 == MACH_SEND_INVALID_DEST
    let e2 = mach_msg(send: 0x7703)
    expect e2 == MACH_SEND_INVALID_DEST
    let e3 = mach_msg(send: p)
    expect e3 == MACH_SEND_INVALID_DEST
    let e4 = mach_msg(send: p, disposition: MACH_MSG_TYPE_MOVE_RECEIVE)
    expect e4 == MACH_SEND_INVALID_HEADER
    let e5 = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, reply: 0x7703)
    expect e5 == MACH_SEND_INVALID_REPLY
    let e6 = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ports: [0x7703])
    expect e6 == MACH_SEND_INVALID_RIGHT
    let e7 = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ports: [p], port_disposition: 9)
    expect e7 == MACH_SEND_INVALID_RIGHT
    store32(0x2000_0000, MACH_MSG_TYPE_MAKE_SEND)
    store32(0x2000_0004, 20)
    store32(0x2000_0008, p)
    let e8 = mach_msg(msg: 0x2000_0000)
    expect e8 == MACH_SEND_MSG_TOO_SMALL
    let e9 = mach_msg(msg: 0x2000_0000, send_size: 26)
    expect e9 == MACH_SEND_MSG_TOO_SMALL
    let e10 = mach_msg(msg: 0x2000_0000, send_size: 8192)
    expect e10 == MACH_SEND_TOO_LARGE
    let e11 = mach_msg(msg: 0x5000_0000, send_size: 24)
    expect e11 == MACH_SEND_INVALID_DATA
    expect mach_port_msgcount(p) == 0
    expect mach_port_srights(p) == 0
    let ok = mach_msg(msg: 0x2000_0000, send_size: 24)
    expect ok == MACH_MSG_SUCCESS`,
        '  pmo buf size 4KiB at 0x2000_0000',
      ),
    );
    green(run, 14);
    expect(run.trace).toContain('mach_msg returns MACH_SEND_INVALID_HEADER');
  });

  it('the raw form with a separate receive buffer (mach_msg_overwrite) keeps a prebuilt request', () => {
    const run = runScenario(machRoundTripScenario(3, 'raw'));
    green(run, 3);
  });

  it('the high-level benchmark form runs green', () => {
    const run = runScenario(machRoundTripScenario(3, 'data'));
    green(run, 3);
  });
});

describe('bootstrap server, host special ports and built-in kobjects', () => {
  it('BOOTSTRAP_NAME_IN_USE, BOOTSTRAP_UNKNOWN_SERVICE, MACH_SEND_INVALID_RIGHT; a dead service can be re-registered', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r1 = bootstrap_register(name: "svc", port: p)
    expect r1 == KERN_SUCCESS
    let q = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r2 = bootstrap_register(name: "svc", port: q)
    expect r2 == BOOTSTRAP_NAME_IN_USE
    let r3 = bootstrap_register(name: "other", port: 0x7703)
    expect r3 == MACH_SEND_INVALID_RIGHT
    let u = bootstrap_look_up(name: "none")
    expect u == BOOTSTRAP_UNKNOWN_SERVICE
    mach_port_destroy(p)
    let gone = bootstrap_look_up(name: "svc")
    expect gone == BOOTSTRAP_UNKNOWN_SERVICE
    let r4 = bootstrap_register(name: "svc", port: q)
    expect r4 == KERN_SUCCESS
    let s = bootstrap_look_up(name: "svc")
    expect s == q`),
    );
    green(run, 7);
    expect(run.trace).toContain('bootstrap_look_up returns BOOTSTRAP_UNKNOWN_SERVICE');
  });

  it('host special ports: get and set, KERN_INVALID_ARGUMENT, MACH_SEND_INVALID_RIGHT, and the HOST_NODE_PORT hook', () => {
    const calls: string[] = [];
    onHostSpecialPortChanged((_k, machine, which, port) => calls.push(`${machine}:${which}:${port}`));
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let unset = host_get_special_port(which: HOST_NODE_PORT)
    expect unset == MACH_PORT_NULL
    let s1 = host_set_special_port(which: HOST_NODE_PORT, port: p)
    expect s1 == KERN_SUCCESS
    let got = host_get_special_port(which: HOST_NODE_PORT)
    expect got == p
    let s2 = host_set_special_port(which: HOST_PRIV_PORT, port: p)
    expect s2 == KERN_INVALID_ARGUMENT
    let s3 = host_set_special_port(which: 40, port: p)
    expect s3 == KERN_INVALID_ARGUMENT
    let s4 = host_set_special_port(which: 9, port: 0x7703)
    expect s4 == MACH_SEND_INVALID_RIGHT
    let g = host_get_special_port(which: 99)
    expect g == KERN_INVALID_ARGUMENT
    let host = host_get_special_port(which: HOST_PORT)
    let self = mach_host_self()
    expect host == self
    mach_port_destroy(p)
    let dead = host_get_special_port(which: HOST_NODE_PORT)
    expect dead == MACH_PORT_DEAD`),
    );
    green(run, 9);
    expect(calls).toEqual(['0:26:1']);
  });

  it('host_info (200) and task_info (3405) are served passively on the caller thread', () => {
    const run = runScenario(`
machine board {
  cpus 2
  memory 8MiB
}
process a on board {
  thread main {
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let host = mach_host_self()
    let r = mach_msg(send: host, reply: reply, id: 200, receive: reply)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_id() == 300
    expect mach_msg_data(0) == KERN_SUCCESS
    expect mach_msg_data(1) == 2
    expect mach_msg_data(2) == 8 * 1024 * 1024
    let task = mach_task_self()
    let again = mach_task_self()
    expect task == again
    mach_msg(send: task, reply: reply, id: 3405, receive: reply)
    expect mach_msg_data(1) == 1
    expect mach_msg_data(2) == 3
  }
}`);
    green(run, 8);
    expect(run.events.filter((e) => e.kind === 'context-switch').length).toBe(1);
  });

  it('iokit errors: KERN_NAME_EXISTS, iokit_return outside a passive call, ipc_port_release_send misuse', () => {
    const run = runScenario(`
process kernel_task {
  thread main kernel {
    let r1 = iokit_register_service(name: "x", routine: m)
    expect r1 == KERN_SUCCESS
    let r2 = iokit_register_service(name: "x", routine: m)
    expect r2 == KERN_NAME_EXISTS
    let r3 = iokit_return(KERN_SUCCESS)
    expect r3 == KERN_INVALID_ARGUMENT
    let r4 = ipc_port_release_send(KBASE + 999)
    expect r4 == KERN_INVALID_ARGUMENT
  }
  routine m(a, b, c, d) {
    iokit_return(0)
  }
}
process user {
  thread main {
    let r = ipc_port_release_send(KBASE + 1)
    expect r == KERN_INVALID_ARGUMENT
  }
}`);
    green(run, 5);
  });
});

describe('Mach state', () => {
  it('is plain data: a snapshot restores and replays the same run', () => {
    const program = compileScenario(machRoundTripScenario(20, 'data'));
    const kernel = new Kernel(program, { seed: 1, record: false });
    kernel.run(200);
    const snapshot = kernel.snapshot();
    expect(structuredClone(snapshot.mach)).toEqual(snapshot.mach);
    const first = kernel.run();
    const end = kernel.state.cpus[0]!.time;
    kernel.restore(snapshot);
    const second = kernel.run();
    expect(second?.reason).toBe('finished');
    expect(first?.reason).toBe('finished');
    expect(kernel.state.cpus[0]!.time).toBe(end);
  });

  it('summarizes spaces and queues', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [1])`),
    );
    expect(run.summary).toContain('Mach:\n  a: 0x103 receive a:0x103\n  port #1 a:0x103: 1/5 queued');
  });
});
