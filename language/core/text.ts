// Positions, ranges and diagnostics: the one place the language core defines how it points into text.
//
// Lines and columns are 1-based; columns and offsets count UTF-16 code units (JavaScript string
// indices), which is what LSP uses by default. Offsets are 0-based. A line ends at `\n`, `\r\n`
// or a lone `\r`.

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units. */
  readonly column: number;
  /** 0-based offset into the text, in UTF-16 code units. */
  readonly offset: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInformation {
  readonly message: string;
  readonly range: Range;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: Range;
  /** A stable identifier for the kind of problem, e.g. `undefined-name`. */
  readonly code?: string;
  readonly related?: readonly RelatedInformation[];
  /** Data for quick fixes: `{ suggestion: 'ipc_call' }`, `{ declareMissing: { kind, name } }`. */
  readonly data?: unknown;
}

/** Maps offsets to line/column positions with a binary search over line starts. */
export class LineIndex {
  /** Offset of the first character of each line; `lineStarts[0]` is 0. */
  readonly lineStarts: number[];
  readonly length: number;
  /** The line of the last lookup: most lookups are close together, so try it first. */
  private lastLine = 0;

  private readonly text: string;

  /**
   * The index of a text that differs from `previous`'s text only in `[editStart, oldEditEnd)`,
   * which became `[editStart, newEditEnd)`: only the changed lines are scanned.
   */
  static edited(previous: LineIndex, text: string, editStart: number, oldEditEnd: number, newEditEnd: number): LineIndex {
    const old = previous.lineStarts;
    const starts: number[] = [];
    let i = 0;
    // Line starts whose two surrounding characters lie before the edit are unchanged.
    while (i < old.length && old[i]! < editStart) starts.push(old[i++]!);
    if (starts.length === 0) starts.push(0);
    const n = text.length;
    for (let s = Math.max(1, editStart); s <= newEditEnd && s <= n; s++) {
      const c = text.charCodeAt(s - 1);
      if (c === 10 || (c === 13 && text.charCodeAt(s) !== 10)) starts.push(s);
    }
    // Those whose two characters lie after it move by the length difference.
    const delta = newEditEnd - oldEditEnd;
    while (i < old.length && old[i]! <= oldEditEnd) i++;
    for (; i < old.length; i++) starts.push(old[i]! + delta);
    return new LineIndex(text, starts);
  }

  constructor(text: string, lineStarts?: number[]) {
    this.text = text;
    if (lineStarts !== undefined) {
      this.lineStarts = lineStarts;
      this.length = text.length;
      return;
    }
    const starts = [0];
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
    this.length = n;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /**
   * Recently made positions, direct-mapped by offset: a node's start is usually its first token's
   * start, so sharing the (immutable) objects saves most allocations.
   */
  private readonly recent: (Position | undefined)[] = new Array<Position | undefined>(1024).fill(undefined);
  /** The epoch each cached position was made in: positions are shared only within one epoch. */
  private readonly recentEpoch = new Int32Array(1024);
  private epoch = 0;
  /**
   * When set, every position made is appended here. The parser gives each top-level declaration
   * its own epoch and log, so that an incremental analysis can shift a declaration's positions in
   * place (see `shiftPositions`) knowing that no position object is shared with another one.
   */
  log: Position[] | undefined;

  /** Starts a new epoch (positions made from now on are not shared with earlier ones) and log. */
  beginEpoch(log: Position[] | undefined): void {
    this.epoch++;
    this.log = log;
  }

  position(offset: number): Position {
    if (offset < 0) offset = 0;
    if (offset > this.length) offset = this.length;
    const slot = offset & 1023;
    const cached = this.recent[slot];
    if (cached !== undefined && cached.offset === offset && this.recentEpoch[slot] === this.epoch) return cached;
    const position = this.computePosition(offset);
    this.recent[slot] = position;
    this.recentEpoch[slot] = this.epoch;
    if (this.log !== undefined) this.log.push(position);
    return position;
  }

  /** A position object of its own: never cached, never logged. */
  freshPosition(offset: number): Position {
    if (offset < 0) offset = 0;
    if (offset > this.length) offset = this.length;
    return this.computePosition(offset);
  }

  /** A range made of fresh positions (see `freshPosition`). */
  freshRange(startOffset: number, endOffset: number): Range {
    const start = this.freshPosition(startOffset);
    return { start, end: endOffset <= startOffset ? start : this.freshPosition(endOffset) };
  }

  private computePosition(offset: number): Position {
    const starts = this.lineStarts;
    const hint = this.lastLine;
    if (starts[hint]! <= offset && (hint + 1 >= starts.length || offset < starts[hint + 1]!)) {
      return { line: hint + 1, column: offset - starts[hint]! + 1, offset };
    }
    if (hint + 1 < starts.length && starts[hint + 1]! <= offset && (hint + 2 >= starts.length || offset < starts[hint + 2]!)) {
      this.lastLine = hint + 1;
      return { line: hint + 2, column: offset - starts[hint + 1]! + 1, offset };
    }
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    this.lastLine = low;
    return { line: low + 1, column: offset - starts[low]! + 1, offset };
  }

  range(startOffset: number, endOffset: number): Range {
    const start = this.position(startOffset);
    const end = endOffset === startOffset ? start : this.position(endOffset);
    return { start, end: end.offset < start.offset ? start : end };
  }

  /** The offset of a 1-based line and column, clamped to the line (before its line break). */
  offsetAt(line: number, column: number): number {
    const starts = this.lineStarts;
    if (line < 1) return 0;
    if (line > starts.length) return this.length;
    const lineStart = starts[line - 1]!;
    let lineEnd = line < starts.length ? starts[line]! : this.length;
    if (lineEnd > lineStart && line < starts.length) {
      lineEnd--; // the \n or lone \r
      if (lineEnd > lineStart && this.text.charCodeAt(lineEnd) === 10 && this.text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    }
    return Math.min(Math.max(lineStart + column - 1, lineStart), lineEnd);
  }
}

/**
 * Moves positions in place by `offsetDelta` code units and `lineDelta` lines (columns unchanged):
 * how an incremental analysis re-bases the declarations after an edit. Each object must occur once.
 */
export function shiftPositions(positions: readonly Position[], offsetDelta: number, lineDelta: number): void {
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as { offset: number; line: number };
    p.offset += offsetDelta;
    p.line += lineDelta;
  }
}

/** Whether `offset` lies inside `range` (end inclusive, so a cursor just after a name still hits it). */
export function rangeContains(range: Range, offset: number): boolean {
  return range.start.offset <= offset && offset <= range.end.offset;
}

/** Levenshtein distance, bounded: returns `limit + 1` as soon as the distance must exceed `limit`. */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** The closest candidate within a distance proportional to the name's length, or undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length < 2) return undefined;
  const limit = name.length <= 3 ? 1 : name.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(name, candidate, limit);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
