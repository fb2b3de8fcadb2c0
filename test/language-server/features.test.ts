// Every language feature, through a real JSON-RPC connection to the server running in-process.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CodeAction, CodeLens, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, FoldingRange, Hover, InlayHint, Location,
  MarkupContent, SemanticTokens, SignatureHelp, SymbolInformation, TextEdit, WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { SYSCALLS, BUILTINS } from '../../kernel/syscalls';
import { NAMED_CONSTANTS } from '../../kernel/constants';
import { formatDocument } from '../../language/core/index';
import { SEMANTIC_TOKENS_LEGEND } from '../../language/server/semanticTokens';
import { ECHO } from './fixtures';
import { applyEdits, inProcessServer, positionOf, textOf, withMarkers, type TestClient } from './harness';

let client: TestClient;
const echo = withMarkers(ECHO);
let echoUri: string;

beforeAll(async () => {
  client = inProcessServer(20);
  await client.initialize();
  echoUri = (await client.openAndWait(echo.text)).uri;
});

afterAll(async () => {
  await client.shutdown();
});

/** Opens a fixture with a `/*|*\/` cursor and returns the completion labels there. */
async function completionLabels(source: string): Promise<string[]> {
  const { text, position } = withMarkers(source);
  const uri = await client.open(text);
  const result = await client.at<CompletionList | CompletionItem[] | null>('textDocument/completion', uri, position);
  await client.close(uri);
  const items = result === null ? [] : Array.isArray(result) ? result : result.items;
  return items.map((item) => item.label);
}

/** Wraps statements in a process with a pmo, a thread and a connection local. */
function inThread(statements: string): string {
  return `process server {
  thread main {
    register_server(register_thread: reg)
  }
  thread reg register runs on_reg
  routine on_reg(declared) {
    ipc_register_cb_return(handler: reg, server_shm: 0x5000_0000)
  }
}
process client {
  pmo shm size 4KiB
  thread worker {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let count = 3
${statements}
  }
  routine helper(arg) {
    yield()
  }
}
`;
}

describe('completion', () => {
  it('offers the top-level keywords and snippets outside any declaration', async () => {
    const labels = await completionLabels('/*|*/');
    expect(labels).toEqual(expect.arrayContaining(['scenario', 'machine', 'process', 'process block']));
    expect(labels).not.toContain('let');
    expect(labels).not.toContain('pmo');
  });

  it('offers process items inside a process and statements inside a block', async () => {
    const processLabels = await completionLabels('process p {\n  /*|*/\n}\n');
    expect(processLabels).toEqual(expect.arrayContaining(['pmo', 'thread', 'routine', 'cap', 'thread block']));
    expect(processLabels).not.toContain('let');
    const blockLabels = await completionLabels(inThread('    /*|*/'));
    expect(blockLabels).toEqual(expect.arrayContaining(['let', 'expect', 'print', 'if', 'repeat', 'break', 'ipc_call', 'store64', 'repeat block']));
    expect(blockLabels).not.toContain('pmo');
    expect(blockLabels).not.toContain('process');
  });

  it('offers machine properties in a machine and thread options in a thread header', async () => {
    expect(await completionLabels('machine m {\n  /*|*/\n}\n')).toEqual(['cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model', 'mpu_regions']);
    expect(await completionLabels('machine m {\n  byte_order /*|*/\n}\n')).toEqual(['little', 'big']);
    expect(await completionLabels('machine m {\n  data_model /*|*/\n}\n')).toEqual(['lp64', 'ilp32']);
    const options = await completionLabels('process p {\n  thread t /*|*/\n}\n');
    expect(options).toEqual(expect.arrayContaining(['user', 'register', 'shadow', 'kernel', 'priority', 'cpu', 'runs']));
    expect(await completionLabels('process p /*|*/')).toEqual(['on', 'badge', 'tock']);
  });

  it('offers link and fault declarations at the top level, and each word of them in turn', async () => {
    const machines = 'machine a {\n}\nmachine b {\n}\nprocess server on a {\n  thread main {\n  }\n}\n';
    expect(await completionLabels(`${machines}/*|*/`)).toEqual(expect.arrayContaining(['link', 'fault', 'link declaration', 'fault declaration']));
    expect(await completionLabels(`${machines}link /*|*/`)).toEqual(['a', 'b']);
    expect(await completionLabels(`${machines}link a /*|*/`)).toEqual(['<->']);
    expect(await completionLabels(`${machines}link a <-> /*|*/`)).toEqual(['b']);
    expect(await completionLabels(`${machines}link a <-> b /*|*/`)).toEqual(['latency']);
    expect(await completionLabels(`${machines}fault /*|*/`)).toEqual(['at', 'on']);
    expect(await completionLabels(`${machines}fault on /*|*/`)).toEqual(expect.arrayContaining(['ipc_call', 'yield', 'kill']));
    expect(await completionLabels(`${machines}fault on ipc_call /*|*/`)).toEqual(['by', 'count', 'kill', 'link', 'crash', 'drop']);
    expect(await completionLabels(`${machines}fault on ipc_call by /*|*/`)).toEqual(['server']);
    expect(await completionLabels(`${machines}fault on ipc_call by server.main count 2 /*|*/`)).toEqual(['kill', 'link', 'crash', 'drop']);
    expect(await completionLabels(`${machines}fault at 100 /*|*/`)).toEqual(['kill', 'link', 'crash', 'drop']);
    expect(await completionLabels(`${machines}fault at 100 kill /*|*/`)).toEqual(['server']);
    expect(await completionLabels(`${machines}fault at 100 kill server./*|*/`)).toEqual(['main']);
    expect(await completionLabels(`${machines}fault at 100 crash /*|*/`)).toEqual(['a', 'b']);
    expect(await completionLabels(`${machines}fault at 100 crash a /*|*/`)).toEqual(['restart']);
    expect(await completionLabels(`${machines}fault at 100 crash a restart /*|*/`)).toEqual(['after']);
    expect(await completionLabels(`${machines}fault at 100 link a <-> b /*|*/`)).toEqual(['down', 'up']);
    expect(await completionLabels(`${machines}fault on yield drop b <-> /*|*/`)).toEqual(['a']);
    expect(await completionLabels(`${machines}fault on yield drop b <-> a /*|*/`)).toEqual(['count']);
  });

  it('offers the syscall with its required arguments as a snippet', async () => {
    const { text, position } = withMarkers(inThread('    /*|*/'));
    const uri = await client.open(text);
    const list = await client.at<CompletionList>('textDocument/completion', uri, position);
    const registerClient = list.items.find((item) => item.label === 'register_client')!;
    expect(registerClient.insertText).toBe('register_client(server: ${1:server})$0');
    expect(registerClient.insertTextFormat).toBe(2);
    const ipcCall = list.items.find((item) => item.label === 'ipc_call')!;
    expect(ipcCall.insertText).toBe('ipc_call(conn: ${1:conn})$0');
    expect(list.items.find((item) => item.label === 'msg_data')?.insertText).toBeUndefined();
  });

  it('offers a connection where conn is expected, and argument names', async () => {
    const labels = await completionLabels(inThread('    let r = ipc_call(/*|*/'));
    expect(labels).toEqual(expect.arrayContaining(['conn', 'conn:', 'data:', 'caps:']));
    expect(labels).not.toContain('shm');
    expect(labels).not.toContain('count');
    const afterComma = await completionLabels(inThread('    let r = ipc_call(conn, /*|*/'));
    expect(afterComma).toEqual(expect.arrayContaining(['data:', 'caps:', 'msg:']));
    const named = await completionLabels(inThread('    let r = ipc_call(conn: /*|*/'));
    expect(named).toContain('conn');
    expect(named).not.toContain('shm');
  });

  it('offers threads where a thread is expected, including other processes\' threads', async () => {
    const labels = await completionLabels(inThread('    let c2 = register_client(server: /*|*/'));
    expect(labels).toEqual(expect.arrayContaining(['worker', 'server.main', 'server.reg']));
    expect(labels).not.toContain('shm');
    expect(labels).not.toContain('conn');
    expect(labels).not.toContain('EINVAL');
  });

  it('offers pmos for shm and routines for runs and routine:', async () => {
    const shm = await completionLabels(inThread('    let c2 = register_client(server: server.main, shm: /*|*/'));
    expect(shm).toContain('shm');
    expect(shm).not.toContain('worker');
    const runs = await completionLabels('process p {\n  thread t shadow runs /*|*/\n  routine serve(msg) {\n  }\n  routine other() {\n  }\n}\n');
    expect(runs).toEqual(['serve', 'other']);
    const routineArgument = await completionLabels(
      'process p {\n  thread main {\n    register_server(register_thread: reg, routine: /*|*/)\n  }\n  thread reg register runs serve\n  routine serve(msg) {\n  }\n}\n',
    );
    expect(routineArgument).toEqual(['serve']);
  });

  it('offers capabilities inside caps: [ ]', async () => {
    const labels = await completionLabels(inThread('    ipc_call(conn, caps: [/*|*/'));
    expect(labels).toEqual(expect.arrayContaining(['shm', 'worker']));
  });

  it('offers error constants after == -, sorted first', async () => {
    const { text, position } = withMarkers(inThread('    let r = 1\n    expect r == -/*|*/'));
    const uri = await client.open(text);
    const list = await client.at<CompletionList>('textDocument/completion', uri, position);
    const sorted = [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
    expect(sorted[0]!.kind).toBe(20); // EnumMember
    const labels = list.items.map((item) => item.label);
    for (const name of ['EINVAL', 'EIPCRETRY', 'ECAPBILITY', 'KERN_NODE_DOWN', 'NODEVICE']) expect(labels).toContain(name);
    const einval = list.items.find((item) => item.label === 'EINVAL')!;
    expect(einval.detail).toContain(String(NAMED_CONSTANTS.get('EINVAL')));
  });

  it('completes qualified process members', async () => {
    const labels = await completionLabels(inThread('    let c2 = register_client(server: server./*|*/'));
    expect(labels).toEqual(['main', 'reg']);
    const all = await completionLabels(inThread('    let o = cap_object(client, 2) == client./*|*/'));
    expect(all).toEqual(expect.arrayContaining(['shm', 'worker']));
  });

  it('works while typing at the end of unclosed blocks', async () => {
    const head = 'machine m {\n  cpus 1\n}\nprocess p on m {\n  pmo s size 4KiB\n  thread t {\n    let c = 3\n';
    const statement = await completionLabels(`${head}    /*|*/`);
    expect(statement).toEqual(expect.arrayContaining(['let', 'expect', 'c', 'ipc_call']));
    const argument = await completionLabels(`${head}    map(s, /*|*/`);
    expect(argument).toEqual(expect.arrayContaining(['addr:', 'writable:', 'c', 's']));
    expect(argument).not.toContain('pmo:');
    const multiLine = await completionLabels(`${head}    ipc_call(\n      c,\n      /*|*/`);
    expect(multiLine).toEqual(expect.arrayContaining(['data:', 'caps:']));
    expect(multiLine).not.toContain('conn:');
    expect(multiLine).not.toContain('let');
    expect(await completionLabels('machine m {\n  cpus 1\n}\nprocess p on /*|*/')).toEqual(['m']);
    expect(await completionLabels('process p {\n  /*|*/')).toEqual(expect.arrayContaining(['pmo', 'thread']));
  });

  it('offers nothing in comments and strings', async () => {
    expect(await completionLabels(inThread('    # ipc_/*|*/'))).toEqual([]);
    expect(await completionLabels(inThread('    print "ipc_/*|*/'))).toEqual([]);
  });

  it('offers builtins and locals in expressions', async () => {
    const labels = await completionLabels(inThread('    expect /*|*/'));
    expect(labels).toEqual(expect.arrayContaining(['conn', 'count', 'conn_valid', 'thread_state', 'TS_WAITING']));
    expect(labels).not.toContain('ipc_call');
  });
});

describe('hover', () => {
  it('documents a syscall from the kernel table with every error code and its seed rows', async () => {
    const hover = await client.at<Hover>('textDocument/hover', echoUri, echo.markers['ipcCall']!);
    const value = (hover.contents as MarkupContent).value;
    const spec = SYSCALLS.find((s) => s.name === 'ipc_call')!;
    expect(value).toContain(spec.summary);
    expect(value).toContain(spec.returns);
    for (const parameter of spec.params) expect(value).toContain(`\`${parameter.name}\``);
    for (const error of spec.errors) {
      expect(value).toContain(`\`${error.code}\` when ${error.when}`);
      for (const row of error.rows) expect(value).toContain(row);
    }
    expect(textOf(echo.text, hover.range!)).toBe('ipc_call');
  });

  it('documents every syscall\'s errors (register_server)', async () => {
    const hover = await client.at<Hover>('textDocument/hover', echoUri, echo.markers['registerServer']!);
    const value = (hover.contents as MarkupContent).value;
    const spec = SYSCALLS.find((s) => s.name === 'register_server')!;
    expect(spec.errors.length).toBeGreaterThan(0);
    for (const error of spec.errors) expect(value).toContain(error.when);
    expect(value).toContain('CH-RSRV-01');
  });

  it('documents builtins, constants, names and named arguments', async () => {
    const builtin = BUILTINS.find((b) => b.name === 'msg_data')!;
    const position = positionOf(echo.text, echo.text.indexOf('msg_data') + 2);
    const builtinHover = await client.at<Hover>('textDocument/hover', echoUri, position);
    expect((builtinHover.contents as MarkupContent).value).toContain(builtin.summary);

    const constant = await client.at<Hover>('textDocument/hover', echoUri, echo.markers['einval']!);
    const constantText = (constant.contents as MarkupContent).value;
    expect(constantText).toContain('EINVAL');
    expect(constantText).toContain(String(NAMED_CONSTANTS.get('EINVAL')));
    expect(constantText).toContain('ChCore');

    const shm = await client.at<Hover>('textDocument/hover', echoUri, echo.markers['shmDecl']!);
    const shmText = (shm.contents as MarkupContent).value;
    expect(shmText).toContain('pmo shm');
    expect(shmText).toContain('slot **2**');
    expect(shmText).toContain(`line ${echo.markers['shmDecl']!.line + 1}`);

    const argument = await client.at<Hover>('textDocument/hover', echoUri, echo.markers['dataArg']!);
    expect((argument.contents as MarkupContent).value).toContain('Message data');
  });

  it('returns null where there is nothing to say', async () => {
    expect(await client.at('textDocument/hover', echoUri, { line: 1, character: 0 })).toBeNull();
  });
});

describe('signature help', () => {
  it('tracks the active parameter, positional and named', async () => {
    const { text, markers } = withMarkers(inThread('    let r = ipc_call(/*a*/conn, /*b*/\n    let q = register_client(server: server.main, shm: /*c*/shm)'));
    const uri = await client.open(text);
    const first = await client.at<SignatureHelp>('textDocument/signatureHelp', uri, markers['a']!);
    expect(first.signatures[0]!.label).toBe('ipc_call(conn, data?, caps?, msg?, cap_num?)');
    expect(first.activeParameter).toBe(0);
    const second = await client.at<SignatureHelp>('textDocument/signatureHelp', uri, markers['b']!);
    expect(second.activeParameter).toBe(1);
    const named = await client.at<SignatureHelp>('textDocument/signatureHelp', uri, markers['c']!);
    const signature = named.signatures[0]!;
    const [start, end] = signature.parameters![named.activeParameter!]!.label as [number, number];
    expect(signature.label.slice(start, end)).toBe('shm?');
    expect(await client.at('textDocument/signatureHelp', uri, { line: 0, character: 0 })).toBeNull();
  });
});

describe('navigation', () => {
  it('goes to the definition of a thread from its use and of a qualified member', async () => {
    const definition = await client.at<Location>('textDocument/definition', echoUri, echo.markers['regUse']!);
    expect(definition.range.start).toEqual(echo.markers['regDecl']);
    const member = await client.at<Location>('textDocument/definition', echoUri, echo.markers['qualifiedMember']!);
    expect(member.range.start).toEqual(echo.markers['serverMain']);
  });

  it('finds references, with and without the declaration', async () => {
    const withDeclaration = await client.at<Location[]>('textDocument/references', echoUri, echo.markers['msgUse']!, { context: { includeDeclaration: true } });
    expect(withDeclaration.map((l) => textOf(echo.text, l.range))).toEqual(['msg', 'msg', 'msg', 'msg']);
    expect(withDeclaration[0]!.range.start).toEqual(echo.markers['msgDecl']);
    const without = await client.at<Location[]>('textDocument/references', echoUri, echo.markers['msgUse']!, { context: { includeDeclaration: false } });
    expect(without).toHaveLength(3);
  });

  it('renames a declaration and all its uses, qualified ones included', async () => {
    const prepared = await client.at<{ range: unknown; placeholder: string }>('textDocument/prepareRename', echoUri, echo.markers['serverMain']!);
    expect(prepared.placeholder).toBe('main');
    const edit = await client.at<WorkspaceEdit>('textDocument/rename', echoUri, echo.markers['serverMain']!, { newName: 'listener' });
    const edits = edit.changes![echoUri]!;
    expect(edits).toHaveLength(2);
    const renamed = applyEdits(echo.text, edits);
    expect(renamed).toContain('thread listener {');
    expect(renamed).toContain('server: server.listener');
    expect(renamed).toContain('  thread main {\n    let conn'); // the client's main is another thread
  });

  it('refuses keywords, syscalls, invalid identifiers and conflicting names', async () => {
    const keyword = client.at('textDocument/prepareRename', echoUri, positionOf(echo.text, echo.text.indexOf('process server') + 2));
    await expect(keyword).rejects.toThrow(/keyword/);
    const syscall = client.at('textDocument/prepareRename', echoUri, echo.markers['ipcCall']!);
    await expect(syscall).rejects.toThrow(/syscall/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['connDecl']!, { newName: '1abc' })).rejects.toThrow(/not a valid name/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['connDecl']!, { newName: 'let' })).rejects.toThrow(/keyword/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['connDecl']!, { newName: 'ipc_call' })).rejects.toThrow(/syscall/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['connDecl']!, { newName: 'r2' })).rejects.toThrow(/already declared/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['shmDecl']!, { newName: 'secret' })).rejects.toThrow(/already declared/);
    await expect(client.at('textDocument/rename', echoUri, echo.markers['regDecl']!, { newName: 'handler' })).rejects.toThrow(/already declared/);
    // A name used in another process is fine.
    const ok = await client.at<WorkspaceEdit>('textDocument/rename', echoUri, echo.markers['shmDecl']!, { newName: 'handler' });
    expect(ok.changes![echoUri]!.length).toBe(2);
  });

  it('highlights the occurrences of a name', async () => {
    const highlights = await client.at<{ range: unknown; kind: number }[]>('textDocument/documentHighlight', echoUri, echo.markers['connUse']!);
    expect(highlights.length).toBe(5);
  });
});

describe('symbols', () => {
  it('outlines machines and processes with their pmos, threads, routines and caps', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: echoUri } });
    expect(symbols.map((s) => s.name)).toEqual(['board', 'server', 'client']);
    const server = symbols[1]!;
    expect(server.children!.map((c) => c.name)).toEqual(['main', 'reg', 'handler', 'on_register', 'echo']);
    expect(symbols[2]!.children!.map((c) => c.name)).toEqual(['shm', 'secret', 'main']);
    expect(symbols[2]!.children![0]!.detail).toContain('boot slot 2');
    const withCap = await client.open('process a {\n  thread t {\n  }\n}\nprocess b {\n  cap peer = a.t\n  thread u {\n  }\n}\n');
    const capSymbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: withCap } });
    expect(capSymbols[1]!.children!.map((c) => c.name)).toEqual(['peer', 'u']);
  });

  it('outlines links and faults in source order', async () => {
    const uri = await client.open(
      'machine a {\n}\nlink a <-> b latency 5\nmachine b {\n}\nprocess p on a {\n  thread t {\n  }\n}\nfault on ipc_call by p.t count 2 kill p\nfault at 1_000 link b <-> a down\n',
    );
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => [s.name, s.kind, s.detail])).toEqual([
      ['a', 23, expect.stringContaining('machine a')],
      ['a <-> b', 11, 'link, latency 5 cycles'],
      ['b', 23, expect.stringContaining('machine b')],
      ['p', 2, expect.stringContaining('process p')],
      ['fault on ipc_call by p.t count 2: kill p', 24, 'fault injection'],
      ['fault at 1_000: link b <-> a down', 24, 'fault injection'],
    ]);
    expect(symbols[1]!.selectionRange).toEqual({ start: { line: 2, character: 5 }, end: { line: 2, character: 12 } });
    expect(symbols[4]!.range).toEqual({ start: { line: 9, character: 0 }, end: { line: 9, character: 39 } });
  });

  it('finds symbols in open documents', async () => {
    const symbols = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'on_reg' });
    expect(symbols.some((s) => s.name === 'on_register' && s.location.uri === echoUri && s.containerName === 'server')).toBe(true);
  });
});

describe('semantic tokens', () => {
  function decode(data: number[], text: string): { text: string; type: string; modifiers: string[] }[] {
    const lines = text.split('\n');
    const result: { text: string; type: string; modifiers: string[] }[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      character = data[i]! === 0 ? character + data[i + 1]! : data[i + 1]!;
      const modifiers = SEMANTIC_TOKENS_LEGEND.tokenModifiers.filter((_, bit) => (data[i + 4]! & (1 << bit)) !== 0);
      result.push({ text: lines[line]!.slice(character, character + data[i + 2]!), type: SEMANTIC_TOKENS_LEGEND.tokenTypes[data[i + 3]!]!, modifiers });
    }
    return result;
  }

  it('classifies declarations, references, syscalls, builtins, constants and literals', async () => {
    const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: echoUri } });
    const decoded = decode(tokens.data, echo.text);
    const find = (text: string, type: string): { modifiers: string[] } | undefined => decoded.find((t) => t.text === text && t.type === type);
    expect(find('# Echo: one client, one server.', 'comment')).toBeDefined();
    expect(find('scenario', 'keyword')).toBeDefined();
    expect(find('"echo"', 'string')).toBeDefined();
    expect(find('board', 'machine')!.modifiers).toContain('declaration');
    expect(find('server', 'process')).toBeDefined();
    expect(find('reg', 'thread')).toBeDefined();
    expect(find('echo', 'routine')).toBeDefined();
    expect(find('shm', 'pmo')).toBeDefined();
    expect(find('msg', 'parameter')).toBeDefined();
    expect(find('conn', 'variable')).toBeDefined();
    expect(find('ipc_call', 'function')!.modifiers).not.toContain('defaultLibrary');
    expect(find('msg_data', 'function')!.modifiers).toContain('defaultLibrary');
    expect(find('EINVAL', 'enumMember')!.modifiers).toContain('readonly');
    expect(find('0x5000_0000', 'number')).toBeDefined();
    expect(find('16MiB', 'number')).toBeDefined();
    expect(find('size', 'keyword')).toBeDefined();
    expect(find('data', 'parameter')).toBeDefined();
  });

  it('returns only the tokens of a range', async () => {
    const range = { start: { line: 11, character: 0 }, end: { line: 12, character: 100 } };
    const tokens = await client.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument: { uri: echoUri }, range });
    const decoded = decode(tokens.data, echo.text);
    expect(decoded.length).toBeGreaterThan(3);
    expect(decoded.map((t) => t.text)).toContain('register_server');
    expect(decoded.map((t) => t.text)).not.toContain('scenario');
  });
});

describe('folding', () => {
  it('folds declarations, blocks and comment runs', async () => {
    const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: echoUri } });
    const lines = echo.text.split('\n');
    const starts = ranges.map((r) => lines[r.startLine]!.trim());
    expect(starts).toEqual(expect.arrayContaining(['machine board {', 'process server on board badge 1 {', 'routine echo(msg, badge) {', 'if msg_cap_count(msg) > 0 {']));
    const comment = ranges.find((r) => r.kind === 'comment')!;
    expect(comment).toEqual({ startLine: 0, endLine: 2, kind: 'comment' });
    const process = ranges.find((r) => lines[r.startLine]!.startsWith('process server'))!;
    expect(lines[process.endLine + 1]).toBe('}');
  });
});

describe('formatting', () => {
  it('formats through the core formatter and is idempotent', async () => {
    const uri = await client.open('process p {\n    thread t {\n  yield()\n    }\n}\n');
    const edits = await client.request<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    const source = 'process p {\n    thread t {\n  yield()\n    }\n}\n';
    const formatted = applyEdits(source, edits ?? []);
    expect(formatted).toBe(formatDocument(source));
    const uri2 = await client.open(formatted);
    const again = await client.request<TextEdit[] | null>('textDocument/formatting', { textDocument: { uri: uri2 }, options: { tabSize: 2, insertSpaces: true } });
    expect(again ?? []).toEqual([]);
  });
});

describe('code actions', () => {
  async function fixAndRecheck(source: string, titlePattern: RegExp): Promise<{ fixed: string; before: Diagnostic[]; after: Diagnostic[] }> {
    const { uri, diagnostics } = await client.openAndWait(source);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostics[0]!.range,
      context: { diagnostics },
    });
    const action = actions.find((a) => titlePattern.test(a.title));
    expect(action, `no action matching ${titlePattern} in ${actions.map((a) => a.title).join(', ')}`).toBeDefined();
    const fixed = applyEdits(source, action!.edit!.changes![uri]!);
    const after = (await client.openAndWait(fixed)).diagnostics;
    return { fixed, before: diagnostics, after };
  }

  it('replaces a misspelt syscall with the suggestion', async () => {
    const result = await fixAndRecheck('process p {\n  thread t {\n    yeild()\n  }\n}\n', /Change 'yeild' to 'yield'/);
    expect(result.before.map((d) => d.code)).toContain('unknown-call');
    expect(result.fixed).toContain('    yield()');
    expect(result.after).toEqual([]);
  });

  it('declares a missing pmo in the right process', async () => {
    const source = 'process server {\n  thread main {\n    yield()\n  }\n}\nprocess client {\n  thread main {\n    expect object_of(3) == server.buf\n  }\n}\n';
    const result = await fixAndRecheck(source, /Declare pmo 'buf'/);
    expect(result.fixed).toContain('process server {\n  pmo buf size 4KiB\n  thread main {');
    expect(result.after.filter((d) => d.severity === 1)).toEqual([]);
  });

  it('adds the missing machine to a process header', async () => {
    const source = 'machine a {\n  cpus 1\n}\nmachine b {\n  cpus 1\n}\nprocess p {\n  thread t {\n    yield()\n  }\n}\n';
    const result = await fixAndRecheck(source, /Add 'on a'/);
    expect(result.before.map((d) => d.code)).toEqual(['missing-machine']);
    expect(result.fixed).toContain('process p on a {');
    expect(result.after).toEqual([]);
  });

  it('declares a missing thread and a missing routine', async () => {
    const thread = await fixAndRecheck('process p {\n  thread main {\n    let c = register_client(server: peer)\n  }\n}\n', /Declare thread 'peer'/);
    expect(thread.fixed).toContain('  thread peer {\n  }\n');
    expect(thread.after.filter((d) => d.code === 'undefined-name')).toEqual([]);
    const routine = await fixAndRecheck('process p {\n  thread h shadow runs serve\n}\n', /Declare routine 'serve'/);
    expect(routine.fixed).toContain('  routine serve() {\n  }\n}');
    expect(routine.after.filter((d) => d.code === 'undefined-name')).toEqual([]);
  });
});

describe('code lens and inlay hints', () => {
  it('puts Run and Debug above the scenario with the document URI', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: echoUri } });
    expect(lenses.map((l) => l.command!.command)).toEqual(['kscn.runScenario', 'kscn.debugScenario']);
    expect(lenses[0]!.command!.arguments).toEqual([echoUri]);
    expect(lenses[0]!.range.start.line).toBe(3);
  });

  it('shows boot slots and positional parameter names', async () => {
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri: echoUri },
      range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } },
    });
    const at = (marker: string): string[] => {
      const position = echo.markers[marker]!;
      return hints.filter((h) => h.position.line === position.line).map((h) => String(h.label));
    };
    expect(at('shmDecl')).toEqual(['slot 2']);
    expect(at('regDecl')).toEqual(['slot 3']);
    expect(at('ipcCall')).toEqual(['conn:']);
    expect(at('qualifiedMember')).toContain('slot 5');
    const source = withMarkers('process a {\n  thread t/*t*/ {\n  }\n}\nprocess b {\n  cap peer/*cap*/ = a.t\n  thread u/*thread*/ {\n  }\n}\n');
    const uri = await client.open(source.text);
    const capHints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
    // Own objects come first in the boot table, then caps: u is slot 2, peer slot 3.
    expect(capHints.map((h) => [h.position, h.label])).toEqual([
      [source.markers['t'], 'slot 2'],
      [source.markers['cap'], 'slot 3'],
      [source.markers['thread'], 'slot 2'],
    ]);
  });
});

describe('debug support requests', () => {
  it('finds the evaluatable name or qualified name under the cursor', async () => {
    const conn = await client.at<{ expression: string }>('kscn/evaluatableExpression', echoUri, echo.markers['connUse']!);
    expect(conn.expression).toBe('conn');
    const head = await client.at<{ expression: string }>('kscn/evaluatableExpression', echoUri, echo.markers['qualifiedHead']!);
    expect(head.expression).toBe('server.main');
    const member = await client.at<{ expression: string }>('kscn/evaluatableExpression', echoUri, echo.markers['qualifiedMember']!);
    expect(member.expression).toBe('server.main');
    expect(await client.at('kscn/evaluatableExpression', echoUri, echo.markers['ipcCall']!)).toBeNull();
  });

  it('lists the locals named in a range of lines', async () => {
    const line = echo.markers['ipcCall']!.line;
    const values = await client.request<{ variableName: string; range: { start: { line: number } } }[]>('kscn/inlineValues', {
      textDocument: { uri: echoUri },
      range: { start: { line: line - 4, character: 0 }, end: { line: line + 1, character: 200 } },
    });
    expect(values.map((v) => v.variableName)).toEqual(['conn', 'conn', 'conn', 'r', 'conn', 'r', 'r']);
    const standard = await client.request<{ variableName: string }[]>('textDocument/inlineValue', {
      textDocument: { uri: echoUri },
      range: { start: { line: line - 4, character: 0 }, end: { line: line + 1, character: 200 } },
      context: { frameId: 1, stoppedLocation: { start: { line, character: 0 }, end: { line, character: 10 } } },
    });
    expect(standard.map((v) => v.variableName)).toEqual(['conn', 'conn', 'conn', 'r']);
  });
});
