// The Variables view over a stopped kernel: locals, registers, a thread's scheduling facts, a
// capability table and the whole kernel state, rendered generically from the plain-data state
// (new state parts appear by themselves), paged for large arrays. References live until resume.

import { MachConstant, THREAD_EXIT_STATE_NAMES, THREAD_STATE_NAMES } from '../kernel/constants';
import type { Kernel } from '../kernel/kernel';
import { IPC_CONFIG_KIND_NAMES, OBJECT_KIND_NAMES, type Thread } from '../kernel/state';
import { isRecord, type Value } from './expression';
import { objectLabel, TABLE_OF_KIND } from './evaluation';
import { formatNumber, formatValue } from './format';
import { implementation, migrationLink, threadDisplayName } from './inspect';
import { localDataId, readPath, stateDataId, type StatePath } from './statePath';

export interface VariableView {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
  indexedVariables?: number;
  namedVariables?: number;
  memoryReference?: string;
  evaluateName?: string;
}

export type Container =
  | { readonly kind: 'state'; readonly path: StatePath; readonly label?: string }
  | { readonly kind: 'kernel' }
  | { readonly kind: 'locals'; readonly thread: number; readonly frame: 'scenario' | 'kernel' }
  /** The locals a caller saved while a passive Mach driver routine runs on its thread (`depth` into the saved contexts). */
  | { readonly kind: 'caller-locals'; readonly thread: number; readonly depth: number }
  | { readonly kind: 'registers'; readonly thread: number }
  | { readonly kind: 'thread'; readonly thread: number };

/** Page size VS Code asks for; arrays longer than this are paged. */
export const PAGE = 100;

/** Fields holding object ids, by name, and the state table they point into. */
const REFERENCE_FIELDS: Readonly<Record<string, string>> = {
  group: 'groups',
  clientGroup: 'groups',
  serverGroup: 'groups',
  vmspace: 'vmspaces',
  sc: 'scs',
  stackPmo: 'pmos',
  pmo: 'pmos',
  owner: 'threads',
  current: 'threads',
  currentClientThread: 'threads',
  serverHandlerThread: 'threads',
  registerCbThread: 'threads',
  activeConn: 'connections',
  threads: 'threads',
  runQueue: 'threads',
  threadIds: 'threads',
  processGroups: 'groups',
};

/**
 * Ids inside the Mach, XNU and Tock parts of the state that point into another of their tables:
 * the state path of the pointing field (`*` = any index) and the table's path.
 */
const NESTED_REFERENCES: readonly { readonly pattern: readonly (string | number)[]; readonly table: StatePath; /** Id 0 is an entry too. */ readonly zero?: boolean }[] = [
  { pattern: ['nodes', 'machines', '*', 'table', '*'], table: ['nodes', 'nodes'] },
  { pattern: ['nodes', 'machines', '*', 'localnode'], table: ['nodes', 'nodes'] },
  { pattern: ['nodes', 'nodes', '*', 'antecedent'], table: ['nodes', 'nodes'] },
  { pattern: ['mach', 'ports', '*', 'portSet'], table: ['mach', 'portSets'] },
  { pattern: ['mach', 'ports', '*', 'queue', '*'], table: ['mach', 'messages'], zero: true },
  { pattern: ['mach', 'portSets', '*', 'members', '*'], table: ['mach', 'ports'] },
  { pattern: ['mach', 'messages', '*', 'remotePort'], table: ['mach', 'ports'] },
  { pattern: ['mach', 'messages', '*', 'localPort'], table: ['mach', 'ports'] },
];

function nestedTable(path: StatePath, id: number): StatePath | undefined {
  for (const { pattern, table, zero } of NESTED_REFERENCES) {
    if ((id > 0 || (zero === true && id === 0)) && pattern.length === path.length && pattern.every((part, i) => part === '*' || part === path[i])) return table;
  }
  return undefined;
}

const MACH_TYPE_NAMES: readonly (readonly [number, string])[] = [
  [MachConstant.MACH_PORT_TYPE_RECEIVE, 'receive'],
  [MachConstant.MACH_PORT_TYPE_SEND, 'send'],
  [MachConstant.MACH_PORT_TYPE_SEND_ONCE, 'send-once'],
  [MachConstant.MACH_PORT_TYPE_PORT_SET, 'port set'],
  [MachConstant.MACH_PORT_TYPE_DEAD_NAME, 'dead name'],
];

/** A readable one-line label for a record of the Mach, XNU or Tock state, or undefined. */
function familyLabel(state: unknown, path: StatePath, record: Record<string, unknown>): string | undefined {
  const hex = (n: unknown): string => (typeof n === 'number' ? `0x${n.toString(16)}` : String(n));
  // An IPC space entry: its name, rights and the port (set) it denotes.
  if (path[0] === 'mach' && path[1] === 'spaces' && path[3] === 'entries' && path.length === 5 && typeof record.type === 'number') {
    const type = record.type;
    const rights = MACH_TYPE_NAMES.filter(([bit]) => (type & bit) !== 0).map(([, name]) => name);
    const table = (type & MachConstant.MACH_PORT_TYPE_PORT_SET) !== 0 ? 'portSets' : 'ports';
    const target = readPath(state, ['mach', table, record.object as number]) as { label?: string } | undefined;
    const urefs = typeof record.urefs === 'number' && record.urefs > 0 ? ` (${record.urefs} urefs)` : '';
    return `{${hex(record.name)}: ${rights.join(', ') || 'free'}${urefs}${target?.label ? ` → ${target.label}` : ''}}`;
  }
  // A node of an XNU node table.
  if (path[0] === 'nodes' && path[1] === 'nodes' && path.length === 3 && typeof record.nodeId === 'number') {
    const flags = ['active', 'dead', 'published', 'suspended'].filter((f) => record[f] !== 0 && record[f] !== false && record[f] !== undefined);
    return `{node #${record.nodeId}${flags.length > 0 ? `: ${flags.join(', ')}` : ''}}`;
  }
  // A Tock task (the upcall queue): an IPC notification or a function call.
  if (path[0] === 'tock' && path[1] === 'processes' && path[3] === 'tasks' && path.length === 5) {
    if (record.kind === 'ipc') return `{IPC from ${String(record.fromName)} (${String(record.type)})}`;
    return `{${typeof record.label === 'string' && record.label !== '' ? record.label : String(record.source || 'function call')}}`;
  }
  if (typeof record.label === 'string' && record.label !== '') return `{${record.label}}`;
  // A Mach message: its msgh_id and destination.
  if (path[0] === 'mach' && path[1] === 'messages' && path.length === 3 && typeof record.msgId === 'number') {
    const port = readPath(state, ['mach', 'ports', record.remotePort as number]) as { label?: string } | undefined;
    return `{message id ${record.msgId}${port?.label ? ` to ${port.label}` : ''}}`;
  }
  return undefined;
}

/** Arrays of object ids per table (`slots` holds any kind). */
const ID_ARRAYS = new Set(['threads', 'runQueue', 'threadIds', 'processGroups', 'bootObjects', 'slots']);

export function memoryReferenceOfPmo(id: number): string {
  return `pmo:${id}`;
}

export function pmoOfMemoryReference(reference: string): number {
  const match = /^pmo:(\d+)$/.exec(reference);
  return match ? Number(match[1]) : -1;
}

export class VariableStore {
  private containers: Container[] = [];
  /** Compacted id lists of sparse tables (object-id indexed arrays with null holes), per reference. */
  private sparse = new Map<number, number[]>();

  constructor(private readonly kernel: Kernel) {}

  /** Forgets every reference (on resume, as DAP asks). */
  reset(): void {
    this.containers = [];
    this.sparse.clear();
  }

  add(container: Container): number {
    this.containers.push(container);
    return this.containers.length;
  }

  get(reference: number): Container | undefined {
    return this.containers[reference - 1];
  }

  /** The counts a scope or variable announces for a container. */
  counts(reference: number): { indexedVariables?: number; namedVariables?: number } {
    const container = this.get(reference);
    if (!container || container.kind !== 'state') return {};
    const data = readPath(this.kernel.state, container.path);
    if (Array.isArray(data)) {
      const length = this.isSparse(data) ? this.sparseIds(reference, data).length : data.length;
      return length > PAGE ? { indexedVariables: length } : {};
    }
    return {};
  }

  private isSparse(data: readonly unknown[]): boolean {
    return data.length > 0 && data[0] === null;
  }

  private sparseIds(reference: number, data: readonly unknown[]): number[] {
    let ids = this.sparse.get(reference);
    if (!ids) {
      ids = [];
      for (let i = 0; i < data.length; i++) if (data[i] !== null && data[i] !== undefined) ids.push(i);
      this.sparse.set(reference, ids);
    }
    return ids;
  }

  /** Children of a container, paged with `start`/`count` for indexed ones. */
  children(reference: number, start = 0, count = 0, filter?: 'indexed' | 'named'): VariableView[] | undefined {
    const container = this.get(reference);
    if (!container) return undefined;
    switch (container.kind) {
      case 'locals':
        return this.locals(container.thread, container.frame);
      case 'caller-locals':
        return this.callerLocals(container.thread, container.depth);
      case 'registers':
        return this.registers(container.thread);
      case 'thread':
        return this.threadFacts(container.thread);
      case 'kernel':
        return this.kernelRoot();
      case 'state':
        return this.stateChildren(reference, container.path, start, count, filter);
    }
  }

  /** A view of one value (evaluate results, watch). */
  viewOfValue(name: string, value: Value): VariableView {
    if (isRecord(value)) {
      const view = this.render(name, value.data, value.path);
      return { ...view, value: value.label };
    }
    return { name, value: formatValue(value), variablesReference: 0 };
  }

  /** The data id for a child of a container, for data breakpoints. */
  dataIdOf(reference: number, name: string): { dataId: string; description: string } | string {
    const container = this.get(reference);
    if (!container) return `no variable container ${reference}`;
    switch (container.kind) {
      case 'caller-locals':
        return "a caller's saved locals do not change until the driver routine returns";
      case 'locals': {
        if (container.frame !== 'scenario') return 'kernel frame values are scratch registers; watch the kernel state instead';
        const thread = this.kernel.threadById(container.thread);
        const routine = thread && thread.routine >= 0 ? this.kernel.compiled.routines[thread.routine] : undefined;
        const slot = routine ? routine.slotNames.indexOf(name) : -1;
        if (!thread || slot < 0) return `no local '${name}'`;
        return { dataId: localDataId(thread.id, slot), description: `${threadDisplayName(this.kernel, thread)}: ${name}` };
      }
      case 'registers':
        return 'registers change on every statement; use a local or kernel state';
      case 'kernel':
        return { dataId: stateDataId([name]), description: name };
      case 'thread': {
        const path = THREAD_FACT_PATHS[name];
        if (!path) return `'${name}' is derived; watch a raw field instead`;
        const thread = this.kernel.threadById(container.thread);
        return { dataId: stateDataId(['threads', container.thread, path]), description: `${thread ? threadDisplayName(this.kernel, thread) : container.thread} ${name}` };
      }
      case 'state': {
        const data = readPath(this.kernel.state, container.path);
        const index = /^\[(\d+)\]$/.exec(name);
        const key: string | number = index ? Number(index[1]) : name;
        if (data === null || typeof data !== 'object' || !(key in (data as object))) return `no variable '${name}'`;
        const path = [...container.path, key];
        return { dataId: stateDataId(path), description: describePath(path) };
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private callerLocals(threadId: number, depth: number): VariableView[] {
    const saved = this.kernel.state.mach?.threads?.[threadId]?.passiveStack[depth];
    const routine = saved ? this.kernel.compiled.routines[saved.routine] : undefined;
    if (!saved || !routine) return [];
    return routine.slotNames.map((name, i) => ({ name, value: formatNumber(saved.locals[i] ?? 0), variablesReference: 0 }));
  }

  private locals(threadId: number, frame: 'scenario' | 'kernel'): VariableView[] {
    const thread = this.kernel.threadById(threadId);
    if (!thread) return [];
    if (frame === 'kernel') {
      const f = thread.kernel;
      const impl = implementation(f.sys);
      const raw = [f.a0, f.a1, f.a2, f.a3];
      const views: VariableView[] = (impl?.argNames ?? []).map((name, i) => ({ name, value: formatNumber(raw[i]!), variablesReference: 0, evaluateName: name }));
      views.push({ name: 'r', value: formatNumber(f.r), variablesReference: 0, evaluateName: 'r' });
      views.push({ name: 'step', value: impl ? `${impl.stepNames[f.step] ?? '?'} (${f.step})` : String(f.step), variablesReference: 0 });
      const scratch = f as unknown as Record<string, number>;
      for (let i = 0; i <= 8; i++) views.push({ name: `v${i}`, value: formatNumber(scratch[`v${i}`]!), variablesReference: 0, evaluateName: `v${i}` });
      return views;
    }
    const routine = thread.routine >= 0 ? this.kernel.compiled.routines[thread.routine] : undefined;
    if (!routine) return [];
    return routine.slotNames.map((name, i) => ({ name, value: formatNumber(thread.locals[i] ?? 0), variablesReference: 0, evaluateName: name }));
  }

  private registers(threadId: number): VariableView[] {
    return this.kernel.registers(threadId).map((r) => ({ name: r.name, value: r.name === 'pc' || r.name === 'sp' ? `0x${r.value.toString(16)}` : formatNumber(r.value), variablesReference: 0, evaluateName: r.name }));
  }

  private threadFacts(threadId: number): VariableView[] {
    const kernel = this.kernel;
    const thread = kernel.threadById(threadId);
    if (!thread) return [];
    const views: VariableView[] = [
      { name: 'name', value: threadDisplayName(kernel, thread), variablesReference: 0 },
      { name: 'state', value: THREAD_STATE_NAMES[thread.state] ?? String(thread.state), variablesReference: 0 },
      { name: 'type', value: ({ 2: 'user', 3: 'shadow', 4: 'register' } as Record<number, string>)[thread.type] ?? String(thread.type), variablesReference: 0 },
      { name: 'exit state', value: THREAD_EXIT_STATE_NAMES[thread.exitState] ?? String(thread.exitState), variablesReference: 0 },
      { name: 'cpu', value: thread.cpu >= 0 ? String(thread.cpu) : 'none', variablesReference: 0 },
      this.reference('scheduling context', thread.sc, 'scs'),
      { name: 'blocked on', value: this.blockedOn(thread), variablesReference: 0 },
    ];
    const link = migrationLink(kernel, thread);
    if (link) {
      const conn = link.connection;
      views.push({ name: 'serving', value: `${threadDisplayName(kernel, link.client)} (${link.kind}${conn ? ` over conn ${conn.connCapInClient}, badge ${conn.clientBadge}` : ''})`, variablesReference: 0 });
    }
    if (thread.ipcConfig !== 0) views.push(this.render('ipc config', kernel.state.ipcConfigs[thread.ipcConfig - 1], ['ipcConfigs', thread.ipcConfig - 1]));
    views.push(this.render('kernel frame', thread.kernel, ['threads', thread.id, 'kernel']));
    views.push(this.render('fields', thread, ['threads', thread.id]));
    return views;
  }

  private blockedOn(thread: Thread): string {
    const kernel = this.kernel;
    const f = thread.kernel;
    const impl = f.active ? implementation(f.sys) : undefined;
    if (thread.state === 4) return 'exited';
    if (f.active && f.blocked) {
      const serving = kernel.state.threadIds.map((id) => kernel.state.threads[id]!).find((t) => migrationLink(kernel, t)?.client === thread);
      return `${impl?.kernelName ?? 'a syscall'}: waiting for ${serving ? threadDisplayName(kernel, serving) : 'a return'}`;
    }
    if (f.active) return `running ${impl?.kernelName ?? 'a syscall'} › ${impl?.stepNames[f.step] ?? '?'}`;
    if (thread.state === 5) return thread.type === 2 ? 'waiting' : 'waiting for a migration (passive thread)';
    if (thread.state === 1) return 'ready (in the run queue)';
    return 'nothing';
  }

  private reference(name: string, id: number, table: string): VariableView {
    const data = id > 0 ? readPath(this.kernel.state, [table, id]) : undefined;
    if (!data) return { name, value: id === 0 ? 'none' : String(id), variablesReference: 0 };
    return { name, value: objectLabel(this.kernel, id), variablesReference: this.add({ kind: 'state', path: [table, id] }) };
  }

  private kernelRoot(): VariableView[] {
    const state = this.kernel.state;
    let time = 0;
    for (const cpu of state.cpus) if (cpu.time > time) time = cpu.time;
    const views: VariableView[] = [{ name: 'virtual time', value: `${time} cycles`, variablesReference: 0 }];
    for (const machine of state.machines) {
      const queue = machine.runQueue.map((id) => {
        const thread = state.threads[id];
        return thread ? threadDisplayName(this.kernel, thread) : `#${id}`;
      });
      views.push({ name: `run queue (${machine.name})`, value: queue.length > 0 ? queue.join(', ') : 'empty', variablesReference: 0 });
    }
    for (const [key, value] of Object.entries(state)) views.push(this.render(key, value, [key]));
    return views;
  }

  private stateChildren(reference: number, path: StatePath, start: number, count: number, filter?: 'indexed' | 'named'): VariableView[] {
    const data = readPath(this.kernel.state, path);
    if (data === null || typeof data !== 'object') return [];
    if (Array.isArray(data)) {
      if (filter === 'named') return [];
      const sparse = this.isSparse(data);
      const ids = sparse ? this.sparseIds(reference, data) : undefined;
      const length = ids ? ids.length : data.length;
      const from = Math.max(0, start);
      const to = count > 0 ? Math.min(length, from + count) : length;
      const views: VariableView[] = [];
      for (let i = from; i < to; i++) {
        const index = ids ? ids[i]! : i;
        views.push(this.render(`[${index}]`, data[index], [...path, index]));
      }
      return views;
    }
    if (data instanceof Uint8Array) return [];
    if (filter === 'indexed') return [];
    return Object.entries(data).map(([key, value]) => this.render(key, value, [...path, key]));
  }

  /** One child of the generic renderer. */
  render(name: string, value: unknown, path: StatePath): VariableView {
    const key = path[path.length - 1];
    const parentKey = path.length >= 2 ? path[path.length - 2] : undefined;
    if (typeof value === 'number') {
      // Object references: an id field, an element of an id array, a capability slot.
      const table = typeof key === 'string' ? REFERENCE_FIELDS[key] : typeof parentKey === 'string' && ID_ARRAYS.has(parentKey) ? (parentKey === 'slots' || parentKey === 'bootObjects' ? '*' : REFERENCE_FIELDS[parentKey]) : undefined;
      if (table !== undefined && value > 0) {
        const target = table === '*' ? TABLE_OF_KIND[this.kernel.state.kinds[value] ?? 0] : table;
        const data = target ? readPath(this.kernel.state, [target, value]) : undefined;
        if (target && data) {
          const child = this.add({ kind: 'state', path: [target, value] });
          return { name, value: objectLabel(this.kernel, value), variablesReference: child, ...this.memory(target, value) };
        }
      }
      if (parentKey === 'slots' && value === 0) return { name, value: 'free', variablesReference: 0 };
      const nested = nestedTable(path, value);
      const target = nested ? readPath(this.kernel.state, [...nested, value]) : undefined;
      if (nested && target !== null && typeof target === 'object') {
        const child = this.add({ kind: 'state', path: [...nested, value] });
        const label = familyLabel(this.kernel.state, [...nested, value], target as Record<string, unknown>);
        return { name, value: `${value} ${label ?? ''}`.trim(), variablesReference: child };
      }
      return { name, value: this.numberText(key, value, path), variablesReference: 0 };
    }
    if (typeof value === 'string') return { name, value: JSON.stringify(value), variablesReference: 0 };
    if (typeof value === 'boolean') return { name, value: String(value), variablesReference: 0 };
    if (value === null || value === undefined) return { name, value: 'null', variablesReference: 0 };
    if (value instanceof Uint8Array) return { name, value: `<${value.length} bytes>`, variablesReference: 0 };
    const reference = this.add({ kind: 'state', path });
    if (Array.isArray(value)) {
      const length = this.isSparse(value) ? this.sparseIds(reference, value).length : value.length;
      return { name, value: this.isSparse(value) ? `${length} objects` : `Array(${value.length})`, variablesReference: reference, ...(length > PAGE ? { indexedVariables: length } : {}) };
    }
    const record = value as Record<string, unknown>;
    const table = path.length === 2 && typeof path[0] === 'string' ? path[0] : undefined;
    const id = typeof path[1] === 'number' ? path[1] : -1;
    const label = table && id > 0 && this.kernel.state.kinds[id] !== undefined && TABLE_OF_KIND[this.kernel.state.kinds[id]!] === table
      ? objectLabel(this.kernel, id)
      : familyLabel(this.kernel.state, path, record) ?? (typeof record.name === 'string' ? `{${record.name}}` : '{…}');
    return { name, value: label, variablesReference: reference, ...(table ? this.memory(table, id) : {}) };
  }

  private memory(table: string, id: number): { memoryReference?: string } {
    return table === 'pmos' && id > 0 ? { memoryReference: memoryReferenceOfPmo(id) } : {};
  }

  private numberText(key: string | number | undefined, value: number, path: StatePath): string {
    const inThread = path[0] === 'threads' && path.length === 3;
    if (inThread && key === 'state') return `${value} (${THREAD_STATE_NAMES[value] ?? '?'})`;
    if (inThread && key === 'exitState') return `${value} (${THREAD_EXIT_STATE_NAMES[value] ?? '?'})`;
    if (path[0] === 'kinds' && path.length === 2) return `${value} (${OBJECT_KIND_NAMES[value] ?? '?'})`;
    if (path[0] === 'ipcConfigs' && key === 'kind') return `${value} (${IPC_CONFIG_KIND_NAMES[value] ?? '?'})`;
    return formatNumber(value);
  }
}

/** Thread-scope facts that are plain fields of the thread (data breakpoints can watch them). */
const THREAD_FACT_PATHS: Readonly<Record<string, string>> = {
  state: 'state',
  'exit state': 'exitState',
  cpu: 'cpu',
  'scheduling context': 'sc',
};

function describePath(path: StatePath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
