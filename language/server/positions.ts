// The one place where the language core's 1-based lines and columns meet LSP's 0-based lines and
// UTF-16 characters. Every other server module converts through these functions.

import type { Position as LspPosition, Range as LspRange } from 'vscode-languageserver';
import type { LineIndex, Position as CorePosition, Range as CoreRange } from '../core/index';

/** A core position (1-based line and column) as an LSP position (0-based line and character). */
export function toLspPosition(position: CorePosition): LspPosition {
  return { line: position.line - 1, character: position.column - 1 };
}

/** A core range as an LSP range. */
export function toLspRange(range: CoreRange): LspRange {
  return { start: toLspPosition(range.start), end: toLspPosition(range.end) };
}

/** An LSP range for two offsets into the text. */
export function offsetsToLspRange(lines: LineIndex, start: number, end: number): LspRange {
  return toLspRange(lines.range(start, end));
}

/** An LSP position for an offset into the text. */
export function offsetToLspPosition(lines: LineIndex, offset: number): LspPosition {
  return toLspPosition(lines.position(offset));
}

/**
 * The offset of an LSP position, clamped into the text: a line past the end maps to the end of
 * the text, a character past the end of its line to the end of that line (before its line break).
 * Malformed positions (negative, fractional, NaN) are clamped too, so no request can point outside.
 */
export function lspPositionToOffset(text: string, lines: LineIndex, position: LspPosition | undefined): number {
  if (position === undefined || position === null) return 0;
  const line = sanitize(position.line);
  const character = sanitize(position.character);
  const starts = lines.lineStarts;
  if (line >= starts.length) return text.length;
  const lineStart = starts[line]!;
  let lineEnd = line + 1 < starts.length ? starts[line + 1]! : text.length;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 10) lineEnd--;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  return Math.min(lineStart + character, lineEnd);
}

/** The offsets of an LSP range, clamped and ordered. */
export function lspRangeToOffsets(text: string, lines: LineIndex, range: LspRange | undefined): { start: number; end: number } {
  if (range === undefined || range === null) return { start: 0, end: text.length };
  const start = lspPositionToOffset(text, lines, range.start);
  const end = lspPositionToOffset(text, lines, range.end);
  return start <= end ? { start, end } : { start: end, end: start };
}

function sanitize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return 0;
  return Math.min(Math.floor(value), 0x7fff_ffff);
}
