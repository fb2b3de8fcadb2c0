// Test harness: runs the language server over a real JSON-RPC connection, either the esbuild
// bundle as a child process (`--stdio`) or in-process over a pair of streams, and a small client
// with helpers for documents, requests and published diagnostics. Cursor markers `/*|*/` (or
// named ones, `/*1*/`) are stripped from fixture text and turned into LSP positions.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { build } from 'esbuild';
import {
  createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection,
} from 'vscode-jsonrpc/node';
import type {
  Diagnostic, Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import {
  createConnection, ProposedFeatures, StreamMessageReader as ServerStreamReader, StreamMessageWriter as ServerStreamWriter,
} from 'vscode-languageserver/node';
import { startLanguageServer } from '../../language/server/server';

const ROOT = path.resolve(__dirname, '../..');
let bundlePromise: Promise<string> | undefined;

/** Bundles language/server/main.ts the way scripts/build.mjs does, into a temporary directory. */
export function buildServerBundle(): Promise<string> {
  bundlePromise ??= (async () => {
    const outfile = path.join(mkdtempSync(path.join(os.tmpdir(), 'kscn-ls-')), 'language-server.js');
    const options = {
      entryPoints: [path.join(ROOT, 'language/server/main.ts')],
      outfile,
      bundle: true,
      platform: 'node' as const,
      format: 'cjs' as const,
      target: 'node20',
      logLevel: 'silent' as const,
    };
    // Retry once: a file esbuild reads (package.json) may be mid-write by another tool.
    try {
      await build(options);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await build(options);
    }
    return outfile;
  })();
  return bundlePromise;
}

export interface Cursor {
  readonly text: string;
  /** The position of `/*|*\/`. */
  readonly position: Position;
  /** Positions of named markers `/*name*\/`. */
  readonly markers: Record<string, Position>;
}

/** Strips `/*|*\/` and `/*name*\/` markers, returning their LSP positions in the stripped text. */
export function withMarkers(source: string): Cursor {
  const markers: Record<string, Position> = {};
  let text = '';
  let last = 0;
  const pattern = /\/\*([A-Za-z0-9_|]+)\*\//g;
  for (let match = pattern.exec(source); match !== null; match = pattern.exec(source)) {
    text += source.slice(last, match.index);
    last = match.index + match[0].length;
    markers[match[1]!] = positionOf(text, text.length);
  }
  text += source.slice(last);
  return { text, position: markers['|'] ?? { line: 0, character: 0 }, markers };
}

export function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The text a range covers. */
export function textOf(text: string, range: Range): string {
  return text.slice(offsetOf(text, range.start), offsetOf(text, range.end));
}

export function offsetOf(text: string, position: Position): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < position.line; i++) offset += lines[i]!.length + 1;
  return offset + position.character;
}

/** Applies LSP text edits to a text (non-overlapping, any order). */
export function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offsetOf(result, edit.range.start)) + edit.newText + result.slice(offsetOf(result, edit.range.end));
  return result;
}

export class TestClient {
  readonly diagnostics: PublishDiagnosticsParams[] = [];
  private readonly waiters: (() => void)[] = [];
  private versions = new Map<string, number>();
  private nextDocument = 0;

  constructor(readonly connection: MessageConnection, private readonly stop: () => void) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.push(params);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.onRequest('workspace/semanticTokens/refresh', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
  }

  async initialize(workspaceFolders: string[] = []): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
      workspaceFolders: workspaceFolders.map((folder) => ({ uri: `file://${folder}`, name: path.basename(folder) })),
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Opens a document (a fresh URI unless given) and returns its URI. */
  async open(text: string, uri = `file:///test/doc${this.nextDocument++}.kscn`): Promise<string> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'kscenario', version: 1, text } });
    return uri;
  }

  /** Sends one change; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R = any>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** A position request on a document. */
  at<R = any>(method: string, uri: string, position: Position, extra: Record<string, unknown> = {}): Promise<R> {
    return this.request<R>(method, { textDocument: { uri }, position, ...extra });
  }

  /** Waits for a diagnostics publication matching a predicate (already received ones count). */
  async waitForDiagnostics(predicate: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 20_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.diagnostics.find(predicate);
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for diagnostics');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Opens a document and waits for its first diagnostics. */
  async openAndWait(text: string, uri?: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
    const opened = await this.open(text, uri);
    const published = await this.waitForDiagnostics((p) => p.uri === opened && p.version === 1);
    return { uri: opened, diagnostics: published.diagnostics };
  }

  async shutdown(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    this.connection.dispose();
    this.stop();
  }
}

/** Spawns the bundled server (`node language-server.js --stdio`). */
export async function spawnServer(): Promise<TestClient & { child: ChildProcess }> {
  const bundle = await buildServerBundle();
  const child = spawn(process.execPath, [bundle, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr!.on('data', () => undefined);
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client = new TestClient(connection, () => child.kill()) as TestClient & { child: ChildProcess };
  (client as { child: ChildProcess }).child = child;
  return client;
}

/** Runs the server in this process over two PassThrough streams. */
export function inProcessServer(diagnosticsDelay?: number): TestClient {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(ProposedFeatures.all, new ServerStreamReader(toServer), new ServerStreamWriter(toClient));
  startLanguageServer(serverConnection, diagnosticsDelay !== undefined ? { diagnosticsDelay } : {});
  const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  return new TestClient(connection, () => {
    serverConnection.dispose();
    toServer.end();
    toClient.end();
  });
}
