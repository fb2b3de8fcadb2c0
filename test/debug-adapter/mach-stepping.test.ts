// Stepping across Mach RPC: into an active listener (another thread) and into a passive IOKit
// driver routine (the caller's own thread), and back to the client over/out of the reply.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, scopeVariables, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const rpc = fixture('mach-rpc.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

async function stopAt(name: string): Promise<number> {
  const stop = await launch(adapter.client, args(rpc), { breakpoints: [{ line: marker(rpc, name) }] });
  expect(stop.body.reason).toBe('breakpoint');
  return stop.body.threadId!;
}

describe('stepping across Mach RPC', () => {
  it('stepIn on an RPC mach_msg to an active listener stops on the listener thread after its receive', async () => {
    const dc = adapter.client;
    const client = await stopAt('ACTIVE_CALL');
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client }));
    expect(stop.body.reason).toBe('step');
    expect(stop.body.threadId).not.toBe(client);
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('default/kernel_task/listener');
    expect(position.line).toBe(marker(rpc, 'LISTENER_AFTER_RECEIVE'));
    // No scheduling-context migration happens in Mach: no migration label on the listener.
    expect(position.frames.some((f) => f.presentationHint === 'label')).toBe(false);
  });

  it("next over the listener's reply mach_msg stops in the client after its mach_msg", async () => {
    const dc = adapter.client;
    const listener = await stopAt('LISTENER_REPLY');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: listener }));
    expect(stop.body.threadId).not.toBe(listener);
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('default/client/main');
    expect(position.line).toBe(marker(rpc, 'AFTER_ACTIVE_CALL'));
  });

  it('stepOut from the serving listener stops in the client after its mach_msg', async () => {
    const dc = adapter.client;
    const listener = await stopAt('LISTENER_AFTER_RECEIVE');
    const stop = await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: listener }));
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('default/client/main');
    expect(position.line).toBe(marker(rpc, 'AFTER_ACTIVE_CALL'));
  });

  it('a round trip: stepIn into the listener, next down to its reply, next back into the client', async () => {
    const dc = adapter.client;
    const client = await stopAt('AGAIN');
    const into = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client }));
    const listener = into.body.threadId!;
    expect((await where(dc, listener)).line).toBe(marker(rpc, 'LISTENER_AFTER_RECEIVE'));
    await resumeAndStop(dc, () => dc.nextRequest({ threadId: listener }));
    expect((await where(dc, listener)).line).toBe(marker(rpc, 'LISTENER_REPLY'));
    const back = await resumeAndStop(dc, () => dc.nextRequest({ threadId: listener }));
    expect(back.body.threadId).toBe(client);
    expect((await where(dc, client)).line).toBe(marker(rpc, 'AFTER_AGAIN'));
  });

  it('next over an RPC mach_msg stays in the client', async () => {
    const dc = adapter.client;
    const client = await stopAt('ACTIVE_CALL');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: client }));
    expect(stop.body.threadId).toBe(client);
    expect((await where(dc, client)).line).toBe(marker(rpc, 'AFTER_ACTIVE_CALL'));
  });

  it('stepIn on a mach_msg to an IOKit user client stops at the driver routine, on the same thread, above the caller frame', async () => {
    const dc = adapter.client;
    const client = await stopAt('PASSIVE_CALL');
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client }));
    expect(stop.body.reason).toBe('step');
    expect(stop.body.threadId).toBe(client);
    const position = await where(dc, client);
    expect(position.line).toBe(marker(rpc, 'DRIVER_FIRST'));
    expect(position.frames[0]!.name).toMatch(/^add_one /);
    // Below the driver routine: the caller's frame at its mach_msg, on the same thread.
    const caller = position.frames.find((f, i) => i > 0 && f.line === marker(rpc, 'PASSIVE_CALL') && f.name.startsWith('main '));
    expect(caller).toBeDefined();
    expect(position.frames.some((f) => f.presentationHint === 'label')).toBe(false);
    // The driver's locals are live; the caller's are the ones it saved at its mach_msg.
    const driverLocals = await scopeVariables(dc, client, 'Locals', 0);
    expect(driverLocals.find((v) => v.name === 'value')?.value).toBe('41');
    const callerIndex = position.frames.indexOf(caller!);
    const callerLocals = await scopeVariables(dc, client, 'Locals', callerIndex);
    expect(callerLocals.map((v) => v.name)).toEqual(expect.arrayContaining(['reply', 'active', 'r', 'connection']));
  });

  it("next over the driver's iokit_return stops in the client after its mach_msg", async () => {
    const dc = adapter.client;
    const thread = await stopAt('DRIVER_RETURN');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: thread }));
    expect(stop.body.threadId).toBe(thread);
    const position = await where(dc, thread);
    expect(position.line).toBe(marker(rpc, 'AFTER_PASSIVE_CALL'));
    expect(position.frames[0]!.name).toMatch(/^main /);
  });

  it('stepOut from the driver routine stops in the client after its mach_msg', async () => {
    const dc = adapter.client;
    const thread = await stopAt('DRIVER_FIRST');
    const stop = await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: thread }));
    expect(stop.body.threadId).toBe(thread);
    expect((await where(dc, thread)).line).toBe(marker(rpc, 'AFTER_PASSIVE_CALL'));
  });

  it('next over a passive mach_msg does not stop inside the driver routine', async () => {
    const dc = adapter.client;
    const thread = await stopAt('PASSIVE_CALL');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: thread }));
    expect(stop.body.threadId).toBe(thread);
    expect((await where(dc, thread)).line).toBe(marker(rpc, 'AFTER_PASSIVE_CALL'));
  });

  it('stepInTargets on an RPC mach_msg offers into the server and over the call', async () => {
    const dc = adapter.client;
    const client = await stopAt('PASSIVE_CALL');
    const stack = await dc.stackTraceRequest({ threadId: client });
    const targets = (await dc.customRequest('stepInTargets', { frameId: stack.body.stackFrames[0]!.id })) as DebugProtocol.StepInTargetsResponse;
    const labels = targets.body.targets.map((t) => t.label);
    expect(labels.some((l) => /^Into the server/.test(l))).toBe(true);
    expect(labels).toContain('Over the call');
    const into = targets.body.targets.find((t) => /^Into the server/.test(t.label))!;
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client, targetId: into.id }));
    expect((await where(dc, stop.body.threadId!)).line).toBe(marker(rpc, 'DRIVER_FIRST'));
  });

  it('stepIn target "over the call" on an active RPC stays in the client', async () => {
    const dc = adapter.client;
    const client = await stopAt('AGAIN');
    const stack = await dc.stackTraceRequest({ threadId: client });
    const targets = (await dc.customRequest('stepInTargets', { frameId: stack.body.stackFrames[0]!.id })) as DebugProtocol.StepInTargetsResponse;
    const over = targets.body.targets.find((t) => t.label === 'Over the call')!;
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client, targetId: over.id }));
    expect(stop.body.threadId).toBe(client);
    expect((await where(dc, client)).line).toBe(marker(rpc, 'AFTER_AGAIN'));
  });
});
