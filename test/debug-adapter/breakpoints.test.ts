// Line, function, exception and data breakpoints: verification, conditions, hit counts, logpoints.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, scopeVariables, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const echo = fixture('echo.kscn');
const retry = fixture('retry.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

describe('line breakpoints', () => {
  it('verifies lines with a statement and rejects others with a message', async () => {
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const response = await dc.setBreakpointsRequest({ source: { path: echo }, breakpoints: [{ line: marker(echo, 'CALL') }, { line: 1 }, { line: 9999 }] });
    const [good, comment, beyond] = response.body.breakpoints;
    expect(good!.verified).toBe(true);
    expect(good!.line).toBe(marker(echo, 'CALL'));
    expect(comment!.verified).toBe(false);
    expect(comment!.message).toBe('line 1 has no statement');
    expect(beyond!.verified).toBe(false);
    const other = await dc.setBreakpointsRequest({ source: { path: fixture('chain.kscn') }, breakpoints: [{ line: 5 }] });
    expect(other.body.breakpoints[0]!.verified).toBe(false);
  });

  it('breakpointLocations lists statement positions', async () => {
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const line = marker(echo, 'CALL');
    const locations = await dc.customRequest('breakpointLocations', { source: { path: echo }, line: line - 1, endLine: line + 1 });
    const lines = (locations.body as DebugProtocol.BreakpointLocationsResponse['body']).breakpoints.map((b) => b.line);
    expect(lines).toEqual([line, line + 1]);
  });

  it('honours conditions over locals', async () => {
    const dc = adapter.client;
    const line = marker(echo, 'HANDLER_FIRST');
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'HANDLER_RETURN'), condition: 'x == 99' }] });
    expect(stop.body.reason).toBe('breakpoint');
    const locals = await scopeVariables(dc, stop.body.threadId!, 'Locals');
    expect(locals.find((v) => v.name === 'x')?.value).toBe('99');
    expect(line).toBeGreaterThan(0);
  });

  it('honours hit counts', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'HANDLER_FIRST'), hitCondition: '2' }] });
    const locals = await scopeVariables(dc, stop.body.threadId!, 'Locals');
    // The second call carries 99.
    expect(locals.find((v) => v.name === 'msg')).toBeDefined();
    const evaluated = await dc.evaluateRequest({ expression: 'msg_data(msg, 0)', frameId: (await dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0]!.id, context: 'watch' });
    expect(evaluated.body.result).toBe('99');
  });

  it('logpoints print and do not stop', async () => {
    const dc = adapter.client;
    const logged = new Promise<string>((resolve) => {
      dc.on('output', (event: DebugProtocol.OutputEvent) => {
        if (event.body.output.startsWith('handler got')) resolve(event.body.output);
      });
    });
    const stop = await launch(dc, args(echo), {
      breakpoints: [{ line: marker(echo, 'HANDLER_FIRST'), logMessage: 'handler got {msg_data(msg, 0)} from badge {badge}' }, { line: marker(echo, 'AFTER_CALL') }],
    });
    expect(await logged).toBe('handler got 41 from badge 7\n');
    expect((await where(dc, stop.body.threadId!)).line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('reports a malformed condition as an unverified breakpoint', async () => {
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const response = await dc.setBreakpointsRequest({ source: { path: echo }, breakpoints: [{ line: marker(echo, 'CALL'), condition: 'x == (' }] });
    expect(response.body.breakpoints[0]!.verified).toBe(false);
    expect(response.body.breakpoints[0]!.message).toMatch(/condition/);
  });
});

describe('function breakpoints', () => {
  it('stop at a syscall entry by kernel name, with a condition over arguments and kernel state', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { functionBreakpoints: [{ name: 'sys_ipc_call', condition: 'badge == 7 and process == "client" and cap_num == 1' }] });
    expect(stop.body.reason).toBe('function breakpoint');
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('board/client/main');
    expect(position.name).toBe('sys_ipc_call › check_ipc_msg_null');
    expect(position.frames[1]!.line).toBe(marker(echo, 'CALL2'));
    const locals = await scopeVariables(dc, stop.body.threadId!, 'Locals');
    expect(locals.map((v) => v.name)).toContain('conn_cap');
  });

  it('accept scenario names, kernel step names and conn conditions; reject unknown names', async () => {
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const response = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: 'register_client' }, { name: 'sys_ipc_call:thread_migrate_to_server', condition: 'conn == 6 and conn_cap == 6' }, { name: 'no_such_syscall' }, { name: 'ipc_call', condition: '== (' }],
    });
    const [byScenarioName, byStep, unknown, malformed] = response.body.breakpoints;
    expect(byScenarioName!.verified).toBe(true);
    expect(byStep!.verified).toBe(true);
    expect(unknown!.verified).toBe(false);
    expect(unknown!.message).toContain("no syscall or kernel step is named 'no_such_syscall'");
    expect(malformed!.verified).toBe(false);
    const stop = await resumeAndStop(dc, () => dc.continueRequest({ threadId: 1 }));
    expect(stop.body.reason).toBe('function breakpoint');
    expect((await where(dc, stop.body.threadId!)).name).toBe('sys_register_client › obj_get(server)');
    const next = await resumeAndStop(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    expect((await where(dc, next.body.threadId!)).name).toBe('sys_ipc_call › thread_migrate_to_server');
  });

  it('every syscall in the table can be named by kernel name and scenario name', async () => {
    const { SYSCALLS } = await import('../../kernel/syscalls');
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const names = SYSCALLS.flatMap((s) => [s.kernelName, s.name]);
    const response = await dc.setFunctionBreakpointsRequest({ breakpoints: names.map((name) => ({ name })) });
    expect(response.body.breakpoints.every((b) => b.verified)).toBe(true);
  });

  it('a condition that is false never stops', async () => {
    const dc = adapter.client;
    const terminated = dc.waitForEvent('terminated');
    await Promise.all([
      dc.initializeRequest({ adapterID: 'kscn', pathFormat: 'path' } as DebugProtocol.InitializeRequestArguments),
      dc.waitForEvent('initialized').then(async () => {
        await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sys_ipc_call', condition: 'badge == 8' }] });
        await dc.configurationDoneRequest();
      }),
      dc.launch(args(echo)),
    ]);
    await terminated;
  });
});

describe('exception breakpoints', () => {
  it('syscall error -EIPCRETRY stops with exceptionInfo', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(retry), { exceptionFilters: [{ filterId: 'syscall-error', condition: '-EIPCRETRY' }] });
    expect(stop.body.reason).toBe('exception');
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('default/client/main');
    expect(position.line).toBe(marker(retry, 'AFTER_RETRY'));
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('-EIPCRETRY');
    expect(info.body.description).toBe('register_client returned -EIPCRETRY (-199)');
    expect(info.body.breakMode).toBe('always');
    expect(info.body.details?.typeName).toBe('syscall-error');
  });

  it('the syscall error condition can compare the code', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(retry), { exceptionFilters: [{ filterId: 'syscall-error', condition: '== -199' }] });
    expect((await dc.exceptionInfoRequest({ threadId: stop.body.threadId! })).body.exceptionId).toBe('-EIPCRETRY');
  });

  it('a code that does not occur does not stop; a failed expectation does', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(retry), { exceptionFilters: [{ filterId: 'syscall-error', condition: '-EINVAL' }, { filterId: 'expectation' }] });
    expect(stop.body.reason).toBe('exception');
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('expectation-failed');
    expect(info.body.description).toBe('expectation failed: conn >= 0 (conn = -199 (-EIPCRETRY))');
    expect((await where(dc, stop.body.threadId!)).line).toBe(marker(retry, 'AFTER_FAIL'));
  });

  it('thread faults stop with their reason', async () => {
    const dc = adapter.client;
    const program = fixture('fault.kscn');
    const stop = await launch(dc, args(program), { exceptionFilters: [{ filterId: 'thread-fault' }] });
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('thread-fault');
    expect(info.body.description).toContain('read from an unmapped address');
    expect(info.body.description).toContain(`:${marker(program, 'FAULT')}`);
  });

  it('kernel faults stop with the seed row and location, then the session ends', async () => {
    const dc = adapter.client;
    const program = fixture('kfault.kscn');
    const stop = await launch(dc, args(program), { exceptionFilters: [{ filterId: 'kernel-fault' }] });
    expect(stop.body.reason).toBe('exception');
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('kernel-fault CH-RCLI-10');
    expect(info.body.description).toMatch(/^kernel fault CH-RCLI-10 at chcore-ipc-connection\.c\.txt:\d+: /);
    const position = await where(dc, stop.body.threadId!);
    expect(position.threadName).toBe('default/client/main');
    expect(position.frames.some((f) => f.line === marker(program, 'BAD_REGISTER'))).toBe(true);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await terminated;
  });

  it('deadlock stops on the waiting client, then the session ends', async () => {
    const dc = adapter.client;
    const program = fixture('deadlock.kscn');
    const stop = await launch(dc, args(program), { exceptionFilters: [{ filterId: 'deadlock' }] });
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('deadlock');
    expect(info.body.description).toContain('client.main waits in sys_ipc_call');
    const position = await where(dc, stop.body.threadId!);
    expect(position.frames.some((f) => f.line === marker(program, 'STUCK'))).toBe(true);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await terminated;
  });

  it('exceptionInfo on a thread that did not stop on an exception is an error', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo, { stopOnEntry: true }));
    await expect(dc.exceptionInfoRequest({ threadId: stop.body.threadId! })).rejects.toThrow(/did not stop on an exception/);
  });
});

describe('data breakpoints', () => {
  async function kernelChild(dc: Adapter['client'], threadId: number, ...names: string[]): Promise<{ reference: number; variables: DebugProtocol.Variable[] }> {
    const stack = await dc.stackTraceRequest({ threadId });
    const scopes = await dc.scopesRequest({ frameId: stack.body.stackFrames[0]!.id });
    let reference = scopes.body.scopes.find((s) => s.name === 'Kernel')!.variablesReference;
    let variables = (await dc.variablesRequest({ variablesReference: reference })).body.variables;
    for (const name of names) {
      const child = variables.find((v) => v.name === name || v.value.includes(name));
      if (!child) throw new Error(`no ${name} among ${variables.map((v) => `${v.name}=${v.value}`).join(', ')}`);
      reference = child.variablesReference;
      variables = (await dc.variablesRequest({ variablesReference: reference })).body.variables;
    }
    return { reference, variables };
  }

  it('stop when a capability table changes', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo, { stopOnEntry: true }));
    const { reference } = await kernelChild(dc, stop.body.threadId!, 'groups', 'cap_group client');
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: reference, name: 'slots' });
    expect(info.body.dataId).toBeTruthy();
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(true);
    const hit = await resumeAndStop(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    expect(hit.body.reason).toBe('data breakpoint');
    // create_connection's cap_alloc put the connection in the client's table.
    expect((await where(dc, hit.body.threadId!)).name).toBe('sys_register_client › create_connection: cap_copy(connection → server)');
  });

  it("stop when a connection's field changes, and when a PMO's bytes change", async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'CALL') }] });
    const thread = stop.body.threadId!;
    const connections = await kernelChild(dc, thread, 'connections');
    const connection = connections.variables.find((v) => v.value.startsWith('connection'))!;
    const fields = (await dc.variablesRequest({ variablesReference: connection.variablesReference })).body.variables;
    expect(fields.find((f) => f.name === 'currentClientThread')?.value).toBe('0');
    const field = await dc.dataBreakpointInfoRequest({ variablesReference: connection.variablesReference, name: 'currentClientThread' });
    const pmos = await kernelChild(dc, thread, 'pmos');
    const shm = pmos.variables.find((v) => v.value.includes('client.shm'))!;
    expect(shm.memoryReference).toBeTruthy();
    const bytes = await dc.dataBreakpointInfoRequest({ variablesReference: shm.variablesReference, name: 'pages' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: bytes.body.dataId! }] });
    // The user runtime writes the message into the shared memory as the call starts.
    const written = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(written.body.reason).toBe('data breakpoint');
    expect((await where(dc, thread)).name).toBe('sys_ipc_call › check_ipc_msg_null');
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: field.body.dataId! }] });
    const claimed = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(claimed.body.reason).toBe('data breakpoint');
    expect(claimed.body.description).toMatch(/currentClientThread changed from 0 to 15/);
  });

  it("stop when a thread's state changes (Thread scope) and when a local changes", async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'REGISTER') }] });
    const thread = stop.body.threadId!;
    const stack = await dc.stackTraceRequest({ threadId: thread });
    const scopes = await dc.scopesRequest({ frameId: stack.body.stackFrames[0]!.id });
    const threadScope = scopes.body.scopes.find((s) => s.name === 'Thread')!;
    const stateInfo = await dc.dataBreakpointInfoRequest({ variablesReference: threadScope.variablesReference, name: 'state' });
    const locals = scopes.body.scopes.find((s) => s.name === 'Locals')!;
    const localInfo = await dc.dataBreakpointInfoRequest({ variablesReference: locals.variablesReference, name: 'r' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: stateInfo.body.dataId! }, { dataId: localInfo.body.dataId! }] });
    const first = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    expect(first.body.reason).toBe('data breakpoint');
    // register_client migrates: the client waits (TS_WAITING).
    const threadVariables = await scopeVariables(dc, thread, 'Thread', 0);
    expect(threadVariables.find((v) => v.name === 'state')?.value).toBe('TS_WAITING');
    let next = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    while ((await scopeVariables(dc, thread, 'Locals', (await where(dc, thread)).frames.length - 1)).find((v) => v.name === 'r')?.value !== '42') {
      next = await resumeAndStop(dc, () => dc.continueRequest({ threadId: thread }));
    }
    expect(next.body.reason).toBe('data breakpoint');
    expect((await where(dc, thread)).line).toBe(marker(echo, 'AFTER_CALL'));
  });

  it('bad data breakpoint requests get messages, not crashes', async () => {
    const dc = adapter.client;
    await launch(dc, args(echo, { stopOnEntry: true }));
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: 999_999, name: 'x' });
    expect(info.body.dataId).toBeNull();
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'nonsense' }] });
    expect(set.body.breakpoints[0]!.verified).toBe(false);
  });
});
