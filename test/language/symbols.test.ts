// Symbol table tests over examples/echo.kscn: definitions, references, scopes, signature help and
// boot slots. Positions are found by searching the text (the n-th occurrence of a word), never
// hard-coded, so the example can change around them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../language/core/index';

const text = readFileSync(join(__dirname, '..', '..', 'examples', 'echo.kscn'), 'utf8');
const analysis = analyze(text, 'echo.kscn');
const symbols = analysis.symbols;

/** The offset of the n-th (0-based) whole-word occurrence of `word`, plus `delta`. */
function at(word: string, occurrence = 0, delta = 0): number {
  const pattern = new RegExp(`\\b${word.replace('.', '\\.')}\\b`, 'g');
  let match: RegExpExecArray | null;
  let count = 0;
  while ((match = pattern.exec(text)) !== null) {
    if (count++ === occurrence) return match.index + delta;
  }
  throw new Error(`no occurrence ${occurrence} of ${word}`);
}

const lineOf = (offset: number) => analysis.lines.position(offset).line;

describe('symbols', () => {
  it('finds the declaration under a reference (go to definition)', () => {
    const declaration = symbols.declarationAt(at('reg', 0, 1));
    expect(declaration).toMatchObject({ name: 'reg', kind: 'thread', container: 'server' });
    expect(lineOf(declaration!.nameRange.start.offset)).toBe(lineOf(at('thread reg')));
  });

  it('resolves qualified names part by part', () => {
    const use = at('server.main');
    expect(symbols.declarationAt(use)).toMatchObject({ name: 'server', kind: 'process' });
    expect(symbols.declarationAt(use + 'server.'.length)).toMatchObject({ name: 'main', kind: 'thread', container: 'server' });
  });

  it('accepts line/column positions as well as offsets', () => {
    const offset = at('echo', 1);
    const position = analysis.lines.position(offset);
    expect(symbols.declarationAt({ line: position.line, column: position.column })).toBe(symbols.declarationAt(offset));
  });

  it('lists all references of a declaration (find references, rename)', () => {
    const conn = symbols.declarationAt(at('conn'))!;
    expect(conn).toMatchObject({ kind: 'local', valueKind: 'connection', frameSlot: 0 });
    const ranges = symbols.referencesOf(conn, true);
    expect(ranges.map((r) => text.slice(r.start.offset, r.end.offset))).toEqual(['conn', 'conn', 'conn', 'conn', 'conn']);
  });

  it('knows routine parameters', () => {
    const msg = symbols.declarationAt(at('msg', 1))!;
    expect(msg).toMatchObject({ name: 'msg', kind: 'param', container: 'server.echo', frameSlot: 0 });
    expect(symbols.referencesOf(msg)).toHaveLength(3);
  });

  it('gives the names in scope at a position, innermost first, locals only after their let', () => {
    const insideEcho = at('msg_cap_count');
    const names = symbols.scopeAt(insideEcho).map((d) => `${d.kind}:${d.name}`);
    expect(names.slice(0, 3)).toEqual(['param:msg', 'param:badge', 'local:x']);
    expect(names).toContain('thread:handler');
    expect(names).toContain('process:client');
    const beforeLet = symbols.scopeAt(at('let x')).map((d) => d.name);
    expect(beforeLet).not.toContain('x');
    expect(symbols.scopeAt(insideEcho, ['thread']).map((d) => d.name)).toEqual(['main', 'reg', 'handler']);
  });

  it('finds the call and the active parameter for signature help', () => {
    const call = symbols.callAt(at('routine: echo', 0, 'routine: e'.length))!;
    expect(call.site.callee?.spec.name).toBe('register_server');
    expect(call.argumentIndex).toBe(1);
    expect(call.parameters[call.parameterIndex]!.name).toBe('routine');
    const positional = symbols.callAt(at('msg_data', 0, 'msg_data(msg, '.length))!;
    expect([positional.site.callee?.spec.name, positional.parameterIndex]).toEqual(['msg_data', 1]);
  });

  it('records boot slots for inlay hints, including grants', () => {
    expect(symbols.bootSlots.get('client')!.map((s) => `${s.slot} ${s.name} ${s.origin}`)).toEqual([
      '2 shm own',
      '3 secret own',
      '4 main own',
      '5 server.main grant',
    ]);
    expect(symbols.declarationAt(at('secret'))?.bootSlot).toBe(3);
  });

  it('describes declarations for hovers and outlines', () => {
    expect(symbols.declarationAt(at('shm'))?.detail).toBe('pmo shm, 4 KiB (boot slot 2)');
    expect(symbols.declarationAt(at('board'))?.detail).toBe('machine board: 1 CPU, 16 MiB, timeslice 10000 cycles');
    expect(symbols.declarationsIn('client').map((d) => d.name)).toEqual(['shm', 'secret', 'main']);
  });
});
