// Lowering tests: boot capability order, objects as capabilities versus identities, routine
// addresses, frame slots, the implicit machine and badges.

import { describe, expect, it } from 'vitest';
import { compile, type Diagnostic } from '../../language/core/index';
import { routineEntryAddress, type Expression, type ScenarioProgram, type Statement } from '../../kernel/program';

function program(text: string): ScenarioProgram {
  const result = compile(text, 'lower.kscn');
  const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
  if (errors.length > 0 || result.program === undefined) throw new Error(errors.map((e) => `${e.range.start.line}:${e.range.start.column} ${e.message}`).join('\n'));
  return result.program;
}

/** Strips locations so expectations stay readable. */
function bare<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'loc' ? undefined : v instanceof Uint8Array ? [...v] : v)));
}

const SERVER = `process server {
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(declared) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) {
    ipc_return(msg_data(msg, 0) + badge)
  }
}
`;

describe('lowering', () => {
  it('adds an implicit machine when none is declared, and numbers badges by position', () => {
    const p = program('process a {\n}\nprocess b badge 9 {\n}\nprocess c {\n}');
    expect(bare(p.machines)).toEqual([
      { name: 'default', cpus: 1, memoryBytes: 64 * 1024 * 1024, timeslice: 10_000, nodeTableSize: 2, byteOrder: 1, dataModel: 2, mpuRegions: 6 },
    ]);
    expect(p.processes.map((x) => x.tock)).toEqual([false, false, false]);
    expect([p.links, p.faults]).toEqual([[], []]);
    expect(p.processes.map((x) => [x.name, x.machine, x.badge])).toEqual([['a', 0, 1], ['b', 0, 9], ['c', 0, 3]]);
  });

  it('lays out boot capabilities: own pmos and threads, then caps, then grants in order of first use', () => {
    const p = program(`${SERVER}
process client {
  cap s = server.reg
  pmo shm size 4KiB
  thread main {
    let c = register_client(server: server.main, shm: shm)
    kill(target: server.handler)
    expect thread_state(server.main) == TS_READY
    ipc_call(c, caps: [server.handler, shm, server.main])
  }
  cap g = server
  pmo extra size 1
}
`);
    const client = p.processes[1]!;
    const objectName = (i: number) => `${p.processes[p.objects[i]!.owner]!.name}.${p.objects[i]!.name}`;
    expect(client.caps.map((c) => [c.name, c.object >= 0 ? objectName(c.object) : `group ${c.group}`])).toEqual([
      ['shm', 'client.shm'],
      ['main', 'client.main'],
      ['extra', 'client.extra'],
      ['s', 'server.reg'],
      ['g', 'group 0'],
      ['server.main', 'server.main'],
      ['server.handler', 'server.handler'],
    ]);
  });

  it('lowers object names to capabilities, identities or processes by context', () => {
    const p = program(`${SERVER}
process client {
  pmo shm size 4KiB
  thread main {
    let c = register_client(server: server.main, shm: shm)
    expect cap_object(server, 5) == client.shm
    expect shm != object_of(3)
    kill(target: server)
    print shm
  }
}
`);
    const main = p.routines.find((r) => r.owner === 1)!;
    const [letC, expect1, expect2, kill, print] = main.body as Statement[];
    const shmIndex = p.objects.findIndex((o) => o.name === 'shm');
    expect(bare(letC)).toMatchObject({
      kind: 'let',
      isSyscall: true,
      value: { name: 'register_client', args: { server: { kind: 'object', object: 0 }, shm: { kind: 'object', object: shmIndex } } },
    });
    expect(bare(expect1)).toMatchObject({
      kind: 'expect',
      text: 'cap_object(server, 5) == client.shm',
      condition: { op: '==', left: { kind: 'builtin', name: 'cap_object', args: [{ kind: 'process', process: 0 }, { kind: 'number', value: 5 }] }, right: { kind: 'objectRef', object: shmIndex } },
    });
    expect(bare(expect2)).toMatchObject({ condition: { op: '!=', left: { kind: 'objectRef', object: shmIndex } } });
    expect(bare(kill)).toMatchObject({ kind: 'syscall', call: { name: 'kill', args: { target: { kind: 'process', process: 0 } } } });
    expect(bare(print)).toMatchObject({ kind: 'print', parts: [{ kind: 'object', object: shmIndex }] });
    // Only server.main was used as a capability; the identity uses granted nothing.
    expect(p.processes[1]!.caps.map((c) => c.name)).toEqual(['shm', 'main', 'server.main']);
  });

  it('lowers cap names: object caps as objects or identities, group caps as processes or their slot', () => {
    const p = program(`${SERVER}
process client {
  pmo shm size 4KiB
  cap h = server.handler
  cap g = server
  thread main {
    cap_copy(cap: shm, to: g)
    print g, h
    expect thread_state(h) == TS_WAITING
  }
}
`);
    const [copy, print, check] = p.routines.find((r) => r.owner === 1)!.body;
    expect(bare(copy)).toMatchObject({ call: { name: 'cap_copy', args: { cap: { kind: 'object', object: 3 }, to: { kind: 'process', process: 0 } } } });
    // Slots: 2 shm, 3 main, 4 h, 5 g.
    expect(bare(print)).toMatchObject({ parts: [{ kind: 'number', value: 5 }, { kind: 'object', object: 2 }] });
    expect(bare(check)).toMatchObject({ condition: { left: { kind: 'builtin', name: 'thread_state', args: [{ kind: 'objectRef', object: 2 }] } } });
    expect(p.processes[1]!.caps.map((c) => c.name)).toEqual(['shm', 'main', 'h', 'g']);
  });

  it('turns routine arguments into entry addresses and points threads at their routines', () => {
    const p = program(SERVER);
    const index = (name: string) => p.routines.findIndex((r) => r.name === name);
    expect(p.routines.map((r) => r.name)).toEqual(['main', 'on_register', 'serve']);
    const main = p.routines[0]!;
    const call = (main.body[0] as Extract<Statement, { kind: 'let' }>).value as { args: Record<string, Expression> };
    expect(call.args.routine).toMatchObject({ kind: 'number', value: routineEntryAddress(index('serve')) });
    expect(p.objects.map((o) => (o.kind === 'thread' ? [o.name, o.type, o.routine] : [o.name]))).toEqual([
      ['main', 'user', 0],
      ['reg', 'register', index('on_register')],
      ['handler', 'shadow', index('serve')],
    ]);
  });

  it('gives params the first slots, every let its own slot, and repeat a hidden counter', () => {
    const p = program(`process p {
  routine r(a, b) {
    let x = a
    if x {
      let x = 2
    }
    repeat 3 as i {
      let y = i
    }
    repeat 2 {
      x = b
    }
  }
}`);
    const r = p.routines[0]!;
    expect(r.params).toEqual(['a', 'b']);
    expect(r.slotNames).toEqual(['a', 'b', 'x', 'x', 'i', '(repeat 7:5)', 'y', '(repeat 10:5)']);
    expect(r.frameSize).toBe(8);
    const [letX, ifX, rep1, rep2] = r.body;
    expect(bare(letX)).toMatchObject({ kind: 'let', slot: 2, value: { kind: 'local', slot: 0, name: 'a' } });
    expect(bare(ifX)).toMatchObject({ kind: 'if', then: [{ kind: 'let', slot: 3 }], else: [] });
    expect(bare(rep1)).toMatchObject({ kind: 'repeat', slot: 4, counterSlot: 5, body: [{ kind: 'let', slot: 6, value: { kind: 'local', slot: 4 } }] });
    expect(bare(rep2)).toMatchObject({ kind: 'repeat', slot: -1, counterSlot: 7, body: [{ kind: 'assign', slot: 2, value: { kind: 'local', slot: 1 } }] });
  });

  it('lowers constants, unary minus, registers, strings and data lists', () => {
    const p = program(`process p {
  thread t {
    let r = ipc_call(3, data: [1, "hi"])
    expect r == -EIPCRETRY or r == KERN_NODE_DOWN
    print "ret ", ret
    store32(0x1000, 5)
  }
}`);
    const [letR, expectR, print, store] = p.routines[0]!.body;
    expect(bare(letR)).toMatchObject({ value: { args: { conn: { kind: 'number', value: 3 }, data: { kind: 'list', items: [{ kind: 'number', value: 1 }, { kind: 'bytes', value: [104, 105] }] } } } });
    expect(bare(expectR)).toMatchObject({
      condition: { op: 'or', left: { right: { kind: 'unary', op: '-', operand: { kind: 'constant', name: 'EIPCRETRY', value: 199 } } }, right: { right: { kind: 'constant', name: 'KERN_NODE_DOWN', value: 47 } } },
    });
    expect(bare(print)).toMatchObject({ parts: [{ kind: 'bytes' }, { kind: 'register', register: 'ret' }] });
    expect(bare(store)).toMatchObject({ kind: 'builtin', name: 'store32', args: [{ value: 4096 }, { value: 5 }] });
  });

  it('maps positional arguments to parameters in declared order and accepts kernel names', () => {
    const p = program('process p {\n  thread t {\n    sys_map_pmo(3, 0x1000, 0)\n  }\n}');
    expect(bare(p.routines[0]!.body[0])).toMatchObject({ kind: 'syscall', call: { name: 'map', args: { pmo: { value: 3 }, addr: { value: 4096 }, writable: { value: 0 } } } });
  });

  it('carries 1-based source locations', () => {
    const p = program('process p {\n  thread t {\n    yield()\n  }\n}');
    expect(p.routines[0]!.body[0]!.loc).toEqual({ file: 'lower.kscn', line: 3, column: 5, endLine: 3, endColumn: 12 });
  });

  it('returns no program when there are errors', () => {
    const result = compile('process p {\n  thread t {\n    ipc_cal(1)\n  }\n}', 'x.kscn');
    expect(result.program).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
  });
});
