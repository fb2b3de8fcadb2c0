// Keeps docs/language.md honest: its examples parse, the complete ones compile without
// diagnostics, and its tables name every syscall, builtin and named constant.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTINS, SYSCALLS } from '../../kernel/syscalls';
import { NAMED_CONSTANTS } from '../../kernel/constants';
import { compile, formatDocument, parse } from '../../language/core/index';
import { show } from './helpers';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'language.md'), 'utf8');
const blocks = [...doc.matchAll(/```kscn\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Puts a fragment where it belongs: items inside a process, statements inside a thread. */
function inContext(block: string): string {
  const first = block.trimStart().split(/\s/)[0]!;
  if (['scenario', 'machine', 'process', 'link', 'fault'].includes(first)) return block;
  if (['pmo', 'thread', 'routine', 'cap'].includes(first)) return `process p {\n${block}}\n`;
  return `process p {\n  thread t {\n${block}  }\n}\n`;
}

describe('docs/language.md', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThan(15));

  it.each(blocks.map((b, i) => [i, b]))('example %i parses without syntax errors', (index, block) => {
    // The formatter's "before" example is deliberately untidy, but still valid.
    expect(show(parse(inContext(block as string), `doc-${index}.kscn`).diagnostics)).toEqual([]);
  });

  it('the complete examples compile without diagnostics', () => {
    const complete = blocks.filter((b) => b.includes('process') && /^(scenario|process|machine)/.test(b.trimStart()));
    expect(complete.length).toBeGreaterThan(2);
    for (const block of complete) expect(show(compile(block, 'doc.kscn').diagnostics)).toEqual([]);
  });

  it('the formatting example is what the formatter produces', () => {
    const index = blocks.findIndex((b) => b.startsWith('process p{'));
    expect(formatDocument(blocks[index]!)).toBe(blocks[index + 1]);
  });

  it('lists every syscall, builtin and named constant', () => {
    for (const spec of [...SYSCALLS, ...BUILTINS]) expect(doc).toContain(`| \`${spec.name}\` |`);
    for (const name of NAMED_CONSTANTS.keys()) expect(doc).toContain(`\`${name}\``);
  });
});
