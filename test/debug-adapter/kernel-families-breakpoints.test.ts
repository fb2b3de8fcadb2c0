// Function breakpoints on the Mach, XNU node and Tock syscalls: by scenario name, kernel name,
// Tock's command aliases and kernel step names, with conditions over the call's arguments.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { SYSCALLS } from '../../kernel/syscalls';
import { fixture, launch, marker, resumeAndStop, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const rpc = fixture('mach-rpc.kscn');
const nodes = fixture('mach-nodes.kscn');
const tock = fixture('tock-ipc.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

/** The line of the scenario frame nearest the top (a syscall's entry shows its kernel frame first). */
async function scenarioLine(threadId: number, program: string): Promise<number> {
  const frames = (await where(adapter.client, threadId)).frames;
  return frames.find((f) => f.source?.path === program)?.line ?? -1;
}

async function firstStop(program: string, breakpoint: DebugProtocol.FunctionBreakpoint): Promise<DebugProtocol.StoppedEvent> {
  const stop = await launch(adapter.client, args(program), { functionBreakpoints: [breakpoint] });
  expect(stop.body.reason).toBe('function breakpoint');
  return stop;
}

async function continueToStop(): Promise<DebugProtocol.StoppedEvent> {
  const dc = adapter.client;
  return resumeAndStop(dc, () => dc.continueRequest({ threadId: 0 }));
}

describe('function breakpoints on Mach, XNU and Tock', () => {
  it('every syscall resolves by its scenario name and its kernel name', async () => {
    const dc = adapter.client;
    await launch(dc, args(rpc, { stopOnEntry: true }));
    const names = SYSCALLS.flatMap((s) => [s.name, s.kernelName]);
    const response = await dc.setFunctionBreakpointsRequest({ breakpoints: names.map((name) => ({ name })) });
    const unverified = response.body.breakpoints.map((b, i) => (b.verified ? null : names[i])).filter((n) => n !== null);
    expect(unverified).toEqual([]);
    const aliases = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tock_discover' }, { name: 'tock_notify_service' }, { name: 'tock_notify_client' }, { name: 'ipc_kobject_server' }, { name: 'mnl_frobnicate' }] });
    expect(aliases.body.breakpoints.map((b) => b.verified)).toEqual([true, true, true, true, false]);
  });

  it('mach_msg with a condition stops at the entry of each matching call', async () => {
    const stop = await firstStop(rpc, { name: 'mach_msg', condition: 'process == "client"' });
    expect((await where(adapter.client, stop.body.threadId!)).name).toMatch(/^mach_msg_overwrite_trap › /);
    expect(await scenarioLine(stop.body.threadId!, rpc)).toBe(marker(rpc, 'ACTIVE_CALL'));
    const next = await continueToStop();
    expect(next.body.reason).toBe('function breakpoint');
    expect(await scenarioLine(next.body.threadId!, rpc)).toBe(marker(rpc, 'PASSIVE_CALL'));
  });

  it("mach_msg by its kernel name stops in the listener's receive first", async () => {
    const stop = await firstStop(rpc, { name: 'mach_msg_overwrite_trap' });
    expect((await where(adapter.client, stop.body.threadId!)).threadName).toBe('default/kernel_task/listener');
    expect(await scenarioLine(stop.body.threadId!, rpc)).toBe(marker(rpc, 'LISTENER_RECEIVE'));
  });

  it('a qualified kernel step name stops at that step of the passive call', async () => {
    const stop = await firstStop(rpc, { name: 'mach_msg_overwrite_trap:ipc_kobject_server' });
    const position = await where(adapter.client, stop.body.threadId!);
    expect(position.name).toBe('mach_msg_overwrite_trap › ipc_kobject_server');
    expect(position.threadName).toBe('default/client/main');
    expect(await scenarioLine(stop.body.threadId!, rpc)).toBe(marker(rpc, 'PASSIVE_CALL'));
  });

  it('mnl_register with a condition on the process', async () => {
    const stop = await firstStop(nodes, { name: 'mnl_register', condition: 'process == "adriver"' });
    expect(await scenarioLine(stop.body.threadId!, nodes)).toBe(marker(nodes, 'A_REGISTER'));
  });

  it('mnl_set_link_state with link == 2 skips the other link states', async () => {
    const stop = await firstStop(nodes, { name: 'mnl_set_link_state', condition: 'link == 2' });
    expect(await scenarioLine(stop.body.threadId!, nodes)).toBe(marker(nodes, 'A_LINK_TX'));
    await adapter.stop();
    adapter = await startInProcess();
    const up = await firstStop(nodes, { name: 'mnl_set_link_state', condition: 'link == MNL_LINK_UP' });
    expect(await scenarioLine(up.body.threadId!, nodes)).toBe(marker(nodes, 'B_LINK_UP'));
  });

  it('mnl_terminate', async () => {
    const stop = await firstStop(nodes, { name: 'mnl_terminate' });
    expect(await scenarioLine(stop.body.threadId!, nodes)).toBe(marker(nodes, 'A_TERMINATE'));
  });

  it('tock_discover, tock_notify_service and tock_notify_client are tock_command with its command number', async () => {
    const stop = await firstStop(tock, { name: 'tock_discover' });
    expect(await scenarioLine(stop.body.threadId!, tock)).toBe(marker(tock, 'DISCOVER'));
    const dc = adapter.client;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'tock_notify_client' }, { name: 'tock_notify_service' }] });
    const service = await continueToStop();
    expect(await scenarioLine(service.body.threadId!, tock)).toBe(marker(tock, 'NOTIFY_SERVICE'));
    const client = await continueToStop();
    expect(client.body.reason).toBe('function breakpoint');
    expect(await scenarioLine(client.body.threadId!, tock)).toBe(marker(tock, 'NOTIFY_CLIENT'));
  });

  it('tock_command and Syscall::Command take conditions over command and arg1', async () => {
    const stop = await firstStop(tock, { name: 'tock_command', condition: 'command == 3' });
    expect(await scenarioLine(stop.body.threadId!, tock)).toBe(marker(tock, 'NOTIFY_CLIENT'));
    await adapter.stop();
    adapter = await startInProcess();
    const kernelName = await firstStop(tock, { name: 'Syscall::Command', condition: 'command == 2 and arg1 == 0' });
    expect(await scenarioLine(kernelName.body.threadId!, tock)).toBe(marker(tock, 'NOTIFY_SERVICE'));
  });

  it('a Tock kernel step by name', async () => {
    const stop = await firstStop(tock, { name: 'enqueue_task(Task::IPC)' });
    expect((await where(adapter.client, stop.body.threadId!)).name).toBe('Syscall::Command › enqueue_task(Task::IPC)');
    expect(await scenarioLine(stop.body.threadId!, tock)).toBe(marker(tock, 'NOTIFY_SERVICE'));
  });
});
