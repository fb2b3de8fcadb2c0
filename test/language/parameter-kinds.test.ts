// Parameter kinds the kernel families add to the syscall tables: `machine` (a machine name, lowered
// to its index, or a number), `port` (a Mach port name: any integer expression, no capability
// grant), and kinds the checker has no rule for (checked as integers), so that syscalls colleagues
// add are checkable without language changes. The tables are extended here with test-only entries.

import { describe, expect, it, vi } from 'vitest';
import type { ParameterKind, SyscallSpec } from '../../kernel/syscalls';

const FAKE_SYSCALLS: SyscallSpec[] = [
  {
    name: 'test_node_ping',
    kernelName: 'sys_test_node_ping',
    family: 'xnu-node',
    params: [
      { name: 'node', kind: 'machine', doc: 'A machine.' },
      { name: 'port', kind: 'port', optional: true, doc: 'A port name.' },
      { name: 'extra', kind: 'frobnicator' as ParameterKind, optional: true, doc: 'A kind the checker does not know.' },
    ],
    summary: 'Test only.',
    returns: '0.',
    errors: [],
    seed: 'test',
  },
];

vi.mock('../../kernel/syscalls', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../kernel/syscalls')>();
  const byName = new Map(FAKE_SYSCALLS.flatMap((s) => [[s.name, s], [s.kernelName, s]] as const));
  return {
    ...original,
    SYSCALLS: [...original.SYSCALLS, ...FAKE_SYSCALLS],
    syscallByName: (name: string) => original.syscallByName(name) ?? byName.get(name),
  };
});

const { compile } = await import('../../language/core/index');
const { checkDiagnostics } = await import('./helpers');

const HEAD = 'machine a {\n}\nmachine b {\n}\nprocess p on a {\n  pmo shm size 4KiB\n  thread t {\n';
const TAIL = '  }\n}\nprocess q on b {\n  thread u {\n    yield()\n  }\n}\n';
const at = (statements: string) => HEAD + statements.split('\n').map((l) => `    ${l}\n`).join('') + TAIL;

const CASES: [string, string[]][] = [
  ['test_node_ping(node: b)', []],
  ['test_node_ping(b, port: 0x103, extra: 7)', []],
  ['let n = 1\ntest_node_ping(node: n + 1)', []],
  ['test_node_ping(node: q)', ["8:26 expected a machine for 'node' of 'test_node_ping', found process 'q'"]],
  ['test_node_ping(node: shm)', ["8:26 expected a machine for 'node' of 'test_node_ping', found PMO 'shm'"]],
  ['test_node_ping(node: c)', ["8:26 undefined name 'c'"]],
  ['test_node_ping(node: 1, port: shm)', ["8:35 expected a port name for 'port' of 'test_node_ping', found PMO 'shm'"]],
  ['test_node_ping(node: 1, port: b)', ["8:35 machine 'b' cannot be used as a value", "8:35 expected a port name for 'port' of 'test_node_ping', found machine 'b'"]],
  ['test_node_ping(node: 1, extra: q.u)', ["8:36 expected an integer for 'extra' of 'test_node_ping', found thread 'q.u'"]],
  ['test_node_ping(node: 1, extra: "s")', ["8:36 expected an integer for 'extra' of 'test_node_ping', found a byte string"]],
  ['let m = b', ["8:13 machine 'b' cannot be used as a value"]],
];

describe('parameter kinds: machine, port, and kinds without a rule', () => {
  it.each(CASES)('%j', (statements, expected) => {
    expect(checkDiagnostics(at(statements))).toEqual(expected);
  });

  it('lowers a machine name to its index and a port to its number, granting nothing', () => {
    const result = compile(at('test_node_ping(node: b, port: 0x103)\nsys_test_node_ping(a)'), 'k.kscn');
    expect(result.diagnostics).toEqual([]);
    const body = result.program!.routines[0]!.body;
    expect(body.map((s) => (s.kind === 'syscall' ? [s.call.name, Object.fromEntries(Object.entries(s.call.args).map(([k, v]) => [k, v.kind === 'number' ? v.value : v.kind]))] : s.kind))).toEqual([
      ['test_node_ping', { node: 1, port: 0x103 }],
      ['test_node_ping', { node: 0 }],
    ]);
  });

  it('a port argument naming another process object is an error and adds no boot capability', () => {
    const result = compile(at('test_node_ping(node: 0, port: q.u)'), 'k.kscn');
    expect(result.analysis.symbols.bootSlots.get('p')!.map((s) => s.name)).toEqual(['shm', 't']);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['wrong-kind']);
  });

  it('the implicit machine is `default`', () => {
    const text = 'process p {\n  thread t {\n    test_node_ping(node: default)\n  }\n}\n';
    const result = compile(text, 'k.kscn');
    expect(result.diagnostics).toEqual([]);
    const call = result.program!.routines[0]!.body[0]!;
    expect(call.kind === 'syscall' && call.call.args.node).toMatchObject({ kind: 'number', value: 0 });
  });

  it('faults may trigger on the new syscalls by either name', () => {
    expect(checkDiagnostics(`${at('yield()')}fault on sys_test_node_ping kill q\nfault on test_node_pong kill q\n`)).toEqual([
      "17:10 unknown syscall 'test_node_pong'; did you mean 'test_node_ping'?",
    ]);
  });
});
