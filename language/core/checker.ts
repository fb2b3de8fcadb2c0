// The checker: resolves every name, checks calls against the syscall and builtin tables, assigns
// object, routine and frame-slot numbers, and builds the symbol table. Lowering only reads what
// the checker decided, so the two can never disagree.

import type {
  Argument, Block, CallExpression, CapNode, ErrorExpression, Expression, FaultNode, FileNode,
  Identifier, LetStatement, LinkNode, LinkReference, MachineNode, NameExpression, NumberLiteral,
  PmoNode, ProcessNode, RepeatStatement, RoutineNode, Statement, ThreadNode, AssignStatement,
} from './ast';
import {
  BUILTINS, SYSCALLS, builtinByName, syscallByName, type ParameterKind, type ParameterSpec,
} from '../../kernel/syscalls';
import { KBASE, NAMED_CONSTANTS, PAGE_SIZE } from '../../kernel/constants';
import type { FaultAction, FaultTrigger, Register, ThreadType } from '../../kernel/program';
import {
  SymbolTable, type BootSlot, type Callee, type Scope, type SymbolDeclaration, type SymbolKind,
  type ValueKind,
} from './symbols';
import { closestName, type Diagnostic, type LineIndex, type Range, type RelatedInformation } from './text';

// ---------------------------------------------------------------------------------------------
// What the checker decides, for lowering

/** How one name expression evaluates. */
export type NameResolution =
  | { readonly kind: 'local'; readonly slot: number; readonly name: string }
  | { readonly kind: 'object'; readonly object: number }
  | { readonly kind: 'objectRef'; readonly object: number }
  | { readonly kind: 'process'; readonly process: number }
  /** A routine as a value: its entry address. */
  | { readonly kind: 'routine'; readonly routine: number }
  /** A `cap` naming another process's group: its boot slot. */
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'constant'; readonly name: string; readonly value: number }
  | { readonly kind: 'register'; readonly register: Register };

export interface CallResolution {
  readonly callee: Callee;
  /** The argument expression bound to each parameter, in parameter order. */
  readonly argumentsByParameter: readonly (Expression | undefined)[];
}

export interface MachineInfo {
  readonly name: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly timeslice: number;
  /** XNU `MACH_NODES_MAX` (`nodes`). */
  readonly nodeTableSize: number;
  /** 1 little-endian, 2 big-endian (`byte_order`). */
  readonly byteOrder: number;
  /** 2 LP64, 1 ILP32 (`data_model`). */
  readonly dataModel: number;
  /** MPU regions per Tock process (`mpu_regions`). */
  readonly mpuRegions: number;
  readonly node?: MachineNode;
}

/** A checked `link`: machine indices and latency. */
export interface LinkInfo {
  readonly a: number;
  readonly b: number;
  readonly latency: number;
  readonly node: LinkNode;
}

/** A checked `fault`, fully resolved. */
export interface FaultInfo {
  readonly trigger: FaultTrigger;
  readonly action: FaultAction;
  readonly node: FaultNode;
}

export interface BootCapabilityInfo {
  readonly name: string;
  readonly object: number;
  readonly group?: number;
  readonly range: Range;
}

export interface ProcessInfo {
  readonly index: number;
  readonly node: ProcessNode;
  readonly declaration: SymbolDeclaration;
  machine: number;
  badge: number;
  /** A Tock process (`tock` in the header). */
  tock: boolean;
  readonly caps: BootCapabilityInfo[];
  /** Names of the process's items. */
  readonly items: Map<string, ItemInfo>;
  /** Objects this process holds a capability for (own, `cap`, grants). */
  readonly held: Set<number>;
  /** Processes whose group this process holds a capability for. */
  readonly heldGroups: Set<number>;
}

export type ItemInfo =
  | { readonly kind: 'pmo'; readonly node: PmoNode; readonly declaration: SymbolDeclaration; readonly object: number }
  | { readonly kind: 'thread'; readonly node: ThreadNode; readonly declaration: SymbolDeclaration; readonly object: number }
  | { readonly kind: 'routine'; readonly node: RoutineNode; readonly declaration: SymbolDeclaration; readonly routine: number }
  | { readonly kind: 'cap'; readonly node: CapNode; readonly declaration: SymbolDeclaration; target?: CapTarget; slot: number };

export type CapTarget = { readonly kind: 'object'; readonly object: number } | { readonly kind: 'group'; readonly process: number };

export interface ObjectInfo {
  readonly index: number;
  readonly kind: 'pmo' | 'thread';
  readonly owner: number;
  readonly node: PmoNode | ThreadNode;
  readonly declaration: SymbolDeclaration;
  size: number;
  mapAt?: number;
  threadType: ThreadType;
  priority: number;
  cpu: number;
  routine: number;
}

export interface RoutineInfo {
  readonly index: number;
  readonly name: string;
  readonly owner: number;
  readonly node: ThreadNode | RoutineNode;
  readonly body: Block;
  readonly params: readonly string[];
  readonly slotNames: string[];
  /** The hidden counter slot of each `repeat` (its name carries the statement's line and column). */
  readonly repeatSlots: [RepeatStatement, number][];
}

/** Everything lowering needs, keyed by syntax nodes. */
export interface CheckedModel {
  readonly machines: MachineInfo[];
  readonly implicitMachine: boolean;
  readonly processes: ProcessInfo[];
  readonly objects: ObjectInfo[];
  readonly routines: RoutineInfo[];
  /** Checked `link` declarations, in source order (their index is the link index). */
  readonly links: LinkInfo[];
  /** Checked `fault` declarations (only those without errors). */
  readonly faults: FaultInfo[];
  readonly names: Map<NameExpression, NameResolution>;
  readonly calls: Map<CallExpression, CallResolution>;
  /** Frame slot of each `let`, assignment target and named `repeat` counter. */
  readonly slots: Map<LetStatement | AssignStatement | RepeatStatement, number>;
  /** Hidden iteration-counter slot of each `repeat`. */
  readonly repeatCounters: Map<RepeatStatement, number>;
}

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  readonly symbols: SymbolTable;
  readonly model: CheckedModel;
  /** What an incremental re-check needs (see `recheckProcess`). */
  readonly state: CheckState;
}

type TopLevelEntry = { kind: 'machine' | 'process'; declaration: SymbolDeclaration; index: number };

/**
 * Internal: how a check's outputs are laid out, so that one process can be checked again and its
 * part of every output replaced. Marks arrays hold, per process, where its part of a phase starts
 * (one more entry for the end).
 */
export interface CheckState {
  readonly topLevel: Map<string, TopLevelEntry>;
  /** Checker diagnostics in the order they were found, and the process each is about (-1: none). */
  diagnostics: Diagnostic[];
  owners: number[];
  /** Item declarations (one per item) of each process in `symbols.declarations`. */
  readonly itemDeclarations: number[];
  /** Params and locals of each process in `symbols.declarations`. */
  readonly codeDeclarations: number[];
  /** References recorded by the header, item and code checks of each process. */
  readonly headerReferences: number[];
  readonly itemReferences: number[];
  readonly codeReferences: number[];
  /** Call sites of each process in `symbols.calls`. */
  readonly codeCalls: number[];
  /** Each process's first object and routine index. */
  readonly firstObject: number[];
  readonly firstRoutine: number[];
}


// ---------------------------------------------------------------------------------------------
// Language constants

export const DEFAULT_MACHINE = {
  name: 'default',
  cpus: 1,
  memoryBytes: 64 * 1024 * 1024,
  timeslice: 10_000,
  nodeTableSize: 2,
  byteOrder: 1,
  dataModel: 2,
  mpuRegions: 6,
} as const;
export const NODES_MIN = 2;
export const NODES_MAX = 1024;
export const MPU_REGIONS_MIN = 1;
export const MPU_REGIONS_MAX = 16;
/** One-way latency of a `link` without `latency`, in cycles. */
export const DEFAULT_LINK_LATENCY = 1000;
/** `byte_order` and `data_model` words and the values they lower to. */
const BYTE_ORDERS: ReadonlyMap<string, number> = new Map([['little', 1], ['big', 2]]);
const DATA_MODELS: ReadonlyMap<string, number> = new Map([['lp64', 2], ['ilp32', 1]]);
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 255;
export const DEFAULT_PRIORITY = 10;
export const MAX_CPUS = 64;
export const MAX_ROUTINE_PARAMS = 4;
/** The most diagnostics the checker records; past it, later problems would mostly repeat. */
const MAX_CHECK_DIAGNOSTICS = 1000;
const REGISTERS: ReadonlySet<string> = new Set(['pc', 'sp', 'arg0', 'arg1', 'arg2', 'arg3', 'ret']);
/** Queries whose result is an object identity: an object name compared with one is an identity too. */
const IDENTITY_BUILTINS: ReadonlySet<string> = new Set(['cap_object', 'object_of']);
const ALL_CALL_NAMES: readonly string[] = [...SYSCALLS.map((s) => s.name), ...BUILTINS.map((b) => b.name)];
/** Syscalls by scenario and kernel name (those that are plain names): what a fault may trigger on. */
const ALL_SYSCALL_NAMES: readonly string[] = [
  ...new Set(SYSCALLS.flatMap((s) => [s.name, s.kernelName]).filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name))),
];

/**
 * How each parameter kind is described in messages. Partial on purpose: the kernel families add
 * kinds to the tables, and a kind without an entry (or a special rule below) is checked as an
 * integer and described as one.
 */
const KIND_PHRASE: Partial<Record<ParameterKind, string>> = {
  capability: 'a capability',
  thread: 'a thread',
  pmo: 'a PMO',
  connection: 'a connection',
  process: 'a process',
  target: 'a thread or a process',
  routine: 'a routine',
  address: 'an address',
  integer: 'an integer',
  data: 'a data list such as [1, "text"]',
  capabilities: 'a list of capabilities such as [shm]',
  object: 'an object name (a thread, a PMO or a process)',
  machine: 'a machine',
  port: 'a port name',
  bytes: 'a byte string',
};

/** What each capability parameter kind accepts, by static value kind. */
const CAPABILITY_ACCEPTS: Partial<Record<ParameterKind, ReadonlySet<ValueKind>>> = {
  capability: new Set(['thread', 'pmo', 'connection', 'capability', 'number', 'unknown', 'objectId']),
  thread: new Set(['thread', 'capability', 'number', 'unknown', 'objectId']),
  pmo: new Set(['pmo', 'capability', 'number', 'unknown', 'objectId']),
  connection: new Set(['connection', 'capability', 'number', 'unknown', 'objectId']),
};

function kindPhrase(kind: ParameterKind): string {
  return KIND_PHRASE[kind] ?? 'an integer';
}

/** Parameter kinds whose object arguments are used as capabilities (and so granted at boot). */
const GRANTING_KINDS: ReadonlySet<string> = new Set(['capability', 'thread', 'pmo', 'connection', 'capabilities', 'routine', 'process', 'target', 'object']);

function describeKind(kind: ValueKind): string {
  switch (kind) {
    case 'pmo': return 'PMO';
    case 'objectId': return 'object identity';
    case 'bytes': return 'byte string';
    default: return kind;
  }
}

interface LocalInfo {
  readonly declaration: SymbolDeclaration;
  readonly slot: number;
  valueKind: ValueKind;
}

interface Frame {
  readonly routine: RoutineInfo;
  /** First `let` (or `repeat ... as`) of each name in the routine, built on first need. */
  letIndex?: Map<string, { range: Range; name: Identifier }>;
  readonly process: ProcessInfo;
  readonly scopes: { map: Map<string, LocalInfo>; scope: Scope }[];
  loopDepth: number;
  readonly container: string;
}

/** What the surrounding code wants from an expression. */
interface Expectation {
  /** A parameter kind, when the expression is an argument. */
  readonly parameter?: ParameterSpec;
  readonly calleeName?: string;
  /** The expression stands for an object's identity (compared with `cap_object(...)`). */
  readonly identity?: boolean;
  /** The expression is the whole value of a `let`, an assignment or a call statement. */
  readonly statementValue?: boolean;
  /** The expression is a `print` part (strings allowed). */
  readonly printPart?: boolean;
}

// Shared expectations (expressions are checked often; these need no allocation).
const NONE: Expectation = {};
const PRINT_PART: Expectation = { printPart: true };
const STATEMENT_VALUE: Expectation = { statementValue: true };
const PRINT_OR_STATEMENT: Expectation = { printPart: true, statementValue: true };
const IDENTITY: Expectation = { identity: true };

/** A resolved name before the context decides how it evaluates. */
type Entity =
  | { readonly kind: 'local'; readonly local: LocalInfo }
  | { readonly kind: 'object'; readonly object: ObjectInfo }
  | { readonly kind: 'cap'; readonly item: Extract<ItemInfo, { kind: 'cap' }> }
  | { readonly kind: 'routine'; readonly routine: number; readonly declaration: SymbolDeclaration }
  | { readonly kind: 'process'; readonly process: ProcessInfo }
  | { readonly kind: 'machine'; readonly declaration: SymbolDeclaration; readonly index: number }
  | { readonly kind: 'constant'; readonly name: string; readonly value: number }
  | { readonly kind: 'register'; readonly register: Register };

// ---------------------------------------------------------------------------------------------

export function check(ast: FileNode, text: string, lines: LineIndex): CheckResult {
  return new Checker(ast, text, lines).run();
}

export interface RecheckInput {
  /** The new syntax tree: the old one with process `index` replaced. */
  readonly ast: FileNode;
  readonly text: string;
  readonly lines: LineIndex;
  /** The old check's outputs; they are updated in place. */
  readonly model: CheckedModel;
  readonly symbols: SymbolTable;
  readonly state: CheckState;
  readonly index: number;
  readonly oldNode: ProcessNode;
}

/**
 * Checks process `index` again after an edit that kept every name it declares (and their kinds,
 * order, and which threads have a body), updating the old outputs in place: the result equals a
 * full check of the new tree. Undefined when it cannot (the diagnostic cap would be reached).
 * The old outputs are consumed either way.
 */
export function recheckProcess(input: RecheckInput): { symbols: SymbolTable; diagnostics: Diagnostic[]; state: CheckState } | undefined {
  const { model, state, index } = input;
  forgetCode(model, input.oldNode);
  const root = input.symbols.root as { end: number };
  root.end = input.lines.length;
  const symbols = SymbolTable.reuse(input.lines, input.symbols.root, [], [], [], new Map(input.symbols.bootSlots));
  const checker = new Checker(input.ast, input.text, input.lines, { model, symbols, topLevel: state.topLevel });
  return checker.recheck(index, state, input.symbols);
}

/** Removes a process's statements and expressions from the model's maps. */
function forgetCode(model: CheckedModel, node: ProcessNode): void {
  const expression = (e: Expression): void => {
    switch (e.kind) {
      case 'name': model.names.delete(e); break;
      case 'call': model.calls.delete(e); for (const arg of e.args) expression(arg.value); break;
      case 'list': for (const item of e.items) expression(item); break;
      case 'unary': expression(e.operand); break;
      case 'binary': expression(e.left); expression(e.right); break;
      case 'paren': expression(e.expression); break;
      default: break;
    }
  };
  const block = (b: Block): void => {
    for (const st of b.statements) statement(st);
  };
  const statement = (st: Statement): void => {
    switch (st.kind) {
      case 'let': model.slots.delete(st); expression(st.value); break;
      case 'assign': model.slots.delete(st); expression(st.value); break;
      case 'call': expression(st.call); break;
      case 'expression': expression(st.expression); break;
      case 'expect': expression(st.condition); break;
      case 'print': for (const part of st.parts) expression(part); break;
      case 'if':
        expression(st.condition);
        block(st.then);
        if (st.else !== undefined) {
          if (st.else.kind === 'block') block(st.else);
          else statement(st.else);
        }
        break;
      case 'repeat': model.slots.delete(st); model.repeatCounters.delete(st); expression(st.count); block(st.body); break;
      default: break;
    }
  };
  for (const item of node.items) {
    if (item.kind === 'thread' && item.body !== undefined) block(item.body);
    else if (item.kind === 'routine') block(item.body);
  }
}

/** `array.splice(start, count, ...items)` without spreading (which is bounded by the stack). */
function spliceArray<T>(array: T[], start: number, count: number, items: readonly T[]): void {
  if (items.length < 4096) {
    array.splice(start, count, ...items);
    return;
  }
  const tail = array.slice(start + count);
  array.length = start;
  for (const item of items) array.push(item);
  for (const item of tail) array.push(item);
}

function shiftMarks(marks: number[], from: number, delta: number): void {
  if (delta === 0) return;
  for (let i = from; i < marks.length; i++) marks[i]! += delta;
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly symbols: SymbolTable;
  private readonly model: CheckedModel;
  private readonly topLevel: Map<string, TopLevelEntry>;
  /** The process being checked (-1: none), recorded with each diagnostic. */
  private owner = -1;
  private readonly owners: number[] = [];
  /** When checking one process again: its old item declarations, reused in order. */
  private reuse: SymbolDeclaration[] | undefined;
  private reuseIndex = 0;
  /** When checking one process again: where its objects and routines go. */
  private objectCursor = -1;
  private routineCursor = -1;
  private rechecking = false;
  private readonly machineDeclarations: SymbolDeclaration[] = [];
  private readonly objectByNode = new Map<PmoNode | ThreadNode, ObjectInfo>();
  private readonly routineByNode = new Map<ThreadNode | RoutineNode, RoutineInfo>();
  private readonly scopeByProcess = new Map<ProcessInfo, Scope>();
  private nextId = 0;

  constructor(
    private readonly ast: FileNode,
    private readonly text: string,
    lines: LineIndex,
    reuse?: { model: CheckedModel; symbols: SymbolTable; topLevel: Map<string, TopLevelEntry> },
  ) {
    this.topLevel = reuse?.topLevel ?? new Map();
    this.symbols = reuse?.symbols ?? new SymbolTable(lines);
    this.model = reuse?.model ?? {
      machines: [],
      implicitMachine: ast.machines.length === 0,
      processes: [],
      objects: [],
      routines: [],
      links: [],
      faults: [],
      names: new Map(),
      calls: new Map(),
      slots: new Map(),
      repeatCounters: new Map(),
    };
  }

  run(): CheckResult {
    const { declarations, references, calls } = this.symbols;
    const model = this.model;
    this.declareTopLevel();
    const itemDeclarations: number[] = [];
    const firstObject: number[] = [];
    const firstRoutine: number[] = [];
    for (const process of model.processes) {
      this.owner = process.index;
      itemDeclarations.push(declarations.length);
      firstObject.push(model.objects.length);
      firstRoutine.push(model.routines.length);
      this.declareProcessItems(process);
    }
    itemDeclarations.push(declarations.length);
    firstObject.push(model.objects.length);
    firstRoutine.push(model.routines.length);
    const headerReferences = this.eachProcess(references, (process) => this.checkProcessHeader(process));
    this.owner = -1;
    this.checkLinks();
    this.checkFaults();
    const itemReferences = this.eachProcess(references, (process) => this.checkProcessItems(process));
    const codeDeclarations: number[] = [];
    const codeCalls: number[] = [];
    const codeReferences = this.eachProcess(references, (process) => {
      codeDeclarations.push(declarations.length);
      codeCalls.push(calls.length);
      this.checkProcessCode(process);
    });
    codeDeclarations.push(declarations.length);
    codeCalls.push(calls.length);
    this.eachProcess(references, (process) => this.recordBootSlots(process));
    this.owner = -1;
    const state: CheckState = {
      topLevel: this.topLevel,
      diagnostics: this.diagnostics,
      owners: this.owners,
      itemDeclarations,
      codeDeclarations,
      headerReferences,
      itemReferences,
      codeReferences,
      codeCalls,
      firstObject,
      firstRoutine,
    };
    return { diagnostics: this.diagnostics, symbols: this.symbols, model, state };
  }

  /** Runs a phase for each process, as its owner; returns where each one's references start. */
  private eachProcess(references: readonly unknown[], body: (process: ProcessInfo) => void): number[] {
    const marks: number[] = [];
    for (const process of this.model.processes) {
      this.owner = process.index;
      marks.push(references.length);
      body(process);
    }
    marks.push(references.length);
    return marks;
  }

  /** Checks process `index` again (see `recheckProcess`). */
  recheck(index: number, state: CheckState, old: SymbolTable): { symbols: SymbolTable; diagnostics: Diagnostic[]; state: CheckState } | undefined {
    const model = this.model;
    const node = this.ast.processes[index]!;
    const oldInfo = model.processes[index]!;
    const declaration = oldInfo.declaration as Mutable<SymbolDeclaration>;
    declaration.range = node.range;
    declaration.nameRange = node.name.range;
    declaration.node = node;
    const info: ProcessInfo = {
      index,
      node,
      declaration,
      machine: 0,
      badge: index + 1,
      tock: node.tock !== undefined,
      caps: [],
      items: new Map(),
      held: new Set(),
      heldGroups: new Set(),
    };
    model.processes[index] = info;
    this.owner = index;
    this.rechecking = true;
    this.reuse = old.declarations.slice(state.itemDeclarations[index]!, state.itemDeclarations[index + 1]!);
    this.reuseIndex = 0;
    this.objectCursor = state.firstObject[index]!;
    this.routineCursor = state.firstRoutine[index]!;
    this.declareProcessItems(info);
    this.reuse = undefined;
    const references = this.symbols.references;
    this.checkProcessHeader(info);
    const afterHeader = references.length;
    this.checkProcessItems(info);
    const afterItems = references.length;
    this.checkProcessCode(info);
    this.recordBootSlots(info);
    this.owner = -1;

    // The diagnostic cap must not be reached (below it, every process's diagnostics are its own).
    let kept = 0;
    for (const owner of state.owners) if (owner !== index) kept++;
    if (state.diagnostics.length >= MAX_CHECK_DIAGNOSTICS || kept + this.diagnostics.length >= MAX_CHECK_DIAGNOSTICS) return undefined;
    const diagnostics: Diagnostic[] = [];
    const owners: number[] = [];
    state.diagnostics.forEach((diagnostic, i) => {
      if (state.owners[i] !== index) {
        diagnostics.push(diagnostic);
        owners.push(state.owners[i]!);
      }
    });
    for (const diagnostic of this.diagnostics) {
      diagnostics.push(diagnostic);
      owners.push(index);
    }
    state.diagnostics = diagnostics;
    state.owners = owners;

    // Declarations: only the params and locals change.
    const allDeclarations = old.declarations;
    const start = state.codeDeclarations[index]!;
    const oldCount = state.codeDeclarations[index + 1]! - start;
    spliceArray(allDeclarations, start, oldCount, this.symbols.declarations);
    shiftMarks(state.codeDeclarations, index + 1, this.symbols.declarations.length - oldCount);
    for (let i = start; i < allDeclarations.length; i++) (allDeclarations[i] as Mutable<SymbolDeclaration>).id = i;

    // References: the code, item and header parts (in that order, so earlier indices hold).
    const allReferences = old.references;
    const parts: [number[], number, number][] = [
      [state.codeReferences, afterItems, references.length],
      [state.itemReferences, afterHeader, afterItems],
      [state.headerReferences, 0, afterHeader],
    ];
    for (const [marks, from, to] of parts) {
      const partStart = marks[index]!;
      const partCount = marks[index + 1]! - partStart;
      spliceArray(allReferences, partStart, partCount, references.slice(from, to));
      const delta = to - from - partCount;
      shiftMarks(marks, index + 1, delta);
      // The later phases' marks move too.
      if (marks === state.itemReferences) shiftMarks(state.codeReferences, 0, delta);
      if (marks === state.headerReferences) {
        shiftMarks(state.itemReferences, 0, delta);
        shiftMarks(state.codeReferences, 0, delta);
      }
    }

    const allCalls = old.calls;
    const callStart = state.codeCalls[index]!;
    const callCount = state.codeCalls[index + 1]! - callStart;
    spliceArray(allCalls, callStart, callCount, this.symbols.calls);
    shiftMarks(state.codeCalls, index + 1, this.symbols.calls.length - callCount);

    const symbols = SymbolTable.reuse(this.symbols.lines, this.symbols.root, allDeclarations, allReferences, allCalls, this.symbols.bootSlots);
    return { symbols, diagnostics, state };
  }

  // -------------------------------------------------------------------------------------------
  // Reporting

  private error(range: Range, message: string, code: string, extra?: { related?: RelatedInformation[]; data?: unknown }): void {
    this.report('error', range, message, code, extra);
  }

  private warning(range: Range, message: string, code: string, extra?: { related?: RelatedInformation[]; data?: unknown }): void {
    this.report('warning', range, message, code, extra);
  }

  private report(
    severity: Diagnostic['severity'],
    range: Range,
    message: string,
    code: string,
    extra?: { related?: RelatedInformation[]; data?: unknown },
  ): void {
    if (this.diagnostics.length >= MAX_CHECK_DIAGNOSTICS) return;
    this.owners.push(this.owner);
    this.diagnostics.push({
      severity,
      message,
      range,
      code,
      ...(extra?.related !== undefined ? { related: extra.related } : {}),
      ...(extra?.data !== undefined ? { data: extra.data } : {}),
    });
  }

  private declare(
    name: Identifier,
    kind: SymbolKind,
    range: Range,
    node: SymbolDeclaration['node'],
    container: string | undefined,
    detail: string,
  ): SymbolDeclaration {
    if (this.reuse !== undefined) {
      // Checking one process again: its item declarations keep their identity (other processes'
      // references point to them), with every field set afresh.
      const reused = this.reuse[this.reuseIndex++]! as Mutable<SymbolDeclaration>;
      reused.name = name.name;
      reused.kind = kind;
      reused.range = range;
      reused.nameRange = name.range;
      reused.container = container;
      reused.detail = detail;
      reused.bootSlot = undefined;
      reused.valueKind = undefined;
      reused.frameSlot = undefined;
      reused.node = node;
      return reused;
    }
    // One object shape for every declaration (optional fields present, possibly undefined).
    const declaration: SymbolDeclaration = {
      id: this.nextId++,
      name: name.name,
      kind,
      range,
      nameRange: name.range,
      container,
      detail,
      bootSlot: undefined,
      valueKind: undefined,
      frameSlot: undefined,
      node,
    };
    this.symbols.declarations.push(declaration);
    return declaration;
  }

  private reference(range: Range, declaration: SymbolDeclaration): void {
    this.symbols.references.push({ range, declaration });
  }

  private duplicate(name: Identifier, first: SymbolDeclaration, where = ''): void {
    this.error(name.range, `duplicate name '${name.name}'${where}`, 'duplicate-name', {
      related: [{ message: `'${name.name}' is first declared here`, range: first.nameRange }],
    });
  }

  private numberValue(node: { kind: string; value?: number } | undefined): number | undefined {
    if (node === undefined || node.kind !== 'number') return undefined;
    const value = node.value;
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  // -------------------------------------------------------------------------------------------
  // Declarations

  private declareTopLevel(): void {
    const root = this.symbols.root;
    for (const machine of this.ast.machines) {
      const declaration = this.declare(machine.name, 'machine', machine.range, machine, undefined, `machine ${machine.name.name}`);
      this.machineDeclarations.push(declaration);
      const index = this.model.machines.length;
      const info = this.machineInfo(machine);
      this.model.machines.push(info);
      declaration.detail = `machine ${info.name}: ${info.cpus} CPU${info.cpus === 1 ? '' : 's'}, ${formatBytes(info.memoryBytes)}, timeslice ${info.timeslice} cycles` +
        (info.nodeTableSize !== DEFAULT_MACHINE.nodeTableSize ? `, ${info.nodeTableSize} nodes` : '') +
        (info.byteOrder !== DEFAULT_MACHINE.byteOrder ? ', big-endian' : '') +
        (info.dataModel !== DEFAULT_MACHINE.dataModel ? ', ILP32' : '') +
        (info.mpuRegions !== DEFAULT_MACHINE.mpuRegions ? `, ${info.mpuRegions} MPU regions` : '');
      if (machine.name.name === '') continue;
      const existing = this.topLevel.get(machine.name.name);
      if (existing !== undefined) this.duplicate(machine.name, existing.declaration);
      else this.topLevel.set(machine.name.name, { kind: 'machine', declaration, index });
      root.entries.push({ declaration, visibleFrom: 0 });
    }
    if (this.model.implicitMachine) this.model.machines.push({ ...DEFAULT_MACHINE });
    this.ast.processes.forEach((node, index) => {
      const declaration = this.declare(node.name, 'process', node.range, node, undefined, `process ${node.name.name}`);
      const info: ProcessInfo = {
        index,
        node,
        declaration,
        machine: 0,
        badge: index + 1,
        tock: node.tock !== undefined,
        caps: [],
        items: new Map(),
        held: new Set(),
        heldGroups: new Set(),
      };
      this.model.processes.push(info);
      if (node.name.name === '') return;
      const existing = this.topLevel.get(node.name.name);
      if (existing !== undefined) this.duplicate(node.name, existing.declaration);
      else this.topLevel.set(node.name.name, { kind: 'process', declaration, index });
      root.entries.push({ declaration, visibleFrom: 0 });
    });
  }

  private machineInfo(machine: MachineNode): MachineInfo {
    let cpus: number = DEFAULT_MACHINE.cpus;
    let memoryBytes: number = DEFAULT_MACHINE.memoryBytes;
    let timeslice: number = DEFAULT_MACHINE.timeslice;
    let nodeTableSize: number = DEFAULT_MACHINE.nodeTableSize;
    let byteOrder: number = DEFAULT_MACHINE.byteOrder;
    let dataModel: number = DEFAULT_MACHINE.dataModel;
    let mpuRegions: number = DEFAULT_MACHINE.mpuRegions;
    const seen = new Map<string, Range>();
    for (const property of machine.properties) {
      const first = seen.get(property.property);
      if (first !== undefined) {
        this.error(property.propertyRange, `'${property.property}' is given twice`, 'duplicate-property', {
          related: [{ message: 'first given here', range: first }],
        });
      }
      seen.set(property.property, property.propertyRange);
      if (property.value.kind === 'identifier') {
        const word = property.value;
        const table = property.property === 'byte_order' ? BYTE_ORDERS : property.property === 'data_model' ? DATA_MODELS : undefined;
        if (table === undefined) continue;
        const chosen = table.get(word.name);
        if (chosen === undefined) {
          const options = [...table.keys()];
          const suggestion = closestName(word.name, options);
          this.error(
            word.range,
            `'${property.property}' must be '${options[0]}' or '${options[1]}', not '${word.name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
            'invalid-value',
            suggestion !== undefined ? { data: { suggestion } } : undefined,
          );
        } else if (property.property === 'byte_order') byteOrder = chosen;
        else dataModel = chosen;
        continue;
      }
      const value = this.numberValue(property.value);
      if (value === undefined) continue;
      switch (property.property) {
        case 'cpus':
          if (value < 1 || value > MAX_CPUS) this.error(property.value.range, `'cpus' must be between 1 and ${MAX_CPUS}`, 'out-of-range');
          else cpus = value;
          break;
        case 'memory':
          if (value < PAGE_SIZE) this.error(property.value.range, `'memory' must be at least one page (${PAGE_SIZE} bytes)`, 'out-of-range');
          else memoryBytes = value;
          break;
        case 'timeslice':
          if (value < 1) this.error(property.value.range, '\'timeslice\' must be at least 1 cycle', 'out-of-range');
          else timeslice = value;
          break;
        case 'nodes':
          if (value < NODES_MIN || value > NODES_MAX) this.error(property.value.range, `'nodes' must be between ${NODES_MIN} and ${NODES_MAX}`, 'out-of-range');
          else nodeTableSize = value;
          break;
        case 'mpu_regions':
          if (value < MPU_REGIONS_MIN || value > MPU_REGIONS_MAX) this.error(property.value.range, `'mpu_regions' must be between ${MPU_REGIONS_MIN} and ${MPU_REGIONS_MAX}`, 'out-of-range');
          else mpuRegions = value;
          break;
        default:
          // A number given to a word property was reported by the parser.
          break;
      }
    }
    return { name: machine.name.name, cpus, memoryBytes, timeslice, nodeTableSize, byteOrder, dataModel, mpuRegions, node: machine };
  }

  private declareProcessItems(process: ProcessInfo): void {
    const processName = process.node.name.name;
    const scope: Scope = {
      start: process.node.range.start.offset,
      end: process.node.range.end.offset,
      parent: this.symbols.root,
      children: [],
      entries: [],
    };
    if (this.rechecking) this.symbols.root.children[process.index] = scope;
    else this.symbols.root.children.push(scope);
    this.scopeByProcess.set(process, scope);
    for (const item of process.node.items) {
      let declaration: SymbolDeclaration;
      let info: ItemInfo;
      switch (item.kind) {
        case 'pmo': {
          declaration = this.declare(item.name, 'pmo', item.range, item, processName, `pmo ${item.name.name}`);
          const object = this.addObject('pmo', process, item, declaration);
          info = { kind: 'pmo', node: item, declaration, object: object.index };
          process.held.add(object.index);
          break;
        }
        case 'thread': {
          declaration = this.declare(item.name, 'thread', item.range, item, processName, `thread ${item.name.name}`);
          const object = this.addObject('thread', process, item, declaration);
          info = { kind: 'thread', node: item, declaration, object: object.index };
          process.held.add(object.index);
          if (item.body !== undefined) object.routine = this.addRoutine(process, item, item.name.name, item.body, []).index;
          break;
        }
        case 'routine': {
          declaration = this.declare(item.name, 'routine', item.range, item, processName, `routine ${item.name.name}(${item.params.map((p) => p.name).join(', ')})`);
          const routine = this.addRoutine(process, item, item.name.name, item.body, item.params.map((p) => p.name));
          info = { kind: 'routine', node: item, declaration, routine: routine.index };
          break;
        }
        case 'cap':
          declaration = this.declare(item.name, 'cap', item.range, item, processName, `cap ${item.name.name}`);
          info = { kind: 'cap', node: item, declaration, slot: -1 };
          break;
      }
      if (item.name.name === '') continue;
      const existing = process.items.get(item.name.name);
      if (existing !== undefined) {
        this.duplicate(item.name, existing.declaration, ` in process '${processName}'`);
        continue;
      }
      process.items.set(item.name.name, info);
      scope.entries.push({ declaration, visibleFrom: 0 });
    }
  }

  private addObject(kind: 'pmo' | 'thread', process: ProcessInfo, node: PmoNode | ThreadNode, declaration: SymbolDeclaration): ObjectInfo {
    const object: ObjectInfo = {
      index: this.objectCursor >= 0 ? this.objectCursor++ : this.model.objects.length,
      kind,
      owner: process.index,
      node,
      declaration,
      size: 0,
      threadType: 'user',
      priority: DEFAULT_PRIORITY,
      cpu: -1,
      routine: -1,
    };
    this.model.objects[object.index] = object;
    this.objectByNode.set(node, object);
    return object;
  }

  private addRoutine(process: ProcessInfo, node: ThreadNode | RoutineNode, name: string, body: Block, params: string[]): RoutineInfo {
    const index = this.routineCursor >= 0 ? this.routineCursor++ : this.model.routines.length;
    const routine: RoutineInfo = { index, name, owner: process.index, node, body, params, slotNames: [], repeatSlots: [] };
    this.model.routines[index] = routine;
    this.routineByNode.set(node, routine);
    return routine;
  }

  // -------------------------------------------------------------------------------------------
  // Headers and items

  private checkProcessHeader(process: ProcessInfo): void {
    const node = process.node;
    const machines = this.ast.machines;
    if (node.on !== undefined) {
      const index = this.resolveMachine(node.on);
      if (index !== undefined) process.machine = index;
    } else if (machines.length > 1) {
      this.error(
        node.name.range,
        `process '${node.name.name}' must say which machine it runs on: there are ${machines.length} machines (add 'on ${machines[0]!.name.name}')`,
        'missing-machine',
        { data: { suggestion: machines[0]!.name.name } },
      );
    }
    if (node.badge !== undefined) {
      const badge = this.numberValue(node.badge);
      if (badge !== undefined) process.badge = badge;
    }
    const machine = this.model.machines[process.machine];
    process.declaration.detail =
      `process ${node.name.name}` +
      (machine !== undefined ? ` on ${machine.name}` : '') +
      `, badge ${process.badge}` +
      (process.tock ? ', tock' : '');
  }

  /**
   * A machine by name (records the reference), or undefined (reported). Without any `machine`
   * declaration, `default` names the implicit machine.
   */
  private resolveMachine(name: Identifier): number | undefined {
    const text = name.name;
    if (text === '') return undefined;
    const entry = this.topLevel.get(text);
    if (entry?.kind === 'machine') {
      this.reference(name.range, entry.declaration);
      return entry.index;
    }
    if (entry === undefined && this.model.implicitMachine && text === DEFAULT_MACHINE.name) return 0;
    if (this.saturated) return undefined;
    if (entry?.kind === 'process') {
      this.error(name.range, `'${text}' is a process, not a machine`, 'wrong-kind');
      return undefined;
    }
    const suggestion = closestName(text, this.ast.machines.map((m) => m.name.name));
    this.error(
      name.range,
      `undefined machine '${text}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
      'undefined-name',
      { data: suggestion !== undefined ? { suggestion } : { declareMissing: { kind: 'machine', name: text } } },
    );
    return undefined;
  }

  /** A non-negative literal at least `min`, or undefined (reported when out of range). */
  private literalAtLeast(node: NumberLiteral | ErrorExpression | undefined, min: number, message: string): number | undefined {
    const value = this.numberValue(node);
    if (value === undefined || node === undefined) return undefined;
    if (value < min) {
      this.error(node.range, message, 'out-of-range');
      return undefined;
    }
    return value;
  }

  // -------------------------------------------------------------------------------------------
  // Links and faults

  private checkLinks(): void {
    const byPair = new Map<string, LinkNode>();
    for (const node of this.ast.links) {
      const a = this.resolveMachine(node.a);
      const b = this.resolveMachine(node.b);
      let latency: number | undefined = DEFAULT_LINK_LATENCY;
      if (node.latency !== undefined) latency = this.literalAtLeast(node.latency, 1, '\'latency\' must be at least 1 cycle');
      if (a === undefined || b === undefined) continue;
      if (a === b) {
        this.error(node.b.range, `a link joins two different machines, but both ends are '${node.a.name}'`, 'invalid-link');
        continue;
      }
      const key = a < b ? `${a}:${b}` : `${b}:${a}`;
      const first = byPair.get(key);
      if (first !== undefined) {
        this.error(node.range, `machines '${node.a.name}' and '${node.b.name}' are already linked`, 'duplicate-link', {
          related: [{ message: 'the first link', range: first.range }],
        });
        continue;
      }
      byPair.set(key, node);
      // With a bad latency (reported) the link still takes its index, so faults name it.
      this.model.links.push({ a, b, latency: latency ?? DEFAULT_LINK_LATENCY, node });
    }
  }

  /** The index of the declared link between two machines (either order), or undefined (reported). */
  private resolveLink(reference: LinkReference): number | undefined {
    const a = this.resolveMachine(reference.a);
    const b = this.resolveMachine(reference.b);
    if (a === undefined || b === undefined) return undefined;
    if (a === b) {
      this.error(reference.range, `a link joins two different machines, but both ends are '${reference.a.name}'`, 'invalid-link');
      return undefined;
    }
    const index = this.model.links.findIndex((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));
    if (index >= 0) return index;
    // A declared link with an error (its latency) is not in the model, but is not missing either.
    const declared = this.ast.links.some(
      (l) => (l.a.name === reference.a.name && l.b.name === reference.b.name) || (l.a.name === reference.b.name && l.b.name === reference.a.name),
    );
    if (!declared) {
      const text = `${reference.a.name} <-> ${reference.b.name}`;
      this.error(reference.range, `no link '${text}' is declared (add 'link ${text}')`, 'undefined-name', {
        data: { declareMissing: { kind: 'link', name: text } },
      });
    }
    return undefined;
  }

  /**
   * A thread (`process.thread`) or a process, for `by` and `kill`: the thread's object index or the
   * process index (the other -1), or undefined (reported).
   */
  private resolveFaultTarget(name: NameExpression | ErrorExpression, where: string): { thread: number; process: number } | undefined {
    if (name.kind !== 'name') return undefined;
    if (name.member !== undefined) {
      const found = this.resolveQualified(name);
      if (found === undefined) return undefined;
      if (found.kind === 'object' && found.object.kind === 'thread') return { thread: found.object.index, process: -1 };
      const what = found.kind === 'object' ? `PMO '${describeName(name)}'` : `routine '${describeName(name)}'`;
      this.error(name.range, `expected a thread or a process ${where}, found ${what}`, 'wrong-kind', {
        data: { expected: 'target', found: found.kind === 'object' ? 'pmo' : 'routine' },
      });
      return undefined;
    }
    const text = name.head.name;
    const entry = this.topLevel.get(text);
    if (entry?.kind === 'process') {
      this.reference(name.head.range, entry.declaration);
      return { thread: -1, process: entry.index };
    }
    if (this.saturated || text === '') return undefined;
    if (entry?.kind === 'machine') {
      this.reference(name.head.range, entry.declaration);
      this.error(name.range, `expected a thread or a process ${where}, found machine '${text}'`, 'wrong-kind');
      return undefined;
    }
    // A thread named without its process: say which one it is.
    const owners = this.model.processes.filter((p) => p.items.get(text)?.kind === 'thread').map((p) => `${p.node.name.name}.${text}`);
    if (owners.length > 0) {
      this.error(name.range, `undefined process '${text}'; name a thread with its process, such as '${owners[0]}'`, 'undefined-name', {
        data: { suggestion: owners[0] },
      });
      return undefined;
    }
    const suggestion = closestName(text, this.ast.processes.map((p) => p.name.name));
    this.error(
      name.range,
      `undefined process '${text}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
      'undefined-name',
      { data: suggestion !== undefined ? { suggestion } : { declareMissing: { kind: 'process', name: text } } },
    );
    return undefined;
  }

  private checkFaults(): void {
    for (const node of this.ast.faults) {
      const trigger = this.checkFaultTrigger(node);
      const action = this.checkFaultAction(node);
      if (trigger !== undefined && action !== undefined) this.model.faults.push({ trigger, action, node });
    }
  }

  private checkFaultTrigger(node: FaultNode): FaultTrigger | undefined {
    const trigger = node.trigger;
    if (trigger.kind === 'error') return undefined;
    if (trigger.kind === 'timeTrigger') {
      const time = this.numberValue(trigger.time);
      return time === undefined ? undefined : { kind: 'time', time };
    }
    let ok = true;
    const name = trigger.syscall.name;
    const spec = name === '' ? undefined : syscallByName(name);
    if (spec === undefined) {
      ok = false;
      if (name !== '' && !this.saturated) {
        if (builtinByName(name) !== undefined) {
          this.error(trigger.syscall.range, `'${name}' is a builtin, not a syscall: it runs in user mode and never enters the kernel, so no fault can trigger on it`, 'wrong-kind');
        } else {
          const suggestion = closestName(name, ALL_SYSCALL_NAMES);
          this.error(
            trigger.syscall.range,
            `unknown syscall '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
            'unknown-call',
            suggestion !== undefined ? { data: { suggestion } } : undefined,
          );
        }
      }
    }
    let thread = -1;
    let process = -1;
    if (trigger.by !== undefined) {
      const target = this.resolveFaultTarget(trigger.by, 'after \'by\'');
      if (target === undefined) ok = false;
      else ({ thread, process } = target);
    }
    let count: number | undefined = 1;
    if (trigger.count !== undefined) count = this.literalAtLeast(trigger.count, 1, '\'count\' must be at least 1');
    if (!ok || spec === undefined || count === undefined) return undefined;
    return { kind: 'syscall', syscall: spec.name, thread, process, count };
  }

  private checkFaultAction(node: FaultNode): FaultAction | undefined {
    const action = node.action;
    switch (action.kind) {
      case 'error':
        return undefined;
      case 'killAction': {
        const target = this.resolveFaultTarget(action.target, 'after \'kill\'');
        if (target === undefined) return undefined;
        return target.thread >= 0 ? { kind: 'kill-thread', object: target.thread } : { kind: 'kill-process', process: target.process };
      }
      case 'linkAction': {
        const link = this.resolveLink(action.link);
        if (link === undefined || action.state === undefined) return undefined;
        return { kind: action.state === 'down' ? 'link-down' : 'link-up', link };
      }
      case 'crashAction': {
        const machine = this.resolveMachine(action.machine);
        let restartAfter: number | undefined = -1;
        if (action.restartAfter !== undefined) restartAfter = this.numberValue(action.restartAfter);
        if (machine === undefined || restartAfter === undefined) return undefined;
        return { kind: 'crash-machine', machine, restartAfter };
      }
      case 'dropAction': {
        const link = this.resolveLink(action.link);
        let count: number | undefined = 1;
        if (action.count !== undefined) count = this.literalAtLeast(action.count, 1, '\'count\' must be at least 1');
        if (link === undefined || count === undefined) return undefined;
        return { kind: 'drop-messages', link, count };
      }
    }
  }

  private checkProcessItems(process: ProcessInfo): void {
    for (const item of process.node.items) {
      const info = item.name.name === '' ? undefined : process.items.get(item.name.name);
      switch (item.kind) {
        case 'pmo':
          this.checkPmo(item, this.objectByNode.get(item));
          break;
        case 'thread':
          this.checkThread(process, item, this.objectByNode.get(item));
          break;
        case 'routine':
          this.checkRoutineHeader(item);
          break;
        case 'cap':
          this.checkCap(process, item, info?.kind === 'cap' && info.node === item ? info : undefined);
          break;
      }
    }
    // Boot slots of `cap` declarations are known now: after the process's own pmos and threads.
    let slot = 2 + process.node.items.filter((i) => i.kind === 'pmo' || i.kind === 'thread').length;
    for (const item of process.node.items) {
      if (item.kind !== 'cap') continue;
      const info = process.items.get(item.name.name);
      if (info?.kind === 'cap' && info.node === item && info.target !== undefined) info.slot = slot++;
    }
  }

  private checkPmo(node: PmoNode, object: ObjectInfo | undefined): void {
    const size = this.numberValue(node.size);
    if (size !== undefined) {
      if (size <= 0) this.error(node.size.range, 'a PMO\'s size must be at least 1 byte', 'out-of-range');
      else if (object !== undefined) object.size = size;
    }
    const at = this.numberValue(node.at);
    if (at !== undefined && node.at !== undefined) {
      if (at >= KBASE) this.error(node.at.range, 'the mapping address must lie below KBASE (0x8000_0000_0000)', 'out-of-range');
      else {
        if (at % PAGE_SIZE !== 0) this.warning(node.at.range, `the mapping address is not page-aligned; the kernel rounds it down to 0x${(at - (at % PAGE_SIZE)).toString(16)}`, 'unaligned');
        if (object !== undefined) object.mapAt = at;
      }
    }
    if (object !== undefined) object.declaration.detail = `pmo ${node.name.name}, ${formatBytes(object.size)}${object.mapAt !== undefined ? ` mapped at 0x${object.mapAt.toString(16)}` : ''}`;
  }

  private checkThread(process: ProcessInfo, node: ThreadNode, object: ObjectInfo | undefined): void {
    const type: ThreadType = node.type?.value ?? 'user';
    const machine = this.model.machines[process.machine];
    let priority = DEFAULT_PRIORITY;
    let cpu = -1;
    const seen = new Map<string, Range>();
    for (const option of node.options) {
      const first = seen.get(option.option);
      if (first !== undefined) {
        this.error(option.optionRange, `'${option.option}' is given twice`, 'duplicate-property', { related: [{ message: 'first given here', range: first }] });
      }
      seen.set(option.option, option.optionRange);
      const value = this.numberValue(option.value);
      if (value === undefined) continue;
      if (option.option === 'priority') {
        if (value < PRIORITY_MIN || value > PRIORITY_MAX) {
          this.error(option.value.range, `priority ${value} is out of range: it must be between ${PRIORITY_MIN} and ${PRIORITY_MAX}`, 'out-of-range');
        } else priority = value;
      } else {
        const cpus = machine?.cpus ?? 1;
        if (value >= cpus) {
          this.error(
            option.value.range,
            `cpu ${value} is out of range: machine '${machine?.name ?? 'default'}' has ${cpus} CPU${cpus === 1 ? '' : 's'} (0..${cpus - 1})`,
            'out-of-range',
          );
        } else cpu = value;
      }
    }
    let routine = object?.routine ?? -1;
    if (node.runs !== undefined) {
      const name = node.runs.name;
      const item = name === '' ? undefined : process.items.get(name);
      if (item?.kind === 'routine') {
        routine = item.routine;
        this.reference(node.runs.range, item.declaration);
      } else if (item !== undefined) {
        this.error(node.runs.range, `'runs' must name a routine, but '${name}' is a ${item.kind}`, 'wrong-kind');
      } else if (name !== '') {
        const routines = [...process.items.values()].filter((i) => i.kind === 'routine').map((i) => i.declaration.name);
        const suggestion = closestName(name, routines);
        this.error(
          node.runs.range,
          `undefined routine '${name}' in process '${process.node.name.name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
          'undefined-name',
          { data: suggestion !== undefined ? { suggestion } : { declareMissing: { kind: 'routine', name } } },
        );
      }
    } else if (node.body === undefined) {
      const message =
        type === 'user' || type === 'kernel'
          ? `${type === 'kernel' ? 'kernel ' : ''}thread '${node.name.name}' has no code: give it a block or 'runs <routine>'`
          : `${type} thread '${node.name.name}' needs a routine: add 'runs <routine>' or a block`;
      this.error(node.name.range, message, 'missing-body');
    }
    if (object !== undefined) {
      object.threadType = type;
      object.priority = priority;
      object.cpu = cpu;
      object.routine = routine;
      const runs = node.runs !== undefined ? ` runs ${node.runs.name}` : '';
      object.declaration.detail = `thread ${node.name.name} (${type}, priority ${priority}${cpu >= 0 ? `, cpu ${cpu}` : ''})${runs}`;
    }
  }

  private checkRoutineHeader(node: RoutineNode): void {
    const seen = new Map<string, Identifier>();
    node.params.forEach((param, index) => {
      if (index === MAX_ROUTINE_PARAMS) {
        this.error(param.range, `a routine has at most ${MAX_ROUTINE_PARAMS} parameters (they arrive in arg0..arg3)`, 'too-many-parameters');
      }
      const first = seen.get(param.name);
      if (first !== undefined) {
        this.error(param.range, `duplicate parameter '${param.name}'`, 'duplicate-name', { related: [{ message: 'first declared here', range: first.range }] });
      } else seen.set(param.name, param);
    });
  }

  private checkCap(process: ProcessInfo, node: CapNode, info: Extract<ItemInfo, { kind: 'cap' }> | undefined): void {
    const target = node.target;
    if (target.kind !== 'name') return;
    let resolved: CapTarget | undefined;
    let targetDeclaration: SymbolDeclaration | undefined;
    if (target.member === undefined) {
      const name = target.head.name;
      const own = process.items.get(name);
      const top = this.topLevel.get(name);
      if (own !== undefined && (own.kind === 'pmo' || own.kind === 'thread')) {
        resolved = { kind: 'object', object: own.object };
        targetDeclaration = own.declaration;
        this.reference(target.head.range, own.declaration);
      } else if (top?.kind === 'process') {
        resolved = { kind: 'group', process: top.index };
        targetDeclaration = top.declaration;
        this.reference(target.head.range, top.declaration);
      } else if (own !== undefined || top !== undefined) {
        const what = own?.kind ?? top!.kind;
        this.error(target.range, `a 'cap' names an object ('process.object') or a process, but '${name}' is a ${what}`, 'wrong-kind');
      } else {
        const suggestion = closestName(name, [...this.topLevel.keys()]);
        this.error(
          target.range,
          `undefined name '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
          'undefined-name',
          suggestion !== undefined ? { data: { suggestion } } : undefined,
        );
      }
    } else {
      const found = this.resolveQualified(target);
      if (found !== undefined) {
        if (found.kind === 'object') {
          resolved = { kind: 'object', object: found.object.index };
          targetDeclaration = found.object.declaration;
        } else {
          this.error(target.range, `a 'cap' names an object ('process.object') or a process, but '${target.member.name}' is a routine`, 'wrong-kind');
        }
      }
    }
    if (info === undefined || resolved === undefined) return;
    info.target = resolved;
    if (resolved.kind === 'object') {
      process.held.add(resolved.object);
      const object = this.model.objects[resolved.object]!;
      info.declaration.valueKind = object.kind;
    } else {
      process.heldGroups.add(resolved.process);
      info.declaration.valueKind = 'capability';
    }
    info.declaration.detail = `cap ${node.name.name} = ${this.text.slice(target.range.start.offset, target.range.end.offset)}${targetDeclaration !== undefined ? ` (${targetDeclaration.kind})` : ''}`;
  }

  /** Resolves `process.member`, reporting problems; records references. */
  private resolveQualified(
    name: NameExpression,
  ): { kind: 'object'; object: ObjectInfo } | { kind: 'routine'; routine: number; declaration: SymbolDeclaration } | undefined {
    const head = name.head.name;
    const member = name.member!;
    const top = this.topLevel.get(head);
    if (top?.kind !== 'process') {
      if (this.saturated) return undefined;
      if (top?.kind === 'machine') {
        this.error(name.head.range, `'${head}' is a machine; only 'process.object' names have a dot`, 'wrong-kind');
      } else {
        const suggestion = closestName(head, this.ast.processes.map((p) => p.name.name));
        this.error(
          name.head.range,
          `undefined process '${head}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
          'undefined-name',
          { data: suggestion !== undefined ? { suggestion } : { declareMissing: { kind: 'process', name: head } } },
        );
      }
      return undefined;
    }
    this.reference(name.head.range, top.declaration);
    const process = this.model.processes[top.index]!;
    if (member.name === '') return undefined;
    const item = process.items.get(member.name);
    if (item === undefined) {
      if (this.saturated) return undefined;
      const suggestion = closestName(member.name, process.items.keys());
      this.error(
        member.range,
        `process '${head}' has no object '${member.name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
        'undefined-name',
        { data: suggestion !== undefined ? { suggestion } : { declareMissing: { kind: 'pmo', name: member.name, process: head } } },
      );
      return undefined;
    }
    this.reference(member.range, item.declaration);
    switch (item.kind) {
      case 'pmo':
      case 'thread':
        return { kind: 'object', object: this.model.objects[item.object]! };
      case 'routine':
        return { kind: 'routine', routine: item.routine, declaration: item.declaration };
      case 'cap':
        this.error(member.range, `'${head}.${member.name}' is a capability name local to '${head}'; name the object it refers to`, 'wrong-kind');
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Code

  private checkProcessCode(process: ProcessInfo): void {
    const scope = this.scopeByProcess.get(process)!;
    for (const item of process.node.items) {
      if (item.kind === 'thread' && item.body !== undefined) {
        const routine = this.routineByNode.get(item);
        if (routine !== undefined) this.checkRoutineBody(process, routine, scope, []);
      } else if (item.kind === 'routine') {
        const routine = this.routineByNode.get(item);
        if (routine !== undefined) this.checkRoutineBody(process, routine, scope, item.params);
      }
    }
  }

  private checkRoutineBody(process: ProcessInfo, routine: RoutineInfo, processScope: Scope, params: readonly Identifier[]): void {
    const container = `${process.node.name.name}.${routine.name}`;
    const body = routine.body;
    const scope: Scope = { start: body.range.start.offset, end: body.range.end.offset, parent: processScope, children: [], entries: [] };
    processScope.children.push(scope);
    const frame: Frame = { routine, process, scopes: [{ map: new Map(), scope }], loopDepth: 0, container };
    params.forEach((param, index) => {
      const declaration = this.declare(param, 'param', param.range, param, container, `param ${param.name} (arg${index})`);
      declaration.valueKind = 'unknown';
      declaration.frameSlot = routine.slotNames.length;
      const map = frame.scopes[0]!.map;
      if (!map.has(param.name)) {
        map.set(param.name, { declaration, slot: routine.slotNames.length, valueKind: 'unknown' });
        scope.entries.push({ declaration, visibleFrom: scope.start });
      }
      routine.slotNames.push(param.name);
    });
    this.checkStatements(frame, body.statements);
  }

  private pushScope(frame: Frame, block: Block, extra?: (scope: Scope, map: Map<string, LocalInfo>) => void): void {
    const parent = frame.scopes[frame.scopes.length - 1]!.scope;
    const scope: Scope = { start: block.range.start.offset, end: block.range.end.offset, parent, children: [], entries: [] };
    parent.children.push(scope);
    const map = new Map<string, LocalInfo>();
    frame.scopes.push({ map, scope });
    extra?.(scope, map);
    this.checkStatements(frame, block.statements);
    frame.scopes.pop();
  }

  private checkStatements(frame: Frame, statements: readonly Statement[]): void {
    for (const statement of statements) this.checkStatement(frame, statement);
  }

  private allocateSlot(frame: Frame, name: string): number {
    const slot = frame.routine.slotNames.length;
    frame.routine.slotNames.push(name);
    return slot;
  }

  private declareLocal(frame: Frame, name: Identifier, node: SymbolDeclaration['node'], range: Range, valueKind: ValueKind, slot: number, visibleFrom: number): void {
    const top = frame.scopes[frame.scopes.length - 1]!;
    const declaration = this.declare(name, 'local', range, node, frame.container, `let ${name.name}${valueKind !== 'unknown' && valueKind !== 'none' ? `: ${describeKind(valueKind)}` : ''}`);
    declaration.valueKind = valueKind;
    declaration.frameSlot = slot;
    if (name.name === '') return;
    const existing = top.map.get(name.name);
    if (existing !== undefined) {
      this.error(name.range, `'${name.name}' is already declared in this block`, 'duplicate-name', {
        related: [{ message: `'${name.name}' is first declared here`, range: existing.declaration.nameRange }],
      });
    }
    top.map.set(name.name, { declaration, slot, valueKind });
    top.scope.entries.push({ declaration, visibleFrom });
  }

  private lookupLocal(frame: Frame, name: string): LocalInfo | undefined {
    for (let i = frame.scopes.length - 1; i >= 0; i--) {
      const local = frame.scopes[i]!.map.get(name);
      if (local !== undefined) return local;
    }
    return undefined;
  }

  private checkStatement(frame: Frame, statement: Statement): void {
    switch (statement.kind) {
      case 'let': {
        const valueKind = this.checkValue(frame, statement.value);
        const slot = this.allocateSlot(frame, statement.name.name);
        this.model.slots.set(statement, slot);
        this.declareLocal(frame, statement.name, statement, statement.range, valueKind, slot, statement.range.end.offset);
        break;
      }
      case 'assign': {
        const valueKind = this.checkValue(frame, statement.value);
        const name = statement.target.name;
        const local = this.lookupLocal(frame, name);
        if (local !== undefined) {
          this.model.slots.set(statement, local.slot);
          this.reference(statement.target.range, local.declaration);
          if (local.valueKind !== valueKind && !(isNumeric(local.valueKind) && isNumeric(valueKind))) local.valueKind = 'unknown';
        } else {
          const entity = this.lookupNonLocal(frame, name);
          if (entity !== undefined) {
            this.error(statement.target.range, `cannot assign to ${this.describeEntity(entity, name)}; only locals ('let') can be assigned`, 'not-assignable');
          } else {
            this.reportUndefined(frame, statement.target, 'local');
          }
        }
        break;
      }
      case 'call':
        this.checkCallStatement(frame, statement.call);
        break;
      case 'expression':
        this.checkExpression(frame, statement.expression, NONE);
        this.error(
          statement.range,
          'an expression on its own does nothing; use it in \'let\', \'expect\' or \'print\'',
          'expression-statement',
        );
        break;
      case 'expect': {
        const kind = this.checkExpression(frame, statement.condition, NONE);
        this.checkScalar(statement.condition, kind, '\'expect\'');
        break;
      }
      case 'print':
        for (const part of statement.parts) this.checkExpression(frame, part, PRINT_PART);
        break;
      case 'if': {
        let current: typeof statement | undefined = statement;
        while (current !== undefined) {
          const kind = this.checkExpression(frame, current.condition, NONE);
          this.checkScalar(current.condition, kind, '\'if\'');
          this.pushScope(frame, current.then);
          const elseBranch: typeof current.else = current.else;
          if (elseBranch === undefined) current = undefined;
          else if (elseBranch.kind === 'block') {
            this.pushScope(frame, elseBranch);
            current = undefined;
          } else current = elseBranch;
        }
        break;
      }
      case 'repeat': {
        const kind = this.checkExpression(frame, statement.count, NONE);
        this.checkScalar(statement.count, kind, '\'repeat\'');
        const counter = statement.counter;
        let counterSlot = -1;
        if (counter !== undefined) {
          counterSlot = this.allocateSlot(frame, counter.name);
          this.model.slots.set(statement, counterSlot);
        }
        const hidden = this.allocateSlot(frame, `(repeat ${statement.range.start.line}:${statement.range.start.column})`);
        this.model.repeatCounters.set(statement, hidden);
        frame.routine.repeatSlots.push([statement, hidden]);
        frame.loopDepth++;
        this.pushScope(frame, statement.body, (scope) => {
          if (counter !== undefined) {
            this.declareLocal(frame, counter, counter, counter.range, 'number', counterSlot, scope.start);
          }
        });
        frame.loopDepth--;
        break;
      }
      case 'break':
      case 'continue':
        if (frame.loopDepth === 0) this.error(statement.range, `'${statement.kind}' outside of 'repeat'`, 'break-outside-loop');
        break;
      case 'error':
        break;
    }
  }

  private checkScalar(expression: Expression, kind: ValueKind, where: string): void {
    if (kind === 'list') this.error(expression.range, `a list cannot be used as the ${where} value`, 'type');
    else if (kind === 'bytes') this.error(expression.range, `a byte string cannot be used as the ${where} value`, 'type');
  }

  /** The value of a `let` or an assignment: a syscall is allowed here, as the whole value. */
  private checkValue(frame: Frame, value: Expression): ValueKind {
    if (value.kind === 'call') {
      const syscall = syscallByName(value.callee.name);
      if (syscall !== undefined) {
        this.checkCall(frame, value, { kind: 'syscall', spec: syscall });
        return syscall.resultKind === 'connection' || syscall.resultKind === 'pmo' || syscall.resultKind === 'capability'
          ? syscall.resultKind
          : 'number';
      }
    }
    const kind = this.checkExpression(frame, value, STATEMENT_VALUE);
    if (kind === 'list') this.error(value.range, 'a list can only be an argument (such as \'data:\' or \'caps:\')', 'type');
    return kind;
  }

  private checkCallStatement(frame: Frame, call: CallExpression): void {
    const name = call.callee.name;
    const syscall = syscallByName(name);
    if (syscall !== undefined) {
      this.checkCall(frame, call, { kind: 'syscall', spec: syscall });
      return;
    }
    const builtin = builtinByName(name);
    if (builtin !== undefined) {
      this.checkCall(frame, call, { kind: 'builtin', spec: builtin });
      if (builtin.form === 'function') {
        this.error(
          call.callee.range,
          `the value of '${name}' is not used; write 'let x = ${name}(...)', or use it in 'expect' or 'print'`,
          'unused-value',
        );
      }
      return;
    }
    this.checkUnknownCall(frame, call);
  }

  private checkUnknownCall(frame: Frame, call: CallExpression): void {
    const name = call.callee.name;
    const entity = this.lookupEntity(frame, name);
    if (this.saturated) {
      // Nothing more will be reported; skip the suggestion search.
    } else if (entity?.kind === 'routine') {
      this.error(
        call.callee.range,
        `'${name}' is a routine: routines are not called, they are run by threads ('runs ${name}') or passed to syscalls`,
        'not-callable',
      );
    } else {
      const suggestion = closestName(name, ALL_CALL_NAMES);
      const isBuiltin = suggestion !== undefined && builtinByName(suggestion) !== undefined;
      const what = suggestion === undefined ? 'syscall or builtin' : isBuiltin ? 'builtin' : 'syscall';
      this.error(
        call.callee.range,
        `unknown ${what} '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
        'unknown-call',
        suggestion !== undefined ? { data: { suggestion } } : undefined,
      );
    }
    this.symbols.calls.push({ call, argumentParameters: call.args.map(() => -1) });
    for (const arg of call.args) this.checkExpression(frame, arg.value, PRINT_OR_STATEMENT);
  }

  /** Binds arguments to parameters and checks each against its parameter kind. */
  private checkCall(frame: Frame, call: CallExpression, callee: Callee): void {
    const spec = callee.spec;
    const params = spec.params;
    const bound: (Argument | undefined)[] = params.map(() => undefined);
    const argumentParameters: number[] = [];
    let positional = 0;
    let namedSeen: Argument | undefined;
    const what = `${callee.kind} '${spec.name}'`;
    for (const arg of call.args) {
      let index = -1;
      if (arg.name !== undefined) {
        namedSeen = arg;
        index = params.findIndex((p) => p.name === arg.name!.name);
        if (index < 0) {
          const suggestion = closestName(arg.name.name, params.map((p) => p.name));
          const list = params.length === 0 ? 'no parameters' : `parameters ${params.map((p) => `'${p.name}'`).join(', ')}`;
          this.error(
            arg.name.range,
            `${what} has no parameter '${arg.name.name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ` (it has ${list})`}`,
            'unknown-argument',
            suggestion !== undefined ? { data: { suggestion } } : undefined,
          );
        } else if (bound[index] !== undefined) {
          this.error(arg.range, `argument '${arg.name.name}' is given twice`, 'duplicate-argument', {
            related: [{ message: 'first given here', range: bound[index]!.range }],
          });
          index = -1;
        }
      } else if (namedSeen !== undefined) {
        this.error(arg.range, 'a positional argument cannot follow a named argument', 'positional-after-named', {
          related: [{ message: 'the named argument', range: namedSeen.range }],
        });
      } else if (positional >= params.length) {
        this.error(
          arg.range,
          `${what} takes ${params.length === 0 ? 'no arguments' : `at most ${params.length} argument${params.length === 1 ? '' : 's'}`}`,
          'too-many-arguments',
        );
      } else {
        index = positional++;
      }
      if (index >= 0) bound[index] = arg;
      argumentParameters.push(index);
      const param = index >= 0 ? params[index] : undefined;
      if (param !== undefined) this.checkArgument(frame, arg.value, param, spec.name);
      else this.checkExpression(frame, arg.value, PRINT_OR_STATEMENT);
    }
    const missing = params.filter((p, i) => !p.optional && bound[i] === undefined);
    if (missing.length > 0) {
      const names = missing.map((p) => `'${p.name}'`).join(', ');
      this.error(
        call.callee.range,
        `${what} is missing the required argument${missing.length === 1 ? '' : 's'} ${names}`,
        'missing-argument',
        { data: { missingArguments: missing.map((p) => p.name) } },
      );
    }
    if (callee.kind === 'syscall' && callee.spec.exclusive !== undefined) {
      for (const group of callee.spec.exclusive) {
        const given = group.map((name) => bound[params.findIndex((p) => p.name === name)]).filter((a): a is Argument => a !== undefined);
        if (given.length > 1) {
          const [first, ...rest] = given;
          for (const arg of rest) {
            const argName = params[bound.indexOf(arg)]!.name;
            const firstName = params[bound.indexOf(first!)]!.name;
            this.error(arg.range, `'${argName}' cannot be given together with '${firstName}' in '${spec.name}'`, 'exclusive-arguments', {
              related: [{ message: `'${firstName}' is given here`, range: first!.range }],
            });
          }
        }
      }
    }
    this.symbols.calls.push({ call, callee, argumentParameters });
    this.model.calls.set(call, { callee, argumentsByParameter: bound.map((a) => a?.value) });
  }

  private checkArgument(frame: Frame, value: Expression, param: ParameterSpec, calleeName: string): void {
    const kind = param.kind;
    const where = `for '${param.name}' of '${calleeName}'`;
    if (kind === 'data' || kind === 'capabilities') {
      const inner = unwrap(value);
      if (inner.kind === 'string' && kind === 'data') return; // one byte string is data too
      if (inner.kind !== 'list') {
        const valueKind = this.checkExpression(frame, value, NONE);
        if (inner.kind !== 'error' && valueKind !== 'unknown') {
          this.error(value.range, `expected ${kindPhrase(kind)} ${where}`, 'wrong-kind');
        }
        return;
      }
      for (const item of inner.items) {
        if (kind === 'capabilities') {
          this.checkArgument(frame, item, { name: param.name, kind: 'capability', doc: '' }, calleeName);
        } else {
          const itemKind = this.checkExpression(frame, item, PRINT_PART);
          if (isStaticObject(item, itemKind) || itemKind === 'list' || itemKind === 'none') {
            this.error(item.range, `message data holds integers and byte strings, not ${this.describeValue(item, itemKind)}`, 'wrong-kind');
          }
        }
      }
      return;
    }
    if (kind === 'bytes') {
      const valueKind = this.checkExpression(frame, value, PRINT_PART);
      if (valueKind !== 'bytes' && valueKind !== 'unknown') this.error(value.range, `expected ${kindPhrase('bytes')} ${where}`, 'wrong-kind');
      return;
    }
    const valueKind = this.checkExpression(frame, value, { parameter: param, calleeName });
    const accepts = CAPABILITY_ACCEPTS[kind];
    let ok: boolean;
    switch (kind) {
      case 'process':
        // A process name, or a number: the slot of a capability to a group (a `cap g = proc`).
        ok = valueKind === 'process' || (isNumeric(valueKind) && !isStaticObject(value, valueKind));
        break;
      case 'target':
        ok = valueKind === 'process' || valueKind === 'thread' || (isNumeric(valueKind) && !isStaticObject(value, valueKind));
        break;
      case 'object':
        // A name, or an identity computed by `cap_object(...)` / `object_of(...)`.
        ok = valueKind === 'process' || valueKind === 'thread' || valueKind === 'pmo' || valueKind === 'objectId';
        break;
      case 'routine':
        ok = valueKind === 'routine' || (isNumeric(valueKind) && !isStaticObject(value, valueKind));
        break;
      case 'machine':
        // A machine name (lowered to its index), or a number.
        ok = valueKind === 'machine' || (isNumeric(valueKind) && !isStaticObject(value, valueKind));
        break;
      case 'address':
        ok = (isNumeric(valueKind) && !isStaticObject(value, valueKind)) || valueKind === 'routine';
        break;
      default:
        // `integer`, `port` (a Mach port name is a number), and any kind without a rule of its own.
        ok = accepts !== undefined ? accepts.has(valueKind) : isNumeric(valueKind) && !isStaticObject(value, valueKind);
        break;
    }
    if (!ok && valueKind !== 'unknown' && unwrap(value).kind !== 'error') {
      let message = `expected ${kindPhrase(kind)} ${where}, found ${this.describeValue(value, valueKind)}`;
      if (valueKind === 'process' && accepts !== undefined) {
        message += ` (to pass a capability to a process's group, declare 'cap g = ${describeName(value)}')`;
      }
      this.error(value.range, message, 'wrong-kind', { data: { expected: kind, found: valueKind } });
    }
  }

  private describeValue(value: Expression, kind: ValueKind): string {
    const inner = unwrap(value);
    if (inner.kind === 'name') return `${describeKind(kind)} '${describeName(inner)}'`;
    if (inner.kind === 'string') return 'a byte string';
    if (inner.kind === 'list') return 'a list';
    if (kind === 'number') return 'a number';
    if (kind === 'boolean') return 'a boolean';
    return `a ${describeKind(kind)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  /** Checks an expression and returns its static kind. */
  private checkExpression(frame: Frame, expression: Expression, expectation: Expectation): ValueKind {
    switch (expression.kind) {
      case 'number':
        return 'number';
      case 'string':
        if (!expectation.printPart && expectation.parameter === undefined) {
          this.error(expression.range, 'a byte string can only be printed or passed as message data or bytes', 'type');
        }
        return 'bytes';
      case 'boolean':
        return 'boolean';
      case 'name':
        return this.checkName(frame, expression, expectation);
      case 'paren':
        return this.checkExpression(frame, expression.expression, expectation);
      case 'list': {
        for (const item of expression.items) this.checkExpression(frame, item, PRINT_PART);
        if (expectation.parameter === undefined && !expectation.statementValue) {
          this.error(expression.range, 'a list can only be an argument (such as \'data:\' or \'caps:\')', 'type');
        }
        return 'list';
      }
      case 'unary': {
        const kind = this.checkExpression(frame, expression.operand, NONE);
        this.checkOperand(expression.operand, kind, expression.op);
        return expression.op === 'not' ? 'boolean' : 'number';
      }
      case 'binary':
        return this.checkBinary(frame, expression);
      case 'call':
        return this.checkCallExpression(frame, expression);
      case 'error':
        return 'unknown';
    }
  }

  private checkOperand(operand: Expression, kind: ValueKind, op: string): void {
    const literal = unwrap(operand).kind;
    if ((kind === 'bytes' && literal !== 'string') || (kind === 'list' && literal !== 'list') || kind === 'none') {
      this.error(operand.range, `'${op}' cannot be applied to ${kind === 'none' ? 'a call that returns no value' : this.describeValue(operand, kind)}`, 'type');
    }
  }

  private checkBinary(frame: Frame, expression: Extract<Expression, { kind: 'binary' }>): ValueKind {
    const op = expression.op;
    if (op === '==' || op === '!=') {
      const leftIsIdentity = isIdentityCall(expression.left);
      const rightIsIdentity = isIdentityCall(expression.right);
      const left = this.checkExpression(frame, expression.left, rightIsIdentity ? IDENTITY : NONE);
      const right = this.checkExpression(frame, expression.right, leftIsIdentity ? IDENTITY : NONE);
      this.checkOperand(expression.left, left, op);
      this.checkOperand(expression.right, right, op);
      return 'boolean';
    }
    const left = this.checkExpression(frame, expression.left, NONE);
    const right = this.checkExpression(frame, expression.right, NONE);
    this.checkOperand(expression.left, left, op);
    this.checkOperand(expression.right, right, op);
    if (op === 'and' || op === 'or' || op === '<' || op === '<=' || op === '>' || op === '>=') return 'boolean';
    return 'number';
  }

  private checkCallExpression(frame: Frame, call: CallExpression): ValueKind {
    const name = call.callee.name;
    const builtin = builtinByName(name);
    if (builtin !== undefined) {
      this.checkCall(frame, call, { kind: 'builtin', spec: builtin });
      if (builtin.form === 'procedure') {
        this.error(call.callee.range, `'${name}' is a procedure and returns no value; call it as a statement`, 'procedure-as-value');
        return 'none';
      }
      if (IDENTITY_BUILTINS.has(name)) return 'objectId';
      if (name === 'conn_valid') return 'boolean';
      return 'number';
    }
    const syscall = syscallByName(name);
    if (syscall !== undefined) {
      this.checkCall(frame, call, { kind: 'syscall', spec: syscall });
      this.error(
        call.callee.range,
        `syscall '${name}' can only be a statement or the whole value of 'let'; write 'let r = ${name}(...)' first`,
        'syscall-in-expression',
      );
      return 'unknown';
    }
    this.checkUnknownCall(frame, call);
    return 'unknown';
  }

  private lookupNonLocal(frame: Frame, name: string): Entity | undefined {
    const item = frame.process.items.get(name);
    if (item !== undefined) {
      switch (item.kind) {
        case 'pmo':
        case 'thread':
          return { kind: 'object', object: this.model.objects[item.object]! };
        case 'routine':
          return { kind: 'routine', routine: item.routine, declaration: item.declaration };
        case 'cap':
          return { kind: 'cap', item };
      }
    }
    const top = this.topLevel.get(name);
    if (top !== undefined) {
      return top.kind === 'process'
        ? { kind: 'process', process: this.model.processes[top.index]! }
        : { kind: 'machine', declaration: top.declaration, index: top.index };
    }
    const value = NAMED_CONSTANTS.get(name);
    if (value !== undefined) return { kind: 'constant', name, value };
    if (REGISTERS.has(name)) return { kind: 'register', register: name as Register };
    return undefined;
  }

  private lookupEntity(frame: Frame, name: string): Entity | undefined {
    const local = this.lookupLocal(frame, name);
    if (local !== undefined) return { kind: 'local', local };
    return this.lookupNonLocal(frame, name);
  }

  private describeEntity(entity: Entity, name: string): string {
    switch (entity.kind) {
      case 'local': return `local '${name}'`;
      case 'object': return `${entity.object.kind === 'pmo' ? 'PMO' : 'thread'} '${name}'`;
      case 'cap': return `cap '${name}'`;
      case 'routine': return `routine '${name}'`;
      case 'process': return `process '${name}'`;
      case 'machine': return `machine '${name}'`;
      case 'constant': return `constant '${name}'`;
      case 'register': return `register '${name}'`;
    }
  }

  /** Whether no more diagnostics will be recorded (so expensive suggestions can be skipped). */
  private get saturated(): boolean {
    return this.diagnostics.length >= MAX_CHECK_DIAGNOSTICS;
  }

  private reportUndefined(frame: Frame, name: Identifier, expectedKind: string): void {
    const text = name.name;
    if (text === '' || this.saturated) return;
    // A `let` of this name later in the routine (or in a block that has ended)?
    frame.letIndex ??= indexLets(frame.routine.body);
    const later = frame.letIndex.get(text);
    if (later !== undefined) {
      const offset = name.range.start.offset;
      const isOwn = later.range.start.offset <= offset && offset <= later.range.end.offset;
      const isLater = later.range.start.offset >= offset;
      this.error(
        name.range,
        isOwn
          ? `'${text}' cannot be used in its own 'let'`
          : isLater
          ? `'${text}' is used before its 'let' (line ${later.range.start.line})`
          : `'${text}' is not visible here: its 'let' (line ${later.range.start.line}) is inside a block that has ended`,
        'use-before-let',
        { related: [{ message: `'${text}' is declared here`, range: later.name.range }] },
      );
      return;
    }
    const candidates: string[] = [];
    for (const scope of frame.scopes) for (const key of scope.map.keys()) candidates.push(key);
    for (const key of frame.process.items.keys()) candidates.push(key);
    for (const [key, entry] of this.topLevel) if (entry.kind === 'process') candidates.push(key);
    for (const key of NAMED_CONSTANTS.keys()) candidates.push(key);
    const suggestion = closestName(text, candidates);
    this.error(
      name.range,
      `undefined name '${text}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}`,
      'undefined-name',
      { data: suggestion !== undefined ? { suggestion, declareMissing: { kind: expectedKind, name: text } } : { declareMissing: { kind: expectedKind, name: text } } },
    );
  }

  private checkName(frame: Frame, name: NameExpression, expectation: Expectation): ValueKind {
    const paramKind = expectation.parameter?.kind;
    const identity = expectation.identity === true || paramKind === 'object' || paramKind === 'target';
    let entity: Entity | undefined;
    if (name.member !== undefined) {
      const found = this.resolveQualified(name);
      if (found === undefined) return 'unknown';
      entity = found.kind === 'object' ? { kind: 'object', object: found.object } : found;
    } else {
      entity = this.lookupEntity(frame, name.head.name);
      if (entity === undefined && paramKind === 'machine' && this.model.implicitMachine && name.head.name === DEFAULT_MACHINE.name) {
        // The implicit machine, by its name.
        this.model.names.set(name, { kind: 'number', value: 0 });
        return 'machine';
      }
      if (entity === undefined) {
        const expected =
          paramKind === 'thread' || paramKind === 'pmo' ? paramKind : paramKind === 'process' ? 'process' : paramKind === 'routine' ? 'routine' : paramKind === 'machine' ? 'machine' : 'local';
        this.reportUndefined(frame, name.head, expected);
        return 'unknown';
      }
      this.recordReference(name.head.range, entity);
    }
    const names = this.model.names;
    switch (entity.kind) {
      case 'local':
        names.set(name, { kind: 'local', slot: entity.local.slot, name: name.head.name });
        return entity.local.valueKind;
      case 'object': {
        const object = entity.object;
        if (identity) names.set(name, { kind: 'objectRef', object: object.index });
        else {
          names.set(name, { kind: 'object', object: object.index });
          // Only where a capability is wanted: a name passed as an integer, a port or a machine is
          // an error, and must not add a boot capability to the table the editor shows.
          if (paramKind === undefined || GRANTING_KINDS.has(paramKind)) this.grant(frame.process, object, name);
        }
        return object.kind;
      }
      case 'cap': {
        const target = entity.item.target;
        if (target === undefined) return 'unknown';
        if (target.kind === 'object') {
          const object = this.model.objects[target.object]!;
          names.set(name, identity ? { kind: 'objectRef', object: target.object } : { kind: 'object', object: target.object });
          return object.kind;
        }
        if (identity || paramKind === 'process') {
          names.set(name, { kind: 'process', process: target.process });
          return 'process';
        }
        names.set(name, { kind: 'number', value: entity.item.slot });
        return 'capability';
      }
      case 'routine':
        names.set(name, { kind: 'routine', routine: entity.routine });
        return 'routine';
      case 'process':
        names.set(name, { kind: 'process', process: entity.process.index });
        return 'process';
      case 'machine':
        if (paramKind === 'machine') {
          names.set(name, { kind: 'number', value: entity.index });
          return 'machine';
        }
        this.error(name.range, `machine '${name.head.name}' cannot be used as a value`, 'wrong-kind');
        return 'machine';
      case 'constant':
        names.set(name, { kind: 'constant', name: entity.name, value: entity.value });
        return 'number';
      case 'register':
        names.set(name, { kind: 'register', register: entity.register });
        return 'number';
    }
  }

  private recordReference(range: Range, entity: Entity): void {
    switch (entity.kind) {
      case 'local': this.reference(range, entity.local.declaration); break;
      case 'object': this.reference(range, entity.object.declaration); break;
      case 'cap': this.reference(range, entity.item.declaration); break;
      case 'routine': this.reference(range, entity.declaration); break;
      case 'process': this.reference(range, entity.process.declaration); break;
      case 'machine': this.reference(range, entity.declaration); break;
      default: break;
    }
  }

  /** A foreign object used as a capability: the process gets a boot capability for it. */
  private grant(process: ProcessInfo, object: ObjectInfo, use: NameExpression): void {
    if (process.held.has(object.index)) return;
    process.held.add(object.index);
    const owner = this.model.processes[object.owner]!;
    process.caps.push({ name: `${owner.node.name.name}.${object.node.name.name}`, object: object.index, range: use.range });
  }

  // -------------------------------------------------------------------------------------------
  // Boot capability tables

  private recordBootSlots(process: ProcessInfo): void {
    // Own objects first, then `cap` declarations, then the grants collected while checking code.
    const entries: { cap: BootCapabilityInfo; origin: BootSlot['origin']; declaration?: SymbolDeclaration }[] = [];
    for (const item of process.node.items) {
      if (item.kind !== 'pmo' && item.kind !== 'thread') continue;
      const object = this.objectByNode.get(item)!;
      entries.push({ cap: { name: item.name.name, object: object.index, range: item.name.range }, origin: 'own', declaration: object.declaration });
    }
    for (const item of process.node.items) {
      if (item.kind !== 'cap') continue;
      const info = process.items.get(item.name.name);
      if (info?.kind !== 'cap' || info.node !== item || info.target === undefined) continue;
      const target = info.target;
      const cap: BootCapabilityInfo =
        target.kind === 'object'
          ? { name: item.name.name, object: target.object, range: item.name.range }
          : { name: item.name.name, object: -1, group: target.process, range: item.name.range };
      entries.push({ cap, origin: 'cap', declaration: info.declaration });
    }
    for (const grant of process.caps) entries.push({ cap: grant, origin: 'grant' });
    process.caps.length = 0;
    const slots: BootSlot[] = [];
    let slot = 2;
    for (const entry of entries) {
      process.caps.push(entry.cap);
      if (entry.declaration !== undefined) {
        entry.declaration.bootSlot = slot;
        entry.declaration.detail += ` (boot slot ${slot})`;
      }
      const target = entry.cap.object >= 0 ? this.model.objects[entry.cap.object]!.declaration : this.model.processes[entry.cap.group!]!.declaration;
      slots.push({ slot, name: entry.cap.name, origin: entry.origin, target, range: entry.cap.range });
      slot++;
    }
    this.symbols.bootSlots.set(process.node.name.name, slots);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isNumeric(kind: ValueKind): boolean {
  return kind === 'number' || kind === 'boolean' || kind === 'unknown' || kind === 'objectId' || kind === 'capability' || kind === 'connection' || kind === 'pmo' || kind === 'thread';
}

/** A name that statically denotes an object, a process or a machine (not a number). */
function isStaticObject(expression: Expression, kind: ValueKind): boolean {
  return isNamed(expression) && (kind === 'thread' || kind === 'pmo' || kind === 'process' || kind === 'machine' || kind === 'routine');
}

function unwrap(expression: Expression): Expression {
  let current = expression;
  while (current.kind === 'paren') current = current.expression;
  return current;
}

function isNamed(expression: Expression): boolean {
  return unwrap(expression).kind === 'name';
}

function describeName(expression: Expression): string {
  const inner = unwrap(expression);
  if (inner.kind !== 'name') return '…';
  return inner.member !== undefined ? `${inner.head.name}.${inner.member.name}` : inner.head.name;
}

function isIdentityCall(expression: Expression): boolean {
  const inner = unwrap(expression);
  return inner.kind === 'call' && IDENTITY_BUILTINS.has(inner.callee.name);
}

/** The first `let` (or `repeat ... as`) of each name anywhere in a routine body, in source order. */
function indexLets(block: Block): Map<string, { range: Range; name: Identifier }> {
  const index = new Map<string, { range: Range; name: Identifier }>();
  const add = (name: Identifier, range: Range) => {
    if (!index.has(name.name)) index.set(name.name, { range, name });
  };
  const stack: Statement[] = [...block.statements].reverse();
  while (stack.length > 0) {
    const statement = stack.pop()!;
    if (statement.kind === 'let') add(statement.name, statement.range);
    else if (statement.kind === 'repeat') {
      if (statement.counter !== undefined) add(statement.counter, statement.range);
      for (let i = statement.body.statements.length - 1; i >= 0; i--) stack.push(statement.body.statements[i]!);
    } else if (statement.kind === 'if') {
      const pending: Statement[] = [...statement.then.statements];
      if (statement.else !== undefined) {
        if (statement.else.kind === 'block') pending.push(...statement.else.statements);
        else pending.push(statement.else);
      }
      for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
    }
  }
  return index;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
