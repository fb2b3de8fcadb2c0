// Test harness for the debug adapter: fixtures with `# MARKER` lines, the session started
// in-process on a TCP port (fast), or the bundled dist/debug-adapter.js over stdio.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { KscnDebugSession } from '../../debug-adapter/session';
import type { KscnLaunchArguments } from '../../debug-adapter/launchArguments';
import type { FileAccessor } from '../../debug-adapter/fileAccess';

export const ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/debug');
export const DIST_ADAPTER = path.join(ROOT, 'dist/debug-adapter.js');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** The 1-based line of the line ending in `# NAME`. */
export function marker(file: string, name: string): number {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const index = lines.findIndex((line) => new RegExp(`#\\s*${name}\\s*$`).test(line));
  if (index < 0) throw new Error(`no marker ${name} in ${file}`);
  return index + 1;
}

/** Launch arguments for `program` plus `extra`; typed `never` so they fit every request and helper signature the tests hand them to. */
export const launchArgs = (program: string, extra: Record<string, unknown> = {}) => ({ type: 'kscn', request: 'launch', name: 'test', program, ...extra }) as never;

export interface Adapter {
  readonly client: DebugClient;
  stop(): Promise<void>;
}

/** Starts a session in this process behind a TCP server on 127.0.0.1 and connects a client to it. */
export async function startInProcess(files?: FileAccessor): Promise<Adapter> {
  const server = net.createServer((socket) => {
    const session = new KscnDebugSession(files ? { files } : undefined);
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('close', () => session.dispose());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = new DebugClient('node', 'unused', 'kscn');
  client.defaultTimeout = 10_000;
  await client.start(port);
  return {
    client,
    stop: async () => {
      await client.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function newestSource(): number {
  let newest = 0;
  for (const folder of ['debug-adapter', 'kernel', 'language/core']) {
    for (const file of readdirSync(path.join(ROOT, folder))) {
      if (file.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(ROOT, folder, file)).mtimeMs);
    }
  }
  return newest;
}

/** Bundles dist/debug-adapter.js like scripts/build.mjs if it is missing or older than its sources. */
export async function ensureBundle(): Promise<void> {
  if (existsSync(DIST_ADAPTER) && statSync(DIST_ADAPTER).mtimeMs >= newestSource()) return;
  await build({
    entryPoints: [path.join(ROOT, 'debug-adapter/main.ts')],
    outfile: DIST_ADAPTER,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

/** Starts dist/debug-adapter.js as a child process speaking DAP over stdio. */
export async function startBundled(): Promise<Adapter> {
  await ensureBundle();
  const client = new DebugClient('node', DIST_ADAPTER, 'kscn');
  client.defaultTimeout = 10_000;
  await client.start();
  return { client, stop: () => client.stop() };
}

export interface LaunchOptions {
  readonly breakpoints?: readonly DebugProtocol.SourceBreakpoint[];
  readonly functionBreakpoints?: readonly DebugProtocol.FunctionBreakpoint[];
  readonly exceptionFilters?: readonly DebugProtocol.ExceptionFilterOptions[];
}

/** initialize → launch → (initialized) breakpoints → configurationDone; resolves with the first stop. */
export async function launch(client: DebugClient, args: KscnLaunchArguments, options: LaunchOptions = {}): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await Promise.all([
    client.initializeRequest({ adapterID: 'kscn', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsMemoryReferences: true } as DebugProtocol.InitializeRequestArguments),
    client.waitForEvent('initialized').then(async () => {
      if (options.breakpoints) await client.setBreakpointsRequest({ source: { path: args.program }, breakpoints: [...options.breakpoints] });
      if (options.functionBreakpoints) await client.setFunctionBreakpointsRequest({ breakpoints: [...options.functionBreakpoints] });
      if (options.exceptionFilters) await client.setExceptionBreakpointsRequest({ filters: [], filterOptions: [...options.exceptionFilters] });
      await client.configurationDoneRequest();
    }),
    client.launch(args),
  ]);
  return stopped;
}

export interface Position {
  readonly line: number;
  readonly name: string;
  readonly frames: DebugProtocol.StackFrame[];
  readonly threadName: string;
}

/** Where a thread is: its top frame's line and name, and the whole stack. */
export async function where(client: DebugClient, threadId: number): Promise<Position> {
  const stack = await client.stackTraceRequest({ threadId });
  const threads = await client.threadsRequest();
  const frames = stack.body.stackFrames;
  return { line: frames[0]?.line ?? -1, name: frames[0]?.name ?? '', frames, threadName: threads.body.threads.find((t) => t.id === threadId)?.name ?? '' };
}

/** Sends a step or continue and waits for the next stop. */
export async function resumeAndStop(client: DebugClient, send: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await send();
  return stopped;
}

/** The variables of a named scope of the top frame. */
export async function scopeVariables(client: DebugClient, threadId: number, scope: string, frameIndex = 0): Promise<DebugProtocol.Variable[]> {
  const stack = await client.stackTraceRequest({ threadId });
  const frameId = stack.body.stackFrames[frameIndex]!.id;
  const scopes = await client.scopesRequest({ frameId });
  const found = scopes.body.scopes.find((s) => s.name.startsWith(scope));
  if (!found) throw new Error(`no scope ${scope}: ${scopes.body.scopes.map((s) => s.name).join(', ')}`);
  return (await client.variablesRequest({ variablesReference: found.variablesReference })).body.variables;
}
