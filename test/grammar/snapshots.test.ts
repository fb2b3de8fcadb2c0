// Snapshot of the tokens of every example and every grammar fixture: one readable line per token,
// `line:col text → scopes`. A grammar change shows up as a reviewable diff of these files; after an
// intended change, refresh them with `npx vitest run test/grammar -u`.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTokens, isBlank, ROOT, tokenize } from './tokenize';

const EXAMPLES = join(ROOT, 'examples');
const FIXTURES = join(ROOT, 'test', 'grammar', 'fixtures');

const kscnFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.kscn'))
    .sort();

describe('grammar snapshots: examples/', () => {
  const files = kscnFiles(EXAMPLES);

  it('finds the examples', () => {
    expect(files).toContain('echo.kscn');
  });

  for (const file of files) {
    it(file, async () => {
      const tokens = await tokenize(readFileSync(join(EXAMPLES, file), 'utf8'));
      await expect(formatTokens(tokens)).toMatchFileSnapshot(`__snapshots__/examples/${file}.tokens.txt`);

      // Examples are valid scenarios: nothing in them is marked invalid, and every non-blank
      // token is coloured by some rule.
      const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));
      expect(invalid.map((t) => `${t.line}:${t.col} ${t.text}`)).toEqual([]);
      const bare = tokens.filter((t) => !isBlank(t) && t.scopes.length === 1);
      expect(bare.map((t) => `${t.line}:${t.col} ${t.text}`)).toEqual([]);
    });
  }
});

describe('grammar snapshots: test/grammar/fixtures/', () => {
  const files = kscnFiles(FIXTURES);

  it('has the all-constructs fixture', () => {
    expect(files).toContain('all-constructs.kscn');
  });

  for (const file of files) {
    it(file, async () => {
      const tokens = await tokenize(readFileSync(join(FIXTURES, file), 'utf8'));
      await expect(formatTokens(tokens)).toMatchFileSnapshot(`__snapshots__/fixtures/${file}.tokens.txt`);
      if (file !== 'invalid.kscn') {
        const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid.')));
        expect(invalid.map((t) => `${t.line}:${t.col} ${t.text}`)).toEqual([]);
        const bare = tokens.filter((t) => !isBlank(t) && t.scopes.length === 1);
        expect(bare.map((t) => `${t.line}:${t.col} ${t.text}`)).toEqual([]);
      }
    });
  }
});
