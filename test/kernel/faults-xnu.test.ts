// Fault injection across machines (kernel/faults.ts): links going down mid-message, messages
// dropped on a link, machines crashing (peers terminate their node) and restarting (the node is
// registered again with an antecedent), and kills of threads parked in XNU waits. Every test runs
// the invariant checker (kernel/invariants.ts) after every step.
import { describe, expect, it } from 'vitest';
import { buildProgram, objectIndex, runProgram, runXnu } from './xnu-helpers';
import { client, server } from './helpers';

const TWO = `
machine a {
  cpus 1
}
machine b {
  cpus 1
}
`;

/** a's driver sends one SUB_FLIPC message to b; b's driver receives it (or 0). */
const SEND_ONE = `${TWO}
process adrv on a {
  thread main {
    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    let o = flipc_send(n, object: 2, data: [7])
    let m = mnl_msg_to_node(n)
    let s = link_send(n, m)
    expect s == KERN_SUCCESS
    let c = mnl_msg_complete(n, m)
    repeat 40 { yield() }
  }
}
process bdrv on b {
  thread main {
    let n = mnl_instantiate(node: 1, machine: a)
    let r = mnl_register(n)
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    let m = link_recv(n)
    print "b received ", m
  }
}
`;

describe('links', () => {
  it('without faults a message crosses the link after its latency', () => {
    const run = runXnu(SEND_ONE, { links: [['a', 'b', 1000]] }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    const deliver = run.events.find((e) => e.kind === 'link' && e.action === 'deliver')!;
    const send = run.events.find((e) => e.kind === 'link' && e.action === 'send')!;
    expect(deliver.time - send.time).toBeGreaterThanOrEqual(1000);
    expect(run.trace).toMatchSnapshot();
  });

  it('a link going down mid-message loses it; the waiting receiver gets 0', () => {
    const run = runXnu(SEND_ONE, { links: [['a', 'b', 3000]], faults: [{ trigger: { kind: 'time', time: 2500 }, action: { kind: 'link-down', link: 0 } }] }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.trace).toContain('lost in flight');
    expect(run.trace).toContain('bdrv.main: print "b received 0"');
    expect(run.kernel.state.links[0]).toMatchObject({ up: false, sent: 1, delivered: 0, lost: 1 });
    expect(run.halt?.reason).toBe('finished');
    expect(run.trace).toMatchSnapshot();
  });

  it('a link brought down and up again carries later messages', () => {
    const run = runXnu(SEND_ONE, {
      links: [['a', 'b', 100]],
      faults: [
        { trigger: { kind: 'time', time: 0 }, action: { kind: 'link-down', link: 0 } },
        { trigger: { kind: 'syscall', syscall: 'flipc_send', thread: -1, process: -1, count: 1 }, action: { kind: 'link-up', link: 0 } },
      ],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.kernel.state.links[0]).toMatchObject({ up: true, delivered: 1 });
  });

  it('link_send on a down link fails with KERN_FAILURE', () => {
    const run = runXnu(SEND_ONE.replace('expect s == KERN_SUCCESS', 'expect s == KERN_FAILURE').replace('let m = link_recv(n)', 'let m = 0'), {
      links: [['a', 'b', 100]],
      faults: [{ trigger: { kind: 'syscall', syscall: 'mnl_msg_to_node', thread: -1, process: -1, count: 1 }, action: { kind: 'link-down', link: 0 } }],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
  });

  it('a drop fault swallows the next message on the link; the driver is not told', () => {
    const text = SEND_ONE.replace('let m = link_recv(n)', 'let m = link_recv(n)\n    expect mnl_msg_sub(m) == MACH_NODE_SUB_FLIPC').replace(
      'let c = mnl_msg_complete(n, m)',
      'let c = mnl_msg_complete(n, m)\n    let o2 = flipc_send(n, object: 2, data: [8])\n    let m2 = mnl_msg_to_node(n)\n    let s2 = link_send(n, m2)',
    );
    const run = runXnu(text, {
      links: [['a', 'b', 100]],
      faults: [{ trigger: { kind: 'syscall', syscall: 'mnl_msg_to_node', thread: -1, process: -1, count: 1 }, action: { kind: 'drop-messages', link: 0, count: 1 } }],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.kernel.state.links[0]).toMatchObject({ sent: 1, dropped: 1, delivered: 1 });
    expect(run.trace).toContain('dropped (fault)');
  });
});

const CRASH = `${TWO}
process adrv on a {
  thread main {
    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    let m = link_recv(n)
    expect m == 0
    expect node_dead(n) and node_link(n) == MNL_LINK_DOWN
    let n2 = mnl_instantiate(node: 1, machine: b)
    let r2 = mnl_register(n2)
    expect r2 == KERN_SUCCESS
    expect node_antecedent(n2) == n
    let u2 = mnl_set_link_state(n2, link: MNL_LINK_UP)
    repeat 200 {
      if link_is_up(b) { break }
      yield()
    }
    let m2 = link_recv(n2)
    expect m2 != 0
    expect mnl_msg_sub(m2) == MACH_NODE_SUB_FLIPC
    print "a got the message of the restarted b at ", now()
  }
}
process bdrv on b {
  thread main {
    print "b boots at ", now()
    let n = mnl_instantiate(node: 1, machine: a)
    let r = mnl_register(n)
    expect r == KERN_SUCCESS
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    repeat 40 { yield() }
    let m = mnl_msg_alloc(8)
    let s = mnl_msg_set(m, sub: MACH_NODE_SUB_FLIPC, node_id: 0, object: 2)
    let x = link_send(n, m)
    expect x == KERN_SUCCESS
  }
}
`;

describe('machine crashes', () => {
  it('a crash kills every thread of the machine, terminates its node on the peer; the restart re-registers with an antecedent', () => {
    const run = runXnu(CRASH, {
      links: [['a', 'b', 200]],
      faults: [{ trigger: { kind: 'time', time: 2000 }, action: { kind: 'crash-machine', machine: 1, restartAfter: 3000 } }],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(run.trace).toContain('MACHINE b crash');
    expect(run.trace).toContain('MACHINE b restart');
    expect(run.events.filter((e) => e.kind === 'print' && e.text.startsWith('b boots'))).toHaveLength(2);
    expect(run.kernel.state.faults).toMatchObject({ crashes: 1, restartsDone: 1, restarts: [] });
    expect(run.trace).toMatchSnapshot();
  });

  it('a crash without restart: the peer sees the node dead, nothing is left waiting', () => {
    const text = CRASH.replace(/let n2 = [\s\S]*print "a got[^\n]*\n/, 'print "node gone"\n');
    const run = runXnu(text, {
      links: [['a', 'b', 200]],
      faults: [{ trigger: { kind: 'time', time: 2000 }, action: { kind: 'crash-machine', machine: 1, restartAfter: -1 } }],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    const b = run.kernel.state.threads.find((t) => t?.name === 'bdrv.main')!;
    expect(b).toMatchObject({ state: 4, exitState: 2 });
    expect(run.kernel.state.machines[1]!.halted).toBe(true);
  });

  it('a crash triggered by a syscall on another machine; ChCore connections on the crashed machine become invalid', () => {
    const text = `${TWO}
${server().replace('process server badge 1', 'process server on b badge 1')}
${client('    let a = ipc_call(conn, data: [1])\n    expect a == 2', { name: 'client' }).replace('process client badge 7', 'process client on b badge 7')}
process trigger on a {
  thread main {
    repeat 30 { yield() }
    let n = mnl_instantiate(node: 1)
  }
}`;
    const run = runXnu(text, {
      links: [['a', 'b', 200]],
      faults: [{ trigger: { kind: 'syscall', syscall: 'mnl_instantiate', thread: -1, process: -1, count: 1 }, action: { kind: 'crash-machine', machine: 1, restartAfter: -1 } }],
    }, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    const conns = run.kernel.state.connections.filter((c) => c !== null);
    expect(conns.length).toBe(1);
    expect(conns[0]!.isValid).toBe(0);
  });
});

describe('kills in XNU waits', () => {
  it('a thread parked in noded_receive dies when its process is killed', () => {
    const text = `${TWO}
process noded on a {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
}
process other on a {
  thread main {
    yield()
    print "killing"
  }
}`;
    const program = buildProgram(text, {
      faults: [{ trigger: { kind: 'syscall', syscall: 'yield', thread: -1, process: -1, count: 1 }, action: { kind: 'kill-process', process: 0 } }],
    });
    void objectIndex;
    const run = runProgram(program, { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.trace).not.toContain('not reached');
    expect(run.halt?.reason).toBe('finished');
    expect(run.kernel.state.nodes.waiters).toEqual([]);
    expect(run.kernel.state.threads.find((t) => t?.name === 'noded.main')).toMatchObject({ state: 4, exitState: 2 });
  });

  it('the kill syscall wakes a thread parked in noded_receive, which dies (the same path as a fault declaration)', () => {
    const text = `${TWO}
process noded on a {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
}
process other on a {
  thread main {
    yield()
    let k = kill(noded)
    expect k == 0
    print "killed"
  }
}`;
    const run = runProgram(buildProgram(text), { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.trace).toContain('killed');
    expect(run.trace).not.toContain('not reached');
    expect(run.halt?.reason).toBe('finished');
    expect(run.kernel.state.nodes.waiters).toEqual([]);
    expect(run.kernel.state.threads.find((t) => t?.name === 'noded.main')).toMatchObject({ state: 4, exitState: 2 });
  });

  it('the kill syscall on a thread parked in an XNU wait: kill(process.thread) as well', () => {
    const text = `${TWO}
process noded on a {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
}
process other on a {
  thread main {
    yield()
    let k = kill(noded.main)
    expect k == 0
  }
}`;
    const run = runProgram(buildProgram(text), { invariants: true });
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(run.kernel.state.nodes.waiters).toEqual([]);
    expect(run.kernel.state.threads.find((t) => t?.name === 'noded.main')).toMatchObject({ state: 4, exitState: 2 });
  });
});
