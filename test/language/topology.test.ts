// The kernel parts of the language: machine properties for XNU and Tock, `link` and `fault`
// declarations, `tock` processes and `kernel` threads. Data-driven: each snippet with the exact
// diagnostics it must produce, and the exact IR each construct lowers to.

import { describe, expect, it } from 'vitest';
import { analyze, compile, formatDocument, parse, type Diagnostic } from '../../language/core/index';
import type { ScenarioProgram } from '../../kernel/program';
import { checkDiagnostics, parseDiagnostics } from './helpers';

/** Two machines and two processes; the snippet follows on line 14. */
const WORLD = `machine a {
  cpus 2
}
machine b {
}
process server on a {
  pmo shm size 4KiB
  thread main {
    yield()
  }
}
process client on b {
  thread main runs go
  routine go() {
    yield()
  }
}
`;
const FIRST_LINE = WORLD.split('\n').length;

function program(text: string): ScenarioProgram {
  const result = compile(text, 'topology.kscn');
  const errors = result.diagnostics.filter((d: Diagnostic) => d.severity === 'error');
  if (errors.length > 0 || result.program === undefined) throw new Error(errors.map((e) => `${e.range.start.line}:${e.range.start.column} ${e.message}`).join('\n'));
  return result.program;
}

/** Strips locations so expectations stay readable. */
function bare<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'loc' ? undefined : v)));
}

// [snippet appended to WORLD (its first line is FIRST_LINE), expected diagnostics with line numbers relative to the snippet]
const TOP_LEVEL_CASES: [string, string[]][] = [
  ['link a <-> b', []],
  ['link a <-> b latency 500\nfault at 10 link a <-> b down', []],
  ['link a <-> c', ["1:12 undefined machine 'c'"]],
  ['link a <-> bb', ["1:12 undefined machine 'bb'; did you mean 'b'?"]],
  ['link a <-> server', ["1:12 'server' is a process, not a machine"]],
  ['link a <-> a', ["1:12 a link joins two different machines, but both ends are 'a'"]],
  ['link a <-> b\nlink b <-> a', ["2:1 machines 'b' and 'a' are already linked"]],
  ['link a <-> b latency 0', ["1:22 'latency' must be at least 1 cycle"]],
  ['link a <-> b latency 4KiB', ["1:22 expected a latency in cycles, not a size"]],
  ['link a b', ["1:8 expected '<->' between the two machines, found 'b'"]],
  ['link a <->', ["1:11 expected a machine name after '<->', found end of file"]],
  ['link a <-> b speed 3', ["1:14 expected end of line, found 'speed'"]],
  ['fault at 10_000 kill server.main', []],
  ['fault at 10 kill server.mian', ["1:25 process 'server' has no object 'mian'; did you mean 'main'?"]],
  ['fault at 10 kill server.shm', ["1:18 expected a thread or a process after 'kill', found PMO 'server.shm'"]],
  ['fault at 10 kill client.go', ["1:18 expected a thread or a process after 'kill', found routine 'client.go'"]],
  ['fault at 10 kill a', ["1:18 expected a thread or a process after 'kill', found machine 'a'"]],
  ['fault at 10 kill main', ["1:18 undefined process 'main'; name a thread with its process, such as 'server.main'"]],
  ['fault at 10 kill servr', ["1:18 undefined process 'servr'; did you mean 'server'?"]],
  ['fault at 10 kill nobody.main', ["1:18 undefined process 'nobody'"]],
  ['fault at 5KiB kill server', ['1:10 expected a time in cycles, not a size']],
  ['fault at -5 kill server', ['1:10 expected a time in cycles; negative values are not allowed here']],
  ['fault on ipc_call kill server', []],
  ['fault on sys_ipc_call by client.main count 2 kill client', []],
  ['fault on ipc_cal kill server', ["1:10 unknown syscall 'ipc_cal'; did you mean 'ipc_call'?"]],
  ['fault on sys_ipc_cal kill server', ["1:10 unknown syscall 'sys_ipc_cal'; did you mean 'sys_ipc_call'?"]],
  ['fault on frobnicate kill server', ["1:10 unknown syscall 'frobnicate'"]],
  ['fault on load32 kill server', ["1:10 'load32' is a builtin, not a syscall: it runs in user mode and never enters the kernel, so no fault can trigger on it"]],
  ['fault on yield by server.shm kill server', ["1:19 expected a thread or a process after 'by', found PMO 'server.shm'"]],
  ['fault on yield by a kill server', ["1:19 expected a thread or a process after 'by', found machine 'a'"]],
  ['fault on yield count 0 kill server', ["1:22 'count' must be at least 1"]],
  ['fault on yield count 1 count 2 kill server', ["1:24 'count' is given twice"]],
  ['fault on yield by server by client kill server', ["1:26 'by' is given twice"]],
  ['fault on kill kill server', []],
  ['fault on yield', ["1:15 expected a fault action ('kill', 'link', 'crash' or 'drop'), found end of file"]],
  ['fault on yield explode server', ["1:16 expected a fault action ('kill', 'link', 'crash' or 'drop'), found 'explode'"]],
  ['fault on yield kil server', ["1:16 expected a fault action ('kill', 'link', 'crash' or 'drop'), found 'kil'; did you mean 'kill'?"]],
  ['fault when 5 kill server', ["1:7 expected 'at TIME' or 'on SYSCALL' after 'fault', found 'when'"]],
  ['fault an 5 kill server', ["1:7 expected 'at TIME' or 'on SYSCALL' after 'fault', found 'an'; did you mean 'at'?"]],
  ['fault at 5 link a <-> b down', ["1:17 no link 'a <-> b' is declared (add 'link a <-> b')"]],
  ['link a <-> b\nfault at 5 link b <-> a up', []],
  ['link a <-> b\nfault at 5 link a <-> b sideways', ["2:25 expected 'down' or 'up' after the link, found 'sideways'"]],
  ['link a <-> b\nfault at 5 link a <-> b dwn', ["2:25 expected 'down' or 'up' after the link, found 'dwn'; did you mean 'down'?"]],
  ['link a <-> b\nfault at 5 link a <-> c down', ["2:23 undefined machine 'c'"]],
  ['link a <-> b\nfault at 5 drop b <-> b', ["2:17 a link joins two different machines, but both ends are 'b'"]],
  ['link a <-> b\nfault at 5 drop a <-> b count 0', ["2:31 'count' must be at least 1"]],
  ['fault at 5 crash a restart after 100', []],
  ['fault at 5 crash c', ["1:18 undefined machine 'c'"]],
  ['fault at 5 crash server', ["1:18 'server' is a process, not a machine"]],
  ['fault at 5 crash a restart 100', ["1:28 expected 'after' after 'restart', found '100'"]],
  ['fault at 5 crash a restart after', ['1:33 expected a delay in cycles, found end of file']],
];

const MACHINE_CASES: [string, string[]][] = [
  ['machine m {\n  nodes 64\n  byte_order big\n  data_model ilp32\n  mpu_regions 8\n}', []],
  ['machine m {\n  nodes 1\n  mpu_regions 0\n}', ["2:9 'nodes' must be between 2 and 1024", "3:15 'mpu_regions' must be between 1 and 16"]],
  ['machine m {\n  nodes 1025\n  mpu_regions 17\n}', ["2:9 'nodes' must be between 2 and 1024", "3:15 'mpu_regions' must be between 1 and 16"]],
  ['machine m {\n  nodes 2\n  nodes 4\n}', ["3:3 'nodes' is given twice"]],
  ['machine m {\n  nodes 4KiB\n}', ['2:9 expected a node-table size, not a size']],
  ['machine m {\n  byte_order litle\n  data_model lp46\n}', ["2:14 'byte_order' must be 'little' or 'big', not 'litle'; did you mean 'little'?", "3:14 'data_model' must be 'lp64' or 'ilp32', not 'lp46'; did you mean 'lp64'?"]],
  ['machine m {\n  byte_order 1\n  data_model\n}', ["2:14 expected 'little' or 'big' after 'byte_order', found '1'", "3:13 expected 'lp64' or 'ilp32' after 'data_model', found end of line"]],
  ['machine m {\n  byte_order big\n  byte_order little\n}', ["3:3 'byte_order' is given twice"]],
  ['machine m {\n  mpu_regoins 3\n}', ["2:3 expected a machine property ('cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model' or 'mpu_regions'), found 'mpu_regoins'; did you mean 'mpu_regions'?"]],
];

const PROCESS_CASES: [string, string[]][] = [
  ['process blink tock {\n  thread main {\n    yield()\n  }\n}', []],
  ['machine board {\n}\nprocess blink on board badge 3 tock {\n}', []],
  ['process blink tock on default {\n}', []],
  ['process blink tock tock {\n}', ["1:20 'tock' is given twice"]],
  ['process p {\n  thread listener kernel runs serve\n  thread other kernel {\n    yield()\n  }\n  routine serve() {\n  }\n}', []],
  ['process p {\n  thread listener kernel\n}', ["2:10 kernel thread 'listener' has no code: give it a block or 'runs <routine>'"]],
  ['process p {\n  thread t user kernel {\n  }\n}', ['2:17 the thread type is given twice']],
  ['process p {\n  thread t priority 3 kernel {\n  }\n}', ['2:23 the thread type comes right after the thread name']],
];

/** The new words are names everywhere but where a header or a fault clause expects them. */
const CONTEXTUAL_CASES: [string, string[]][] = [
  [
    'process p {\n  thread t {\n    let count = 1\n    count = count + 1\n    let link = 2\n    let fault = link\n    let up = 1\n    let down = up\n    let kernel = 1\n    let tock = kernel\n' +
      '    let nodes = 2\n    let latency = nodes\n    let after = 1\n    let big = after\n    let by = big\n    let drop = by\n    let crash = drop\n    let restart = crash\n' +
      '    print count, fault, down, tock, latency, restart\n    kill(target: p)\n  }\n  routine link(count, up, down) {\n  }\n}\n' +
      'process fault {\n  thread kill runs tock\n  routine tock() {\n    yield()\n  }\n}\nfault at 1 kill fault.kill',
    [],
  ],
  // A missing brace ends at a `link` or `fault` declaration, as at `process`.
  ['process p {\n  thread t {\n    yield()\nlink x <-> y\nfault at 1 kill p', ["3:12 expected '}' to close the block", "3:12 expected '}' to close process 'p'", "4:6 undefined machine 'x'", "4:12 undefined machine 'y'"]],
  ['process p {\n  thread t {\n    yield()\n  }\nfault on yield kill p', ["4:4 expected '}' to close process 'p'"]],
];

const lined = (diagnostics: string[]): string[] =>
  diagnostics.map((d) => d.replace(/^(\d+):/, (_m, line: string) => `${Number(line) + FIRST_LINE - 1}:`));

describe('checker: links and faults', () => {
  it.each(TOP_LEVEL_CASES)('%j', (snippet, expected) => {
    expect(checkDiagnostics(WORLD + snippet)).toEqual(lined(expected));
  });
});

describe('checker: machine properties', () => {
  it.each(MACHINE_CASES)('%j', (source, expected) => {
    expect(checkDiagnostics(source)).toEqual(expected);
  });
});

describe('checker: tock processes and kernel threads', () => {
  it.each(PROCESS_CASES)('%j', (source, expected) => {
    expect(checkDiagnostics(source)).toEqual(expected);
  });
});

describe('contextual words', () => {
  it.each(CONTEXTUAL_CASES)('%j', (source, expected) => {
    expect(checkDiagnostics(source)).toEqual(expected);
  });

  it('`<->` is one token that no expression accepts', () => {
    expect(parseDiagnostics('process p {\n  thread t {\n    let x = 1 <-> 2\n  }\n}')).toEqual(["3:15 expected end of line, found '<->'"]);
    // `a <-b` is still a comparison with a negation.
    expect(checkDiagnostics('process p {\n  thread t {\n    let a = 1\n    expect a <-b\n  }\n}')).toEqual(["4:16 undefined name 'b'"]);
  });
});

describe('checker: diagnostic details of the new constructs', () => {
  const find = (text: string, fragment: string): Diagnostic => {
    const found = analyze(text, 't.kscn').diagnostics.find((d) => d.message.includes(fragment));
    if (found === undefined) throw new Error(`no diagnostic with '${fragment}'`);
    return found;
  };
  const span = (d: Diagnostic) => [d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column];

  it('an unknown fault syscall has a code, a suggestion and the exact range of the name', () => {
    const d = find(`${WORLD}fault on ipc_cal kill server`, 'unknown syscall');
    expect([d.code, d.data, span(d)]).toEqual(['unknown-call', { suggestion: 'ipc_call' }, [FIRST_LINE, 10, FIRST_LINE, 17]]);
  });

  it('a duplicate link points at the first one', () => {
    const d = find(`${WORLD}link a <-> b\nlink b <-> a latency 3`, 'already linked');
    expect(d.code).toBe('duplicate-link');
    expect(d.related?.[0]?.range.start).toMatchObject({ line: FIRST_LINE, column: 1 });
    expect(span(d)).toEqual([FIRST_LINE + 1, 1, FIRST_LINE + 1, 23]);
  });

  it('a link that is not declared offers to declare it', () => {
    const d = find(`${WORLD}fault at 5 drop b <-> a`, 'no link');
    expect([d.code, d.data, span(d)]).toEqual(['undefined-name', { declareMissing: { kind: 'link', name: 'b <-> a' } }, [FIRST_LINE, 17, FIRST_LINE, 24]]);
  });

  it('undefined machines and misspelt values carry suggestions', () => {
    expect(find(`${WORLD}link a <-> bb`, 'undefined machine').data).toEqual({ suggestion: 'b' });
    expect(find(`${WORLD}fault at 1 crash q`, 'undefined machine').data).toEqual({ declareMissing: { kind: 'machine', name: 'q' } });
    const value = find('machine m {\n  byte_order bigg\n}', 'must be');
    expect([value.code, value.data]).toEqual(['invalid-value', { suggestion: 'big' }]);
  });

  it('every range of a fault diagnostic lies on its line', () => {
    const text = `${WORLD}fault on ipc_cal by server.shm count 0 kill nobody.x`;
    const diagnostics = analyze(text, 't.kscn').diagnostics;
    expect(diagnostics.map((d) => d.message)).toEqual([
      "unknown syscall 'ipc_cal'; did you mean 'ipc_call'?",
      "expected a thread or a process after 'by', found PMO 'server.shm'",
      "'count' must be at least 1",
      "undefined process 'nobody'",
    ]);
    for (const d of diagnostics) expect(d.range.start.line).toBe(FIRST_LINE);
  });
});

describe('lowering: machines, links, faults, tock processes, kernel threads', () => {
  it('lowers machine properties, with the defaults for those not given', () => {
    const p = program('machine m {\n  nodes 64\n  byte_order big\n  data_model ilp32\n  mpu_regions 8\n}\nmachine n {\n  byte_order little\n  data_model lp64\n}');
    expect(bare(p.machines)).toEqual([
      { name: 'm', cpus: 1, memoryBytes: 64 * 1024 * 1024, timeslice: 10_000, nodeTableSize: 64, byteOrder: 2, dataModel: 1, mpuRegions: 8 },
      { name: 'n', cpus: 1, memoryBytes: 64 * 1024 * 1024, timeslice: 10_000, nodeTableSize: 2, byteOrder: 1, dataModel: 2, mpuRegions: 6 },
    ]);
  });

  it('lowers links to machine indices, with the default latency', () => {
    const p = program('machine a {\n}\nmachine b {\n}\nmachine c {\n}\nlink a <-> b\nlink c <-> a latency 250');
    expect(bare(p.links)).toEqual([
      { a: 0, b: 1, latency: 1000 },
      { a: 2, b: 0, latency: 250 },
    ]);
    expect(p.links[1]!.loc).toEqual({ file: 'topology.kscn', line: 8, column: 1, endLine: 8, endColumn: 25 });
  });

  it('lowers every trigger and action', () => {
    const p = program(`${WORLD}link a <-> b latency 500
fault at 10_000 kill server.main
fault on ipc_call by client.main count 2 kill client
fault on sys_yield by server link b <-> a down
fault at 5000 link a <-> b up
fault at 7000 crash a restart after 2000
fault on yield drop a <-> b count 3
fault at 0x10 crash b
fault on kill drop b <-> a`);
    const serverMain = p.objects.findIndex((o) => o.name === 'main' && o.owner === 0);
    const clientMain = p.objects.findIndex((o) => o.name === 'main' && o.owner === 1);
    expect([serverMain, clientMain]).toEqual([1, 2]);
    expect(bare(p.faults)).toEqual([
      { trigger: { kind: 'time', time: 10_000 }, action: { kind: 'kill-thread', object: serverMain } },
      { trigger: { kind: 'syscall', syscall: 'ipc_call', thread: clientMain, process: -1, count: 2 }, action: { kind: 'kill-process', process: 1 } },
      // Kernel names lower to the scenario name.
      { trigger: { kind: 'syscall', syscall: 'yield', thread: -1, process: 0, count: 1 }, action: { kind: 'link-down', link: 0 } },
      { trigger: { kind: 'time', time: 5000 }, action: { kind: 'link-up', link: 0 } },
      { trigger: { kind: 'time', time: 7000 }, action: { kind: 'crash-machine', machine: 0, restartAfter: 2000 } },
      { trigger: { kind: 'syscall', syscall: 'yield', thread: -1, process: -1, count: 1 }, action: { kind: 'drop-messages', link: 0, count: 3 } },
      { trigger: { kind: 'time', time: 16 }, action: { kind: 'crash-machine', machine: 1, restartAfter: -1 } },
      { trigger: { kind: 'syscall', syscall: 'kill', thread: -1, process: -1, count: 1 }, action: { kind: 'drop-messages', link: 0, count: 1 } },
    ]);
    expect(p.faults[0]!.loc).toEqual({ file: 'topology.kscn', line: FIRST_LINE + 1, column: 1, endLine: FIRST_LINE + 1, endColumn: 33 });
  });

  it('names the implicit machine `default` in faults', () => {
    const p = program('process p {\n  thread t {\n    yield()\n  }\n}\nfault at 100 crash default restart after 0');
    expect(bare(p.faults)).toEqual([{ trigger: { kind: 'time', time: 100 }, action: { kind: 'crash-machine', machine: 0, restartAfter: 0 } }]);
  });

  it('lowers tock processes and kernel threads', () => {
    const p = program('process blink tock {\n  thread main {\n    yield()\n  }\n}\nprocess kern badge 4 {\n  thread listener kernel priority 30 runs serve\n  routine serve() {\n    yield()\n  }\n}');
    expect(p.processes.map((x) => [x.name, x.tock, x.badge])).toEqual([['blink', true, 1], ['kern', false, 4]]);
    expect(bare(p.objects[1])).toEqual({ kind: 'thread', name: 'listener', owner: 1, type: 'kernel', priority: 30, cpu: -1, routine: 1 });
    const symbols = analyze('process blink tock {\n  thread l kernel runs r\n  routine r() {\n  }\n}\n', 'd.kscn').symbols;
    expect(symbols.declarations.filter((d) => d.kind === 'process' || d.kind === 'thread').map((d) => d.detail)).toEqual([
      'process blink on default, badge 1, tock',
      'thread l (kernel, priority 10) runs r (boot slot 2)',
    ]);
  });
});

describe('syntax tree and symbols of the new constructs', () => {
  const text = `${WORLD}link a <-> b latency 500\nfault on ipc_call by client.main kill server.main\nfault at 1 crash a restart after 5\n`;
  const analysis = analyze(text, 't.kscn');
  const offsetOf = (needle: string, from = 0) => text.indexOf(needle, from) ;

  it('keeps links and faults apart from machines and processes, with a range on every piece', () => {
    const ast = parse(text, 't.kscn').ast;
    expect(ast.items.map((i) => i.kind)).toEqual(['machine', 'machine', 'process', 'process']);
    expect(ast.links).toHaveLength(1);
    expect(ast.faults.map((f) => [f.trigger.kind, f.action.kind])).toEqual([['syscallTrigger', 'killAction'], ['timeTrigger', 'crashAction']]);
    const slice = (r: { start: { offset: number }; end: { offset: number } }) => text.slice(r.start.offset, r.end.offset);
    const link = ast.links[0]!;
    expect([slice(link.range), slice(link.a.range), slice(link.b.range), slice(link.latency!.range)]).toEqual(['link a <-> b latency 500', 'a', 'b', '500']);
    const [first, second] = ast.faults;
    if (first!.trigger.kind !== 'syscallTrigger' || first!.action.kind !== 'killAction') throw new Error('unexpected shapes');
    expect([slice(first!.range), slice(first!.trigger.range), slice(first!.trigger.syscall.range), slice(first!.trigger.by!.range), slice(first!.action.range)]).toEqual([
      'fault on ipc_call by client.main kill server.main',
      'on ipc_call by client.main',
      'ipc_call',
      'client.main',
      'kill server.main',
    ]);
    if (second!.action.kind !== 'crashAction') throw new Error('unexpected shape');
    expect([slice(second!.action.range), slice(second!.action.machine.range), slice(second!.action.restartAfter!.range)]).toEqual(['crash a restart after 5', 'a', '5']);
  });

  it('resolves machine, process and thread names in links and faults (go to definition, references, rename)', () => {
    const linkLine = offsetOf('link a <-> b');
    expect(analysis.symbols.declarationAt(linkLine + 5)).toMatchObject({ name: 'a', kind: 'machine' });
    expect(analysis.symbols.declarationAt(linkLine + 11)).toMatchObject({ name: 'b', kind: 'machine' });
    const fault = offsetOf('fault on ipc_call');
    expect(analysis.symbols.declarationAt(fault + 'fault on ipc_call by '.length)).toMatchObject({ name: 'client', kind: 'process' });
    expect(analysis.symbols.declarationAt(fault + 'fault on ipc_call by client.'.length)).toMatchObject({ name: 'main', kind: 'thread', container: 'client' });
    expect(analysis.symbols.declarationAt(fault + 'fault on ipc_call by client.main kill server.'.length)).toMatchObject({ name: 'main', kind: 'thread', container: 'server' });
    const machineA = analysis.symbols.declarations.find((d) => d.kind === 'machine' && d.name === 'a')!;
    const lines = analysis.symbols.referencesOf(machineA, true).map((r) => r.start.line);
    expect(lines).toEqual([1, 6, FIRST_LINE, FIRST_LINE + 2]);
  });
});

describe('formatting the new constructs', () => {
  it('spaces links, faults and headers and is idempotent', () => {
    const input = 'machine m{\nnodes 8\nbyte_order   big\n}\nlink m<->n   latency 5\nfault on ipc_call by  c.main count 2   kill c\nfault at 1_000 link m <->n down\nprocess p tock{\nthread l kernel runs r\n}\n';
    const output = 'machine m {\n  nodes 8\n  byte_order big\n}\nlink m <-> n latency 5\nfault on ipc_call by c.main count 2 kill c\nfault at 1_000 link m <-> n down\nprocess p tock {\n  thread l kernel runs r\n}\n';
    expect(formatDocument(input)).toBe(output);
    expect(formatDocument(output)).toBe(output);
  });
});
