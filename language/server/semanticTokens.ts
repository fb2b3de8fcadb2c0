// Semantic tokens: the lexer's tokens, classified by the symbol table (what each name declares or
// refers to) and the kernel's tables (syscalls, builtins, constants).

import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import { CONTEXTUAL_KEYWORDS, type Analysis, type SymbolKind } from '../core/index';
import { builtinByName, syscallByName } from '../../kernel/syscalls';
import { NAMED_CONSTANTS } from '../../kernel/constants';
import type { LexedText } from './documents';
import { offsetToLspPosition } from './positions';
import { lastStartingAtOrBefore } from './syntax';

export const TOKEN_TYPES = [
  'process', 'thread', 'routine', 'pmo', 'machine', 'parameter', 'variable', 'function', 'enumMember',
  'keyword', 'number', 'string', 'comment',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly', 'defaultLibrary'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE_INDEX = new Map<TokenType, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const MODIFIER_BIT = new Map<TokenModifier, number>(TOKEN_MODIFIERS.map((m, i) => [m, 1 << i]));

const SYMBOL_TOKEN: Record<SymbolKind, { type: TokenType; modifiers: TokenModifier[] }> = {
  process: { type: 'process', modifiers: [] },
  thread: { type: 'thread', modifiers: [] },
  routine: { type: 'routine', modifiers: [] },
  pmo: { type: 'pmo', modifiers: [] },
  machine: { type: 'machine', modifiers: [] },
  param: { type: 'parameter', modifiers: [] },
  local: { type: 'variable', modifiers: [] },
  cap: { type: 'variable', modifiers: ['readonly'] },
};

const REGISTERS: ReadonlySet<string> = new Set(['pc', 'sp', 'arg0', 'arg1', 'arg2', 'arg3', 'ret']);

interface RawToken {
  readonly start: number;
  readonly end: number;
  readonly type: TokenType;
  readonly modifiers: number;
}

function modifierBits(modifiers: readonly TokenModifier[]): number {
  let bits = 0;
  for (const m of modifiers) bits |= MODIFIER_BIT.get(m) ?? 0;
  return bits;
}

/** The semantic tokens of a document, optionally only those overlapping [start, end). */
export function semanticTokens(analysis: Analysis, lexed: LexedText, start = 0, end = Number.MAX_SAFE_INTEGER): SemanticTokens {
  const tokens = lexed.tokens;
  const comments = lexed.comments;
  const text = analysis.text;
  const raw: RawToken[] = [];
  let t = Math.max(0, lastStartingAtOrBefore(tokens, start, (token) => token.start));
  let c = Math.max(0, lastStartingAtOrBefore(comments, start, (comment) => comment.start));
  const nextNonSpace = (offset: number): number => {
    let i = offset;
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    return text.charCodeAt(i);
  };
  for (;;) {
    const token = t < tokens.length ? tokens[t] : undefined;
    const comment = c < comments.length ? comments[c] : undefined;
    const tokenStart = token?.start ?? Number.MAX_SAFE_INTEGER;
    const commentStart = comment?.start ?? Number.MAX_SAFE_INTEGER;
    if (Math.min(tokenStart, commentStart) >= end || (token === undefined && comment === undefined)) break;
    if (comment !== undefined && commentStart < tokenStart) {
      c++;
      if (comment.end > start) raw.push({ start: comment.start, end: comment.end, type: 'comment', modifiers: 0 });
      continue;
    }
    t++;
    if (token === undefined || token.end <= start || token.end === token.start) continue;
    switch (token.kind) {
      case 'keyword':
        raw.push({ start: token.start, end: token.end, type: 'keyword', modifiers: 0 });
        break;
      case 'int':
      case 'size':
        raw.push({ start: token.start, end: token.end, type: 'number', modifiers: 0 });
        break;
      case 'string':
        raw.push({ start: token.start, end: token.end, type: 'string', modifiers: 0 });
        break;
      case 'name': {
        const classified = classifyName(analysis, token.text, token.start, token.end, nextNonSpace(token.end));
        if (classified !== undefined) raw.push(classified);
        break;
      }
      default:
        break;
    }
  }
  return { data: encode(analysis, raw) };
}

function classifyName(analysis: Analysis, name: string, start: number, end: number, next: number): RawToken | undefined {
  const symbol = analysis.symbols.symbolAt(start);
  if (symbol !== undefined && symbol.range.start.offset === start && symbol.range.end.offset === end) {
    const spec = SYMBOL_TOKEN[symbol.declaration.kind];
    const modifiers = [...spec.modifiers, ...(symbol.isDeclaration ? (['declaration'] as const) : [])];
    return { start, end, type: spec.type, modifiers: modifierBits(modifiers) };
  }
  if (next === 40 /* ( */) {
    if (syscallByName(name)?.name === name) return { start, end, type: 'function', modifiers: 0 };
    if (builtinByName(name) !== undefined) return { start, end, type: 'function', modifiers: modifierBits(['defaultLibrary']) };
  }
  if (next === 58 /* : */) return { start, end, type: 'parameter', modifiers: 0 };
  if (NAMED_CONSTANTS.has(name)) return { start, end, type: 'enumMember', modifiers: modifierBits(['readonly']) };
  if (REGISTERS.has(name)) return { start, end, type: 'variable', modifiers: modifierBits(['readonly', 'defaultLibrary']) };
  if (CONTEXTUAL_KEYWORDS.has(name)) return { start, end, type: 'keyword', modifiers: 0 };
  return undefined;
}

/** Delta-encodes tokens as LSP asks: line, character, length, type, modifiers. */
function encode(analysis: Analysis, raw: readonly RawToken[]): number[] {
  const data: number[] = [];
  let previousLine = 0;
  let previousCharacter = 0;
  for (const token of raw) {
    const { line, character } = offsetToLspPosition(analysis.lines, token.start);
    const lineEnd = line + 1 < analysis.lines.lineStarts.length ? analysis.lines.lineStarts[line + 1]! : analysis.text.length;
    const length = Math.min(token.end, lineEnd) - token.start;
    if (length <= 0) continue;
    data.push(line - previousLine, line === previousLine ? character - previousCharacter : character, length, TYPE_INDEX.get(token.type)!, token.modifiers);
    previousLine = line;
    previousCharacter = character;
  }
  return data;
}
