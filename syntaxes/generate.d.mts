// Types for syntaxes/generate.mjs, so TypeScript tests can import it.

export interface GrammarTables {
  syscalls: string[];
  builtins: string[];
  constants: { name: string; family: string | undefined }[];
}

export interface GrammarRule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: GrammarRule[];
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
}

export interface Grammar {
  scopeName: string;
  patterns: GrammarRule[];
  repository: Record<string, GrammarRule>;
  [key: string]: unknown;
}

export const RESERVED: readonly string[];
export const NARROW: readonly string[];
export const CONSTANT_FAMILY_SCOPES: Readonly<Record<'chcore' | 'mach' | 'tock' | 'state' | 'config' | 'other', string>>;
export const GENERATED_RULES: Readonly<Record<string, string>>;
export function buildGrammar(tables: GrammarTables): Grammar;
export function renderGrammar(tables: GrammarTables): string;
export function loadTables(root: string): Promise<GrammarTables>;
