// Out-of-line (OOL) memory in mach_msg (seed mach-rpc-kext-mail.txt, rows MR-ACT-03 and MR-PAS-04):
// copyin makes a vm_map_copy (copy semantics), an ordinary receive maps it into the receiver, a
// passive kobject server gets the copy object uncooked and must vm_map_copyout it itself.
import { describe, expect, it } from 'vitest';
import { MachReturn } from '../../kernel/constants';
import { runScenario, expectFinishedGreen } from './helpers';

const green = expectFinishedGreen;

/** A kernel listener on host special port 20 that checks what it received, then replies. */
const listener = (checks: string): string => `
process kernel_task {
  thread listener kernel {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 20, port: svc)
    let r = mach_msg(receive: svc)
    expect r == MACH_MSG_SUCCESS
${checks}
    mach_msg(send: mach_msg_reply_port(), disposition: MACH_MSG_TYPE_MOVE_SEND_ONCE, data: [1])
  }
}
`;

describe('OOL memory, active listener (MR-ACT-03)', () => {
  it('MR-ACT-03 the listener gets the rights named in its space and the OOL region mapped; later sender writes do not leak', () => {
    const run = runScenario(`${listener(`
    expect mach_port_type(mach_msg_port(0)) == MACH_PORT_TYPE_SEND
    expect mach_port_type(mach_msg_reply_port()) == MACH_PORT_TYPE_SEND_ONCE
    expect mach_msg_ool_count() == 1
    let a = mach_msg_ool_addr(0)
    expect a >= 0x1_0000_0000
    expect mach_msg_ool_size(0) == 5000
    expect load64(a) == 0x11223344556677
    expect load8(a + 4999) == 0x5a
    # Sent after copyin: not visible.
    expect load32(a + 8) == 0
    # A fresh read-write mapping.
    store8(a + 1, 7)
    expect load8(a + 1) == 7
    expect mach_msg_data(0) == 99
    expect mach_vm_copies() == 0`)}
process client {
  pmo buf size 8KiB at 0x2000_0000
  thread main {
    yield()
    store64(0x2000_0000, 0x11223344556677)
    store8(0x2000_0000 + 4999, 0x5a)
    let svc = host_get_special_port(which: 20)
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let extra = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, reply: reply, ports: [extra], port_disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x2000_0000, 5000], data: [99], timeout: 1000000)
    expect r == MACH_MSG_SUCCESS
    # The sender writes after the send (the listener has not run yet).
    store32(0x2000_0008, 0xdead)
    expect load32(0x2000_0008) == 0xdead
    let q = mach_msg(receive: reply)
    expect q == MACH_MSG_SUCCESS
  }
}`);
    green(run, 15);
    expect(run.trace).toMatch(/mach OOL copyin for msg #\d+ id 0 to .*vm_map_copy #1, 5000 bytes, virtual copy, from 0x20000000 in client/);
    expect(run.trace).toMatch(/listener: mach OOL copyout of msg #\d+ id 0.*mapped at 0x100000000 in kernel_task/);
  });

  it('MR-ACT-03 a user receiver gets the region too; mixed with port descriptors, ports and data still read back', () => {
    const run = runScenario(`
process server {
  thread main {
    let svc = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    host_set_special_port(which: 21, port: svc)
    let r = mach_msg(receive: svc)
    expect r == MACH_MSG_SUCCESS
    expect mach_msg_port_count() == 3
    expect mach_port_type(mach_msg_port(0)) == MACH_PORT_TYPE_SEND
    expect mach_msg_port(1) == 0
    expect mach_msg_ool_count() == 2
    expect load8(mach_msg_ool_addr(0)) == 1
    expect load8(mach_msg_ool_addr(1)) == 2
    expect mach_msg_ool_addr(1) > mach_msg_ool_addr(0)
    expect mach_msg_data(0) == 77
  }
}
process client {
  pmo one size 4KiB at 0x2000_0000
  pmo two size 4KiB at 0x3000_0000
  thread main {
    yield()
    store8(0x2000_0000, 1)
    store8(0x3000_0000, 2)
    let svc = host_get_special_port(which: 21)
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: svc, ports: [p], port_disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x2000_0000, 16, 0x3000_0000, 16], ool_copy: MACH_MSG_PHYSICAL_COPY, data: [77])
    expect r == MACH_MSG_SUCCESS
  }
}`);
    green(run, 10);
  });

  it('MR-ACT-03 raw form: a MACH_MSG_OOL_DESCRIPTOR with the real 16-byte layout is copied out in that layout', () => {
    const run = runScenario(`
process a {
  pmo buf size 4KiB at 0x2000_0000
  pmo src size 4KiB at 0x3000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    store64(0x3000_0000, 4242)
    store32(0x2000_0000, MACH_MSG_TYPE_MAKE_SEND | MACH_MSGH_BITS_COMPLEX)
    store32(0x2000_0004, 44)
    store32(0x2000_0008, p)
    store32(0x2000_0018, 1)
    store64(0x2000_001c, 0x3000_0000)
    store8(0x2000_0024, 0)
    store8(0x2000_0025, MACH_MSG_PHYSICAL_COPY)
    store8(0x2000_0027, MACH_MSG_OOL_DESCRIPTOR)
    store32(0x2000_0028, 8)
    let r = mach_msg(msg: 0x2000_0000)
    expect r == MACH_MSG_SUCCESS
    store64(0x3000_0000, 1)
    let q = mach_msg(msg: 0x2000_0000, option: MACH_RCV_MSG, receive: p)
    expect q == MACH_MSG_SUCCESS
    expect load32(0x2000_0004) == 44
    expect load8(0x2000_0027) == MACH_MSG_OOL_DESCRIPTOR
    expect load32(0x2000_0028) == 8
    expect load64(0x2000_001c) == mach_msg_ool_addr(0)
    expect load64(mach_msg_ool_addr(0)) == 4242
  }
}`);
    green(run, 7);
  });

  it('ool_dealloc: 1 removes the sender\'s mapping of the region; the receiver still gets the bytes', () => {
    const run = runScenario(`
process a {
  pmo src size 8KiB at 0x3000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    store64(0x3000_1000, 31337)
    let r = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x3000_0000, 8192], ool_dealloc: 1)
    expect r == MACH_MSG_SUCCESS
    let q = mach_msg(receive: p)
    expect q == MACH_MSG_SUCCESS
    expect load64(mach_msg_ool_addr(0) + 4096) == 31337
    let gone = load8(0x3000_0000)
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
    const faults = run.events.filter((e) => e.kind === 'thread-fault');
    expect(faults).toHaveLength(1);
    expect(run.trace).toMatch(/sender region deallocated/);
  });

  it('virtual copy is charged per page, physical copy per byte (docs/cost-model.md)', () => {
    const scenario = (copy: string) => `
process a {
  pmo src size 16KiB at 0x3000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let t0 = now()
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x3000_0000, 16384], ool_copy: ${copy})
    let t1 = now()
    mach_msg(receive: p)
    let t2 = now()
    print "send ", t1 - t0, " receive ", t2 - t1
  }
}`;
    const cycles = (copy: string): number[] => {
      const run = runScenario(scenario(copy));
      const e = run.events.find((x) => x.kind === 'print');
      const m = /send (\d+) receive (\d+)/.exec(e && e.kind === 'print' ? e.text : '');
      return m ? [Number(m[1]), Number(m[2])] : [];
    };
    const virt = cycles('MACH_MSG_VIRTUAL_COPY');
    const phys = cycles('MACH_MSG_PHYSICAL_COPY');
    // Defaults: physical 16384 bytes × byteCopied (1); virtual 4 pages × kernelStep (15), each way.
    expect(phys[0]! - virt[0]!).toBe(16384 - 4 * 15);
    expect(phys[1]! - virt[1]!).toBe(16384 - 4 * 15);
  });

  it('bad descriptors: unmapped source → MACH_SEND_INVALID_MEMORY, bad copy option or OOL ports → MACH_SEND_INVALID_TYPE; rights are not lost', () => {
    const run = runScenario(`
process a {
  pmo buf size 4KiB at 0x2000_0000
  pmo src size 4KiB at 0x3000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x5000_0000, 16])
    expect r == MACH_SEND_INVALID_MEMORY
    let s = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x3000_0000, 8192])
    expect s == MACH_SEND_INVALID_MEMORY
    let c = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x3000_0000, 16], ool_copy: 7)
    expect c == MACH_SEND_INVALID_TYPE
    store32(0x2000_0000, MACH_MSG_TYPE_MAKE_SEND | MACH_MSGH_BITS_COMPLEX)
    store32(0x2000_0004, 44)
    store32(0x2000_0008, p)
    store32(0x2000_0018, 1)
    store8(0x2000_0027, MACH_MSG_OOL_PORTS_DESCRIPTOR)
    let o = mach_msg(msg: 0x2000_0000)
    expect o == MACH_SEND_INVALID_TYPE
    # A descriptor cut off by msgh_size.
    store8(0x2000_0027, MACH_MSG_OOL_DESCRIPTOR)
    store32(0x2000_0004, 40)
    let t = mach_msg(msg: 0x2000_0000)
    expect t == MACH_SEND_MSG_TOO_SMALL
    expect mach_port_msgcount(p) == 0
    expect mach_port_srights(p) == 0
    expect mach_vm_copies() == 0
    # Size 0 is legal in Mach (a null copy): the receiver gets address 0, size 0.
    let z = mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x5000_0000, 0])
    expect z == MACH_MSG_SUCCESS
    mach_msg(receive: p)
    expect mach_msg_ool_count() == 1
    expect mach_msg_ool_addr(0) == 0
    expect mach_msg_ool_size(0) == 0
  }
}`);
    green(run, 12);
    expect(MachReturn.MACH_SEND_INVALID_MEMORY).toBe(0x1000000c);
    expect(MachReturn.MACH_SEND_INVALID_TYPE).toBe(0x1000000f);
  });

  it('a message destroyed with its port (never received) discards its vm_map_copy', () => {
    const run = runScenario(`
process a {
  pmo src size 4KiB at 0x3000_0000
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    mach_msg(send: p, disposition: MACH_MSG_TYPE_MAKE_SEND, ool: [0x3000_0000, 100])
    expect mach_vm_copies() == 1
    mach_port_destroy(p)
    expect mach_vm_copies() == 0
  }
}`);
    green(run, 2);
    expect(run.trace).toMatch(/mach OOL discard of msg #\d+ id 0.*vm_map_copy #1, 100 bytes/);
  });
});

/** A kext whose io_connect method runs `body` on the caller's thread; the client sends 5000 bytes at 0x2000_0000. */
const passive = (body: string, after = ''): string => `
process kernel_task {
  thread main kernel {
    iokit_register_service(name: "sink", routine: sink)
  }
  routine sink(selector, unused, unused2, connection) {
${body}
  }
}
process client {
  pmo buf size 8KiB at 0x2000_0000
  thread main {
    yield()
    store64(0x2000_0000, 0xabcdef)
    store8(0x2000_0000 + 4999, 0x77)
    let c = iokit_open(service: "sink")
    let reply = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let r = mach_msg(send: c, reply: reply, id: 2865, data: [1], ool: [0x2000_0000, 5000], receive: reply)
    expect r == MACH_MSG_SUCCESS
${after}
  }
}`;

describe('OOL memory, passive kobject server (MR-PAS-04)', () => {
  it('MR-PAS-04 the server gets an unmapped copy object; after an explicit vm_map_copyout the bytes are there', () => {
    const run = runScenario(passive(`
    expect mach_msg_ool_count() == 1
    expect mach_msg_ool_size(0) == 5000
    # Uncooked: the descriptor holds the vm_map_copy (a naked kernel reference), nothing is mapped.
    let copy = mach_msg_ool_addr(0)
    expect copy > KBASE
    expect mach_vm_copies() == 1
    let a = vm_map_copyout(copy)
    expect a >= 0x1_0000_0000
    expect load64(a) == 0xabcdef
    expect load8(a + 4999) == 0x77
    expect mach_msg_ool_addr(0) == 0
    expect mach_vm_copies() == 0
    iokit_return(KERN_SUCCESS, data: [a])`, `
    expect mach_msg_data(0) == KERN_SUCCESS
    # The mapping is the server's explicit copyout (it ran in this address space), nothing else.
    expect load64(mach_msg_data(1)) == 0xabcdef`));
    green(run, 12);
    // No receiver mapping was created automatically: the one new mapping is the server's copyout.
    const client = run.kernel.state.groups.find((g) => g !== null && g.name === 'client')!;
    const kernelTask = run.kernel.state.groups.find((g) => g !== null && g.name === 'kernel_task')!;
    const above = (group: typeof client) => run.kernel.state.vmspaces[group.vmspace]!.vmrs.filter((v) => v.start >= 0x1_0000_0000 && v.start < 0x10_0000_0000);
    expect(above(client)).toHaveLength(1);
    expect(above(kernelTask)).toHaveLength(0);
    expect(run.trace).toMatch(/mach OOL copyout of msg #\d+ id 2865.*mapped at 0x100000000 by the server/);
    // No copyout happened at the kobject call itself.
    const lines = run.trace.split('\n');
    const call = lines.findIndex((l) => l.includes('kobject call'));
    const copyout = lines.findIndex((l) => l.includes('OOL copyout'));
    expect(call).toBeGreaterThan(0);
    expect(copyout).toBeGreaterThan(call);
    expect(lines.slice(call, copyout).join('\n')).not.toMatch(/OOL copyout/);
  });

  it('MR-PAS-04 reading the region before copyout is impossible: the descriptor holds a kernel reference and loading through it faults', () => {
    const run = runScenario(passive(`
    expect mach_msg_ool_addr(0) > KBASE
    let x = load8(mach_msg_ool_addr(0))`));
    const faults = run.events.filter((e) => e.kind === 'thread-fault');
    expect(faults).toHaveLength(1);
    expect(run.passed).toBe(1);
  });

  it('MR-PAS-04 an unconsumed copy is destroyed with the request when the server returns an error (ipc_kobject_server)', () => {
    const run = runScenario(passive(`
    iokit_return(KERN_FAILURE)`, `
    expect mach_msg_data(0) == KERN_FAILURE
    expect mach_vm_copies() == 0`));
    green(run, 3);
    expect(run.trace).toMatch(/OOL discard of msg #\d+ id 2865.*destroyed with the request/);
  });

  it('MR-PAS-04 after KERN_SUCCESS the server is responsible: an unconsumed copy is not released (kept, as in XNU)', () => {
    const run = runScenario(passive(`
    iokit_return(KERN_SUCCESS)`, `
    expect mach_vm_copies() == 1`));
    green(run, 2);
    expect(run.trace).toMatch(/keeps it \(not released\)/);
  });

  it('MR-PAS-04 vm_map_copy_discard releases it without mapping; a second use or a forged reference is KERN_INVALID_ARGUMENT', () => {
    const run = runScenario(passive(`
    let copy = mach_msg_ool_addr(0)
    let d = vm_map_copy_discard(copy)
    expect d == KERN_SUCCESS
    let again = vm_map_copyout(copy)
    expect again == KERN_INVALID_ARGUMENT
    let forged = vm_map_copy_discard(KBASE + 5)
    expect forged == KERN_INVALID_ARGUMENT
    expect mach_vm_copies() == 0
    iokit_return(KERN_SUCCESS)`, `
    let outside = vm_map_copyout(0)
    expect outside == KERN_INVALID_ARGUMENT`));
    green(run, 6);
  });
});
