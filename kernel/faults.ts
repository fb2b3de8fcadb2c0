// Fault injection beyond `kill`: links going down or up, messages dropped on a link, and
// machines crashing (every thread dies, peers terminate its node, its links drop what is in
// flight) and booting again after N cycles (processes restart from their entry; peers may
// register the node again, which then has an antecedent).
//
// The kernel's step loop calls in here: `applyFaultAction` when a `fault` declaration fires,
// `runDueRestarts` before each step and when a crashed machine's restart time comes while its
// clock is idle (the kernel's `fireIdleDeadline`, which also fires time faults and Mach timeouts
// of idle machines, before a later step or instead of declaring a deadlock or finishing).

import { ThreadExitState, ThreadState } from './constants';
import type { Kernel } from './kernel';
import type { FaultAction, ScenarioProgram } from './program';
import { ObjectKind } from './state';
import { newXnuMachine, nodeEvent, terminateNode } from './xnu/mach-node';
import type { LinkState } from './xnu/state';
import { linkEvent } from './xnu/syscalls';
import { wakeThread } from './xnu/wait';

export interface PendingRestart {
  readonly machine: number;
  readonly at: number;
}

/** Fault-engine state (`KernelState.faults`). */
export interface FaultsState {
  /** Per machine: crashed and not (yet) restarted. */
  crashed: boolean[];
  restarts: PendingRestart[];
  /** Per machine: boot epoch, bumped by each crash. */
  epochs: number[];
  crashes: number;
  restartsDone: number;
}

export function newFaultsState(machineCount: number): FaultsState {
  return { crashed: new Array<boolean>(machineCount).fill(false), restarts: [], epochs: new Array<number>(machineCount).fill(0), crashes: 0, restartsDone: 0 };
}

export function newLinkStates(program: ScenarioProgram): LinkState[] {
  return (program.links ?? []).map((l) => ({
    a: l.a,
    b: l.b,
    latency: Math.max(0, l.latency),
    up: true,
    drop: 0,
    inFlight: [],
    sent: 0,
    delivered: 0,
    dropped: 0,
    lost: 0,
  }));
}

function machineName(kernel: Kernel, m: number): string {
  return kernel.state.machines[m]?.name ?? `#${m}`;
}

function linkText(kernel: Kernel, link: LinkState | undefined): string {
  return link ? `link ${machineName(kernel, link.a)} <-> ${machineName(kernel, link.b)}` : 'link ?';
}

/**
 * Applies a link or machine action. Returns the readable target and whether it was applied, or
 * null for the kill actions (the kernel applies those itself).
 */
export function applyFaultAction(kernel: Kernel, action: FaultAction): { target: string; applied: boolean } | null {
  const s = kernel.state;
  switch (action.kind) {
    case 'kill-thread':
    case 'kill-process':
      return null;
    case 'link-down':
    case 'link-up': {
      const link = s.links[action.link];
      if (!link) return { target: `link #${action.link}`, applied: false };
      if (action.kind === 'link-down') linkDown(kernel, action.link, 'fault');
      else linkUp(kernel, action.link);
      return { target: linkText(kernel, link), applied: true };
    }
    case 'drop-messages': {
      const link = s.links[action.link];
      if (!link) return { target: `link #${action.link}`, applied: false };
      link.drop += Math.max(1, action.count);
      return { target: `${linkText(kernel, link)} (next ${Math.max(1, action.count)} message(s))`, applied: true };
    }
    case 'crash-machine': {
      if (!s.machines[action.machine]) return { target: `machine #${action.machine}`, applied: false };
      crashMachine(kernel, action.machine, action.restartAfter);
      return { target: `machine ${machineName(kernel, action.machine)}${action.restartAfter >= 0 ? `, restart after ${action.restartAfter}` : ''}`, applied: true };
    }
  }
}

/** After any fault: threads parked in XNU waits that are now TE_EXITING wake, so they die. */
export function afterFault(kernel: Kernel): void {
  const s = kernel.state;
  const time = kernel.cpu ? kernel.cpu.time : 0;
  for (const w of s.nodes.waiters.slice()) {
    const t = s.threads[w.thread];
    if (t && t.exitState === ThreadExitState.TE_EXITING) wakeThread(kernel, t.id, time);
  }
}

function wakeLinkWaiters(kernel: Kernel, link: LinkState, time: number): void {
  const s = kernel.state;
  for (const w of s.nodes.waiters.slice()) {
    if (w.kind !== 'link') continue;
    const node = s.nodes.nodes[w.target];
    if (!node) continue;
    if ((node.machine === link.a && node.remoteMachine === link.b) || (node.machine === link.b && node.remoteMachine === link.a)) {
      wakeThread(kernel, w.thread, time);
    }
  }
}

/** A link goes down: what is in flight is lost; receivers waiting on it wake (and get 0). */
export function linkDown(kernel: Kernel, index: number, why: string): void {
  const link = kernel.state.links[index];
  if (!link || !link.up) return;
  link.up = false;
  for (const m of link.inFlight) {
    link.lost++;
    linkEvent(kernel, index, 'lost', `${machineName(kernel, m.from)} → ${machineName(kernel, m.to)}: message (sub ${m.sub}, object ${m.object}) lost in flight`);
  }
  link.inFlight = [];
  linkEvent(kernel, index, 'down', `${linkText(kernel, link)} down (${why})`);
  wakeLinkWaiters(kernel, link, kernel.cpu ? kernel.cpu.time : 0);
}

export function linkUp(kernel: Kernel, index: number): void {
  const link = kernel.state.links[index];
  if (!link || link.up) return;
  if (kernel.state.faults.crashed[link.a] || kernel.state.faults.crashed[link.b]) return;
  link.up = true;
  linkEvent(kernel, index, 'up', `${linkText(kernel, link)} up`);
}

function machineEvent(kernel: Kernel, m: number, action: 'crash' | 'restart', text: string): void {
  if (!kernel.record) return;
  kernel.emit({ kind: 'machine', time: kernel.cpu ? kernel.cpu.time : 0, cpu: kernel.cpu ? kernel.cpu.index : -1, machine: m, machineName: machineName(kernel, m), action, text });
}

/** A machine crashes: its threads die, its node layer is gone, peers terminate its node, its links drop. */
export function crashMachine(kernel: Kernel, m: number, restartAfter: number): void {
  const s = kernel.state;
  const machine = s.machines[m]!;
  if (s.faults.crashed[m]) return;
  s.faults.crashed[m] = true;
  s.faults.crashes++;
  s.faults.epochs[m] = (s.faults.epochs[m] ?? 0) + 1;
  const time = kernel.cpu ? kernel.cpu.time : 0;
  machine.halted = true;
  let killed = 0;
  for (const id of s.threadIds) {
    const t = s.threads[id]!;
    if (t.machine !== m) continue;
    if (t.state !== ThreadState.TS_EXIT) {
      kernel.exitThread(t);
      killed++;
    }
    t.cpu = -1;
  }
  for (const c of machine.cpus) s.cpus[c]!.current = 0;
  machine.runQueue = [];
  s.nodes.waiters = s.nodes.waiters.filter((w) => s.threads[w.thread]!.machine !== m);
  // ChCore connections with an end on the crashed machine are no longer valid.
  for (const conn of s.connections) {
    if (!conn) continue;
    if (s.groups[conn.clientGroup]!.machine === m || s.groups[conn.serverGroup]!.machine === m) conn.isValid = 0;
  }
  // The crashed kernel's node layer: every record it owned is dead.
  for (const node of s.nodes.nodes) {
    if (!node || node.machine !== m) continue;
    node.dead = 1;
    node.active = 0;
    node.link = 0;
    node.flipcReady = false;
    node.flipcQueue = [];
  }
  for (const p of s.nodes.ports) if (p && p.machine === m) p.dead = true;
  for (const o of s.nodes.objs) if (o && o.machine === m) {
    o.linked = false;
    o.queue = [];
  }
  for (const msg of s.nodes.msgs) if (msg && msg.machine === m) msg.freed = true;
  const old = s.nodes.machines[m]!;
  const fresh = newXnuMachine(m, old.nodesMax, old.byteOrder, old.dataModel);
  fresh.flipc = old.flipc;
  s.nodes.machines[m] = fresh;
  // Peers: the link driver sees the node die (mnl_terminate on each peer's table entry).
  for (const xm of s.nodes.machines) {
    if (xm.machine === m) continue;
    for (const handle of xm.table) {
      const node = handle ? s.nodes.nodes[handle] : null;
      if (node && node.remoteMachine === m && !node.dead) {
        nodeEvent(kernel, xm, 'peer-crash', handle, `machine ${machine.name} crashed: mnl_terminate`);
        terminateNode(kernel, xm, node);
      }
    }
  }
  s.links.forEach((link, i) => {
    if (link.a === m || link.b === m) linkDown(kernel, i, `machine ${machine.name} crashed`);
  });
  if (restartAfter >= 0) s.faults.restarts.push({ machine: m, at: time + restartAfter });
  machineEvent(kernel, m, 'crash', `${killed} thread(s) killed${restartAfter >= 0 ? `, restarts at ${time + restartAfter}` : ''}`);
}

/** Restarts every crashed machine whose restart time is <= `time`. Returns true if any did. */
export function runDueRestarts(kernel: Kernel, time: number): boolean {
  const restarts = kernel.state.faults.restarts;
  let any = false;
  for (let i = 0; i < restarts.length; ) {
    const r = restarts[i]!;
    if (r.at <= time) {
      restarts.splice(i, 1);
      restartMachine(kernel, r.machine, r.at);
      any = true;
    } else i++;
  }
  return any;
}

/** Boots a crashed machine again: fresh processes from their entry, links back up. */
export function restartMachine(kernel: Kernel, m: number, at: number): void {
  const s = kernel.state;
  const machine = s.machines[m]!;
  s.faults.crashed[m] = false;
  s.faults.restartsDone++;
  machine.halted = false;
  for (const c of machine.cpus) {
    const cpu = s.cpus[c]!;
    if (cpu.time < at) cpu.time = at;
    cpu.current = 0;
  }
  const savedCpu = kernel.cpu;
  kernel.cpu = s.cpus[machine.cpus[0]!]!;
  kernel.program.processes.forEach((decl, p) => {
    if (decl.machine !== m && s.groups[s.processGroups[p]!]!.machine !== m) return;
    rebootProcess(kernel, p, at);
  });
  s.links.forEach((link, i) => {
    if (link.a === m || link.b === m) linkUp(kernel, i);
  });
  machineEvent(kernel, m, 'restart', `booted again at ${at}`);
  kernel.cpu = savedCpu;
}

function rebootProcess(kernel: Kernel, p: number, at: number): void {
  const s = kernel.state;
  const program = kernel.program;
  const group = s.groups[s.processGroups[p]!]!;
  const decl = program.processes[p]!;
  // Capabilities: back to the boot layout.
  const bootSlots = 2 + decl.caps.length;
  for (let slot = group.slots.length - 1; slot >= bootSlots; slot--) if (group.slots[slot] !== 0) kernel.capFree(group.id, slot);
  // Memory: only the boot mappings, with fresh contents.
  const bootPmos = new Set<number>();
  program.objects.forEach((o, i) => {
    if (o.owner !== p) return;
    const id = s.bootObjects[i]!;
    if (o.kind === 'pmo') bootPmos.add(id);
    else {
      const t = s.threads[id];
      if (t) bootPmos.add(t.stackPmo);
    }
  });
  const vmspace = s.vmspaces[group.vmspace]!;
  vmspace.vmrs = vmspace.vmrs.filter((v) => bootPmos.has(v.pmo));
  for (const id of bootPmos) {
    const pmo = s.pmos[id];
    if (pmo) pmo.pages = [];
  }
  s.connShm[p] = [];
  for (const id of group.threads) {
    const t = s.threads[id]!;
    const od = program.objects[t.object];
    if (!od || od.kind !== 'thread') continue;
    const passive = od.type === 'register' || od.type === 'shadow';
    t.exitState = ThreadExitState.TE_RUNNING;
    t.routine = od.routine;
    t.ip = 0;
    t.badPc = 0;
    t.sp = t.stackTop;
    t.arg0 = t.arg1 = t.arg2 = t.arg3 = t.ret = 0;
    t.ipcConfig = 0;
    t.locals.fill(0);
    t.entryArg0 = 0;
    t.cpu = -1;
    t.queued = false;
    t.readyAt = at;
    t.kernel.active = false;
    t.kernel.blocked = false;
    if (passive) {
      t.sc = 0;
      kernel.setState(t, ThreadState.TS_WAITING);
      continue;
    }
    const sc = t.sc !== 0 ? s.scs[t.sc] : null;
    const timeslice = s.machines[t.machine]!.timeslice;
    if (sc && !sc.freed && sc.owner === t.id) {
      sc.priority = t.bootPriority;
      sc.budget = timeslice;
    } else {
      const scId = kernel.allocObject(ObjectKind.SCHED_CONTEXT);
      s.scs[scId] = { id: scId, priority: t.bootPriority, budget: timeslice, owner: t.id, freed: false };
      t.sc = scId;
    }
    kernel.setState(t, ThreadState.TS_INIT);
    kernel.enqueue(t, at);
  }
}
