// Fixture scenarios for the language-server tests. Markers (`/*name*/`) are stripped by withMarkers.

/** The echo example with named markers on interesting names. */
export const ECHO = `# Echo: one client, one server.
#
# The client registers, then calls.
scenario "echo"

machine /*machine*/board {
  cpus 1
  memory 16MiB
}

process server on board badge 1 {
  thread /*serverMain*/main {
    let r = /*registerServer*/register_server(register_thread: /*regUse*/reg, routine: echo)
    expect r == 0
  }

  thread /*regDecl*/reg register runs on_register
  thread handler shadow runs echo

  routine on_register(declared_routine) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }

  routine echo(/*msgDecl*/msg, badge) {
    let x = msg_data(/*msgUse*/msg, 0)
    if msg_cap_count(msg) > 0 {
      print "server received a capability in slot ", msg_cap(msg, 0)
    }
    ipc_return(x + 1)
  }
}

process client on board badge 7 {
  pmo /*shmDecl*/shm size 4KiB
  pmo secret size 4KiB

  thread main {
    let /*connDecl*/conn = register_client(server: /*qualifiedHead*/server./*qualifiedMember*/main, shm: shm, addr: 0x4000_0000)
    expect conn >= 0
    expect conn_valid(conn)

    let r = /*ipcCall*/ipc_call(/*connUse*/conn, data: [41])
    expect r == 42 or r == -/*einval*/EINVAL

    let r2 = ipc_call(conn, /*dataArg*/data: [99], caps: [secret])
    expect r2 == 100
    print "echo done: ", r, " ", r2
  }
}
`;
