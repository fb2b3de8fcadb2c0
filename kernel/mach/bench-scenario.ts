// A Mach round-trip scenario for benchmarks: a server process registers a port with the bootstrap
// server and answers `n` requests; a client process looks it up and makes `n` RPCs (a send with
// a make-send-once reply right, then a receive of the reply on its own port, in one mach_msg).
// The lead's bench times it (the kernel reads no clock).
//
// Two forms, like the ChCore bench: `raw` (the default) prebuilds the request and reply headers
// in mapped memory once and calls `mach_msg(msg:, option:, rcv_msg:)` (mach_msg_overwrite), as a
// MIG stub with a cached header would; `data` uses the high-level form, which rebuilds the
// message in the thread's buffer on every call and reads the reply with the builtins.

/** The scenario text: `n` Mach RPC round trips between two user processes (send + receive + reply). */
export function machRoundTripScenario(n: number, form: 'raw' | 'data' = 'raw'): string {
  const count = Math.max(1, Math.floor(n));
  return form === 'raw' ? rawScenario(count) : dataScenario(count);
}

function dataScenario(count: number): string {
  return `scenario "mach round trips (high-level form)"

process server {
  thread main {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "bench", port: svc)
    let r = mach_msg(receive: svc)
    repeat ${count - 1} {
      r = mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [mach_msg_data(0) + 1], receive: svc)
    }
    r = mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [mach_msg_data(0) + 1])
    expect r == MACH_MSG_SUCCESS
  }
}

process client {
  thread main {
    yield()
    let svc = bootstrap_look_up(name: "bench")
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = 0
    repeat ${count} as i {
      r = mach_msg(send: svc, reply: reply, data: [i], receive: reply)
    }
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_data(0) == ${count}
  }
}
`;
}

function rawScenario(count: number): string {
  // Request: COPY_SEND | MAKE_SEND_ONCE << 8, 32 bytes (header + one data word), to svc, reply on reply.
  // Reply: MOVE_SEND_ONCE to the request's reply right (copied from the received header each time).
  return `scenario "mach round trips (raw form)"

process server {
  pmo buf size 4KiB at 0x3000_0000
  thread main {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    bootstrap_register(name: "bench", port: svc)
    store32(0x3000_0000, MACH_MSG_TYPE_MOVE_SEND_ONCE)
    store32(0x3000_0004, 32)
    let r = mach_msg(msg: 0x3000_0800, option: MACH_RCV_MSG, receive: svc)
    repeat ${count - 1} {
      store32(0x3000_0008, load32(0x3000_0808))
      r = mach_msg(msg: 0x3000_0000, option: MACH_SEND_MSG | MACH_RCV_MSG, receive: svc, rcv_msg: 0x3000_0800)
    }
    store32(0x3000_0008, load32(0x3000_0808))
    r = mach_msg(msg: 0x3000_0000, option: MACH_SEND_MSG)
    expect r == MACH_MSG_SUCCESS
  }
}

process client {
  pmo buf size 4KiB at 0x2000_0000
  thread main {
    yield()
    let svc = bootstrap_look_up(name: "bench")
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    store32(0x2000_0000, MACH_MSG_TYPE_COPY_SEND | (MACH_MSG_TYPE_MAKE_SEND_ONCE << 8))
    store32(0x2000_0004, 32)
    store32(0x2000_0008, svc)
    store32(0x2000_000c, reply)
    let r = 0
    repeat ${count} {
      r = mach_msg(msg: 0x2000_0000, option: MACH_SEND_MSG | MACH_RCV_MSG, receive: reply, rcv_msg: 0x2000_0800)
    }
    expect r == MACH_MSG_SUCCESS
    expect load32(0x2000_0800 + 4) == 32
  }
}
`;
}
