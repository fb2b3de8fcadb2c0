// Debug-time helpers for the extension's inline values and evaluatable-expression providers: the
// name (or `process.member`) under the cursor, and the locals visible in a range of lines.

import type { InlineValueVariableLookup, Range as LspRange } from 'vscode-languageserver';
import type { Analysis, SymbolDeclaration } from '../core/index';
import { NAMED_CONSTANTS } from '../../kernel/constants';
import { offsetsToLspRange, toLspRange } from './positions';
import { lastStartingAtOrBefore, wordAt } from './syntax';

const REGISTERS: ReadonlySet<string> = new Set(['pc', 'sp', 'arg0', 'arg1', 'arg2', 'arg3', 'ret']);

export interface EvaluatableExpression {
  readonly range: LspRange;
  /** The text to evaluate: `conn`, `server.main`, `arg0`, `EINVAL`. */
  readonly expression: string;
}

export interface InlineVariable {
  readonly range: LspRange;
  readonly variableName: string;
}

/** The name or qualified name under an offset, or null where there is nothing to evaluate. */
export function evaluatableExpressionAt(analysis: Analysis, offset: number): EvaluatableExpression | null {
  const text = analysis.text;
  const word = wordAt(text, offset);
  if (word === undefined) return null;
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol === undefined) {
    if (REGISTERS.has(word.text) || NAMED_CONSTANTS.has(word.text)) {
      return { range: offsetsToLspRange(analysis.lines, word.start, word.end), expression: word.text };
    }
    return null;
  }
  if (symbol.declaration.kind === 'machine') return null;
  let start = symbol.range.start.offset;
  let end = symbol.range.end.offset;
  // `server.main`: evaluate the qualified name, from either part.
  if (text.charCodeAt(start - 1) === 46 /* . */) {
    const head = wordAt(text, start - 1);
    if (head !== undefined && head.end === start - 1) start = head.start;
  } else if (symbol.declaration.kind === 'process' && text.charCodeAt(end) === 46) {
    const member = wordAt(text, end + 1);
    if (member !== undefined && member.start === end + 1) end = member.end;
  }
  return { range: offsetsToLspRange(analysis.lines, start, end), expression: text.slice(start, end) };
}

interface Occurrence {
  readonly start: number;
  readonly end: number;
  readonly declaration: SymbolDeclaration;
  readonly range: SymbolDeclaration['nameRange'];
}

const occurrenceCache = new WeakMap<Analysis, Occurrence[]>();

/** Declarations and uses of locals and parameters, in source order (built once per analysis). */
function variableOccurrences(analysis: Analysis): Occurrence[] {
  let list = occurrenceCache.get(analysis);
  if (list === undefined) {
    list = [];
    for (const d of analysis.symbols.declarations) {
      if (d.kind === 'local' || d.kind === 'param') list.push({ start: d.nameRange.start.offset, end: d.nameRange.end.offset, declaration: d, range: d.nameRange });
    }
    for (const r of analysis.symbols.references) {
      const d = r.declaration;
      if (d.kind === 'local' || d.kind === 'param') list.push({ start: r.range.start.offset, end: r.range.end.offset, declaration: d, range: r.range });
    }
    list.sort((a, b) => a.start - b.start);
    occurrenceCache.set(analysis, list);
  }
  return list;
}

/** The locals and parameters named between two offsets, each with its range, for inline values. */
export function inlineVariables(analysis: Analysis, start: number, end: number): InlineVariable[] {
  const list = variableOccurrences(analysis);
  const result: InlineVariable[] = [];
  for (let i = Math.max(0, lastStartingAtOrBefore(list, start - 1, (o) => o.start) + 1); i < list.length; i++) {
    const occurrence = list[i]!;
    if (occurrence.start > end) break;
    if (occurrence.start < start || occurrence.end <= occurrence.start) continue;
    result.push({ range: toLspRange(occurrence.range), variableName: occurrence.declaration.name });
  }
  return result;
}

/** The same, as LSP inline values (`textDocument/inlineValue`). */
export function inlineValueLookups(analysis: Analysis, start: number, end: number): InlineValueVariableLookup[] {
  return inlineVariables(analysis, start, end).map((v) => ({ range: v.range, variableName: v.variableName, caseSensitiveLookup: true }));
}
