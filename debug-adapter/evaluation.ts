// The meaning of names and kernel queries in debugger expressions, over a stopped thread's frame:
// locals, registers, constants, processes and objects, `cap(client, 3)`, `thread_state(...)`.
// Shared by watch, hover, the REPL and every breakpoint condition.

import { NAMED_CONSTANTS, THREAD_EXIT_STATE_NAMES, THREAD_STATE_NAMES, describeChCoreResult } from '../kernel/constants';
import type { Kernel } from '../kernel/kernel';
import type { Expression } from '../kernel/program';
import { ObjectKind, OBJECT_KIND_NAMES, type Thread } from '../kernel/state';
import { BUILTINS } from '../kernel/syscalls';
import { EvaluationError, isRecord, type EvaluationEnvironment, type RecordValue, type Value } from './expression';
import { implementation, threadDisplayName } from './inspect';

/** Which state table holds objects of each kind. */
export const TABLE_OF_KIND: Readonly<Record<number, string>> = {
  [ObjectKind.CAP_GROUP]: 'groups',
  [ObjectKind.THREAD]: 'threads',
  [ObjectKind.CONNECTION]: 'connections',
  [ObjectKind.PMO]: 'pmos',
  [ObjectKind.VMSPACE]: 'vmspaces',
  [ObjectKind.SCHED_CONTEXT]: 'scs',
};

export function objectLabel(kernel: Kernel, id: number): string {
  const kind = kernel.state.kinds[id];
  if (kind === undefined || kind === 0) return `no object #${id}`;
  const kindName = OBJECT_KIND_NAMES[kind] ?? 'object';
  const table = TABLE_OF_KIND[kind];
  const data = table ? ((kernel.state as unknown as Record<string, unknown[]>)[table]?.[id] as { name?: string } | null) : null;
  const name = data && typeof data.name === 'string' ? ` ${data.name}` : '';
  return `${kindName}${name} #${id}`;
}

export function objectRecord(kernel: Kernel, id: number): RecordValue | undefined {
  const kind = kernel.state.kinds[id];
  const table = kind !== undefined ? TABLE_OF_KIND[kind] : undefined;
  if (!table) return undefined;
  const data = (kernel.state as unknown as Record<string, unknown[]>)[table]?.[id];
  if (data === null || data === undefined) return undefined;
  return { kind: 'record', id, label: objectLabel(kernel, id), data, path: [table, id] };
}

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Looks a thread up by `machine/process/thread`, `process/thread` or `process.thread`. */
export function findThread(kernel: Kernel, name: string): Thread | undefined {
  const normalized = name.replace(/\./g, '/');
  for (const id of kernel.state.threadIds) {
    const thread = kernel.state.threads[id]!;
    const full = threadDisplayName(kernel, thread);
    if (full === normalized || full.endsWith(`/${normalized}`) && normalized.includes('/')) return thread;
  }
  return undefined;
}

export function findGroupId(kernel: Kernel, name: string): number {
  for (const id of kernel.state.processGroups) if (kernel.state.groups[id]?.name === name) return id;
  return 0;
}

const MEMORY_BUILTINS = new Set(BUILTINS.filter((b) => b.form === 'function' && b.params.every((p) => p.kind === 'address' || p.kind === 'integer')).map((b) => b.name));

/** Extra names a breakpoint condition sees (syscall arguments, the error code, ...). */
export type ExtraNames = ReadonlyMap<string, Value>;

export interface FrameScope {
  readonly thread: Thread | undefined;
  /** `kernel` frames see the syscall's arguments by their seed names. */
  readonly kind: 'scenario' | 'kernel';
}

export class KernelEnvironment implements EvaluationEnvironment {
  constructor(
    private readonly kernel: Kernel,
    private readonly scope: FrameScope,
    private readonly extras: ExtraNames = new Map(),
  ) {}

  lookup(name: string): Value | undefined {
    const extra = this.extras.get(name);
    if (extra !== undefined) return extra;
    const thread = this.scope.thread;
    const kernel = this.kernel;
    if (thread) {
      if (this.scope.kind === 'kernel' && thread.kernel.active) {
        const impl = implementation(thread.kernel.sys);
        const frame = thread.kernel as unknown as Record<string, number>;
        const index = impl ? impl.argNames.indexOf(name) : -1;
        if (index >= 0) return frame[`a${index}`]!;
        if (/^(r|v[0-8]|a[0-3])$/.test(name)) return frame[name]!;
      }
      const local = this.local(thread, name);
      if (local !== undefined) return local;
      switch (name) {
        case 'pc': return thread.routine >= 0 ? 0x40_0000 + thread.routine * 0x1_0000 + thread.ip : thread.badPc;
        case 'sp': return thread.sp;
        case 'arg0': return thread.arg0;
        case 'arg1': return thread.arg1;
        case 'arg2': return thread.arg2;
        case 'arg3': return thread.arg3;
        case 'ret': return thread.ret;
        case 'badge': return kernel.state.groups[thread.group]?.badge ?? 0;
        case 'process': return kernel.state.groups[thread.group]?.name ?? '';
        case 'thread': return threadDisplayName(kernel, thread);
        case 'state': return thread.state;
        case 'now':
        case 'time': return kernel.state.cpus[thread.cpu >= 0 ? thread.cpu : kernel.state.machines[thread.machine]!.cpus[0]!]?.time ?? 0;
        default: break;
      }
    }
    const constant = NAMED_CONSTANTS.get(name);
    if (constant !== undefined) return constant;
    const groupId = findGroupId(kernel, name);
    if (groupId !== 0) return objectRecord(kernel, groupId);
    if (thread) {
      // An object name of the frame's process is its capability slot, as in the scenario language.
      const objects = kernel.program.objects;
      for (let i = 0; i < objects.length; i++) {
        if (objects[i]!.owner === thread.process && objects[i]!.name === name) {
          const slot = kernel.compiled.capabilitySlots[thread.process]?.[i] ?? -1;
          return slot >= 0 ? slot : objectRecord(kernel, kernel.state.bootObjects[i]!);
        }
      }
    }
    return undefined;
  }

  private local(thread: Thread, name: string): number | undefined {
    const routine = thread.routine >= 0 ? this.kernel.compiled.routines[thread.routine] : undefined;
    if (!routine) return undefined;
    const index = routine.slotNames.lastIndexOf(name);
    return index >= 0 ? thread.locals[index] ?? 0 : undefined;
  }

  qualified(scope: string, name: string): Value | undefined {
    const kernel = this.kernel;
    const process = kernel.program.processes.findIndex((p) => p.name === scope);
    if (process < 0) return undefined;
    const index = kernel.program.objects.findIndex((o) => o.owner === process && o.name === name);
    if (index < 0) return undefined;
    return objectRecord(kernel, kernel.state.bootObjects[index]!);
  }

  field(target: Value, name: string): Value {
    let record: RecordValue | undefined;
    if (isRecord(target)) record = target;
    else if (typeof target === 'number') record = this.slotRecord(target, `${target}`);
    else throw new EvaluationError(`a ${typeof target} has no field '${name}'`);
    if (!record) throw new EvaluationError(`no object for '${name}'`);
    const data = record.data;
    if (data === null || typeof data !== 'object') throw new EvaluationError(`${record.label} has no fields`);
    const container = data as Record<string, unknown>;
    let key: string = name;
    if (!(key in container)) key = snakeToCamel(name);
    if (Array.isArray(data) && name === 'length') return data.length;
    if (!(key in container)) throw new EvaluationError(`${record.label} has no field '${name}'`);
    const value = container[key];
    return toValue(value, `${record.label}.${name}`, [...record.path, Array.isArray(data) ? Number(key) : key]);
  }

  private slotRecord(slot: number, what: string): RecordValue | undefined {
    const thread = this.scope.thread;
    if (!thread) throw new EvaluationError(`${what}: no thread to read a capability slot in`);
    return this.capRecord(thread.group, slot);
  }

  private capRecord(groupId: number, slot: number): RecordValue | undefined {
    const group = this.kernel.state.groups[groupId];
    if (!group) throw new EvaluationError(`no capability group #${groupId}`);
    const id = group.slots[slot] ?? 0;
    if (id === 0) throw new EvaluationError(`slot ${slot} of ${group.name} is free`);
    return objectRecord(this.kernel, id);
  }

  private groupOf(value: Value): number {
    if (typeof value === 'string') {
      const id = findGroupId(this.kernel, value);
      if (id === 0) throw new EvaluationError(`no process '${value}'`);
      return id;
    }
    if (isRecord(value) && this.kernel.state.kinds[value.id] === ObjectKind.CAP_GROUP) return value.id;
    if (typeof value === 'number' && this.kernel.state.groups[value]) return value;
    throw new EvaluationError('expected a process');
  }

  private threadOf(value: Value): Thread {
    const kernel = this.kernel;
    if (typeof value === 'string') {
      const thread = findThread(kernel, value);
      if (!thread) throw new EvaluationError(`no thread '${value}'`);
      return thread;
    }
    if (isRecord(value) && kernel.state.kinds[value.id] === ObjectKind.THREAD) return kernel.state.threads[value.id]!;
    if (typeof value === 'number' && this.scope.thread) {
      const id = kernel.state.groups[this.scope.thread.group]?.slots[value] ?? 0;
      const thread = kernel.state.threads[id];
      if (thread) return thread;
    }
    throw new EvaluationError('expected a thread (a name like "server/handler" or server.handler)');
  }

  call(name: string, args: readonly Value[]): Value {
    const kernel = this.kernel;
    const arg = (i: number): Value => {
      const value = args[i];
      if (value === undefined) throw new EvaluationError(`${name} needs ${i + 1} argument${i === 0 ? '' : 's'}`);
      return value;
    };
    const num = (i: number): number => {
      const value = arg(i);
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (isRecord(value) && value.id >= 0) return value.id;
      throw new EvaluationError(`argument ${i + 1} of ${name} must be a number`);
    };
    switch (name) {
      case 'cap':
      case 'cap_object': {
        const group = this.groupOf(arg(0));
        const slot = num(1);
        const id = kernel.state.groups[group]!.slots[slot] ?? 0;
        return id === 0 ? 0 : objectRecord(kernel, id) ?? id;
      }
      case 'object_of': {
        const thread = this.scope.thread;
        if (!thread) throw new EvaluationError('object_of needs a thread');
        const id = kernel.state.groups[thread.group]!.slots[num(0)] ?? 0;
        return id === 0 ? 0 : objectRecord(kernel, id) ?? id;
      }
      case 'cap_count': {
        const group = kernel.state.groups[this.groupOf(arg(0))]!;
        let count = 0;
        for (const id of group.slots) if (id !== 0) count++;
        return count;
      }
      case 'cap_table':
      case 'process':
      case 'group':
        return objectRecord(kernel, this.groupOf(arg(0)))!;
      case 'thread':
        return objectRecord(kernel, this.threadOf(arg(0)).id)!;
      case 'thread_state':
        return this.threadOf(arg(0)).state;
      case 'exit_state':
        return this.threadOf(arg(0)).exitState;
      case 'conn':
      case 'connection':
      case 'conn_valid': {
        const value = arg(0);
        let record: RecordValue | undefined = isRecord(value) ? value : typeof value === 'number' ? this.slotRecord(value, name) : undefined;
        if (!record || kernel.state.kinds[record.id] !== ObjectKind.CONNECTION) throw new EvaluationError(`${name}: not a connection`);
        if (name === 'conn_valid') return kernel.state.connections[record.id]!.isValid !== 0 && !kernel.state.connections[record.id]!.freed;
        return record;
      }
      case 'object': {
        const record = objectRecord(kernel, num(0));
        if (!record) throw new EvaluationError(`no object #${num(0)}`);
        return record;
      }
      case 'state_name':
        return THREAD_STATE_NAMES[num(0)] ?? `state ${num(0)}`;
      case 'exit_state_name':
        return THREAD_EXIT_STATE_NAMES[num(0)] ?? `exit state ${num(0)}`;
      case 'error_name':
        return describeChCoreResult(num(0));
      case 'hex':
        return `0x${num(0).toString(16)}`;
      default:
        break;
    }
    if (MEMORY_BUILTINS.has(name)) {
      const thread = this.scope.thread;
      if (!thread) throw new EvaluationError(`${name} reads memory and needs a thread`);
      const loc = { file: '', line: 0, column: 0, endLine: 0, endColumn: 0 };
      const expression: Expression = { kind: 'builtin', name, args: args.map((_, i) => ({ kind: 'number' as const, value: num(i), loc })), loc };
      const result = kernel.evaluate(thread.id, expression);
      if ('error' in result) throw new EvaluationError(result.error);
      return result.value;
    }
    throw new EvaluationError(`unknown function '${name}'`);
  }
}

export function toValue(value: unknown, label: string, path: readonly (string | number)[]): Value {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value === null || value === undefined) return 0;
  return { kind: 'record', id: -1, label, data: value, path };
}

/** Function names offered by completion. */
export const QUERY_FUNCTIONS: readonly string[] = [
  'cap', 'cap_object', 'object_of', 'cap_count', 'cap_table', 'thread', 'thread_state', 'exit_state', 'conn', 'conn_valid',
  'object', 'state_name', 'exit_state_name', 'error_name', 'hex', ...MEMORY_BUILTINS,
];
