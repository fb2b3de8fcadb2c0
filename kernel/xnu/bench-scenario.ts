// A benchmark scenario generator: one machine with a `size`-entry node table; the link driver
// instantiates and registers every remote id (1 .. size-1), each registration publishes the node
// to the node bootstrap server, which then changes the node port once more so that the whole
// table is republished (mach_node_port_changed walks all `size` entries).

export function nodeTableScenario(size: number): string {
  const n = Math.max(2, Math.floor(size));
  return `scenario "node table of ${n}: fill and publish"

machine a {
  cpus 1
  nodes ${n}
}

# The node bootstrap server: owns HOST_NODE_PORT, hears one registration per node.
process noded on a {
  thread main {
    let bs = host_set_node_port()
    repeat ${n} {
      let m = noded_receive(bs)
    }
    expect nodes_to_publish() == 0
    # A new bootstrap port: every active node is published again, the local node first.
    let bs2 = host_set_node_port()
    expect port_queued(bs2) == ${n}
    repeat ${n} {
      let m2 = noded_receive(bs2)
    }
    expect nodes_to_publish() == 0
  }
}

# The link driver: one node struct per remote id, filled from the machine and registered.
process driver on a {
  thread main {
    repeat ${n - 1} as i {
      let node = mnl_instantiate(node: i + 1, machine: a)
      let r = mnl_register(node)
      expect r == KERN_SUCCESS
    }
    expect node_table(${n - 1}) != 0
  }
}
`;
}
