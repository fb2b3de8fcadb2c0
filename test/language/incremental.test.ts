// Incremental analysis (`reanalyze`) must give exactly what a full `analyze` of the new text gives:
// the tree, diagnostics, symbols, scopes, boot slots, the checker's model and the lowered program.
// Random edits (insertions, deletions, replacements of tokens, statements, declarations and broken
// syntax) are applied one after another to generated and example scenarios, each result compared
// with a full analysis of the same text.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, generateLargeScenario, isIncrementalAnalysis, reanalyze } from '../../language/core/index';
import { difference, random, randomEdit, snapshot } from './incremental-helpers';

const examplesDir = join(__dirname, '../../examples');
const examples: [string, string][] = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.kscn'))
  .map((f) => [f, readFileSync(join(examplesDir, f), 'utf8')]);

/** Applies `count` random edits in sequence; returns how many were incremental. Fails on the first mismatch. */
function fuzz(name: string, source: string, seed: number, count: number): number {
  const next = random(seed);
  let text = source;
  let current = analyze(text, 'f.kscn');
  let incremental = 0;
  for (let i = 0; i < count; i++) {
    const edited = next() < 0.05 ? source : randomEdit(text, next);
    const updated = reanalyze(current, edited);
    const full = analyze(edited, 'f.kscn');
    const diff = difference(snapshot(updated), snapshot(full));
    if (diff !== undefined) {
      expect.fail(`${name}, seed ${seed}, edit ${i} (${isIncrementalAnalysis(updated) ? 'incremental' : 'full'}):\n` +
        `before: ${JSON.stringify(text)}\nafter: ${JSON.stringify(edited)}\n${diff}`);
    }
    if (isIncrementalAnalysis(updated)) incremental++;
    current = updated;
    text = edited;
  }
  return incremental;
}

describe('incremental analysis', () => {
  it('equals a full analysis after each of 1,200 random edits to a generated scenario', () => {
    const source = generateLargeScenario(120);
    let incremental = 0;
    for (let seed = 1; seed <= 4; seed++) incremental += fuzz('generated', source, seed, 300);
    // Most edits land inside a process and keep its names: the incremental path must be exercised.
    expect(incremental).toBeGreaterThan(400);
  }, 120_000);

  it('equals a full analysis after each of 300 random edits to a scenario with CRLF line breaks', () => {
    const source = generateLargeScenario(100).replace(/\n/g, '\r\n');
    expect(fuzz('generated (CRLF)', source, 99, 300)).toBeGreaterThan(100);
  }, 120_000);

  it.each(examples)('equals a full analysis after each of 200 random edits to %s', (name, source) => {
    let incremental = 0;
    for (let seed = 1; seed <= 2; seed++) incremental += fuzz(name, source, seed * 31 + name.length, 100);
    expect(incremental).toBeGreaterThan(10);
  }, 120_000);

  it('re-parses only the edited process of a 10,000-line scenario, and equals a full analysis', () => {
    const text = generateLargeScenario(10_000);
    const lines = text.split('\n');
    const middle = Math.floor(lines.length / 2);
    const edits = [
      [...lines.slice(0, middle), '# edit', ...lines.slice(middle)].join('\n'),
      text,
      text.replace('let x = msg_data(msg, 0)', 'let x = msg_data(msg, 1)'),
      text.replace('let x = msg_data(msg, 0)', 'let x = msg_data(msg, 1)').replace('let conn = -EIPCRETRY\n', 'let conn = -EIPCRETRY\n    let extra = conn + 1\n'),
      text.replace('let x = msg_data(msg, 0)', 'let x = msg_data(msg, 1)').replace('let conn = -EIPCRETRY\n', 'let conn = -EIPCRETRY\n    let extra = conn + 1\n').replace('    expect conn >= 0\n', '    expect conn >= \n'),
    ];
    let current = analyze(text, 'large.kscn');
    for (const edited of edits) {
      current = reanalyze(current, edited);
      expect(isIncrementalAnalysis(current)).toBe(true);
      expect(difference(snapshot(current), snapshot(analyze(edited, 'large.kscn')))).toBeUndefined();
    }
  }, 120_000);

  it('falls back to a full analysis when declared names change, with the same result', () => {
    const text = generateLargeScenario(200);
    const renamed = text.replace('thread handler shadow runs serve', 'thread handler2 shadow runs serve');
    const updated = reanalyze(analyze(text, 'f.kscn'), renamed);
    expect(isIncrementalAnalysis(updated)).toBe(false);
    expect(difference(snapshot(updated), snapshot(analyze(renamed, 'f.kscn')))).toBeUndefined();
  });

  it('uses an analysis as the base of one update only (it is consumed)', () => {
    const text = generateLargeScenario(200);
    const base = analyze(text, 'f.kscn');
    const first = text.replace('expect r == 0', 'expect r == 1');
    const second = text.replace('expect r == 0', 'expect r == 2');
    expect(isIncrementalAnalysis(reanalyze(base, first))).toBe(true);
    const again = reanalyze(base, second);
    expect(isIncrementalAnalysis(again)).toBe(false);
    expect(difference(snapshot(again), snapshot(analyze(second, 'f.kscn')))).toBeUndefined();
  });

  it('keeps line numbers in messages and hidden slot names right after lines move', () => {
    const text = [
      'process a {',
      '  thread main {',
      '    yield()',
      '  }',
      '}',
      'process b {',
      '  thread main {',
      '    print q',
      '    let q = 1',
      '    repeat 2 {',
      '      yield()',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const edited = text.replace('    yield()\n  }\n}\nprocess b', '    yield()\n\n\n  }\n}\nprocess b');
    const updated = reanalyze(analyze(text, 'f.kscn'), edited);
    expect(isIncrementalAnalysis(updated)).toBe(true);
    expect(updated.diagnostics.map((d) => d.message)).toContain('\'q\' is used before its \'let\' (line 11)');
    expect(updated.model.routines[1]!.slotNames).toContain('(repeat 12:5)');
    expect(difference(snapshot(updated), snapshot(analyze(edited, 'f.kscn')))).toBeUndefined();
  });
});
