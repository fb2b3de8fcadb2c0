// The call around the cursor, read from the tokens before it (the line and a few above, for calls
// that span lines inside parentheses). Typing leaves calls unfinished (`ipc_call(conn, |`), where
// error recovery cannot say much; the tokens still can.

import { lex, LineIndex, type Analysis, type Token } from '../core/index';
import { builtinByName, syscallByName, type BuiltinSpec, type ParameterSpec, type SyscallSpec } from '../../kernel/syscalls';
import { lastStartingAtOrBefore } from './syntax';

/** How many lines above the cursor a call's opening parenthesis is looked for. */
const MAX_CALL_LINES = 12;
/** How many characters before the cursor are read at most. */
export const MAX_PREFIX = 20_000;

export interface CallContext {
  readonly callee: string;
  readonly spec?: SyscallSpec | BuiltinSpec;
  readonly kind?: 'syscall' | 'builtin';
  readonly parameters: readonly ParameterSpec[];
  /** Index of the argument being written (commas before it). */
  readonly argumentIndex: number;
  /** The parameter it binds (by name, or by position while no argument is named), or -1. */
  readonly parameterIndex: number;
  /** How many arguments before the current one are positional (they bind the first parameters). */
  readonly positionalCount: number;
  /** Names of the arguments already given by name. */
  readonly namedArguments: ReadonlySet<string>;
  /** Tokens of the current argument before the cursor. */
  readonly argumentTokens: readonly Token[];
  /** Whether the cursor is inside a `[...]` list that is the argument's value. */
  readonly inList: boolean;
}

/** The tokens before an offset, from up to MAX_CALL_LINES lines above it (newlines and EOF removed). */
export function tokensBefore(analysis: Analysis, offset: number, lineCount = MAX_CALL_LINES): Token[] {
  const starts = analysis.lines.lineStarts;
  const line = Math.max(0, lastStartingAtOrBefore(starts, offset, (s) => s));
  // Very long lines are read from their last MAX_PREFIX characters only.
  const from = Math.max(starts[Math.max(0, line - lineCount + 1)]!, offset - MAX_PREFIX);
  const prefix = analysis.text.slice(from, offset);
  const lexed = lex(prefix, new LineIndex(prefix));
  return lexed.tokens.filter((t) => t.kind !== 'eof');
}

/** The call whose argument list the cursor is in, from the tokens before it. */
export function callContextAt(analysis: Analysis, offset: number): CallContext | undefined {
  const tokens = tokensBefore(analysis, offset);
  // A word being typed is part of the current argument.
  let depth = 0;
  let listOpener = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.kind !== 'punct') continue;
    const text = token.text;
    if (text === ')' || text === ']') depth++;
    else if (text === '{' || text === '}') {
      if (depth === 0) return undefined;
    } else if (text === '(' || text === '[') {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (text === '[') {
        if (listOpener < 0) listOpener = i;
        continue;
      }
      const calleeToken = tokens[i - 1];
      if (calleeToken === undefined || calleeToken.kind !== 'name') return undefined;
      return describeCall(calleeToken.text, tokens.slice(i + 1), listOpener >= 0);
    }
  }
  return undefined;
}

function describeCall(callee: string, argumentTokens: readonly Token[], inList: boolean): CallContext {
  const syscall = syscallByName(callee);
  const builtin = syscall === undefined ? builtinByName(callee) : undefined;
  const spec = syscall ?? builtin;
  const parameters = spec?.params ?? [];
  // Split the tokens after `(` into arguments at top-level commas.
  const pieces: Token[][] = [[]];
  let depth = 0;
  for (const token of argumentTokens) {
    if (token.kind === 'newline') continue;
    if (token.kind === 'punct') {
      if (token.text === '(' || token.text === '[') depth++;
      else if (token.text === ')' || token.text === ']') depth--;
      else if (token.text === ',' && depth === 0) {
        pieces.push([]);
        continue;
      }
    }
    pieces[pieces.length - 1]!.push(token);
  }
  const nameOf = (piece: readonly Token[]): string | undefined =>
    piece.length >= 2 && (piece[0]!.kind === 'name' || piece[0]!.kind === 'keyword') && piece[1]!.text === ':' ? piece[0]!.text : undefined;
  const namedArguments = new Set<string>();
  let positionalCount = 0;
  for (const piece of pieces.slice(0, -1)) {
    const name = nameOf(piece);
    if (name !== undefined) namedArguments.add(name);
    else positionalCount++;
  }
  const current = pieces[pieces.length - 1]!;
  const argumentIndex = pieces.length - 1;
  const currentName = nameOf(current);
  let parameterIndex = -1;
  if (currentName !== undefined) parameterIndex = parameters.findIndex((p) => p.name === currentName);
  else if (namedArguments.size === 0 && argumentIndex < parameters.length) parameterIndex = argumentIndex;
  return {
    callee,
    ...(spec !== undefined ? { spec, kind: syscall !== undefined ? 'syscall' as const : 'builtin' as const } : {}),
    parameters,
    argumentIndex,
    parameterIndex,
    positionalCount,
    namedArguments,
    argumentTokens: current,
    inList,
  };
}
