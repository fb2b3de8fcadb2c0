// The join with the Mach layer (`kernel/mach/`): Mach's `host_set_special_port(HOST_NODE_PORT,
// port)` runs `mach_node_port_changed` (seed L199-249) with that Mach port as the localnode's
// bootstrap port, so the node bootstrap server can be an ordinary Mach task that receives the
// registrations with `mach_msg` (see mach-send.ts for the message layout). The seam port layer of
// ports.ts stays in use for the node's own proxy space, ports and port set, and for
// `host_set_node_port`.

import { MachConstant } from '../constants';
import type { Kernel } from '../kernel';
import { onHostSpecialPortChanged } from '../mach/syscalls';
import { flipcNodePrepare, flipcNodeRetire, machNodeInit, nodeEvent, republishAll } from './mach-node';
import { ipValid } from './ports';
import { SEED_XNU } from './state';

function machNodePortChanged(kernel: Kernel, machine: number, which: number, port: number): void {
  if (which !== MachConstant.HOST_NODE_PORT) return;
  const xm = kernel.state.nodes.machines[machine];
  if (!xm || !xm.flipc) return; // no mach_node_port_changed without MACH_FLIPC
  nodeEvent(kernel, xm, 'host-node-port', 0, `HOST_NODE_PORT = Mach port #${port}`);
  machNodeInit(kernel, xm); // XN-PORT-01
  const local = kernel.state.nodes.nodes[xm.localnode]!;
  flipcNodeRetire(kernel, local);
  if (ipValid(local.bootstrapPort)) local.bootstrapPort = 0; // XN-PORT-02: the send right leaks
  xm.bootstrapIsMach = true;
  xm.hostNodePort = 0;
  if (!ipValid(port)) {
    kernel.kernelFault('XN-PORT-04', 217, 'assert(IP_VALID(bs_port)) failed in mach_node_port_changed', SEED_XNU);
    return;
  }
  const machPort = kernel.state.mach.ports[port];
  if (machPort) machPort.sendRights++; // kernel_get_special_port: a copied send right
  local.bootstrapPort = port; // XN-PORT-03
  flipcNodePrepare(kernel, local);
  republishAll(kernel, xm); // XN-PORT-05/06
}

onHostSpecialPortChanged(machNodePortChanged);
