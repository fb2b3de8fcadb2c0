// Scopes and variables (paged), evaluation with the shared expression language, completions,
// memory, setVariable, and bad input that must get an error response, not a crash.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { fixture, launch, marker, resumeAndStop, scopeVariables, startInProcess, type Adapter, launchArgs as args } from './harness';

const echo = fixture('echo.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

async function topFrame(dc: Adapter['client'], threadId: number): Promise<number> {
  return (await dc.stackTraceRequest({ threadId })).body.stackFrames[0]!.id;
}

describe('scopes and variables', () => {
  it('shows Locals, Registers, Thread, Capability group and Kernel for a handler frame', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'HANDLER_RETURN') }] });
    const thread = stop.body.threadId!;
    const scopes = await dc.scopesRequest({ frameId: await topFrame(dc, thread) });
    expect(scopes.body.scopes.map((s) => s.name)).toEqual(['Locals', 'Registers', 'Thread', 'Capability group (server)', 'Kernel']);
    const locals = await scopeVariables(dc, thread, 'Locals');
    expect(Object.fromEntries(locals.map((v) => [v.name, v.value]))).toMatchObject({ x: '41', badge: '7' });
    const registers = await scopeVariables(dc, thread, 'Registers');
    expect(registers.map((r) => r.name)).toEqual(['pc', 'sp', 'arg0', 'arg1', 'arg2', 'arg3', 'ret']);
    const facts = Object.fromEntries((await scopeVariables(dc, thread, 'Thread')).map((v) => [v.name, v.value]));
    expect(facts).toMatchObject({ name: 'board/server/handler', state: 'TS_RUNNING', type: 'shadow', 'exit state': 'TE_RUNNING' });
    expect(facts['serving']).toBe('board/client/main (call over conn 6, badge 7)');
    expect(facts['scheduling context']).toMatch(/^sched_context #\d+$/);
    // The client's Thread scope says what it is blocked on.
    const stack = await dc.stackTraceRequest({ threadId: thread });
    const clientFrame = stack.body.stackFrames[stack.body.stackFrames.length - 1]!;
    const clientScopes = await dc.scopesRequest({ frameId: clientFrame.id });
    const clientThread = (await dc.variablesRequest({ variablesReference: clientScopes.body.scopes[2]!.variablesReference })).body.variables;
    expect(clientThread.find((v) => v.name === 'blocked on')?.value).toBe('sys_ipc_call: waiting for board/server/handler');
    expect(clientScopes.body.scopes[3]!.name).toBe('Capability group (client)');
  });

  it('capability slots expand into their objects; the kernel state renders generically', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_REGISTER') }] });
    const slots = await scopeVariables(dc, stop.body.threadId!, 'Capability group');
    expect(slots[0]!.value).toMatch(/^cap_group client #\d+$/);
    const connection = slots[6]!;
    expect(connection.value).toMatch(/^connection #\d+$/);
    const fields = (await dc.variablesRequest({ variablesReference: connection.variablesReference })).body.variables;
    expect(Object.fromEntries(fields.map((f) => [f.name, f.value]))).toMatchObject({ isValid: '1', clientBadge: '7' });
    const kernel = await scopeVariables(dc, stop.body.threadId!, 'Kernel');
    const names = kernel.map((v) => v.name);
    for (const part of ['virtual time', 'machines', 'cpus', 'groups', 'threads', 'connections', 'pmos', 'scs', 'ipcConfigs']) expect(names).toContain(part);
    const machines = kernel.find((v) => v.name === 'machines')!;
    const machine = (await dc.variablesRequest({ variablesReference: machines.variablesReference })).body.variables[0]!;
    const machineFields = (await dc.variablesRequest({ variablesReference: machine.variablesReference })).body.variables;
    expect(machineFields.map((f) => f.name)).toContain('runQueue');
  });

  it('pages a 100,000-slot capability table', async () => {
    const dc = adapter.client;
    const program = fixture('bigcaps.kscn');
    const stop = await launch(dc, args(program, { capTableSize: 200_000 }), { breakpoints: [{ line: marker(program, 'FILLED') }] });
    const scopes = await dc.scopesRequest({ frameId: await topFrame(dc, stop.body.threadId!) });
    const table = scopes.body.scopes.find((s) => s.name.startsWith('Capability group'))!;
    expect(table.indexedVariables).toBe(100_004);
    const page = await dc.variablesRequest({ variablesReference: table.variablesReference, filter: 'indexed', start: 99_900, count: 100 });
    expect(page.body.variables).toHaveLength(100);
    expect(page.body.variables[0]!.name).toBe('[99900]');
    expect(page.body.variables[0]!.value).toBe('pmo big.box #3');
    const last = await dc.variablesRequest({ variablesReference: table.variablesReference, filter: 'indexed', start: 100_000, count: 100 });
    expect(last.body.variables.map((v) => v.name)).toEqual(['[100000]', '[100001]', '[100002]', '[100003]']);
  });

  it('variable references reset on resume; thread ids stay', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'CALL') }] });
    const scopes = await dc.scopesRequest({ frameId: await topFrame(dc, stop.body.threadId!) });
    const reference = scopes.body.scopes[0]!.variablesReference;
    await resumeAndStop(dc, () => dc.nextRequest({ threadId: stop.body.threadId! }));
    await expect(dc.variablesRequest({ variablesReference: reference + 1000 })).rejects.toThrow(/unknown variables reference/);
    const fresh = await dc.scopesRequest({ frameId: await topFrame(dc, stop.body.threadId!) });
    const locals = (await dc.variablesRequest({ variablesReference: fresh.body.scopes[0]!.variablesReference })).body.variables;
    expect(locals.find((v) => v.name === 'r')?.value).toBe('42');
  });

  it('kernel frames show the syscall arguments as locals', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { functionBreakpoints: [{ name: 'sys_ipc_call' }] });
    const locals = await scopeVariables(dc, stop.body.threadId!, 'Locals');
    expect(Object.fromEntries(locals.map((v) => [v.name, v.value]))).toMatchObject({ conn_cap: '6', cap_num: '0', step: 'check_ipc_msg_null (0)' });
  });

  it('setVariable changes a local and the run sees it', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'HANDLER_RETURN') }, { line: marker(echo, 'AFTER_CALL') }] });
    const scopes = await dc.scopesRequest({ frameId: await topFrame(dc, stop.body.threadId!) });
    const set = await dc.setVariableRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference, name: 'x', value: '1000 + 1' });
    expect(set.body.value).toBe('1001');
    const next = await resumeAndStop(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    const locals = await scopeVariables(dc, next.body.threadId!, 'Locals');
    expect(locals.find((v) => v.name === 'r')?.value).toBe('1002');
  });
});

describe('evaluate and completions', () => {
  it('evaluates names, fields, arithmetic, constants and kernel queries', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_CALL') }] });
    const frameId = await topFrame(dc, stop.body.threadId!);
    const evaluate = async (expression: string, context = 'watch') => (await dc.evaluateRequest({ expression, frameId, context })).body;
    expect((await evaluate('r')).result).toBe('42');
    expect((await evaluate('r * 2 + 1', 'repl')).result).toBe('85');
    expect((await evaluate('conn.is_valid', 'hover')).result).toBe('1');
    expect((await evaluate('conn.client_badge == 7')).result).toBe('true');
    expect((await evaluate('-EIPCRETRY')).result).toBe('-199 (-EIPCRETRY)');
    expect((await evaluate('thread_state("server/handler") == TS_WAITING')).result).toBe('true');
    expect((await evaluate('thread_state(server.main)')).result).toBe('4');
    expect((await evaluate('cap_count(client)')).result).toBe('7');
    const cap = await evaluate('cap(client, 6)');
    expect(cap.result).toMatch(/^connection #\d+$/);
    expect(cap.variablesReference).toBeGreaterThan(0);
    const shm = await evaluate('cap(client, 2)');
    expect(shm.memoryReference).toMatch(/^pmo:\d+$/);
    expect((await evaluate('process')).result).toBe('"client"');
    expect((await evaluate('msg_data(0x4000_0000, 0)')).result).toBe('41');
  });

  it('malformed and unknown expressions are error responses', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_CALL') }] });
    const frameId = await topFrame(dc, stop.body.threadId!);
    await expect(dc.evaluateRequest({ expression: 'r +', frameId })).rejects.toThrow(/incomplete/);
    await expect(dc.evaluateRequest({ expression: 'nope + 1', frameId })).rejects.toThrow(/unknown name 'nope'/);
    await expect(dc.evaluateRequest({ expression: 'cap(client, 999)', frameId })).resolves.toMatchObject({ body: { result: '0' } });
    await expect(dc.evaluateRequest({ expression: 'r / 0', frameId })).rejects.toThrow(/division by zero/);
    await expect(dc.evaluateRequest({ expression: 'r', frameId: 99_999 })).rejects.toThrow(/unknown stack frame/);
  });

  it('completes locals, kernel queries, constants and fields', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_CALL') }] });
    const frameId = await topFrame(dc, stop.body.threadId!);
    const complete = async (text: string) => (await dc.completionsRequest({ text, column: text.length + 1, frameId })).body.targets.map((t) => t.label);
    expect(await complete('co')).toEqual(expect.arrayContaining(['conn', 'conn_valid']));
    expect(await complete('thread_')).toEqual(expect.arrayContaining(['thread_state']));
    expect(await complete('-EIPC')).toEqual(['EIPCRETRY']);
    expect(await complete('conn.is_')).toEqual(['is_valid']);
    expect(await complete('server.ha')).toEqual(['handler']);
  });
});

describe('memory', () => {
  it('reads and writes a PMO through its memory reference', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'AFTER_CALL') }] });
    const frameId = await topFrame(dc, stop.body.threadId!);
    const shm = await dc.evaluateRequest({ expression: 'cap(client, 2)', frameId, context: 'watch' });
    const reference = shm.body.memoryReference!;
    const read = await dc.customRequest('readMemory', { memoryReference: reference, offset: 0, count: 24 });
    const bytes = Buffer.from((read.body as DebugProtocol.ReadMemoryResponse['body'])!.data!, 'base64');
    // ipc_msg header (data_len 8) then the data word 41.
    expect(bytes.readUInt32LE(0)).toBe(8);
    expect(bytes.readUInt32LE(16)).toBe(41);
    await dc.customRequest('writeMemory', { memoryReference: reference, offset: 16, data: Buffer.from([7, 0, 0, 0]).toString('base64') });
    expect((await dc.evaluateRequest({ expression: 'msg_data(0x4000_0000, 0)', frameId, context: 'watch' })).body.result).toBe('7');
    await expect(dc.customRequest('readMemory', { memoryReference: 'pmo:999999', offset: 0, count: 4 })).rejects.toThrow(/unknown memory reference/);
  });
});

describe('bad input', () => {
  it('unknown threads, frames, references and sources are error responses and the session goes on', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(echo), { breakpoints: [{ line: marker(echo, 'CALL') }] });
    await expect(dc.stackTraceRequest({ threadId: 424242 })).rejects.toThrow(/unknown thread/);
    await expect(dc.scopesRequest({ frameId: 424242 })).rejects.toThrow(/unknown stack frame/);
    await expect(dc.variablesRequest({ variablesReference: 424242 })).rejects.toThrow(/unknown variables reference/);
    await expect(dc.sourceRequest({ sourceReference: 424242 })).rejects.toThrow(/unknown source reference/);
    await expect(dc.nextRequest({ threadId: 424242 })).rejects.toThrow(/unknown thread/);
    await expect(dc.stepInTargetsRequest({ frameId: 424242 })).rejects.toThrow(/unknown stack frame/);
    await expect(dc.setVariableRequest({ variablesReference: 424242, name: 'x', value: '1' })).rejects.toThrow(/only locals/);
    // Still alive: a step works.
    const next = await resumeAndStop(dc, () => dc.nextRequest({ threadId: stop.body.threadId! }));
    expect(next.body.reason).toBe('step');
  });
});
