// The grammar's generated alternations against the tables they come from: every syscall, builtin
// and named constant the kernel knows is coloured as such, nothing else is, and the committed
// grammar is exactly what syntaxes/generate.mjs produces from the current tables.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAMED_CONSTANTS, constantFamily } from '../../kernel/constants';
import { BUILTINS, SYSCALLS } from '../../kernel/syscalls';
import { KEYWORDS, NARROW_KEYWORDS } from '../../language/core/lexer';
import { CONSTANT_FAMILY_SCOPES, GENERATED_RULES, NARROW, RESERVED, buildGrammar, renderGrammar } from '../../syntaxes/generate.mjs';
import type { GrammarTables } from '../../syntaxes/generate.mjs';
import { GRAMMAR_PATH, scopesOf } from './tokenize';

const tables: GrammarTables = {
  syscalls: SYSCALLS.map((s) => s.name),
  builtins: BUILTINS.map((b) => b.name),
  constants: [...NAMED_CONSTANTS.keys()].map((name) => ({ name, family: constantFamily(name) })),
};

type Family = keyof typeof CONSTANT_FAMILY_SCOPES;
const familyOf = (name: string): Family => {
  const f = constantFamily(name);
  return f && f in CONSTANT_FAMILY_SCOPES ? f : 'other';
};

/** The names in a generated rule's `\b(a|b|c)` or `\b(?:a|b|c)\b` alternation. */
function alternationOf(rule: string): string[] {
  const match = buildGrammar(tables).repository[rule]?.match ?? '';
  const m = /\\b\((?:\?:)?([A-Za-z0-9_|]+|\(\?!\))\)/.exec(match);
  if (!m) throw new Error(`rule ${rule} has no alternation: ${match}`);
  return m[1] === '(?!)' ? [] : m[1]!.split('|');
}

/** The innermost scope of each token covering `needle` in `source`. */
async function innermost(source: string, needle: string): Promise<string[]> {
  return (await scopesOf(source, needle)).map((s) => s[s.length - 1]!);
}

describe('generated grammar is up to date', () => {
  it('syntaxes/kscn.tmLanguage.json is what syntaxes/generate.mjs makes from the current tables', () => {
    const committed = readFileSync(GRAMMAR_PATH, 'utf8');
    // On failure: run `node syntaxes/generate.mjs` and commit the result.
    expect(committed === renderGrammar(tables), 'grammar out of date: run node syntaxes/generate.mjs').toBe(true);
  });

  it('the syscall alternation is exactly SYSCALLS', () => {
    expect(new Set(alternationOf('syscall-call'))).toEqual(new Set(tables.syscalls));
  });

  it('the builtin alternation is exactly BUILTINS', () => {
    expect(new Set(alternationOf('builtin-call'))).toEqual(new Set(tables.builtins));
  });

  it('the constant alternations are exactly NAMED_CONSTANTS, by family', () => {
    const fromGrammar = new Map<string, Family>();
    for (const family of Object.keys(CONSTANT_FAMILY_SCOPES) as Family[]) {
      for (const name of alternationOf(`constant-${family}`)) fromGrammar.set(name, family);
    }
    const fromTables = new Map<string, Family>([...NAMED_CONSTANTS.keys()].map((n) => [n, familyOf(n)]));
    expect(Object.fromEntries(fromGrammar)).toEqual(Object.fromEntries(fromTables));
  });

  it('every generated rule is documented in GENERATED_RULES', () => {
    for (const rule of Object.keys(GENERATED_RULES)) expect(buildGrammar(tables).repository[rule]).toBeDefined();
  });
});

describe('the lexer keywords and the grammar agree', () => {
  it('RESERVED is the lexer KEYWORDS', () => {
    expect([...RESERVED].sort()).toEqual([...KEYWORDS].sort());
  });

  it.each([...KEYWORDS].map((k) => [k]))('keyword %s is coloured as a keyword', async (keyword) => {
    const source = keyword === 'user' || keyword === 'shadow' ? `thread t ${keyword}\n` : `${keyword}\n`;
    const scopes = await innermost(source, keyword === 'thread' ? 'thread' : keyword);
    expect(scopes).toHaveLength(1);
    expect(scopes[0]).toMatch(/^(keyword|storage)\.|^constant\.language\.boolean\./);
  });

  it('NARROW is the lexer NARROW_KEYWORDS', () => {
    expect([...NARROW].sort()).toEqual([...NARROW_KEYWORDS].sort());
  });

  it('register is a keyword in a thread header only', async () => {
    expect(await innermost('thread reg register runs r\n', 'register')).toEqual(['storage.modifier.thread-type.kscn']);
    expect(await innermost('let register = 1\n', 'register')).toEqual(['entity.name.variable.local.kscn']);
    expect(await innermost('x = register + 1\n', 'register')).toEqual(['variable.other.readwrite.kscn']);
  });
});

describe('every table name is matched', () => {
  it.each(SYSCALLS.map((s) => [s.name]))('syscall %s', async (name) => {
    expect(await innermost(`let r = ${name}(1, a: 2)\n`, name)).toEqual(['support.function.syscall.kscn']);
    expect(await innermost(`  ${name} (x)\n`, name)).toEqual(['support.function.syscall.kscn']);
  });

  it.each(BUILTINS.map((b) => [b.name]))('builtin %s', async (name) => {
    expect(await innermost(`expect ${name}(1) == 0\n`, name)).toEqual(['support.function.builtin.kscn']);
  });

  it.each([...NAMED_CONSTANTS.keys()].map((n) => [n]))('constant %s', async (name) => {
    const scope = CONSTANT_FAMILY_SCOPES[familyOf(name)];
    expect(await innermost(`expect r == ${name}\n`, name)).toEqual([scope]);
    expect(await innermost(`print [${name}, 1]\n`, name)).toEqual([scope]);
    if (familyOf(name) === 'chcore') {
      // Written negated: the sign is part of the constant.
      expect(await innermost(`expect r == -${name}\n`, `-${name}`)).toEqual([scope]);
    }
  });
});
