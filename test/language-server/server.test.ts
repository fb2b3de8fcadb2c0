// The bundled server as a child process over stdio: capabilities, diagnostics (related
// information, codes, versions, coalescing), workspace symbols from disk, and bad input.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fork } from 'node:child_process';
import { CancellationTokenSource, createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeResult, SymbolInformation } from 'vscode-languageserver-protocol';
import { buildServerBundle, spawnServer, textOf, withMarkers, type TestClient } from './harness';
import type { ChildProcess } from 'node:child_process';

let client: TestClient & { child: ChildProcess };
let initializeResult: InitializeResult;
let workspace: string;

beforeAll(async () => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'kscn-ws-'));
  writeFileSync(path.join(workspace, 'alpha.kscn'), 'process alpha_server {\n  thread alpha_main {\n  }\n}\n');
  mkdirSync(path.join(workspace, 'nested'));
  writeFileSync(path.join(workspace, 'nested', 'beta.kscn'), 'machine beta_board {\n  cpus 2\n}\nprocess beta_client {\n  pmo beta_shm size 4KiB\n}\n');
  mkdirSync(path.join(workspace, 'node_modules'));
  writeFileSync(path.join(workspace, 'node_modules', 'gamma.kscn'), 'process gamma_hidden {\n}\n');
  client = await spawnServer();
  initializeResult = (await client.initialize([workspace])) as InitializeResult;
});

afterAll(async () => {
  await client.shutdown();
});

describe('capabilities', () => {
  it('announces every feature', () => {
    const capabilities = initializeResult.capabilities;
    expect(capabilities.textDocumentSync).toEqual({ openClose: true, change: 2 });
    for (const key of [
      'completionProvider', 'hoverProvider', 'signatureHelpProvider', 'definitionProvider', 'referencesProvider', 'renameProvider',
      'documentSymbolProvider', 'workspaceSymbolProvider', 'semanticTokensProvider', 'foldingRangeProvider',
      'documentFormattingProvider', 'codeActionProvider', 'codeLensProvider', 'inlayHintProvider', 'inlineValueProvider',
    ] as const) {
      expect(capabilities[key], key).toBeTruthy();
    }
    expect(capabilities.renameProvider).toEqual({ prepareProvider: true });
    expect(capabilities.semanticTokensProvider).toMatchObject({ full: true, range: true });
  });
});

describe('transports', () => {
  it('also speaks over Node IPC, as the extension starts it', async () => {
    const bundle = await buildServerBundle();
    const child = fork(bundle, ['--node-ipc'], { silent: true });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      expect(result.capabilities.hoverProvider).toBe(true);
      await connection.sendRequest('shutdown');
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});

describe('diagnostics', () => {
  it('publishes diagnostics with codes, related information and the version', async () => {
    const source = 'process p {\n  pmo buf size 4KiB\n  pmo buf size 8KiB\n  thread t {\n    yeild()\n  }\n}\n';
    const { uri, diagnostics } = await client.openAndWait(source);
    const duplicate = diagnostics.find((d) => d.code === 'duplicate-name')!;
    expect(duplicate.severity).toBe(1);
    expect(duplicate.source).toBe('kscn');
    expect(duplicate.range.start).toEqual({ line: 2, character: 6 });
    expect(duplicate.relatedInformation).toEqual([
      { message: "'buf' is first declared here", location: { uri, range: { start: { line: 1, character: 6 }, end: { line: 1, character: 9 } } } },
    ]);
    const unknown = diagnostics.find((d) => d.code === 'unknown-call')!;
    expect(textOf(source, unknown.range)).toBe('yeild');
    expect(unknown.message).toContain("did you mean 'yield'");
  });

  it('coalesces 20 rapid edits into one publication for the final version', async () => {
    const { uri } = await client.openAndWait('process p {\n  thread t {\n    \n  }\n}\n');
    const before = client.diagnostics.length;
    const word = 'yeild()';
    const sends: Promise<number>[] = [];
    // 7 characters typed one by one, then 13 edits that add and remove a comment: 20 edits in all.
    for (let i = 0; i < word.length; i++) {
      sends.push(client.change(uri, [{ range: { start: { line: 2, character: 4 + i }, end: { line: 2, character: 4 + i } }, text: word[i]! }]));
    }
    for (let i = 0; i < 13; i++) {
      const range = i % 2 === 0
        ? { start: { line: 0, character: 11 }, end: { line: 0, character: 11 } }
        : { start: { line: 0, character: 11 }, end: { line: 0, character: 15 } };
      sends.push(client.change(uri, [{ range, text: i % 2 === 0 ? ' # x' : '' }]));
    }
    const versions = await Promise.all(sends);
    const finalVersion = versions[versions.length - 1]!;
    expect(finalVersion).toBe(21);
    const final = await client.waitForDiagnostics((p) => p.uri === uri && p.version === finalVersion);
    const publications = client.diagnostics.slice(before).filter((p) => p.uri === uri);
    expect(publications).toHaveLength(1);
    expect(final.diagnostics.map((d) => d.code)).toEqual(['unknown-call']);
    expect(final.diagnostics[0]!.range).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 9 } });
  });

  it('keeps incremental edits straight when they race full replacements', async () => {
    const { uri } = await client.openAndWait('process a {\n}\n');
    const sends = [
      client.change(uri, [{ text: 'process b {\n  thread t {\n  }\n}\n' }]),
      client.change(uri, [{ range: { start: { line: 2, character: 2 }, end: { line: 2, character: 2 } }, text: '  yield()\n  ' }]),
      client.change(uri, [
        { range: { start: { line: 0, character: 8 }, end: { line: 0, character: 9 } }, text: 'renamed' },
        { range: { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } }, text: 'thread_exit' },
      ]),
      // A range past the end of the document is clamped, not fatal.
      client.change(uri, [{ range: { start: { line: 99, character: 0 }, end: { line: 120, character: 5 } }, text: '# end\n' }]),
    ];
    const versions = await Promise.all(sends);
    const final = await client.waitForDiagnostics((p) => p.uri === uri && p.version === versions[versions.length - 1]);
    expect(final.diagnostics).toEqual([]);
    const symbols = await client.request<{ name: string; children?: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['renamed']);
  });

  it('clears diagnostics when a document closes', async () => {
    const { uri, diagnostics } = await client.openAndWait('process p {\n  thread t {\n    yeild()\n  }\n}\n');
    expect(diagnostics.length).toBeGreaterThan(0);
    await client.close(uri);
    const cleared = await client.waitForDiagnostics((p) => p.uri === uri && p.diagnostics.length === 0);
    expect(cleared.diagnostics).toEqual([]);
  });
});

describe('workspace symbols', () => {
  it('finds symbols in .kscn files on disk and in open documents, skipping node_modules', async () => {
    const open = await client.open('process alpha_open {\n}\n');
    const symbols = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'alpha' });
    const names = symbols.map((s) => s.name).sort();
    expect(names).toEqual(['alpha_main', 'alpha_open', 'alpha_server']);
    const alphaMain = symbols.find((s) => s.name === 'alpha_main')!;
    expect(alphaMain.location.uri).toBe(pathToFileURL(path.join(workspace, 'alpha.kscn')).toString());
    expect(alphaMain.containerName).toBe('alpha_server');
    expect(alphaMain.location.range.start).toEqual({ line: 1, character: 9 });
    const beta = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'beta' });
    expect(beta.map((s) => s.name).sort()).toEqual(['beta_board', 'beta_client', 'beta_shm']);
    expect(await client.request<SymbolInformation[]>('workspace/symbol', { query: 'gamma' })).toEqual([]);
    await client.close(open);
  });
});

describe('bad input', () => {
  const POSITION_METHODS = [
    'textDocument/hover', 'textDocument/completion', 'textDocument/signatureHelp', 'textDocument/definition',
    'textDocument/documentHighlight', 'kscn/evaluatableExpression',
  ];
  const DOCUMENT_METHODS = [
    'textDocument/documentSymbol', 'textDocument/semanticTokens/full', 'textDocument/foldingRange', 'textDocument/formatting', 'textDocument/codeLens',
  ];

  async function everyRequest(uri: string, position: unknown): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const method of POSITION_METHODS) results.push(await client.request(method, { textDocument: { uri }, position }));
    results.push(await client.request('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } }));
    for (const method of DOCUMENT_METHODS) results.push(await client.request(method, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }));
    const range = { start: position, end: position };
    results.push(await client.request('textDocument/semanticTokens/range', { textDocument: { uri }, range }));
    results.push(await client.request('textDocument/inlayHint', { textDocument: { uri }, range }));
    results.push(await client.request('kscn/inlineValues', { textDocument: { uri }, range }));
    results.push(await client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } }));
    return results;
  }

  it('answers null or empty for unknown documents', async () => {
    const results = await everyRequest('file:///nowhere/unknown.kscn', { line: 0, character: 0 });
    for (const result of results) expect(result === null || (Array.isArray(result) && result.length === 0) || (result as { data?: unknown[] }).data?.length === 0).toBe(true);
    // Edits and closes of unknown documents are ignored.
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///nowhere/x.kscn', version: 3 }, contentChanges: [{ text: 'x' }] });
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///nowhere/x.kscn' } });
  });

  it('clamps out-of-range and malformed positions', async () => {
    const { uri } = await client.openAndWait(withMarkers('process p {\n  thread t {\n    yield()\n  }\n}\n').text);
    for (const position of [{ line: 1_000_000, character: 5 }, { line: 2, character: 10_000 }, { line: -3, character: -1 }, { line: 1.5, character: 2.5 }, null, { line: 'x' }]) {
      await everyRequest(uri, position);
    }
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 5 } })).not.toBeNull();
  });

  it('survives binary garbage, lone surrogates and control characters', async () => {
    let seed = 7;
    let garbage = '';
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      garbage += String.fromCharCode(seed % 0xffff);
    }
    garbage += '\ud800\udc00\udfff\ud800process {{{ ]]] ((( "unterminated \\x';
    const { uri, diagnostics } = await client.openAndWait(garbage);
    expect(diagnostics.length).toBeGreaterThan(0);
    await everyRequest(uri, { line: 0, character: 3 });
    await everyRequest(uri, { line: 5, character: 1 });
    expect(await client.request('textDocument/hover', { textDocument: { uri: 'file:///x' }, position: { line: 0, character: 0 } })).toBeNull();
  });

  it('decodes invalid UTF-8 on the wire without dying', async () => {
    const uri = 'file:///test/invalid-utf8.kscn';
    const prefix = Buffer.from(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"${uri}","languageId":"kscenario","version":1,"text":"process p {\\n  thread t {\\n    print \\"`);
    const body = Buffer.concat([prefix, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), Buffer.from('\\"\\n  }\\n}\\n"}}}')]);
    client.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
    const published = await client.waitForDiagnostics((p) => p.uri === uri);
    expect(published.version).toBe(1);
    await everyRequest(uri, { line: 2, character: 10 });
  });

  it('handles a 5 MB document', async () => {
    const line = '    let value = ipc_call(conn, data: [1, 2, 3])  # padding padding padding padding\n';
    const big = `process p {\n  thread t {\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}  }\n}\n`;
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    const { uri, diagnostics } = await client.openAndWait(big);
    expect(diagnostics.map((d: Diagnostic) => d.code)).toEqual(['file-too-large']);
    await everyRequest(uri, { line: 1000, character: 10 });
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# top\n' }]);
    await client.close(uri);
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })).toBeNull();
  });

  it('honours cancellation and keeps serving afterwards', async () => {
    const { uri } = await client.openAndWait('process p {\n  thread t {\n    yield()\n  }\n}\n');
    for (const method of ['workspace/symbol', 'textDocument/references', 'textDocument/formatting']) {
      const source = new CancellationTokenSource();
      const params = method === 'workspace/symbol'
        ? { query: '' }
        : { textDocument: { uri }, position: { line: 2, character: 5 }, context: { includeDeclaration: true }, options: { tabSize: 2, insertSpaces: true } };
      const pending = client.connection.sendRequest(method, params, source.token);
      source.cancel();
      // Either the server saw the cancellation (RequestCancelled) or it had already answered.
      await pending.then(
        (result) => expect(result === null || Array.isArray(result)).toBe(true),
        (error: { code?: number }) => expect(error.code).toBe(-32800),
      );
    }
    expect(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 5 } })).not.toBeNull();
  });
});
