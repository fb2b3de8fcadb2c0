// Readable text for the XNU node layer: result names for the operations that return a
// kern_return_t, and the node tables, links and crashed machines in the state summary.

import type { KernelState } from '../state';
import { MACH_RCV_PORT_DIED } from './state';

const KERN_NAMES: Record<number, string> = {
  0: 'KERN_SUCCESS',
  4: 'KERN_INVALID_ARGUMENT',
  5: 'KERN_FAILURE',
  6: 'KERN_RESOURCE_SHORTAGE',
  13: 'KERN_NAME_EXISTS',
  47: 'KERN_NODE_DOWN',
};

const RETURNS_KR = new Set([
  'mnl_register',
  'mnl_set_link_state',
  'mnl_terminate',
  'mnl_set_info',
  'mnl_msg_set',
  'mnl_obj_insert',
  'mnl_build_profile',
  'link_send',
  'flipc_send',
  'node_port_destroy',
]);

/** `KERN_NODE_DOWN` for an XNU operation's kern_return_t result; undefined otherwise. */
export function describeXnuResult(syscall: string, result: number): string | undefined {
  if (RETURNS_KR.has(syscall)) return KERN_NAMES[result];
  if (syscall === 'node_wait' || syscall === 'noded_receive') {
    if (result === MACH_RCV_PORT_DIED) return 'MACH_RCV_PORT_DIED';
    if (result === 0x10004002) return 'MACH_RCV_INVALID_NAME';
    if (result === 4) return 'KERN_INVALID_ARGUMENT';
  }
  return undefined;
}

/** Summary lines: per machine its node table; the links; crashed machines. */
export function summarizeXnu(s: KernelState): string[] {
  const lines: string[] = [];
  const x = s.nodes;
  for (const xm of x.machines) {
    if (xm.localnodeId === -1 && xm.flipc) continue;
    const name = s.machines[xm.machine]?.name ?? String(xm.machine);
    lines.push(`XNU nodes on ${name}${xm.flipc ? '' : ' (no MACH_FLIPC)'}: localnode_id ${xm.localnodeId}, table of ${xm.nodesMax}, to publish ${xm.toPublish}, next name ${xm.nameNext}, HOST_NODE_PORT #${xm.hostNodePort}`);
    let shown = 0;
    xm.table.forEach((handle, id) => {
      if (handle === 0 || shown >= 16) return;
      shown++;
      const n = x.nodes[handle]!;
      const flags = [n.active ? 'active' : 'inactive', n.published ? 'published' : 'unpublished', n.dead ? 'dead' : '', ['link down', 'link rx', 'link tx', 'link up'][n.link]!]
        .filter((f) => f !== '')
        .join(', ');
      lines.push(`  [${id}] node #${handle}: ${flags}${n.antecedent ? `, antecedent #${n.antecedent}` : ''}${n.remoteMachine >= 0 ? ` → ${s.machines[n.remoteMachine]?.name ?? n.remoteMachine}` : ''}`);
    });
    const used = xm.table.filter((h) => h !== 0).length;
    if (used > shown) lines.push(`  ... ${used - shown} more`);
  }
  s.links.forEach((l, i) => {
    lines.push(`Link #${i} ${s.machines[l.a]?.name} <-> ${s.machines[l.b]?.name}: ${l.up ? 'up' : 'down'}, latency ${l.latency}, sent ${l.sent}, delivered ${l.delivered}, dropped ${l.dropped}, lost ${l.lost}, in flight ${l.inFlight.length}`);
  });
  s.faults.crashed.forEach((c, m) => {
    if (c) lines.push(`Machine ${s.machines[m]?.name} is crashed${s.faults.restarts.some((r) => r.machine === m) ? ' (restart pending)' : ''}`);
  });
  return lines;
}
