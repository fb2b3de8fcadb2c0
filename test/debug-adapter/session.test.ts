// Launch and lifecycle: errors that say what and where, the bundled adapter over stdio, threads
// and their events, output, pause in a long loop, restart, terminate and disconnect.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixture, launch, marker, resumeAndStop, ROOT, startBundled, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const echo = fixture('echo.kscn');

describe('the bundled adapter (dist/debug-adapter.js over stdio)', () => {
  let adapter: Adapter;
  beforeEach(async () => {
    adapter = await startBundled();
  }, 60_000);
  afterEach(async () => {
    await adapter.stop();
  });

  it('launches, stops at a breakpoint, steps into the handler and runs to the end', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'CALL') }] });
    expect((await where(dc, stop.body.threadId!)).line).toBe(marker(echo, 'CALL'));
    const into = await resumeAndStop(dc, () => dc.stepInRequest({ threadId: stop.body.threadId! }));
    expect((await where(dc, into.body.threadId!)).threadName).toBe('board/server/handler');
    const terminated = dc.waitForEvent('terminated');
    await dc.setBreakpointsRequest({ source: { path: echo }, breakpoints: [] });
    await dc.continueRequest({ threadId: into.body.threadId! });
    await terminated;
  });
});

describe('launch and lifecycle', () => {
  let adapter: Adapter;
  beforeEach(async () => {
    adapter = await startInProcess();
  });
  afterEach(async () => {
    await adapter.stop();
  });

  async function launchError(launchArgs: Record<string, unknown>): Promise<string> {
    const dc = adapter.client;
    await dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments);
    try {
      await dc.launch(launchArgs as never);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('launch succeeded');
  }

  it('a missing program is an error response that names the file', async () => {
    const missing = path.join(ROOT, 'test/fixtures/debug/does-not-exist.kscn');
    expect(await launchError(args(missing))).toContain(`cannot read the scenario ${missing}`);
  });

  it('no program at all is an error response', async () => {
    expect(await launchError({ type: 'kscn', request: 'launch', name: 'x' })).toContain('"program" must be the path');
  });

  it('a scenario with errors is an error response with file:line:col', async () => {
    const program = fixture('errors.kscn');
    const message = await launchError(args(program));
    expect(message).toContain(`${program}:4:13: error: undefined name 'undefined_name'`);
  });

  it('attach is an error response', async () => {
    const dc = adapter.client;
    await dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments);
    await expect(dc.attachRequest({} as DebugProtocol.AttachRequestArguments)).rejects.toThrow(/use "request": "launch"/);
  });

  it('a bad launch option is an error response', async () => {
    expect(await launchError(args(echo, { seed: -3 }))).toContain('"seed" must be a non-negative integer');
  });

  it('stops on entry, names threads machine/process/thread and reports thread events', async () => {
    const dc = adapter.client;
    const started: number[] = [];
    const exited: number[] = [];
    dc.on('thread', (event: DebugProtocol.ThreadEvent) => (event.body.reason === 'started' ? started : exited).push(event.body.threadId));
    const stop = await launch(dc, args(echo, { stopOnEntry: true }));
    expect(stop.body.reason).toBe('entry');
    const threads = (await dc.threadsRequest()).body.threads;
    expect(threads.map((t) => t.name)).toEqual(['board/server/main', 'board/server/reg', 'board/server/handler', 'board/client/main']);
    expect(started.sort()).toEqual(threads.map((t) => t.id).sort());
    expect((await where(dc, stop.body.threadId!)).line).toBe(marker(echo, 'SERVER_REGISTER'));
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await terminated;
    expect(exited).toContain(threads[0]!.id);
    expect(exited).toContain(threads[3]!.id);
  });

  it("forwards the scenario's prints and expectation failures as output events", async () => {
    const dc = adapter.client;
    const outputs: DebugProtocol.OutputEvent['body'][] = [];
    dc.on('output', (event: DebugProtocol.OutputEvent) => outputs.push(event.body));
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([
      dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments),
      dc.waitForEvent('initialized').then(() => dc.setExceptionBreakpointsRequest({ filters: [] })).then(() => dc.configurationDoneRequest()),
      dc.launch(args(fixture('retry.kscn'))),
    ]);
    await terminated;
    const done = outputs.find((o) => o.category === 'stdout' && o.output === 'after the failed expectation\n');
    expect(done?.line).toBe(marker(fixture('retry.kscn'), 'AFTER_FAIL'));
    expect(outputs.some((o) => o.category === 'stderr' && o.output.includes('expectation failed: conn >= 0'))).toBe(true);
    expect(outputs.some((o) => o.category === 'console' && o.output.includes('finished'))).toBe(true);
  });

  it('pause stops a loop of a billion iterations', async () => {
    const dc = adapter.client;
    const program = fixture('loop.kscn');
    await Promise.all([
      dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments),
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch(args(program)),
    ]);
    // The adapter answers other requests while it runs: it yields to the event loop.
    const threads = await dc.threadsRequest();
    const stop = await resumeAndStop(dc, () => dc.pauseRequest({ threadId: threads.body.threads[0]!.id }));
    expect(stop.body.reason).toBe('pause');
    const position = await where(dc, stop.body.threadId!);
    expect([marker(program, 'LOOP_BODY'), marker(program, 'LOOP_BODY') - 1]).toContain(position.line);
    const frameId = position.frames[0]!.id;
    const x = Number((await dc.evaluateRequest({ expression: 'x', frameId, context: 'watch' })).body.result.split(' ')[0]);
    expect(x).toBeGreaterThan(0);
    // Continue and pause again: the loop goes on.
    await dc.continueRequest({ threadId: stop.body.threadId! });
    const again = await resumeAndStop(dc, () => dc.pauseRequest({ threadId: stop.body.threadId! }));
    const frameAgain = (await dc.stackTraceRequest({ threadId: again.body.threadId! })).body.stackFrames[0]!.id;
    expect(Number((await dc.evaluateRequest({ expression: 'x', frameId: frameAgain, context: 'watch' })).body.result.split(' ')[0])).toBeGreaterThan(x);
  });

  it('restart runs the scenario again with the same breakpoints', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_CALL') }] });
    const frameId = (await dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0]!.id;
    expect((await dc.evaluateRequest({ expression: 'r', frameId, context: 'watch' })).body.result).toBe('42');
    const again = await resumeAndStop(dc, () => dc.customRequest('restart', { arguments: args(echo) }));
    expect(again.body.reason).toBe('breakpoint');
    expect((await where(dc, again.body.threadId!)).line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('maxSteps ends the run with a message', async () => {
    const dc = adapter.client;
    const outputs: string[] = [];
    dc.on('output', (event: DebugProtocol.OutputEvent) => outputs.push(event.body.output));
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([
      dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments),
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch(args(fixture('loop.kscn'), { maxSteps: 5_000 })),
    ]);
    await terminated;
    expect(outputs.some((o) => o.includes('step limit of 5000 reached'))).toBe(true);
  });

  it('terminate ends the session; disconnect answers', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(fixture('loop.kscn'), { stopOnEntry: true }));
    expect(stop.body.reason).toBe('entry');
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest({});
    await terminated;
    await dc.disconnectRequest({});
  });

  it('the package.json launch schema matches KscnLaunchArguments', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const debuggerEntry = manifest.contributes.debuggers.find((d: { type: string }) => d.type === 'kscn');
    const properties = Object.keys(debuggerEntry.configurationAttributes.launch.properties).sort();
    const source = readFileSync(path.join(ROOT, 'debug-adapter/launchArguments.ts'), 'utf8');
    const declared = [...source.matchAll(/^\s+(\w+)\??:/gm)].map((m) => m[1]!).sort();
    for (const name of properties) expect(declared).toContain(name);
  });
});

describe('injected file access', () => {
  it('reads scenarios through the FileAccessor it is given', async () => {
    const text = readFileSync(echo, 'utf8');
    const adapter = await startInProcess({
      readFile: async (file) => {
        if (file === '/virtual/echo.kscn') return text;
        throw new Error('EACCES: permission denied');
      },
      normalize: (file) => file,
    });
    try {
      const dc = adapter.client;
      const stop = await launch(dc, args('/virtual/echo.kscn'), { breakpoints: [{ line: marker(echo, 'CALL') }] });
      expect((await where(dc, stop.body.threadId!)).frames[0]!.source?.path).toBe('/virtual/echo.kscn');
      const second = await startInProcess({ readFile: async () => Promise.reject(new Error('EACCES: permission denied')), normalize: (file) => file });
      try {
        await second.client.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments);
        await expect(second.client.launch(args('/virtual/locked.kscn'))).rejects.toThrow('cannot read the scenario /virtual/locked.kscn: EACCES: permission denied');
      } finally {
        await second.stop();
      }
    } finally {
      await adapter.stop();
    }
  });
});
