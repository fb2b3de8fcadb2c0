// The semantic model an editor needs: declarations, references, scopes, call sites and the boot
// capability layout, with lookups by position. Built by the checker; read by the language server.

import type { CallExpression, Node } from './ast';
import type { BuiltinSpec, ParameterSpec, SyscallSpec } from '../../kernel/syscalls';
import type { LineIndex, Range } from './text';

export type SymbolKind = 'machine' | 'process' | 'pmo' | 'thread' | 'routine' | 'cap' | 'local' | 'param';

/** What a value statically names, as far as the checker can tell. */
export type ValueKind =
  | 'number'
  | 'boolean'
  | 'bytes'
  | 'list'
  | 'thread'
  | 'pmo'
  | 'connection'
  | 'capability'
  | 'process'
  | 'routine'
  | 'machine'
  | 'objectId'
  | 'none'
  | 'unknown';

export interface SymbolDeclaration {
  readonly id: number;
  readonly name: string;
  readonly kind: SymbolKind;
  /** The whole declaration. */
  readonly range: Range;
  readonly nameRange: Range;
  /** The enclosing process (`server`) or routine (`server.echo`); undefined at the top level. */
  readonly container?: string;
  /** One line for hovers and outlines: `pmo shm, 4096 bytes`. */
  detail: string;
  /** For pmo, thread and cap declarations: the boot capability slot in the owner's table. */
  bootSlot?: number;
  /** For locals, params and caps: what the name holds. */
  valueKind?: ValueKind;
  /** For locals and params: the frame slot. */
  frameSlot?: number;
  /** The declaring node. */
  readonly node: Node;
}

export interface SymbolReference {
  readonly range: Range;
  readonly declaration: SymbolDeclaration;
}

export type Callee =
  | { readonly kind: 'syscall'; readonly spec: SyscallSpec }
  | { readonly kind: 'builtin'; readonly spec: BuiltinSpec };

export interface CallSite {
  readonly call: CallExpression;
  /** Undefined for an unknown name. */
  readonly callee?: Callee;
  /** For each argument, in order: the index of the parameter it binds, or -1. */
  readonly argumentParameters: readonly number[];
}

export interface CallAtPosition {
  readonly site: CallSite;
  readonly parameters: readonly ParameterSpec[];
  /** The argument under the position (may equal `call.args.length` for a new one). */
  readonly argumentIndex: number;
  /** The parameter that argument binds, or -1. */
  readonly parameterIndex: number;
}

/** One entry of a process's boot capability table (slots 2 and up). */
export interface BootSlot {
  readonly slot: number;
  readonly name: string;
  /** How the capability got there. */
  readonly origin: 'own' | 'cap' | 'grant';
  /** The declaration it names (the pmo/thread, or the process for a group capability). */
  readonly target?: SymbolDeclaration;
  /** The declaration or first use that put it there. */
  readonly range: Range;
}

export interface Scope {
  readonly start: number;
  readonly end: number;
  readonly parent?: Scope;
  readonly children: Scope[];
  /** Declarations with the offset from which each is visible. */
  readonly entries: { readonly declaration: SymbolDeclaration; readonly visibleFrom: number }[];
}

type PositionLike = number | { readonly line: number; readonly column: number };

export class SymbolTable {
  readonly declarations: SymbolDeclaration[] = [];
  readonly references: SymbolReference[] = [];
  readonly calls: CallSite[] = [];
  /** Boot capability tables by process name. */
  readonly bootSlots = new Map<string, BootSlot[]>();
  readonly root: Scope;
  private occurrences: { start: number; end: number; declaration: SymbolDeclaration; range: Range }[] | undefined;
  private referencesByDeclaration: Map<SymbolDeclaration, SymbolReference[]> | undefined;

  constructor(readonly lines: LineIndex) {
    this.root = { start: 0, end: lines.length, children: [], entries: [] };
  }

  /** Internal (incremental analysis): a table over existing contents. */
  static reuse(
    lines: LineIndex,
    root: Scope,
    declarations: SymbolDeclaration[],
    references: SymbolReference[],
    calls: CallSite[],
    bootSlots: Map<string, BootSlot[]>,
  ): SymbolTable {
    const table = new SymbolTable(lines) as unknown as {
      root: Scope; declarations: SymbolDeclaration[]; references: SymbolReference[]; calls: CallSite[]; bootSlots: Map<string, BootSlot[]>;
    };
    table.root = root;
    table.declarations = declarations;
    table.references = references;
    table.calls = calls;
    table.bootSlots = bootSlots;
    return table as unknown as SymbolTable;
  }

  private offset(position: PositionLike): number {
    return typeof position === 'number' ? position : this.lines.offsetAt(position.line, position.column);
  }

  /** The declaration named at a position (on its declaration or on a reference), with the name's range. */
  symbolAt(position: PositionLike): { declaration: SymbolDeclaration; range: Range; isDeclaration: boolean } | undefined {
    const offset = this.offset(position);
    if (this.occurrences === undefined) {
      const list = [
        ...this.declarations.map((d) => ({ start: d.nameRange.start.offset, end: d.nameRange.end.offset, declaration: d, range: d.nameRange })),
        ...this.references.map((r) => ({ start: r.range.start.offset, end: r.range.end.offset, declaration: r.declaration, range: r.range })),
      ].filter((o) => o.end > o.start);
      list.sort((a, b) => a.start - b.start);
      this.occurrences = list;
    }
    const list = this.occurrences;
    let low = 0;
    let high = list.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.start <= offset) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    for (let i = found; i >= 0 && i >= found - 2; i--) {
      const o = list[i]!;
      if (o.start <= offset && offset <= o.end) {
        return { declaration: o.declaration, range: o.range, isDeclaration: o.range === o.declaration.nameRange };
      }
    }
    return undefined;
  }

  /** The declaration of the name at a position. */
  declarationAt(position: PositionLike): SymbolDeclaration | undefined {
    return this.symbolAt(position)?.declaration;
  }

  /** Every reference to a declaration, in source order (optionally with the declaration's name). */
  referencesOf(declaration: SymbolDeclaration, includeDeclaration = false): Range[] {
    if (this.referencesByDeclaration === undefined) {
      const map = new Map<SymbolDeclaration, SymbolReference[]>();
      for (const reference of this.references) {
        let list = map.get(reference.declaration);
        if (list === undefined) map.set(reference.declaration, (list = []));
        list.push(reference);
      }
      this.referencesByDeclaration = map;
    }
    const ranges = (this.referencesByDeclaration.get(declaration) ?? []).map((r) => r.range);
    if (includeDeclaration) ranges.unshift(declaration.nameRange);
    return ranges.sort((a, b) => a.start.offset - b.start.offset);
  }

  /** The innermost scope containing a position. */
  scopeContaining(position: PositionLike): Scope {
    const offset = this.offset(position);
    let scope = this.root;
    for (;;) {
      const child = scope.children.find((c) => c.start <= offset && offset <= c.end);
      if (child === undefined) return scope;
      scope = child;
    }
  }

  /**
   * The names visible at a position, innermost first, shadowed names removed: locals and params,
   * then the process's objects, routines and caps, then processes and machines. Named constants,
   * syscalls and builtins are global and not listed here (see `NAMED_CONSTANTS`, `SYSCALLS`).
   */
  scopeAt(position: PositionLike, kinds?: readonly SymbolKind[]): SymbolDeclaration[] {
    const offset = this.offset(position);
    const seen = new Set<string>();
    const result: SymbolDeclaration[] = [];
    for (let scope: Scope | undefined = this.scopeContaining(offset); scope !== undefined; scope = scope.parent) {
      for (const entry of scope.entries) {
        if (entry.visibleFrom > offset) continue;
        const name = entry.declaration.name;
        if (seen.has(name)) continue;
        seen.add(name);
        if (kinds === undefined || kinds.includes(entry.declaration.kind)) result.push(entry.declaration);
      }
    }
    return result;
  }

  /** The call whose argument list contains a position, for signature help. */
  callAt(position: PositionLike): CallAtPosition | undefined {
    const offset = this.offset(position);
    let best: CallSite | undefined;
    for (const site of this.calls) {
      const args = site.call.argsRange;
      if (args.start.offset < offset && offset <= args.end.offset) {
        if (best === undefined || args.start.offset >= best.call.argsRange.start.offset) best = site;
      }
    }
    if (best === undefined) return undefined;
    const call = best.call;
    let argumentIndex = call.args.findIndex((a) => offset <= a.range.end.offset);
    if (argumentIndex < 0) argumentIndex = call.args.length;
    const parameters = best.callee?.spec.params ?? [];
    let parameterIndex = -1;
    if (argumentIndex < call.args.length) {
      parameterIndex = best.argumentParameters[argumentIndex] ?? -1;
      const arg = call.args[argumentIndex]!;
      if (parameterIndex < 0 && arg.name !== undefined) parameterIndex = parameters.findIndex((p) => p.name === arg.name!.name);
    } else if (!call.args.some((a) => a.name !== undefined)) {
      parameterIndex = argumentIndex < parameters.length ? argumentIndex : -1;
    }
    return { site: best, parameters, argumentIndex, parameterIndex };
  }

  /** All declarations directly inside a container (`undefined` for the top level). */
  declarationsIn(container: string | undefined): SymbolDeclaration[] {
    return this.declarations.filter((d) => d.container === container);
  }
}
