// Fuzz-style robustness tests with a seeded PRNG: random bytes, mutated examples and pathological
// inputs go through parse, analyze, compile, format and the symbol queries. Nothing may throw, and
// every diagnostic range must lie inside the text with start <= end.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, compile, formatDocument, parse, type Analysis } from '../../language/core/index';
import { prng, rangesAreValid } from './helpers';

const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
const examples = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.kscn'))
  .sort()
  .map((f) => readFileSync(join(EXAMPLES_DIR, f), 'utf8'));

/** Scenarios with the kernel parts of the language (links, faults, tock, kernel threads, XNU and Tock machine properties). */
const TOPOLOGY_SNIPPETS = [
  `scenario "nodes"
machine a {
  cpus 2
  nodes 16
  byte_order big
  data_model ilp32
  mpu_regions 8
}
machine b {
  memory 16MiB
}
link a <-> b latency 500
process server on a tock {
  pmo shm size 4KiB
  thread listener kernel priority 20 runs serve
  thread main {
    let count = 1
    kill(target: server.listener)
  }
  routine serve(msg) {
    ipc_return(0)
  }
}
process client on b badge 2 {
  thread main {
    yield()
  }
}
fault at 10_000 kill server.main
fault on ipc_call by client.main count 2 kill client
fault on sys_yield by server link a <-> b down
fault at 5000 link b <-> a up
fault at 7000 crash a restart after 2000
fault on yield drop a <-> b count 3
`,
  `machine m {
  nodes 1025
  byte_order litle
}
link m <-> m
link m <-> n latency 0
fault on ipc_cal by m kill nowhere.x
fault at 5 link m <-> n sideways
fault at 1 crash m restart 5
process p tock tock {
  thread t kernel
}
`,
];
const corpus = [...examples, ...TOPOLOGY_SNIPPETS];

const ALPHABET = [
  ...'abcxyz_019 \t\n\r{}()[],.:=<>+-*/%&|^~#"\\!;@$\u00e9\ud83d\ude00\ud800\udc00\u0000',
  'process ', 'thread ', 'machine ', 'routine ', 'let ', 'if ', 'else ', 'repeat ', 'expect ', 'print ', 'cap ', 'pmo ',
  'register ', 'shadow ', 'runs ', 'on ', 'badge ', 'size ', 'ipc_call(', 'register_client(', 'server.main', '0x', '4KiB', '//', '"',
  'link ', 'fault ', '<->', ' <-> ', 'latency ', 'at ', 'by ', 'count ', 'kill ', 'crash ', 'restart after ', 'drop ', ' down', ' up',
  'tock ', 'kernel ', 'nodes ', 'byte_order ', 'data_model ', 'mpu_regions ', 'big', 'lp64',
];

function randomText(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    if (random() < 0.5) text += String.fromCharCode(Math.floor(random() * 0x10000));
    else text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  }
  return text;
}

function mutate(random: () => number, text: string): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * (result.length + 1));
    const length = Math.floor(random() * 40);
    switch (Math.floor(random() * 5)) {
      case 0: // delete a slice
        result = result.slice(0, at) + result.slice(at + length);
        break;
      case 1: // insert random text
        result = result.slice(0, at) + randomText(random, 1 + Math.floor(random() * 4)) + result.slice(at);
        break;
      case 2: { // duplicate a slice elsewhere
        const from = Math.floor(random() * result.length);
        result = result.slice(0, at) + result.slice(from, from + length) + result.slice(at);
        break;
      }
      case 3: // truncate
        result = result.slice(0, at);
        break;
      default: // swap a character for a structural one
        result = result.slice(0, at) + '{}()[]\n"#='[Math.floor(random() * 10)] + result.slice(at + 1);
        break;
    }
  }
  return result;
}

/** Exercises every entry point on one text; returns a problem description or undefined. */
function exercise(text: string, random: () => number): string | undefined {
  const parsed = parse(text, 'fuzz.kscn');
  if (!rangesAreValid(text, parsed.diagnostics)) return 'parse: invalid diagnostic range';
  const result = compile(text, 'fuzz.kscn');
  if (!rangesAreValid(text, result.diagnostics)) return 'compile: invalid diagnostic range';
  if (result.program === undefined && !result.diagnostics.some((d) => d.severity === 'error')) return 'no program and no error';
  queries(result.analysis, random);
  const symbols = result.analysis.symbols;
  const declarationRanges = symbols.declarations.flatMap((d) => [d.range, d.nameRange]);
  const referenceRanges = symbols.references.map((r) => r.range);
  const asDiagnostics = [...declarationRanges, ...referenceRanges].map((range) => ({ severity: 'info' as const, message: '', range }));
  if (!rangesAreValid(text, asDiagnostics)) return 'invalid symbol range';
  const formatted = formatDocument(text);
  if (formatDocument(formatted) !== formatted) return 'format is not idempotent';
  return undefined;
}

function queries(analysis: Analysis, random: () => number): void {
  for (let i = 0; i < 4; i++) {
    const offset = Math.floor(random() * (analysis.text.length + 1));
    analysis.symbols.scopeAt(offset);
    analysis.symbols.callAt(offset);
    const symbol = analysis.symbols.symbolAt(offset);
    if (symbol !== undefined) analysis.symbols.referencesOf(symbol.declaration, true);
  }
}

describe('fuzz', () => {
  it('random text never breaks parse, analyze, compile or format', () => {
    const random = prng(0x5eed);
    const problems: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const text = randomText(random, Math.floor(random() * 120));
      const problem = exercise(text, random);
      if (problem !== undefined) problems.push(`${problem}: ${JSON.stringify(text)}`);
    }
    expect(problems).toEqual([]);
  });

  it('mutated examples never break parse, analyze, compile or format', () => {
    const random = prng(42);
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const base = corpus[i % corpus.length]!;
      const text = mutate(random, base);
      const problem = exercise(text, random);
      if (problem !== undefined) problems.push(`${problem}: ${JSON.stringify(text)}`);
    }
    expect(problems).toEqual([]);
  });

  it('the topology corpus is what it claims: the first snippet compiles, the second is all errors', () => {
    expect(compile(TOPOLOGY_SNIPPETS[0]!, 'topology.kscn').diagnostics).toEqual([]);
    expect(compile(TOPOLOGY_SNIPPETS[1]!, 'broken.kscn').diagnostics.length).toBeGreaterThan(8);
  });

  it('mutated topology snippets never break parse, analyze, compile or format', () => {
    const random = prng(1234);
    const problems: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const text = mutate(random, TOPOLOGY_SNIPPETS[i % TOPOLOGY_SNIPPETS.length]!);
      const problem = exercise(text, random);
      if (problem !== undefined) problems.push(`${problem}: ${JSON.stringify(text)}`);
    }
    expect(problems).toEqual([]);
  });

  it('survives pathological inputs: deep nesting, long chains, invalid surrogates, megabytes', () => {
    const random = prng(7);
    const inputs = [
      '('.repeat(200_000),
      `process p {\n thread t {\n let x = ${'-'.repeat(200_000)}1\n }\n}`,
      `process p {\n thread t {\n let x = ${'not '.repeat(50_000)}1\n }\n}`,
      `process p {\n thread t {\n let x = ${'1 + '.repeat(200_000)}1\n }\n}`,
      `process p {\n thread t {\n${'if 1 {\n'.repeat(20_000)}`,
      `process p {\n thread t {\n let x = ${'['.repeat(100_000)}`,
      '{'.repeat(100_000) + '}'.repeat(100_000),
      '\ud800\udfff\udc00\ud800'.repeat(10_000),
      '"\ud800'.repeat(10_000),
      randomText(random, 1_000_000),
      '#'.repeat(5_000_000),
    ];
    for (const text of inputs) {
      expect(() => {
        const analysis = analyze(text, 'big.kscn');
        if (!rangesAreValid(text, analysis.diagnostics)) throw new Error('invalid range');
        formatDocument(text);
      }).not.toThrow();
    }
  });

  it('stays fast when every line is an error (no quadratic lookups or suggestions)', () => {
    const manyUndefined = `process p {\n  thread t {\n${'    print nope_a, other.nope_b, nowhere.c\n'.repeat(30_000)}    let nope_a = 1\n  }\n}\n`;
    const manyProcesses = Array.from({ length: 3000 }, (_, i) => `process p${i % 1500} {\n  thread t {\n    frob${i}(x${i})\n  }\n}\n`).join('');
    const manyMachines = Array.from({ length: 300 }, (_, i) => `machine m${i} {\n}\n`).join('');
    const manyFaults =
      manyMachines +
      Array.from({ length: 3000 }, (_, i) => `link m${i % 300} <-> m${(i * 7 + 1) % 300}\nfault on frob${i} by q${i}.t count 0 drop m${i % 300} <-> n${i}\nfault at ${i} link m1 <-> m${i % 300} down\n`).join('');
    for (const text of [manyUndefined, manyProcesses, manyFaults]) {
      const start = performance.now();
      const result = analyze(text, 'slow.kscn');
      expect(result.diagnostics.length).toBeGreaterThan(100);
      expect(rangesAreValid(text, result.diagnostics)).toBe(true);
      expect(performance.now() - start).toBeLessThan(10_000);
    }
  });

  it('analyze returns everything for an input of 5 MB of plausible text', () => {
    const text = (examples[0]! + '\n').repeat(Math.ceil(5_000_000 / (examples[0]!.length + 1)));
    const result = analyze(text, 'huge.kscn');
    expect(rangesAreValid(text, result.diagnostics)).toBe(true);
  });
});
