// Hover: syscalls and builtins from the kernel's tables (what they do, arguments, result, every
// error code with when and the seed rows), constants (value, family), names (their declaration).

import type { Hover, MarkupContent } from 'vscode-languageserver';
import type { Analysis, SymbolDeclaration } from '../core/index';
import { KEYWORDS } from '../core/index';
import { builtinByName, syscallByName, type BuiltinSpec, type ParameterSpec, type SyscallSpec } from '../../kernel/syscalls';
import { NAMED_CONSTANTS, constantFamily } from '../../kernel/constants';
import { offsetsToLspRange, toLspRange } from './positions';
import { callContextAt } from './calls';
import { wordAt } from './syntax';

const FAMILY_NAMES: Record<string, string> = {
  chcore: 'ChCore errno (syscalls return it negated: write `-NAME`)',
  mach: 'XNU `kern_return_t`',
  tock: 'Tock `ErrorCode`',
  state: 'thread state',
  config: 'kernel configuration',
};

const KEYWORD_DOCS: Record<string, string> = {
  scenario: 'Names the scenario: `scenario "name"`, first line of the file.',
  machine: 'An emulated machine: `cpus`, `memory`, `timeslice`.',
  process: 'A process (capability group): its PMOs, threads, routines and caps.',
  pmo: 'A physical memory object: `pmo NAME size SIZE [at ADDR]`. Gets a boot capability slot.',
  thread: 'A thread: `user` (starts at boot), `register` or `shadow` (passive, run a routine when IPC migrates into them).',
  routine: 'A routine: code a passive thread runs; parameters are bound to arg0..arg3.',
  cap: 'A capability to another process\'s object, put in the boot table: `cap NAME = proc.obj`.',
  let: 'Introduces a local, visible to the end of its block.',
  expect: 'Records a pass or a failure and carries on; `kscn run` exits 1 if any failed.',
  print: 'Prints its parts to the trace.',
  repeat: '`repeat N [as i] { }` runs its block at most N times.',
  if: 'Runs a block when its condition holds.',
};

/** The hover at an offset, or null. */
export function hoverAt(analysis: Analysis, offset: number): Hover | null {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol !== undefined) return { contents: markdown(declarationDoc(analysis, symbol.declaration)), range: toLspRange(symbol.range) };
  const word = wordAt(analysis.text, offset);
  if (word === undefined) return null;
  const range = offsetsToLspRange(analysis.lines, word.start, word.end);
  const next = nextNonSpace(analysis.text, word.end);
  // A named argument `data:` inside a call: the parameter's documentation.
  const call = next === ':' ? callContextAt(analysis, word.start) ?? analysis.symbols.callAt(offset) : undefined;
  if (call !== undefined) {
    const parameter = call.parameters.find((p) => p.name === word.text);
    if (parameter !== undefined) return { contents: markdown(parameterDoc(parameter)), range };
  }
  const syscall = syscallByName(word.text);
  if (syscall !== undefined && syscall.name === word.text) return { contents: markdown(syscallDoc(syscall)), range };
  const builtin = builtinByName(word.text);
  if (builtin !== undefined) return { contents: markdown(builtinDoc(builtin)), range };
  const constant = NAMED_CONSTANTS.get(word.text);
  if (constant !== undefined) return { contents: markdown(constantDoc(word.text, constant)), range };
  if (KEYWORDS.has(word.text) && KEYWORD_DOCS[word.text] !== undefined) {
    return { contents: markdown(`**${word.text}** (keyword)\n\n${KEYWORD_DOCS[word.text]}`), range };
  }
  return null;
}

function nextNonSpace(text: string, offset: number): string {
  let i = offset;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] ?? '';
}

function markdown(value: string): MarkupContent {
  return { kind: 'markdown', value };
}

function signature(spec: SyscallSpec | BuiltinSpec): string {
  return `${spec.name}(${spec.params.map((p) => (p.optional === true ? `${p.name}?` : p.name)).join(', ')})`;
}

function parameterDoc(parameter: ParameterSpec): string {
  return `\`${parameter.name}\`: ${parameter.kind}${parameter.optional === true ? ' (optional)' : ''}\n\n${parameter.doc}`;
}

/** The hover text of a syscall: the same table the kernel dispatches on. */
export function syscallDoc(spec: SyscallSpec): string {
  const lines = [
    '```kscn',
    signature(spec),
    '```',
    `**syscall** \`${spec.kernelName}\` (${spec.family})`,
    '',
    spec.summary,
    '',
  ];
  if (spec.params.length > 0) {
    lines.push('**Arguments**', '');
    for (const p of spec.params) lines.push(`- \`${p.name}\` (${p.kind}${p.optional === true ? ', optional' : ''}): ${p.doc}`);
    if (spec.exclusive !== undefined) lines.push('', `Not together: ${spec.exclusive.map((set) => set.map((n) => `\`${n}\``).join(' with ')).join('; ')}.`);
    lines.push('');
  }
  lines.push(`**Returns** ${spec.returns}`, '');
  if (spec.errors.length > 0) {
    lines.push('**Errors**', '');
    for (const error of spec.errors) {
      lines.push(`- \`${error.code}\` when ${error.when}${error.rows.length > 0 ? ` (seed rows ${error.rows.map((r) => `\`${r}\``).join(', ')})` : ''}`);
    }
    lines.push('');
  } else {
    lines.push('**Errors** none.', '');
  }
  lines.push(`*Seed:* ${spec.seed}`);
  return lines.join('\n');
}

export function builtinDoc(spec: BuiltinSpec): string {
  const lines = ['```kscn', signature(spec), '```', `**builtin ${spec.form}** (runs in user mode, no kernel entry)`, '', spec.summary, ''];
  if (spec.params.length > 0) {
    lines.push('**Arguments**', '');
    for (const p of spec.params) lines.push(`- \`${p.name}\` (${p.kind}): ${p.doc}`);
    lines.push('');
  }
  lines.push(`**Returns** ${spec.returns}`);
  return lines.join('\n');
}

export function constantDoc(name: string, value: number): string {
  const family = constantFamily(name);
  const familyText = family !== undefined ? FAMILY_NAMES[family] ?? family : 'constant';
  const shown = family === 'config' ? `${value} (0x${value.toString(16)})` : String(value);
  const negated = family === 'chcore' ? `\n\nAs a result: \`-${name}\` = ${-value}` : '';
  return `**${name}** = ${shown}\n\n${familyText}${negated}`;
}

function declarationDoc(analysis: Analysis, declaration: SymbolDeclaration): string {
  const where = declaration.nameRange.start;
  const lines = ['```kscn', declaration.detail, '```', ''];
  const kind = declaration.kind === 'local' ? 'local variable' : declaration.kind === 'param' ? 'routine parameter' : declaration.kind;
  const container = declaration.container !== undefined ? ` in \`${declaration.container}\`` : '';
  lines.push(`${kind}${container}, declared at line ${where.line}, column ${where.column}`);
  if (declaration.bootSlot !== undefined) lines.push('', `Boot capability slot **${declaration.bootSlot}** in \`${declaration.container ?? ''}\``);
  if (declaration.kind === 'process') {
    const slots = analysis.symbols.bootSlots.get(declaration.name) ?? [];
    if (slots.length > 0) {
      lines.push('', 'Boot capability table: 0 own group, 1 vmspace' + slots.map((s) => `, ${s.slot} \`${s.name}\``).join(''));
    }
  }
  return lines.join('\n');
}
