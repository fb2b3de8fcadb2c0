// The lexer: turns scenario text into tokens over char codes, one pass, never throwing.
//
// Comments are kept in a separate list (the formatter and the outline use them). Newlines are
// tokens because they end statements; the parser skips them inside `(...)` and `[...]`.

import type { Diagnostic, LineIndex } from './text';

export type TokenKind =
  | 'name'
  | 'keyword'
  | 'int'
  | 'size'
  | 'string'
  | 'punct'
  | 'newline'
  | 'invalid'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The name, keyword, or punctuation text; the raw text for literals. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** For `int` and `size`: the value (NaN when the literal is invalid or too large). */
  readonly value?: number;
  /** For `string`: the bytes. */
  readonly bytes?: Uint8Array;
}

export interface Comment {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Reserved words: never names. The header words in `CONTEXTUAL_KEYWORDS` are keywords only where a
 * declaration header expects them, so `badge`, `size` or `cpu` stay usable as parameter, local and
 * argument names (`routine echo(msg, badge)`, `pmo_create(size: 4096)`); the lexer reads them as
 * names and the parser recognises them by position.
 */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'scenario', 'machine', 'process', 'pmo', 'cap', 'thread', 'routine', 'let', 'expect', 'print',
  'if', 'else', 'repeat', 'as', 'break', 'continue', 'true', 'false', 'and', 'or', 'not',
]);

/**
 * Header and clause words that are keywords only in one narrow place, and ordinary names
 * everywhere else; editors colour them as keywords only there. `register`, `kernel` (thread type),
 * `tock` (process header), the machine properties added for XNU and Tock and their values, and
 * the words of `link` and `fault` declarations (`link` and `fault` start a declaration only at the
 * top level; `kill(...)` stays a syscall).
 */
export const NARROW_KEYWORDS: ReadonlySet<string> = new Set([
  'register', 'kernel', 'tock', 'nodes', 'byte_order', 'data_model', 'mpu_regions', 'little', 'big',
  'lp64', 'ilp32', 'link', 'latency', 'fault', 'by', 'count', 'kill', 'crash', 'restart', 'after',
  'drop', 'down', 'up',
]);

/** Words that are keywords only in declaration headers and fault clauses (see `NARROW_KEYWORDS`). */
export const CONTEXTUAL_KEYWORDS: ReadonlySet<string> = new Set([
  'on', 'badge', 'size', 'at', 'user', 'register', 'shadow', 'priority', 'cpu', 'runs', 'cpus',
  'memory', 'timeslice', ...NARROW_KEYWORDS,
]);

/**
 * Every keyword of the language as documented (reserved and header words, except the
 * `NARROW_KEYWORDS`, which are keywords in one place only). Editors colour these as keywords.
 */
export const KEYWORDS: ReadonlySet<string> = new Set(
  [...RESERVED_WORDS, ...CONTEXTUAL_KEYWORDS].filter((word) => !NARROW_KEYWORDS.has(word)),
);

/** The largest integer a literal may denote: 2^53 - 1, exact in a JavaScript number. */
export const MAX_LITERAL = Number.MAX_SAFE_INTEGER;

const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['KiB', 1024],
  ['MiB', 1024 * 1024],
  ['GiB', 1024 * 1024 * 1024],
]);

const UNIT_SUGGESTIONS: ReadonlyMap<string, string> = new Map([
  ['K', 'KiB'], ['KB', 'KiB'], ['k', 'KiB'], ['kb', 'KiB'], ['kib', 'KiB'], ['Kib', 'KiB'], ['KIB', 'KiB'],
  ['M', 'MiB'], ['MB', 'MiB'], ['m', 'MiB'], ['mb', 'MiB'], ['mib', 'MiB'], ['Mib', 'MiB'], ['MIB', 'MiB'],
  ['G', 'GiB'], ['GB', 'GiB'], ['g', 'GiB'], ['gb', 'GiB'], ['gib', 'GiB'], ['Gib', 'GiB'], ['GIB', 'GiB'],
]);

export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
  readonly diagnostics: Diagnostic[];
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNamePart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 99;
}

/** Appends the UTF-8 encoding of a code point (lone surrogates become U+FFFD). */
function pushUtf8(out: number[], codePoint: number): void {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0xfffd;
  if (codePoint < 0x80) out.push(codePoint);
  else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63));
  else if (codePoint < 0x10000) out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63));
  else
    out.push(
      0xf0 | (codePoint >> 18),
      0x80 | ((codePoint >> 12) & 63),
      0x80 | ((codePoint >> 6) & 63),
      0x80 | (codePoint & 63),
    );
}

// Single-character punctuation, indexed by char code.
const PUNCT_TEXT: (string | undefined)[] = [];
for (const ch of '(){}[],.:=<>+-*/%&|^~') PUNCT_TEXT[ch.charCodeAt(0)] = ch;

/** The length of the punctuation token starting with `c` (then `d`), or 0. */
function punctuationLength(c: number, d: number): number {
  switch (c) {
    case 61: // =
      return d === 61 ? 2 : 1;
    case 33: // !
      return d === 61 ? 2 : 0;
    case 60: // <  (`<->` is handled by the caller)
      return d === 61 || d === 60 ? 2 : 1;
    case 62: // >
      return d === 61 || d === 62 ? 2 : 1;
    default:
      return c < PUNCT_TEXT.length && PUNCT_TEXT[c] !== undefined ? 1 : 0;
  }
}

/**
 * Lexes `text` from `start` to `end` (the whole text by default). A part must begin and end where
 * no token can span (a line start, say): an incremental analysis re-lexes one declaration's lines.
 */
export function lex(text: string, lines: LineIndex, start = 0, end = text.length): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = end;
  let i = start;

  const error = (start: number, end: number, message: string, code: string, data?: unknown): void => {
    if (diagnostics.length >= 200) return;
    const diagnostic: Diagnostic = { severity: 'error', message, range: lines.range(start, end), code };
    diagnostics.push(data === undefined ? diagnostic : { ...diagnostic, data });
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace other than line breaks.
    if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0) {
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      const start = i;
      i += c === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      tokens.push({ kind: 'newline', text: '\n', start, end: i, value: undefined, bytes: undefined });
      continue;
    }
    if (c === 35 || (c === 47 && i + 1 < n && text.charCodeAt(i + 1) === 47)) {
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 10 || d === 13) break;
        i++;
      }
      comments.push({ text: text.slice(start, i), start, end: i });
      continue;
    }
    if (isNameStart(c)) {
      const start = i;
      i++;
      while (i < n && isNamePart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: RESERVED_WORDS.has(word) ? 'keyword' : 'name', text: word, start, end: i, value: undefined, bytes: undefined });
      continue;
    }
    if (c >= 48 && c <= 57) {
      i = lexNumber(i);
      continue;
    }
    if (c === 34) {
      i = lexString(i);
      continue;
    }
    // `<->` joins two machines in `link` and `fault` declarations. It can never occur in a valid
    // expression (`<` `-` `>` would need an operand starting with `>`), so one token is safe.
    if (c === 60 && i + 2 < n && text.charCodeAt(i + 1) === 45 && text.charCodeAt(i + 2) === 62) {
      tokens.push({ kind: 'punct', text: '<->', start: i, end: i + 3, value: undefined, bytes: undefined });
      i += 3;
      continue;
    }
    const punct = punctuationLength(c, i + 1 < n ? text.charCodeAt(i + 1) : -1);
    if (punct > 0) {
      tokens.push({ kind: 'punct', text: punct === 1 ? PUNCT_TEXT[c]! : text.slice(i, i + 2), start: i, end: i + punct, value: undefined, bytes: undefined });
      i += punct;
      continue;
    }
    // Anything else: one invalid character (a whole surrogate pair when there is one).
    const start = i;
    const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += isPair ? 2 : 1;
    const raw = text.slice(start, i);
    tokens.push({ kind: 'invalid', text: raw, start, end: i, value: undefined, bytes: undefined });
    const shown = c < 32 || c === 127 || (c >= 0xd800 && c <= 0xdfff && !isPair) ? `\\u${c.toString(16).padStart(4, '0')}` : raw;
    const hint = c === 59 ? ' (statements end at the end of the line)' : c === 33 ? ' (write \'not\')' : '';
    error(start, i, `unexpected character '${shown}'${hint}`, 'invalid-character');
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n, value: undefined, bytes: undefined });
  return { tokens, comments, diagnostics };

  function lexNumber(start: number): number {
    let j = start;
    let base = 10;
    if (text.charCodeAt(j) === 48 && j + 1 < n) {
      const p = text.charCodeAt(j + 1);
      if (p === 120 || p === 88) base = 16;
      else if (p === 98 || p === 66) base = 2;
      if (base !== 10) j += 2;
    }
    let value = 0;
    let digits = 0;
    let overflow = false;
    let badDigit = -1;
    let trailingUnderscore = false;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 95) {
        trailingUnderscore = true;
        j++;
        continue;
      }
      const v = digitValue(d);
      if (v === 99) break;
      if (base === 10 && v > 9) break;
      if (v >= base) {
        if (badDigit < 0) badDigit = j;
      }
      trailingUnderscore = false;
      value = value * base + v;
      if (value > MAX_LITERAL) overflow = true;
      digits++;
      j++;
    }
    // A unit or stray letters directly after the digits.
    let unitStart = j;
    while (j < n && isNamePart(text.charCodeAt(j))) j++;
    const unit = text.slice(unitStart, j);
    let kind: TokenKind = 'int';
    let valid = true;
    if (digits === 0) {
      error(start, j, base === 16 ? 'hexadecimal literal has no digits' : 'binary literal has no digits', 'invalid-number');
      valid = false;
    } else if (badDigit >= 0) {
      error(start, j, `invalid digit '${text[badDigit]}' in a ${base === 2 ? 'binary' : 'hexadecimal'} literal`, 'invalid-number');
      valid = false;
    }
    if (unit.length > 0) {
      const multiplier = SIZE_UNITS.get(unit);
      if (multiplier !== undefined) {
        kind = 'size';
        value *= multiplier;
        if (value > MAX_LITERAL) overflow = true;
      } else if (valid) {
        const suggestion = UNIT_SUGGESTIONS.get(unit);
        if (suggestion !== undefined) {
          error(unitStart, j, `unknown size unit '${unit}'; did you mean '${suggestion}'?`, 'invalid-number', { suggestion });
        } else {
          error(start, j, `invalid number '${text.slice(start, j)}'`, 'invalid-number');
        }
        valid = false;
      }
    }
    if (valid && trailingUnderscore && unit.length === 0) {
      error(start, j, 'a number may not end with \'_\'', 'invalid-number');
      valid = false;
    }
    if (valid && overflow) {
      error(start, j, `number '${text.slice(start, j)}' is larger than 2^53 - 1 and cannot be represented exactly`, 'number-overflow');
      valid = false;
    }
    tokens.push({ kind, text: text.slice(start, j), start, end: j, value: valid ? value : Number.NaN, bytes: undefined });
    return j;
  }

  function lexString(start: number): number {
    let j = start + 1;
    const bytes: number[] = [];
    let closed = false;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 34) {
        j++;
        closed = true;
        break;
      }
      if (d === 10 || d === 13) break;
      if (d === 92) {
        const e = j + 1 < n ? text.charCodeAt(j + 1) : -1;
        switch (e) {
          case 110: bytes.push(10); j += 2; continue;
          case 116: bytes.push(9); j += 2; continue;
          case 92: bytes.push(92); j += 2; continue;
          case 34: bytes.push(34); j += 2; continue;
          case 48: bytes.push(0); j += 2; continue;
          case 120: {
            const h1 = j + 2 < n ? digitValue(text.charCodeAt(j + 2)) : 99;
            const h2 = j + 3 < n ? digitValue(text.charCodeAt(j + 3)) : 99;
            if (h1 < 16 && h2 < 16) {
              bytes.push(h1 * 16 + h2);
              j += 4;
            } else {
              error(j, Math.min(j + 2, n), '\\x must be followed by two hexadecimal digits', 'invalid-escape');
              j += 2;
            }
            continue;
          }
          default: {
            if (e === 10 || e === 13 || e === -1) {
              j++;
              continue;
            }
            error(j, j + 2, `unknown escape '\\${String.fromCharCode(e)}' (use \\n, \\t, \\\\, \\", \\0 or \\xNN)`, 'invalid-escape');
            j += 2;
            continue;
          }
        }
      }
      if (d < 0x80) {
        bytes.push(d);
        j++;
      } else if (d >= 0xd800 && d <= 0xdbff && j + 1 < n && (text.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
        pushUtf8(bytes, ((d - 0xd800) << 10) + (text.charCodeAt(j + 1) - 0xdc00) + 0x10000);
        j += 2;
      } else {
        pushUtf8(bytes, d);
        j++;
      }
    }
    if (!closed) error(start, j, 'unterminated string', 'unterminated-string');
    tokens.push({ kind: 'string', text: text.slice(start, j), start, end: j, value: undefined, bytes: Uint8Array.from(bytes) });
    return j;
  }
}
