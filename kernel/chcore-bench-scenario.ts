// The ChCore IPC round-trip scenario used by the benchmark (bench/main.ts) and the determinism tests.
//
// A server registers with a handler thread that returns at once; a client registers (retrying
// until the server is up), builds a raw message in shared memory once, then makes `calls`
// iterations of the loop body. The lead's bench times it (the kernel reads no clock).

/** A raw-message call: the message prebuilt at 0x4000_0000 by build_msg. */
export const CHCORE_RAW_CALL = 'ipc_call(conn, msg: 0x4000_0000, cap_num: 0)';

/** The scenario text: `calls` iterations (loop variable `i`) of `body`, one statement a line. */
export function chcoreRoundTripScenario(calls: number, body: readonly string[] = [CHCORE_RAW_CALL]): string {
  return `
process server badge 1 {
  thread main {
    register_server(register_thread: reg)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(declared) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) {
    ipc_return(1)
  }
}
process client badge 2 {
  pmo shm size 4KiB
  thread main {
    let conn = -1
    repeat 1000 {
      conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
      if conn >= 0 {
        break
      }
      yield()
    }
    build_msg(0x4000_0000, 8, 0, 16, 24)
    repeat ${calls} as i {
${body.map((line) => `      ${line}`).join('\n')}
    }
  }
}
`;
}
