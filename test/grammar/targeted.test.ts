// Targeted grammar assertions: each fails if one construct stops being coloured as intended.

import { describe, expect, it } from 'vitest';
import { scopesOf, tokenize } from './tokenize';

/** The innermost scope of each token covering `needle` (its first occurrence) in `source`. */
async function inner(source: string, needle: string, occurrence = 0): Promise<string[]> {
  return (await scopesOf(source, needle, occurrence)).map((s) => s[s.length - 1]!);
}

/** Every scope (not only the innermost) of the tokens covering `needle`. */
async function all(source: string, needle: string): Promise<string[][]> {
  return scopesOf(source, needle);
}

describe('numbers', () => {
  it('hex with separators is one numeric constant', async () => {
    expect(await inner('let a = 0x4000_0000\n', '0x4000_0000')).toEqual(['constant.numeric.integer.hexadecimal.kscn']);
  });

  it('decimal and binary with separators', async () => {
    expect(await inner('timeslice 10_000\n', '10_000')).toEqual(['constant.numeric.integer.decimal.kscn']);
    expect(await inner('badge 0b1010_1010\n', '0b1010_1010')).toEqual(['constant.numeric.integer.binary.kscn']);
    expect(await inner('let a = 0XFF + 0B1\n', '0XFF')).toEqual(['constant.numeric.integer.hexadecimal.kscn']);
  });

  it('sizes: the number, then the unit as keyword.other.unit', async () => {
    expect(await inner('pmo shm size 4KiB\n', '4KiB')).toEqual(['constant.numeric.integer.decimal.kscn', 'keyword.other.unit.kscn']);
    expect(await inner('memory 16MiB\n', '16MiB')).toEqual(['constant.numeric.integer.decimal.kscn', 'keyword.other.unit.kscn']);
    expect(await inner('memory 1GiB\n', '1GiB')).toEqual(['constant.numeric.integer.decimal.kscn', 'keyword.other.unit.kscn']);
    expect(await inner('pmo p size 0x10KiB\n', '0x10KiB')).toEqual(['constant.numeric.integer.hexadecimal.kscn', 'keyword.other.unit.kscn']);
  });

  it('malformed numbers are invalid, not half-coloured', async () => {
    for (const bad of ['4KB', '4kib', '0b102', '0x12g', '10_', '1.5']) {
      expect(await inner(`let a = ${bad}\n`, bad), bad).toEqual(['invalid.illegal.numeric.kscn']);
    }
  });

  it('a digit inside a name is not a number', async () => {
    expect(await inner('let a = load64(x1)\n', 'x1')).toEqual(['variable.other.readwrite.kscn']);
  });
});

describe('error codes and constants', () => {
  it('-EIPCRETRY gets the error scope, sign included', async () => {
    const scopes = await all('expect r == -EIPCRETRY\n', '-EIPCRETRY');
    expect(scopes.length).toBeGreaterThan(0);
    for (const s of scopes) expect(s).toContain('constant.language.error.chcore.kscn');
  });

  it('a binary minus stays an operator', async () => {
    expect(await inner('r = x - EINVAL\n', '-')).toEqual(['keyword.operator.arithmetic.kscn']);
    expect(await inner('r = x-EINVAL\n', '-')).toEqual(['keyword.operator.arithmetic.kscn']);
    expect(await inner('r = (x)-EINVAL\n', 'EINVAL')).toEqual(['constant.language.error.chcore.kscn']);
    expect(await inner('r = (x)-EINVAL\n', '-')).toEqual(['keyword.operator.arithmetic.kscn']);
  });

  it('Mach and Tock codes', async () => {
    expect(await inner('expect r == KERN_NODE_DOWN\n', 'KERN_NODE_DOWN')).toEqual(['constant.language.error.mach.kscn']);
    expect(await inner('expect r == MACH_SEND_TIMED_OUT\n', 'MACH_SEND_TIMED_OUT')).toEqual(['constant.language.error.mach.kscn']);
    expect(await inner('expect r == NODEVICE\n', 'NODEVICE')).toEqual(['constant.language.error.tock.kscn']);
  });

  it('thread and exit states', async () => {
    expect(await inner('expect thread_state(s.h) == TS_WAITING\n', 'TS_WAITING')).toEqual(['constant.language.thread-state.kscn']);
    expect(await inner('expect exit_state(s.h) == TE_EXITING\n', 'TE_EXITING')).toEqual(['constant.language.thread-state.kscn']);
  });

  it('names that only look like constants are not constants', async () => {
    expect(await inner('let a = EINVALX\n', 'EINVALX')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('let a = MY_FAIL\n', 'MY_FAIL')).toEqual(['variable.other.readwrite.kscn']);
  });

  it('booleans', async () => {
    expect(await inner('let a = [true, false]\n', 'true')).toEqual(['constant.language.boolean.true.kscn']);
    expect(await inner('let a = [true, false]\n', 'false')).toEqual(['constant.language.boolean.false.kscn']);
  });
});

describe('calls', () => {
  it('ipc_call is a syscall, msg_data a builtin, anything else a call', async () => {
    expect(await inner('let r = ipc_call(conn, data: [41])\n', 'ipc_call')).toEqual(['support.function.syscall.kscn']);
    expect(await inner('let x = msg_data(msg, 0)\n', 'msg_data')).toEqual(['support.function.builtin.kscn']);
    expect(await inner('let x = msg_data_len(msg)\n', 'msg_data_len')).toEqual(['support.function.builtin.kscn']);
    expect(await inner('let x = helper(1)\n', 'helper')).toEqual(['entity.name.function.call.kscn']);
  });

  it('a syscall name that is not called is an ordinary name', async () => {
    expect(await inner('let map = 1\n', 'map')).toEqual(['entity.name.variable.local.kscn']);
    expect(await inner('print now\n', 'now')).toEqual(['variable.other.readwrite.kscn']);
  });

  it('a prefix of a syscall name is not a syscall', async () => {
    expect(await inner('ipc_call_x(1)\n', 'ipc_call_x')).toEqual(['entity.name.function.call.kscn']);
  });

  it('keywords before a parenthesis are not calls', async () => {
    expect(await inner('if (x) {\n', 'if')).toEqual(['keyword.control.if.kscn']);
    expect(await inner('expect not(x)\n', 'not')).toEqual(['keyword.operator.logical.not.kscn']);
    expect(await inner('print(x)\n', 'print')).toEqual(['keyword.control.print.kscn']);
  });

  it('named argument labels, including ones that are keywords', async () => {
    const src = 'let p = pmo_create(size: 2MiB)\ncap_copy(cap: p, to: server)\nx = cap_object(process: server, slot: 4)\n';
    expect(await inner(src, 'size')).toEqual(['variable.parameter.label.kscn']);
    expect(await inner(src, ':')).toEqual(['punctuation.separator.label.kscn']);
    expect(await inner(src, 'cap:')).toEqual(['variable.parameter.label.kscn', 'punctuation.separator.label.kscn']);
    expect(await inner(src, 'process')).toEqual(['variable.parameter.label.kscn']);
  });

  it('arguments spanning lines keep their labels', async () => {
    const src = 'let r = ipc_call(conn,\n    data: [1, 2],\n    caps: [shm])\n';
    expect(await inner(src, 'data')).toEqual(['variable.parameter.label.kscn']);
    expect(await inner(src, 'caps')).toEqual(['variable.parameter.label.kscn']);
  });
});

describe('comments', () => {
  it('# and // comments run to the end of the line', async () => {
    expect(await inner('# hello ipc_call(1)\n', 'ipc_call')).toEqual(['comment.line.number-sign.kscn']);
    expect(await inner('// hello 0x10\n', '0x10')).toEqual(['comment.line.double-slash.kscn']);
    expect(await inner('cpus 1 # trailing\n', '#')).toEqual(['punctuation.definition.comment.kscn']);
    expect(await inner('cpus 1 // trailing\n', '//')).toEqual(['punctuation.definition.comment.kscn']);
  });

  it('// is a comment, / alone is division', async () => {
    expect(await inner('let a = 4 / 2\n', '/')).toEqual(['keyword.operator.arithmetic.kscn']);
  });

  it('comment characters inside strings are string text', async () => {
    expect(await inner('print "a # b // c"\n', '#')).toEqual(['string.quoted.double.kscn']);
    expect(await inner('print "a # b // c"\n', '//')).toEqual(['string.quoted.double.kscn']);
  });
});

describe('strings', () => {
  it('escapes', async () => {
    const src = 'print "\\n\\t\\\\\\"\\0\\x41"\n';
    const tokens = (await tokenize(src)).filter((t) => t.scopes.includes('constant.character.escape.kscn'));
    expect(tokens.map((t) => t.text)).toEqual(['\\n', '\\t', '\\\\', '\\"', '\\0', '\\x41']);
  });

  it('unknown escapes are invalid', async () => {
    expect(await inner('print "\\q"\n', '\\q')).toEqual(['invalid.illegal.escape.kscn']);
  });

  it('an unterminated string ends at the line end', async () => {
    const src = 'print "open\nexpect x == 1\n';
    expect(await inner(src, 'expect')).toEqual(['keyword.control.expect.kscn']);
    expect(await inner(src, 'n', 1)).toEqual(['invalid.illegal.newline.kscn']);
  });
});

describe('declarations', () => {
  const src = [
    'scenario "s"',
    'machine board { cpus 2 }',
    'process server on board badge 3 {',
    '  pmo shm size 4KiB at 0x1000',
    '  cap peer = client.main',
    '  thread reg register priority 2 cpu 0 runs on_register',
    '  thread main user {',
    '    let r = 1',
    '    repeat 3 as i { break }',
    '  }',
    '  routine on_register(msg, badge) {',
    '  }',
    '}',
    '',
  ].join('\n');

  it('keywords', async () => {
    for (const kw of ['scenario', 'machine', 'process', 'pmo', 'cap', 'thread', 'routine']) {
      expect(await inner(src, kw), kw).toEqual([`storage.type.${kw}.kscn`]);
    }
    for (const kw of ['cpus', 'badge', 'size', 'at', 'priority', 'cpu', 'on', 'runs']) {
      expect(await inner(src, ` ${kw} `), kw).toContain(`keyword.other.${kw}.kscn`);
    }
    for (const kw of ['let', 'repeat', 'as', 'break']) {
      expect(await inner(src, kw), kw).toEqual([`keyword.control.${kw}.kscn`]);
    }
  });

  it('declared names', async () => {
    expect(await inner(src, 'board')).toEqual(['entity.name.type.machine.kscn']);
    expect(await inner(src, 'board', 1)).toEqual(['entity.name.type.machine.kscn']);
    expect(await inner(src, 'server')).toEqual(['entity.name.type.process.kscn']);
    expect(await inner(src, 'shm')).toEqual(['entity.name.variable.pmo.kscn']);
    expect(await inner(src, 'peer')).toEqual(['entity.name.variable.cap.kscn']);
    expect(await inner(src, 'reg')).toEqual(['entity.name.function.thread.kscn']);
    expect(await inner(src, 'main')).toEqual(['variable.other.property.kscn']); // client.main
    expect(await inner(src, 'main', 1)).toEqual(['entity.name.function.thread.kscn']);
    expect(await inner(src, 'on_register')).toEqual(['entity.name.function.routine.kscn']);
    expect(await inner(src, 'on_register', 1)).toEqual(['entity.name.function.routine.kscn']);
    expect(await inner(src, ' r = 1')).toContain('entity.name.variable.local.kscn');
    expect(await inner(src, ' i ')).toContain('entity.name.variable.local.kscn');
  });

  it('thread types only in thread headers', async () => {
    expect(await inner(src, 'register')).toEqual(['storage.modifier.thread-type.kscn']);
    expect(await inner(src, 'user')).toEqual(['storage.modifier.thread-type.kscn']);
    expect(await inner('let r = register_server(register_thread: reg)\n', 'register_server')).toEqual(['support.function.syscall.kscn']);
    expect(await inner('x = user + shadow\n', 'user')).toEqual(['variable.other.readwrite.kscn']);
  });

  it('routine parameters, keywords and line breaks included', async () => {
    expect(await inner(src, 'msg')).toEqual(['variable.parameter.kscn']);
    expect(await inner(src, 'badge)')).toEqual(['variable.parameter.kscn', 'punctuation.section.parens.end.kscn']);
    const multi = 'routine f(a,\n          b) {\n  let c = a\n}\n';
    expect(await inner(multi, 'b)')).toEqual(['variable.parameter.kscn', 'punctuation.section.parens.end.kscn']);
    expect(await inner(multi, 'let')).toEqual(['keyword.control.let.kscn']);
  });

  it('qualified names', async () => {
    expect(await inner('expect x == client.secret\n', 'client.secret')).toEqual([
      'variable.other.object.kscn',
      'punctuation.accessor.dot.kscn',
      'variable.other.property.kscn',
    ]);
  });
});

describe('operators and punctuation', () => {
  it('two-character operators are single tokens', async () => {
    for (const op of ['==', '!=', '<=', '>=']) {
      expect(await inner(`expect a ${op} b\n`, op), op).toEqual(['keyword.operator.comparison.kscn']);
    }
    for (const op of ['<<', '>>']) {
      expect(await inner(`let x = a ${op} b\n`, op), op).toEqual(['keyword.operator.bitwise.shift.kscn']);
    }
  });

  it('logical words, bitwise and arithmetic', async () => {
    expect(await inner('expect a and b or not c\n', 'and')).toEqual(['keyword.operator.logical.and.kscn']);
    expect(await inner('let x = a | b ^ c & ~d\n', '~')).toEqual(['keyword.operator.bitwise.kscn']);
    expect(await inner('let x = a % b\n', '%')).toEqual(['keyword.operator.arithmetic.kscn']);
    expect(await inner('x = 1\n', '=')).toEqual(['keyword.operator.assignment.kscn']);
  });

  it('characters the lexer rejects are invalid', async () => {
    expect(await inner('expect a == 1;\n', ';')).toEqual(['invalid.illegal.character.kscn']);
    expect(await inner('expect !a\n', '!')).toEqual(['invalid.illegal.character.kscn']);
  });

  it('blocks, brackets and parentheses', async () => {
    const src = 'if f([1]) {\n}\n';
    expect(await inner(src, '{')).toEqual(['punctuation.section.block.begin.kscn']);
    expect(await inner(src, '}')).toEqual(['punctuation.section.block.end.kscn']);
    expect(await inner(src, '[')).toEqual(['punctuation.section.brackets.begin.kscn']);
    expect(await inner(src, '(')).toEqual(['punctuation.section.parens.begin.kscn']);
  });
});

describe('the kernel parts: links, faults, tock, kernel threads, machine properties', () => {
  it('a link declaration: keyword, machines, operator, latency', async () => {
    const src = 'link board <-> remote latency 500\n';
    expect(await inner(src, 'link')).toEqual(['storage.type.link.kscn']);
    expect(await inner(src, 'board')).toEqual(['entity.name.type.machine.kscn']);
    expect(await inner(src, '<->')).toEqual(['keyword.operator.link.kscn']);
    expect(await inner(src, 'remote')).toEqual(['entity.name.type.machine.kscn']);
    expect(await inner(src, 'latency')).toEqual(['keyword.other.latency.kscn']);
  });

  it('fault declarations: every clause word is a keyword, the syscall a syscall, the machines machines', async () => {
    const src = 'fault on ipc_call by client.main count 2 kill server\nfault at 5 crash a restart after 10\nfault at 1 link a <-> b down \nfault at 1 drop a <-> b count 2\n';
    expect(await inner(src, 'fault')).toEqual(['storage.type.fault.kscn']);
    expect(await inner(src, 'ipc_call')).toEqual(['support.function.syscall.kscn']);
    for (const word of ['on', 'by', 'count', 'kill', 'at', 'crash', 'restart', 'after', 'down', 'drop']) {
      const scopes = (await inner(src, ` ${word} `)).filter((scope) => scope !== 'source.kscn');
      expect(scopes, word).toEqual(['keyword.other.' + word + '.kscn']);
    }
    const words = async (needle: string) => (await inner(src, needle)).filter((scope) => scope !== 'source.kscn');
    expect(await words('a <-> b')).toEqual(['entity.name.type.machine.kscn', 'keyword.operator.link.kscn', 'entity.name.type.machine.kscn']);
    expect(await words('link a')).toEqual(['keyword.other.link.kscn', 'entity.name.type.machine.kscn']);
  });

  it('the clause words stay names outside their declarations', async () => {
    expect(await inner('let count = link + up\n', 'count')).toEqual(['entity.name.variable.local.kscn']);
    expect(await inner('let count = link + up\n', 'link')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('let count = link + up\n', 'up')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('    link = fault + 1\n', 'link')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('    link = fault + 1\n', 'fault')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('kill(target: server.main)\n', 'kill')).toEqual(['support.function.syscall.kscn']);
    expect(await inner('print tock, kernel, nodes, big\n', 'tock')).toEqual(['variable.other.readwrite.kscn']);
    expect(await inner('print tock, kernel, nodes, big\n', 'nodes')).toEqual(['variable.other.readwrite.kscn']);
  });

  it('tock in a process header, kernel as a thread type', async () => {
    expect(await inner('process blink on board badge 2 tock {\n', 'tock')).toEqual(['storage.modifier.tock.kscn']);
    expect(await inner('process blink tock {\n', 'blink')).toEqual(['entity.name.type.process.kscn']);
    expect(await inner('process blink on board {\n', 'board')).toEqual(['entity.name.type.machine.kscn']);
    expect(await inner('thread listener kernel runs serve\n', 'kernel')).toEqual(['storage.modifier.thread-type.kscn']);
  });

  it('machine properties with their values', async () => {
    expect(await inner('  nodes 16\n', 'nodes')).toEqual(['keyword.other.nodes.kscn']);
    expect(await inner('  mpu_regions 8\n', 'mpu_regions')).toEqual(['keyword.other.mpu_regions.kscn']);
    expect(await inner('  byte_order big\n', 'byte_order')).toEqual(['keyword.other.byte_order.kscn']);
    expect(await inner('  byte_order big\n', 'big')).toEqual(['constant.language.big.kscn']);
    expect(await inner('  data_model ilp32\n', 'ilp32')).toEqual(['constant.language.ilp32.kscn']);
  });
});
