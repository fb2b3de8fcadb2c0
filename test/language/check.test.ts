// Data-driven checker tests: each snippet with the exact diagnostics it must produce
// (`line:column message`). Statement snippets run inside `inThread` (they start at line 3, col 5).

import { describe, expect, it } from 'vitest';
import { analyze } from '../../language/core/index';
import * as tables from '../../kernel/syscalls';
import { checkDiagnostics, inThread } from './helpers';

const STATEMENT_CASES: [string, string[]][] = [
  ["let r = register_server(register_thread: reg, routine: serve)\nexpect r == 0", []],
  ["let r = ipc_cal(1)", ["3:13 unknown syscall 'ipc_cal'; did you mean 'ipc_call'?"]],
  ["let x = msg_dat(0, 1)", ["3:13 unknown builtin 'msg_dat'; did you mean 'msg_data'?"]],
  ["let x = frobnicate(1)", ["3:13 unknown syscall or builtin 'frobnicate'"]],
  ["print shn", ["3:11 undefined name 'shn'; did you mean 'shm'?"]],
  ["print serve", []],
  ["serve(1)", ["3:5 'serve' is a routine: routines are not called, they are run by threads ('runs serve') or passed to syscalls"]],
  ["let r = register_server(register_thread: shm)", ["3:46 expected a thread for 'register_thread' of 'register_server', found PMO 'shm'"]],
  ["let c = register_client(server: other.t, shm: shm)\nlet r = register_server(register_thread: c)", ["4:46 expected a thread for 'register_thread' of 'register_server', found connection 'c'"]],
  ["let c = register_client(server: other.t, shm: shm)\nmap(pmo: c, addr: 0x1000)", ["4:14 expected a PMO for 'pmo' of 'map', found connection 'c'"]],
  ["ipc_call(handler)", ["3:14 expected a connection for 'conn' of 'ipc_call', found thread 'handler'"]],
  ["ipc_call(conn: 3, conn: 4)", ["3:23 argument 'conn' is given twice"]],
  ["ipc_call(3, conn: 4)", ["3:17 argument 'conn' is given twice"]],
  ["ipc_call(conn: 3, 4)", ["3:23 a positional argument cannot follow a named argument"]],
  ["ipc_call(3, dat: [1])", ["3:17 syscall 'ipc_call' has no parameter 'dat'; did you mean 'data'?"]],
  ["ipc_call(3, bogus: [1])", ["3:17 syscall 'ipc_call' has no parameter 'bogus' (it has parameters 'conn', 'data', 'caps', 'msg', 'cap_num')"]],
  ["ipc_call(data: [1])", ["3:5 syscall 'ipc_call' is missing the required argument 'conn'"]],
  ["register_client(shm: shm)", ["3:5 syscall 'register_client' is missing the required argument 'server'"]],
  ["ipc_call(3, data: [1], msg: 0x1000)", ["3:28 'msg' cannot be given together with 'data' in 'ipc_call'"]],
  ["ipc_call(3, caps: [shm], cap_num: 1)", ["3:30 'cap_num' cannot be given together with 'caps' in 'ipc_call'"]],
  ["register_client(server: other.t, config: 0x1000, shm: shm, addr: 0x4000)", ["3:38 'config' cannot be given together with 'shm' in 'register_client'", "3:38 'config' cannot be given together with 'addr' in 'register_client'"]],
  ["store32(0x1000, 1, 2)", ["3:24 builtin 'store32' takes at most 2 arguments"]],
  ["yield(1)", ["3:11 syscall 'yield' takes no arguments"]],
  ["ipc_call(3, data: 5)", ["3:23 expected a data list such as [1, \"text\"] for 'data' of 'ipc_call'"]],
  ["ipc_call(3, data: [shm])", ["3:24 message data holds integers and byte strings, not PMO 'shm'"]],
  ["ipc_call(3, caps: [other])", ["3:24 expected a capability for 'caps' of 'ipc_call', found process 'other' (to pass a capability to a process's group, declare 'cap g = other')"]],
  ["ipc_call(3, caps: [other.buf])", []],
  ["store_bytes(0x1000, 5)", ["3:25 expected a byte string for 'bytes' of 'store_bytes'"]],
  ["cap_copy(cap: shm, to: 3)", []],
  ["cap_copy(cap: shm, to: shm)", ["3:28 expected a process for 'to' of 'cap_copy', found PMO 'shm'"]],
  ["ipc_call(3, data: \"text\")", []],
  ["cap_copy(cap: other, to: other)", ["3:19 expected a capability for 'cap' of 'cap_copy', found process 'other' (to pass a capability to a process's group, declare 'cap g = other')"]],
  ["let s = thread_state(5)", ["3:26 expected an object name (a thread, a PMO or a process) for 'object' of 'thread_state', found a number"]],
  ["let s = thread_state(other.t)\nexpect s == TS_WAITING", []],
  ["let o = object_of(3)\nexpect thread_state(o) == TS_READY and exit_state(cap_object(other, 2)) == TE_RUNNING", []],
  ["kill(target: shm)", ["3:18 expected a thread or a process for 'target' of 'kill', found PMO 'shm'"]],
  ["kill(target: other)", []],
  ["print other.nope", ["3:17 process 'other' has no object 'nope'"]],
  ["print nowhere.t", ["3:11 undefined process 'nowhere'; did you mean 'other'?"]],
  ["print other.t.x", ["3:18 expected end of line, found '.'"]],
  ["break", ["3:5 'break' outside of 'repeat'"]],
  ["continue", ["3:5 'continue' outside of 'repeat'"]],
  ["repeat 3 { break }", []],
  ["repeat 3 as i { print i }\nprint i", ["4:11 'i' is not visible here: its 'let' (line 3) is inside a block that has ended"]],
  ["print x\nlet x = 1", ["3:11 'x' is used before its 'let' (line 4)"]],
  ["let x = x + 1", ["3:13 'x' cannot be used in its own 'let'"]],
  ["let x = 1\nlet x = 2", ["4:9 'x' is already declared in this block"]],
  ["let x = 1\nif x { let x = 2 }", []],
  ["x = 1", ["3:5 undefined name 'x'"]],
  ["shm = 1", ["3:5 cannot assign to PMO 'shm'; only locals ('let') can be assigned"]],
  ["1 + 2", ["3:5 an expression on its own does nothing; use it in 'let', 'expect' or 'print'"]],
  ["msg_data(0, 1)", ["3:5 the value of 'msg_data' is not used; write 'let x = msg_data(...)', or use it in 'expect' or 'print'"]],
  ["let x = store32(0, 1)", ["3:13 'store32' is a procedure and returns no value; call it as a statement"]],
  ["expect ipc_call(3) == 0", ["3:12 syscall 'ipc_call' can only be a statement or the whole value of 'let'; write 'let r = ipc_call(...)' first"]],
  ["let x = 99999999999999999999", ["3:13 number '99999999999999999999' is larger than 2^53 - 1 and cannot be represented exactly"]],
  ["let x = 0x20_0000_0000_0000", ["3:13 number '0x20_0000_0000_0000' is larger than 2^53 - 1 and cannot be represented exactly"]],
  ["let x = 9_007_199_254_740_991", []],
  ["let x = 8388608GiB", ["3:13 number '8388608GiB' is larger than 2^53 - 1 and cannot be represented exactly"]],
  ["let x = [1, 2]", ["3:13 a list can only be an argument (such as 'data:' or 'caps:')"]],
  ["let x = \"text\"", ["3:13 a byte string can only be printed or passed as message data or bytes"]],
  ["expect -EINVAL == -22", []],
  ["expect EINVAL2 == 1", ["3:12 undefined name 'EINVAL2'; did you mean 'EINVAL'?"]],
  ["expect TS_WAITNG == 5", ["3:12 undefined name 'TS_WAITNG'; did you mean 'TS_WAITING'?"]],
  ["print arg0, ret", []],
  ["let register = 1\nlet badge = register + 1\nlet size = badge\nprint size", []],
  ["let x = board", ["3:13 undefined name 'board'"]],
  ["expect cap_object(other, 2) == other.buf", []],
  ["expect object_of(shm) == shm", []],
  ["let x = not 1 + \"a\"", ["3:21 a byte string can only be printed or passed as message data or bytes"]],
  ["let r = ipc_return(1)", []],
];

const DECLARATION_CASES: [string, string[]][] = [
  ["machine a {\n  cpus 0\n  memory 100\n  timeslice 0\n  cpus 2\n}", ["2:8 'cpus' must be between 1 and 64", "3:10 'memory' must be at least one page (4096 bytes)", "4:13 'timeslice' must be at least 1 cycle", "5:3 'cpus' is given twice"]],
  ["machine a {\n  cpus 4KiB\n  colour 3\n}", ["2:8 expected a CPU count, not a size", "3:3 expected a machine property ('cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model' or 'mpu_regions'), found 'colour'"]],
  ["machine a {}\nmachine b {}\nprocess p {\n}", ["3:9 process 'p' must say which machine it runs on: there are 2 machines (add 'on a')"]],
  ["machine a {}\nprocess p on b {\n}", ["2:14 undefined machine 'b'"]],
  ["machine a {}\nprocess a {\n}", ["2:9 duplicate name 'a'"]],
  ["process p {\n}\nprocess p {\n}", ["3:9 duplicate name 'p'"]],
  ["process p on p {\n}", ["1:14 'p' is a process, not a machine"]],
  ["process p {\n  pmo x size 0\n  pmo y size 4KiB at 0x1001\n  pmo z size 4KiB at 0x8000_0000_0000\n  pmo x size 1\n}", ["2:14 a PMO's size must be at least 1 byte", "3:22 warning: the mapping address is not page-aligned; the kernel rounds it down to 0x1000", "4:22 the mapping address must lie below KBASE (0x8000_0000_0000)", "5:7 duplicate name 'x' in process 'p'"]],
  ["process p {\n  thread t priority 0 cpu 1 {\n  }\n  thread u priority 255 priority 3 runs r\n  routine r() {\n  }\n}", ["2:21 priority 0 is out of range: it must be between 1 and 255", "2:27 cpu 1 is out of range: machine 'default' has 1 CPU (0..0)", "4:25 'priority' is given twice"]],
  ["machine m {\n  cpus 2\n}\nprocess p {\n  thread t cpu 1 {\n  }\n  thread u cpu 2 {\n  }\n}", ["7:16 cpu 2 is out of range: machine 'm' has 2 CPUs (0..1)"]],
  ["process p {\n  thread a register\n  thread b shadow\n  thread c\n  thread d runs nope\n  thread e runs a\n  routine ok() {\n  }\n}", ["2:10 register thread 'a' needs a routine: add 'runs <routine>' or a block", "3:10 shadow thread 'b' needs a routine: add 'runs <routine>' or a block", "4:10 thread 'c' has no code: give it a block or 'runs <routine>'", "5:17 undefined routine 'nope' in process 'p'", "6:17 'runs' must name a routine, but 'a' is a thread"]],
  ["process p {\n  routine r(a, b, c, d, e) {\n  }\n  routine s(a, a) {\n  }\n}", ["2:25 a routine has at most 4 parameters (they arrive in arg0..arg3)", "4:16 duplicate parameter 'a'"]],
  ["process p {\n  cap c = q.t\n  cap d = q\n  cap e = q.nope\n  cap f = nope\n  cap g = q.r\n  thread t {\n    print c, d\n  }\n}\nprocess q {\n  thread t {\n  }\n  routine r() {\n  }\n}", ["4:13 process 'q' has no object 'nope'", "5:11 undefined name 'nope'", "6:11 a 'cap' names an object ('process.object') or a process, but 'r' is a routine"]],
  ["process p {\n  thread t {\n    ipc_call(3)\n  }\n  thread t {\n  }\n}", ["5:10 duplicate name 't' in process 'p'"]],
  ["process p badge -1 {\n}", ["1:17 expected a badge number; negative values are not allowed here"]],
  ["thread t {\n}\nprocess p {\n  let x = 1\n}", ["1:1 expected 'machine', 'process', 'link', 'fault' or 'scenario', found 'thread' ('thread' declarations go inside a process)", "4:3 expected 'pmo', 'thread', 'routine' or 'cap', found 'let' (statements go inside a thread or a routine)"]],
  ["proces p {\n}\nprocess q {\n  thred t {\n  }\n  thread u {\n    epxect 1 == 1\n  }\n}", ["1:1 expected 'machine', 'process', 'link', 'fault' or 'scenario', found 'proces'; did you mean 'process'?", "4:3 expected 'pmo', 'thread', 'routine' or 'cap', found 'thred'; did you mean 'thread'?", "7:5 unknown statement 'epxect'; did you mean 'expect'?"]],
];

describe('checker: statements', () => {
  it.each(STATEMENT_CASES)('%j', (source, expected) => {
    expect(checkDiagnostics(inThread(source))).toEqual(expected);
  });
});

describe('checker: declarations', () => {
  it.each(DECLARATION_CASES)('%j', (source, expected) => {
    expect(checkDiagnostics(source)).toEqual(expected);
  });
});

describe('checker: diagnostic details', () => {
  const find = (text: string, fragment: string) => {
    const found = analyze(text, 't.kscn').diagnostics.find((d) => d.message.includes(fragment));
    if (found === undefined) throw new Error(`no diagnostic with '${fragment}'`);
    return found;
  };

  it('unknown syscalls carry the suggestion for a quick fix, with the exact range of the name', () => {
    const d = find(inThread('let r = ipc_cal(1)'), 'unknown syscall');
    expect(d.data).toEqual({ suggestion: 'ipc_call' });
    expect(d.code).toBe('unknown-call');
    expect([d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column]).toEqual([3, 13, 3, 20]);
  });

  it('undefined names offer a suggestion and a declaration to create', () => {
    expect(find(inThread('print shn'), 'undefined name').data).toEqual({ suggestion: 'shm', declareMissing: { kind: 'local', name: 'shn' } });
    expect(find('process p {\n  thread t runs go\n}', 'undefined routine').data).toEqual({ declareMissing: { kind: 'routine', name: 'go' } });
  });

  it('duplicates point at the first declaration', () => {
    const d = find('process p {\n  pmo x size 1\n  pmo x size 2\n}', 'duplicate name');
    expect(d.related?.[0]?.range.start).toMatchObject({ line: 2, column: 7 });
    expect(d.related?.[0]?.message).toBe("'x' is first declared here");
  });

  it('exclusive arguments point at the argument they clash with', () => {
    const d = find(inThread('ipc_call(3, data: [1], msg: 0x1000)'), 'cannot be given together');
    expect(d.related?.[0]?.range.start).toMatchObject({ line: 3, column: 17 });
  });

  it('missing arguments list the parameter names in data', () => {
    expect(find(inThread('ipc_call(data: [1])'), 'missing').data).toEqual({ missingArguments: ['conn'] });
  });

  it('kind mismatches say what was expected and found', () => {
    expect(find(inThread('ipc_call(handler)'), 'expected a connection').data).toEqual({ expected: 'connection', found: 'thread' });
  });

  it('the echo example has no diagnostics at all', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../examples/echo.kscn', import.meta.url), 'utf8');
    expect(analyze(text, 'echo.kscn').diagnostics).toEqual([]);
  });
});

describe('checker: every table entry is checkable', () => {
  // The Mach, XNU and Tock families add entries to the tables; each must check with a plausible
  // value per parameter kind, and a kind without a rule is checked as an integer.
  const VALUE_BY_KIND: Record<string, string> = {
    capability: 'shm',
    thread: 'handler',
    pmo: 'shm',
    connection: '3',
    process: 'other',
    target: 'other.t',
    routine: 'serve',
    address: '0x1000',
    integer: '1',
    data: '[1, "x"]',
    capabilities: '[shm]',
    object: 'other.t',
    machine: 'default',
    port: '0x103',
    bytes: '"x"',
  };
  const { SYSCALLS, BUILTINS } = tables;
  const call = (spec: { name: string; params: readonly { name: string; kind: string; optional?: boolean }[] }) =>
    `${spec.name}(${spec.params.filter((p) => p.optional !== true).map((p) => `${p.name}: ${VALUE_BY_KIND[p.kind] ?? '1'}`).join(', ')})`;

  it.each(SYSCALLS.map((s) => [s.name, s] as const))('syscall %s', (_name, spec) => {
    expect(checkDiagnostics(inThread(`let r = ${call(spec)}`))).toEqual([]);
  });

  it.each(BUILTINS.map((b) => [b.name, b] as const))('builtin %s', (_name, spec) => {
    expect(checkDiagnostics(inThread(spec.form === 'function' ? `let x = ${call(spec)}` : call(spec)))).toEqual([]);
  });

  it.each(SYSCALLS.map((s) => [s.name, s] as const))('fault on %s', (_name, spec) => {
    // A kernel name can be written when it is a plain name (not `Syscall::Command`).
    const byKernelName = /^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.kernelName) ? `fault on ${spec.kernelName} by p.main count 2 kill p\n` : '';
    expect(checkDiagnostics(`${inThread('yield()')}fault on ${spec.name} kill other\n${byKernelName}`)).toEqual([]);
  });
});
