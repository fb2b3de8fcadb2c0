// Completion: keywords for the construct around the cursor, syscalls and builtins with snippets,
// names in scope of the kind the argument expects, argument names inside a call, constants and
// `process.` members. The context comes from the tokens of the current line and the analysis.

import {
  CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList,
} from 'vscode-languageserver';
import {
  lex, LineIndex, type Analysis, type SymbolDeclaration, type SymbolKind, type Token,
} from '../core/index';
import { BUILTINS, SYSCALLS, type BuiltinSpec, type ParameterKind, type SyscallSpec } from '../../kernel/syscalls';
import { NAMED_CONSTANTS, constantFamily } from '../../kernel/constants';
import { callContextAt, MAX_PREFIX } from './calls';
import { matchesQuery } from './outline';
import { enclosingAt, lineStartOf, wordAt, type Enclosing } from './syntax';

const TOP_LEVEL_KEYWORDS = ['scenario', 'machine', 'process', 'link', 'fault'] as const;
const MACHINE_PROPERTIES = ['cpus', 'memory', 'timeslice', 'nodes', 'byte_order', 'data_model', 'mpu_regions'] as const;
const MACHINE_PROPERTY_VALUES: Readonly<Record<string, readonly string[]>> = { byte_order: ['little', 'big'], data_model: ['lp64', 'ilp32'] };
const PROCESS_ITEM_KEYWORDS = ['pmo', 'thread', 'routine', 'cap'] as const;
const THREAD_OPTIONS = ['user', 'register', 'shadow', 'kernel', 'priority', 'cpu', 'runs'] as const;
const FAULT_TRIGGERS = ['at', 'on'] as const;
const FAULT_ACTIONS = ['kill', 'link', 'crash', 'drop'] as const;
const STATEMENT_KEYWORDS = ['let', 'expect', 'print', 'if', 'repeat', 'break', 'continue'] as const;
const EXPRESSION_KEYWORDS = ['true', 'false', 'not'] as const;

interface SnippetSpec {
  readonly label: string;
  readonly body: string;
  readonly doc: string;
}

const TOP_LEVEL_SNIPPETS: readonly SnippetSpec[] = [
  { label: 'machine block', body: 'machine ${1:board} {\n\tcpus ${2:1}\n\tmemory ${3:64MiB}\n\ttimeslice ${4:10_000}\n}\n$0', doc: 'An emulated machine.' },
  { label: 'process block', body: 'process ${1:name} {\n\tthread ${2:main} {\n\t\t$0\n\t}\n}', doc: 'A process with one user thread.' },
  {
    label: 'IPC server process',
    body:
      'process ${1:server} {\n\tthread main {\n\t\tlet r = register_server(register_thread: reg, routine: ${2:serve})\n\t\texpect r == 0\n\t}\n' +
      '\tthread reg register runs on_register\n\tthread handler shadow runs ${2:serve}\n\n' +
      '\troutine on_register(declared_routine) {\n\t\tipc_register_cb_return(handler: handler, server_shm: ${3:0x5000_0000})\n\t}\n\n' +
      '\troutine ${2:serve}(msg, badge) {\n\t\t$0ipc_return(0)\n\t}\n}',
    doc: 'A server: main registers, a register thread finishes registrations, a shadow thread serves calls.',
  },
  { label: 'link declaration', body: 'link ${1:a} <-> ${2:b} latency ${3:1000}', doc: 'A link between two machines (the FLIPC transport), latency in cycles.' },
  { label: 'fault declaration', body: 'fault ${1|at 10_000,on ipc_call|} ${2|kill,crash,link,drop|} $0', doc: 'Fault injection: a trigger (a time, or the n-th entry into a syscall) and an action.' },
];

const PROCESS_SNIPPETS: readonly SnippetSpec[] = [
  { label: 'thread block', body: 'thread ${1:main} {\n\t$0\n}', doc: 'A user thread: starts at boot.' },
  { label: 'thread runs', body: 'thread ${1:handler} ${2|shadow,register|} runs ${3:routine}', doc: 'A passive thread that runs a routine.' },
  { label: 'routine block', body: 'routine ${1:name}(${2:msg}) {\n\t$0\n}', doc: 'A routine; its parameters are bound to arg0..arg3.' },
  { label: 'pmo declaration', body: 'pmo ${1:shm} size ${2:4KiB}', doc: 'A physical memory object.' },
];

const BLOCK_SNIPPETS: readonly SnippetSpec[] = [
  { label: 'if block', body: 'if ${1:condition} {\n\t$0\n}', doc: 'Runs the block when the condition holds.' },
  { label: 'repeat block', body: 'repeat ${1:10} as ${2:i} {\n\t$0\n}', doc: 'Runs the block at most N times.' },
  {
    label: 'register_client retry loop',
    body: 'let ${1:conn} = -1\nrepeat ${2:100} {\n\t${1:conn} = register_client(server: ${3:server.main}, shm: ${4:shm}, addr: ${5:0x4000_0000})\n\tif ${1:conn} >= 0 {\n\t\tbreak\n\t}\n\tyield()\n}\n$0',
    doc: 'Registers with a server, retrying while it answers -EIPCRETRY.',
  },
];

const SYMBOL_ITEM_KIND: Record<SymbolKind, CompletionItemKind> = {
  machine: CompletionItemKind.Unit,
  process: CompletionItemKind.Module,
  pmo: CompletionItemKind.Struct,
  thread: CompletionItemKind.Class,
  routine: CompletionItemKind.Method,
  cap: CompletionItemKind.Reference,
  local: CompletionItemKind.Variable,
  param: CompletionItemKind.Variable,
};

const ERROR_FAMILIES: ReadonlySet<string> = new Set(['chcore', 'mach', 'tock']);

/** The analysis plus the offset of the cursor: everything completion needs. */
export function completions(analysis: Analysis, offset: number): CompletionList {
  const items = computeCompletions(analysis, offset);
  let scenarioItems = 0;
  for (const item of items) if (!isVocabulary(item)) scenarioItems++;
  if (scenarioItems <= MAX_SCENARIO_ITEMS) return { isIncomplete: false, items };
  // A huge scenario: filter its names by the word being typed and ask the editor to come back as
  // it grows. The language's own vocabulary (keywords, syscalls, builtins, constants, argument
  // names, snippets) is never cut, so a growing syscall table cannot push any of it out.
  const typed = wordAt(analysis.text, offset);
  const prefix = typed !== undefined && typed.end === offset ? typed.text : '';
  const matching = prefix === '' ? items : items.filter((item) => matchesQuery(item.label, prefix));
  const key = (item: CompletionItem): string => item.sortText ?? item.label;
  const names = matching.filter((item) => !isVocabulary(item));
  names.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { isIncomplete: true, items: [...matching.filter(isVocabulary), ...names.slice(0, MAX_SCENARIO_ITEMS)] };
}

/** Items that come from the language and the kernel tables rather than from the scenario. */
function isVocabulary(item: CompletionItem): boolean {
  switch (item.kind) {
    case CompletionItemKind.Keyword:
    case CompletionItemKind.Function:
    case CompletionItemKind.EnumMember:
    case CompletionItemKind.Field:
    case CompletionItemKind.Snippet:
      return true;
    default:
      return false;
  }
}

/** The most scenario names one completion answer carries; beyond it they are filtered and incomplete. */
const MAX_SCENARIO_ITEMS = 200;
/** Other processes' objects are listed qualified (`server.main`) only up to this many. */
const MAX_QUALIFIED_ITEMS = 60;

interface LineContext {
  /** Tokens on the line before the word being typed (newlines and EOF removed). */
  readonly before: readonly Token[];
  readonly inCommentOrString: boolean;
}

function lineContext(analysis: Analysis, offset: number): LineContext {
  const lineStart = Math.max(lineStartOf(analysis, offset), offset - MAX_PREFIX);
  const prefix = analysis.text.slice(lineStart, offset);
  const lexed = lex(prefix, new LineIndex(prefix));
  if (lexed.comments.some((c) => c.end >= prefix.length)) return { before: [], inCommentOrString: true };
  const tokens = lexed.tokens.filter((t) => t.kind !== 'newline' && t.kind !== 'eof');
  const last = tokens[tokens.length - 1];
  if (last?.kind === 'string' && last.end === prefix.length && (last.text.length < 2 || !last.text.endsWith('"'))) {
    return { before: [], inCommentOrString: true };
  }
  const typing = last !== undefined && (last.kind === 'name' || last.kind === 'keyword') && last.end === prefix.length;
  return { before: typing ? tokens.slice(0, -1) : tokens, inCommentOrString: false };
}

function computeCompletions(analysis: Analysis, offset: number): CompletionItem[] {
  const context = lineContext(analysis, offset);
  if (context.inCommentOrString) return [];
  const before = context.before;
  const texts = before.map((t) => t.text);
  const last = texts[texts.length - 1];
  const enclosing = enclosingAt(analysis, offset);

  // `proc.` member completion, wherever it appears.
  if (last === '.' && before.length >= 2 && before[before.length - 2]!.kind === 'name') {
    return memberCompletions(analysis, before[before.length - 2]!.text, enclosing, offset);
  }

  if (enclosing.machine !== undefined) {
    if (!enclosing.inBody) return [];
    if (before.length === 0) return keywordItems(MACHINE_PROPERTIES);
    const values = before.length === 1 ? MACHINE_PROPERTY_VALUES[texts[0]!] : undefined;
    return values !== undefined ? keywordItems(values) : [];
  }
  if (enclosing.process === undefined) {
    if (texts[0] === 'link') return linkCompletions(analysis, texts);
    if (texts[0] === 'fault') return faultCompletions(analysis, texts);
    if (before.length > 0) return [];
    const keywords = analysis.ast.scenario === undefined && analysis.ast.items.length === 0 ? TOP_LEVEL_KEYWORDS : TOP_LEVEL_KEYWORDS.slice(1);
    return [...keywordItems(keywords), ...snippetItems(TOP_LEVEL_SNIPPETS)];
  }
  if (!enclosing.inBody) {
    // Process header: `process name on board badge 3 {`.
    if (last === 'on') return declarationItems(analysis.symbols.declarationsIn(undefined).filter((d) => d.kind === 'machine'));
    if (before.length >= 2 && texts[0] === 'process') return keywordItems(['on', 'badge', 'tock']);
    return [];
  }
  if (enclosing.body === undefined) return processItemCompletions(analysis, enclosing, texts);
  // A line of its own may still continue a call that spans lines.
  if (before.length === 0 && callContextAt(analysis, offset) === undefined) return statementCompletions(analysis, offset, enclosing);
  return expressionCompletions(analysis, offset, before, enclosing);
}

function machineItems(analysis: Analysis, except?: string): CompletionItem[] {
  return declarationItems(analysis.symbols.declarationsIn(undefined).filter((d) => d.kind === 'machine' && d.name !== except));
}

function processNameItems(analysis: Analysis): CompletionItem[] {
  return declarationItems(analysis.symbols.declarationsIn(undefined).filter((d) => d.kind === 'process'));
}

/** `link A <-> B [latency N]`. */
function linkCompletions(analysis: Analysis, texts: readonly string[]): CompletionItem[] {
  if (texts.length === 1) return machineItems(analysis);
  if (texts.length === 2) return keywordItems(['<->']);
  if (texts.length === 3 && texts[2] === '<->') return machineItems(analysis, texts[1]);
  if (texts.length === 4) return keywordItems(['latency']);
  return [];
}

/** `fault (at T | on S [by X] [count N]) (kill X | link A <-> B down|up | crash M [restart after N] | drop A <-> B [count N])`. */
function faultCompletions(analysis: Analysis, texts: readonly string[]): CompletionItem[] {
  if (texts.length === 1) return keywordItems(FAULT_TRIGGERS);
  const last = texts[texts.length - 1]!;
  // Where the action starts: after `at T`, or at the first action word after `on S`.
  let actionAt = -1;
  if (texts[1] === 'at') actionAt = texts.length >= 3 ? 3 : -1;
  else if (texts[1] === 'on') {
    for (let i = 3; i < texts.length; i++) {
      if ((FAULT_ACTIONS as readonly string[]).includes(texts[i]!) && texts[i - 1] !== 'by' && texts[i - 1] !== 'count') {
        actionAt = i;
        break;
      }
    }
  } else return [];
  if (actionAt < 0 || texts.length <= actionAt) {
    // Still in the trigger.
    if (texts[1] === 'at') return texts.length === 3 ? keywordItems(FAULT_ACTIONS) : [];
    if (texts.length === 2) return SYSCALLS.map((spec) => ({ label: spec.name, kind: CompletionItemKind.Function, detail: `syscall ${spec.name}`, sortText: `1${spec.name}` }));
    if (last === 'by') return processNameItems(analysis);
    if (last === 'count') return [];
    const given = new Set(texts.slice(3));
    return keywordItems([...(['by', 'count'] as const).filter((w) => !given.has(w)), ...FAULT_ACTIONS]);
  }
  const action = texts.slice(actionAt);
  switch (action[0]) {
    case 'kill':
      return action.length === 1 ? processNameItems(analysis) : [];
    case 'crash':
      if (action.length === 1) return machineItems(analysis);
      if (action.length === 2) return keywordItems(['restart']);
      if (action.length === 3 && last === 'restart') return keywordItems(['after']);
      return [];
    case 'link':
    case 'drop':
      if (action.length === 1) return machineItems(analysis);
      if (action.length === 2) return keywordItems(['<->']);
      if (action.length === 3 && last === '<->') return machineItems(analysis, action[1]);
      if (action.length === 4) return keywordItems(action[0] === 'link' ? ['down', 'up'] : ['count']);
      return [];
    default:
      return [];
  }
}

function processItemCompletions(analysis: Analysis, enclosing: Enclosing, texts: readonly string[]): CompletionItem[] {
  const processName = enclosing.process!.name.name;
  if (texts.length === 0) return [...keywordItems(PROCESS_ITEM_KEYWORDS), ...snippetItems(PROCESS_SNIPPETS)];
  const first = texts[0];
  const last = texts[texts.length - 1];
  if (first === 'thread') {
    if (last === 'runs') return declarationItems(analysis.symbols.declarationsIn(processName).filter((d) => d.kind === 'routine'));
    if (last === 'priority' || last === 'cpu') return [];
    if (texts.length >= 2) return keywordItems(THREAD_OPTIONS);
    return [];
  }
  if (first === 'pmo') {
    if (texts.length === 2) return keywordItems(['size']);
    if (texts.length === 4 && texts[2] === 'size') return keywordItems(['at']);
    return [];
  }
  if (first === 'cap' && texts.includes('=')) {
    return declarationItems(analysis.symbols.declarationsIn(undefined).filter((d) => d.kind === 'process'));
  }
  return [];
}

function statementCompletions(analysis: Analysis, offset: number, enclosing: Enclosing): CompletionItem[] {
  const items: CompletionItem[] = [...keywordItems(STATEMENT_KEYWORDS), ...snippetItems(BLOCK_SNIPPETS)];
  for (const spec of SYSCALLS) items.push(syscallItem(spec, '1'));
  for (const spec of BUILTINS) if (spec.form === 'procedure') items.push(builtinItem(spec, '1'));
  // Assignments: `conn = ...`.
  items.push(...declarationItems(analysis.symbols.scopeAt(scopeOffset(offset, enclosing), ['local']), '2'));
  return items;
}

function expressionCompletions(analysis: Analysis, offset: number, before: readonly Token[], enclosing: Enclosing): CompletionItem[] {
  const texts = before.map((t) => t.text);
  const last = texts[texts.length - 1];
  const afterMinus = last === '-';
  const call = callContextAt(analysis, offset);

  if (call !== undefined) {
    const parameters = call.parameters;
    // The argument's tokens without the word being typed.
    const typed = call.argumentTokens[call.argumentTokens.length - 1];
    const segment = typed !== undefined && (typed.kind === 'name' || typed.kind === 'keyword') && analysisWordEndsAt(analysis, offset, typed) ? call.argumentTokens.slice(0, -1) : call.argumentTokens;
    const parameter = call.parameterIndex >= 0 ? parameters[call.parameterIndex] : undefined;
    if (call.inList) {
      // `caps: [` or `data: [`: the list is the argument's value.
      return valueCompletions(analysis, offset, enclosing, parameter?.kind === 'capabilities' ? 'capability' : 'integer', afterMinus);
    }
    if (segment.length === 0) {
      // Start of an argument: its name, or a positional value.
      const items: CompletionItem[] = parameters
        .map((p, index) => ({ p, index }))
        .filter(({ p, index }) => index >= call.positionalCount && !call.namedArguments.has(p.name))
        .map(({ p, index }) => ({
          label: `${p.name}:`,
          kind: CompletionItemKind.Field,
          detail: `${p.kind}${p.optional === true ? ' (optional)' : ''}`,
          documentation: p.doc,
          insertText: `${p.name}: `,
          filterText: p.name,
          sortText: `0${String(index).padStart(2, '0')}`,
          command: { title: 'Suggest', command: 'editor.action.triggerSuggest' },
        }));
      if (parameter !== undefined) items.push(...valueCompletions(analysis, offset, enclosing, parameter.kind, false));
      return items;
    }
    return valueCompletions(analysis, offset, enclosing, parameter?.kind ?? 'integer', afterMinus);
  }

  // `let x = |` or `x = |`: a syscall may be the whole value.
  const isLetValue = (texts[0] === 'let' && texts.length === 3 && texts[2] === '=') || (texts.length === 2 && texts[1] === '=');
  const items = valueCompletions(analysis, offset, enclosing, 'integer', afterMinus || (texts[0] === 'expect' && isComparison(last)));
  if (isLetValue) for (const spec of SYSCALLS) items.push(syscallItem(spec, '3'));
  return items;
}

function analysisWordEndsAt(analysis: Analysis, offset: number, token: Token): boolean {
  return analysis.text.slice(offset - token.text.length, offset) === token.text;
}

function isComparison(text: string | undefined): boolean {
  return text === '==' || text === '!=' || text === '<' || text === '<=' || text === '>' || text === '>=';
}

/**
 * The offset to look names up at: the cursor, or the end of the innermost block when the cursor
 * is past it (typing at the end of an unclosed block, whose scope ends at its last token).
 */
function scopeOffset(offset: number, enclosing: Enclosing): number {
  const block = enclosing.block;
  return block !== undefined && offset > block.range.end.offset ? block.range.end.offset : offset;
}

/** Whether a declaration can stand where a parameter of this kind is expected. */
function fitsKind(declaration: SymbolDeclaration, kind: ParameterKind): boolean {
  const valueKind = declaration.valueKind;
  switch (kind) {
    case 'thread':
      return declaration.kind === 'thread' || ((declaration.kind === 'cap' || declaration.kind === 'local') && valueKind === 'thread');
    case 'pmo':
      return declaration.kind === 'pmo' || ((declaration.kind === 'cap' || declaration.kind === 'local') && valueKind === 'pmo');
    case 'connection':
      return (declaration.kind === 'local' || declaration.kind === 'param' || declaration.kind === 'cap') && valueKind === 'connection';
    case 'routine':
      return declaration.kind === 'routine';
    case 'process':
      return declaration.kind === 'process';
    case 'target':
      return declaration.kind === 'process' || declaration.kind === 'thread';
    case 'object':
      return declaration.kind === 'process' || declaration.kind === 'thread' || declaration.kind === 'pmo';
    case 'capability':
    case 'capabilities':
      return declaration.kind === 'pmo' || declaration.kind === 'thread' || declaration.kind === 'cap' ||
        ((declaration.kind === 'local' || declaration.kind === 'param') && valueKind !== 'number' && valueKind !== 'boolean' && valueKind !== 'bytes');
    default:
      return declaration.kind === 'local' || declaration.kind === 'param' || declaration.kind === 'pmo' ||
        declaration.kind === 'thread' || declaration.kind === 'cap' || declaration.kind === 'process';
  }
}

const CAPABILITY_KINDS: ReadonlySet<ParameterKind> = new Set(['thread', 'pmo', 'connection', 'routine', 'process', 'target', 'object', 'capability', 'capabilities']);

function valueCompletions(analysis: Analysis, offset: number, enclosing: Enclosing, kind: ParameterKind, constantsFirst: boolean): CompletionItem[] {
  const items: CompletionItem[] = [];
  const visible = analysis.symbols.scopeAt(scopeOffset(offset, enclosing));
  items.push(...declarationItems(visible.filter((d) => fitsKind(d, kind)), '1'));
  if (kind === 'thread' || kind === 'pmo' || kind === 'target' || kind === 'object') {
    // Other processes' objects, qualified: `server.main`.
    const own = enclosing.process?.name.name;
    const memberKind: SymbolKind = kind === 'pmo' ? 'pmo' : 'thread';
    const qualified: CompletionItem[] = [];
    for (const declaration of analysis.symbols.declarations) {
      if (declaration.container === undefined || declaration.container === own || declaration.container.includes('.')) continue;
      if (declaration.kind !== memberKind && !(kind === 'object' && declaration.kind === 'pmo')) continue;
      qualified.push({
        label: `${declaration.container}.${declaration.name}`,
        kind: SYMBOL_ITEM_KIND[declaration.kind],
        detail: declaration.detail,
        sortText: `2${declaration.container}.${declaration.name}`,
      });
      if (qualified.length > MAX_QUALIFIED_ITEMS) break;
    }
    // Many processes: their names (already listed for `object`/`target`) lead to `proc.` completion instead.
    if (qualified.length <= MAX_QUALIFIED_ITEMS) items.push(...qualified);
    else if (kind === 'thread' || kind === 'pmo') {
      items.push(...declarationItems(analysis.symbols.declarationsIn(undefined).filter((d) => d.kind === 'process' && d.name !== own), '2'));
    }
  }
  if (!CAPABILITY_KINDS.has(kind) || kind === 'capability') {
    items.push(...constantItems(constantsFirst));
    for (const spec of BUILTINS) if (spec.form === 'function') items.push(builtinItem(spec, '4'));
    items.push(...keywordItems(EXPRESSION_KEYWORDS, '5'));
  }
  return items;
}

function memberCompletions(analysis: Analysis, processName: string, enclosing: Enclosing, offset: number): CompletionItem[] {
  const process = analysis.symbols.declarationsIn(undefined).find((d) => d.kind === 'process' && d.name === processName);
  if (process === undefined) return [];
  let expected: ParameterKind | undefined;
  const call = enclosing.body !== undefined ? callContextAt(analysis, offset) : undefined;
  if (call !== undefined && call.parameterIndex >= 0) expected = call.parameters[call.parameterIndex]?.kind;
  const members = analysis.symbols.declarationsIn(processName).filter((d) => {
    if (d.kind !== 'pmo' && d.kind !== 'thread') return false;
    if (expected === 'thread') return d.kind === 'thread';
    if (expected === 'pmo') return d.kind === 'pmo';
    return true;
  });
  return declarationItems(members);
}

function declarationItems(declarations: readonly SymbolDeclaration[], sortPrefix = '1'): CompletionItem[] {
  return declarations.map((declaration) => ({
    label: declaration.name,
    kind: SYMBOL_ITEM_KIND[declaration.kind],
    detail: declaration.detail,
    sortText: `${sortPrefix}${declaration.name}`,
  }));
}

function keywordItems(keywords: readonly string[], sortPrefix = '0'): CompletionItem[] {
  return keywords.map((keyword) => ({ label: keyword, kind: CompletionItemKind.Keyword, sortText: `${sortPrefix}${keyword}` }));
}

function snippetItems(snippets: readonly SnippetSpec[]): CompletionItem[] {
  return snippets.map((snippet) => ({
    label: snippet.label,
    kind: CompletionItemKind.Snippet,
    insertText: snippet.body,
    insertTextFormat: InsertTextFormat.Snippet,
    documentation: snippet.doc,
    sortText: `9${snippet.label}`,
  }));
}

/** `ipc_call(conn: ${1:conn})`: the required arguments, named, as placeholders. */
export function syscallSnippet(spec: SyscallSpec | BuiltinSpec, named: boolean): string {
  const required = spec.params.filter((p) => p.optional !== true);
  const args = required.map((p, index) => (named ? `${p.name}: \${${index + 1}:${p.name}}` : `\${${index + 1}:${p.name}}`));
  return `${spec.name}(${args.join(', ')})$0`;
}

function syscallItem(spec: SyscallSpec, sortPrefix: string): CompletionItem {
  return {
    label: spec.name,
    kind: CompletionItemKind.Function,
    detail: `syscall ${spec.name}(${spec.params.map((p) => (p.optional === true ? `${p.name}?` : p.name)).join(', ')})`,
    documentation: { kind: 'markdown', value: spec.summary },
    insertText: syscallSnippet(spec, true),
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: `${sortPrefix}${spec.name}`,
  };
}

function builtinItem(spec: BuiltinSpec, sortPrefix: string): CompletionItem {
  return {
    label: spec.name,
    kind: CompletionItemKind.Function,
    detail: `builtin ${spec.name}(${spec.params.map((p) => p.name).join(', ')})`,
    documentation: { kind: 'markdown', value: spec.summary },
    insertText: syscallSnippet(spec, false),
    insertTextFormat: InsertTextFormat.Snippet,
    sortText: `${sortPrefix}${spec.name}`,
  };
}

let constantItemsCache: { errorsFirst: CompletionItem[]; plain: CompletionItem[] } | undefined;

function constantItems(errorsFirst: boolean): CompletionItem[] {
  if (constantItemsCache === undefined) {
    const build = (errorsFirstOrder: boolean): CompletionItem[] =>
      [...NAMED_CONSTANTS].map(([name, value]) => {
        const family = constantFamily(name) ?? 'constant';
        const isError = ERROR_FAMILIES.has(family);
        return {
          label: name,
          kind: CompletionItemKind.EnumMember,
          detail: `${isError ? `error (${family})` : family} = ${value}`,
          sortText: `${errorsFirstOrder ? (isError ? '0' : '6') : '3'}${name}`,
        };
      });
    constantItemsCache = { errorsFirst: build(true), plain: build(false) };
  }
  return errorsFirst ? constantItemsCache.errorsFirst : constantItemsCache.plain;
}
