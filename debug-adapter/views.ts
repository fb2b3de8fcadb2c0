// The data behind the extension's debug views, served as custom DAP requests:
//
// - `kscn/ipcEvents` `{start?, count?}`: the IPC-relevant events of the run so far, paged, each
//   with its index in this list, its index in the run's event stream (`kscn/goToMoment
//   {eventIndex}` moves there) and the moment right after it: calls and returns (ChCore's thread
//   migrations, with the scheduling context that migrates), syscall errors and faults, Mach
//   messages, FLIPC messages and link traffic, Tock IPC notifications, and other message-like
//   events of kinds this file does not know yet (drawn generically). With the lifelines (threads,
//   grouped by machine and capability group) the records name.
// - `kscn/kernelObjects`: the kernel objects as a tree: capability groups → slots → objects,
//   connections with both ends, Mach ports with their queues, XNU node tables per machine; each
//   node with the scenario line that created it when known (boot objects: their declaration;
//   objects made at run time: the syscall that was running when the capability was installed,
//   recorded here by watching events).
// - the event `kscn/ipcEventsChanged` `{total, generation, step}` that the session sends on each
//   stop.
//
// Knows nothing of DAP: the session passes requests in and sends what comes out. Lines are 1-based.

import { describeChCoreResult, THREAD_STATE_NAMES } from '../kernel/constants';
import type { KernelEvent } from '../kernel/events';
import type { Kernel } from '../kernel/kernel';
import { describeMachResult } from '../kernel/mach/trace';
import type { ScenarioProgram, SourceLocation } from '../kernel/program';
import { OBJECT_KIND_NAMES, ObjectKind, type Thread } from '../kernel/state';
import { formatEvent, objectName } from '../kernel/trace';
import { describeXnuResult } from '../kernel/xnu/trace';

export const IPC_EVENTS_REQUEST = 'kscn/ipcEvents';
export const KERNEL_OBJECTS_REQUEST = 'kscn/kernelObjects';
export const IPC_EVENTS_CHANGED_EVENT = 'kscn/ipcEventsChanged';

/** The most records one `kscn/ipcEvents` answer carries. */
export const MAX_PAGE = 2000;

export type IpcCategory = 'call' | 'return' | 'error' | 'mach' | 'flipc' | 'tock' | 'other';

export interface MigrationInfo {
  readonly direction: string;
  readonly sc: number;
  readonly connection: number;
  readonly badge: number;
}

export interface IpcEventRecord {
  /** Position in the IPC event list. */
  readonly index: number;
  /** Position in the kernel's event stream since launch (every kind counts). */
  readonly eventIndex: number;
  /** The moment right after it (kernel steps since boot): `kscn/goToMoment {step}` goes there. */
  readonly step: number;
  readonly time: number;
  readonly cpu: number;
  /** The kernel event kind: `migration`, `syscall-exit`, `mach-msg`, ... */
  readonly kind: string;
  readonly category: IpcCategory;
  /** Lifelines (thread ids; a machine's kernel is `-(machine + 1)`); `to === from` for a mark on one lifeline. */
  readonly from: number;
  readonly to: number;
  readonly label: string;
  /** The event as one trace line. */
  readonly detail: string;
  readonly migration?: MigrationInfo;
  /** `-EIPCRETRY`, `MACH_SEND_INVALID_DEST`, `kernel-fault CH-MIG-03`. */
  readonly error?: string;
  /** The scenario statement behind it (1-based), when known. */
  readonly loc?: SourceLocation;
}

export interface LifelineInfo {
  /** Thread id, or `-(machine + 1)` for a machine's kernel. */
  readonly id: number;
  /** `client.main`, `board kernel`. */
  readonly name: string;
  readonly group: string;
  readonly groupId: number;
  readonly machine: string;
  readonly machineIndex: number;
  readonly type: 'user' | 'register' | 'shadow' | 'kernel';
}

export interface IpcEventsArguments {
  readonly start?: number;
  readonly count?: number;
}

export interface IpcEventsBody {
  readonly start: number;
  readonly total: number;
  /** Changes when the list was cut back (the run moved to an earlier moment) or restarted. */
  readonly generation: number;
  /** The current moment (kernel steps since boot). */
  readonly step: number;
  readonly file: string;
  readonly lifelines: readonly LifelineInfo[];
  readonly events: readonly IpcEventRecord[];
}

export interface IpcEventsChangedBody {
  readonly total: number;
  readonly generation: number;
  readonly step: number;
}

export type ObjectNodeKind =
  | 'section'
  | 'machine'
  | 'group'
  | 'slot'
  | 'object'
  | 'connection'
  | 'end'
  | 'port'
  | 'message'
  | 'nodeTable'
  | 'node'
  | 'fact';

export interface ObjectNode {
  /** Stable across stops: `group:3`, `slot:3:6`, `connection:17`, `port:5`. */
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly kind: ObjectNodeKind;
  /** `thread`, `pmo`, `connection`, `port`, ... */
  readonly objectKind?: string;
  readonly object?: number;
  readonly tooltip?: string;
  /** Where the scenario created it (1-based). */
  readonly loc?: SourceLocation;
  readonly children?: readonly ObjectNode[];
}

export interface KernelObjectsBody {
  readonly file: string;
  readonly step: number;
  readonly roots: readonly ObjectNode[];
}

export type ViewsResult = { readonly body: unknown } | { readonly error: string };

/** Syscall result names that are errors besides negative ChCore codes. */
function resultError(syscall: string, result: number, named: string | undefined): string | undefined {
  if (result < 0) return named ?? describeChCoreResult(result);
  if (result === 0) return undefined;
  const name = describeMachResult(syscall, result) ?? describeXnuResult(syscall, result);
  if (name && (/^MACH_(SEND|RCV)_/.test(name) || (/^KERN_/.test(name) && name !== 'KERN_SUCCESS'))) return name;
  return undefined;
}

function kernelLifeline(machine: number): number {
  return -(machine + 1);
}

/**
 * Where the views' events come from: the debugger's runtime (each event once, the first time the
 * run produces it, with its index in the run's event stream; time travel re-executes silently and
 * may drop the recorded future), or, without one, the kernel's own listener.
 */
export interface ViewsEventSource {
  subscribeEvents(subscriber: {
    events(events: readonly KernelEvent[], firstIndex: number): void;
    truncated?(eventCount: number): void;
  }): () => void;
  /** The current moment: kernel steps run since boot. */
  readonly currentStep: number;
}

/** Watches a run's events from boot and answers the views' requests. */
export class ViewsService {
  private records: IpcEventRecord[] = [];
  private eventCount = 0;
  private generationCounter = 0;
  /** Per thread: the syscall it is in (or last made) and its statement. */
  private readonly syscallOf = new Map<number, { name: string; loc: SourceLocation }>();
  /** Per CPU: the syscall running there (for objects created inside it). */
  private readonly syscallOnCpu = new Map<number, { thread: number; loc: SourceLocation }>();
  /** Creating statements of objects made at run time, by object id; slots by `group:slot`. */
  private readonly objectOrigins = new Map<number, SourceLocation>();
  private readonly slotOrigins = new Map<string, SourceLocation>();
  private readonly portOrigins = new Map<number, SourceLocation>();
  private readonly nodeOrigins = new Map<string, SourceLocation>();
  private readonly unsubscribe: () => void;

  constructor(
    readonly kernel: Kernel,
    readonly program: ScenarioProgram,
    private readonly source?: ViewsEventSource,
    /** A restart passes the previous service's generation + 1, so the views start again. */
    firstGeneration = 0,
  ) {
    this.generationCounter = firstGeneration;
    if (source) {
      this.unsubscribe = source.subscribeEvents({
        events: (events, firstIndex) => this.onEvents(events, firstIndex, source.currentStep + 1),
        truncated: (eventCount) => this.truncate(eventCount),
      });
    } else {
      this.unsubscribe = kernel.subscribe((events) => this.onEvents(events, this.eventCount, kernel.state.steps));
    }
  }

  dispose(): void {
    this.unsubscribe();
  }

  get generation(): number {
    return this.generationCounter;
  }

  /** The current moment (kernel steps since boot). */
  get currentStep(): number {
    return this.source ? this.source.currentStep : this.kernel.state.steps;
  }

  /** All records so far. */
  ipcRecords(): readonly IpcEventRecord[] {
    return this.records;
  }

  changed(): IpcEventsChangedBody {
    return { total: this.records.length, generation: this.generationCounter, step: this.currentStep };
  }

  /** Answers a views request, or undefined when the command is not one of ours. */
  handle(command: string, args: unknown): ViewsResult | undefined {
    if (command === IPC_EVENTS_REQUEST) {
      const a = (args ?? {}) as IpcEventsArguments;
      const start = a.start ?? 0;
      const count = a.count ?? MAX_PAGE;
      if (!Number.isInteger(start) || start < 0 || !Number.isInteger(count) || count < 0) return { error: `${IPC_EVENTS_REQUEST}: start and count must be non-negative integers` };
      return { body: this.ipcEvents(start, count) };
    }
    if (command === KERNEL_OBJECTS_REQUEST) return { body: this.kernelObjects() };
    return undefined;
  }

  ipcEvents(start: number, count: number): IpcEventsBody {
    const end = Math.min(this.records.length, start + Math.min(count, MAX_PAGE));
    return {
      start,
      total: this.records.length,
      generation: this.generationCounter,
      step: this.currentStep,
      file: this.program.file,
      lifelines: this.lifelines(),
      events: start < end ? this.records.slice(start, end) : [],
    };
  }

  /** The recorded future was dropped (an edit in the past): records from `eventCount` on go. */
  private truncate(eventCount: number): void {
    let keep = this.records.length;
    while (keep > 0 && this.records[keep - 1]!.eventIndex >= eventCount) keep--;
    this.eventCount = eventCount;
    if (keep < this.records.length) this.records.length = keep;
    this.generationCounter++;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private onEvents(events: readonly KernelEvent[], firstIndex: number, step: number): void {
    let eventIndex = firstIndex;
    for (const event of events) {
      this.track(event);
      const record = this.toRecord(event);
      if (record) this.records.push({ index: this.records.length, eventIndex, step, time: event.time, cpu: event.cpu, kind: event.kind, detail: safeFormat(event), ...record });
      eventIndex++;
    }
    this.eventCount = eventIndex;
  }

  private track(event: KernelEvent): void {
    switch (event.kind) {
      case 'syscall-entry':
        this.syscallOf.set(event.thread, { name: event.syscall, loc: event.loc });
        if (event.cpu >= 0) this.syscallOnCpu.set(event.cpu, { thread: event.thread, loc: event.loc });
        break;
      case 'syscall-exit':
        if (event.cpu >= 0 && this.syscallOnCpu.get(event.cpu)?.thread === event.thread) this.syscallOnCpu.delete(event.cpu);
        break;
      case 'cap-alloc': {
        const loc = this.syscallOnCpu.get(event.cpu)?.loc;
        if (!loc) break;
        if (!this.objectOrigins.has(event.object)) this.objectOrigins.set(event.object, loc);
        this.slotOrigins.set(`${event.group}:${event.slot}`, loc);
        break;
      }
      case 'mach-right': {
        const loc = this.syscallOnCpu.get(event.cpu)?.loc;
        if (loc && event.object > 0 && !this.portOrigins.has(event.object)) this.portOrigins.set(event.object, loc);
        break;
      }
      case 'node': {
        const loc = this.syscallOnCpu.get(event.cpu)?.loc;
        const key = `${event.machine}:${event.node}`;
        if (loc && event.node > 0 && !this.nodeOrigins.has(key)) this.nodeOrigins.set(key, loc);
        break;
      }
      default:
        break;
    }
  }

  private threadNamed(name: string): Thread | undefined {
    const state = this.kernel.state;
    const wanted = name.trim();
    for (const id of state.threadIds) {
      const t = state.threads[id];
      if (t && (t.name === wanted || wanted.endsWith(` ${t.name}`) || wanted.startsWith(`${t.name} `))) return t;
    }
    return undefined;
  }

  /** The thread that receives on behalf of a process declaration: its first thread. */
  private threadOfProcess(process: number): number | undefined {
    const group = this.kernel.state.groups[this.kernel.state.processGroups[process] ?? -1];
    return group?.threads[0];
  }

  private receiverOfPort(port: number): number | undefined {
    const p = this.kernel.state.mach?.ports?.[port];
    if (!p) return undefined;
    if (p.receivers.length > 0) return p.receivers[0];
    if (p.receiverProcess >= 0) return this.threadOfProcess(p.receiverProcess);
    return kernelLifeline(p.machine);
  }

  private threadOfTockProcess(name: string): number | undefined {
    const processes = this.kernel.state.tock?.processes ?? [];
    const p = processes.find((candidate) => candidate.name === name);
    return p && p.thread > 0 ? p.thread : undefined;
  }

  private toRecord(event: KernelEvent): Omit<IpcEventRecord, 'index' | 'eventIndex' | 'step' | 'time' | 'cpu' | 'kind' | 'detail'> | undefined {
    switch (event.kind) {
      case 'migration': {
        const migration: MigrationInfo = { direction: event.direction, sc: event.sc, connection: event.connection, badge: event.badge };
        if (event.direction === 'to-client') {
          const by = this.syscallOf.get(event.handler);
          const value = event.value !== undefined ? describeChCoreResult(event.value) : undefined;
          return {
            category: 'return',
            from: event.handler,
            to: event.client,
            label: `${by?.name ?? 'return'}${value !== undefined ? ` → ${value}` : ''}`,
            migration,
            ...(by ? { loc: by.loc } : {}),
          };
        }
        const by = this.syscallOf.get(event.client);
        return { category: 'call', from: event.client, to: event.handler, label: by?.name ?? (event.direction === 'to-register' ? 'register_client' : 'ipc_call'), migration, ...(by ? { loc: by.loc } : {}) };
      }
      case 'syscall-exit': {
        const error = resultError(event.syscall, event.result, event.error);
        if (error === undefined) return undefined;
        return { category: 'error', from: event.thread, to: event.thread, label: `${event.syscall} → ${error}`, error, loc: event.loc };
      }
      case 'thread-fault':
        return { category: 'error', from: event.thread, to: event.thread, label: `fault: ${event.reason}`, error: 'thread-fault', ...(event.loc ? { loc: event.loc } : {}) };
      case 'kernel-fault': {
        const on = event.thread > 0 ? event.thread : kernelLifeline(event.machine);
        return { category: 'error', from: on, to: on, label: `kernel fault ${event.row}`, error: `kernel-fault ${event.row}`, ...this.locOf(event.thread) };
      }
      case 'mach-msg':
        return this.machRecord(event);
      case 'node': {
        if (!/flipc/i.test(event.action)) return undefined;
        const record = this.flipcRecord(event.cpu, event.machine, `FLIPC ${event.action.replace(/^flipc-?/i, '') || 'message'}`);
        return /drop|lost/i.test(event.action) && record ? { ...record, category: 'error', error: 'FLIPC drop' } : record;
      }
      case 'link': {
        if (event.action !== 'send' && event.action !== 'deliver' && event.action !== 'drop' && event.action !== 'lost') return undefined;
        const link = this.kernel.state.links?.[event.link] ?? this.program.links[event.link];
        if (!link) return undefined;
        const [a, b] = /^\s*(\S+)\s*→\s*(\S+?):/.exec(event.text)?.slice(1) ?? [];
        const machineNamed = (name: string | undefined, fallback: number) => {
          const index = this.kernel.state.machines.findIndex((m) => m.name === name);
          return index >= 0 ? index : fallback;
        };
        const from = machineNamed(a, link.a);
        const to = machineNamed(b, link.b);
        const lost = event.action === 'drop' || event.action === 'lost';
        return {
          category: lost ? 'error' : 'flipc',
          from: kernelLifeline(from),
          to: kernelLifeline(to),
          label: `link ${event.action}`,
          ...(lost ? { error: `link ${event.action}` } : {}),
        };
      }
      case 'tock': {
        if (event.what !== 'task') return undefined;
        const queued = /queued IPC\((\S+?), (\w+)\)/.exec(event.text);
        if (!queued) return undefined;
        const to = this.threadOfTockProcess(event.processName);
        const from = this.threadOfTockProcess(queued[1]!);
        if (to === undefined) return undefined;
        return { category: 'tock', from: from ?? to, to, label: `notify ${queued[2]!.toLowerCase()}`, ...this.locOf(from) };
      }
      default:
        return this.genericRecord(event);
    }
  }

  private locOf(thread: number | undefined): { loc?: SourceLocation } {
    const loc = thread !== undefined ? this.syscallOf.get(thread)?.loc : undefined;
    return loc ? { loc } : {};
  }

  private machRecord(event: Extract<KernelEvent, { kind: 'mach-msg' }>): ReturnType<ViewsService['toRecord']> {
    const from = event.thread > 0 ? event.thread : kernelLifeline(this.kernel.state.mach?.ports?.[event.port]?.machine ?? 0);
    const id = `id ${event.msgId}`;
    switch (event.action) {
      case 'enqueue':
      case 'notify': {
        const to = this.receiverOfPort(event.port) ?? from;
        return { category: 'mach', from, to, label: `${event.action === 'notify' ? 'notification' : 'mach_msg'} ${id} → ${event.portLabel}`, ...this.locOf(event.thread) };
      }
      case 'handoff': {
        const to = this.threadNamed(event.detail)?.id ?? this.receiverOfPort(event.port) ?? from;
        return { category: 'mach', from, to, label: `mach_msg ${id} → ${event.portLabel} (hand-off)`, ...this.locOf(event.thread) };
      }
      case 'kobject-call':
        return { category: 'mach', from, to: from, label: `kobject call ${id} → ${event.portLabel}`, ...this.locOf(event.thread) };
      case 'kobject-reply':
        return { category: 'mach', from, to: from, label: `kobject reply ${id}`, ...this.locOf(event.thread) };
      case 'destroy':
        return { category: 'error', from, to: from, label: `message ${id} destroyed`, error: 'destroyed', ...this.locOf(event.thread) };
      default:
        return undefined;
    }
  }

  private flipcRecord(cpu: number, machine: number, label: string): ReturnType<ViewsService['toRecord']> {
    const running = cpu >= 0 ? this.syscallOnCpu.get(cpu) : undefined;
    const from = running?.thread ?? kernelLifeline(machine);
    return { category: 'flipc', from, to: kernelLifeline(machine), label, ...(running ? { loc: running.loc } : {}) };
  }

  /**
   * Kinds this file does not know: message-like events are drawn from their thread (`thread`,
   * `from`, `sender`) to their receiver (`to`, `receiver`, `target`, when a thread id) or as a mark.
   */
  private genericRecord(event: KernelEvent): ReturnType<ViewsService['toRecord']> {
    const data = event as unknown as Record<string, unknown>;
    const kind = String(data.kind ?? '');
    const known = ['syscall-entry', 'kernel-step', 'thread-state', 'context-switch', 'cap-alloc', 'cap-free', 'memory-write', 'expect', 'print', 'fault-injected', 'machine', 'mach-right', 'halt'];
    if (known.includes(kind) || !/msg|message|notif|ipc|flipc|upcall|send|deliver/i.test(kind)) return undefined;
    const number = (key: string) => (typeof data[key] === 'number' ? (data[key] as number) : undefined);
    const isThread = (id: number | undefined) => id !== undefined && id > 0 && this.kernel.state.threads[id] !== undefined && this.kernel.state.threads[id] !== null;
    const machine = number('machine') ?? 0;
    const fromCandidate = [number('thread'), number('from'), number('sender')].find(isThread);
    const from = fromCandidate ?? kernelLifeline(machine);
    const to = [number('to'), number('receiver'), number('target')].find(isThread) ?? from;
    const flipc = /flipc/i.test(kind);
    const tock = /tock|upcall/i.test(kind);
    const action = typeof data.action === 'string' ? ` ${data.action}` : '';
    return { category: flipc ? 'flipc' : tock ? 'tock' : 'other', from, to, label: `${kind}${action}`, ...this.locOf(fromCandidate) };
  }

  // -------------------------------------------------------------------------------------------
  // Lifelines

  lifelines(): LifelineInfo[] {
    const state = this.kernel.state;
    const lines: LifelineInfo[] = [];
    const types: Record<number, LifelineInfo['type']> = { 2: 'user', 3: 'shadow', 4: 'register' };
    for (const id of state.threadIds) {
      const t = state.threads[id];
      if (!t) continue;
      const group = state.groups[t.group];
      const machine = state.machines[t.machine];
      const declaration = this.program.objects[t.object];
      lines.push({
        id,
        name: t.name,
        group: group?.name ?? '?',
        groupId: t.group,
        machine: machine?.name ?? '?',
        machineIndex: t.machine,
        type: declaration?.kind === 'thread' ? declaration.type : types[t.type] ?? 'kernel',
      });
    }
    const used = new Set<number>();
    for (const r of this.records) {
      if (r.from < 0) used.add(r.from);
      if (r.to < 0) used.add(r.to);
    }
    for (const id of [...used].sort((a, b) => b - a)) {
      const machineIndex = -id - 1;
      const machine = state.machines[machineIndex]?.name ?? `machine ${machineIndex}`;
      lines.push({ id, name: `${machine} kernel`, group: 'kernel', groupId: 0, machine, machineIndex, type: 'kernel' });
    }
    return lines;
  }

  // -------------------------------------------------------------------------------------------
  // Kernel objects

  kernelObjects(): KernelObjectsBody {
    const roots: ObjectNode[] = [];
    const groups = this.groupNodes();
    roots.push({ id: 'section:groups', label: 'Capability groups', description: String(groups.length), kind: 'section', children: groups });
    const connections = this.connectionNodes();
    if (connections.length > 0) roots.push({ id: 'section:connections', label: 'Connections', description: String(connections.length), kind: 'section', children: connections });
    const ports = this.portNodes();
    if (ports.length > 0) roots.push({ id: 'section:ports', label: 'Ports', description: String(ports.length), kind: 'section', children: ports });
    const nodes = this.nodeTableNodes();
    if (nodes.length > 0) roots.push({ id: 'section:nodes', label: 'Node tables', description: String(nodes.length), kind: 'section', children: nodes });
    return { file: this.program.file, step: this.kernel.state.steps, roots };
  }

  /** The scenario line that created an object: its declaration, or the syscall that made it. */
  objectOrigin(id: number): SourceLocation | undefined {
    const state = this.kernel.state;
    const boot = state.bootObjects.indexOf(id);
    if (boot >= 0) return this.program.objects[boot]?.loc;
    const kind = state.kinds[id];
    if (kind === ObjectKind.CAP_GROUP) return this.processLoc(state.groups[id]?.process);
    if (kind === ObjectKind.VMSPACE) {
      const vm = state.vmspaces[id];
      return vm ? this.processLoc(state.groups[vm.group]?.process) : undefined;
    }
    if (kind === ObjectKind.SCHED_CONTEXT) {
      const owner = state.scs[id]?.owner;
      const thread = owner !== undefined ? state.threads[owner] : undefined;
      if (thread && this.objectOrigins.get(id) === undefined) return this.program.objects[thread.object]?.loc;
    }
    return this.objectOrigins.get(id);
  }

  private processLoc(process: number | undefined): SourceLocation | undefined {
    return process !== undefined ? this.program.processes[process]?.loc : undefined;
  }

  private slotOrigin(groupId: number, slot: number, object: number): SourceLocation | undefined {
    const runtime = this.slotOrigins.get(`${groupId}:${slot}`);
    if (runtime) return runtime;
    const group = this.kernel.state.groups[groupId];
    const decl = group ? this.program.processes[group.process] : undefined;
    const cap = decl && slot >= 2 ? decl.caps[slot - 2] : undefined;
    if (cap && (cap.object < 0 || this.kernel.state.bootObjects[cap.object] === object)) return cap.loc;
    if (slot < 2) return decl?.loc;
    return this.objectOrigin(object);
  }

  private groupNodes(): ObjectNode[] {
    const state = this.kernel.state;
    const nodes: ObjectNode[] = [];
    const ordered = state.groups.filter((g) => g !== null).sort((a, b) => a.machine - b.machine || a.id - b.id);
    for (const group of ordered) {
      const machine = state.machines[group.machine]?.name ?? '?';
      const slots: ObjectNode[] = [];
      group.slots.forEach((object, slot) => {
        if (object === 0) return;
        const details = this.objectDetails(object, `slot:${group.id}:${slot}`);
        const loc = this.slotOrigin(group.id, slot, object);
        const kind = OBJECT_KIND_NAMES[state.kinds[object] ?? 0] ?? 'object';
        slots.push({
          id: `slot:${group.id}:${slot}`,
          label: `[${slot}] ${objectName(state, object)}`,
          description: kind,
          kind: 'slot',
          objectKind: kind,
          object,
          tooltip: `${group.name} slot ${slot}: ${objectName(state, object)} (object #${object}, ${state.refs[object] ?? 0} references)`,
          ...(loc ? { loc } : {}),
          ...(details.length > 0 ? { children: details } : {}),
        });
      });
      const loc = this.processLoc(group.process);
      nodes.push({
        id: `group:${group.id}`,
        label: group.name,
        description: `pid ${group.pid}, badge ${group.badge}, on ${machine}, ${slots.length} caps`,
        kind: 'group',
        objectKind: 'cap_group',
        object: group.id,
        ...(loc ? { loc } : {}),
        children: slots,
      });
    }
    return nodes;
  }

  /** What an object is, as child rows (under a slot). */
  private objectDetails(id: number, prefix: string): ObjectNode[] {
    const state = this.kernel.state;
    const fact = (key: string, label: string, description?: string, extra?: Partial<ObjectNode>): ObjectNode => ({ id: `${prefix}:${key}`, label, kind: 'fact', ...(description !== undefined ? { description } : {}), ...extra });
    switch (state.kinds[id]) {
      case ObjectKind.CONNECTION: {
        const c = state.connections[id];
        return c ? this.connectionEnds(c.id, prefix) : [];
      }
      case ObjectKind.THREAD: {
        const t = state.threads[id];
        if (!t) return [];
        const rows = [fact('state', 'state', threadStateName(t.state))];
        if (t.sc) rows.push(fact('sc', 'scheduling context', `sc #${t.sc}`));
        const loc = this.kernel.threadLocation(t.id);
        if (loc) rows.push(fact('at', 'at', `line ${loc.line}`, { loc }));
        return rows;
      }
      case ObjectKind.PMO: {
        const p = state.pmos[id];
        return p ? [fact('size', 'size', `${p.size} bytes${p.freed ? ' (freed)' : ''}`)] : [];
      }
      default:
        return [];
    }
  }

  private connectionEnds(id: number, prefix: string): ObjectNode[] {
    const state = this.kernel.state;
    const c = state.connections[id];
    if (!c) return [];
    const client = state.groups[c.clientGroup];
    const server = state.groups[c.serverGroup];
    const handler = state.threads[c.serverHandlerThread];
    const current = state.threads[c.currentClientThread];
    const clientLoc = client ? this.slotOrigin(client.id, c.connCapInClient, id) : undefined;
    const serverLoc = server ? this.slotOrigin(server.id, c.connCapInServer, id) : undefined;
    return [
      {
        id: `${prefix}:client`,
        label: `client end: ${client?.name ?? '?'}[${c.connCapInClient}]`,
        description: `badge ${c.clientBadge}, shm 0x${c.clientShmUaddr.toString(16)}${current ? `, calling: ${current.name}` : ''}`,
        kind: 'end',
        objectKind: 'cap_group',
        object: c.clientGroup,
        ...(clientLoc ? { loc: clientLoc } : {}),
      },
      {
        id: `${prefix}:server`,
        label: `server end: ${server?.name ?? '?'}[${c.connCapInServer}]`,
        description: `handler ${handler ? handler.name : 'none'}, shm 0x${c.serverShmUaddr.toString(16)}`,
        kind: 'end',
        objectKind: 'cap_group',
        object: c.serverGroup,
        ...(serverLoc ? { loc: serverLoc } : {}),
      },
    ];
  }

  private connectionNodes(): ObjectNode[] {
    const state = this.kernel.state;
    return state.connections
      .filter((c) => c !== null)
      .map((c) => {
        const loc = this.objectOrigin(c.id);
        const client = state.groups[c.clientGroup]?.name ?? '?';
        const server = state.groups[c.serverGroup]?.name ?? '?';
        return {
          id: `connection:${c.id}`,
          label: `connection #${c.id}: ${client} → ${server}`,
          description: `${c.isValid ? 'valid' : 'invalid'}${c.freed ? ', freed' : ''}, ${c.shmSize} bytes shm`,
          kind: 'connection' as const,
          objectKind: 'connection',
          object: c.id,
          ...(loc ? { loc } : {}),
          children: this.connectionEnds(c.id, `connection:${c.id}`),
        };
      });
  }

  private portNodes(): ObjectNode[] {
    const state = this.kernel.state;
    const mach = state.mach;
    if (!mach?.ports) return [];
    const nodes: ObjectNode[] = [];
    for (const port of mach.ports) {
      if (!port) continue;
      const receiver = port.receiverProcess >= 0 ? this.program.processes[port.receiverProcess]?.name ?? `process ${port.receiverProcess}` : 'kernel';
      const queue: ObjectNode[] = port.queue.map((messageId, position) => {
        const m = mach.messages[messageId];
        const sender = m && m.sender > 0 ? state.threads[m.sender]?.name ?? `thread ${m.sender}` : 'kernel';
        return {
          id: `port:${port.id}:queue:${position}`,
          label: `msg #${messageId}${m ? ` id ${m.msgId}` : ''}`,
          description: `from ${sender}${m ? `, ${m.dataLength} bytes` : ''}`,
          kind: 'message' as const,
          objectKind: 'message',
          object: messageId,
        };
      });
      const facts: ObjectNode[] = [
        { id: `port:${port.id}:receiver`, label: 'receive right', description: `${receiver}${port.receiverName ? ` as 0x${port.receiverName.toString(16)}` : ''}`, kind: 'fact' },
        { id: `port:${port.id}:queue`, label: 'queue', description: `${port.queue.length}/${port.queueLimit}`, kind: 'fact', ...(queue.length > 0 ? { children: queue } : {}) },
      ];
      if (port.receivers.length > 0) facts.push({ id: `port:${port.id}:receivers`, label: 'waiting receivers', description: port.receivers.map((t) => state.threads[t]?.name ?? `#${t}`).join(', '), kind: 'fact' });
      if (port.blockedSenders.length > 0) facts.push({ id: `port:${port.id}:senders`, label: 'blocked senders', description: port.blockedSenders.map((t) => state.threads[t]?.name ?? `#${t}`).join(', '), kind: 'fact' });
      const loc = this.portOrigins.get(port.id);
      nodes.push({
        id: `port:${port.id}`,
        label: `port ${port.label}`,
        description: `${port.active ? '' : 'dead, '}${port.queue.length} queued, ${port.sendRights} send rights`,
        kind: 'port',
        objectKind: 'port',
        object: port.id,
        ...(loc ? { loc } : {}),
        children: facts,
      });
    }
    return nodes;
  }

  private nodeTableNodes(): ObjectNode[] {
    const state = this.kernel.state;
    const xnu = state.nodes;
    if (!xnu?.machines) return [];
    const nodes: ObjectNode[] = [];
    for (const m of xnu.machines) {
      if (!m || (m.localnodeId < 0 && m.table.every((handle) => handle === 0))) continue;
      const machine = state.machines[m.machine];
      const entries: ObjectNode[] = [];
      m.table.forEach((handle, nodeId) => {
        if (handle === 0) return;
        const node = xnu.nodes[handle];
        const loc = this.nodeOrigins.get(`${m.machine}:${handle}`);
        const facts: string[] = [];
        if (node) {
          const n = node as unknown as Record<string, unknown>;
          if (typeof n.active === 'boolean') facts.push(n.active ? 'active' : 'inactive');
          if (node.remoteMachine >= 0) facts.push(`→ ${state.machines[node.remoteMachine]?.name ?? node.remoteMachine}`);
          if (node.flipcReady) facts.push(`FLIPC ready, ${node.flipcQueue.length} queued`);
        }
        entries.push({
          id: `node:${m.machine}:${nodeId}`,
          label: `node ${nodeId}${nodeId === m.localnodeId ? ' (local)' : ''}`,
          description: `handle #${handle}${facts.length > 0 ? `, ${facts.join(', ')}` : ''}`,
          kind: 'node',
          objectKind: 'node',
          object: handle,
          ...(loc ? { loc } : {}),
        });
      });
      const machineLoc = this.program.machines[m.machine]?.loc;
      nodes.push({
        id: `nodeTable:${m.machine}`,
        label: machine?.name ?? `machine ${m.machine}`,
        description: m.localnodeId < 0 ? 'not initialised' : `local node ${m.localnodeId}, ${entries.length}/${m.nodesMax} nodes`,
        kind: 'nodeTable',
        ...(machineLoc ? { loc: machineLoc } : {}),
        children: entries,
      });
    }
    return nodes;
  }
}

function threadStateName(state: number): string {
  return THREAD_STATE_NAMES[state] ?? String(state);
}

function safeFormat(event: KernelEvent): string {
  try {
    return formatEvent(event).trim();
  } catch {
    return event.kind;
  }
}
