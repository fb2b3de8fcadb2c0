// The other static editor assets: language-configuration.json and snippets/kscn.json.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChCoreError } from '../../kernel/constants';
import { BUILTINS, SYSCALLS } from '../../kernel/syscalls';
import { lex } from '../../language/core/lexer';
import { LineIndex } from '../../language/core/text';
import { isBlank, ROOT, tokenize } from './tokenize';

interface LanguageConfiguration {
  comments: { lineComment: string };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  folding: { markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  wordPattern: string;
}

interface Snippet {
  prefix: string;
  body: string[];
  description: string;
}

const config = JSON.parse(readFileSync(join(ROOT, 'language-configuration.json'), 'utf8')) as LanguageConfiguration;
const snippets = JSON.parse(readFileSync(join(ROOT, 'snippets', 'kscn.json'), 'utf8')) as Record<string, Snippet>;

describe('language-configuration.json', () => {
  it('comments and brackets', () => {
    expect(config.comments.lineComment).toBe('#');
    expect(config.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
    const closing = Object.fromEntries(config.autoClosingPairs.map((p) => [p.open, p.close]));
    expect(closing).toEqual({ '{': '}', '[': ']', '(': ')', '"': '"' });
    expect(config.autoClosingPairs.find((p) => p.open === '"')?.notIn).toEqual(['string', 'comment']);
    expect(config.surroundingPairs).toContainEqual(['"', '"']);
  });

  it('indents after an opening bracket that ends the line, and only then', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    for (const line of ['thread main {', 'process p on b badge 1 {  # comment', '  } else {', 'let r = ipc_call(conn,', 'let r = ipc_call(conn, data: [1,', '  data: [', 'if s == "x" { // c']) {
      expect(increase.test(line), line).toBe(true);
    }
    for (const line of ['}', 'thread t { yield() }', 'print "{"', '# {', '// (', 'let r = f(x)', 'let r = f(x, [1, 2])', 'print "# {" ', 'print "("']) {
      expect(increase.test(line), line).toBe(false);
    }
  });

  it('outdents a closing bracket', () => {
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    for (const line of ['}', '    }', '  } else {', '  )', ']']) expect(decrease.test(line), line).toBe(true);
    for (const line of ['let x = 1', 'print "}"']) expect(decrease.test(line), line).toBe(false);
  });

  it('folding region markers', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    expect(start.test('# region machines')).toBe(true);
    expect(start.test('  // region')).toBe(true);
    expect(end.test('# endregion')).toBe(true);
    expect(start.test('# endregion')).toBe(false);
    expect(start.test('# regional office')).toBe(false);
    expect(end.test('# region')).toBe(false);
  });

  it('words are names and whole numbers', () => {
    const words = (text: string): string[] => text.match(new RegExp(config.wordPattern, 'g')) ?? [];
    expect(words('let conn = register_client(server: server.main, addr: 0x4000_0000)')).toEqual([
      'let', 'conn', 'register_client', 'server', 'server', 'main', 'addr', '0x4000_0000',
    ]);
    expect(words('memory 16MiB timeslice 10_000 badge 0b1010')).toEqual(['memory', '16MiB', 'timeslice', '10_000', 'badge', '0b1010']);
    expect(words('expect r == -EIPCRETRY')).toEqual(['expect', 'r', 'EIPCRETRY']);
    expect(''.match(new RegExp(config.wordPattern))).toBeNull(); // never matches the empty string
  });
});

/** The text a snippet inserts with every placeholder at its default (first choice; empty for tab stops). */
function expand(body: readonly string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\d+/g, '')
    .concat('\n');
}

/** Puts statement snippets inside a thread and process items inside a process, to lex them in place. */
function inContext(text: string): string {
  if (/^(scenario|machine|process)\b/.test(text)) return text;
  if (/^(pmo|thread|routine|cap)\b/.test(text)) return `process p {\n${text}}\n`;
  return `process p {\nthread t {\n${text}}\n}\n`;
}

describe('snippets/kscn.json', () => {
  const entries = Object.entries(snippets);

  it('has the expected snippets', () => {
    const prefixes = entries.map(([, s]) => s.prefix);
    for (const p of ['process', 'thread', 'server', 'client', 'machine', 'routine', 'repeat', 'if', 'ifelse', 'expect']) {
      expect(prefixes).toContain(p);
    }
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it.each(entries)('%s is well formed and expands to valid, fully coloured scenario text', async (_name, snippet) => {
    expect(typeof snippet.prefix).toBe('string');
    expect(snippet.description.length).toBeGreaterThan(0);
    expect(Array.isArray(snippet.body)).toBe(true);
    for (const line of snippet.body) expect(line, 'indent with tabs').not.toMatch(/^ +\S/);

    const text = inContext(expand(snippet.body));
    expect(lex(text, new LineIndex(text)).diagnostics).toEqual([]);
    const opens = [...text].filter((c) => c === '{').length;
    expect([...text].filter((c) => c === '}').length).toBe(opens);

    const tokens = await tokenize(text);
    expect(tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid.'))).map((t) => t.text)).toEqual([]);
    expect(tokens.filter((t) => !isBlank(t) && t.scopes.length === 1).map((t) => t.text)).toEqual([]);

    // Calls use real syscalls and builtins, with their real parameter names.
    for (const m of text.matchAll(/\b([a-z_][a-z0-9_]*)\(([^()]*)\)/g)) {
      const spec = SYSCALLS.find((s) => s.name === m[1]) ?? BUILTINS.find((b) => b.name === m[1]);
      if (!spec) continue; // a routine declaration
      for (const label of m[2]!.matchAll(/\b([a-z_][a-z0-9_]*)\s*:/g)) {
        expect(spec.params.map((p) => p.name), `${m[1]}(${label[1]}:)`).toContain(label[1]);
      }
    }
  });

  it('the syscalls and builtins the snippets call exist', () => {
    const called = new Set<string>();
    for (const [, s] of entries) for (const m of s.body.join('\n').matchAll(/\b([a-z_][a-z0-9_]*)\(/g)) called.add(m[1]!);
    const known = new Set([...SYSCALLS.map((s) => s.name), ...BUILTINS.map((b) => b.name), 'name', 'on_register', 'handle']);
    expect([...called].filter((c) => !known.has(c))).toEqual([]);
  });

  it('the error-code choices are ChCore errors', () => {
    const choices = entries.flatMap(([, s]) => [...s.body.join('\n').matchAll(/-\$\{\d+\|([^|]*)\|\}/g)].flatMap((m) => m[1]!.split(',')));
    expect(choices.length).toBeGreaterThan(0);
    for (const c of choices) expect(Object.keys(ChCoreError)).toContain(c);
  });
});
