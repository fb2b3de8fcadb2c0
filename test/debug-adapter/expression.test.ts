// The debugger's expression language, parsed and evaluated without a kernel.

import { describe, expect, it } from 'vitest';
import { EvaluationError, evaluateText, parseExpression, type EvaluationEnvironment, type Value } from '../../debug-adapter/expression';
import { parseHitCondition, resolveFunctionName } from '../../debug-adapter/breakpoints';
import { implementations } from '../../debug-adapter/inspect';

const environment: EvaluationEnvironment = {
  lookup: (name) => ({ x: 5, y: 7, EIPCRETRY: 199, proc: 'client' } as Record<string, Value>)[name],
  call: (name, args) => {
    if (name === 'twice') return (args[0] as number) * 2;
    throw new EvaluationError(`unknown function '${name}'`);
  },
  field: (target, name) => {
    if (name === 'double' && typeof target === 'number') return target * 2;
    throw new EvaluationError(`no field ${name}`);
  },
};

const value = (text: string) => {
  const result = evaluateText(text, environment);
  return 'value' in result ? result.value : `error: ${result.error}`;
};

describe('expressions', () => {
  it.each([
    ['x + y * 2', 19],
    ['(x + y) * 2', 24],
    ['-EIPCRETRY', -199],
    ['x == 5 and y != 5', true],
    ['not x == 5 or y > 6', true],
    ['0x10 | 0b1', 17],
    ['1_000 + 1KiB', 2024],
    ['x << 40 >> 40', 5],
    ['twice(x)', 10],
    ['x.double', 10],
    ['proc == "client"', true],
    ['x % 3', 2],
    ['~0', -1],
  ])('%s = %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it.each([
    ['x +', 'the expression is empty or incomplete'],
    ['(x', "expected ')'"],
    ['x $ y', "unexpected character '$'"],
    ['"open', 'unterminated string'],
    ['12ab', 'malformed number'],
  ])('parse error: %s', (text, message) => {
    expect(parseExpression(text).error).toContain(message);
  });

  it('evaluation errors are values, not exceptions', () => {
    expect(value('nope')).toBe("error: unknown name 'nope'");
    expect(value('x / 0')).toBe('error: division by zero');
    expect(value('missing(1)')).toBe("error: unknown function 'missing'");
  });

  it('hit conditions', () => {
    const at = (text: string) => {
      const f = parseHitCondition(text);
      if (typeof f === 'string') throw new Error(f);
      return [1, 2, 3, 4].filter(f);
    };
    expect(at('3')).toEqual([3, 4]);
    expect(at('== 2')).toEqual([2]);
    expect(at('% 2')).toEqual([2, 4]);
    expect(at('< 3')).toEqual([1, 2]);
    expect(typeof parseHitCondition('often')).toBe('string');
  });

  it('function breakpoint names resolve to syscalls and kernel steps', () => {
    expect(resolveFunctionName('sys_ipc_call', implementations())).toEqual([{ kind: 'syscall', syscall: 'sys_ipc_call' }]);
    expect(resolveFunctionName('ipc_call', implementations())).toEqual([{ kind: 'syscall', syscall: 'sys_ipc_call' }]);
    expect(resolveFunctionName('sys_ipc_call:thread_migrate_to_server', implementations())).toEqual([{ kind: 'step', syscall: 'sys_ipc_call', step: 'thread_migrate_to_server' }]);
    expect(resolveFunctionName('nothing_like_this', implementations())).toEqual([]);
  });
});
