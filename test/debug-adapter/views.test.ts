// The data behind the extension's debug views (debug-adapter/views.ts) over real kernel runs: the
// IPC event records (arrows in order, migrations with their scheduling context, errors, Mach, FLIPC
// and Tock messages, unknown kinds), paging, truncation, the kernel objects tree with creating
// lines, and the custom requests and event through the DAP session.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/kernel';
import type { KernelEvent } from '../../kernel/events';
import { compile } from '../../language/core/index';
import {
  IPC_EVENTS_CHANGED_EVENT,
  IPC_EVENTS_REQUEST,
  KERNEL_OBJECTS_REQUEST,
  MAX_PAGE,
  ViewsService,
  type IpcEventRecord,
  type IpcEventsBody,
  type KernelObjectsBody,
  type ObjectNode,
  type ViewsEventSource,
} from '../../debug-adapter/views';
import { fixture, launch, marker, resumeAndStop, startInProcess, type Adapter } from './harness';

const ROOT = path.resolve(__dirname, '../..');

function run(file: string, maxSteps = 1_000_000): { views: ViewsService; kernel: Kernel } {
  const program = compile(readFileSync(file, 'utf8'), file).program!;
  const kernel = new Kernel(program, { seed: 1, record: true });
  const views = new ViewsService(kernel, program);
  kernel.run(maxSteps);
  return { views, kernel };
}

function lineOf(file: string, needle: string): number {
  return readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;
}

function find(nodes: readonly ObjectNode[], predicate: (node: ObjectNode) => boolean): ObjectNode | undefined {
  for (const node of nodes) {
    if (predicate(node)) return node;
    const inner = find(node.children ?? [], predicate);
    if (inner) return inner;
  }
  return undefined;
}

const brief = (r: IpcEventRecord) => ({ category: r.category, label: r.label, migration: r.migration?.direction, line: r.loc?.line });

describe('IPC event records', () => {
  const echo = fixture('echo.kscn');

  it('echo.kscn: one call and one return per migration, in order, with the scheduling context', () => {
    const { views, kernel } = run(echo);
    const records = views.ipcRecords();
    expect(records.map(brief)).toEqual([
      { category: 'call', label: 'register_client', migration: 'to-register', line: marker(echo, 'REGISTER') },
      { category: 'return', label: 'ipc_register_cb_return → 6', migration: 'to-client', line: marker(echo, 'REG_FIRST') },
      { category: 'call', label: 'ipc_call', migration: 'to-server', line: marker(echo, 'CALL') },
      { category: 'return', label: 'ipc_return → 42', migration: 'to-client', line: marker(echo, 'HANDLER_RETURN') },
      { category: 'call', label: 'ipc_call', migration: 'to-server', line: marker(echo, 'CALL2') },
      { category: 'return', label: 'ipc_return → 100', migration: 'to-client', line: marker(echo, 'HANDLER_RETURN') },
    ]);
    const name = (id: number) => kernel.state.threads[id]!.name;
    expect(records.map((r) => `${name(r.from)} → ${name(r.to)}`)).toEqual([
      'client.main → server.reg',
      'server.reg → client.main',
      'client.main → server.handler',
      'server.handler → client.main',
      'client.main → server.handler',
      'server.handler → client.main',
    ]);
    // The client's scheduling context is what migrates, both ways.
    const clientSc = kernel.state.threads[records[0]!.from]!.sc;
    expect(records.every((r) => r.migration?.sc === clientSc)).toBe(true);
    // Indices: the list's own, the event stream's (increasing), the moment after (non-decreasing).
    expect(records.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 1; i < records.length; i++) {
      expect(records[i]!.eventIndex).toBeGreaterThan(records[i - 1]!.eventIndex);
      expect(records[i]!.step).toBeGreaterThan(records[i - 1]!.step);
    }
    expect(records[0]!.detail).toContain('migrate client.main → server.reg');
  });

  it('marks syscall errors with their name on the caller', () => {
    const retry = fixture('retry.kscn');
    const records = run(retry).views.ipcRecords();
    const error = records.find((r) => r.category === 'error')!;
    expect(error).toMatchObject({ error: '-EIPCRETRY', label: 'register_client → -EIPCRETRY', loc: { line: marker(retry, 'RETRY') } });
    expect(error.from).toBe(error.to);
  });

  it('draws Mach messages between sender and receiver threads', () => {
    const file = path.join(ROOT, 'examples/mach-rpc.kscn');
    const { views, kernel } = run(file);
    const mach = views.ipcRecords().filter((r) => r.category === 'mach');
    expect(mach.length).toBeGreaterThanOrEqual(4);
    const handoff = mach.find((r) => r.label.includes('hand-off'))!;
    expect(kernel.state.threads[handoff.from]!.name).toBe('client.main');
    expect(kernel.state.threads[handoff.to]!.name).toBe('kernel_task.listener');
    expect(handoff.label).toMatch(/^mach_msg id \d+ → /);
  });

  it('draws Tock IPC notifications from the notifier to the notified process', () => {
    const file = path.join(ROOT, 'examples/tock-ipc.kscn');
    const { views, kernel } = run(file);
    const tock = views.ipcRecords().filter((r) => r.category === 'tock');
    expect(tock.length).toBeGreaterThan(0);
    expect(tock.map((r) => `${kernel.state.threads[r.from]!.name} ${r.label} ${kernel.state.threads[r.to]!.name}`)).toContain('client.main notify service doubler.main');
  });

  it('draws FLIPC messages and link traffic between machines', () => {
    const file = path.join(ROOT, 'examples/mach-nodes.kscn');
    const { views } = run(file);
    const flipc = views.ipcRecords().filter((r) => r.category === 'flipc');
    expect(flipc.length).toBeGreaterThan(0);
    const link = flipc.find((r) => r.kind === 'link');
    if (link) expect(link.from).not.toBe(link.to);
    // A machine's kernel gets a lifeline when a record names it.
    const lifelines = views.lifelines();
    for (const r of flipc) for (const id of [r.from, r.to]) expect(lifelines.some((l) => l.id === id)).toBe(true);
  });

  it('draws message-like events of kinds it does not know, and truncates when the future is dropped', () => {
    const file = fixture('echo.kscn');
    const program = compile(readFileSync(file, 'utf8'), file).program!;
    const kernel = new Kernel(program, { seed: 1, record: true });
    let subscriber: Parameters<ViewsEventSource['subscribeEvents']>[0] | undefined;
    const source: ViewsEventSource = { subscribeEvents: (s) => ((subscriber = s), () => undefined), currentStep: 7 };
    const views = new ViewsService(kernel, program, source);
    const [a, b] = kernel.state.threadIds;
    const made = (kind: string, extra: Record<string, unknown>) => ({ kind, time: 1, cpu: 0, ...extra }) as unknown as KernelEvent;
    subscriber!.events([made('flipc-message', { thread: a, to: b, action: 'send' }), made('kernel-step', { thread: a })], 100);
    subscriber!.events([made('tock-upcall', { thread: b })], 102);
    const records = views.ipcRecords();
    expect(records.map((r) => [r.category, r.from, r.to, r.label, r.eventIndex, r.step])).toEqual([
      ['flipc', a, b, 'flipc-message send', 100, 8],
      ['tock', b, b, 'tock-upcall', 102, 8],
    ]);
    const generation = views.generation;
    subscriber!.truncated!(101);
    expect(views.ipcRecords().map((r) => r.eventIndex)).toEqual([100]);
    expect(views.generation).toBe(generation + 1);
    expect(views.changed()).toEqual({ total: 1, generation: generation + 1, step: 7 });
  });
});

describe('kscn/ipcEvents paging', () => {
  it('pages records with start and count, at most MAX_PAGE at a time, with the lifelines', () => {
    const { views } = run(fixture('echo.kscn'));
    const all = views.ipcEvents(0, 100);
    expect(all.total).toBe(6);
    expect(views.ipcEvents(2, 3).events.map((r) => r.index)).toEqual([2, 3, 4]);
    expect(views.ipcEvents(5, 10).events.map((r) => r.index)).toEqual([5]);
    expect(views.ipcEvents(9, 10).events).toEqual([]);
    expect(all.lifelines.map((l) => `${l.machine}/${l.group}/${l.name}/${l.type}`)).toEqual([
      'board/server/server.main/user',
      'board/server/server.reg/register',
      'board/server/server.handler/shadow',
      'board/client/client.main/user',
    ]);
    expect(views.handle(IPC_EVENTS_REQUEST, { start: -1 })).toEqual({ error: expect.stringContaining('non-negative') });
    expect(views.handle('kscn/somethingElse', {})).toBeUndefined();
  });

  it('records 10,000 events of a long run and serves them in pages', () => {
    const file = fixture('echo.kscn');
    const text = readFileSync(file, 'utf8').replace(/\n(\s*)let r = ipc_call/, '\n$1repeat 5000 {\n$1  let again = ipc_call(conn, data: [1])\n$1}\n$1let r = ipc_call');
    expect(text).toContain('repeat 5000');
    const compiled = compile(text, file);
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const program = compiled.program!;
    const kernel = new Kernel(program, { seed: 1, record: true });
    const views = new ViewsService(kernel, program);
    kernel.run(10_000_000);
    const total = views.ipcEvents(0, 0).total;
    expect(total).toBeGreaterThanOrEqual(10_000);
    let start = 0;
    let pages = 0;
    while (start < total) {
      const page = views.ipcEvents(start, 100_000);
      expect(page.events.length).toBeLessThanOrEqual(MAX_PAGE);
      expect(page.events[0]!.index).toBe(start);
      start += page.events.length;
      pages++;
    }
    expect(pages).toBe(Math.ceil(total / MAX_PAGE));
  });
});

describe('kscn/kernelObjects', () => {
  const echo = path.join(ROOT, 'examples/echo.kscn');

  it('has capability groups → slots → objects, and the connection with both ends and its creating line', () => {
    const { views, kernel } = run(echo);
    const tree = views.kernelObjects();
    expect(tree.roots.map((r) => r.label)).toEqual(['Capability groups', 'Connections']);
    const groups = tree.roots[0]!.children!;
    expect(groups.map((g) => g.label)).toEqual(['server', 'client']);
    expect(groups[0]!.loc?.line).toBe(lineOf(echo, 'process server'));
    const client = groups[1]!;
    const slots = client.children!.map((s) => s.label);
    expect(slots).toEqual(['[0] cap_group client', '[1] vmspace client', '[2] pmo client.shm', '[3] pmo client.secret', '[4] thread client.main', '[5] thread server.main', '[6] connection #17']);
    // Boot objects: their declaration; run-time objects: the syscall that made them.
    expect(client.children!.find((s) => s.label === '[3] pmo client.secret')!.loc?.line).toBe(lineOf(echo, 'pmo secret'));
    const registerLine = lineOf(echo, 'register_client(');
    const connection = find(tree.roots, (n) => n.kind === 'connection')!;
    expect(connection.label).toBe('connection #17: client → server');
    expect(connection.loc?.line).toBe(registerLine);
    expect(connection.children!.map((end) => end.label)).toEqual(['client end: client[6]', 'server end: server[6]']);
    expect(connection.children![1]!.description).toContain('handler server.handler');
    expect(connection.children!.every((end) => end.loc?.line === registerLine)).toBe(true);
    // The secret capability the second call transferred: created by that ipc_call.
    const transferred = groups[0]!.children!.find((s) => s.label === '[7] pmo client.secret')!;
    expect(transferred.loc?.line).toBe(lineOf(echo, 'caps: [secret]'));
    expect(kernel.state.connections[17]!.connCapInClient).toBe(6);
  });

  it('shows Mach ports with their queues and XNU node tables per machine', () => {
    const rpc = run(path.join(ROOT, 'examples/mach-rpc.kscn')).views.kernelObjects();
    const ports = rpc.roots.find((r) => r.label === 'Ports')!;
    expect(ports.children!.length).toBeGreaterThan(0);
    expect(ports.children!.every((p) => p.children!.some((c) => c.label === 'queue'))).toBe(true);
    const nodes = run(path.join(ROOT, 'examples/mach-nodes.kscn')).views.kernelObjects();
    const tables = nodes.roots.find((r) => r.label === 'Node tables')!;
    expect(tables.children!.map((t) => t.label)).toEqual(['a', 'b']);
    expect(tables.children![0]!.children!.some((n) => n.label === 'node 0 (local)')).toBe(true);
  });
});

describe('the custom requests and event through the session', () => {
  let adapter: Adapter;
  beforeEach(async () => {
    adapter = await startInProcess();
  });
  afterEach(async () => {
    await adapter.stop();
  });

  it('sends kscn/ipcEventsChanged on each stop and answers kscn/ipcEvents and kscn/kernelObjects', async () => {
    const dc = adapter.client;
    const program = fixture('echo.kscn');
    const changed = dc.waitForEvent(IPC_EVENTS_CHANGED_EVENT) as Promise<DebugProtocol.Event>;
    const stop = await launch(dc, { type: 'kscn', request: 'launch', name: 'views', program } as never, { breakpoints: [{ line: marker(program, 'CALL2') }] });
    const first = (await changed).body as { total: number; generation: number; step: number };
    expect(first.total).toBe(4);
    const page = (await dc.customRequest(IPC_EVENTS_REQUEST, { start: 0, count: 10 })).body as IpcEventsBody;
    expect(page.events.map((r) => r.category)).toEqual(['call', 'return', 'call', 'return']);
    expect(page.step).toBe(first.step);
    expect(page.file).toBe(program);
    const objects = (await dc.customRequest(KERNEL_OBJECTS_REQUEST)).body as KernelObjectsBody;
    expect(find(objects.roots, (n) => n.kind === 'connection')?.children?.length).toBe(2);
    // The next stop announces the new events.
    const again = dc.waitForEvent(IPC_EVENTS_CHANGED_EVENT) as Promise<DebugProtocol.Event>;
    await resumeAndStop(dc, () => dc.nextRequest({ threadId: stop.body.threadId! }));
    expect(((await again).body as { total: number }).total).toBe(6);
  });

  it('a restart starts a new generation, so the views start again', async () => {
    const dc = adapter.client;
    const program = fixture('echo.kscn');
    const args = { type: 'kscn', request: 'launch', name: 'views', program } as never;
    const changed = dc.waitForEvent(IPC_EVENTS_CHANGED_EVENT) as Promise<DebugProtocol.Event>;
    await launch(dc, args, { breakpoints: [{ line: marker(program, 'PRINT_DONE') }] });
    const before = (await changed).body as { total: number; generation: number };
    expect(before.total).toBe(6);
    const again = dc.waitForEvent(IPC_EVENTS_CHANGED_EVENT) as Promise<DebugProtocol.Event>;
    await resumeAndStop(dc, () => dc.customRequest('restart', { arguments: args }));
    const after = (await again).body as { total: number; generation: number };
    expect(after.generation).not.toBe(before.generation);
    expect(after.total).toBe(6);
  });

  it('an arrow is a moment kscn/goToMoment can go to', async () => {
    const dc = adapter.client;
    const program = fixture('echo.kscn');
    const stop = await launch(dc, { type: 'kscn', request: 'launch', name: 'views', program } as never, { breakpoints: [{ line: marker(program, 'PRINT_DONE') }] });
    const page = (await dc.customRequest(IPC_EVENTS_REQUEST, { start: 0, count: 10 })).body as IpcEventsBody;
    const call = page.events[2]!;
    const moved = dc.waitForEvent('stopped');
    const answer = await dc.customRequest('kscn/goToMoment', { eventIndex: call.eventIndex, at: 'after', step: call.step }).catch((error: Error) => error);
    expect(answer).not.toBeInstanceOf(Error);
    await moved;
    const after = (await dc.customRequest(IPC_EVENTS_REQUEST, { start: 0, count: 10 })).body as IpcEventsBody;
    // The whole recorded run stays listed; the current moment is right after the call.
    expect(after.total).toBe(page.total);
    expect(after.step).toBe(call.step);
    const top = (await dc.stackTraceRequest({ threadId: stop.body.threadId! })).body.stackFrames[0]!;
    expect(top.line).not.toBe(marker(program, 'PRINT_DONE'));
  });
});
