// Mach port name spaces and rights (outside the seeds; XNU osfmk/ipc): mach_port_allocate,
// _deallocate, _destroy, _mod_refs, _insert_right, _move_member, _request_notification,
// _set_qlimit, and every return code they have. Names are (index << 8) | generation, 0x103 first.
import { describe, expect, it } from 'vitest';
import { runScenario, expectFinishedGreen, oneProcess } from './helpers';

const green = expectFinishedGreen;

const one = oneProcess;

describe('mach_port_allocate', () => {
  it('creates receive rights, port sets and dead names under fresh names', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    expect p == 0x103
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE
    let s = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    expect s == 0x203
    expect mach_port_type(s) == MACH_PORT_TYPE_PORT_SET
    let d = mach_port_allocate(right: MACH_PORT_RIGHT_DEAD_NAME)
    expect mach_port_type(d) == MACH_PORT_TYPE_DEAD_NAME
    expect mach_port_refs(d, MACH_PORT_RIGHT_DEAD_NAME) == 1
    expect mach_port_names(a) == 3`),
    );
    green(run, 7);
    expect(run.trace).toContain('mach_port_allocate returns name 0x103');
  });

  it('KERN_INVALID_VALUE for send, send-once and unknown rights', () => {
    const run = runScenario(
      one(`    let a1 = mach_port_allocate(right: MACH_PORT_RIGHT_SEND)
    expect a1 == KERN_INVALID_VALUE
    let a2 = mach_port_allocate(right: MACH_PORT_RIGHT_SEND_ONCE)
    expect a2 == KERN_INVALID_VALUE
    let a3 = mach_port_allocate(right: 9)
    expect a3 == KERN_INVALID_VALUE
    expect not mach_port_valid(a3)`),
    );
    green(run, 4);
    expect(run.trace).toContain('mach_port_allocate returns KERN_INVALID_VALUE');
  });

  it('KERN_NO_SPACE when the space is full (its size is the capability-table size)', () => {
    const run = runScenario(
      one(`    let last = 0
    repeat 4 {
      last = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    }
    expect last == KERN_NO_SPACE
    expect mach_port_names(a) == 3`),
      { capTableSize: 4 },
    );
    green(run, 2);
  });

  it('a freed index comes back with the next generation (0x103, then 0x107)', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_destroy(p)
    expect mach_port_type(p) == 0
    let q = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    expect q == 0x107
    let old = mach_port_deallocate(p)
    expect old == KERN_INVALID_NAME`),
    );
    green(run, 3);
  });
});

describe('mach_port_deallocate and mach_port_destroy', () => {
  it('deallocate drops user references; KERN_INVALID_NAME, KERN_INVALID_RIGHT; NULL and DEAD succeed', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: 1)
    expect mach_port_refs(p, MACH_PORT_RIGHT_SEND) == 2
    let d1 = mach_port_deallocate(p)
    expect d1 == KERN_SUCCESS
    expect mach_port_refs(p, MACH_PORT_RIGHT_SEND) == 1
    mach_port_deallocate(p)
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE
    let d2 = mach_port_deallocate(p)
    expect d2 == KERN_INVALID_RIGHT
    let d3 = mach_port_deallocate(0x4242_03)
    expect d3 == KERN_INVALID_NAME
    let d4 = mach_port_deallocate(MACH_PORT_NULL)
    expect d4 == KERN_SUCCESS
    let d5 = mach_port_deallocate(MACH_PORT_DEAD)
    expect d5 == KERN_SUCCESS
    let s = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    let d6 = mach_port_deallocate(s)
    expect d6 == KERN_INVALID_RIGHT`),
    );
    green(run, 9);
  });

  it('destroying a receive right kills the port: send rights elsewhere become dead names, sends fail with MACH_SEND_INVALID_DEST', () => {
    const run = runScenario(`
process server {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "s", port: p)
    yield()
    let r = mach_port_destroy(p)
    expect r == KERN_SUCCESS
    expect mach_port_names(server) == 0
    let again = mach_port_destroy(p)
    expect again == KERN_INVALID_NAME
  }
}
process client {
  thread main {
    let s = bootstrap_look_up(name: "s")
    expect mach_port_type(s) == MACH_PORT_TYPE_SEND
    yield()
    expect mach_port_type(s) == MACH_PORT_TYPE_DEAD_NAME
    let r = mach_msg(send: s, data: [1])
    expect r == MACH_SEND_INVALID_DEST
    let d = mach_port_deallocate(s)
    expect d == KERN_SUCCESS
    expect mach_port_type(s) == 0
  }
}`);
    green(run, 8);
  });

  it('destroying a port set wakes its receivers with MACH_RCV_PORT_DIED', () => {
    const run = runScenario(`
process a {
  thread waiter {
    let set = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    let r = mach_msg(receive: set)
    expect r == MACH_RCV_PORT_DIED
  }
  thread killer {
    yield()
    let d = mach_port_destroy(0x103)
    expect d == KERN_SUCCESS
  }
}`);
    green(run, 2);
  });
});

describe('mach_port_mod_refs', () => {
  it('changes user references and reports every error code', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    let m1 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: 4)
    expect m1 == KERN_SUCCESS
    expect mach_port_refs(p, MACH_PORT_RIGHT_SEND) == 5
    let m2 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: -6)
    expect m2 == KERN_INVALID_VALUE
    let m3 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: 0xffff)
    expect m3 == KERN_UREFS_OVERFLOW
    let m4 = mach_port_mod_refs(p, right: 7, delta: 1)
    expect m4 == KERN_INVALID_VALUE
    let m5 = mach_port_mod_refs(0x7703, right: MACH_PORT_RIGHT_SEND, delta: 1)
    expect m5 == KERN_INVALID_NAME
    let m6 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND_ONCE, delta: -1)
    expect m6 == KERN_INVALID_RIGHT
    let m7 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_RECEIVE, delta: 1)
    expect m7 == KERN_INVALID_VALUE
    let m8 = mach_port_mod_refs(MACH_PORT_NULL, right: MACH_PORT_RIGHT_SEND, delta: 1)
    expect m8 == KERN_SUCCESS
    let m9 = mach_port_mod_refs(MACH_PORT_NULL, right: MACH_PORT_RIGHT_RECEIVE, delta: -1)
    expect m9 == KERN_INVALID_NAME
    let m10 = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: -5)
    expect m10 == KERN_SUCCESS
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE`),
    );
    green(run, 12);
  });

  it('receive delta -1 destroys the port; send rights under the same name become a dead name', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: 1)
    let r = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_RECEIVE, delta: -1)
    expect r == KERN_SUCCESS
    expect mach_port_type(p) == MACH_PORT_TYPE_DEAD_NAME
    expect mach_port_refs(p, MACH_PORT_RIGHT_DEAD_NAME) == 2
    let d = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_DEAD_NAME, delta: -2)
    expect d == KERN_SUCCESS
    expect mach_port_type(p) == 0`),
    );
    green(run, 5);
  });
});

describe('mach_port_insert_right', () => {
  it('MAKE_SEND under the receive name, COPY_SEND into another task, and every error code', () => {
    const run = runScenario(`
process a {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let i1 = mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    expect i1 == KERN_SUCCESS
    expect mach_port_type(p) == MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND
    let i2 = mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i2 == KERN_SUCCESS
    expect mach_port_refs(p, MACH_PORT_RIGHT_SEND) == 2
    let i3 = mach_port_insert_right(name: 0x5503, port: p, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i3 == KERN_RIGHT_EXISTS
    let q = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let i4 = mach_port_insert_right(name: q, port: p, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i4 == KERN_NAME_EXISTS
    let i5 = mach_port_insert_right(name: MACH_PORT_NULL, port: p, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i5 == KERN_INVALID_VALUE
    let i6 = mach_port_insert_right(name: 0x703, port: p, disposition: 99)
    expect i6 == KERN_INVALID_VALUE
    let i7 = mach_port_insert_right(name: 0x703, port: 0x6603, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i7 == KERN_INVALID_NAME
    let i8 = mach_port_insert_right(name: 0x703, port: q, disposition: MACH_MSG_TYPE_COPY_SEND)
    expect i8 == KERN_INVALID_RIGHT
    let i9 = mach_port_insert_right(name: 0x703, port: p, disposition: MACH_MSG_TYPE_COPY_SEND, task: b)
    expect i9 == KERN_SUCCESS
    let s = mach_port_mod_refs(p, right: MACH_PORT_RIGHT_SEND, delta: 0xffff - 2)
    let i10 = mach_port_insert_right(name: p, port: p, disposition: MACH_MSG_TYPE_MAKE_SEND)
    expect i10 == KERN_UREFS_OVERFLOW
  }
}
process b {
  thread main {
    yield()
    expect mach_port_type(0x703) == MACH_PORT_TYPE_SEND
    let r = mach_msg(send: 0x703, data: [5])
    expect r == MACH_MSG_SUCCESS
  }
}`);
    green(run, 14);
  });

  it('MOVE_RECEIVE moves the receive right to another name or task', () => {
    const run = runScenario(`
process a {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_port_insert_right(name: 0x903, port: p, disposition: MACH_MSG_TYPE_MOVE_RECEIVE, task: b)
    expect r == KERN_SUCCESS
    expect mach_port_type(p) == 0
  }
}
process b {
  thread main {
    yield()
    expect mach_port_type(0x903) == MACH_PORT_TYPE_RECEIVE
  }
}`);
    green(run, 3);
  });
});

describe('port sets (mach_port_move_member)', () => {
  it('a receive on a set takes the first member with a message; KERN_NOT_IN_SET, KERN_INVALID_RIGHT, KERN_INVALID_NAME', () => {
    const run = runScenario(
      one(`    let set = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    let p1 = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let p2 = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let n0 = mach_port_move_member(p1, after: MACH_PORT_NULL)
    expect n0 == KERN_NOT_IN_SET
    let m1 = mach_port_move_member(p1, after: set)
    expect m1 == KERN_SUCCESS
    let m2 = mach_port_move_member(p2, after: set)
    let bad1 = mach_port_move_member(set, after: set)
    expect bad1 == KERN_INVALID_RIGHT
    let bad2 = mach_port_move_member(p1, after: p2)
    expect bad2 == KERN_INVALID_RIGHT
    let bad3 = mach_port_move_member(0x9903, after: set)
    expect bad3 == KERN_INVALID_NAME
    mach_msg(send: p2, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [2])
    let r = mach_msg(receive: set)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == 2
    let out = mach_port_move_member(p2, after: MACH_PORT_NULL)
    expect out == KERN_SUCCESS
    mach_msg(send: p2, disposition: MACH_MSG_TYPE_MAKE_SEND, data: [3])
    let empty = mach_msg(receive: set, timeout: 0)
    expect empty == MACH_RCV_TIMED_OUT`),
    );
    green(run, 9);
  });

  it('MACH_RCV_PORT_CHANGED for a thread waiting on a port that moves into a set; a waiter on the set gets its queued messages', () => {
    const run = runScenario(`
process a {
  thread waiter {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "p", port: p)
    let r = mach_msg(receive: p)
    expect r == MACH_RCV_PORT_CHANGED
  }
  thread mover {
    yield()
    let set = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    let r = mach_port_move_member(0x103, after: set)
    expect r == KERN_SUCCESS
  }
}`);
    green(run, 2);
  });
});

describe('dead-name notifications (mach_port_request_notification)', () => {
  it('the notify port gets MACH_NOTIFY_DEAD_NAME with the name when the port dies; errors', () => {
    const run = runScenario(`
process server {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "s", port: p)
    yield()
    mach_port_destroy(p)
  }
}
process client {
  thread main {
    let s = bootstrap_look_up(name: "s")
    let notify = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let e1 = mach_port_request_notification(s, notify: notify, variant: 70)
    expect e1 == KERN_INVALID_VALUE
    let e2 = mach_port_request_notification(0x7703, notify: notify)
    expect e2 == KERN_INVALID_NAME
    let e3 = mach_port_request_notification(s, notify: s)
    expect e3 == KERN_INVALID_CAPABILITY
    let set = mach_port_allocate(right: MACH_PORT_RIGHT_PORT_SET)
    let e4 = mach_port_request_notification(set, notify: notify)
    expect e4 == KERN_INVALID_RIGHT
    let ok = mach_port_request_notification(s, notify: notify)
    expect ok == KERN_SUCCESS
    let r = mach_msg(receive: notify)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_id() == MACH_NOTIFY_DEAD_NAME
    expect mach_msg_data(0) == s
    expect mach_port_type(s) == MACH_PORT_TYPE_DEAD_NAME
    let again = mach_port_request_notification(s, notify: notify)
    expect again == KERN_SUCCESS
    expect mach_port_msgcount(notify) == 1
  }
}`);
    green(run, 11);
    expect(run.trace).toContain('mach notify msg #0 id 72 to client:0x203 (dead-name 0x103 in client)');
  });
});

describe('queue limits (mach_port_set_qlimit)', () => {
  it('a full queue blocks the sender until a receive makes room; errors', () => {
    const run = runScenario(`
process server {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let q1 = mach_port_set_qlimit(p, limit: 2000)
    expect q1 == KERN_INVALID_VALUE
    let q2 = mach_port_set_qlimit(0x7703, limit: 1)
    expect q2 == KERN_INVALID_NAME
    let q3 = mach_port_set_qlimit(p, limit: 1)
    expect q3 == KERN_SUCCESS
    bootstrap_register(name: "s", port: p)
    yield()
    expect mach_port_msgcount(p) == 1
    expect thread_state(client.main) == TS_WAITING
    mach_msg(receive: p)
    expect mach_msg_data(0) == 1
    yield()
    mach_msg(receive: p)
    expect mach_msg_data(0) == 2
  }
}
process client {
  thread main {
    let s = bootstrap_look_up(name: "s")
    let q4 = mach_port_set_qlimit(s, limit: 1)
    expect q4 == KERN_INVALID_RIGHT
    mach_msg(send: s, data: [1])
    let r = mach_msg(send: s, data: [2])
    expect r == MACH_MSG_SUCCESS
  }
}`);
    green(run, 9);
  });

  it('MACH_SEND_TIMED_OUT: at once with timeout 0, after the timeout otherwise; the rights come back', () => {
    const run = runScenario(`
process server {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_set_qlimit(p, limit: 0)
    bootstrap_register(name: "s", port: p)
  }
}
process client {
  thread main {
    yield()
    let s = bootstrap_look_up(name: "s")
    let t0 = now()
    let r = mach_msg(send: s, data: [1], timeout: 0)
    expect r == MACH_SEND_TIMED_OUT
    let t1 = now()
    let r2 = mach_msg(send: s, disposition: MACH_MSG_TYPE_MOVE_SEND, data: [1], timeout: 5000)
    expect r2 == MACH_SEND_TIMED_OUT
    expect now() - t1 >= 5000
    expect mach_port_type(s) == MACH_PORT_TYPE_SEND
  }
}`);
    green(run, 4);
  });

  it('send-once messages always fit, even in a zero-length queue', () => {
    const run = runScenario(
      one(`    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_port_set_qlimit(p, limit: 0)
    let r = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND_ONCE, data: [1], timeout: 0)
    expect r == MACH_MSG_SUCCESS
    expect mach_port_msgcount(p) == 1`),
    );
    green(run, 2);
  });
});
