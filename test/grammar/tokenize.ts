// Tokenizes `.kscn` text with the real TextMate engine VS Code uses (vscode-textmate on the
// Oniguruma WebAssembly build that ships inside vscode-oniguruma).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const require = createRequire(import.meta.url);

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GRAMMAR_PATH = join(ROOT, 'syntaxes', 'kscn.tmLanguage.json');

export interface Token {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly text: string;
  /** Innermost last; `source.kscn` first. */
  readonly scopes: readonly string[];
}

let grammarPromise: Promise<textmate.IGrammar> | undefined;

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.kscn'
        ? textmate.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
        : null,
  });
  const grammar = await registry.loadGrammar('source.kscn');
  if (!grammar) throw new Error('source.kscn did not load');
  return grammar;
}

export function grammar(): Promise<textmate.IGrammar> {
  grammarPromise ??= loadGrammar();
  return grammarPromise;
}

/** Every token of `text`, line by line, carrying the rule stack across lines as VS Code does. */
export async function tokenize(text: string): Promise<Token[]> {
  const g = await grammar();
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const tokens: Token[] = [];
  let state = textmate.INITIAL;
  lines.forEach((lineText, i) => {
    const result = g.tokenizeLine(lineText, state);
    for (const t of result.tokens) {
      const end = Math.min(t.endIndex, lineText.length);
      if (end <= t.startIndex) continue;
      tokens.push({ line: i + 1, col: t.startIndex + 1, text: lineText.slice(t.startIndex, end), scopes: t.scopes });
    }
    state = result.ruleStack;
  });
  return tokens;
}

/** Whitespace-only tokens carry nothing worth reading. */
export function isBlank(token: Token): boolean {
  return token.text.trim() === '';
}

/** `line:col text → scopes`, one line per non-blank token, `source.kscn` left out. */
export function formatTokens(tokens: readonly Token[]): string {
  return tokens
    .filter((t) => !isBlank(t))
    .map((t) => {
      const text = t.text !== t.text.trim() || t.text.includes('→') ? JSON.stringify(t.text) : t.text;
      const scopes = t.scopes.filter((s) => s !== 'source.kscn').join(' ') || '(source.kscn only)';
      return `${t.line}:${t.col} ${text} → ${scopes}`;
    })
    .join('\n')
    .concat('\n');
}

/** The tokens covering exactly `needle` on the first line containing it (a token may span more). */
export async function scopesOf(source: string, needle: string, occurrence = 0): Promise<string[][]> {
  const tokens = await tokenize(source);
  const lines = source.split(/\r?\n/);
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    let from = 0;
    for (;;) {
      const at = lines[i]!.indexOf(needle, from);
      if (at < 0) break;
      if (seen++ === occurrence) {
        const start = at;
        const end = at + needle.length;
        return tokens
          .filter((t) => t.line === i + 1 && t.col - 1 < end && t.col - 1 + t.text.length > start)
          .map((t) => [...t.scopes]);
      }
      from = at + 1;
    }
  }
  throw new Error(`'${needle}' (occurrence ${occurrence}) not found in the source`);
}
