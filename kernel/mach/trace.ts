// Readable text for Mach: results by their Mach names, trace lines for Mach events, and the
// Mach part of the state summary.

import { KernReturn, MachReturn } from '../constants';
import type { MachMessageEvent, MachRightEvent } from '../events';
import type { KernelState } from '../state';
import { MACH_SYSCALLS } from './spec';
import { hexName, isNameShape, TYPE_DEAD_NAME, TYPE_PORT_SET, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE } from './ipc';

const CODE_NAMES = new Map<number, string>();
for (const [name, value] of Object.entries(KernReturn)) if (!CODE_NAMES.has(value)) CODE_NAMES.set(value, name);
for (const [name, value] of Object.entries(MachReturn)) if (!CODE_NAMES.has(value)) CODE_NAMES.set(value, name);

const MACH_RESULT_KIND = new Map<string, 'port' | 'code' | 'msg'>(
  MACH_SYSCALLS.map((spec) => [spec.name, spec.name === 'mach_msg' ? 'msg' : spec.resultKind === 'port' ? 'port' : 'code']),
);

/** A Mach syscall's result by name (`MACH_SEND_TIMED_OUT`, `name 0x103`); undefined for other syscalls. */
export function describeMachResult(syscall: string, value: number): string | undefined {
  const kind = MACH_RESULT_KIND.get(syscall);
  if (kind === undefined) return undefined;
  if (kind === 'port') {
    if (isNameShape(value)) return `name ${hexName(value)}`;
    if (value === 0) return 'MACH_PORT_NULL';
    if (value === 0xffff_ffff) return 'MACH_PORT_DEAD';
  }
  if (kind === 'msg' && value === 0) return 'MACH_MSG_SUCCESS';
  return CODE_NAMES.get(value) ?? String(value);
}

/** The rights of a MACH_PORT_TYPE_* set, readable: `receive+send(2)`. */
export function describeRights(type: number, urefs: number): string {
  if (type === 0) return 'freed';
  const parts: string[] = [];
  if (type & TYPE_RECEIVE) parts.push('receive');
  if (type & TYPE_SEND) parts.push(`send(${urefs})`);
  if (type & TYPE_SEND_ONCE) parts.push('send-once');
  if (type & TYPE_PORT_SET) parts.push('port-set');
  if (type & TYPE_DEAD_NAME) parts.push(`dead-name(${urefs})`);
  return parts.join('+');
}

export function formatMachMessage(head: string, e: MachMessageEvent): string {
  const who = e.threadName || 'kernel';
  const detail = e.detail ? ` (${e.detail})` : '';
  switch (e.action) {
    case 'enqueue':
      return `${head}${who}: mach enqueue msg #${e.message} id ${e.msgId} on ${e.portLabel}, queue ${e.queued}${detail}`;
    case 'handoff':
      return `${head}${who}: mach hand-off msg #${e.message} id ${e.msgId} on ${e.portLabel} to ${e.detail}`;
    case 'receive':
      return `${head}${who}: mach receive msg #${e.message} id ${e.msgId} from ${e.portLabel}, queue ${e.queued}${detail}`;
    case 'kobject-call':
      return `${head}${who}: mach kobject call msg #${e.message} id ${e.msgId} on ${e.portLabel}${detail}`;
    case 'kobject-reply':
      return `${head}${who}: mach kobject reply msg #${e.message} id ${e.msgId} from ${e.portLabel}${detail}`;
    case 'notify':
      return `${head}${who}: mach notify msg #${e.message} id ${e.msgId} to ${e.portLabel}${detail}`;
    case 'ool-copyin':
      return `${head}${who}: mach OOL copyin for msg #${e.message} id ${e.msgId} to ${e.portLabel}${detail}`;
    case 'ool-copyout':
      return `${head}${who}: mach OOL copyout${e.message >= 0 ? ` of msg #${e.message} id ${e.msgId}` : ''}${detail}`;
    case 'ool-discard':
      return `${head}${who}: mach OOL discard${e.message >= 0 ? ` of msg #${e.message} id ${e.msgId}` : ''}${detail}`;
    default:
      return `${head}${who}: mach destroy msg #${e.message} id ${e.msgId} for ${e.portLabel}${detail}`;
  }
}

export function formatMachRight(head: string, e: MachRightEvent): string {
  const object = e.objectLabel ? ` → ${e.objectLabel}` : '';
  return `${head}mach ${e.processName}[${hexName(e.name)}] = ${describeRights(e.type, e.urefs)}${object} (${e.reason})`;
}

/** The Mach part of `summarizeState`: each space's names and each port's queue. */
export function summarizeMach(s: KernelState): string[] {
  const mach = s.mach;
  if (!mach || (mach.ports.length <= 1 && mach.spaces.length === 0)) return [];
  const lines = ['Mach:'];
  for (const space of mach.spaces) {
    if (!space || space.count === 0) continue;
    const names: string[] = [];
    for (const entry of space.entries) {
      if (!entry) continue;
      const port = entry.type & TYPE_PORT_SET ? mach.portSets[entry.object] : mach.ports[entry.object];
      names.push(`${hexName(entry.name)} ${describeRights(entry.type, entry.urefs)}${port ? ` ${port.label}` : ''}`);
    }
    lines.push(`  ${space.name}: ${names.join(', ')}`);
  }
  for (const port of mach.ports) {
    if (!port || (port.queue.length === 0 && port.active)) continue;
    lines.push(`  port #${port.id} ${port.label}: ${port.active ? `${port.queue.length}/${port.queueLimit} queued` : 'dead'}`);
  }
  return lines;
}
