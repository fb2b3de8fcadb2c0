// Position lookups over the syntax tree and the text: the word under the cursor, the declaration
// (machine, process, item, block) that encloses an offset. Binary searches over source-ordered
// lists, so a request costs O(log n) in the document size, not a rescan.

import type { Analysis, Block, FileNode, MachineNode, ProcessItem, ProcessNode, Range, Statement } from '../core/index';

export interface Word {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 48 && code <= 57);
}

/** The identifier-like word touching an offset (a cursor just after a word touches it). */
export function wordAt(text: string, offset: number): Word | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && isWordChar(text.charCodeAt(start - 1)) && offset - start < 256) start--;
  while (end < text.length && isWordChar(text.charCodeAt(end)) && end - offset < 256) end++;
  if (start === end) return undefined;
  const first = text.charCodeAt(start);
  if (first >= 48 && first <= 57) return undefined;
  return { start, end, text: text.slice(start, end) };
}

/** The last element of a start-sorted list whose start is at or before an offset. */
export function lastStartingAtOrBefore<T>(list: readonly T[], offset: number, startOf: (item: T) => number): number {
  let low = 0;
  let high = list.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (startOf(list[mid]!) <= offset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

export interface Enclosing {
  readonly machine?: MachineNode;
  readonly process?: ProcessNode;
  /** Whether the offset is inside the process's or machine's braces (not in its header). */
  readonly inBody: boolean;
  readonly item?: ProcessItem;
  /** The thread or routine body containing the offset, and the innermost block inside it. */
  readonly body?: Block;
  readonly block?: Block;
  /** `process.thread` or `process.routine`: the container name the symbol table uses. */
  readonly container?: string;
}

function inside(range: Range, offset: number, text: string): boolean {
  const start = range.start.offset;
  const end = range.end.offset;
  if (offset <= start) return false;
  // A closed block ends after its `}`: the cursor must be before it. An unclosed one (the user is
  // typing it) runs on to the next declaration: callers only ask about the last one before the offset.
  return text.charCodeAt(end - 1) === 125 /* } */ ? offset < end : true;
}

/** Which declaration and block enclose an offset. */
export function enclosingAt(analysis: Analysis, offset: number): Enclosing {
  const ast: FileNode = analysis.ast;
  const text = analysis.text;
  const index = lastStartingAtOrBefore(ast.items, offset - 1, (item) => item.range.start.offset);
  const top = index >= 0 ? ast.items[index]! : undefined;
  if (top === undefined || !inside(top.range, offset, text)) return { inBody: false };
  const open = text.indexOf('{', top.name.range.end.offset);
  const inBody = open >= 0 && open < offset && open < top.range.end.offset;
  if (top.kind === 'machine') return { machine: top, inBody };
  const process = top;
  if (!inBody) return { process, inBody };
  const itemIndex = lastStartingAtOrBefore(process.items, offset - 1, (item) => item.range.start.offset);
  const item = itemIndex >= 0 ? process.items[itemIndex]! : undefined;
  if (item === undefined) return { process, inBody };
  const body = item.kind === 'thread' ? item.body : item.kind === 'routine' ? item.body : undefined;
  if (body === undefined || !inside(body.range, offset, text)) {
    return offset <= item.range.end.offset ? { process, inBody, item } : { process, inBody };
  }
  return { process, inBody, item, body, block: innermostBlock(body, offset, text), container: `${process.name.name}.${item.name.name}` };
}

function innermostBlock(block: Block, offset: number, text: string): Block {
  let current = block;
  for (let depth = 0; depth < 64; depth++) {
    const statements = current.statements;
    const index = lastStartingAtOrBefore(statements, offset - 1, (s) => s.range.start.offset);
    const statement = index >= 0 ? statements[index]! : undefined;
    const next = statement === undefined ? undefined : childBlockAt(statement, offset, text);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

function childBlockAt(statement: Statement, offset: number, text: string): Block | undefined {
  if (statement.kind === 'repeat') return inside(statement.body.range, offset, text) ? statement.body : undefined;
  if (statement.kind === 'if') {
    if (inside(statement.then.range, offset, text)) return statement.then;
    const otherwise = statement.else;
    if (otherwise === undefined) return undefined;
    if (otherwise.kind === 'block') return inside(otherwise.range, offset, text) ? otherwise : undefined;
    return childBlockAt(otherwise, offset, text);
  }
  return undefined;
}

/** The start offset of the line containing an offset. */
export function lineStartOf(analysis: Analysis, offset: number): number {
  const starts = analysis.lines.lineStarts;
  const index = lastStartingAtOrBefore(starts, offset, (start) => start);
  return starts[Math.max(index, 0)]!;
}
