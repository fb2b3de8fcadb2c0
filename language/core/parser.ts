// The error-tolerant parser: recursive descent over the token list, never throwing.
//
// Errors become diagnostics and `error` nodes; recovery synchronises at line ends, braces and
// declaration keywords so that later errors are still found. Nesting is bounded so that no input
// can exhaust the stack of the parser or of the passes that walk the tree.

import type {
  Argument, BinaryOp, Block, CallExpression, CapNode, CommentNode, ErrorExpression, Expression,
  FaultActionNode, FaultNode, FaultTriggerNode, FileNode, Identifier, IfStatement, LinkNode,
  LinkReference, MachineNode, MachineProperty, MachinePropertyName, NameExpression, NumberLiteral,
  PmoNode, ProcessItem, ProcessNode, RoutineNode, ScenarioHeader, Statement, ThreadNode,
  ThreadOption, ThreadTypeName,
} from './ast';
import { lex, type Comment, type Token } from './lexer';
import { LineIndex, closestName, type Diagnostic, type Position, type Range, type RelatedInformation } from './text';

export interface ParseResult {
  readonly ast: FileNode;
  readonly diagnostics: Diagnostic[];
  /** The line index of the text, for converting offsets. */
  readonly lines: LineIndex;
  /** The raw comments, in order. */
  readonly comments: readonly Comment[];
  /** The top-level steps, for incremental analysis. */
  readonly steps: readonly ParseStep[];
  /** How many of `diagnostics` (the first ones) come from the lexer. */
  readonly lexDiagnosticCount: number;
}

/** The most diagnostics one parse reports; the rest would only repeat the first ones' cause. */
const MAX_PARSE_DIAGNOSTICS = 300;
/** How deeply parentheses, lists and unary operators may nest in one expression. */
const MAX_EXPRESSION_DEPTH = 64;
/** The tallest expression tree (long operator chains included) the later passes will walk. */
const MAX_EXPRESSION_HEIGHT = 400;
/** How deeply `if` and `repeat` blocks may nest. */
const MAX_BLOCK_DEPTH = 48;

/** Keywords that start a declaration: a block that meets one is missing its `}`. */
const DECLARATION_KEYWORDS: ReadonlySet<string> = new Set(['machine', 'process', 'thread', 'routine', 'pmo', 'cap', 'scenario']);
/** Keywords that start a statement. */
const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set(['let', 'expect', 'print', 'if', 'repeat', 'break', 'continue', 'else']);

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];
const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** The words that start a top-level declaration, for suggestions. */
const TOP_LEVEL_WORDS: readonly string[] = ['machine', 'process', 'link', 'fault', 'scenario'];
const MACHINE_PROPERTIES: readonly MachinePropertyName[] = ['cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model', 'mpu_regions'];
const THREAD_TYPES: ReadonlySet<string> = new Set<ThreadTypeName>(['user', 'register', 'shadow', 'kernel']);
const FAULT_ACTIONS: readonly string[] = ['kill', 'link', 'crash', 'drop'];

export function parseText(text: string, file: string): ParseResult {
  const lines = new LineIndex(text);
  const lexed = lex(text, lines);
  const lexDiagnosticCount = lexed.diagnostics.length;
  const parser = new Parser(text, file, lines, lexed.tokens, lexed.diagnostics);
  const ast = parser.parseFile(lexed.comments);
  return { ast, diagnostics: parser.diagnostics, lines, comments: lexed.comments, steps: parser.steps, lexDiagnosticCount };
}

export interface RegionParse {
  readonly steps: readonly ParseStep[];
  readonly lexDiagnostics: readonly Diagnostic[];
  readonly comments: readonly Comment[];
  /** Whether the parse stopped exactly at the stop token, having looked at nothing past `end`. */
  readonly clean: boolean;
}

/**
 * Parses the part of `text` from `start` (where a step begins) to `end` (a line end) as top-level
 * steps, stopping at the first token at or after `stop`. For incremental analysis: the result
 * is what a whole-file parse would give for those steps when `clean` and the step before `start`
 * did not look into the part.
 */
export function parseRegion(text: string, file: string, lines: LineIndex, start: number, end: number, stop: number): RegionParse {
  const lexed = lex(text, lines, start, end);
  const tokens = lexed.tokens;
  let stopIndex = tokens.length - 1;
  if (stop < end) {
    stopIndex = tokens.findIndex((t) => t.kind !== 'newline' && t.start >= stop);
    if (stopIndex < 0 || tokens[stopIndex]!.start !== stop) return { steps: [], lexDiagnostics: lexed.diagnostics, comments: lexed.comments, clean: false };
  }
  const lexDiagnostics = [...lexed.diagnostics];
  const parser = new Parser(text, file, lines, tokens, lexed.diagnostics);
  parser.parseSteps(stop < end ? stopIndex : -1);
  const atEnd = end >= text.length;
  const clean = parser.position === stopIndex && (atEnd || parser.furthest < tokens.length - 1);
  return { steps: parser.steps, lexDiagnostics, comments: lexed.comments, clean };
}

/** A top-level declaration. */
export type StepNode = MachineNode | ProcessNode | LinkNode | FaultNode | ScenarioHeader;

/** One top-level step of the parse: a declaration, or a stray token and what was skipped with it. */
export interface ParseStep {
  /** The declaration, or undefined for a stray token. */
  readonly node: StepNode | undefined;
  /** Where the step starts (moves with the step). */
  readonly start: Position;
  /** Every position made while parsing the step (each object once). */
  readonly log: Position[];
  /** The end of the furthest token the parser looked at during the step, relative to `start`. */
  readonly seenEnd: number;
  /** Syntax errors counted during the step (towards the cap). */
  readonly parseErrors: number;
  /** The syntax diagnostics made during the step, in order. */
  readonly diagnostics: Diagnostic[];
}

class Parser {
  readonly diagnostics: Diagnostic[];
  private pos = 0;
  /** > 0 inside `(...)` and `[...]`, where newlines are insignificant. */
  private groupDepth = 0;
  private expressionDepth = 0;
  private blockDepth = 0;
  /** End offset of the last consumed token. */
  private lastEnd = 0;
  /** Set after a fatal problem in a statement; silences follow-on errors until the line ends. */
  private panicking = false;
  private parseErrorCount = 0;
  /** The index of the furthest token looked at (see `ParseStep.seenEnd`). */
  private seen = 0;
  readonly steps: ParseStep[] = [];
  readonly machines: MachineNode[] = [];
  readonly processes: ProcessNode[] = [];
  readonly items: (MachineNode | ProcessNode)[] = [];
  readonly links: LinkNode[] = [];
  readonly faults: FaultNode[] = [];
  scenario: ScenarioHeader | undefined;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lines: LineIndex,
    private readonly tokens: readonly Token[],
    lexDiagnostics: Diagnostic[],
  ) {
    this.diagnostics = lexDiagnostics;
  }

  /** The current token index. */
  get position(): number {
    return this.pos;
  }

  /** The index of the furthest token looked at. */
  get furthest(): number {
    return this.seen;
  }

  // -------------------------------------------------------------------------------------------
  // Token access

  private peek(): Token {
    if (this.groupDepth > 0 && !this.panicking) {
      while (this.tokens[this.pos]!.kind === 'newline') this.pos++;
    }
    if (this.pos > this.seen) this.seen = this.pos;
    return this.tokens[this.pos]!;
  }

  /** Notes that the token at `index` was looked at (see `seen`). */
  private look(index: number): void {
    if (index > this.seen) this.seen = Math.min(index, this.tokens.length - 1);
  }

  /** The token after the current one (newlines skipped inside groups). */
  private peekSecond(): Token {
    this.peek();
    let i = this.pos + 1;
    if (this.groupDepth > 0 && !this.panicking) while (this.tokens[i]!.kind === 'newline') i++;
    this.look(i);
    return this.tokens[Math.min(i, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    this.lastEnd = token.end;
    return token;
  }

  private is(text: string): boolean {
    const token = this.peek();
    return (token.kind === 'punct' || token.kind === 'keyword') && token.text === text;
  }

  private accept(text: string): Token | undefined {
    return this.is(text) ? this.next() : undefined;
  }

  /** Whether the current token is the contextual keyword `word` (lexed as a name). */
  private isWord(word: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text === word;
  }

  private acceptWord(word: string): Token | undefined {
    return this.isWord(word) ? this.next() : undefined;
  }

  /**
   * Whether the current token starts a `link` or `fault` declaration: `link NAME <->` or
   * `fault at`/`fault on`. Those words are names elsewhere, so the shape decides; no statement or
   * process item can start this way, so an unclosed block ends here.
   */
  private atWordDeclaration(): boolean {
    const token = this.tokens[this.pos]!;
    this.look(this.pos);
    if (token.kind !== 'name' || (token.text !== 'link' && token.text !== 'fault')) return false;
    const second = this.tokens[this.pos + 1];
    this.look(this.pos + 1);
    if (second === undefined || second.kind !== 'name') return false;
    if (token.text === 'fault') return second.text === 'at' || second.text === 'on';
    const third = this.tokens[this.pos + 2];
    this.look(this.pos + 2);
    return third !== undefined && third.kind === 'punct' && third.text === '<->';
  }

  /** Whether a newline separates the current token from the previous one. */
  private newlineBefore(): boolean {
    this.peek();
    return this.pos > 0 && this.tokens[this.pos - 1]!.kind === 'newline';
  }

  private skipNewlines(): void {
    while (this.tokens[this.pos]!.kind === 'newline') this.pos++;
    this.look(this.pos);
  }

  private range(start: number, end = this.lastEnd): Range {
    return this.lines.range(start, Math.max(start, end));
  }

  private tokenRange(token: Token): Range {
    return this.lines.range(token.start, token.end);
  }

  private error(range: Range, message: string, code = 'syntax', related?: RelatedInformation[], data?: unknown): void {
    if (this.panicking) return;
    this.parseErrorCount++;
    if (this.parseErrorCount > MAX_PARSE_DIAGNOSTICS) return;
    if (this.parseErrorCount === MAX_PARSE_DIAGNOSTICS) {
      this.diagnostics.push({ severity: 'error', message: 'too many syntax errors; later ones are not reported', range, code: 'too-many-errors' });
      return;
    }
    const diagnostic: Diagnostic = { severity: 'error', message, range, code };
    this.diagnostics.push({
      ...diagnostic,
      ...(related !== undefined ? { related } : {}),
      ...(data !== undefined ? { data } : {}),
    });
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case 'eof': return 'end of file';
      case 'newline': return 'end of line';
      case 'string': return 'a string';
      case 'int':
      case 'size': return `'${token.text}'`;
      default: return `'${token.text.length > 20 ? token.text.slice(0, 20) + '…' : token.text}'`;
    }
  }

  /** Reports at the current token (or just after the previous one when at a line end). */
  private errorHere(message: string, code = 'syntax'): void {
    const token = this.peek();
    // The lexer has already reported an invalid character; one message is enough.
    if (token.kind === 'invalid') return;
    const range =
      token.kind === 'newline' || token.kind === 'eof'
        ? this.lines.range(this.lastEnd, this.lastEnd)
        : this.tokenRange(token);
    this.error(range, message, code);
  }

  /** Skips to the end of the line, stepping over balanced braces; stops at an unmatched `}`. */
  private syncToLineEnd(): void {
    const savedGroup = this.groupDepth;
    this.groupDepth = 0;
    let braces = 0;
    for (;;) {
      const token = this.tokens[this.pos]!;
      this.look(this.pos);
      if (token.kind === 'eof') break;
      if (token.kind === 'newline' && braces === 0) break;
      if (token.kind === 'punct' && token.text === '{') braces++;
      if (token.kind === 'punct' && token.text === '}') {
        if (braces === 0) break;
        braces--;
      }
      if (braces > 0 && token.kind === 'keyword' && DECLARATION_KEYWORDS.has(token.text) && (token.text === 'process' || token.text === 'machine')) {
        // An unclosed block swallowing a whole process: stop at the next top-level declaration.
        if (this.tokens[this.pos - 1]?.kind === 'newline') break;
      }
      this.pos++;
      this.lastEnd = token.end;
    }
    this.groupDepth = savedGroup;
  }

  /** After a statement or property: the line must end here. */
  private endOfLine(): void {
    const token = this.peek();
    if (token.kind === 'newline') {
      this.pos++;
      return;
    }
    if (token.kind === 'eof' || (token.kind === 'punct' && token.text === '}')) return;
    if (this.newlineBefore()) return;
    this.errorHere(`expected end of line, found ${this.describe(token)}`);
    this.syncToLineEnd();
  }

  private identifier(token: Token): Identifier {
    return { kind: 'identifier', name: token.text, range: this.tokenRange(token) };
  }

  /** A NAME, or undefined (reported) when the current token is not one. */
  private expectName(what: string): Identifier | undefined {
    const token = this.peek();
    if (token.kind === 'name') return this.identifier(this.next());
    if (token.kind === 'keyword') {
      this.errorHere(`expected ${what}, but '${token.text}' is a keyword`);
      // Take it as the name anyway so that the rest of the line parses.
      return this.identifier(this.next());
    }
    this.errorHere(`expected ${what}, found ${this.describe(token)}`);
    return undefined;
  }

  private missingName(): Identifier {
    return { kind: 'identifier', name: '', range: this.lines.range(this.lastEnd, this.lastEnd) };
  }

  private errorExpression(): ErrorExpression {
    const token = this.peek();
    const start = token.kind === 'newline' || token.kind === 'eof' ? this.lastEnd : token.start;
    return { kind: 'error', range: this.lines.range(start, start) };
  }

  /** An INT or SIZE literal for a declaration. */
  private numberLiteral(what: string, allowSize: boolean): NumberLiteral | ErrorExpression {
    const token = this.peek();
    if (token.kind === 'int' || token.kind === 'size') {
      this.next();
      if (token.kind === 'size' && !allowSize) {
        this.error(this.tokenRange(token), `expected ${what}, not a size`, 'type');
        return { kind: 'error', range: this.tokenRange(token) };
      }
      return { kind: 'number', value: token.value ?? Number.NaN, isSize: token.kind === 'size', text: token.text, range: this.tokenRange(token) };
    }
    if (token.kind === 'punct' && token.text === '-' && (this.peekSecond().kind === 'int' || this.peekSecond().kind === 'size')) {
      const minus = this.next();
      this.next();
      const range = this.range(minus.start);
      this.error(range, `expected ${what}; negative values are not allowed here`, 'out-of-range');
      return { kind: 'error', range };
    }
    this.errorHere(`expected ${what}, found ${this.describe(token)}`);
    return this.errorExpression();
  }

  // -------------------------------------------------------------------------------------------
  // File and declarations

  parseFile(rawComments: readonly Comment[]): FileNode {
    this.parseSteps(-1);
    // Comments get positions of their own (never shared), so an incremental analysis can move them.
    const comments: CommentNode[] = rawComments.map((c) => ({ kind: 'comment', text: c.text, range: this.lines.freshRange(c.start, c.end) }));
    const scenario = this.scenario;
    return {
      kind: 'file',
      file: this.file,
      ...(scenario !== undefined ? { scenario } : {}),
      machines: this.machines,
      processes: this.processes,
      items: this.items,
      links: this.links,
      faults: this.faults,
      comments,
      range: this.lines.range(0, this.text.length),
    };
  }

  /**
   * Parses top-level steps (a declaration, or a stray token and the rest of its line) until the end
   * of the tokens or until the token at `stop` starts a step. Each step gets its own position epoch
   * and log, and records how far the parser looked (see `ParseStep`).
   */
  parseSteps(stop: number): void {
    for (;;) {
      this.skipNewlines();
      this.panicking = false;
      if (stop >= 0 && this.pos >= stop) break;
      const token = this.peek();
      if (token.kind === 'eof') break;
      const log: Position[] = [];
      this.lines.beginEpoch(log);
      const start = this.lines.position(token.start);
      const errorsBefore = this.parseErrorCount;
      const diagnosticsBefore = this.diagnostics.length;
      this.seen = this.pos;
      const node = this.parseStep(token);
      this.steps.push({
        node,
        start,
        log,
        seenEnd: this.tokens[this.seen]!.end - token.start,
        parseErrors: this.parseErrorCount - errorsBefore,
        diagnostics: this.diagnostics.slice(diagnosticsBefore),
      });
    }
    this.lines.beginEpoch(undefined);
  }

  private parseStep(token: Token): StepNode | undefined {
    const items = this.items;
    const links = this.links;
    const faults = this.faults;
    if (token.kind === 'keyword' && token.text === 'machine') {
      const machine = this.parseMachine();
      this.machines.push(machine);
      items.push(machine);
      return machine;
    } else if (token.kind === 'keyword' && token.text === 'process') {
      const process = this.parseProcess();
      this.processes.push(process);
      items.push(process);
      return process;
    } else if (token.kind === 'name' && token.text === 'link') {
      const link = this.parseLink();
      links.push(link);
      return link;
    } else if (token.kind === 'name' && token.text === 'fault') {
      const fault = this.parseFault();
      faults.push(fault);
      return fault;
    } else if (token.kind === 'keyword' && token.text === 'scenario') {
      const header = this.parseScenarioHeader();
      const scenario = this.scenario;
      if (scenario !== undefined) {
        this.error(header.range, 'a file has at most one \'scenario\' line', 'duplicate', [
          { message: 'the first \'scenario\' line', range: scenario.range },
        ]);
      } else if (items.length > 0 || links.length > 0 || faults.length > 0) {
        this.error(header.range, 'the \'scenario\' line must come before machines and processes', 'syntax');
        this.scenario = header;
      } else {
        this.scenario = header;
      }
      return header;
    } else if (token.kind === 'punct' && token.text === '}') {
      this.error(this.tokenRange(this.next()), 'unmatched \'}\'');
    } else {
      const suggestion = token.kind === 'name' ? closestName(token.text, TOP_LEVEL_WORDS) : undefined;
      const hint =
        token.kind === 'keyword' && (token.text === 'thread' || token.text === 'pmo' || token.text === 'routine' || token.text === 'cap')
          ? ` ('${token.text}' declarations go inside a process)`
          : suggestion !== undefined
            ? `; did you mean '${suggestion}'?`
            : '';
      if (token.kind !== 'invalid') {
        this.error(
          this.tokenRange(token),
          `expected 'machine', 'process', 'link', 'fault' or 'scenario', found ${this.describe(token)}${hint}`,
          'syntax',
          undefined,
          suggestion !== undefined ? { suggestion } : undefined,
        );
      }
      this.next();
      this.syncToLineEnd();
    }
    return undefined;
  }

  /** `A <-> B`: two machine names. Missing names are ''; returns undefined (reported) without `<->`. */
  private parseMachinePair(what: string): { a: Identifier; b: Identifier; ok: boolean } {
    const a = this.expectName(`a machine name after '${what}'`) ?? this.missingName();
    if (a.name === '') return { a, b: this.missingName(), ok: false };
    if (this.accept('<->') === undefined) {
      this.errorHere(`expected '<->' between the two machines, found ${this.describe(this.peek())}`);
      return { a, b: this.missingName(), ok: false };
    }
    const b = this.expectName('a machine name after \'<->\'');
    return { a, b: b ?? this.missingName(), ok: b !== undefined };
  }

  private parseLink(): LinkNode {
    const keyword = this.next();
    const { a, b, ok } = this.parseMachinePair('link');
    let latency: LinkNode['latency'];
    if (ok && this.acceptWord('latency') !== undefined) latency = this.numberLiteral('a latency in cycles', false);
    if (!ok) this.syncToLineEnd();
    const node: LinkNode = { kind: 'link', a, b, ...(latency !== undefined ? { latency } : {}), range: this.range(keyword.start) };
    if (ok) this.endOfLine();
    return node;
  }

  /** A thread (`process.thread`) or a process name, for `by` and `kill`. */
  private parseTargetName(what: string): NameExpression | ErrorExpression {
    const token = this.peek();
    if (token.kind === 'name') return this.parseNameExpression(this.next());
    this.errorHere(`expected ${what}, found ${this.describe(token)}`);
    return this.errorExpression();
  }

  private parseFault(): FaultNode {
    const keyword = this.next();
    const trigger = this.parseFaultTrigger();
    let action: FaultNode['action'];
    if (trigger.kind === 'error') {
      this.syncToLineEnd();
      action = this.errorExpression();
    } else {
      action = this.parseFaultAction();
    }
    const node: FaultNode = { kind: 'fault', trigger, action, range: this.range(keyword.start) };
    if (action.kind === 'error') this.syncToLineEnd();
    else this.endOfLine();
    return node;
  }

  private parseFaultTrigger(): FaultTriggerNode | ErrorExpression {
    const start = this.peek();
    if (this.acceptWord('at') !== undefined) {
      const time = this.numberLiteral('a time in cycles', false);
      return { kind: 'timeTrigger', time, range: this.range(start.start) };
    }
    if (this.acceptWord('on') !== undefined) {
      const syscall = this.expectName('a syscall name after \'on\'') ?? this.missingName();
      let by: NameExpression | ErrorExpression | undefined;
      let count: NumberLiteral | ErrorExpression | undefined;
      for (;;) {
        if (this.isWord('by')) {
          const word = this.next();
          if (by !== undefined) this.error(this.tokenRange(word), '\'by\' is given twice', 'duplicate');
          const target = this.parseTargetName('a thread (\'process.thread\') or a process after \'by\'');
          by ??= target;
        } else if (this.isWord('count')) {
          const word = this.next();
          if (count !== undefined) this.error(this.tokenRange(word), '\'count\' is given twice', 'duplicate');
          const value = this.numberLiteral('a count', false);
          count ??= value;
        } else break;
      }
      return {
        kind: 'syscallTrigger',
        syscall,
        ...(by !== undefined ? { by } : {}),
        ...(count !== undefined ? { count } : {}),
        range: this.range(start.start),
      };
    }
    const suggestion = start.kind === 'name' ? closestName(start.text, ['at', 'on']) : undefined;
    this.errorHere(`expected 'at TIME' or 'on SYSCALL' after 'fault', found ${this.describe(start)}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`);
    return this.errorExpression();
  }

  private parseFaultAction(): FaultActionNode | ErrorExpression {
    const start = this.peek();
    if (this.acceptWord('kill') !== undefined) {
      const target = this.parseTargetName('a thread (\'process.thread\') or a process after \'kill\'');
      return { kind: 'killAction', target, range: this.range(start.start) };
    }
    if (this.acceptWord('link') !== undefined || this.acceptWord('drop') !== undefined) {
      const word = start.text as 'link' | 'drop';
      const pairStart = this.peek().start;
      const { a, b, ok } = this.parseMachinePair(word);
      if (!ok) return this.errorExpression();
      const link: LinkReference = { kind: 'linkReference', a, b, range: this.range(pairStart) };
      if (word === 'drop') {
        let count: NumberLiteral | ErrorExpression | undefined;
        if (this.acceptWord('count') !== undefined) count = this.numberLiteral('a count of messages', false);
        return { kind: 'dropAction', link, ...(count !== undefined ? { count } : {}), range: this.range(start.start) };
      }
      const stateToken = this.peek();
      let state: 'down' | 'up' | undefined;
      if (stateToken.kind === 'name' && (stateToken.text === 'down' || stateToken.text === 'up')) {
        this.next();
        state = stateToken.text;
      } else {
        const suggestion = stateToken.kind === 'name' ? closestName(stateToken.text, ['down', 'up']) : undefined;
        this.errorHere(`expected 'down' or 'up' after the link, found ${this.describe(stateToken)}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`);
        this.panicking = true;
      }
      const stateRange = state !== undefined ? this.tokenRange(stateToken) : this.lines.range(this.lastEnd, this.lastEnd);
      return { kind: 'linkAction', link, ...(state !== undefined ? { state } : {}), stateRange, range: this.range(start.start) };
    }
    if (this.acceptWord('crash') !== undefined) {
      const machine = this.expectName('a machine name after \'crash\'') ?? this.missingName();
      let restartAfter: NumberLiteral | ErrorExpression | undefined;
      if (machine.name !== '' && this.acceptWord('restart') !== undefined) {
        if (this.acceptWord('after') === undefined) {
          this.errorHere(`expected 'after' after 'restart', found ${this.describe(this.peek())}`);
          this.panicking = true;
          restartAfter = this.errorExpression();
        } else {
          restartAfter = this.numberLiteral('a delay in cycles', false);
        }
      }
      return { kind: 'crashAction', machine, ...(restartAfter !== undefined ? { restartAfter } : {}), range: this.range(start.start) };
    }
    const suggestion = start.kind === 'name' ? closestName(start.text, FAULT_ACTIONS) : undefined;
    this.errorHere(
      `expected a fault action ('kill', 'link', 'crash' or 'drop'), found ${this.describe(start)}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
    );
    return this.errorExpression();
  }

  private parseScenarioHeader(): ScenarioHeader {
    const keyword = this.next();
    const token = this.peek();
    let title: ScenarioHeader['title'];
    if (token.kind === 'string') {
      this.next();
      title = { kind: 'string', bytes: token.bytes ?? new Uint8Array(0), text: token.text, range: this.tokenRange(token) };
    } else {
      this.errorHere(`expected a string after 'scenario', found ${this.describe(token)}`);
      title = this.errorExpression();
      this.syncToLineEnd();
    }
    const range = this.range(keyword.start);
    this.endOfLine();
    return { kind: 'scenario', title, range };
  }

  /** `{` opening a declaration body; false (reported) when missing. */
  private openBrace(what: string): Token | undefined {
    const brace = this.accept('{');
    if (brace === undefined) this.errorHere(`expected '{' to start ${what}, found ${this.describe(this.peek())}`);
    return brace;
  }

  /**
   * Runs `item` for each line of a `{ ... }` body until the closing brace. Returns false when the
   * body ended without its `}`.
   */
  private parseBody(open: Token, what: string, item: () => void): void {
    for (;;) {
      this.skipNewlines();
      this.panicking = false;
      const token = this.peek();
      if (token.kind === 'punct' && token.text === '}') {
        this.next();
        return;
      }
      if (token.kind === 'eof') {
        this.error(this.lines.range(this.lastEnd, this.lastEnd), `expected '}' to close ${what}`, 'syntax', [
          { message: 'the block opened here', range: this.tokenRange(open) },
        ]);
        return;
      }
      if ((token.kind === 'keyword' && (token.text === 'machine' || token.text === 'process' || token.text === 'scenario')) || this.atWordDeclaration()) {
        this.error(this.lines.range(this.lastEnd, this.lastEnd), `expected '}' to close ${what}`, 'syntax', [
          { message: 'the block opened here', range: this.tokenRange(open) },
        ]);
        return;
      }
      const before = this.pos;
      item();
      if (this.pos === before) {
        // No progress: drop the token so the loop cannot spin.
        this.next();
        this.syncToLineEnd();
      }
    }
  }

  private parseMachine(): MachineNode {
    const keyword = this.next();
    const name = this.expectName('a machine name') ?? this.missingName();
    const properties: MachineProperty[] = [];
    const open = this.openBrace('the machine');
    if (open === undefined) {
      this.syncToLineEnd();
    } else {
      this.parseBody(open, `machine '${name.name}'`, () => {
        const token = this.peek();
        if (token.kind === 'name' && (MACHINE_PROPERTIES as readonly string[]).includes(token.text)) {
          this.next();
          const property = token.text as MachinePropertyName;
          let value: MachineProperty['value'];
          if (property === 'byte_order' || property === 'data_model') {
            const word = this.peek();
            if (word.kind === 'name') value = this.identifier(this.next());
            else {
              this.errorHere(`expected ${property === 'byte_order' ? '\'little\' or \'big\'' : '\'lp64\' or \'ilp32\''} after '${property}', found ${this.describe(word)}`);
              value = this.errorExpression();
              if (word.kind !== 'newline' && word.kind !== 'eof') this.next();
            }
          } else {
            value = this.numberLiteral(
              property === 'memory' ? 'a memory size'
                : property === 'cpus' ? 'a CPU count'
                : property === 'nodes' ? 'a node-table size'
                : property === 'mpu_regions' ? 'a number of MPU regions'
                : 'a number of cycles',
              property === 'memory',
            );
          }
          properties.push({ kind: 'machineProperty', property, propertyRange: this.tokenRange(token), value, range: this.range(token.start) });
          this.endOfLine();
        } else {
          const suggestion = token.kind === 'name' ? closestName(token.text, MACHINE_PROPERTIES) : undefined;
          this.error(
            token.kind === 'newline' || token.kind === 'eof' ? this.lines.range(this.lastEnd, this.lastEnd) : this.tokenRange(token),
            `expected a machine property ('cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model' or 'mpu_regions'), found ${this.describe(token)}${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
            'syntax',
            undefined,
            suggestion !== undefined ? { suggestion } : undefined,
          );
          this.next();
          this.syncToLineEnd();
        }
      });
    }
    return { kind: 'machine', name, nameRange: name.range, properties, range: this.range(keyword.start) };
  }

  private parseProcess(): ProcessNode {
    const keyword = this.next();
    const name = this.expectName('a process name') ?? this.missingName();
    let on: Identifier | undefined;
    let badge: ProcessNode['badge'];
    let tock: Range | undefined;
    for (;;) {
      if (this.isWord('on')) {
        const onToken = this.next();
        if (on !== undefined) this.error(this.tokenRange(onToken), '\'on\' is given twice', 'duplicate');
        if (badge !== undefined) this.error(this.tokenRange(onToken), '\'on\' must come before \'badge\'');
        on = this.expectName('a machine name after \'on\'') ?? on;
      } else if (this.isWord('badge')) {
        const badgeToken = this.next();
        if (badge !== undefined) this.error(this.tokenRange(badgeToken), '\'badge\' is given twice', 'duplicate');
        badge = this.numberLiteral('a badge number', false);
      } else if (this.isWord('tock')) {
        const tockToken = this.next();
        if (tock !== undefined) this.error(this.tokenRange(tockToken), '\'tock\' is given twice', 'duplicate');
        tock ??= this.tokenRange(tockToken);
      } else {
        break;
      }
    }
    const items: ProcessItem[] = [];
    const open = this.openBrace('the process');
    if (open === undefined) {
      this.syncToLineEnd();
    } else {
      this.parseBody(open, `process '${name.name}'`, () => {
        const item = this.parseProcessItem();
        if (item !== undefined) items.push(item);
      });
    }
    return {
      kind: 'process',
      name,
      nameRange: name.range,
      ...(on !== undefined ? { on } : {}),
      ...(badge !== undefined ? { badge } : {}),
      ...(tock !== undefined ? { tock } : {}),
      items,
      range: this.range(keyword.start),
    };
  }

  private parseProcessItem(): ProcessItem | undefined {
    const token = this.peek();
    if (token.kind === 'keyword') {
      switch (token.text) {
        case 'pmo': return this.parsePmo();
        case 'cap': return this.parseCap();
        case 'thread': return this.parseThread();
        case 'routine': return this.parseRoutine();
      }
    }
    const suggestion = token.kind === 'name' ? closestName(token.text, ['pmo', 'thread', 'routine', 'cap']) : undefined;
    const hint =
      token.kind === 'keyword' && STATEMENT_KEYWORDS.has(token.text)
        ? ' (statements go inside a thread or a routine)'
        : suggestion !== undefined
          ? `; did you mean '${suggestion}'?`
          : '';
    this.error(
      this.tokenRange(token),
      `expected 'pmo', 'thread', 'routine' or 'cap', found ${this.describe(token)}${hint}`,
      'syntax',
      undefined,
      suggestion !== undefined ? { suggestion } : undefined,
    );
    this.next();
    this.syncToLineEnd();
    return undefined;
  }

  private parsePmo(): PmoNode {
    const keyword = this.next();
    const name = this.expectName('a PMO name') ?? this.missingName();
    let size: PmoNode['size'];
    if (this.acceptWord('size') !== undefined) {
      size = this.numberLiteral('a size', true);
    } else {
      this.errorHere(`expected 'size' after the PMO name, found ${this.describe(this.peek())}`);
      size = this.errorExpression();
    }
    let at: PmoNode['at'];
    if (this.acceptWord('at') !== undefined) at = this.numberLiteral('an address', false);
    const node: PmoNode = { kind: 'pmo', name, nameRange: name.range, size, ...(at !== undefined ? { at } : {}), range: this.range(keyword.start) };
    this.endOfLine();
    return node;
  }

  private parseCap(): CapNode {
    const keyword = this.next();
    const name = this.expectName('a capability name') ?? this.missingName();
    let target: CapNode['target'];
    if (this.accept('=') !== undefined) {
      const token = this.peek();
      if (token.kind === 'name') target = this.parseNameExpression(this.next());
      else {
        this.errorHere(`expected a process or 'process.object' after '=', found ${this.describe(token)}`);
        target = this.errorExpression();
      }
    } else {
      this.errorHere(`expected '=' after the capability name, found ${this.describe(this.peek())}`);
      target = this.errorExpression();
    }
    const node: CapNode = { kind: 'cap', name, nameRange: name.range, target, range: this.range(keyword.start) };
    this.endOfLine();
    return node;
  }

  private parseThread(): ThreadNode {
    const keyword = this.next();
    const name = this.expectName('a thread name') ?? this.missingName();
    let type: ThreadNode['type'];
    const typeToken = this.peek();
    if (typeToken.kind === 'name' && THREAD_TYPES.has(typeToken.text)) {
      this.next();
      type = { value: typeToken.text as ThreadTypeName, range: this.tokenRange(typeToken) };
    }
    const options: ThreadOption[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'name' && (token.text === 'priority' || token.text === 'cpu')) {
        this.next();
        const value = this.numberLiteral(token.text === 'priority' ? 'a priority' : 'a CPU number', false);
        options.push({ kind: 'threadOption', option: token.text, optionRange: this.tokenRange(token), value, range: this.range(token.start) });
        continue;
      }
      if (token.kind === 'name' && THREAD_TYPES.has(token.text)) {
        this.next();
        this.error(this.tokenRange(token), type === undefined ? 'the thread type comes right after the thread name' : 'the thread type is given twice');
        if (type === undefined) type = { value: token.text as ThreadTypeName, range: this.tokenRange(token) };
        continue;
      }
      break;
    }
    let body: Block | undefined;
    let runs: Identifier | undefined;
    if (this.is('{')) {
      body = this.parseBlock();
    } else if (this.acceptWord('runs') !== undefined) {
      runs = this.expectName('a routine name after \'runs\'');
    } else {
      const token = this.peek();
      if (!(token.kind === 'newline' || token.kind === 'eof' || (token.kind === 'punct' && token.text === '}'))) {
        this.errorHere(`expected '{' or 'runs' in the thread declaration, found ${this.describe(token)}`);
        this.syncToLineEnd();
      }
      // A missing body is the checker's to report (it knows the thread type).
    }
    const node: ThreadNode = {
      kind: 'thread',
      name,
      nameRange: name.range,
      ...(type !== undefined ? { type } : {}),
      options,
      ...(body !== undefined ? { body } : {}),
      ...(runs !== undefined ? { runs } : {}),
      range: this.range(keyword.start),
    };
    this.endOfLine();
    return node;
  }

  private parseRoutine(): RoutineNode {
    const keyword = this.next();
    const name = this.expectName('a routine name') ?? this.missingName();
    const params: Identifier[] = [];
    const open = this.accept('(');
    if (open === undefined) {
      this.errorHere(`expected '(' after the routine name, found ${this.describe(this.peek())}`);
    } else {
      this.groupDepth++;
      if (!this.is(')')) {
        for (;;) {
          const token = this.peek();
          if (token.kind === 'name') params.push(this.identifier(this.next()));
          else if (token.kind === 'keyword' && !DECLARATION_KEYWORDS.has(token.text) && !STATEMENT_KEYWORDS.has(token.text) && token.text !== 'routine') {
            this.errorHere(`expected a parameter name, but '${token.text}' is a keyword`);
            params.push(this.identifier(this.next()));
          } else {
            this.errorHere(`expected a parameter name, found ${this.describe(token)}`);
            // Skip the rest of the list, up to its `)` on this line.
            for (;;) {
              const t = this.tokens[this.pos]!;
              this.look(this.pos);
              if (t.kind === 'eof' || t.kind === 'newline' || (t.kind === 'punct' && (t.text === ')' || t.text === '{' || t.text === '}'))) break;
              this.pos++;
              this.lastEnd = t.end;
            }
            break;
          }
          if (this.accept(',') === undefined) break;
        }
      }
      this.groupDepth--;
      if (this.accept(')') === undefined) {
        this.error(this.lines.range(this.lastEnd, this.lastEnd), 'expected \')\' to close the parameter list', 'syntax', [
          { message: 'the list opened here', range: this.tokenRange(open) },
        ]);
      }
    }
    const body = this.parseBlock();
    const node: RoutineNode = { kind: 'routine', name, nameRange: name.range, params, body, range: this.range(keyword.start) };
    this.endOfLine();
    return node;
  }

  // -------------------------------------------------------------------------------------------
  // Blocks and statements

  private parseBlock(): Block {
    const open = this.accept('{');
    if (open === undefined) {
      this.errorHere(`expected '{', found ${this.describe(this.peek())}`);
      const here = this.lines.range(this.lastEnd, this.lastEnd);
      return { kind: 'block', statements: [], range: here };
    }
    const statements: Statement[] = [];
    if (this.blockDepth >= MAX_BLOCK_DEPTH) {
      this.error(this.tokenRange(open), 'blocks are nested too deeply', 'too-deep');
      // Skip the balanced block.
      let braces = 1;
      const savedGroup = this.groupDepth;
      this.groupDepth = 0;
      while (braces > 0) {
        const token = this.tokens[this.pos]!;
        this.look(this.pos);
        if (token.kind === 'eof') break;
        if (token.kind === 'punct' && token.text === '{') braces++;
        if (token.kind === 'punct' && token.text === '}') braces--;
        this.pos++;
        this.lastEnd = token.end;
      }
      this.groupDepth = savedGroup;
      return { kind: 'block', statements, range: this.range(open.start) };
    }
    const savedGroup = this.groupDepth;
    this.groupDepth = 0;
    this.blockDepth++;
    for (;;) {
      this.skipNewlines();
      this.panicking = false;
      const token = this.peek();
      if (token.kind === 'punct' && token.text === '}') {
        this.next();
        break;
      }
      if (token.kind === 'eof' || (token.kind === 'keyword' && DECLARATION_KEYWORDS.has(token.text)) || this.atWordDeclaration()) {
        this.error(this.lines.range(this.lastEnd, this.lastEnd), 'expected \'}\' to close the block', 'syntax', [
          { message: 'the block opened here', range: this.tokenRange(open) },
        ]);
        break;
      }
      const before = this.pos;
      const statement = this.parseStatement();
      if (statement !== undefined) statements.push(statement);
      if (this.pos === before) {
        this.next();
        this.syncToLineEnd();
      }
    }
    this.blockDepth--;
    this.groupDepth = savedGroup;
    return { kind: 'block', statements, range: this.range(open.start) };
  }

  private parseStatement(): Statement | undefined {
    const token = this.peek();
    const start = token.start;
    let statement: Statement | undefined;
    if (token.kind === 'keyword') {
      switch (token.text) {
        case 'let': {
          this.next();
          const name = this.expectName('a name after \'let\'') ?? this.missingName();
          let value: Expression;
          if (this.accept('=') !== undefined) value = this.parseExpression();
          else {
            this.errorHere(`expected '=' after 'let ${name.name}', found ${this.describe(this.peek())}`);
            value = this.errorExpression();
          }
          statement = { kind: 'let', name, nameRange: name.range, value, range: this.range(start) };
          break;
        }
        case 'expect': {
          this.next();
          const condition = this.parseExpression();
          statement = { kind: 'expect', condition, range: this.range(start) };
          break;
        }
        case 'print': {
          this.next();
          const parts: Expression[] = [this.parseExpression()];
          while (this.accept(',') !== undefined) parts.push(this.parseExpression());
          statement = { kind: 'print', parts, range: this.range(start) };
          break;
        }
        case 'if':
          statement = this.parseIf();
          break;
        case 'repeat': {
          this.next();
          const count = this.parseExpression();
          let counter: Identifier | undefined;
          if (this.accept('as') !== undefined) counter = this.expectName('a counter name after \'as\'');
          const body = this.parseBlock();
          statement = { kind: 'repeat', count, ...(counter !== undefined ? { counter } : {}), body, range: this.range(start) };
          break;
        }
        case 'break':
        case 'continue':
          this.next();
          statement = { kind: token.text, range: this.tokenRange(token) };
          break;
        case 'else':
          this.errorHere('\'else\' without \'if\'');
          this.next();
          this.syncToLineEnd();
          return { kind: 'error', range: this.range(start) };
        default:
          break;
      }
    }
    if (statement === undefined && token.kind === 'name') {
      // A misspelt statement keyword: `epxect x == 1`.
      const second = this.peekSecond();
      const startsOperand = second.kind === 'name' || second.kind === 'int' || second.kind === 'size' || second.kind === 'string';
      const suggestion = startsOperand ? closestName(token.text, ['let', 'expect', 'print', 'if', 'repeat', 'break', 'continue']) : undefined;
      if (suggestion !== undefined && token.text.length > 2) {
        this.error(this.tokenRange(token), `unknown statement '${token.text}'; did you mean '${suggestion}'?`, 'syntax', undefined, { suggestion });
        this.next();
        this.syncToLineEnd();
        return { kind: 'error', range: this.range(start) };
      }
    }
    if (statement === undefined) {
      if (token.kind === 'name' && this.peekSecond().kind === 'punct' && this.peekSecond().text === '=') {
        const target = this.identifier(this.next());
        this.next();
        const value = this.parseExpression();
        statement = { kind: 'assign', target, value, range: this.range(start) };
      } else if (token.kind === 'name' || token.kind === 'int' || token.kind === 'size' || token.kind === 'string' || (token.kind === 'punct' && (token.text === '(' || token.text === '[' || token.text === '-' || token.text === '~')) || (token.kind === 'keyword' && (token.text === 'true' || token.text === 'false' || token.text === 'not'))) {
        const expression = this.parseExpression();
        statement =
          expression.kind === 'call'
            ? { kind: 'call', call: expression, range: expression.range }
            : { kind: 'expression', expression, range: this.range(start) };
      } else {
        this.errorHere(`expected a statement, found ${this.describe(token)}`);
        this.next();
        this.syncToLineEnd();
        return { kind: 'error', range: this.range(start) };
      }
    }
    this.endOfLine();
    return statement;
  }

  private parseIf(): IfStatement {
    const keyword = this.next();
    const condition = this.parseExpression();
    const then = this.parseBlock();
    let elseBranch: Block | IfStatement | undefined;
    // `else` may follow the `}` on the same line or on the next one.
    const save = this.pos;
    this.skipNewlines();
    if (this.is('else')) {
      this.next();
      if (this.is('if')) elseBranch = this.parseIf();
      else elseBranch = this.parseBlock();
    } else {
      this.pos = save;
    }
    return {
      kind: 'if',
      condition,
      then,
      ...(elseBranch !== undefined ? { else: elseBranch } : {}),
      range: this.range(keyword.start),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  parseExpression(): Expression {
    const outermost = this.expressionDepth === 0;
    const expression = this.parseOr();
    if (outermost && expression.kind !== 'error' && exceedsHeight(expression, MAX_EXPRESSION_HEIGHT)) {
      this.error(expression.range, 'expression is too long or too deeply nested', 'too-deep');
      return { kind: 'error', range: expression.range };
    }
    return expression;
  }

  private binary(left: Expression, opToken: Token, right: Expression): Expression {
    return {
      kind: 'binary',
      op: opToken.text as BinaryOp,
      left,
      right,
      opRange: this.tokenRange(opToken),
      range: this.lines.range(left.range.start.offset, Math.max(left.range.start.offset, right.range.end.offset)),
    };
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.is('or')) {
      const op = this.next();
      left = this.binary(left, op, this.parseAnd());
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseNot();
    while (this.is('and')) {
      const op = this.next();
      left = this.binary(left, op, this.parseNot());
    }
    return left;
  }

  private parseNot(): Expression {
    if (this.is('not')) {
      const op = this.next();
      if (!this.enter()) return this.errorExpression();
      const operand = this.parseNot();
      this.expressionDepth--;
      return { kind: 'unary', op: 'not', operand, range: this.lines.range(op.start, Math.max(op.start, operand.range.end.offset)) };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expression {
    let left = this.parseBinaryLevel(0);
    let compared = false;
    for (;;) {
      const token = this.peek();
      if (!(token.kind === 'punct' && COMPARISON_OPS.has(token.text))) break;
      const op = this.next();
      if (compared) this.error(this.tokenRange(op), 'comparisons cannot be chained; combine them with \'and\'', 'syntax');
      compared = true;
      left = this.binary(left, op, this.parseBinaryLevel(0));
    }
    return left;
  }

  private parseBinaryLevel(level: number): Expression {
    if (level >= BINARY_LEVELS.length) return this.parseUnary();
    const ops = BINARY_LEVELS[level]!;
    let left = this.parseBinaryLevel(level + 1);
    for (;;) {
      const token = this.peek();
      if (!(token.kind === 'punct' && ops.includes(token.text))) break;
      const op = this.next();
      left = this.binary(left, op, this.parseBinaryLevel(level + 1));
    }
    return left;
  }

  /** Counts one level of nesting; false (reported, panicking) when too deep. */
  private enter(): boolean {
    if (this.expressionDepth >= MAX_EXPRESSION_DEPTH) {
      this.errorHere('expression is nested too deeply', 'too-deep');
      this.panicking = true;
      this.syncToLineEnd();
      return false;
    }
    this.expressionDepth++;
    return true;
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (token.kind === 'punct' && (token.text === '-' || token.text === '~')) {
      this.next();
      if (!this.enter()) return this.errorExpression();
      const operand = this.parseUnary();
      this.expressionDepth--;
      return { kind: 'unary', op: token.text, operand, range: this.lines.range(token.start, Math.max(token.start, operand.range.end.offset)) };
    }
    if (token.kind === 'keyword' && token.text === 'not') {
      // `not` binds looser than comparisons; accept it here too, as `a == not b` is unambiguous.
      return this.parseNot();
    }
    return this.parsePrimary();
  }

  private parseNameExpression(head: Token): NameExpression {
    const headId = this.identifier(head);
    if (this.is('.')) {
      this.next();
      const token = this.peek();
      if (token.kind === 'name' || token.kind === 'keyword') {
        if (token.kind === 'keyword') this.errorHere(`'${token.text}' is a keyword and cannot name an object`);
        const member = this.identifier(this.next());
        return { kind: 'name', head: headId, member, range: this.range(head.start) };
      }
      this.errorHere(`expected a name after '.', found ${this.describe(token)}`);
      return { kind: 'name', head: headId, member: this.missingName(), range: this.range(head.start) };
    }
    return { kind: 'name', head: headId, range: headId.range };
  }

  /** Whether the current token ends a group that lost its closing bracket. */
  private atHardStop(): boolean {
    const token = this.peek();
    if (token.kind === 'eof') return true;
    if (token.kind === 'punct' && (token.text === '{' || token.text === '}')) return true;
    if (token.kind === 'keyword' && (DECLARATION_KEYWORDS.has(token.text) || STATEMENT_KEYWORDS.has(token.text)) && this.newlineBefore()) return true;
    return false;
  }

  private parsePrimary(): Expression {
    const token = this.peek();
    // Inside a group that lost its closing bracket: let the group report it, once.
    if (this.groupDepth > 0 && this.atHardStop()) return this.errorExpression();
    switch (token.kind) {
      case 'int':
      case 'size':
        this.next();
        return { kind: 'number', value: token.value ?? Number.NaN, isSize: token.kind === 'size', text: token.text, range: this.tokenRange(token) };
      case 'string':
        this.next();
        return { kind: 'string', bytes: token.bytes ?? new Uint8Array(0), text: token.text, range: this.tokenRange(token) };
      case 'name': {
        this.next();
        if (this.is('(') && !this.newlineBefore()) return this.parseCall(token);
        return this.parseNameExpression(token);
      }
      case 'keyword':
        if (token.text === 'true' || token.text === 'false') {
          this.next();
          return { kind: 'boolean', value: token.text === 'true', range: this.tokenRange(token) };
        }
        this.errorHere(`expected an expression, but '${token.text}' is a keyword`);
        if (!DECLARATION_KEYWORDS.has(token.text) && !STATEMENT_KEYWORDS.has(token.text)) {
          this.next();
          return { kind: 'error', range: this.tokenRange(token) };
        }
        return this.errorExpression();
      case 'punct':
        if (token.text === '(') return this.parseParen();
        if (token.text === '[') return this.parseList();
        break;
      default:
        break;
    }
    this.errorHere(`expected an expression, found ${this.describe(token)}`);
    if (token.kind === 'invalid') {
      this.next();
      return { kind: 'error', range: this.tokenRange(token) };
    }
    return this.errorExpression();
  }

  private closeGroup(open: Token, close: string, what: string): boolean {
    if (this.accept(close) !== undefined) return true;
    const token = this.peek();
    if (!this.atHardStop() && token.kind !== 'newline') {
      this.errorHere(`expected '${close}' to close ${what}, found ${this.describe(token)}`);
    } else {
      this.error(this.lines.range(this.lastEnd, this.lastEnd), `expected '${close}' to close ${what}`, 'syntax', [
        { message: `the ${close === ')' ? 'parenthesis' : 'bracket'} opened here`, range: this.tokenRange(open) },
      ]);
    }
    this.panicking = true;
    return false;
  }

  private parseParen(): Expression {
    const open = this.next();
    if (!this.enter()) return this.errorExpression();
    this.groupDepth++;
    const expression = this.parseOr();
    this.closeGroup(open, ')', 'the parenthesis');
    this.groupDepth--;
    this.expressionDepth--;
    return { kind: 'paren', expression, range: this.range(open.start) };
  }

  private parseList(): Expression {
    const open = this.next();
    if (!this.enter()) return this.errorExpression();
    this.groupDepth++;
    const items: Expression[] = [];
    if (!this.is(']')) {
      for (;;) {
        if (this.atHardStop()) break;
        items.push(this.parseOr());
        if (this.accept(',') === undefined) break;
        if (this.is(']')) break; // a trailing comma
      }
    }
    this.closeGroup(open, ']', 'the list');
    this.groupDepth--;
    this.expressionDepth--;
    return { kind: 'list', items, range: this.range(open.start) };
  }

  private parseCall(nameToken: Token): CallExpression {
    const callee = this.identifier(nameToken);
    const open = this.next();
    const args: Argument[] = [];
    if (!this.enter()) {
      return { kind: 'call', callee, args, argsRange: this.range(open.start), range: this.range(nameToken.start) };
    }
    this.groupDepth++;
    if (!this.is(')')) {
      for (;;) {
        if (this.atHardStop()) break;
        const token = this.peek();
        const second = this.peekSecond();
        let name: Identifier | undefined;
        if ((token.kind === 'name' || token.kind === 'keyword') && second.kind === 'punct' && second.text === ':') {
          name = this.identifier(this.next());
          this.next();
        }
        const value = this.parseOr();
        const argStart = name !== undefined ? name.range.start.offset : value.range.start.offset;
        args.push({
          kind: 'argument',
          ...(name !== undefined ? { name } : {}),
          value,
          range: this.lines.range(argStart, Math.max(argStart, value.range.end.offset)),
        });
        if (this.accept(',') === undefined) break;
        if (this.is(')')) break; // a trailing comma
      }
    }
    this.closeGroup(open, ')', 'the argument list');
    this.groupDepth--;
    this.expressionDepth--;
    return { kind: 'call', callee, args, argsRange: this.range(open.start), range: this.range(nameToken.start) };
  }
}

/** Whether an expression tree is taller than `limit` (recursion is bounded by `limit`; no allocation). */
function exceedsHeight(node: Expression, limit: number, height = 1): boolean {
  if (height > limit) return true;
  switch (node.kind) {
    case 'binary':
      return exceedsHeight(node.left, limit, height + 1) || exceedsHeight(node.right, limit, height + 1);
    case 'unary':
      return exceedsHeight(node.operand, limit, height + 1);
    case 'paren':
      return exceedsHeight(node.expression, limit, height + 1);
    case 'list':
      for (const item of node.items) if (exceedsHeight(item, limit, height + 1)) return true;
      return false;
    case 'call':
      for (const arg of node.args) if (exceedsHeight(arg.value, limit, height + 1)) return true;
      return false;
    default:
      return false;
  }
}
