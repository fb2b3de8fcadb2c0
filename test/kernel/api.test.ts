// The Kernel API the CLI and debugger use: step/peek/run, halts, inspection (frames across
// migrations, locals, registers, evaluate), snapshots, and the emulated hardware's faults and
// preemption.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Kernel, summarizeState, type Expression, type SourceLocation } from '../../kernel/index';
import { client, compileScenario, runScenario, server } from './helpers';

const loc: SourceLocation = { file: 'x', line: 1, column: 1, endLine: 1, endColumn: 1 };

describe('echo example', () => {
  it('runs green with a readable trace and summary', () => {
    const run = runScenario(readFileSync('examples/echo.kscn', 'utf8'));
    expect(run.halt?.reason).toBe('finished');
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(6);
    expect(run.trace).toMatchSnapshot();
    expect(run.summary).toMatchSnapshot();
  });
});

const CHAIN = `
process c badge 3 {
  thread main { let r = register_server(register_thread: reg, routine: serve) }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    let v = msg_data(msg, 0)
    ipc_return(v * 10)
  }
}
process b badge 2 {
  pmo shm size 4KiB
  pmo scratch size 4KiB at 0x3000_0000
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
    let conn = register_client(server: c.main, shm: shm, addr: 0x4000_0000)
    store32(0x3000_0000, conn)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) { ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000) }
  routine serve(msg, badge) {
    let conn = load32(0x3000_0000)
    let r = ipc_call(conn, data: [msg_data(msg, 0) + 1])
    ipc_return(r)
  }
}
process a badge 1 {
  pmo shm size 4KiB
  thread main {
    yield()
    let conn = register_client(server: b.main, shm: shm, addr: 0x4000_0000)
    let r = ipc_call(conn, data: [4])
    expect r == 50
  }
}`;

describe('inspection', () => {
  it('frames of a handler continue into the clients of migrated calls, down the chain A→B→C', () => {
    const kernel = new Kernel(compileScenario(CHAIN));
    const cHandler = kernel.threads().find((t) => t.name === 'c.handler')!;
    let guard = 0;
    while (kernel.threadLocation(cHandler.id)?.line !== 9 || kernel.threads().find((t) => t.id === cHandler.id)!.state !== 3) {
      kernel.step();
      if (++guard > 10_000) throw new Error('c.handler never reached ipc_return');
    }
    const frames = kernel.frames(cHandler.id);
    expect(frames.map((f) => `${f.kind} ${f.name}${f.migration ? ' (migrated)' : ''}`)).toEqual([
      'scenario c.handler: serve',
      'kernel sys_ipc_call › thread_migrate_to_server (migrated)',
      'scenario b.handler: serve (migrated)',
      'kernel sys_ipc_call › thread_migrate_to_server (migrated)',
      'scenario a.main: main (migrated)',
    ]);
    const locals = kernel.locals(frames[0]!.id);
    expect(locals.map((v) => v.name)).toEqual(['msg', 'badge', 'v']);
    expect(locals[1]!.value).toBe(2);
    expect(locals[2]!.value).toBe(5);
    expect(kernel.registers(cHandler.id).find((r) => r.name === 'arg0')!.value).toBe(0x5000_0000);
    const expr: Expression = {
      kind: 'binary',
      op: '+',
      left: { kind: 'local', slot: 2, name: 'v', loc },
      right: { kind: 'builtin', name: 'msg_data', args: [{ kind: 'local', slot: 0, name: 'msg', loc }, { kind: 'number', value: 0, loc }], loc },
      loc,
    };
    expect(kernel.evaluate(cHandler.id, expr)).toEqual({ value: 10 });
    expect(kernel.evaluate(cHandler.id, { kind: 'builtin', name: 'load8', args: [{ kind: 'number', value: 0x10, loc }], loc })).toMatchObject({
      error: expect.stringContaining('unmapped'),
    });
    kernel.run(100_000);
    expect(kernel.halt?.reason).toBe('finished');
    expect(kernel.state.expectFailed).toBe(0);
  });

  it('peek tells what step does next, without changing anything', () => {
    const kernel = new Kernel(compileScenario(CHAIN), { seed: 5 });
    for (let i = 0; i < 200; i++) {
      const before = JSON.stringify(kernel.state);
      const next = kernel.peek();
      expect(JSON.stringify(kernel.state)).toBe(before);
      const report = kernel.step();
      if (!next) break;
      expect(report.thread === next.thread || report.kind === 'halted').toBe(true);
      expect(report.kind).toBe(next.kind);
      expect(report.kernelStep).toBe(next.kernelStep);
    }
  });

  it('peek predicts the CPU a multi-CPU tie will pick', () => {
    const kernel = new Kernel(compileScenario(`
machine m {
  cpus 3
  memory 1MiB
  timeslice 10_000
}
process p {
  thread a { repeat 20 { print "a" } }
  thread b { repeat 20 { print "b" } }
  thread c { repeat 20 { print "c" } }
}`), { seed: 11 });
    for (let i = 0; i < 150; i++) {
      const next = kernel.peek();
      const report = kernel.step();
      if (!next) break;
      expect(report.cpu).toBe(next.cpu);
      expect(report.thread).toBe(next.thread);
    }
  });

  it('snapshot and restore give an identical continuation', () => {
    const program = compileScenario(CHAIN);
    const kernel = new Kernel(program, { seed: 9 });
    kernel.run(60);
    const snap = kernel.snapshot();
    const events1: string[] = [];
    kernel.onEvents = (e) => events1.push(...e.map((x) => JSON.stringify(x)));
    kernel.run(100_000);
    const end1 = summarizeState(kernel);
    kernel.restore(snap);
    const events2: string[] = [];
    kernel.onEvents = (e) => events2.push(...e.map((x) => JSON.stringify(x)));
    kernel.run(100_000);
    expect(events2).toEqual(events1);
    expect(summarizeState(kernel)).toBe(end1);
    // structuredClone gives the same snapshot: the state is plain data.
    const other = new Kernel(program, { seed: 9 });
    other.run(60);
    other.restore(structuredClone(other.state));
    other.run(100_000);
    expect(summarizeState(other)).toBe(end1);
  });

  it('thread ids are stable and threads() lists every thread', () => {
    const program = compileScenario(CHAIN);
    const a = new Kernel(program).threads().map((t) => `${t.id} ${t.name} ${t.type}`);
    const b = new Kernel(program).threads().map((t) => `${t.id} ${t.name} ${t.type}`);
    expect(a).toEqual(b);
    expect(a).toHaveLength(7);
  });
});

describe('stepping', () => {
  it('an ipc_call stops between every two kernel steps, in the seed order', () => {
    const program = compileScenario(`${server()}
${client('    let r = ipc_call(conn, data: [1])')}`);
    const kernel = new Kernel(program, { record: false });
    const seen: string[] = [];
    for (let i = 0; i < 500 && !kernel.halt; i++) {
      const report = kernel.step();
      if (report.threadName === 'client.main' && report.syscall === 'ipc_call') {
        seen.push(report.kind === 'kernel-step' ? report.kernelStep! : `${report.kind} line ${report.loc?.line}`);
      }
    }
    expect(seen).toEqual([
      'statement line 25',
      'check_ipc_msg_null',
      'obj_get(connection)',
      'try_lock(ownership)',
      'check_conn_valid',
      'grab_ipc_lock',
      'check_ipc_msg_in_shm',
      'thread_migrate_to_server',
    ]);
  });

  it('frames show the kernel step while a thread is inside a syscall', () => {
    const kernel = new Kernel(compileScenario(`${server()}
${client('    let r = ipc_call(conn, data: [1])')}`));
    const clientThread = kernel.threads().find((t) => t.name === 'client.main')!;
    for (let i = 0; i < 500; i++) {
      const report = kernel.step();
      if (report.threadName === 'client.main' && report.kernelStep === 'try_lock(ownership)') break;
    }
    const frames = kernel.frames(clientThread.id);
    expect(frames.map((f) => `${f.kind} ${f.name}`)).toEqual(['kernel sys_ipc_call › check_conn_valid', 'scenario client.main: main']);
    expect(kernel.locals(frames[0]!.id).map((v) => v.name)).toEqual(['conn_cap', 'ipc_msg', 'cap_num', 'r']);
    expect(kernel.locals(frames[1]!.id).map((v) => v.name)).toContain('conn');
  });
});

describe('events', () => {
  it('are delivered after the step, never re-entrantly, even to a listener that steps the kernel', () => {
    const kernel = new Kernel(compileScenario(`${server()}
${client('    let r = ipc_call(conn, data: [1])')}`));
    let depth = 0;
    let maxDepth = 0;
    const kinds: string[] = [];
    kernel.onEvents = (events) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      kinds.push(...events.map((e) => e.kind));
      if (kinds.length < 50) kernel.step();
      depth--;
    };
    kernel.step();
    expect(maxDepth).toBe(1);
    expect(kinds.length).toBeGreaterThan(10);
  });

  it('with recording off, only faults, failed expectations and the halt are queued', () => {
    const kernel = new Kernel(compileScenario(`${server()}
${client('    let r = ipc_call(conn, data: [1])\n    expect r == 3')}`), { record: false });
    const kinds: string[] = [];
    kernel.onEvents = (events) => kinds.push(...events.map((e) => e.kind));
    kernel.run();
    expect(kinds).toEqual(['expect', 'halt']);
  });
});

describe('machines', () => {
  it('several machines run side by side on their own CPUs and memory', () => {
    const run = runScenario(`
machine left {
  cpus 1
  memory 1MiB
  timeslice 1_000
}
machine right {
  cpus 2
  memory 1MiB
  timeslice 1_000
}
process a on left {
  thread main {
    repeat 3 { print "a" }
  }
}
process b on right {
  thread one {
    repeat 3 { print "b1" }
  }
  thread two {
    repeat 3 { print "b2" }
  }
}`);
    expect(run.halt?.reason).toBe('finished');
    const cpusOf = (text: string) => new Set(run.events.filter((e) => e.kind === 'print' && e.text === text).map((e) => e.cpu));
    expect([...cpusOf('a')]).toEqual([0]);
    expect(cpusOf('b1').has(0)).toBe(false);
    expect(cpusOf('b2').has(0)).toBe(false);
    expect(run.kernel.state.machines.map((m) => m.name)).toEqual(['left', 'right']);
  });
});

describe('emulated hardware', () => {
  it('a user access to an unmapped address is a thread fault, not a kernel fault', () => {
    const run = runScenario(`
process p {
  thread main {
    let x = load32(0x1000)
    print "not reached"
  }
  thread other {
    expect thread_state(p.main) == TS_EXIT
  }
}`);
    const fault = run.events.find((e) => e.kind === 'thread-fault');
    expect(fault).toMatchObject({ threadName: 'p.main', address: 0x1000 });
    expect(run.events.some((e) => e.kind === 'kernel-fault')).toBe(false);
    expect(run.halt?.reason).toBe('finished');
    expect(run.passed).toBe(1);
  });

  it('writes through one mapping are seen through every mapping of the PMO', () => {
    const run = runScenario(`${server({ serve: '    store64(0x5000_0800, 1234)\n    ipc_return(load8(0x5000_0000 + 16))' })}
${client(`    store8(0x4000_0010, 200)
    let r = ipc_call(conn, msg: 0x4000_0000)
    expect r == 200
    let x = ipc_call(conn, data: [77])
    expect x == 77
    expect load64(0x4000_0800) == 1234`)}`);
    expect(run.failures).toEqual([]);
  });

  it('a read-only mapping faults on write', () => {
    const run = runScenario(`
process p {
  pmo ro size 4KiB
  thread main {
    let m = map(ro, 0x2000_0000, 0)
    expect m == 0
    expect load32(0x2000_0000) == 0
    store32(0x2000_0000, 1)
  }
}`);
    expect(run.passed).toBe(2);
    expect(run.events.find((e) => e.kind === 'thread-fault')).toMatchObject({ address: 0x2000_0000 });
  });

  it('the timer preempts at statement boundaries after the timeslice', () => {
    const run = runScenario(`
machine m {
  cpus 1
  memory 1MiB
  timeslice 100
}
process p {
  thread a {
    repeat 30 { print "a" }
  }
  thread b {
    repeat 30 { print "b" }
  }
}`);
    const prints = run.events.filter((e) => e.kind === 'print').map((e) => (e.kind === 'print' ? e.text : ''));
    const switches = prints.filter((p, i) => i > 0 && p !== prints[i - 1]).length;
    expect(switches).toBeGreaterThan(5);
    expect(run.events.some((e) => e.kind === 'context-switch' && e.reason === 'preempt')).toBe(true);
  });

  it('priority: the highest-priority ready thread runs first; cpu pins a thread', () => {
    const run = runScenario(`
machine m {
  cpus 2
  memory 1MiB
  timeslice 10_000
}
process p {
  thread low priority 1 cpu 1 { print "low" }
  thread high priority 9 cpu 1 { print "high" }
}`);
    const prints = run.events.filter((e) => e.kind === 'print');
    expect(prints.map((e) => (e.kind === 'print' ? `${e.text}@${e.cpu}` : ''))).toEqual(['high@1', 'low@1']);
  });

  it('pmo_create is bounded by the machine memory', () => {
    const run = runScenario(`
machine m {
  cpus 1
  memory 64KiB
  timeslice 10_000
}
process p {
  thread main {
    let a = pmo_create(16KiB)
    expect a >= 0
    let b = pmo_create(64KiB)
    expect b == -ENOMEM
    let c = pmo_create(0)
    expect c == -EINVAL
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(3);
  });

  it('a halt reports deadlock when a thread is left waiting in a syscall', () => {
    const run = runScenario(`${server({ serve: '    print "handler gives up"' })}
${client('    let r = ipc_call(conn, data: [1])')}`);
    expect(run.halt?.reason).toBe('deadlock');
    expect(run.halt?.message).toContain('client.main waits in sys_ipc_call');
  });

  it('the step limit halts a long run', () => {
    const program = compileScenario(`
process p {
  thread main {
    repeat 1000 { print "x" }
  }
}`);
    const kernel = new Kernel(program, { stepLimit: 100, record: false });
    expect(kernel.run()?.reason).toBe('step-limit');
  });
});

describe('robustness', () => {
  it('hostile values never throw out of the kernel', () => {
    const run = runScenario(`
process p {
  pmo m size 4KiB
  thread main {
    let big = 1 << 100
    let inv = ~KBASE
    let huge = KBASE * KBASE * KBASE
    let sh = huge >> 3
    let a = map(m, -4096)
    expect a == -EINVAL
    let b = map(m, huge)
    expect b == -EINVAL
    let c = pmo_create(huge)
    expect c == -ENOMEM
    let d = cap_free(huge)
    expect d == -ECAPBILITY
    let e = ipc_call(huge, msg: huge, cap_num: huge)
    expect e == -ECAPBILITY
    let f = register_client(server: -1, config: huge)
    expect f == -ECAPBILITY
    expect cap_object(p, huge) == 0
    let g = load8(huge)
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(7);
    expect(run.events.find((e) => e.kind === 'thread-fault')).toBeDefined();
    expect(run.halt?.reason).toBe('finished');
  });

  it('expressions of constants only are evaluated once, with the values of the same expressions over locals', () => {
    const run = runScenario(`
process p {
  thread main {
    let one = 1
    let m = MACH_SEND_MSG
    let two = 2
    expect (1 << 40) == (one << 40)
    expect (MACH_SEND_MSG | MACH_RCV_MSG) == (m | MACH_RCV_MSG)
    expect (0x1_0000_0000 | 1) == (0x1_0000_0000 | one)
    expect (0xffff_ffff & 0x1234) == (0xffff_ffff & (0x1234 * one))
    expect (-3 ^ 5) == (-3 ^ (5 * one))
    expect ~0 == ~(one - 1)
    expect (7 / 2) == (7 / two)
    expect (-7 % 2) == (-7 % two)
    expect (KBASE >> 12) == (KBASE >> (12 * one))
    expect not (1 == 2)
  }
  thread zero {
    let z = 10 / 0
    print "not reached"
  }
  thread zero2 {
    let w = 10 % (2 - 2)
    print "not reached"
  }
}`);
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(10);
    // A division by a constant zero still faults when it runs.
    const faults = run.events.filter((e) => e.kind === 'thread-fault');
    expect(faults.map((e) => (e.kind === 'thread-fault' ? `${e.threadName}: ${e.reason}` : ''))).toEqual(['p.zero: division by zero', 'p.zero2: division by zero']);
    expect(run.trace).not.toContain('not reached');
  });
});
