// Time travel: stepBack, reverseContinue and the kscn/* reverse requests against a recorded forward
// run. Every check compares moments by what a user sees (thread, line, locals) and by a digest of
// the whole kernel state, so a restore that misses any part of the state fails here.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, scopeVariables, startInProcess, where, type Adapter } from './harness';

const program = fixture('timetravel.kscn');
const args = (extra: Record<string, unknown> = {}) => ({ type: 'kscn', request: 'launch', name: 'test', program, ...extra }) as never;
const line = (name: string) => marker(program, name);

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

interface HistoryInfo {
  enabled: boolean;
  inPast: boolean;
  step: number;
  totalSteps: number;
  oldestStep: number;
  virtualTime: number;
  eventCount: number;
  historyBytes: number;
  maxSteps: number;
  checkpointInterval: number;
  checkpoints: number;
  stateDigest: string;
}

interface Moment {
  readonly thread: number;
  readonly threadName: string;
  readonly line: number;
  readonly locals: Record<string, string>;
  readonly digest: string;
  readonly step: number;
  readonly memory: string;
}

async function info(): Promise<HistoryInfo> {
  return (await adapter.client.customRequest('kscn/historyInfo')).body as HistoryInfo;
}

/** What the user sees at a stop, plus the digest of the whole kernel state and the client's box page. */
async function moment(thread: number): Promise<Moment> {
  const dc = adapter.client;
  const position = await where(dc, thread);
  const locals: Record<string, string> = {};
  const top = position.frames[0]!;
  if (top.source?.path) for (const v of await scopeVariables(dc, thread, 'Locals')) locals[v.name] = v.value;
  const history = await info();
  const evaluated = await dc.evaluateRequest({ expression: 'load64(0x6000_0000)', frameId: top.id, context: 'watch' }).catch(() => undefined);
  return { thread, threadName: position.threadName, line: position.line, locals, digest: history.stateDigest, step: history.step, memory: evaluated?.body.result ?? '' };
}

/** Sends a request that stops, and returns the stop with its kscn/timeTravel event. */
async function travel(send: () => Promise<unknown>): Promise<{ stop: DebugProtocol.StoppedEvent; timeTravel: HistoryInfo }> {
  const dc = adapter.client;
  const event = dc.waitForEvent('kscn/timeTravel') as Promise<DebugProtocol.Event>;
  const stop = await resumeAndStop(dc, send);
  return { stop, timeTravel: (await event).body as HistoryInfo };
}

async function stopAtLine(name: string, extra: Record<string, unknown> = {}): Promise<number> {
  const stop = await launch(adapter.client, args(extra), { breakpoints: [{ line: line(name) }], exceptionFilters: [] });
  expect(stop.body.reason).toBe('breakpoint');
  return stop.body.threadId!;
}

describe('time travel', () => {
  it('advertises stepBack', async () => {
    const response = await adapter.client.initializeRequest({ adapterID: 'kscn', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    expect(response.body?.supportsStepBack).toBe(true);
  });

  it('stepBack retraces a recorded forward run: same line, locals, memory and kernel state at every stop', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('REGISTER');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const recorded: Moment[] = [await moment(client)];
    for (let i = 0; i < 18; i++) {
      const { timeTravel } = await travel(() => dc.nextRequest({ threadId: client }));
      expect(timeTravel.inPast).toBe(false);
      recorded.push(await moment(client));
    }
    // The run moved through the loop: the locals and the memory changed.
    expect(new Set(recorded.map((m) => m.digest)).size).toBe(recorded.length);
    expect(new Set(recorded.map((m) => m.memory)).size).toBeGreaterThan(2);
    const present = recorded[recorded.length - 1]!.step;
    for (let i = recorded.length - 2; i >= 0; i--) {
      const { stop, timeTravel } = await travel(() => dc.stepBackRequest({ threadId: client }));
      expect(stop.body.reason).toBe('step');
      expect(stop.body.threadId).toBe(client);
      expect(timeTravel).toMatchObject({ inPast: true, step: recorded[i]!.step, totalSteps: present });
      expect(await moment(client)).toEqual(recorded[i]);
    }
  });

  it('goToMoment revisits stops on several threads (handler and client) exactly', async () => {
    const dc = adapter.client;
    let thread = await stopAtLine('CALL');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const recorded: Moment[] = [await moment(thread)];
    const steps: (() => Promise<unknown>)[] = [
      () => dc.stepInRequest({ threadId: thread }),
      () => dc.nextRequest({ threadId: thread }),
      () => dc.nextRequest({ threadId: thread }),
      () => dc.nextRequest({ threadId: thread }),
      () => dc.nextRequest({ threadId: thread }),
      () => dc.stepInRequest({ threadId: thread }),
    ];
    for (const step of steps) {
      const { stop } = await travel(step);
      thread = stop.body.threadId!;
      recorded.push(await moment(thread));
    }
    expect(new Set(recorded.map((m) => m.threadName))).toEqual(new Set(['board/client/main', 'board/server/handler']));
    for (let i = recorded.length - 1; i >= 0; i--) {
      const target = recorded[i]!;
      const { stop, timeTravel } = await travel(() => dc.customRequest('kscn/goToMoment', { step: target.step }));
      expect(stop.body.reason).toBe('goto');
      expect(timeTravel.step).toBe(target.step);
      expect(await moment(target.thread)).toEqual(target);
    }
  });

  it('goToMoment by event index lands right after the step that delivered the event', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD');
    const here = await info();
    await travel(() => dc.continueRequest({ threadId: client }));
    const { timeTravel } = await travel(() => dc.customRequest('kscn/goToMoment', { eventIndex: here.eventCount - 1, at: 'after' }));
    expect(timeTravel.eventCount).toBe(here.eventCount);
    expect(timeTravel.step).toBeLessThanOrEqual(here.step);
    const before = await travel(() => dc.customRequest('kscn/goToMoment', { eventIndex: here.eventCount - 1, at: 'before' }));
    expect(before.timeTravel.step).toBe(timeTravel.step - 1);
    expect(before.timeTravel.eventCount).toBeLessThanOrEqual(here.eventCount - 1);
    await expect(dc.customRequest('kscn/goToMoment', { eventIndex: 10_000_000 })).rejects.toThrow(/has not happened yet/);
  });

  it('reverseContinue stops at the previous hit of a line breakpoint, then the one before', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('EXPECT');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: line('CALL') }] });
    for (const i of ['4', '3', '2']) {
      const { stop, timeTravel } = await travel(() => dc.reverseContinueRequest({ threadId: client }));
      expect(stop.body.reason).toBe('breakpoint');
      expect(timeTravel.inPast).toBe(true);
      const here = await moment(stop.body.threadId!);
      expect(here.line).toBe(line('CALL'));
      expect(here.locals.i).toBe(i);
    }
  });

  it('reverseContinue stops where a forward run stopped for a function breakpoint', async () => {
    const dc = adapter.client;
    const first = await launch(dc, args(), { functionBreakpoints: [{ name: 'sys_ipc_call' }], exceptionFilters: [] });
    expect(first.body.reason).toBe('function breakpoint');
    const forward: Moment[] = [await moment(first.body.threadId!)];
    for (let i = 0; i < 4; i++) forward.push(await moment((await travel(() => dc.continueRequest({ threadId: first.body.threadId! }))).stop.body.threadId!));
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: line('EXPECT') }] });
    const end = await travel(() => dc.continueRequest({ threadId: first.body.threadId! }));
    expect(end.stop.body.reason).toBe('breakpoint');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    for (let i = forward.length - 1; i >= forward.length - 3; i--) {
      const { stop } = await travel(() => dc.reverseContinueRequest({ threadId: end.stop.body.threadId! }));
      expect(stop.body.reason).toBe('function breakpoint');
      expect(await moment(stop.body.threadId!)).toEqual(forward[i]);
    }
  });

  it('reverseContinue stops at the previous exception (syscall error), with its exception info', async () => {
    const dc = adapter.client;
    const first = await launch(dc, args(), { exceptionFilters: [{ filterId: 'syscall-error' }] });
    expect(first.body.reason).toBe('exception');
    const thrown = await moment(first.body.threadId!);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: line('DONE') }] });
    const done = await travel(() => dc.continueRequest({ threadId: first.body.threadId! }));
    expect(done.stop.body.reason).toBe('breakpoint');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const { stop } = await travel(() => dc.reverseContinueRequest({ threadId: first.body.threadId! }));
    expect(stop.body.reason).toBe('exception');
    expect(await moment(stop.body.threadId!)).toEqual(thrown);
    const exception = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(exception.body.description).toMatch(/cap_copy returned/);
  });

  it('reverseContinue without breakpoints goes back to the start of the run', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const { stop, timeTravel } = await travel(() => dc.reverseContinueRequest({ threadId: client }));
    expect(stop.body.reason).toBe('entry');
    expect(timeTravel.step).toBe(0);
    await expect(dc.stepBackRequest({ threadId: client })).rejects.toThrow(/no earlier statement.*begins at step 0/);
  });

  it("kscn/reverseStepOut from a handler lands on the client's ipc_call", async () => {
    const dc = adapter.client;
    const client = await stopAtLine('CALL');
    const call = await moment(client);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: line('HANDLER_DOUBLE') }] });
    const inHandler = await travel(() => dc.continueRequest({ threadId: client }));
    const handler = inHandler.stop.body.threadId!;
    expect((await where(dc, handler)).threadName).toBe('board/server/handler');
    const { stop } = await travel(() => dc.customRequest('kscn/reverseStepOut', { threadId: handler }));
    expect(stop.body.threadId).toBe(client);
    expect(await moment(client)).toEqual(call);
  });

  it("kscn/reverseNext steps back over a call, and from a handler's first statement to the client's call", async () => {
    const dc = adapter.client;
    const client = await stopAtLine('CALL');
    const call = await moment(client);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const into = await travel(() => dc.stepInRequest({ threadId: client }));
    const handler = into.stop.body.threadId!;
    expect((await where(dc, handler)).line).toBe(line('HANDLER_FIRST'));
    const back = await travel(() => dc.customRequest('kscn/reverseNext', { threadId: handler }));
    expect(back.stop.body.threadId).toBe(client);
    expect(await moment(client)).toEqual(call);
    await travel(() => dc.nextRequest({ threadId: client }));
    expect((await where(dc, client)).line).toBe(line('ADD'));
    await travel(() => dc.customRequest('kscn/reverseNext', { threadId: client }));
    expect(await moment(client)).toEqual(call);
  });

  it('kscn/backToPreviousIpc walks back through the IPC syscalls of the thread', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    let last = (await info()).step;
    const lines: number[] = [];
    for (;;) {
      const result = await travel(() => dc.customRequest('kscn/backToPreviousIpc', { threadId: client })).catch((error: Error) => error);
      if (result instanceof Error) {
        expect(result.message).toMatch(/made no earlier IPC syscall/);
        break;
      }
      expect(result.timeTravel.step).toBeLessThan(last);
      last = result.timeTravel.step;
      lines.push((await where(dc, client)).line);
    }
    // The first iteration's ipc_call, then register_client.
    expect(lines).toEqual([line('CALL'), line('REGISTER')]);
  });

  it('resuming forward from the past reproduces the same future', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD');
    const forward: Moment[] = [await moment(client)];
    for (let i = 0; i < 4; i++) forward.push(await moment((await travel(() => dc.continueRequest({ threadId: client }))).stop.body.threadId!));
    await travel(() => dc.customRequest('kscn/goToMoment', { step: forward[0]!.step }));
    expect(await moment(client)).toEqual(forward[0]);
    for (let i = 1; i < forward.length; i++) {
      const { stop, timeTravel } = await travel(() => dc.continueRequest({ threadId: client }));
      expect(stop.body.reason).toBe('breakpoint');
      expect(timeTravel.inPast).toBe(i < forward.length - 1);
      expect(await moment(client)).toEqual(forward[i]);
    }
  });

  it('an edit in the past truncates the recorded future and stays part of the timeline', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD');
    await travel(() => dc.continueRequest({ threadId: client }));
    await travel(() => dc.continueRequest({ threadId: client }));
    const present = await info();
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    await travel(() => dc.stepBackRequest({ threadId: client }));
    await travel(() => dc.stepBackRequest({ threadId: client }));
    const edited = await info();
    expect(edited.inPast).toBe(true);
    const output = dc.waitForEvent('output');
    const stack = await dc.stackTraceRequest({ threadId: client });
    const scopes = await dc.scopesRequest({ frameId: stack.body.stackFrames[0]!.id });
    await dc.setVariableRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference, name: 'total', value: '100' });
    expect((await output).body.output).toMatch(/recorded future after it \(\d+ steps\) is discarded/);
    const after = await info();
    expect(after).toMatchObject({ inPast: false, step: edited.step, totalSteps: edited.step });
    expect(after.totalSteps).toBeLessThan(present.totalSteps);
    // Forward from the edit, then back across it: the edit is part of the timeline.
    await travel(() => dc.nextRequest({ threadId: client }));
    await travel(() => dc.nextRequest({ threadId: client }));
    const later = await moment(client);
    await travel(() => dc.stepBackRequest({ threadId: client }));
    await travel(() => dc.stepBackRequest({ threadId: client }));
    expect((await moment(client)).locals.total).toBe('100');
    // Running into the edited moment from before it loads the edit again.
    await travel(() => dc.customRequest('kscn/goToMoment', { step: edited.step - 1 }));
    expect((await moment(client)).locals.total).not.toBe('100');
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: line('ADD') }] });
    await travel(() => dc.continueRequest({ threadId: client }));
    expect(await moment(client)).toEqual(later);
  });

  it('keeps at most historySize steps, drops the oldest and says so at the horizon', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('EXPECT', { historySize: 60, checkpointInterval: 10 });
    const history = await info();
    expect(history.maxSteps).toBe(60);
    expect(history.totalSteps - history.oldestStep).toBeLessThanOrEqual(60);
    expect(history.oldestStep).toBeGreaterThan(0);
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    const { stop, timeTravel } = await travel(() => dc.reverseContinueRequest({ threadId: client }));
    expect(stop.body.reason).toBe('step');
    expect(stop.body.description).toMatch(/beginning of the recorded history/);
    expect(timeTravel.step).toBe(history.oldestStep);
    await expect(dc.customRequest('kscn/goToMoment', { step: 0 })).rejects.toThrow(/too old: the recorded history begins at step \d+; older history was dropped \(historySize 60 steps\)/);
    let message = '';
    for (let i = 0; i < 100 && message === ''; i++) {
      await travel(() => dc.stepBackRequest({ threadId: client })).catch((error: Error) => (message = error.message));
    }
    expect(message).toMatch(/no earlier statement: the recorded history begins at step \d+; older history was dropped/);
  });

  it('pause interrupts a long reverseContinue at a moment it has already searched', async () => {
    const dc = adapter.client;
    const loop = fixture('loop.kscn');
    const body = marker(loop, 'LOOP_BODY');
    const first = await launch(dc, { type: 'kscn', request: 'launch', name: 'test', program: loop } as never, { breakpoints: [{ line: body, condition: 'x == 200000' }], exceptionFilters: [] });
    const thread = first.body.threadId!;
    const origin = await info();
    // A condition that never holds on the hottest line: every segment of the history is re-run.
    await dc.setBreakpointsRequest({ source: { path: loop }, breakpoints: [{ line: body, condition: 'x == -1' }] });
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.reverseContinueRequest({ threadId: thread });
    await dc.pauseRequest({ threadId: thread });
    const stop = await stopped;
    const here = await info();
    expect(stop.body.reason).toBe('pause');
    expect(here.inPast).toBe(true);
    expect(here.step).toBeLessThanOrEqual(origin.step);
    expect(here.step % origin.checkpointInterval === 0 || here.step === origin.step).toBe(true);
  });

  it('with historySize 0, reverse requests say that time travel is off', async () => {
    const dc = adapter.client;
    const client = await stopAtLine('ADD', { historySize: 0 });
    await expect(dc.stepBackRequest({ threadId: client })).rejects.toThrow(/time travel is off/);
    await expect(dc.reverseContinueRequest({ threadId: client })).rejects.toThrow(/time travel is off/);
    expect((await info()).enabled).toBe(false);
  });
});
