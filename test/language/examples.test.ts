// Every example scenario compiles without errors, and the formatter is idempotent on each (and
// keeps it compiling to the same program). Generic: new examples are picked up automatically.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, formatDocument, generateLargeScenario } from '../../language/core/index';
import { show } from './helpers';

const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');
const examples = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.kscn')).sort();

/** A program without locations, to compare programs compiled from differently laid-out text. */
function withoutLocations(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'loc' ? undefined : v instanceof Uint8Array ? [...v] : v)));
}

describe('examples', () => {
  it('there is at least one example', () => expect(examples.length).toBeGreaterThan(0));

  it.each(examples)('%s compiles without errors', (file) => {
    const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
    const result = compile(text, file);
    expect(show(result.diagnostics.filter((d) => d.severity === 'error'))).toEqual([]);
    expect(result.program).toBeDefined();
  });

  it.each(examples)('formatting %s is idempotent and keeps its meaning', (file) => {
    const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
    const once = formatDocument(text);
    expect(formatDocument(once)).toBe(once);
    const before = compile(text, file).program;
    const after = compile(once, file).program;
    expect(withoutLocations(after)).toEqual(withoutLocations(before));
  });

  it('the generated large scenario compiles without errors at several sizes', () => {
    for (const lines of [10, 100, 1000]) {
      const text = generateLargeScenario(lines);
      if (lines >= 100) expect(text.split('\n').length - 1).toBe(lines);
      expect(show(compile(text, 'large.kscn').diagnostics)).toEqual([]);
      expect(formatDocument(text)).toBe(text);
    }
  });
});
