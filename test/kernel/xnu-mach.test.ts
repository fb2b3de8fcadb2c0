// The join with kernel/mach: HOST_NODE_PORT set with Mach's host_set_special_port runs
// mach_node_port_changed, and the node bootstrap server receives the registrations as ordinary
// Mach messages (kernel/xnu/mach-bridge.ts, mach-send.ts).
import { describe, expect, it } from 'vitest';
import { runXnu } from './xnu-helpers';

const SCENARIO = `
machine a {
  cpus 1
}
machine b {
  cpus 1
}
link a <-> b latency 500

process noded on a {
  thread main {
    let bs = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = host_set_special_port(which: HOST_NODE_PORT, port: bs)
    expect r == KERN_SUCCESS
    expect node_published(localnode())
    let m = mach_msg(receive: bs)
    expect m == KERN_SUCCESS
    expect mach_msg_id() == MACH_NODE_SERVER_MSG_ID
    expect (mach_msg_data(0) & 0xffffffff) == MACH_NODE_SM_REG_LOCAL
    expect (mach_msg_data(1) & 0xffffffff) == 0
    expect ((mach_msg_data(1) >> 32) & 0xff) == 2
    expect ((mach_msg_data(1) >> 40) & 0xff) == 1
    let m2 = mach_msg(receive: bs)
    expect (mach_msg_data(0) & 0xffffffff) == MACH_NODE_SM_REG_REMOTE
    expect (mach_msg_data(1) & 0xffffffff) == 1
    expect mach_port_type(mach_msg_reply_port()) == MACH_PORT_TYPE_SEND
  }
}

process drv on a {
  thread main {
    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    expect r == KERN_SUCCESS
    expect node_published(n)
    expect nodes_to_publish() == 0
  }
}
`;

describe('Mach bootstrap port', () => {
  it('XN-PUB-05 / XN-PUB-06 through Mach: REG_LOCAL then REG_REMOTE with a send right to the proxy port', () => {
    const run = runXnu(SCENARIO, {}, { invariants: true });
    expect(run.failures).toEqual([]);
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(run.trace).toMatchSnapshot();
  });

  it('XN-PORT-04 through Mach: clearing HOST_NODE_PORT (MACH_PORT_NULL) fires the assert', () => {
    const run = runXnu(`
machine a {
  cpus 1
}
process noded on a {
  thread main {
    let r = host_set_special_port(which: HOST_NODE_PORT, port: MACH_PORT_NULL)
  }
}`);
    expect(run.events.find((e) => e.kind === 'kernel-fault')).toMatchObject({ row: 'XN-PORT-04', seedFile: 'xnu-mach_node.c.txt', seedLine: 217 });
    expect(run.halt?.reason).toBe('fault');
  });

  it('XN-PUB-08 through Mach: a dead bootstrap port makes publication fail and the node stays to publish', () => {
    const run = runXnu(`
machine a {
  cpus 1
}
machine b {
  cpus 1
}
process noded on a {
  thread main {
    let bs = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = host_set_special_port(which: HOST_NODE_PORT, port: bs)
    let d = mach_port_destroy(bs)
    let n = mnl_instantiate(node: 1, machine: b)
    let g = mnl_register(n)
    expect g == KERN_SUCCESS
    expect not node_published(n)
    expect nodes_to_publish() == 1
  }
}`, {}, { invariants: true });
    expect(run.failures).toEqual([]);
    expect(run.trace).toContain(`"mach_node_publish(1)=${0x10000003}"`);
  });
});
