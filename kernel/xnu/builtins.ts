// The XNU node-state builtins (pure reads of plain state from the caller's machine), compiled
// into evaluators for `kernel/compile.ts`.

import type { Evaluator, ExecContext } from '../compile';
import type { MachNode, MnlMsg, NodeServerMsg } from './state';
import { MNL_BUCKET_HEAD_BASE, MNL_NAME_TABLE_SIZE } from './state';

function nodeOf(cx: ExecContext, handle: number): MachNode | null {
  const node = handle > 0 ? cx.state.nodes.nodes[handle] : null;
  return node && node.machine === cx.thread.machine ? node : null;
}

function msgOf(cx: ExecContext, handle: number): MnlMsg | null {
  const msg = handle > 0 ? cx.state.nodes.msgs[handle] : null;
  return msg && msg.machine === cx.thread.machine && !msg.freed ? msg : null;
}

function kmsgOf(cx: ExecContext, handle: number): NodeServerMsg | null {
  return handle > 0 ? (cx.state.nodes.kmsgs[handle - 1] ?? null) : null;
}

const NODE_FIELDS: Record<string, (n: MachNode) => number> = {
  node_active: (n) => n.active,
  node_published: (n) => n.published,
  node_dead: (n) => n.dead,
  node_suspended: (n) => n.suspended,
  node_link: (n) => n.link,
  node_antecedent: (n) => n.antecedent,
  node_id: (n) => n.nodeId,
  node_byteorder: (n) => n.byteorder,
  node_datamodel: (n) => n.datamodel,
  node_proto_vers: (n) => n.protoVers,
  node_bootstrap_port: (n) => n.bootstrapPort,
  node_control_port: (n) => n.controlPort,
  node_port_set: (n) => n.proxyPortSet,
  node_proxy_space: (n) => n.proxySpace,
};

const MSG_FIELDS: Record<string, (m: MnlMsg) => number> = {
  mnl_msg_sub: (m) => m.sub,
  mnl_msg_size: (m) => m.size,
  mnl_msg_node_id: (m) => m.nodeId,
  mnl_msg_object: (m) => m.object,
};

const KMSG_FIELDS: Record<string, (m: NodeServerMsg) => number> = {
  nmsg_bits: (m) => m.bits,
  nmsg_id: (m) => m.id,
  nmsg_size: (m) => m.size,
  nmsg_remote_port: (m) => m.remotePort,
  nmsg_local_port: (m) => m.localPort,
  nmsg_identifier: (m) => m.identifier,
  nmsg_node_id: (m) => m.nodeId,
  nmsg_datamodel: (m) => m.datamodel,
  nmsg_byteorder: (m) => m.byteorder,
};

/** An evaluator for an XNU builtin, or null if `name` is not one. `arg(i)` compiles argument i. */
export function compileXnuBuiltin(name: string, arg: (i: number) => Evaluator): Evaluator | null {
  const nodeField = NODE_FIELDS[name];
  if (nodeField) {
    const a = arg(0);
    return (cx) => {
      const node = nodeOf(cx, a(cx));
      return node ? nodeField(node) : -1;
    };
  }
  const msgField = MSG_FIELDS[name];
  if (msgField) {
    const a = arg(0);
    return (cx) => {
      const msg = msgOf(cx, a(cx));
      return msg ? msgField(msg) : -1;
    };
  }
  const kmsgField = KMSG_FIELDS[name];
  if (kmsgField) {
    const a = arg(0);
    return (cx) => {
      const msg = kmsgOf(cx, a(cx));
      return msg ? kmsgField(msg) : -1;
    };
  }
  const machine = (cx: ExecContext) => cx.state.nodes.machines[cx.thread.machine]!;
  switch (name) {
    case 'node_table': {
      const a = arg(0);
      return (cx) => machine(cx).table[a(cx)] ?? 0;
    }
    case 'localnode':
      return (cx) => machine(cx).localnode;
    case 'localnode_id':
      return (cx) => machine(cx).localnodeId;
    case 'nodes_to_publish':
      return (cx) => machine(cx).toPublish;
    case 'mnl_name_next':
      return (cx) => machine(cx).nameNext;
    case 'mnl_msg_bytes':
      return (cx) => machine(cx).msgBytes;
    case 'mnl_bucket_head': {
      const a = arg(0);
      return (cx) => {
        const h = a(cx) % MNL_NAME_TABLE_SIZE;
        return MNL_BUCKET_HEAD_BASE + (h < 0 ? h + MNL_NAME_TABLE_SIZE : h);
      };
    }
    case 'mnl_obj_name': {
      const a = arg(0);
      return (cx) => {
        const obj = cx.state.nodes.objs[a(cx)];
        return obj && obj.machine === cx.thread.machine ? obj.name : -1;
      };
    }
    case 'mnl_msg_word': {
      const a = arg(0);
      const i = arg(1);
      return (cx) => msgOf(cx, a(cx))?.words[i(cx)] ?? 0;
    }
    case 'port_alive': {
      const a = arg(0);
      return (cx) => {
        const p = cx.state.nodes.ports[a(cx)];
        return p && !p.dead ? 1 : 0;
      };
    }
    case 'port_send_rights': {
      const a = arg(0);
      return (cx) => cx.state.nodes.ports[a(cx)]?.sendRights ?? 0;
    }
    case 'port_queued': {
      const a = arg(0);
      return (cx) => cx.state.nodes.ports[a(cx)]?.queue.length ?? 0;
    }
    case 'link_in_flight':
    case 'link_is_up': {
      const a = arg(0);
      const up = name === 'link_is_up';
      return (cx) => {
        const other = a(cx);
        const here = cx.thread.machine;
        const link = cx.state.links.find((l) => (l.a === here && l.b === other) || (l.a === other && l.b === here));
        if (!link) return up ? 0 : -1;
        return up ? (link.up ? 1 : 0) : link.inFlight.length;
      };
    }
    default:
      return null;
  }
}
