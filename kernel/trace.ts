// Readable text for kernel events (one line each) and a summary of the kernel state, for the
// CLI, test snapshots and the debugger's console.

import { describeChCoreResult, THREAD_EXIT_STATE_NAMES, THREAD_STATE_NAMES } from './constants';
import type { KernelEvent } from './events';
import { summarizeTock } from './tock/summary';
import { describeMachResult, formatMachMessage, formatMachRight, summarizeMach } from './mach/trace';
import { describeXnuResult, summarizeXnu } from './xnu/trace';
import type { Kernel } from './kernel';
import type { ScenarioProgram, SourceLocation } from './program';
import { IPC_CONFIG_KIND_NAMES, ObjectKind, type KernelState } from './state';

function hex(value: number): string {
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}

function argument(name: string, value: number): string {
  if (/ptr|msg|addr|routine|destructor/.test(name) && value !== 0) return `${name}=${hex(value)}`;
  return `${name}=${value}`;
}

function where(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  const file = loc.file.split('/').pop() ?? loc.file;
  return `${file}:${loc.line}`;
}

function stateName(state: number): string {
  return THREAD_STATE_NAMES[state] ?? String(state);
}

/** One readable line for an event. */
export function formatEvent(event: KernelEvent, program?: ScenarioProgram): string {
  void program;
  const head = `${String(event.time).padStart(8)} ${event.cpu >= 0 ? `cpu${event.cpu}` : '    '} `;
  switch (event.kind) {
    case 'syscall-entry':
      return `${head}${event.threadName}: ${event.syscall}(${event.args.map(([n, v]) => argument(n, v)).join(', ')})  [${where(event.loc)}]`;
    case 'syscall-exit':
      return `${head}${event.threadName}: ${event.syscall} returns ${event.error ?? describeMachResult(event.syscall, event.result) ?? describeXnuResult(event.syscall, event.result) ?? describeChCoreResult(event.result)}`;
    case 'kernel-step':
      return `${head}${event.threadName}:   ${event.syscall} › ${event.step}`;
    case 'thread-state':
      return `${head}${event.threadName}: ${stateName(event.from)} → ${stateName(event.to)}${event.exitState !== 0 ? ` (${THREAD_EXIT_STATE_NAMES[event.exitState]})` : ''}`;
    case 'context-switch':
      return `${head}switch ${event.fromName} → ${event.toName} (${event.reason})`;
    case 'migration': {
      const arrow = event.direction === 'to-client' ? `${event.handlerName} → ${event.clientName}` : `${event.clientName} → ${event.handlerName}`;
      const value = event.value !== undefined ? `, returns ${describeChCoreResult(event.value)}` : '';
      return `${head}migrate ${arrow} (${event.direction}, connection #${event.connection}, sc #${event.sc}, badge ${event.badge}${value})`;
    }
    case 'cap-alloc':
      return `${head}cap ${event.groupName}[${event.slot}] = ${event.objectKind} #${event.object}`;
    case 'cap-free':
      return `${head}cap ${event.groupName}[${event.slot}] freed (${event.objectKind} #${event.object})`;
    case 'memory-write':
      return `${head}${event.threadName}: ${event.by} writes ${event.length} bytes at ${hex(event.address)} (pmo #${event.pmo})`;
    case 'expect': {
      const values = event.pass ? '' : `  (${event.values.map(([n, v]) => `${n} = ${describeChCoreResult(v)}`).join(', ')})`;
      return `${head}${event.threadName}: ${event.pass ? 'PASS' : 'FAIL'} expect ${event.text}${values}  [${where(event.loc)}]`;
    }
    case 'print':
      return `${head}${event.threadName}: print ${JSON.stringify(event.text)}`;
    case 'thread-fault':
      return `${head}${event.threadName}: THREAD FAULT ${event.reason} at ${hex(event.address)}  [${where(event.loc)}]`;
    case 'kernel-fault':
      return `${head}KERNEL FAULT ${event.row} (${event.seedFile}:${event.seedLine}) on ${event.threadName || 'machine ' + event.machine}: ${event.message}`;
    case 'fault-injected':
      return `${head}INJECT fault #${event.fault} ${event.action} → ${event.target}${event.applied ? '' : ' (not modelled)'}  [${where(event.loc)}]`;
    case 'node':
      return `${head}node ${event.machineName}: ${event.action}${event.node ? ` #${event.node}` : ''} ${event.text}`;
    case 'link':
      return `${head}link #${event.link} ${event.action}: ${event.text}`;
    case 'machine':
      return `${head}MACHINE ${event.machineName} ${event.action}: ${event.text}`;
    case 'tock':
      return `${head}tock ${event.what} ${event.processName}: ${event.text}${event.row ? `  (${event.row})` : ''}`;
    case 'mach-msg':
      return formatMachMessage(head, event);
    case 'mach-right':
      return formatMachRight(head, event);
    case 'halt':
      return `${head}HALT ${event.message.startsWith(event.reason) ? event.message : `${event.reason}: ${event.message}`}`;
  }
}

/** Formats a list of events, one line each. */
export function formatTrace(events: readonly KernelEvent[], program?: ScenarioProgram): string {
  return events.map((e) => formatEvent(e, program)).join('\n');
}

/** A short readable name for a kernel object: `thread client.main`, `pmo client.shm`, `connection #17`. */
export function objectName(state: KernelState, id: number): string {
  if (id <= 0) return 'NULL';
  switch (state.kinds[id]) {
    case ObjectKind.CAP_GROUP:
      return `cap_group ${state.groups[id]!.name}`;
    case ObjectKind.THREAD:
      return `thread ${state.threads[id]!.name}`;
    case ObjectKind.CONNECTION:
      return `connection #${id}`;
    case ObjectKind.PMO:
      return `pmo ${state.pmos[id]!.name}`;
    case ObjectKind.VMSPACE:
      return `vmspace ${state.groups[state.vmspaces[id]!.group]!.name}`;
    case ObjectKind.SCHED_CONTEXT:
      return `sc #${id}`;
    default:
      return `#${id}`;
  }
}

/** A readable summary of the whole kernel state. */
export function summarizeState(kernel: Kernel): string {
  const s = kernel.state;
  const lines: string[] = [];
  const times = s.cpus.map((c) => `cpu${c.index} ${c.time}`).join(', ');
  lines.push(`Virtual time: ${times} cycles; ${s.steps} steps`);
  lines.push(`Expectations: ${s.expectPassed} passed, ${s.expectFailed} failed`);
  for (const f of s.failures) lines.push(`  FAILED ${f.file.split('/').pop()}:${f.line}: expect ${f.text}`);
  if (s.halt) lines.push(`Halt: ${s.halt.message.startsWith(s.halt.reason) ? s.halt.message : `${s.halt.reason}: ${s.halt.message}`}`);
  lines.push('Processes:');
  for (const groupId of s.processGroups) {
    const group = s.groups[groupId]!;
    const machine = s.machines[group.machine]!;
    lines.push(`  ${group.name} (pid ${group.pid}, badge ${group.badge}, on ${machine.name})`);
    const caps = group.slots.map((id, slot) => (id === 0 ? null : `[${slot}] ${objectName(s, id)}`)).filter((x) => x !== null);
    lines.push(`    caps: ${caps.join(', ')}`);
    const vmspace = s.vmspaces[group.vmspace]!;
    const maps = vmspace.vmrs
      .filter((v) => !s.pmos[v.pmo]!.name.endsWith('.stack'))
      .map((v) => `${hex(v.start)}-${hex(v.start + v.size)} ${objectName(s, v.pmo)} ${v.writable ? 'rw' : 'r'}`);
    if (maps.length > 0) lines.push(`    mappings: ${maps.join(', ')}`);
  }
  lines.push('Threads:');
  for (const id of s.threadIds) {
    const t = s.threads[id]!;
    const type = t.type === 2 ? 'user' : t.type === 3 ? 'shadow' : t.type === 4 ? 'register' : 'kernel';
    const config = t.ipcConfig ? s.ipcConfigs[t.ipcConfig - 1]! : null;
    const extras: string[] = [];
    if (config) extras.push(IPC_CONFIG_KIND_NAMES[config.kind]!);
    if (t.sc) extras.push(`sc #${t.sc}`);
    if (t.cpu >= 0) extras.push(`on cpu${t.cpu}`);
    if (t.kernel.active) extras.push('in a syscall');
    const loc = kernel.threadLocation(id);
    lines.push(
      `  #${id} ${t.name} ${type} ${THREAD_STATE_NAMES[t.state]} ${THREAD_EXIT_STATE_NAMES[t.exitState]}${extras.length ? ' (' + extras.join(', ') + ')' : ''}${loc ? ` at ${where(loc)}` : ''}`,
    );
  }
  const connections = s.connections.filter((c) => c !== null);
  if (connections.length > 0) {
    lines.push('Connections:');
    for (const c of connections) {
      const handler = s.threads[c.serverHandlerThread];
      lines.push(
        `  #${c.id} ${s.groups[c.clientGroup]!.name} → ${s.groups[c.serverGroup]!.name}: ${c.isValid ? 'valid' : 'invalid'}${c.freed ? ' (freed)' : ''}, handler ${handler ? handler.name : 'none'}, badge ${c.clientBadge}, ` +
          `client shm ${hex(c.clientShmUaddr)}, server shm ${hex(c.serverShmUaddr)}, size ${c.shmSize}, ownership ${c.ownership ? 'held' : 'free'}, ` +
          `caps client[${c.connCapInClient}] server[${c.connCapInServer}]`,
      );
    }
  }
  lines.push(...summarizeTock(s));
  lines.push(...summarizeMach(s));
  lines.push(...summarizeXnu(s));
  return lines.join('\n');
}
