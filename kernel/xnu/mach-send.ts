// Publication through Mach (`kernel/mach/`): when HOST_NODE_PORT was set with Mach's
// `host_set_special_port`, `mach_node_publish` sends a real Mach message to that port
// (`mach_msg_send_from_kernel_proper`: a kernel send, which ignores the queue limit).
//
// Body layout (the packed `mach_node_server_register_msg` after the 24-byte header): u32
// identifier, u32 options, u32 node_id, u8 datamodel, u8 byteorder, 2 bytes of padding; so
// `mach_msg_data(0)` = identifier | options << 32 and `mach_msg_data(1)` = node_id |
// datamodel << 32 | byteorder << 40. REG_REMOTE carries a send right (MAKE_SEND) to a Mach port
// that stands for the node's proxy bootstrap port: `mach_msg_reply_port()` names it.

import type { Kernel } from '../kernel';
import { allocMessage, deliver, ensureData, newPort, PORT_SEND } from '../mach/ipc';
import { MACH_SEND_INVALID_DEST, type NodeServerMsg } from './state';

export function sendToMachPort(kernel: Kernel, msg: NodeServerMsg, nodeHandle: number): number {
  const ports = kernel.state.mach.ports;
  const port = ports[msg.remotePort];
  if (!port || !port.active || port.kobjectType !== 0) return MACH_SEND_INVALID_DEST;
  const message = allocMessage(kernel);
  message.bits = msg.bits;
  message.msgId = msg.id;
  message.remotePort = port.id;
  message.remoteType = PORT_SEND; // COPY_SEND: the message carries a send right
  port.sendRights++;
  if (msg.localPort !== 0) {
    const node = kernel.state.nodes.nodes[nodeHandle] ?? null;
    if (node) {
      if (node.machProxyPort === 0) node.machProxyPort = newPort(kernel, node.machine, `node ${node.nodeId} bootstrap proxy`).id;
      const local = ports[node.machProxyPort]!;
      message.localPort = local.id;
      message.localType = PORT_SEND; // MAKE_SEND
      local.sendRights++;
    }
  }
  const data = ensureData(message, 16);
  const u32 = (at: number, v: number): void => {
    data[at] = v & 0xff;
    data[at + 1] = (v >>> 8) & 0xff;
    data[at + 2] = (v >>> 16) & 0xff;
    data[at + 3] = (v >>> 24) & 0xff;
  };
  u32(0, msg.identifier);
  u32(4, msg.options);
  u32(8, msg.nodeId);
  data[12] = msg.datamodel & 0xff;
  data[13] = msg.byteorder & 0xff;
  data[14] = 0;
  data[15] = 0;
  message.dataLength = 16;
  deliver(kernel, null, port, message);
  return 0;
}
