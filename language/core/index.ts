// The language core's public API: parse, analyze, lower, compile and format scenario text.
//
// Pure functions over strings: no file system, no LSP, no VS Code. Parsing never throws; every
// result carries its diagnostics. The language server, the CLI and the tests are built on this.

import type { FileNode } from './ast';
import type { CheckedModel } from './checker';
import { analyzeFull, isIncrementalAnalysis, reanalyzeParts, sortDiagnostics } from './incremental';
import { lowerModel } from './lower';
import { parseText } from './parser';
import type { SymbolTable } from './symbols';
import type { Diagnostic, LineIndex } from './text';
import type { ScenarioProgram } from '../../kernel/program';

export type * from './ast';
export type { Diagnostic, Position, Range, RelatedInformation, Severity } from './text';
export { LineIndex, editDistance, closestName, rangeContains } from './text';
export {
  SymbolTable,
  type BootSlot, type CallAtPosition, type CallSite, type Callee, type Scope, type SymbolDeclaration,
  type SymbolKind, type SymbolReference, type ValueKind,
} from './symbols';
export type { CheckedModel, NameResolution } from './checker';
export { DEFAULT_MACHINE, DEFAULT_PRIORITY, PRIORITY_MAX, PRIORITY_MIN, MAX_ROUTINE_PARAMS, formatBytes } from './checker';
export { CONTEXTUAL_KEYWORDS, KEYWORDS, NARROW_KEYWORDS, RESERVED_WORDS, lex, type Token, type TokenKind, type Comment } from './lexer';
export { formatDocument } from './format';
export { generateLargeScenario } from './generate';

export interface ParseOutput {
  readonly ast: FileNode;
  readonly diagnostics: Diagnostic[];
}

export interface Analysis {
  readonly file: string;
  readonly text: string;
  readonly ast: FileNode;
  /** Syntax and semantic diagnostics, ordered by position. */
  readonly diagnostics: Diagnostic[];
  readonly symbols: SymbolTable;
  /** Offsets to line/column positions. */
  readonly lines: LineIndex;
  /** The checker's decisions (object, routine and slot numbers), for lowering. */
  readonly model: CheckedModel;
}

export interface CompileOutput {
  readonly program?: ScenarioProgram;
  readonly diagnostics: Diagnostic[];
  readonly analysis: Analysis;
}

/** Parses scenario text. Never throws. */
export function parse(text: string, file: string): ParseOutput {
  const result = parseText(text, file);
  return { ast: result.ast, diagnostics: sortDiagnostics(result.diagnostics) };
}

/** Parses and checks scenario text, building the symbol table. Never throws. */
export function analyze(text: string, file: string): Analysis {
  return analyzeFull(text, file);
}

/**
 * The analysis of a new text of the same file, given the analysis of its previous text: after an
 * edit inside one process that keeps the names it declares, only that process is parsed and
 * checked again and the rest is moved and reused; otherwise this is `analyze`. Either way the
 * result equals `analyze(text, previous.file)`. `previous` is consumed (its objects are reused and
 * updated in place): do not use it, or anything taken from it, afterwards. Never throws.
 */
export function reanalyze(previous: Analysis, text: string): Analysis {
  return reanalyzeParts(previous, text);
}

/** Whether `reanalyze` took the incremental path for this analysis (for tests and benchmarks). */
export { isIncrementalAnalysis };

/** Lowers an analysis to the kernel program, or undefined when it has errors. */
export function lower(analysis: Analysis): ScenarioProgram | undefined {
  if (analysis.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return lowerModel({ file: analysis.file, text: analysis.text, model: analysis.model, fileRange: analysis.ast.range });
}

/** Analyzes and lowers in one step. */
export function compile(text: string, file: string): CompileOutput {
  const analysis = analyze(text, file);
  const program = lower(analysis);
  return { ...(program !== undefined ? { program } : {}), diagnostics: analysis.diagnostics, analysis };
}
