// Time faults on idle machines: a `fault at TIME` fires when the target machine's virtual time
// reaches TIME, also when every thread of that machine is blocked or finished. The idle machine's
// clock advances to the deadline (the event time is TIME) when the deadline comes before the next
// step any CPU would take, or when no CPU can step at all, before a deadlock or the end is
// declared. Every run checks the invariants (kernel/invariants.ts) after every step.
import { describe, expect, it } from 'vitest';
import { Kernel, formatEvent, type KernelEvent, type ScenarioProgram } from '../../kernel/index';
import { checkInvariants } from '../../kernel/invariants';
import { compileScenario } from './helpers';

function runChecked(program: ScenarioProgram, seed = 1, maxSteps = 200_000) {
  const kernel = new Kernel(program, { seed });
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => events.push(...batch);
  const violations: string[] = [];
  for (let i = 0; i < maxSteps && kernel.halt === undefined; i++) {
    kernel.step();
    const found = checkInvariants(kernel);
    if (found.length > 0 && violations.length < 20) violations.push(...found.map((v) => `step ${i}: ${v}`));
  }
  const failures = events.filter((e) => e.kind === 'expect' && !e.pass).map((e) => formatEvent(e, program));
  return { kernel, events, violations, failures, halt: kernel.halt };
}

function injected(events: readonly KernelEvent[]) {
  return events.filter((e): e is Extract<KernelEvent, { kind: 'fault-injected' }> => e.kind === 'fault-injected');
}

function machineEvents(events: readonly KernelEvent[]) {
  return events.filter((e): e is Extract<KernelEvent, { kind: 'machine' }> => e.kind === 'machine');
}

function prints(events: readonly KernelEvent[]) {
  return events.filter((e): e is Extract<KernelEvent, { kind: 'print' }> => e.kind === 'print');
}

const TWO = `
machine a {
  cpus 1
}
machine b {
  cpus 1
}
link a <-> b latency 200
`;

/** a's driver waits for a message from b; b's driver waits for one from a: both machines idle. */
const BOTH_WAIT = `${TWO}
process adrv on a {
  thread main {
    let n = mnl_instantiate(node: 1, machine: b)
    let r = mnl_register(n)
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    let m = link_recv(n)
    expect m == 0
    expect node_dead(n)
    print "a: b is gone at ", now()
  }
}
process bdrv on b {
  thread main {
    let n = mnl_instantiate(node: 1, machine: a)
    let r = mnl_register(n)
    let u = mnl_set_link_state(n, link: MNL_LINK_UP)
    let m = link_recv(n)
    print "not reached"
  }
}
`;

describe('time faults on idle machines', () => {
  it('without the fault both machines wait: a deadlock', () => {
    const run = runChecked(compileScenario(BOTH_WAIT));
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('deadlock');
  });

  it('a crash at T of a machine whose threads are all blocked fires at T; the peer waiting for it wakes (no deadlock)', () => {
    const run = runChecked(compileScenario(`${BOTH_WAIT}\nfault at 6000 crash b\n`));
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    const [fault] = injected(run.events);
    expect(fault).toMatchObject({ time: 6000, cpu: 1, action: 'crash-machine', applied: true });
    expect(machineEvents(run.events)).toMatchObject([{ time: 6000, machine: 1, action: 'crash' }]);
    const gone = prints(run.events).find((e) => e.text.startsWith('a: b is gone'))!;
    expect(gone.time).toBeGreaterThanOrEqual(6000);
    expect(prints(run.events).some((e) => e.text === 'not reached')).toBe(false);
    // Nothing happened on b between its last step and the crash: its clock jumped to 6000.
    expect(run.kernel.state.cpus[1]!.time).toBe(6000);
  });

  it('a crash at T of an idle machine fires at T while another machine keeps running, in time order', () => {
    const text = `${TWO}
process busy on a {
  thread main {
    repeat 300 { yield() }
    print "a done at ", now()
  }
}
process server on b {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
}
fault at 6000 crash b restart after 2000
fault at 9000 kill server
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    // After the restart the server waits again; the kill at 9000 ends it (else: a deadlock).
    expect(run.halt?.reason).toBe('finished');
    const machine = machineEvents(run.events);
    expect(machine.map((e) => [e.action, e.time])).toEqual([['crash', 6000], ['restart', 8000]]);
    expect(injected(run.events).map((e) => [e.action, e.time])).toEqual([['crash-machine', 6000], ['kill-process', 9000]]);
    const done = prints(run.events).find((e) => e.text.startsWith('a done'))!;
    expect(done.time).toBeGreaterThan(8000);
    expect(prints(run.events).some((e) => e.text === 'not reached')).toBe(false);
    // The crash comes in the event stream where its time belongs: after a's steps that start
    // before 6000 (a yield step ends a few cycles later), before a's steps after it.
    const crashIndex = run.events.indexOf(machine[0]!);
    for (const e of run.events.slice(0, crashIndex)) expect(e.time).toBeLessThan(6100);
    for (const e of run.events.slice(crashIndex + 1)) if (e.cpu === 0) expect(e.time).toBeGreaterThanOrEqual(6000);
  });

  it('a kill at T of a process on an idle machine fires at T; its blocked thread dies', () => {
    const text = `${TWO}
process busy on a {
  thread main {
    repeat 300 { yield() }
  }
}
process server on b {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
}
fault at 5000 kill server
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(injected(run.events)).toMatchObject([{ time: 5000, cpu: 1, action: 'kill-process', target: 'process server', applied: true }]);
    const exit = run.events.find((e) => e.kind === 'thread-state' && e.threadName === 'server.main' && e.to === 4)!;
    expect(exit.time).toBeGreaterThanOrEqual(5000);
    expect(exit.time).toBeLessThan(6000);
    expect(run.kernel.state.threads.find((t) => t?.name === 'server.main')).toMatchObject({ state: 4, exitState: 2 });
    expect(prints(run.events)).toEqual([]);
  });

  it('a kill at T on a single machine whose only thread is blocked: fires at T instead of a deadlock', () => {
    const text = `
machine m {
  cpus 2
}
process server {
  thread main {
    let bs = host_set_node_port()
    let x0 = noded_receive(bs)
    let x = noded_receive(bs)
    print "not reached"
  }
}
fault at 5000 kill server.main
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(injected(run.events)).toMatchObject([{ time: 5000, action: 'kill-thread', applied: true }]);
  });

  it('a time fault scheduled after every thread finished still fires; a restart then boots the machine again', () => {
    const text = `${TWO}
process p on a {
  thread main {
    print "a boots at ", now()
  }
}
process q on b {
  thread main {
    print "b boots at ", now()
  }
}
fault at 9000 crash b restart after 1000
fault at 12_000 kill p
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(machineEvents(run.events).map((e) => [e.machineName, e.action, e.time])).toEqual([
      ['b', 'crash', 9000],
      ['b', 'restart', 10_000],
    ]);
    const boots = prints(run.events).filter((e) => e.text.startsWith('b boots'));
    expect(boots).toHaveLength(2);
    expect(boots[1]!.time).toBeGreaterThanOrEqual(10_000);
    // The kill of p (finished long ago) still fires at 12,000 on a, and changes nothing.
    expect(injected(run.events).map((e) => [e.action, e.time, e.cpu])).toEqual([
      ['crash-machine', 9000, 1],
      ['kill-process', 12_000, 0],
    ]);
    expect(prints(run.events).filter((e) => e.text.startsWith('a boots'))).toHaveLength(1);
    expect(run.halt?.time).toBe(12_000);
  });

  it('a Mach receive timeout on an idle machine fires at its deadline while another machine keeps running', () => {
    const text = `
machine a {
  cpus 1
}
machine b {
  cpus 1
}
process busy on a {
  thread main {
    repeat 400 { yield() }
    print "a done at ", now()
  }
}
process waiter on b {
  thread main {
    let p = mach_port_allocate(right: MACH_PORT_RIGHT_RECEIVE)
    let t0 = now()
    let r = mach_msg(receive: p, timeout: 3000)
    expect r == MACH_RCV_TIMED_OUT
    print "b timed out after ", now() - t0
  }
}
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    const timedOut = prints(run.events).find((e) => e.text.startsWith('b timed out'))!;
    const done = prints(run.events).find((e) => e.text.startsWith('a done'))!;
    const waited = Number(timedOut.text.slice('b timed out after '.length));
    expect(waited).toBeGreaterThanOrEqual(3000);
    expect(waited).toBeLessThan(3500);
    expect(timedOut.time).toBeLessThan(done.time);
  });

  it('a time fault on a machine halted by a kernel fault never fires (the run ends with the fault)', () => {
    const program = compileScenario(`
process p {
  thread main {
    print "x"
  }
}
fault at 5000 kill p
`);
    // Halt the machine as a kernel fault would, before anything runs.
    const kernel = new Kernel(program);
    kernel.state.machines[0]!.halted = true;
    kernel.state.machines[0]!.faulted = true;
    kernel.state.machines[0]!.faultMessage = 'kernel fault (test)';
    kernel.run();
    expect(kernel.halt?.reason).toBe('fault');
    expect(kernel.state.faultFired).toEqual([false]);
  });

  it('a machine with a busy CPU fires its time faults before its own steps, as before (not through the idle path)', () => {
    const text = `
machine m {
  cpus 1
  timeslice 500
}
process p {
  thread a {
    repeat 200 { print "a" }
  }
}
fault at 2000 kill p.a
`;
    const run = runChecked(compileScenario(text));
    expect(run.violations).toEqual([]);
    const [fault] = injected(run.events);
    expect(fault!.time).toBeGreaterThanOrEqual(2000);
    // The fault fires before the first step that starts at or after 2000.
    const before = run.events.slice(0, run.events.indexOf(fault!));
    expect(before.every((e) => e.time <= fault!.time)).toBe(true);
  });

  it('the same seed gives the same run; several seeds on multi-CPU machines with idle-machine faults stay consistent', () => {
    const text = `
machine a {
  cpus 2
  timeslice 700
}
machine b {
  cpus 2
}
link a <-> b latency 300
process w on a {
  thread x {
    repeat 60 { yield() }
  }
  thread y {
    repeat 60 { yield() }
  }
}
process idle on b {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
    print "not reached"
  }
  thread other {
    print "b runs at ", now()
  }
}
fault at 1500 kill idle.main
fault at 3000 crash b restart after 1200
fault at 9000 kill w
fault at 9500 kill idle
`;
    const program = compileScenario(text);
    const shapes = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const first = runChecked(program, seed);
      const second = runChecked(program, seed);
      expect(first.violations).toEqual([]);
      expect(JSON.stringify(second.events)).toBe(JSON.stringify(first.events));
      expect(first.halt?.reason).toBe('finished');
      expect(prints(first.events).some((e) => e.text === 'not reached')).toBe(false);
      const faults = injected(first.events);
      expect(faults.map((e) => e.fault).sort()).toEqual([0, 1, 2, 3]);
      expect(faults.find((e) => e.fault === 3)!.time).toBe(9500);
      expect(faults.find((e) => e.fault === 0)!.time).toBe(1500);
      expect(faults.find((e) => e.fault === 1)!.time).toBe(3000);
      expect(machineEvents(first.events).map((e) => [e.action, e.time])).toEqual([['crash', 3000], ['restart', 4200]]);
      // run() (with and without a listener) gives the same state as step() by step.
      const quiet = new Kernel(program, { seed, record: false });
      quiet.run();
      expect(JSON.stringify(quiet.state)).toBe(JSON.stringify(first.kernel.state));
      shapes.add(JSON.stringify(first.events.map((e) => [e.kind, e.cpu])));
    }
    expect(shapes.size).toBeGreaterThan(1);
  });
});
