// Stepping across thread migration, kernel steps, step-in targets and migration-chain stacks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const echo = fixture('echo.kscn');
const chain = fixture('chain.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

async function stopAt(program: string, name: string): Promise<number> {
  const stop = await launch(adapter.client, args(program), { breakpoints: [{ line: marker(program, name) }] });
  expect(stop.body.reason).toBe('breakpoint');
  return stop.body.threadId!;
}

describe('stepping', () => {
  it('next steps over a statement in the same thread', async () => {
    const dc = adapter.client;
    const thread = await stopAt(echo, 'REGISTER');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: thread }));
    expect(stop.body.reason).toBe('step');
    expect(stop.body.threadId).toBe(thread);
    expect((await where(dc, thread)).line).toBe(marker(echo, 'AFTER_REGISTER'));
  });

  it('next over ipc_call stops after the call in the client', async () => {
    const dc = adapter.client;
    const thread = await stopAt(echo, 'CALL');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: thread }));
    expect(stop.body.threadId).toBe(thread);
    expect((await where(dc, thread)).line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('stepIn on ipc_call lands in the handler at its first statement, on the handler thread', async () => {
    const dc = adapter.client;
    const client = await stopAt(echo, 'CALL');
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client }));
    expect(stop.body.reason).toBe('step');
    expect(stop.body.threadId).not.toBe(client);
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('board/server/handler');
    expect(position.line).toBe(marker(echo, 'HANDLER_FIRST'));
    // The client's frames are below the handler's, marked as a migration.
    const label = position.frames.find((f) => f.presentationHint === 'label');
    expect(label?.name).toBe('⇦ migrated from board/client/main via conn 6 (badge 7)');
    expect(position.frames[position.frames.length - 1]!.line).toBe(marker(echo, 'CALL'));
  });

  it('stepOut from the handler lands back in the client after its call', async () => {
    const dc = adapter.client;
    const handler = await stopAt(echo, 'HANDLER_FIRST');
    const stop = await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: handler }));
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('board/client/main');
    expect(position.line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it("next from the handler's ipc_return lands in the client after its call", async () => {
    const dc = adapter.client;
    const handler = await stopAt(echo, 'HANDLER_RETURN');
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: handler }));
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('board/client/main');
    expect(position.line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('register_client: stepIn lands in the register thread, next from it returns to the client', async () => {
    const dc = adapter.client;
    const client = await stopAt(echo, 'REGISTER');
    const into = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client }));
    const register = await where(dc, into.body.threadId!);
    expect(register.threadName).toBe('board/server/reg');
    expect(register.line).toBe(marker(echo, 'REG_FIRST'));
    expect(register.frames.some((f) => f.presentationHint === 'label' && f.name.startsWith('⇦ registration from board/client/main'))).toBe(true);
    const back = await resumeAndStop(dc, () => dc.nextRequest({ threadId: into.body.threadId! }));
    const after = await where(dc, back.body.threadId!);
    expect(after.threadName).toBe('board/client/main');
    expect(after.line).toBe(marker(echo, 'AFTER_REGISTER'));
  });

  it('stepIn on a non-migrating syscall and instruction granularity enter the kernel steps', async () => {
    const dc = adapter.client;
    const server = await stopAt(echo, 'SERVER_REGISTER');
    await resumeAndStop(dc, () => dc.stepInRequest({ threadId: server }));
    let position = await where(dc, server);
    expect(position.name).toBe('sys_register_server › check_general_ipc_config');
    const kernelFrame = position.frames[0]!;
    expect(kernelFrame.source?.sourceReference).toBeGreaterThan(0);
    const source = await dc.sourceRequest({ sourceReference: kernelFrame.source!.sourceReference!, source: kernelFrame.source! });
    const lines = source.body.content.split('\n');
    expect(lines[kernelFrame.line - 1]).toContain('check_general_ipc_config');
    // One kernel step at a time.
    await resumeAndStop(dc, () => dc.nextRequest({ threadId: server, granularity: 'instruction' }));
    position = await where(dc, server);
    expect(position.name).toBe('sys_register_server › obj_get(register_thread)');
    expect(lines[position.frames[0]!.line - 1]).toContain('obj_get(register_thread)');
    // stepOut of the kernel frame: back at the statement after the syscall.
    await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: server }));
    position = await where(dc, server);
    expect(position.line).toBe(marker(echo, 'SERVER_REGISTER') + 1);
    expect(position.frames).toHaveLength(1);
  });

  it('stepInTargets offers the handler, the kernel and over; the kernel target enters sys_ipc_call', async () => {
    const dc = adapter.client;
    const client = await stopAt(echo, 'CALL');
    const stack = await dc.stackTraceRequest({ threadId: client });
    const targets = await dc.stepInTargetsRequest({ frameId: stack.body.stackFrames[0]!.id });
    expect(targets.body.targets.map((t) => t.label)).toEqual(["Into the server's handler", 'Into the kernel: sys_ipc_call', 'Over the call']);
    const kernel = targets.body.targets[1]!;
    await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client, targetId: kernel.id }));
    expect((await where(dc, client)).name).toBe('sys_ipc_call › check_ipc_msg_null');
  });

  it('the "over" step-in target steps over the call', async () => {
    const dc = adapter.client;
    const client = await stopAt(echo, 'CALL');
    const stack = await dc.stackTraceRequest({ threadId: client });
    const targets = await dc.stepInTargetsRequest({ frameId: stack.body.stackFrames[0]!.id });
    const over = targets.body.targets.find((t) => t.label === 'Over the call')!;
    const stop = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client, targetId: over.id }));
    expect(stop.body.threadId).toBe(client);
    expect((await where(dc, client)).line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('stepIn from a kernel frame at the migration step lands in the handler', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { functionBreakpoints: [{ name: 'thread_migrate_to_server' }] });
    expect(stop.body.reason).toBe('function breakpoint');
    expect((await where(dc, stop.body.threadId!)).name).toBe('sys_ipc_call › thread_migrate_to_server');
    const into = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: stop.body.threadId! }));
    const position = await where(dc, into.body.threadId!);
    expect(position.threadName).toBe('board/server/handler');
    expect(position.line).toBe(marker(echo, 'HANDLER_FIRST'));
  });

  it('the A→B→C chain shows every migration, and startFrame/levels/totalFrames page it', async () => {
    const dc = adapter.client;
    const thread = await stopAt(chain, 'C_FIRST');
    const position = await where(dc, thread);
    expect(position.threadName).toBe('default/c/handler');
    const names = position.frames.map((f) => f.name);
    expect(names).toEqual([
      'serve [default/c/handler]',
      expect.stringMatching(/^⇦ migrated from default\/b\/handler via conn \d+ \(badge 2\)$/),
      'sys_ipc_call › thread_migrate_to_server (waiting)',
      'serve [default/b/handler]',
      expect.stringMatching(/^⇦ migrated from default\/a\/main via conn \d+ \(badge 1\)$/),
      'sys_ipc_call › thread_migrate_to_server (waiting)',
      'main [default/a/main]',
    ]);
    expect(position.frames[3]!.line).toBe(marker(chain, 'B_CALL'));
    expect(position.frames[6]!.line).toBe(marker(chain, 'A_CALL'));
    const page = await dc.stackTraceRequest({ threadId: thread, startFrame: 3, levels: 2 });
    expect(page.body.totalFrames).toBe(7);
    expect(page.body.stackFrames.map((f) => f.name)).toEqual([names[3], names[4]]);
    // Out of C: back in B after its call; out of B: back in A after its call.
    const outOfC = await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: thread }));
    const inB = await where(dc, outOfC.body.threadId!);
    expect(inB.threadName).toBe('default/b/handler');
    expect(inB.line).toBe(marker(chain, 'B_RETURN'));
    const outOfB = await resumeAndStop(dc, () => dc.stepOutRequest({ threadId: outOfC.body.threadId! }));
    const inA = await where(dc, outOfB.body.threadId!);
    expect(inA.threadName).toBe('default/a/main');
    expect(inA.line).toBe(marker(chain, 'A_AFTER'));
  });

  it('stops every thread (all-stop) and keeps thread ids stable across stops', async () => {
    const dc = adapter.client;
    const thread = await stopAt(echo, 'CALL');
    const before = (await dc.threadsRequest()).body.threads;
    const stop = await resumeAndStop(dc, () => dc.nextRequest({ threadId: thread }));
    expect((stop.body as DebugProtocol.StoppedEvent['body']).allThreadsStopped).toBe(true);
    const after = (await dc.threadsRequest()).body.threads;
    for (const t of after) expect(before.find((b) => b.id === t.id)?.name).toBe(t.name);
  });
});

describe('several CPUs', () => {
  it('while one thread steps the other CPU keeps running; every thread is stopped at each stop', async () => {
    const dc = adapter.client;
    const program = fixture('twocpu.kscn');
    const stop = await stopAt(program, 'B_BODY');
    const threads = (await dc.threadsRequest()).body.threads;
    expect(threads.map((t) => t.name)).toEqual(['duo/p/a', 'duo/p/b']);
    const a = threads[0]!.id;
    const b = threads[1]!.id;
    expect(stop).toBe(b);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const valueOf = async (thread: number, name: string) => {
      const frameId = (await dc.stackTraceRequest({ threadId: thread })).body.stackFrames[0]!.id;
      return Number((await dc.evaluateRequest({ expression: name, frameId, context: 'watch' })).body.result);
    };
    const before = await valueOf(a, 'i');
    const j = await valueOf(b, 'j');
    for (let k = 0; k < 4; k++) await resumeAndStop(dc, () => dc.nextRequest({ threadId: b }));
    // b went round its loop once (body, repeat), a ran meanwhile on CPU 0.
    expect(await valueOf(b, 'j')).toBe(j + 2);
    expect(await valueOf(a, 'i')).toBeGreaterThan(before);
    expect((await where(dc, b)).line).toBe(marker(program, 'B_BODY'));
  });
});

describe('kernel pseudo-code breakpoints', () => {
  it('a breakpoint on a line of the kernel source stops at that step', async () => {
    const dc = adapter.client;
    const client = await stopAt(echo, 'CALL');
    await resumeAndStop(dc, () => dc.stepInRequest({ threadId: client, targetId: 2 }));
    const frame = (await dc.stackTraceRequest({ threadId: client })).body.stackFrames[0]!;
    const text = (await dc.sourceRequest({ source: frame.source!, sourceReference: frame.source!.sourceReference! })).body.content.split('\n');
    const line = text.findIndex((l) => l.includes('thread_migrate_to_server')) + 1;
    const set = await dc.setBreakpointsRequest({ source: frame.source!, breakpoints: [{ line }, { line: 1 }] });
    expect(set.body.breakpoints.map((b) => b.verified)).toEqual([true, false]);
    await dc.setBreakpointsRequest({ source: { path: echo }, breakpoints: [] });
    const hit = await resumeAndStop(dc, () => dc.continueRequest({ threadId: client }));
    expect(hit.body.reason).toBe('breakpoint');
    const top = (await dc.stackTraceRequest({ threadId: hit.body.threadId! })).body.stackFrames[0]!;
    expect(top.name).toBe('sys_ipc_call › thread_migrate_to_server');
    expect(top.line).toBe(line);
  });
});
