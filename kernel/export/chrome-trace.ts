// Kernel events as a Chrome trace (the trace-event format's JSON object form), which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. Pure: no host, no clock; the same events give the
// same trace.
//
// Layout:
// - one trace "process" (pid) per machine: pid = machine index + 1, named `machine NAME`;
// - in it, one track per CPU (tid = local CPU index + 1, named `cpuN`) carrying complete events
//   (`X`) for the intervals a thread runs on that CPU, one track per kernel thread
//   (tid = THREAD_TID_BASE + thread id, named by the thread) carrying its syscalls (`X`, with the
//   kernel steps nested inside), the activations of passive handlers, and instant events (`i`)
//   for expectations, prints, faults and the other kernel events, and one `kernel` track for
//   events bound to no thread or CPU (links, machine crashes, the halt);
// - flows (`s`, `t`, `f`, `bp: "e"`): ChCore IPC from the caller's syscall slice to the handler's
//   activation and back on return (migrations), Mach messages (enqueue/hand-off → receive), XNU
//   link messages and FLIPC (queue → link send → link deliver → endpoint delivery), and Tock
//   notifications (task queued by the notifier → dequeued by the target).
//
// Time: virtual cycles map to microseconds as 1 cycle = 1 ns, so `ts = cycles / 1000`
// (`displayTimeUnit: "ns"` makes the viewers print nanoseconds = cycles). Each CPU has its own
// clock; a thread that moves between CPUs can see a clock behind its last event, so timestamps are
// clamped to be non-decreasing per track (slices keep nesting), and the events are sorted by `ts`.

import { ThreadState } from '../constants';
import type { KernelEvent } from '../events';
import type { ScenarioProgram, SourceLocation } from '../program';

export type ChromePhase = 'X' | 'B' | 'E' | 'i' | 'I' | 's' | 't' | 'f' | 'M' | 'C';

export interface ChromeTraceEvent {
  readonly name: string;
  readonly ph: ChromePhase;
  /** Microseconds. */
  readonly ts: number;
  readonly pid: number;
  readonly tid: number;
  readonly cat?: string;
  /** Microseconds, for `X`. */
  readonly dur?: number;
  /** Flow id, for `s`/`t`/`f`. */
  readonly id?: number;
  /** Flow binding point: `e` binds a flow step or end to the enclosing slice. */
  readonly bp?: 'e';
  /** Scope of an instant event: thread, process or global. */
  readonly s?: 't' | 'p' | 'g';
  readonly args?: Record<string, unknown>;
}

export interface ChromeTrace {
  readonly traceEvents: ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns' | 'ms';
  readonly metadata: Record<string, unknown>;
}

export interface ChromeTraceOptions {
  /** Recorded in `metadata` (the seed the events came from). */
  readonly seed?: number;
  /** Nest kernel steps inside syscall slices. Default true. */
  readonly kernelSteps?: boolean;
  /** Instant events for memory writes and capability changes. Default true. */
  readonly detail?: boolean;
}

/** Cycles to trace microseconds: 1 cycle = 1 ns. */
export const CYCLES_PER_MICROSECOND = 1000;
/** Thread track ids: THREAD_TID_BASE + kernel thread id (CPU tracks use 1..64). */
export const THREAD_TID_BASE = 1000;
/** The per-machine track for events bound to no thread or CPU. */
export const KERNEL_TID = 900;

const TS_RUNNING = ThreadState.TS_RUNNING;

interface Track {
  readonly pid: number;
  readonly tid: number;
  readonly name: string;
  readonly sort: number;
  /** Clock of the track (cycles): timestamps never go below it. */
  clock: number;
  /** Open slices, innermost last. */
  readonly open: OpenSlice[];
}

interface OpenSlice {
  readonly name: string;
  readonly cat: string;
  readonly begin: number;
  args: Record<string, unknown>;
  /** What kind of slice (to find it again): syscall, step, serve, run. */
  readonly role: 'syscall' | 'step' | 'serve' | 'run';
  readonly thread: number;
}

interface FlowPoint {
  readonly pid: number;
  readonly tid: number;
  readonly time: number;
}

interface Flow {
  readonly id: number;
  readonly name: string;
  readonly cat: string;
  readonly points: FlowPoint[];
}

function where(loc: SourceLocation | undefined): string | undefined {
  if (!loc || !loc.file) return undefined;
  return `${loc.file}:${loc.line}`;
}

/** JSON-safe copy of an unknown event's fields (numbers finite, no functions). */
function plainArgs(event: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'kind' || key === 'time' || key === 'cpu') continue;
    if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'string' || typeof value === 'boolean') out[key] = value;
    else if (value !== undefined && value !== null && typeof value !== 'function') {
      try {
        out[key] = JSON.parse(JSON.stringify(value)) as unknown;
      } catch {
        out[key] = String(value);
      }
    }
  }
  return out;
}

/** Converts a kernel event stream (recorded with `record: true`) into a Chrome trace. */
export function toChromeTrace(events: readonly KernelEvent[], program: ScenarioProgram, options: ChromeTraceOptions = {}): ChromeTrace {
  const kernelSteps = options.kernelSteps ?? true;
  const detail = options.detail ?? true;
  const out: ChromeTraceEvent[] = [];

  // Machines and CPUs as the kernel boots them (a program without machines gets one, one CPU).
  const machines = program.machines.length > 0 ? program.machines.map((m) => ({ name: m.name, cpus: Math.max(1, m.cpus) })) : [{ name: 'machine', cpus: 1 }];
  const cpuMachine: number[] = [];
  const cpuLocal: number[] = [];
  machines.forEach((m, index) => {
    for (let i = 0; i < m.cpus; i++) {
      cpuMachine.push(index);
      cpuLocal.push(i);
    }
  });
  const machineByName = new Map(machines.map((m, i) => [m.name, i] as const));
  const processMachine = new Map(program.processes.map((p) => [p.name, Math.min(Math.max(0, p.machine), machines.length - 1)] as const));

  const tracks = new Map<string, Track>();
  const usedPids = new Set<number>();
  const track = (pid: number, tid: number, name: string, sort: number): Track => {
    const key = `${pid}:${tid}`;
    let t = tracks.get(key);
    if (!t) {
      t = { pid, tid, name, sort, clock: 0, open: [] };
      tracks.set(key, t);
      usedPids.add(pid);
    }
    return t;
  };
  const machineOfCpu = (cpu: number): number => cpuMachine[cpu] ?? 0;
  const cpuTrack = (cpu: number): Track => {
    const local = cpuLocal[cpu] ?? cpu;
    return track(machineOfCpu(cpu) + 1, local + 1, `cpu${local}${cpuMachine.length > machines[machineOfCpu(cpu)]!.cpus ? ` (global ${cpu})` : ''}`, local);
  };
  const kernelTrack = (machine: number): Track => track(Math.min(Math.max(0, machine), machines.length - 1) + 1, KERNEL_TID, 'kernel', 500);
  const threadMachine = new Map<number, number>();
  const threadNames = new Map<number, string>();
  const threadTrack = (thread: number, name: string, cpu: number): Track => {
    if (name && !threadNames.has(thread)) threadNames.set(thread, name);
    let machine = threadMachine.get(thread);
    if (machine === undefined) {
      const processName = (threadNames.get(thread) ?? name).split('.')[0] ?? '';
      machine = processMachine.get(processName) ?? (cpu >= 0 ? machineOfCpu(cpu) : 0);
      threadMachine.set(thread, machine);
    }
    return track(machine + 1, THREAD_TID_BASE + thread, threadNames.get(thread) ?? `thread #${thread}`, THREAD_TID_BASE + thread);
  };

  /** Clamps a time (cycles) to the track's clock and advances it. */
  const at = (t: Track, time: number): number => {
    const value = Number.isFinite(time) && time > t.clock ? time : t.clock;
    t.clock = value;
    return value;
  };
  const us = (cycles: number): number => cycles / CYCLES_PER_MICROSECOND;

  const open = (t: Track, time: number, slice: Omit<OpenSlice, 'begin'>): void => {
    t.open.push({ ...slice, begin: at(t, time) });
  };
  /** Closes the slice at `index` and every slice inside it, at `time`. */
  const closeFrom = (t: Track, index: number, time: number): void => {
    if (index < 0 || index >= t.open.length) return;
    const end = at(t, time);
    while (t.open.length > index) {
      const s = t.open.pop()!;
      out.push({ name: s.name, cat: s.cat, ph: 'X', ts: us(s.begin), dur: us(end - s.begin), pid: t.pid, tid: t.tid, args: s.args });
    }
  };
  const findOpen = (t: Track, predicate: (s: OpenSlice) => boolean): number => {
    for (let i = t.open.length - 1; i >= 0; i--) if (predicate(t.open[i]!)) return i;
    return -1;
  };
  const instant = (t: Track, time: number, name: string, cat: string, args: Record<string, unknown>, scope: 't' | 'p' | 'g' = 't'): void => {
    out.push({ name, cat, ph: 'i', s: scope, ts: us(at(t, time)), pid: t.pid, tid: t.tid, args });
  };

  // Flows, emitted at the end (a flow with fewer than two points is dropped).
  const flows: Flow[] = [];
  const newFlow = (name: string, cat: string, first: FlowPoint): Flow => {
    const flow: Flow = { id: flows.length + 1, name, cat, points: [first] };
    flows.push(flow);
    return flow;
  };
  const point = (t: Track, time: number): FlowPoint => ({ pid: t.pid, tid: t.tid, time: at(t, time) });

  // Which thread runs on each CPU (from thread-state events), for events that name no thread.
  const running = new Map<number, number>();
  const runningCpu = new Map<number, number>();
  const trackOnCpu = (cpu: number, machineHint: number): Track => {
    if (cpu < 0) return kernelTrack(machineHint);
    const thread = running.get(cpu);
    return thread !== undefined ? threadTrack(thread, '', cpu) : cpuTrack(cpu);
  };

  const beginRun = (cpu: number, thread: number, name: string, time: number): void => {
    const previous = running.get(cpu);
    if (previous !== undefined) endRun(previous, time);
    const t = cpuTrack(cpu);
    closeFrom(t, 0, time);
    open(t, time, { name: name || threadNames.get(thread) || `thread #${thread}`, cat: 'run', role: 'run', thread, args: { thread } });
    running.set(cpu, thread);
    runningCpu.set(thread, cpu);
  };
  const endRun = (thread: number, time: number): void => {
    const cpu = runningCpu.get(thread);
    if (cpu === undefined) return;
    runningCpu.delete(thread);
    if (running.get(cpu) === thread) running.delete(cpu);
    const t = cpuTrack(cpu);
    closeFrom(t, findOpen(t, (s) => s.role === 'run' && s.thread === thread), time);
  };

  // IPC: the open "serve" activation per handler thread, with the flow that started it.
  const ipcDirection = new Map<number, string>();
  // Mach messages by kernel message id.
  const machFlows = new Map<number, Flow>();
  // XNU: FLIPC messages queued per (machine, handle); link messages in flight per (link, route);
  // delivered link messages per machine waiting for their FLIPC endpoint delivery.
  const flipcQueued = new Map<string, Flow>();
  const linkInFlight = new Map<string, Flow[]>();
  const linkDelivered = new Map<number, Flow[]>();
  // Tock: notification tasks queued per (process, task description), FIFO.
  const tockQueued = new Map<string, Flow[]>();

  let endTime = 0;
  let halted: { reason: string; message: string } | undefined;

  for (const event of events) {
    if (Number.isFinite(event.time) && event.time > endTime) endTime = event.time;
    switch (event.kind) {
      case 'syscall-entry': {
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        const args: Record<string, unknown> = Object.fromEntries(event.args.map(([n, v]) => [n, v]));
        open(t, event.time, {
          name: event.syscall,
          cat: 'syscall',
          role: 'syscall',
          thread: event.thread,
          args: { kernel: event.kernelName, args, ...(where(event.loc) ? { at: where(event.loc) } : {}) },
        });
        break;
      }
      case 'syscall-exit': {
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        const index = findOpen(t, (s) => s.role === 'syscall' && s.name === event.syscall);
        if (index >= 0) {
          const slice = t.open[index]!;
          slice.args = { ...slice.args, result: event.result, ...(event.error !== undefined ? { error: event.error } : {}) };
          closeFrom(t, index, event.time);
        } else {
          instant(t, event.time, `${event.syscall} returns`, 'syscall', { result: event.result, ...(event.error !== undefined ? { error: event.error } : {}) });
        }
        break;
      }
      case 'kernel-step': {
        if (!kernelSteps) break;
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        const top = t.open[t.open.length - 1];
        if (top && top.role === 'step') closeFrom(t, t.open.length - 1, event.time);
        // Only inside a syscall slice of this thread (the top one).
        const inner = t.open[t.open.length - 1];
        if (inner && inner.role === 'syscall') open(t, event.time, { name: event.step, cat: 'kernel-step', role: 'step', thread: event.thread, args: { syscall: event.syscall } });
        break;
      }
      case 'thread-state': {
        threadTrack(event.thread, event.threadName, event.cpu);
        if (event.to === TS_RUNNING && event.cpu >= 0) beginRun(event.cpu, event.thread, event.threadName, event.time);
        else if (event.from === TS_RUNNING || event.to !== TS_RUNNING) endRun(event.thread, event.time);
        break;
      }
      case 'context-switch': {
        if (event.cpu < 0) break;
        const t = cpuTrack(event.cpu);
        const top = t.open[t.open.length - 1];
        if (top && top.role === 'run' && top.thread === event.to) top.args = { ...top.args, switch: event.reason, from: event.fromName };
        break;
      }
      case 'migration': {
        const client = threadTrack(event.client, event.clientName, event.cpu);
        const handler = threadTrack(event.handler, event.handlerName, event.cpu);
        const info = { connection: event.connection, sc: event.sc, badge: event.badge, client: event.clientName, handler: event.handlerName };
        if (event.direction === 'to-client') {
          // The return starts one cycle before the migration, strictly inside the handler's
          // activation (viewers bind a flow to the slice open at its timestamp).
          const flow = newFlow(ipcDirection.get(event.handler) === 'to-register' ? 'register return' : 'ipc return', 'ipc', point(handler, event.time - 1));
          flow.points.push(point(client, event.time));
          const index = findOpen(handler, (s) => s.role === 'serve');
          if (index >= 0) {
            const slice = handler.open[index]!;
            slice.args = { ...slice.args, ...(event.value !== undefined ? { returns: event.value } : {}) };
            closeFrom(handler, index, event.time);
          }
          ipcDirection.delete(event.handler);
        } else {
          // A passive thread starts afresh: anything it left open (a call that never returned) ends.
          closeFrom(handler, 0, event.time);
          const flow = newFlow(event.direction === 'to-register' ? 'register' : 'ipc call', 'ipc', point(client, event.time));
          open(handler, event.time, {
            name: event.direction === 'to-register' ? `register ${event.clientName}` : `serve ${event.clientName}`,
            cat: 'ipc',
            role: 'serve',
            thread: event.handler,
            args: info,
          });
          flow.points.push(point(handler, event.time));
          ipcDirection.set(event.handler, event.direction);
        }
        break;
      }
      case 'cap-alloc':
      case 'cap-free': {
        if (!detail) break;
        const t = trackOnCpu(event.cpu, 0);
        instant(t, event.time, `${event.kind} ${event.groupName}[${event.slot}]`, 'cap', { object: event.object, objectKind: event.objectKind });
        break;
      }
      case 'memory-write': {
        if (!detail) break;
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        instant(t, event.time, `${event.by} writes ${event.length} B`, 'memory', { address: event.address, length: event.length, pmo: event.pmo });
        break;
      }
      case 'expect': {
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        instant(t, event.time, `${event.pass ? 'PASS' : 'FAIL'} expect ${event.text}`, event.pass ? 'expect' : 'expect,failure', {
          pass: event.pass,
          values: Object.fromEntries(event.values.map(([n, v]) => [n, v])),
          ...(where(event.loc) ? { at: where(event.loc) } : {}),
        }, event.pass ? 't' : 'p');
        break;
      }
      case 'print': {
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        instant(t, event.time, `print ${event.text}`, 'print', { text: event.text, ...(where(event.loc) ? { at: where(event.loc) } : {}) });
        break;
      }
      case 'thread-fault': {
        const t = threadTrack(event.thread, event.threadName, event.cpu);
        instant(t, event.time, `THREAD FAULT ${event.reason}`, 'fault', { reason: event.reason, address: event.address, ...(where(event.loc) ? { at: where(event.loc) } : {}) }, 'p');
        break;
      }
      case 'kernel-fault': {
        const t = event.thread > 0 ? threadTrack(event.thread, event.threadName, event.cpu) : event.cpu >= 0 ? cpuTrack(event.cpu) : kernelTrack(event.machine);
        instant(t, event.time, `KERNEL FAULT ${event.row}`, 'fault', { row: event.row, seed: `${event.seedFile}:${event.seedLine}`, message: event.message }, 'p');
        break;
      }
      case 'fault-injected': {
        const t = trackOnCpu(event.cpu, 0);
        instant(t, event.time, `inject ${event.action} → ${event.target}`, 'fault-injection', { fault: event.fault, applied: event.applied, ...(where(event.loc) ? { at: where(event.loc) } : {}) }, 'p');
        break;
      }
      case 'node': {
        const t = trackOnCpu(event.cpu, event.machine);
        instant(t, event.time, `node ${event.action}`, 'xnu-node', { machine: event.machineName, node: event.node, text: event.text });
        const handle = /message #(\d+)/.exec(event.text)?.[1];
        if (event.action === 'flipc-queue' && handle !== undefined) {
          flipcQueued.set(`${event.machine}:${handle}`, newFlow('flipc', 'flipc', point(t, event.time)));
        } else if (event.action === 'flipc-deliver') {
          const waiting = linkDelivered.get(event.machine);
          const flow = waiting?.shift();
          if (flow) flow.points.push(point(t, event.time));
        }
        break;
      }
      case 'link': {
        const route = /^(.*?) → (.*?): message #(\d+)/.exec(event.text);
        const from = route ? machineByName.get(route[1]!) : undefined;
        const to = route ? machineByName.get(route[2]!) : undefined;
        const machine = from ?? program.links[event.link]?.a ?? 0;
        const t = trackOnCpu(event.cpu, event.action === 'deliver' ? (to ?? machine) : machine);
        instant(t, event.time, `link ${event.action}`, 'link', { link: event.link, text: event.text }, event.action === 'down' || event.action === 'up' || event.action === 'lost' ? 'p' : 't');
        if (route && from !== undefined && to !== undefined) {
          const key = `${event.link}:${from}:${to}`;
          if (event.action === 'send') {
            const queued = flipcQueued.get(`${from}:${route[3]}`);
            if (queued) flipcQueued.delete(`${from}:${route[3]}`);
            const flow = queued ?? newFlow('link message', 'link', point(t, event.time));
            if (queued) flow.points.push(point(t, event.time));
            const list = linkInFlight.get(key) ?? [];
            list.push(flow);
            linkInFlight.set(key, list);
          } else if (event.action === 'deliver') {
            const flow = linkInFlight.get(key)?.shift();
            if (flow) {
              flow.points.push(point(t, event.time));
              if (flow.cat === 'flipc') {
                const list = linkDelivered.get(to) ?? [];
                list.push(flow);
                linkDelivered.set(to, list);
              }
            }
          } else if (event.action === 'drop') {
            const flow = flipcQueued.get(`${from}:${route[3]}`);
            if (flow) {
              flow.points.push(point(t, event.time));
              flipcQueued.delete(`${from}:${route[3]}`);
            }
          }
        }
        break;
      }
      case 'machine': {
        const t = kernelTrack(event.machine);
        instant(t, event.time, `machine ${event.action}`, 'machine', { machine: event.machineName, text: event.text }, 'p');
        break;
      }
      case 'tock': {
        const t = trackOnCpu(event.cpu, 0);
        instant(t, event.time, `tock ${event.what}`, 'tock', { process: event.processName, text: event.text, ...(event.row ? { row: event.row } : {}) });
        if (event.what === 'task') {
          const queued = /^queued (.*?);/.exec(event.text);
          const dequeued = /^dequeued (.*?);/.exec(event.text);
          if (queued) {
            const key = `${event.process}:${queued[1]}`;
            const list = tockQueued.get(key) ?? [];
            list.push(newFlow('tock notification', 'tock', point(t, event.time)));
            tockQueued.set(key, list);
          } else if (dequeued) {
            const flow = tockQueued.get(`${event.process}:${dequeued[1]}`)?.shift();
            if (flow) flow.points.push(point(t, event.time));
          }
        }
        break;
      }
      case 'mach-msg': {
        const t = event.thread > 0 ? threadTrack(event.thread, event.threadName, event.cpu) : trackOnCpu(event.cpu, 0);
        instant(t, event.time, `mach ${event.action} ${event.portLabel || `port #${event.port}`}`, 'mach-msg', {
          message: event.message,
          msgId: event.msgId,
          port: event.port,
          queued: event.queued,
          detail: event.detail,
        });
        const flow = machFlows.get(event.message);
        if (!flow) {
          if (event.action !== 'receive' && event.action !== 'destroy') machFlows.set(event.message, newFlow(`mach msg ${event.msgId}`, 'mach-msg', point(t, event.time)));
        } else {
          flow.points.push(point(t, event.time));
          if (event.action === 'receive' || event.action === 'destroy' || event.action === 'kobject-reply') machFlows.delete(event.message);
        }
        break;
      }
      case 'mach-right': {
        if (!detail) break;
        const t = trackOnCpu(event.cpu, 0);
        instant(t, event.time, `right ${event.processName} ${event.name}`, 'mach-right', { object: event.objectLabel || event.object, type: event.type, urefs: event.urefs, reason: event.reason });
        break;
      }
      case 'halt': {
        halted = { reason: event.reason, message: event.message };
        break;
      }
      default: {
        // A kind this exporter does not know yet: a generic instant event with its fields.
        const unknown = event as { kind: string; time: number; cpu: number; thread?: unknown; threadName?: unknown; machine?: unknown };
        const machine = typeof unknown.machine === 'number' ? unknown.machine : 0;
        const t =
          typeof unknown.thread === 'number' && unknown.thread > 0
            ? threadTrack(unknown.thread, typeof unknown.threadName === 'string' ? unknown.threadName : '', unknown.cpu)
            : trackOnCpu(typeof unknown.cpu === 'number' ? unknown.cpu : -1, machine);
        instant(t, typeof unknown.time === 'number' ? unknown.time : endTime, String(unknown.kind), 'other', plainArgs(unknown));
      }
    }
  }

  // Everything still open ends at the end of the run (slices of calls that never returned).
  for (const t of tracks.values()) {
    if (t.open.length > 0) {
      for (const s of t.open) s.args = { ...s.args, unfinished: true };
      closeFrom(t, 0, Math.max(endTime, t.clock));
    }
  }
  if (halted) {
    const t = kernelTrack(0);
    instant(t, endTime, `halt: ${halted.reason}`, 'halt', { reason: halted.reason, message: halted.message }, 'g');
  }

  for (const flow of flows) {
    if (flow.points.length < 2) continue;
    flow.points.forEach((p, i) => {
      const ph = i === 0 ? 's' : i === flow.points.length - 1 ? 'f' : 't';
      out.push({ name: flow.name, cat: flow.cat, ph, id: flow.id, ts: us(p.time), pid: p.pid, tid: p.tid, ...(ph !== 's' ? { bp: 'e' as const } : {}) });
    });
  }

  // Sorted by time; at equal times the longer slice (the parent) first; flows after slices.
  const order = (e: ChromeTraceEvent): number => (e.ph === 'X' ? 0 : e.ph === 'i' ? 1 : 2);
  const sorted = out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || order(a.e) - order(b.e) || (b.e.dur ?? 0) - (a.e.dur ?? 0) || a.i - b.i)
    .map((x) => x.e);

  const meta: ChromeTraceEvent[] = [];
  for (const pid of [...usedPids].sort((a, b) => a - b)) {
    const m = machines[pid - 1];
    meta.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: `machine ${m ? m.name : pid - 1}` } });
    meta.push({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } });
  }
  const sortedTracks = [...tracks.values()].sort((a, b) => a.pid - b.pid || a.sort - b.sort || a.tid - b.tid);
  for (const t of sortedTracks) {
    const name = t.tid >= THREAD_TID_BASE ? (threadNames.get(t.tid - THREAD_TID_BASE) || t.name) : t.name;
    meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: t.pid, tid: t.tid, args: { name } });
    meta.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: t.pid, tid: t.tid, args: { sort_index: t.sort } });
  }

  return {
    traceEvents: [...meta, ...sorted],
    displayTimeUnit: 'ns',
    metadata: {
      source: 'kscn',
      scenario: program.file,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      clock: 'virtual cycles; 1 cycle = 1 ns (ts = cycles / 1000 µs)',
      ...(halted ? { halt: halted } : {}),
    },
  };
}
