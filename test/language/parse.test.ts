// Parser tests: the tree's shape and ranges, syntax errors with positions, and recovery (later
// errors are still found after an earlier one).

import { describe, expect, it } from 'vitest';
import { lex, LineIndex, parse, type CallStatement, type LetStatement, type ThreadNode } from '../../language/core/index';
import { parseDiagnostics } from './helpers';

describe('lexer', () => {
  const kinds = (text: string) => lex(text, new LineIndex(text)).tokens.map((t) => `${t.kind}:${t.text}`);
  const values = (text: string) => lex(text, new LineIndex(text)).tokens.filter((t) => t.value !== undefined).map((t) => t.value);

  it('reads numbers in every base, with separators and units', () => {
    expect(values('42 0x2a 0b101010 10_000 0x4000_0000 4KiB 16MiB 1GiB')).toEqual([
      42, 42, 42, 10000, 0x4000_0000, 4096, 16 * 1024 * 1024, 1024 ** 3,
    ]);
  });

  it('keeps reserved words apart from header words, which are names', () => {
    expect(kinds('let badge = size')).toEqual(['keyword:let', 'name:badge', 'punct:=', 'name:size', 'eof:']);
  });

  it('decodes string escapes to bytes, UTF-8 for other characters', () => {
    const token = lex('"a\\n\\t\\\\\\"\\0\\x41é"', new LineIndex('')).tokens[0]!;
    expect([...token.bytes!]).toEqual([97, 10, 9, 92, 34, 0, 0x41, 0xc3, 0xa9]);
  });

  it('keeps comments aside and makes newlines tokens', () => {
    const text = 'let x = 1 # one\n// two\nx = 2';
    const result = lex(text, new LineIndex(text));
    expect(result.comments.map((c) => c.text)).toEqual(['# one', '// two']);
    expect(result.tokens.filter((t) => t.kind === 'newline')).toHaveLength(2);
  });

  it('converts line/column back to offsets, clamped to the line', () => {
    const text = 'ab\r\ncd\nef';
    const index = new LineIndex(text);
    expect([index.offsetAt(1, 1), index.offsetAt(1, 3), index.offsetAt(1, 99), index.offsetAt(2, 99), index.offsetAt(3, 99), index.offsetAt(9, 1)]).toEqual([0, 2, 2, 6, 9, 9]);
  });

  it('treats \\r\\n and lone \\r as line breaks, consistently with positions', () => {
    const text = 'a\r\nb\rc';
    const index = new LineIndex(text);
    expect(index.position(text.indexOf('c'))).toMatchObject({ line: 3, column: 1 });
    expect(lex(text, index).tokens.filter((t) => t.kind === 'newline')).toHaveLength(2);
  });
});

const SYNTAX_CASES: [string, string[]][] = [
  ['process p {\n  thread t {\n    let x = (1 +\n    let y = 2\n  }\n}', ["3:17 expected ')' to close the parenthesis"]],
  ['process p {\n  thread t {\n    let y = foo(1, 2\n    expect y == 1\n  }\n}', ["3:21 expected ')' to close the argument list"]],
  ['process p {\n  thread t {\n    expect\n    let = 3\n  }\n}', ['3:11 expected an expression, found end of line', "4:9 expected a name after 'let', found '='"]],
  ['process p {\n  thread t {\n    print "unterminated\n    let z = 0xZZ + 12abc + 4KB\n  }\n}', [
    '3:11 unterminated string', '4:13 hexadecimal literal has no digits', "4:20 invalid number '12abc'", "4:29 unknown size unit 'KB'; did you mean 'KiB'?",
  ]],
  ['process p {\n  thread t {\n    let s = "\\q"\n    yield();\n  }\n}', [
    "3:14 unknown escape '\\q' (use \\n, \\t, \\\\, \\\", \\0 or \\xNN)", "4:12 unexpected character ';' (statements end at the end of the line)",
  ]],
  ['process p {\n  thread t {\n    if 1 == 2 == 3 {\n    }\n  }\n}', ["3:15 comparisons cannot be chained; combine them with 'and'"]],
  ['process p {\n  thred t {\n  }\n  thread u {\n    epxect 1 == 1\n  }\n}', [
    "2:3 expected 'pmo', 'thread', 'routine' or 'cap', found 'thred'; did you mean 'thread'?",
    "5:5 unknown statement 'epxect'; did you mean 'expect'?",
  ]],
  ['process p {\n  thread t {\n    let a = 1\n}\nprocess q {\n}', ["4:2 expected '}' to close process 'p'"]],
  ['process p {\n  routine r(a, let) {\n  }\n  pmo x size\n  cap c =\n}\n}', [
    "2:16 expected a parameter name, found 'let'", '4:13 expected a size, found end of line',
    "5:10 expected a process or 'process.object' after '=', found end of line", "7:1 unmatched '}'",
  ]],
  ['scenario 42\nprocess p {\n}\nscenario "late"', ["1:10 expected a string after 'scenario', found '42'", "4:1 a file has at most one 'scenario' line"]],
  ['process p {\n  thread t {\n    else {\n    }\n  }\n}', ["3:5 'else' without 'if'"]],
  ['process p {\n  thread t {\n    let x = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1\n  }\n}', ['3:78 expression is nested too deeply']],
];

describe('parser: syntax errors and recovery', () => {
  it.each(SYNTAX_CASES)('%j', (source, expected) => {
    expect(parseDiagnostics(source)).toEqual(expected);
  });

  it('bounds the height of long operator chains', () => {
    const text = `process p {\n  thread t {\n    let x = ${Array.from({ length: 1000 }, () => '1').join(' + ')}\n  }\n}`;
    expect(parseDiagnostics(text)).toEqual(['3:13 expression is too long or too deeply nested']);
  });

  it('bounds block nesting', () => {
    const text = `process p {\n  thread t {\n${'if 1 {\n'.repeat(60)}${'}\n'.repeat(60)}  }\n}`;
    expect(parseDiagnostics(text).some((d) => d.includes('blocks are nested too deeply'))).toBe(true);
  });
});

describe('parser: tree', () => {
  const text = 'process client badge 7 {\n  thread main user priority 3 {\n    let conn = register_client(server: server.main, shm: shm)\n  }\n  thread reg register runs r\n}\n';
  const { ast, diagnostics } = parse(text, 'a.kscn');

  it('parses without errors', () => expect(diagnostics).toEqual([]));

  it('records headers, names and their ranges', () => {
    const process = ast.processes[0]!;
    expect(process.name.name).toBe('client');
    expect(process.badge).toMatchObject({ kind: 'number', value: 7 });
    const thread = process.items[0] as ThreadNode;
    expect(thread.type?.value).toBe('user');
    expect(thread.options.map((o) => [o.option, o.value.kind === 'number' ? o.value.value : NaN])).toEqual([['priority', 3]]);
    expect(thread.name.range).toMatchObject({ start: { line: 2, column: 10, offset: 34 }, end: { line: 2, column: 14 } });
    const reg = process.items[1] as ThreadNode;
    expect([reg.type?.value, reg.runs?.name]).toEqual(['register', 'r']);
  });

  it('parses calls with named arguments and qualified names', () => {
    const thread = ast.processes[0]!.items[0] as ThreadNode;
    const let_ = thread.body!.statements[0] as LetStatement;
    expect(let_.value.kind).toBe('call');
    if (let_.value.kind !== 'call') return;
    expect(let_.value.args.map((a) => a.name?.name)).toEqual(['server', 'shm']);
    expect(let_.value.args[0]!.value).toMatchObject({ kind: 'name', head: { name: 'server' }, member: { name: 'main' } });
    expect(let_.range.start).toMatchObject({ line: 3, column: 5 });
    expect(let_.range.end).toMatchObject({ line: 3, column: 62 });
  });

  it('lets calls span lines inside parentheses, and else follow on the next line', () => {
    const source = 'process p {\n  thread t {\n    ipc_call(\n      3,\n      data: [1,\n        2],\n    )\n    if 1 {\n    }\n    else {\n    }\n  }\n}\n';
    const result = parse(source, 'b.kscn');
    expect(result.diagnostics).toEqual([]);
    const statements = (result.ast.processes[0]!.items[0] as ThreadNode).body!.statements;
    expect(statements.map((s) => s.kind)).toEqual(['call', 'if']);
    expect((statements[0] as CallStatement).call.args).toHaveLength(2);
  });

  it('allows one-line blocks', () => {
    expect(parse('process p {\n  thread t { repeat 3 { if 1 { break } } }\n}', 'c.kscn').diagnostics).toEqual([]);
  });
});
