// Incremental analysis: after an edit inside one process whose declared names stay the same, parse
// and check only that process again, move the positions of everything after it in place, and
// reuse the rest. The result equals a full `analyze` of the new text (test/language/incremental
// tests this with random edits); whenever that cannot be guaranteed cheaply, it is a full analysis.
//
// Reusing means updating the previous analysis's objects in place (positions, declarations, the
// model), so the previous analysis must not be used afterwards: the language server replaces it
// with the new one. An analysis can be the base of one incremental update only.

import type { CommentNode, FileNode, ProcessItem } from './ast';
import { check, recheckProcess, type CheckState, type CheckedModel } from './checker';
import { parseRegion, parseText, type ParseStep } from './parser';
import type { Scope, SymbolTable } from './symbols';
import { LineIndex, shiftPositions, type Diagnostic, type Position, type Range } from './text';

/** The caps of the lexer, the parser and the checker (below them, each part's diagnostics are its own). */
const MAX_LEX_DIAGNOSTICS = 200;
const MAX_PARSE_ERRORS = 300;

export interface AnalysisParts {
  readonly file: string;
  readonly text: string;
  readonly ast: FileNode;
  readonly diagnostics: Diagnostic[];
  readonly symbols: SymbolTable;
  readonly lines: LineIndex;
  readonly model: CheckedModel;
}

/** What an analysis keeps for the next incremental update. */
interface IncrementalState {
  readonly steps: ParseStep[];
  /** Lexer diagnostics, in the order the lexer found them (by position of their token). */
  readonly lexDiagnostics: Diagnostic[];
  readonly check: CheckState;
  consumed: boolean;
}

const states = new WeakMap<object, IncrementalState>();
const incremental = new WeakSet<object>();

/** Parses and checks a whole text, keeping what an incremental update needs. */
export function analyzeFull(text: string, file: string): AnalysisParts {
  const parsed = parseText(text, file);
  const checked = check(parsed.ast, text, parsed.lines);
  const lexDiagnostics = parsed.diagnostics.slice(0, parsed.lexDiagnosticCount);
  const analysis: AnalysisParts = {
    file,
    text,
    ast: parsed.ast,
    diagnostics: sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]),
    symbols: checked.symbols,
    lines: parsed.lines,
    model: checked.model,
  };
  states.set(analysis, { steps: [...parsed.steps], lexDiagnostics, check: checked.state, consumed: false });
  return analysis;
}

/** Whether an analysis was made by an incremental update (for tests and benchmarks). */
export function isIncrementalAnalysis(analysis: object): boolean {
  return incremental.has(analysis);
}

/**
 * The analysis of `text`, given the analysis of the previous text of the same file: incremental
 * when possible, full otherwise. `previous` must not be used afterwards.
 */
export function reanalyzeParts(previous: AnalysisParts, text: string): AnalysisParts {
  if (previous.text === text) return previous;
  const state = states.get(previous);
  if (state !== undefined && !state.consumed) {
    try {
      const result = tryIncremental(previous, state, text);
      if (result !== undefined) return result;
    } catch {
      // A bug in the incremental path must not cost the user their diagnostics: analyse afresh.
      state.consumed = true;
    }
  }
  return analyzeFull(text, previous.file);
}

function isSpace(c: number): boolean {
  return c === 10 || c === 13 || c === 32 || c === 9 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0;
}

function tryIncremental(previous: AnalysisParts, state: IncrementalState, text: string): AnalysisParts | undefined {
  const old = previous.text;
  const steps = state.steps;
  if (steps.length === 0) return undefined;
  // The edit: old [editStart, oldEditEnd) became new [editStart, newEditEnd).
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const editStart = prefix;
  const oldEditEnd = old.length - suffix;
  const delta = text.length - old.length;

  // The step the edit lies in: the last one starting at or before it.
  let low = 0;
  let high = steps.length - 1;
  let k = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (steps[mid]!.start.offset <= editStart) {
      k = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  if (k < 0) return undefined;
  const step = steps[k]!;
  if (step.node?.kind !== 'process') return undefined;
  const oldNode = step.node;
  const regionStart = step.start.offset;
  const next = steps[k + 1];
  const regionEnd = next !== undefined ? next.start.offset : old.length;
  // The part starts where no token can span, and the edit ends before the line of the next step.
  if (regionStart > 0 && !isSpace(old.charCodeAt(regionStart - 1))) return undefined;
  if (next !== undefined) {
    let lineBreak = false;
    for (let i = oldEditEnd; i < regionEnd; i++) {
      const c = old.charCodeAt(i);
      if (c === 10 || c === 13) {
        lineBreak = true;
        break;
      }
    }
    if (!lineBreak) return undefined;
  }
  // No step before may have looked at anything the edit touches (a step looks at most a few
  // tokens into the next one, but a short next step may be passed over).
  for (let j = k - 1; j >= 0; j--) {
    const before = steps[j]!;
    if (before.start.offset + before.seenEnd >= editStart) return undefined;
  }
  // Below the caps, each part's diagnostics are its own.
  let parseErrors = 0;
  for (const s of steps) parseErrors += s.parseErrors;
  if (state.lexDiagnostics.length >= MAX_LEX_DIAGNOSTICS || parseErrors >= MAX_PARSE_ERRORS) return undefined;
  // The process's name must be its own (a duplicate's diagnostics point across processes).
  const name = oldNode.name.name;
  if (name === '' || previous.ast.items.some((item) => item !== oldNode && item.name.name === name)) return undefined;
  const processIndex = previous.ast.processes.indexOf(oldNode);
  if (processIndex < 0) return undefined;

  // Parse the part again: from the step's start to the end of the next step's first line.
  const lines = LineIndex.edited(previous.lines, text, editStart, oldEditEnd, text.length - suffix);
  const newRegionEnd = regionEnd + delta;
  let lexEnd = text.length;
  if (next !== undefined) {
    lexEnd = newRegionEnd;
    while (lexEnd < text.length && text.charCodeAt(lexEnd) !== 10 && text.charCodeAt(lexEnd) !== 13) lexEnd++;
    if (lexEnd < text.length) lexEnd += text.charCodeAt(lexEnd) === 13 && text.charCodeAt(lexEnd + 1) === 10 ? 2 : 1;
  }
  const region = parseRegion(text, previous.file, lines, regionStart, lexEnd, next !== undefined ? newRegionEnd : text.length);
  if (!region.clean || region.steps.length !== 1) return undefined;
  const newStep = region.steps[0]!;
  const newNode = newStep.node;
  if (newNode?.kind !== 'process' || newNode.name.name !== name || !sameItems(oldNode.items, newNode.items)) return undefined;
  const regionLex = region.lexDiagnostics.filter((d) => d.range.start.offset < newRegionEnd);
  const oldLex = state.lexDiagnostics;
  let lexFrom = 0;
  while (lexFrom < oldLex.length && oldLex[lexFrom]!.range.start.offset < regionStart) lexFrom++;
  let lexTo = lexFrom;
  while (lexTo < oldLex.length && oldLex[lexTo]!.range.start.offset < regionEnd) lexTo++;
  if (oldLex.length - (lexTo - lexFrom) + regionLex.length >= MAX_LEX_DIAGNOSTICS) return undefined;
  if (parseErrors - step.parseErrors + newStep.parseErrors >= MAX_PARSE_ERRORS) return undefined;

  // From here on the previous analysis is updated in place.
  state.consumed = true;
  const processes = [...previous.ast.processes];
  processes[processIndex] = newNode;
  const items = previous.ast.items.map((item) => (item === oldNode ? newNode : item));
  const comments: CommentNode[] = [];
  for (const comment of previous.ast.comments) if (comment.range.start.offset < regionStart) comments.push(comment);
  for (const comment of region.comments) {
    if (comment.start < newRegionEnd) comments.push({ kind: 'comment', text: comment.text, range: lines.freshRange(comment.start, comment.end) });
  }
  const movedComments: CommentNode[] = [];
  for (const comment of previous.ast.comments) if (comment.range.start.offset >= regionEnd) movedComments.push(comment);
  const ast: FileNode = {
    ...previous.ast,
    processes,
    items,
    comments: comments.concat(movedComments),
    range: lines.range(0, text.length),
  };

  const checked = recheckProcess({
    ast, text, lines, model: previous.model, symbols: previous.symbols, state: state.check, index: processIndex, oldNode,
  });
  if (checked === undefined) return undefined;

  // Move everything after the part.
  const lineDelta = next !== undefined ? lines.position(newRegionEnd).line - next.start.line : 0;
  let lexDiagnostics = [...oldLex.slice(0, lexFrom), ...regionLex];
  if (next !== undefined && (delta !== 0 || lineDelta !== 0)) {
    for (let j = k + 1; j < steps.length; j++) shiftPositions(steps[j]!.log, delta, lineDelta);
    for (const comment of movedComments) {
      const range = comment.range;
      shiftPositions(range.end === range.start ? [range.start] : [range.start, range.end], delta, lineDelta);
    }
    for (const diagnostic of oldLex.slice(lexTo)) lexDiagnostics.push({ ...diagnostic, range: shiftedRange(diagnostic.range, delta, lineDelta) });
    const model = previous.model;
    const root = checked.symbols.root;
    for (let p = processIndex + 1; p < root.children.length; p++) shiftScope(root.children[p]!, delta, true);
    if (lineDelta !== 0) {
      for (let r = checked.state.firstRoutine[processIndex + 1]!; r < model.routines.length; r++) {
        const routine = model.routines[r]!;
        for (const [statement, slot] of routine.repeatSlots) routine.slotNames[slot] = `(repeat ${statement.range.start.line}:${statement.range.start.column})`;
      }
      const diagnostics = checked.state.diagnostics;
      const owners = checked.state.owners;
      for (let i = 0; i < diagnostics.length; i++) {
        const diagnostic = diagnostics[i]!;
        if (owners[i]! > processIndex && diagnostic.code === 'use-before-let') {
          diagnostics[i] = { ...diagnostic, message: diagnostic.message.replace(/\(line (\d+)\)/, (_, n: string) => `(line ${Number(n) + lineDelta})`) };
        }
      }
    }
  } else {
    lexDiagnostics = lexDiagnostics.concat(oldLex.slice(lexTo));
  }

  const newSteps = [...steps];
  newSteps[k] = newStep;
  const parseDiagnostics: Diagnostic[] = [];
  for (const s of newSteps) for (const d of s.diagnostics) parseDiagnostics.push(d);
  const analysis: AnalysisParts = {
    file: previous.file,
    text,
    ast,
    diagnostics: sortDiagnostics([...lexDiagnostics, ...parseDiagnostics, ...checked.state.diagnostics]),
    symbols: checked.symbols,
    lines,
    model: previous.model,
  };
  states.set(analysis, { steps: newSteps, lexDiagnostics, check: checked.state, consumed: false });
  incremental.add(analysis);
  return analysis;
}

/** The length of the longest common prefix, found by comparing halves natively. */
function commonPrefix(a: string, b: string): number {
  let low = 0;
  let high = Math.min(a.length, b.length);
  // Invariant: the first `low` characters agree; the first `high + 1` do not (or do not exist).
  while (high - low > 32) {
    const mid = (low + high) >>> 1;
    if (a.substring(low, mid) === b.substring(low, mid)) low = mid;
    else high = mid;
  }
  while (low < high && a.charCodeAt(low) === b.charCodeAt(low)) low++;
  return low;
}

/** The length of the longest common suffix, at most `limit`. */
function commonSuffix(a: string, b: string, limit: number): number {
  let low = 0;
  let high = limit;
  while (high - low > 32) {
    const mid = (low + high) >>> 1;
    if (a.substring(a.length - mid, a.length - low) === b.substring(b.length - mid, b.length - low)) low = mid;
    else high = mid;
  }
  while (low < high && a.charCodeAt(a.length - 1 - low) === b.charCodeAt(b.length - 1 - low)) low++;
  return low;
}

/** Whether two item lists declare the same names, kinds and routines, in the same order. */
function sameItems(a: readonly ProcessItem[], b: readonly ProcessItem[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind !== y.kind || x.name.name !== y.name.name) return false;
    if (x.kind === 'thread' && y.kind === 'thread' && (x.body === undefined) !== (y.body === undefined)) return false;
  }
  return true;
}

function shiftedPosition(position: Position, delta: number, lineDelta: number): Position {
  return { line: position.line + lineDelta, column: position.column, offset: position.offset + delta };
}

function shiftedRange(range: Range, delta: number, lineDelta: number): Range {
  const start = shiftedPosition(range.start, delta, lineDelta);
  return { start, end: range.end === range.start ? start : shiftedPosition(range.end, delta, lineDelta) };
}

/** Moves a scope and its entries' visibility offsets (a process scope's entries are visible from 0). */
function shiftScope(scope: Scope, delta: number, isProcess: boolean): void {
  const mutable = scope as { start: number; end: number };
  mutable.start += delta;
  mutable.end += delta;
  if (!isProcess) for (const entry of scope.entries) (entry as { visibleFrom: number }).visibleFrom += delta;
  for (const child of scope.children) shiftScope(child, delta, false);
}

/** Orders diagnostics by position (stable, so a line's errors keep their discovery order). */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort((a, b) => a.diagnostic.range.start.offset - b.diagnostic.range.start.offset || a.index - b.index)
    .map((entry) => entry.diagnostic);
}
