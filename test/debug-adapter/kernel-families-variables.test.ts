// The Kernel scope over the Mach, XNU and Tock state (rendered generically, with readable labels
// and paging), and data breakpoints on a Mach port's queue and an XNU node-table entry.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, scopeVariables, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const queue = fixture('mach-queue.kscn');
const nodes = fixture('mach-nodes.kscn');
const tock = fixture('tock-ipc.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

async function children(reference: number, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
  const args: DebugProtocol.VariablesArguments = { variablesReference: reference, ...(start !== undefined ? { filter: 'indexed' as const, start, count } : {}) };
  return (await adapter.client.variablesRequest(args)).body.variables;
}

function named(list: readonly DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const found = list.find((v) => v.name === name);
  if (!found) throw new Error(`no ${name} among ${list.map((v) => v.name).join(', ')}`);
  return found;
}

/** Walks the Kernel scope along names; returns the last variable. */
async function kernelPath(threadId: number, ...names: string[]): Promise<DebugProtocol.Variable> {
  let list = await scopeVariables(adapter.client, threadId, 'Kernel');
  let variable: DebugProtocol.Variable | undefined;
  for (const name of names) {
    variable = named(list, name);
    if (variable.variablesReference > 0) list = await children(variable.variablesReference);
  }
  return variable!;
}

async function stopAtLine(program: string, name: string): Promise<number> {
  const stop = await launch(adapter.client, args(program), { breakpoints: [{ line: marker(program, name) }] });
  expect(stop.body.reason).toBe('breakpoint');
  return stop.body.threadId!;
}

describe('Kernel scope: Mach, XNU and Tock state', () => {
  it('shows Mach name spaces, ports with labels, port sets, and pages large arrays', async () => {
    const thread = await stopAtLine(queue, 'END');
    const mach = await kernelPath(thread, 'mach');
    const parts = (await children(mach.variablesReference)).map((v) => v.name);
    expect(parts).toEqual(expect.arrayContaining(['ports', 'portSets', 'spaces', 'messages']));
    const ports = await kernelPath(thread, 'mach', 'ports');
    expect(ports.indexedVariables).toBeGreaterThan(100);
    const page = await children(ports.variablesReference, 100, 20);
    expect(page).toHaveLength(20);
    expect(page.every((v) => /\{owner:0x[0-9a-f]+/.test(v.value))).toBe(true);
    const first = (await children(ports.variablesReference, 0, 1))[0]!;
    expect(first.value).toBe('{owner:0x103}');
    // The port is a member of a port set: the set is named and expandable.
    const portFields = await children(first.variablesReference);
    expect(named(portFields, 'portSet').value).toMatch(/\{owner:0x[0-9a-f]+/);
    const sets = await kernelPath(thread, 'mach', 'portSets');
    expect((await children(sets.variablesReference)).some((v) => /owner:0x[0-9a-f]+/.test(v.value))).toBe(true);
    // The owner's IPC space: entries read as name, rights and port.
    const spaces = await children((await kernelPath(thread, 'mach', 'spaces')).variablesReference);
    const space = spaces.find((v) => v.value === '{owner}')!;
    const entries = named(await children(space.variablesReference), 'entries');
    expect(entries.indexedVariables).toBeGreaterThan(100);
    const entryPage = await children(entries.variablesReference, 0, 3);
    expect(entryPage.map((v) => v.value)).toContain('{0x103: receive → owner:0x103}');
  });

  it("shows a queued message on the port's queue", async () => {
    const thread = await stopAtLine(queue, 'RECEIVE');
    const ports = await kernelPath(thread, 'mach', 'ports');
    const first = (await children(ports.variablesReference, 0, 1))[0]!;
    const queued = named(await children(first.variablesReference), 'queue');
    const messages = await children(queued.variablesReference);
    expect(messages.map((m) => m.value)).toEqual([expect.stringMatching(/\{message id 7 to owner:0x103\}/), expect.stringMatching(/\{message id 8 to owner:0x103\}/)]);
  });

  it("shows each machine's node table with readable nodes", async () => {
    const thread = await stopAtLine(nodes, 'A_TERMINATE');
    const machines = await children((await kernelPath(thread, 'nodes', 'machines')).variablesReference);
    expect(machines).toHaveLength(2);
    const table = named(await children(machines[0]!.variablesReference), 'table');
    const entries = await children(table.variablesReference);
    expect(entries.some((v) => /\{node #1: active/.test(v.value) && v.variablesReference > 0)).toBe(true);
    const local = named(await children(machines[0]!.variablesReference), 'localnode');
    expect(local.value).toMatch(/\{node #0/);
  });

  it('shows Tock processes with their task (upcall) queues, grants and MPU regions', async () => {
    const thread = await stopAtLine(tock, 'NOTIFY_CLIENT');
    const processes = await children((await kernelPath(thread, 'tock', 'processes')).variablesReference);
    const names = processes.map((p) => p.value);
    expect(names).toEqual(expect.arrayContaining(['{doubler}', '{client}']));
    const doubler = await children(processes.find((p) => p.value === '{doubler}')!.variablesReference);
    expect(doubler.map((v) => v.name)).toEqual(expect.arrayContaining(['tasks', 'mpuRegions', 'ipc', 'state']));
    const regions = await children(named(doubler, 'mpuRegions').variablesReference);
    expect(regions.length).toBeGreaterThan(0);
    const client = await children(processes.find((p) => p.value === '{client}')!.variablesReference);
    expect(named(client, 'tasks').variablesReference).toBeGreaterThan(0);
  });

  it("shows a queued IPC notification in the service's task queue", async () => {
    const thread = await stopAtLine(tock, 'AFTER_NOTIFY_SERVICE');
    const processes = await children((await kernelPath(thread, 'tock', 'processes')).variablesReference);
    const doubler = await children(processes.find((p) => p.value === '{doubler}')!.variablesReference);
    const tasks = await children(named(doubler, 'tasks').variablesReference);
    expect(tasks.map((t) => t.value)).toEqual(['{IPC from client (service)}']);
  });
});

describe('data breakpoints on Mach and XNU state', () => {
  it("stops when a message is enqueued on a Mach port's queue", async () => {
    const dc = adapter.client;
    const thread = await stopAtLine(queue, 'SEND1');
    const ports = await kernelPath(thread, 'mach', 'ports');
    const first = (await children(ports.variablesReference, 0, 1))[0]!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: first.variablesReference, name: 'queue' });
    expect(info.body.dataId).toBeTruthy();
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const stop = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(stop.body.reason).toBe('data breakpoint');
    expect(stop.body.threadId).toBe(thread);
    const frames = (await where(dc, thread)).frames;
    // Data breakpoints stop after the step that wrote: the send has completed.
    expect(frames.find((f) => f.source?.path === queue)?.line).toBe(marker(queue, 'SEND2'));
    const again = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(again.body.reason).toBe('data breakpoint');
    expect((await where(dc, thread)).frames.find((f) => f.source?.path === queue)?.line).toBe(marker(queue, 'RECEIVE'));
  });

  it('stops when a node of the node table becomes dead', async () => {
    const dc = adapter.client;
    const thread = await stopAtLine(nodes, 'A_TERMINATE');
    const machines = await children((await kernelPath(thread, 'nodes', 'machines')).variablesReference);
    const table = named(await children(machines[0]!.variablesReference), 'table');
    const node = (await children(table.variablesReference)).find((v) => /\{node #1: active/.test(v.value))!;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: node.variablesReference, name: 'dead' });
    expect(info.body.dataId).toBeTruthy();
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const stop = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(stop.body.reason).toBe('data breakpoint');
    expect(stop.body.description ?? '').toMatch(/dead/);
    expect((await where(dc, stop.body.threadId!)).frames.find((f) => f.source?.path === nodes)?.line).toBe(marker(nodes, 'AFTER_A_TERMINATE'));
  });

  it('stops when a node becomes active (its table entry is written)', async () => {
    const dc = adapter.client;
    const thread = await stopAtLine(nodes, 'A_REGISTER');
    const machines = await children((await kernelPath(thread, 'nodes', 'machines')).variablesReference);
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: machines[0]!.variablesReference, name: 'table' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    const stop = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(stop.body.reason).toBe('data breakpoint');
    expect((await where(dc, stop.body.threadId!)).frames.find((f) => f.source?.path === nodes)?.line).toBe(marker(nodes, 'AFTER_A_REGISTER'));
  });
});
