// Debug adapter benchmark: step latency (request → stopped → stackTrace, scopes, variables of the
// top frame) over 1,000 steps, launch to first stop, and one page of 100 variables in a
// 100,000-slot capability table. The session runs in-process over an in-memory DAP stream.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { PassThrough } from 'node:stream';
import type { FileAccessor } from './fileAccess';
import type { KscnLaunchArguments } from './launchArguments';
import { KscnDebugSession } from './session';

/**
 * The echo-loop scenario both adapter benchmarks debug: a client calls an echo server `iterations`
 * times (a numeric literal) and sums the replies; `extra` adds a client pmo line and a last loop
 * statement.
 */
export function echoLoopScenario(name: string, iterations: string, extra: { pmo?: string; body?: string } = {}): string {
  return `scenario "${name}"

process server badge 1 {
  thread main {
    let r = register_server(register_thread: reg, routine: echo)
  }
  thread reg register runs on_register
  thread handler shadow runs echo

  routine on_register(declared) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }

  routine echo(msg, badge) {
    let x = msg_data(msg, 0)
    ipc_return(x + 1)
  }
}

process client badge 7 {
  pmo shm size 4KiB
${extra.pmo === undefined ? '' : `  ${extra.pmo}\n`}
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let total = 0
    repeat ${iterations} as i {
      let r = ipc_call(conn, data: [i])
      total = total + r
${extra.body === undefined ? '' : `      ${extra.body}\n`}    }
  }
}
`;
}

/** A file accessor over in-memory texts, keyed by path. */
export function memoryFileAccessor(files: Record<string, string>): FileAccessor {
  return {
    readFile: async (file) => {
      const text = files[file];
      if (text === undefined) throw new Error(`no such file ${file}`);
      return text;
    },
    normalize: (file) => file,
  };
}

/** Milliseconds rounded to three decimals for the printed figures. */
export const round = (n: number): number => Math.round(n * 1000) / 1000;

const LOOP_SCENARIO = echoLoopScenario('bench-echo', '100_000');
const LOOP_FIRST_LINE = LOOP_SCENARIO.split('\n').findIndex((line) => line.includes('let total = 0')) + 1;

const BIG_SCENARIO = `process big {
  pmo box size 4KiB

  thread main {
    repeat 100_000 {
      cap_copy(cap: box, to: big)
    }
    let n = cap_count(big)
  }
}
`;
const BIG_LINE = BIG_SCENARIO.split('\n').findIndex((line) => line.includes('let n')) + 1;

const FILES: Record<string, string> = { '/bench/loop.kscn': LOOP_SCENARIO, '/bench/big.kscn': BIG_SCENARIO };

const memoryFiles = memoryFileAccessor(FILES);

/** A minimal DAP client over in-memory streams. */
export class InProcessClient {
  private readonly toSession = new PassThrough();
  private readonly fromSession = new PassThrough();
  private readonly session: KscnDebugSession;
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (response: DebugProtocol.Response) => void>();
  private readonly waiters = new Map<string, ((event: DebugProtocol.Event) => void)[]>();

  constructor(files: FileAccessor = memoryFiles) {
    this.session = new KscnDebugSession({ files });
    this.session.setRunAsServer(true);
    this.session.start(this.toSession, this.fromSession);
    this.fromSession.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1] ?? 0);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as DebugProtocol.ProtocolMessage;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (message.type === 'response') {
        const response = message as DebugProtocol.Response;
        this.pending.get(response.request_seq)?.(response);
        this.pending.delete(response.request_seq);
      } else if (message.type === 'event') {
        const event = message as DebugProtocol.Event;
        const list = this.waiters.get(event.event);
        const waiter = list?.shift();
        if (waiter) waiter(event);
      }
    }
  }

  request<T extends DebugProtocol.Response>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    const json = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, (response) => (response.success ? resolve(response as T) : reject(new Error(response.message))));
      this.toSession.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
    });
  }

  waitFor<T extends DebugProtocol.Event>(event: string): Promise<T> {
    return new Promise<T>((resolve) => {
      const list = this.waiters.get(event) ?? [];
      list.push(resolve as (event: DebugProtocol.Event) => void);
      this.waiters.set(event, list);
    });
  }

  async launch(args: KscnLaunchArguments, line: number): Promise<DebugProtocol.StoppedEvent> {
    const initialized = this.waitFor('initialized');
    const stopped = this.waitFor<DebugProtocol.StoppedEvent>('stopped');
    await this.request('initialize', { adapterID: 'kscn', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const launched = this.request('launch', args);
    await initialized;
    await this.request('setBreakpoints', { source: { path: args.program }, breakpoints: [{ line }] });
    await this.request('configurationDone');
    await launched;
    return stopped;
  }

  close(): void {
    this.session.dispose();
    this.toSession.end();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

export async function benchDebugAdapter(): Promise<{ stepP50: number; stepP95: number; launchToFirstStopMs: number; pageOf100Ms: number }> {
  // Launch to first stop, then 1,000 steps over ipc_call in a loop.
  const client = new InProcessClient();
  const launchStart = performance.now();
  const first = await client.launch({ type: 'kscn', request: 'launch', name: 'bench', program: '/bench/loop.kscn' } as KscnLaunchArguments, LOOP_FIRST_LINE);
  const launchToFirstStopMs = performance.now() - launchStart;
  await client.request('setBreakpoints', { source: { path: '/bench/loop.kscn' }, breakpoints: [] });
  const thread = first.body.threadId!;
  const samples: number[] = [];
  const linesSeen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const start = performance.now();
    const stopped = client.waitFor('stopped');
    await client.request('next', { threadId: thread });
    await stopped;
    const stack = await client.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: thread, startFrame: 0, levels: 20 });
    const scopes = await client.request<DebugProtocol.ScopesResponse>('scopes', { frameId: stack.body.stackFrames[0]!.id });
    await client.request('variables', { variablesReference: scopes.body.scopes[0]!.variablesReference });
    samples.push(performance.now() - start);
    linesSeen.add(stack.body.stackFrames[0]!.line);
  }
  // The loop body has three statements: a step that did not move would make the figures meaningless.
  if (linesSeen.size < 3) throw new Error(`benchmark steps did not move (lines ${[...linesSeen].join(', ')})`);
  client.close();
  samples.sort((a, b) => a - b);

  // Pages of 100 in a 100,000-slot table.
  const big = new InProcessClient();
  const bigStop = await big.launch({ type: 'kscn', request: 'launch', name: 'bench', program: '/bench/big.kscn', capTableSize: 200_000 } as KscnLaunchArguments, BIG_LINE);
  const stack = await big.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: bigStop.body.threadId! });
  const scopes = await big.request<DebugProtocol.ScopesResponse>('scopes', { frameId: stack.body.stackFrames[0]!.id });
  const table = scopes.body.scopes.find((s) => s.name.startsWith('Capability group'))!;
  const pages = 200;
  const pageStart = performance.now();
  for (let i = 0; i < pages; i++) {
    const start = ((i * 7919) % 1000) * 100;
    await big.request('variables', { variablesReference: table.variablesReference, filter: 'indexed', start, count: 100 });
  }
  const pageOf100Ms = (performance.now() - pageStart) / pages;
  big.close();

  return { stepP50: round(percentile(samples, 0.5)), stepP95: round(percentile(samples, 0.95)), launchToFirstStopMs: round(launchToFirstStopMs), pageOf100Ms: round(pageOf100Ms) };
}
