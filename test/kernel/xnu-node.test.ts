// XNU mach_node (shared/seeds/xnu-mach_node.c.txt): one test per seed-paths.md row a scenario can
// reach (section 2), named by the row id. D rows run through the link-driver and bootstrap-server
// operations; P rows are kernel faults naming the seed line. Traces are pinned as snapshots.
import { describe, expect, it } from 'vitest';
import type { KernelFaultEvent } from '../../kernel/index';
import { machNodeForIdLocked, machNodeInit, xnuMachine } from '../../kernel/xnu/mach-node';
import { Kernel } from '../../kernel/index';
import { buildProgram, runXnu, type XnuRun, type XnuSetup } from './xnu-helpers';

/** Machines a and b (1 CPU each) joined by a link; `drv` runs on a, `peer` on b. */
function scenario(driver: string, options: { noded?: string; peer?: string; extra?: string; a?: string; b?: string } = {}): string {
  return `
machine a {
  cpus 1${options.a ? `\n  ${options.a}` : ''}
}
machine b {
  cpus 1${options.b ? `\n  ${options.b}` : ''}
}
link a <-> b latency 500
${options.noded !== undefined ? `process noded on a {\n  thread main {\n${options.noded}\n  }\n}` : ''}
process drv on a {
  thread main {
${driver}
  }
}
process peer on b {
  thread main {
${options.peer ?? '    print "b"'}
  }
}
${options.extra ?? ''}`;
}


function green(text: string, setup: XnuSetup = {}): XnuRun {
  const run = runXnu(text, setup, { invariants: true });
  expect(run.failures).toEqual([]);
  expect(run.violations).toEqual([]);
  expect(run.halt?.reason).toBe('finished');
  return run;
}

function kernelFault(text: string, row: string, line: number, setup: XnuSetup = {}): XnuRun {
  const run = runXnu(text, setup);
  expect(run.failures).toEqual([]);
  const fault = run.events.find((e): e is KernelFaultEvent => e.kind === 'kernel-fault');
  expect(fault).toMatchObject({ row, seedFile: 'xnu-mach_node.c.txt', seedLine: line });
  expect(run.kernel.state.machines[0]!.halted).toBe(true);
  expect(run.halt?.reason).toBe('fault');
  return run;
}

const REGISTER_B = `    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    expect r == KERN_SUCCESS`;

describe('2.1 mach_node_init', () => {
  it('XN-INIT-01: the first instantiate initialises lazily: localnode 0 of 2, active, published 0, names from 2', () => {
    const run = green(
      scenario(`    expect localnode_id() == -1
    let n = mnl_instantiate(node: 1)
    expect localnode_id() == 0
    let l = localnode()
    expect node_table(0) == l
    expect node_active(l) and not node_published(l)
    expect node_id(l) == 0 and node_byteorder(l) == 1 and node_datamodel(l) == 2 and node_proto_vers(l) == 1
    expect node_antecedent(l) == 0 and node_bootstrap_port(l) == 0
    expect nodes_to_publish() == 0
    expect mnl_name_next() == 2`),
    );
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-INIT-01: the table follows the machine (nodes 4, big endian, ILP32)', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 3)
    expect n != 0
    let l = localnode()
    expect node_byteorder(l) == 2 and node_datamodel(l) == 1
    expect mnl_name_next() == 4`, { a: 'nodes 4\n  byte_order big\n  data_model ilp32' }),
    );
  });

  it('XN-INIT-02: later calls are no-ops (the localnode and the name counter are kept)', () => {
    const run = green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let l = localnode()
    let x = mnl_name_alloc()
    let n2 = mnl_instantiate(node: 1)
    expect localnode() == l
    expect mnl_name_next() == 4`),
    );
    expect(run.events.filter((e) => e.kind === 'node' && e.action === 'init')).toHaveLength(1);
  });
});

describe('2.2 mach_node_publish', () => {
  it('XN-PUB-01 / XN-PORT-06: an empty slot is skipped; only REG_LOCAL is sent', () => {
    const run = green(
      scenario('    print "driver idle"', {
        noded: `    let bs = host_set_node_port()
    expect port_queued(bs) == 1
    let m = noded_receive(bs)
    expect nmsg_identifier(m) == MACH_NODE_SM_REG_LOCAL
    expect port_queued(bs) == 0`,
      }),
    );
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-PUB-02: a terminated node in the table is not published (and not counted)', () => {
    green(
      scenario(`${REGISTER_B}
    let t = mnl_terminate(n)
    let bs = host_set_node_port()
    expect port_queued(bs) == 1
    expect not node_published(n)
    expect nodes_to_publish() == 0`),
    );
  });

  it('XN-PUB-03: an already published node is not sent twice (index 0 after the local publish)', () => {
    const run = green(
      scenario(`    let bs = host_set_node_port()
    expect port_queued(bs) == 1
    expect node_published(localnode())`),
    );
    expect(run.events.filter((e) => e.kind === 'node' && e.action === 'publish')).toHaveLength(1);
  });

  it('XN-PUB-04: no bootstrap port yet: the node stays to publish, no message, no printf', () => {
    const run = green(
      scenario(`${REGISTER_B}
    expect not node_published(n)
    expect nodes_to_publish() == 1`),
    );
    expect(run.trace).not.toContain('mach_node_publish');
  });

  it('XN-PUB-05: REG_LOCAL: bits COPY_SEND (0x13), id NODE, local port NULL, size 40, local byte order and data model', () => {
    green(
      scenario('    print "driver idle"', {
        noded: `    let bs = host_set_node_port()
    let m = noded_receive(bs)
    expect nmsg_bits(m) == 0x13
    expect nmsg_id(m) == MACH_NODE_SERVER_MSG_ID
    expect nmsg_remote_port(m) == bs
    expect nmsg_local_port(m) == 0
    expect nmsg_size(m) == 40
    expect nmsg_identifier(m) == MACH_NODE_SM_REG_LOCAL
    expect nmsg_node_id(m) == 0
    expect nmsg_datamodel(m) == 2 and nmsg_byteorder(m) == 1`,
      }),
    );
  });

  it('XN-PUB-06: REG_REMOTE: bits COPY_SEND | MAKE_SEND << 8 (0x1413), local port = the proxy bootstrap port', () => {
    green(
      scenario(`${REGISTER_B}
    expect node_published(n)`, {
        noded: `    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    expect nmsg_bits(m) == 0x1413
    expect nmsg_identifier(m) == MACH_NODE_SM_REG_REMOTE
    expect nmsg_node_id(m) == 1
    expect nmsg_local_port(m) == node_bootstrap_port(node_table(1))
    expect port_send_rights(nmsg_local_port(m)) == 1`,
      }),
    );
  });

  it('XN-PUB-07: a sent publication sets published and decrements the counter; printf "mach_node_publish(1)=0"', () => {
    const run = green(
      scenario(`${REGISTER_B}
    expect node_published(n)
    expect nodes_to_publish() == 0`, { noded: '    let bs = host_set_node_port()' }),
    );
    expect(run.trace).toContain('"mach_node_publish(1)=0"');
  });

  it('XN-PUB-08: the bootstrap port is dead: published stays 0, the counter stays, printf shows the kr', () => {
    const run = green(
      scenario(`    let bs = host_set_node_port()
    let d = node_port_destroy(bs)
${REGISTER_B}
    expect not node_published(n)
    expect nodes_to_publish() == 1`),
    );
    expect(run.trace).toContain(`"mach_node_publish(1)=${0x10000003}"`);
  });
});

describe('2.3 mach_node_port_changed', () => {
  it('XN-PORT-01: setting the node port initialises the layer lazily', () => {
    green(
      scenario(`    expect localnode_id() == -1
    let bs = host_set_node_port()
    expect localnode_id() == 0
    expect node_published(localnode())`),
    );
  });

  it('XN-PORT-02: the old bootstrap send right is cleared without release (leak)', () => {
    green(
      scenario(`    let p1 = host_set_node_port()
    expect port_send_rights(p1) == 2
    let p2 = host_set_node_port()
    expect node_bootstrap_port(localnode()) == p2
    expect port_send_rights(p1) == 1
    expect port_send_rights(p2) == 2`),
    );
  });

  it('XN-PORT-03: the new port becomes the localnode bootstrap port', () => {
    green(
      scenario(`    let p = host_set_node_port()
    expect node_bootstrap_port(localnode()) == p`),
    );
  });

  it('XN-PORT-04: an invalid special port fires assert(IP_VALID(bs_port)) (kernel fault)', () => {
    kernelFault(scenario(`    let p = host_set_node_port(port: 0)
    print "not reached"`), 'XN-PORT-04', 217);
  });

  it('XN-PORT-05: all entries are unpublished; active ones are counted; dead ones are not', () => {
    green(
      scenario(`${REGISTER_B}
    let d = node_port_destroy(0)
    let p = host_set_node_port()
    expect node_published(n)
    let t = mnl_terminate(n)
    let p2 = host_set_node_port()
    expect not node_published(n)
    expect node_published(localnode())
    expect nodes_to_publish() == 0`),
    );
  });

  it('XN-PORT-06: the localnode first, then remote nodes in ascending id order', () => {
    const run = green(
      scenario(`    let n1 = mnl_instantiate(node: 1, machine: b)
    let r1 = mnl_register(n1)
    let n3 = mnl_instantiate(node: 3, machine: b)
    let r3 = mnl_register(n3)
    let n2 = mnl_instantiate(node: 2, machine: b)
    let r2 = mnl_register(n2)
    expect nodes_to_publish() == 3`, {
        noded: `    yield()
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m1 = noded_receive(bs)
    let m2 = noded_receive(bs)
    let m3 = noded_receive(bs)
    expect nmsg_node_id(m0) == 0 and nmsg_node_id(m1) == 1 and nmsg_node_id(m2) == 2 and nmsg_node_id(m3) == 3
    expect nodes_to_publish() == 0`,
        a: 'nodes 4',
      }),
    );
    expect(run.trace).toMatchSnapshot();
  });
});

describe('2.4 mach_node_register', () => {
  it('XN-ALLOC-02: instantiate gives a zeroed node that is not in the table', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    expect node_id(n) == 1
    expect node_active(n) == 0 and node_published(n) == 0 and node_link(n) == 0 and node_dead(n) == 0
    expect node_byteorder(n) == 0 and node_datamodel(n) == 0 and node_antecedent(n) == 0
    expect node_table(1) == 0`),
    );
  });

  it('XN-REG-01: a node_id rewritten out of range fires the assert (kernel fault); the table is unchanged', () => {
    const run = kernelFault(
      scenario(`    let n = mnl_instantiate(node: 1, machine: b)
    let s = mnl_set_info(n, node_id: 2)
    let r = mnl_register(n)
    print "not reached"`),
      'XN-REG-01',
      277,
    );
    expect(run.kernel.state.nodes.machines[0]!.table).toEqual([1, 0]);
  });

  it('XN-REG-02: byte order and data model left 0 by the driver: KERN_INVALID_ARGUMENT, nothing allocated', () => {
    const run = green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_register(n)
    expect r == KERN_INVALID_ARGUMENT
    expect node_table(1) == 0 and node_active(n) == 0 and node_proxy_space(n) == 0`),
    );
    expect(run.trace).toContain('unsupported byte order (0) or width (0)');
    expect(run.kernel.state.nodes.ports).toEqual([null]);
  });

  it('XN-REG-02: a remote machine with another byte order or data model is refused', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1, machine: b)
    expect node_byteorder(n) == 2
    let r = mnl_register(n)
    expect r == KERN_INVALID_ARGUMENT`, { b: 'byte_order big' }),
    );
    green(
      scenario(`    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    expect r == KERN_INVALID_ARGUMENT`, { b: 'data_model ilp32' }),
    );
  });

  it('XN-REG-07: first registration: proxy space, bootstrap and control ports, port set; in the table, no antecedent', () => {
    const run = green(
      scenario(`${REGISTER_B}
    expect node_table(1) == n
    expect node_active(n) and node_antecedent(n) == 0
    expect port_alive(node_proxy_space(n)) and port_alive(node_bootstrap_port(n))
    expect port_alive(node_control_port(n)) and port_alive(node_port_set(n))
    expect node_proto_vers(n) == 1
    expect nodes_to_publish() == 1`),
    );
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-REG-08: a node registered after the old one died keeps it as antecedent', () => {
    green(
      scenario(`${REGISTER_B}
    let t = mnl_terminate(n)
    let n2 = mnl_instantiate(node: 1, machine: b)
    let r2 = mnl_register(n2)
    expect r2 == KERN_SUCCESS
    expect node_table(1) == n2
    expect node_antecedent(n2) == n
    expect node_dead(n)`),
    );
  });

  it('XN-REG-09: the id is live: KERN_FAILURE, table unchanged, the failed node keeps active and destroyed ports', () => {
    const run = green(
      scenario(`${REGISTER_B}
    let n2 = mnl_instantiate(node: 1, machine: b)
    let r2 = mnl_register(n2)
    expect r2 == KERN_FAILURE
    expect node_table(1) == n
    expect node_active(n2) == 1 and node_published(n2) == 0
    expect node_port_set(n2) != 0 and not port_alive(node_port_set(n2))
    expect not port_alive(node_bootstrap_port(n2)) and not port_alive(node_control_port(n2)) and not port_alive(node_proxy_space(n2))`),
    );
    expect(run.trace).toContain('id 1 already active!');
  });

  it('XN-REG-09: registering the same struct twice replaces the live node ports with destroyed ones', () => {
    green(
      scenario(`${REGISTER_B}
    let bs1 = node_bootstrap_port(n)
    let r2 = mnl_register(n)
    expect r2 == KERN_FAILURE
    expect node_table(1) == n
    expect node_bootstrap_port(n) != bs1
    expect not port_alive(node_bootstrap_port(n)) and not port_alive(node_port_set(n))
    expect port_alive(bs1)`),
    );
  });
});

describe('2.6 names and objects', () => {
  it('XN-NAME-01: names start at localnode_id + MACH_NODES_MAX and step by it (2, 4, 6)', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let a1 = mnl_name_alloc()
    let a2 = mnl_name_alloc()
    let a3 = mnl_name_alloc()
    expect a1 == 2 and a2 == 4 and a3 == 6`),
    );
  });

  it('XN-NAME-01: the stride follows the table size (nodes 1024: 1024, 2048)', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let a1 = mnl_name_alloc()
    let a2 = mnl_name_alloc()
    expect a1 == 1024 and a2 == 2048`, { a: 'nodes 1024' }),
    );
  });

  it('XN-NAME-02: mnl_name_free recycles nothing', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let a1 = mnl_name_alloc()
    let f = mnl_name_free(a1)
    let a2 = mnl_name_alloc()
    expect a2 == 4`),
    );
  });

  it('XN-NAME-03: mnl_obj_init gives name MNL_NAME_NULL', () => {
    green(scenario(`    let o = mnl_obj_init()
    expect mnl_obj_name(o) == MNL_NAME_NULL`));
  });

  it('XN-LKP-01: name 0 gives NULL', () => {
    green(scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_obj_lookup(0)
    expect r == 0`));
  });

  it('XN-LKP-02: the first match in insertion order', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o1 = mnl_obj_init(name: 3)
    let o2 = mnl_obj_init(name: 3)
    let i1 = mnl_obj_insert(o1)
    let i2 = mnl_obj_insert(o2)
    let r = mnl_obj_lookup(3)
    expect r == o1`),
    );
  });

  it('XN-LKP-03: no match (also the invalid name 1) gives the non-NULL bucket sentinel', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_obj_lookup(9)
    expect r != 0
    expect r == mnl_bucket_head(9)
    let r1 = mnl_obj_lookup(1)
    expect r1 == mnl_bucket_head(1)`),
    );
  });

  it('XN-RMV-01: name 0 gives NULL', () => {
    green(scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_obj_remove(0)
    expect r == 0`));
  });

  it('XN-RMV-02: every match is unlinked, and the sentinel (not the object) is returned', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o1 = mnl_obj_init(name: 3)
    let o2 = mnl_obj_init(name: 3)
    let i1 = mnl_obj_insert(o1)
    let i2 = mnl_obj_insert(o2)
    let r = mnl_obj_remove(3)
    expect r == mnl_bucket_head(3)
    let l = mnl_obj_lookup(3)
    expect l == mnl_bucket_head(3)`),
    );
  });

  it('XN-RMV-03: no match: the sentinel, nothing changes', () => {
    green(scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_obj_remove(5)
    expect r == mnl_bucket_head(5)`));
  });

  it('XN-INS-01: a NULL object: KERN_INVALID_ARGUMENT', () => {
    green(scenario(`    let r = mnl_obj_insert(0)
    expect r == KERN_INVALID_ARGUMENT`));
  });

  it('XN-INS-02 / XN-INS-05: an unnamed object gets the first name (2) and is found', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o = mnl_obj_init()
    let r = mnl_obj_insert(o)
    expect r == KERN_SUCCESS
    expect mnl_obj_name(o) == 2
    let l = mnl_obj_lookup(2)
    expect l == o`),
    );
  });

  it('XN-INS-02: the invalid name 1 is replaced by a fresh name', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o = mnl_obj_init(name: 1)
    let r = mnl_obj_insert(o)
    expect mnl_obj_name(o) == 2`),
    );
  });

  it('XN-INS-03: a duplicate name is enqueued; KERN_NAME_EXISTS is never returned', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o1 = mnl_obj_init(name: 3)
    let o2 = mnl_obj_init(name: 3)
    let r1 = mnl_obj_insert(o1)
    let r2 = mnl_obj_insert(o2)
    expect r2 == KERN_SUCCESS`),
    );
  });

  it('XN-INS-04: the second auto-named insert (name 4) panics after the object is in the table', () => {
    const run = kernelFault(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o1 = mnl_obj_init()
    let r1 = mnl_obj_insert(o1)
    let o2 = mnl_obj_init()
    let r2 = mnl_obj_insert(o2)
    print "not reached"`),
      'XN-INS-04',
      562,
    );
    const names = run.kernel.state.nodes.machines[0]!.names;
    expect(names[4]).toEqual([2]);
  });

  it('XN-INS-04: a pre-named object >= 2 x MACH_NODES_MAX panics', () => {
    kernelFault(scenario(`    let n = mnl_instantiate(node: 1)
    let o = mnl_obj_init(name: 9)
    let r = mnl_obj_insert(o)`), 'XN-INS-04', 562);
  });
});

describe('2.7 mnl_msg buffers', () => {
  it('XN-MSG-02: only the header is zeroed; size = payload', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(100)
    expect m != 0
    expect mnl_msg_size(m) == 100 and mnl_msg_sub(m) == 0 and mnl_msg_node_id(m) == 0 and mnl_msg_object(m) == 0
    expect mnl_msg_bytes() == 124`),
    );
  });

  it('XN-MSG-03: freeing NULL does nothing', () => {
    green(scenario(`    let m = mnl_msg_alloc(8)
    let f = mnl_msg_free(0)
    expect mnl_msg_bytes() == 32`));
  });

  it('XN-MSG-04: the free size is 24 + the size field as it is now', () => {
    green(
      scenario(`    let m = mnl_msg_alloc(100)
    let s = mnl_msg_set(m, size: 10)
    let f = mnl_msg_free(m)
    expect mnl_msg_bytes() == 90`),
    );
  });
});

describe('2.8 node control', () => {
  it('XN-INST-01 / XN-INST-04: lazy init, then a fresh struct each time for id 1', () => {
    green(
      scenario(`    let n1 = mnl_instantiate(node: 1)
    let n2 = mnl_instantiate(node: 1)
    expect n1 != 0 and n2 != 0 and n1 != n2`),
    );
  });

  it('XN-INST-02: the local id gives MNL_NODE_NULL', () => {
    green(scenario(`    let n = mnl_instantiate(node: 0)
    expect n == MNL_NODE_NULL
    expect localnode_id() == 0`));
  });

  it('XN-INST-03: ids -1 and 2 (out of range) give MNL_NODE_NULL', () => {
    green(scenario(`    let n = mnl_instantiate(node: -1)
    expect n == 0
    let n2 = mnl_instantiate(node: 2)
    expect n2 == 0`));
  });

  it('XN-MREG-01: a NULL node: KERN_INVALID_ARGUMENT', () => {
    green(scenario(`    let r = mnl_register(0)
    expect r == KERN_INVALID_ARGUMENT`));
  });

  it('XN-MREG-02: node_id rewritten to the local id: KERN_INVALID_ARGUMENT', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1, machine: b)
    let s = mnl_set_info(n, node_id: 0)
    let r = mnl_register(n)
    expect r == KERN_INVALID_ARGUMENT`),
    );
  });

  it('XN-MREG-03: otherwise mach_node_register runs', () => {
    green(scenario(REGISTER_B));
  });

  it('XN-LINK-01: a NULL node: KERN_INVALID_ARGUMENT', () => {
    green(scenario(`    let r = mnl_set_link_state(0, link: MNL_LINK_RX)
    expect r == KERN_INVALID_ARGUMENT`));
  });

  it('XN-LINK-02: MNL_LINK_DOWN or only high bits: KERN_INVALID_ARGUMENT', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let r0 = mnl_set_link_state(n, link: MNL_LINK_DOWN)
    expect r0 == KERN_INVALID_ARGUMENT
    let r4 = mnl_set_link_state(n, link: 4)
    expect r4 == KERN_INVALID_ARGUMENT`),
    );
  });

  it('XN-LINK-03: raising a bit already up: KERN_INVALID_ARGUMENT', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let r1 = mnl_set_link_state(n, link: MNL_LINK_RX)
    let r2 = mnl_set_link_state(n, link: MNL_LINK_RX)
    expect r2 == KERN_INVALID_ARGUMENT
    let r3 = mnl_set_link_state(n, link: MNL_LINK_UP)
    expect r3 == KERN_INVALID_ARGUMENT`),
    );
  });

  it('XN-LINK-04: a dead node: KERN_NODE_DOWN, link unchanged', () => {
    green(
      scenario(`${REGISTER_B}
    let t = mnl_terminate(n)
    let l = mnl_set_link_state(n, link: MNL_LINK_RX)
    expect l == KERN_NODE_DOWN
    expect node_link(n) == MNL_LINK_DOWN`),
    );
  });

  it('XN-LINK-05: rx and tx separately; 2-bit truncation (5 stores RX, -1 stores UP); works unregistered; nothing else happens', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let r1 = mnl_set_link_state(n, link: MNL_LINK_RX)
    expect r1 == KERN_SUCCESS and node_link(n) == MNL_LINK_RX
    let r2 = mnl_set_link_state(n, link: MNL_LINK_TX)
    expect r2 == KERN_SUCCESS and node_link(n) == MNL_LINK_UP
    expect not node_published(n) and not node_active(n)
    let m = mnl_instantiate(node: 1)
    let r5 = mnl_set_link_state(m, link: 5)
    expect r5 == KERN_SUCCESS and node_link(m) == MNL_LINK_RX
    let k = mnl_instantiate(node: 1)
    let rm = mnl_set_link_state(k, link: -1)
    expect rm == KERN_SUCCESS and node_link(k) == MNL_LINK_UP`),
    );
  });

  it('XN-TERM-01: a NULL node: KERN_INVALID_ARGUMENT', () => {
    green(scenario(`    let r = mnl_terminate(0)
    expect r == KERN_INVALID_ARGUMENT`));
  });

  it('XN-TERM-02: a second terminate: KERN_NODE_DOWN', () => {
    green(
      scenario(`${REGISTER_B}
    let t1 = mnl_terminate(n)
    let t2 = mnl_terminate(n)
    expect t1 == KERN_SUCCESS and t2 == KERN_NODE_DOWN`),
    );
  });

  it('XN-TERM-03: a registered node: dead, links down, port set destroyed (sleepers wake), table and published kept', () => {
    const run = green(
      scenario(`${REGISTER_B}
    let l = mnl_set_link_state(n, link: MNL_LINK_UP)
    yield()
    let t = mnl_terminate(n)
    expect t == KERN_SUCCESS
    expect node_dead(n) and not node_active(n) and node_link(n) == MNL_LINK_DOWN
    expect node_port_set(n) == 0
    expect node_table(1) == n
    expect node_published(n)
    expect port_alive(node_bootstrap_port(n)) and port_alive(node_control_port(n))`, {
        noded: '    let bs = host_set_node_port()',
        extra: `process proxy on a {
  thread main {
    repeat 10 {
      if node_table(1) != 0 { break }
      yield()
    }
    let w = node_wait(node_table(1))
    expect w == MACH_RCV_PORT_DIED
  }
}`,
      }),
    );
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-TERM-04: an instantiated, never registered node: dead, no port set to destroy', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let t = mnl_terminate(n)
    expect t == KERN_SUCCESS and node_dead(n) and node_port_set(n) == 0`),
    );
  });
});

describe('2.9 link-driver message flow', () => {
  it('XN-FROM-01: a NULL message fires the first assert', () => {
    kernelFault(scenario(`    let n = mnl_instantiate(node: 1)
    let r = mnl_msg_from_node(n, 0)`), 'XN-FROM-01', 776);
  });

  it('XN-FROM-01: msg->node_id out of range fires the second assert', () => {
    kernelFault(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(8)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_FLIPC, node_id: 2)
    let r = mnl_msg_from_node(n, m)`),
      'XN-FROM-01',
      777,
    );
  });

  it('XN-FROM-01: a NULL node fires the third assert', () => {
    kernelFault(scenario(`    let m = mnl_msg_alloc(8)
    let r = mnl_msg_from_node(0, m)`), 'XN-FROM-01', 778);
  });

  it('XN-FROM-02: a FLIPC message goes to the endpoint its object names', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let o = mnl_obj_init()
    let i = mnl_obj_insert(o)
    let m = mnl_msg_alloc(8)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_FLIPC, node_id: 1, object: 2)
    let r = mnl_msg_from_node(n, m)
    let got = flipc_receive(o)
    expect got != 0 and mnl_msg_object(got) == 2 and mnl_msg_node_id(got) == 1
    let f = mnl_msg_free(m)
    expect mnl_msg_bytes() == 0`),
    );
  });

  it('XN-FROM-03: any other subsystem is dropped; the driver still owns the message', () => {
    const run = green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(8)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_NODE)
    let r = mnl_msg_from_node(n, m)
    expect mnl_msg_bytes() == 32
    let f = mnl_msg_free(m)`),
    );
    expect(run.trace).toContain('invalid subsystem 1');
  });

  it('XN-TO-01: a NULL node fires the assert', () => {
    kernelFault(scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_to_node(0)`), 'XN-TO-01', 814);
  });

  it('XN-TO-02: blocks until a FLIPC message is queued and both links are up; NULL once the node is retired', () => {
    const run = green(
      scenario(`${REGISTER_B}
    let m = mnl_msg_to_node(n)
    expect mnl_msg_sub(m) == MACH_NODE_SUB_FLIPC
    expect mnl_msg_word(m, 0) == 42
    let c = mnl_msg_complete(n, m)
    let m2 = mnl_msg_to_node(n)
    expect m2 == MNL_MSG_NULL`, {
        extra: `process sender on a {
  thread main {
    let n = node_table(1)
    let s = flipc_send(n, object: 2, data: [42])
    expect s == KERN_SUCCESS
    let r = mnl_set_link_state(n, link: MNL_LINK_RX)
    let r2 = mnl_set_link_state(n, link: MNL_LINK_TX)
    yield()
    let t = mnl_terminate(n)
  }
}`,
      }),
    );
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-CMPL-01: a SUB_NODE buffer is freed', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(16)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_NODE)
    let c = mnl_msg_complete(n, m)
    expect mnl_msg_bytes() == 0`),
    );
  });

  it('XN-CMPL-02: a FLIPC buffer goes back to FLIPC', () => {
    green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(16)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_FLIPC)
    let c = mnl_msg_complete(n, m)
    expect mnl_msg_bytes() == 40
    expect mnl_msg_sub(m) == -1`),
    );
  });

  it('XN-CMPL-03: any other subsystem leaks the buffer', () => {
    const run = green(
      scenario(`    let n = mnl_instantiate(node: 1)
    let m = mnl_msg_alloc(16)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_VMSYS)
    let c = mnl_msg_complete(n, m)
    expect mnl_msg_bytes() == 40
    expect mnl_msg_sub(m) == MACH_NODE_SUB_VMSYS`),
    );
    expect(run.trace).toContain('not freed');
  });

  it('XN-CMPL-03: a NULL message is dereferenced (kernel fault)', () => {
    kernelFault(scenario(`    let n = mnl_instantiate(node: 1)
    let c = mnl_msg_complete(n, 0)`), 'XN-CMPL-03', 837);
  });
});

describe('2.10 builds without MACH_FLIPC', () => {
  const NO_FLIPC = '    let p = mnl_build_profile(0)\n    expect p == KERN_SUCCESS\n';
  it('XN-STUB-01 / XN-STUB-02: mnl_msg_alloc gives NULL, mnl_msg_free does nothing', () => {
    green(scenario(`${NO_FLIPC}    let m = mnl_msg_alloc(8)
    expect m == MNL_MSG_NULL
    let f = mnl_msg_free(m)
    expect mnl_msg_bytes() == 0`));
  });
  it('XN-STUB-03: mnl_instantiate gives NULL without lazy init', () => {
    green(scenario(`${NO_FLIPC}    let n = mnl_instantiate(node: 1)
    expect n == 0 and localnode_id() == -1`));
  });
  it('XN-STUB-04 / XN-STUB-05 / XN-STUB-06: register, set_link_state and terminate give KERN_FAILURE', () => {
    green(scenario(`${NO_FLIPC}    let r = mnl_register(1)
    let l = mnl_set_link_state(1, link: MNL_LINK_RX)
    let t = mnl_terminate(1)
    expect r == KERN_FAILURE and l == KERN_FAILURE and t == KERN_FAILURE`));
  });
  it('XN-STUB-07 / XN-STUB-08 / XN-STUB-09: from_node and complete do nothing; to_node gives NULL without blocking', () => {
    green(scenario(`${NO_FLIPC}    let a = mnl_msg_from_node(0, 0)
    let m = mnl_msg_to_node(0)
    expect m == MNL_MSG_NULL
    let c = mnl_msg_complete(0, 0)`));
  });
  it('the profile can only change before the node layer initialises', () => {
    green(scenario(`    let n = mnl_instantiate(node: 1)
    let p = mnl_build_profile(0)
    expect p == KERN_FAILURE`));
  });
});

describe('2.5 mach_node_for_id_locked (K rows, called directly: the seed\'s only caller is mach_node_init)', () => {
  function table() {
    const kernel = new Kernel(buildProgram(scenario('    print "x"')));
    const xm = xnuMachine(kernel, 0);
    machNodeInit(kernel, xm);
    return { kernel, xm };
  }
  it('XN-FID-01: ids -1 and 2 give NULL; 0 and 1 pass', () => {
    const { kernel, xm } = table();
    expect(machNodeForIdLocked(kernel, xm, -1, true, true)).toBe(0);
    expect(machNodeForIdLocked(kernel, xm, 2, true, true)).toBe(0);
    expect(machNodeForIdLocked(kernel, xm, 0, false, false)).toBe(xm.localnode);
  });
  it('XN-FID-02: an empty slot without alloc_if_absent gives NULL', () => {
    const { kernel, xm } = table();
    expect(machNodeForIdLocked(kernel, xm, 1, true, false)).toBe(0);
    expect(xm.table[1]).toBe(0);
  });
  it('XN-FID-03: an empty slot with alloc_if_absent allocates an inactive node into the table', () => {
    const { kernel, xm } = table();
    const h = machNodeForIdLocked(kernel, xm, 1, false, true);
    expect(h).not.toBe(0);
    expect(xm.table[1]).toBe(h);
    expect(kernel.state.nodes.nodes[h]).toMatchObject({ active: 0, antecedent: 0, nodeId: 1 });
  });
  it('XN-FID-04: a live node is returned whatever the flags', () => {
    const { kernel, xm } = table();
    const h = machNodeForIdLocked(kernel, xm, 1, false, true);
    expect(machNodeForIdLocked(kernel, xm, 1, true, true)).toBe(h);
  });
  it('XN-FID-05 / XN-FID-06: a dead node is returned without alloc_if_dead, replaced (as antecedent) with it', () => {
    const { kernel, xm } = table();
    const h = machNodeForIdLocked(kernel, xm, 1, false, true);
    kernel.state.nodes.nodes[h]!.dead = 1;
    expect(machNodeForIdLocked(kernel, xm, 1, false, false)).toBe(h);
    const h2 = machNodeForIdLocked(kernel, xm, 1, true, false);
    expect(h2).not.toBe(h);
    expect(kernel.state.nodes.nodes[h2]!.antecedent).toBe(h);
    expect(xm.table[1]).toBe(h2);
  });
});
