// The invariant checker for fault tests: after any step, every object is either alive and
// consistent or reported dead; nothing a fault touched is left dangling. Returns one readable
// line per violation (empty = consistent). Pure reads of the state.

import { ThreadExitState, ThreadState } from './constants';
import type { Kernel } from './kernel';

export function checkInvariants(kernel: Kernel): string[] {
  const s = kernel.state;
  const out: string[] = [];
  const onCpu = new Map<number, number>();
  for (const cpu of s.cpus) {
    if (cpu.current === 0) continue;
    const t = s.threads[cpu.current];
    if (!t) out.push(`cpu${cpu.index} runs a thread that does not exist (#${cpu.current})`);
    else {
      if (t.machine !== cpu.machine) out.push(`cpu${cpu.index} runs ${t.name} of another machine`);
      // A thread in the middle of a syscall may pass through TS_EXIT before it switches away
      // (ChCore's CH-RET-03); only a thread in user mode must not run exited.
      if (t.state === ThreadState.TS_EXIT && !t.kernel.active) out.push(`cpu${cpu.index} runs exited thread ${t.name}`);
      onCpu.set(t.id, cpu.index);
    }
  }
  const queued = new Set<number>();
  for (const m of s.machines) {
    for (const id of m.runQueue) {
      if (queued.has(id)) out.push(`${s.threads[id]?.name ?? id} is queued twice`);
      queued.add(id);
      const t = s.threads[id];
      if (!t) out.push(`run queue of ${m.name} holds a missing thread #${id}`);
      else if (t.machine !== m.index) out.push(`${t.name} is queued on another machine (${m.name})`);
    }
  }
  const waiting = new Set(s.nodes.waiters.map((w) => w.thread));
  for (const id of s.threadIds) {
    const t = s.threads[id]!;
    const crashed = s.faults.crashed[t.machine] === true;
    if (crashed && t.state !== ThreadState.TS_EXIT) out.push(`${t.name} is alive on crashed machine ${s.machines[t.machine]!.name}`);
    if (t.state === ThreadState.TS_EXIT) {
      if (t.exitState !== ThreadExitState.TE_EXITED) out.push(`${t.name} is TS_EXIT but not TE_EXITED`);
      if (t.queued || queued.has(id)) out.push(`exited ${t.name} is still queued`);
      if (t.kernel.active && !onCpu.has(id)) out.push(`exited ${t.name} is still inside a syscall`);
      if (waiting.has(id)) out.push(`exited ${t.name} still waits in an XNU operation`);
    }
    if (t.queued !== queued.has(id)) out.push(`${t.name}: queued flag ${t.queued} disagrees with the run queue`);
    if (t.cpu >= 0 && onCpu.get(id) !== t.cpu) out.push(`${t.name} thinks it runs on cpu${t.cpu}`);
    if (waiting.has(id)) {
      if (!t.kernel.active || (!t.kernel.blocked && !t.queued && t.cpu < 0)) out.push(`${t.name} waits in XNU but is neither blocked nor ready`);
    }
  }
  // XNU node tables.
  const nodes = s.nodes.nodes;
  for (const xm of s.nodes.machines) {
    const name = s.machines[xm.machine]?.name ?? String(xm.machine);
    xm.table.forEach((handle, id) => {
      if (handle === 0) return;
      const node = nodes[handle];
      if (!node) return void out.push(`${name}: table[${id}] names a missing node #${handle}`);
      if (node.machine !== xm.machine) out.push(`${name}: table[${id}] names node #${handle} of another machine`);
      if (node.nodeId !== id && handle !== xm.localnode) out.push(`${name}: table[${id}] holds node #${handle} with id ${node.nodeId}`);
      if (node.remoteMachine >= 0 && node.remoteEpoch < (s.faults.epochs[node.remoteMachine] ?? 0) && !node.dead) {
        out.push(`${name}: node ${id} bound to ${s.machines[node.remoteMachine]!.name} before it crashed is not terminated`);
      }
      // Antecedent chain: finite, dead.
      let a = node.antecedent;
      let hops = 0;
      while (a !== 0 && hops++ < 10_000) {
        const prev = nodes[a];
        if (!prev) {
          out.push(`${name}: node #${handle} has a missing antecedent #${a}`);
          break;
        }
        if (!prev.dead) out.push(`${name}: antecedent #${a} of node ${id} is not dead`);
        a = prev.antecedent;
      }
    });
  }
  for (const node of nodes) {
    if (!node) continue;
    if (node.dead) {
      if (node.link !== 0 || node.active !== 0) out.push(`dead node #${node.handle} has link ${node.link} / active ${node.active}`);
      if (node.flipcQueue.length > 0) out.push(`dead node #${node.handle} still queues FLIPC messages`);
    }
    if (node.link < 0 || node.link > 3) out.push(`node #${node.handle} link ${node.link} is not 2 bits`);
  }
  for (const w of s.nodes.waiters) {
    const t = s.threads[w.thread];
    if (!t) out.push(`a waiter names a missing thread #${w.thread}`);
    if (w.kind === 'pset') {
      const p = s.nodes.ports[w.target];
      if (!p || p.dead) out.push(`${t?.name ?? w.thread} sleeps on a destroyed port set #${w.target}`);
    }
    if (w.kind === 'link' || w.kind === 'to-node') {
      const node = nodes[w.target];
      if (!node || node.dead) out.push(`${t?.name ?? w.thread} waits on dead node #${w.target}`);
    }
  }
  // Links: nothing in flight on a down link or to a crashed machine.
  s.links.forEach((link, i) => {
    if (!link.up && link.inFlight.length > 0) out.push(`link #${i} is down with ${link.inFlight.length} message(s) in flight`);
    for (const m of link.inFlight) if (s.faults.crashed[m.to] || s.faults.crashed[m.from]) out.push(`link #${i} carries a message of a crashed machine`);
  });
  // ChCore connections: an end on a crashed machine means the connection is invalid.
  for (const c of s.connections) {
    if (!c || !c.isValid) continue;
    const a = s.groups[c.clientGroup]!.machine;
    const b = s.groups[c.serverGroup]!.machine;
    if (s.faults.crashed[a] || s.faults.crashed[b]) out.push(`connection #${c.id} is valid across a crashed machine`);
  }
  return out;
}
