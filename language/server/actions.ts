// Code actions (quick fixes from diagnostics), formatting, code lenses and inlay hints.

import {
  CodeActionKind, InlayHintKind, type CodeAction, type CodeLens, type Diagnostic as LspDiagnostic, type InlayHint,
  type TextEdit,
} from 'vscode-languageserver';
import { formatDocument, type Analysis, type ProcessNode } from '../core/index';
import { enclosingAt, lastStartingAtOrBefore, lineStartOf } from './syntax';
import { offsetToLspPosition, offsetsToLspRange, toLspRange } from './positions';

export const RUN_SCENARIO_COMMAND = 'kscn.runScenario';
export const DEBUG_SCENARIO_COMMAND = 'kscn.debugScenario';

interface DeclareMissing {
  readonly kind: string;
  readonly name: string;
  readonly process?: string;
}

interface FixData {
  readonly suggestion?: string;
  readonly declareMissing?: DeclareMissing;
}

function fixData(value: unknown): FixData {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const result: { suggestion?: string; declareMissing?: DeclareMissing } = {};
  if (typeof record['suggestion'] === 'string') result.suggestion = record['suggestion'];
  const declare = record['declareMissing'];
  if (typeof declare === 'object' && declare !== null) {
    const d = declare as Record<string, unknown>;
    if (typeof d['kind'] === 'string' && typeof d['name'] === 'string') {
      result.declareMissing = { kind: d['kind'], name: d['name'], ...(typeof d['process'] === 'string' ? { process: d['process'] } : {}) };
    }
  }
  return result;
}

function sameRange(a: LspDiagnostic['range'], b: LspDiagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quick fixes for the diagnostics the editor sends: "did you mean", "declare missing X". */
export function codeActions(analysis: Analysis, uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic === null || typeof diagnostic !== 'object' || diagnostic.range === undefined) continue;
    // Prefer the current analysis's data for the same problem; fall back to what the editor kept.
    const current = analysis.diagnostics.find((d) => d.code === diagnostic.code && sameRange(toLspRange(d.range), diagnostic.range));
    if (current === undefined) continue;
    const data = fixData(current.data ?? diagnostic.data);
    const start = current.range.start.offset;
    const end = current.range.end.offset;
    const text = analysis.text.slice(start, end);
    if (data.suggestion !== undefined) {
      if (current.code === 'missing-machine') {
        actions.push(fix(`Add 'on ${data.suggestion}'`, uri, diagnostic, [{ range: offsetsToLspRange(analysis.lines, end, end), newText: ` on ${data.suggestion}` }], true));
      } else if (IDENTIFIER.test(text) || /^[A-Za-z]+$/.test(data.suggestion)) {
        actions.push(fix(`Change '${text}' to '${data.suggestion}'`, uri, diagnostic, [{ range: toLspRange(current.range), newText: data.suggestion }], true));
      }
    }
    if (data.declareMissing !== undefined) {
      const edit = declarationEdit(analysis, data.declareMissing, start);
      if (edit !== undefined) actions.push(fix(`Declare ${data.declareMissing.kind} '${data.declareMissing.name}'`, uri, diagnostic, [edit], false));
    }
  }
  return actions;
}

function fix(title: string, uri: string, diagnostic: LspDiagnostic, edits: TextEdit[], isPreferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred, edit: { changes: { [uri]: edits } } };
}

/** The indentation of the process's items (two spaces when it has none). */
function itemIndent(analysis: Analysis, process: ProcessNode): string {
  const first = process.items[0];
  if (first === undefined) return '  ';
  const lineStart = lineStartOf(analysis, first.range.start.offset);
  const indent = analysis.text.slice(lineStart, first.range.start.offset);
  return /^[ \t]+$/.test(indent) ? indent : '  ';
}

function endOfLineAfter(analysis: Analysis, offset: number): number {
  const starts = analysis.lines.lineStarts;
  const index = lastStartingAtOrBefore(starts, offset, (s) => s);
  return index + 1 < starts.length ? starts[index + 1]! : analysis.text.length;
}

function declarationEdit(analysis: Analysis, missing: DeclareMissing, at: number): TextEdit | undefined {
  const text = analysis.text;
  if (!IDENTIFIER.test(missing.name)) return undefined;
  const insertAt = (offset: number, newText: string): TextEdit => ({ range: offsetsToLspRange(analysis.lines, offset, offset), newText });
  if (missing.kind === 'process') {
    const prefix = text.length > 0 && !text.endsWith('\n') ? '\n' : '';
    return insertAt(text.length, `${prefix}\nprocess ${missing.name} {\n  thread main {\n  }\n}\n`);
  }
  if (missing.kind === 'machine') {
    const first = analysis.ast.items[0];
    const offset = first !== undefined ? lineStartOf(analysis, first.range.start.offset) : text.length;
    return insertAt(offset, `machine ${missing.name} {\n  cpus 1\n}\n\n`);
  }
  const process =
    missing.process !== undefined
      ? analysis.ast.processes.find((p) => p.name.name === missing.process)
      : enclosingAt(analysis, at).process;
  if (process === undefined) return undefined;
  const indent = itemIndent(analysis, process);
  const open = text.indexOf('{', process.name.range.end.offset);
  if (open < 0 || open >= process.range.end.offset) return undefined;
  const bodyStart = endOfLineAfter(analysis, open);
  const closing = text.charCodeAt(process.range.end.offset - 1) === 125 ? process.range.end.offset - 1 : process.range.end.offset;
  const bodyEnd = lineStartOf(analysis, closing) > open ? lineStartOf(analysis, closing) : closing;
  const after = (kinds: readonly string[]): number => {
    const last = [...process.items].reverse().find((item) => kinds.includes(item.kind));
    return last !== undefined ? endOfLineAfter(analysis, last.range.end.offset) : bodyStart;
  };
  switch (missing.kind) {
    case 'pmo':
      return insertAt(after(['pmo']), `${indent}pmo ${missing.name} size 4KiB\n`);
    case 'thread':
      return insertAt(after(['pmo', 'thread']), `${indent}thread ${missing.name} {\n${indent}}\n`);
    case 'routine': {
      const needsNewline = bodyEnd === closing && bodyEnd > 0 && text.charCodeAt(bodyEnd - 1) !== 10;
      return insertAt(bodyEnd, `${needsNewline ? '\n' : ''}${indent}routine ${missing.name}() {\n${indent}}\n`);
    }
    default:
      return undefined;
  }
}

/** Formatting through the core's formatter: one edit replacing the text, or none when it is formatted. */
export function formattingEdits(analysis: Analysis): TextEdit[] {
  const formatted = formatDocument(analysis.text);
  if (formatted === analysis.text) return [];
  return [{ range: offsetsToLspRange(analysis.lines, 0, analysis.text.length), newText: formatted }];
}

/** "Run | Debug" above the scenario: its `scenario` line, or the first declaration. */
export function codeLenses(analysis: Analysis, uri: string): CodeLens[] {
  if (analysis.ast.processes.length === 0) return [];
  const anchor = analysis.ast.scenario?.range ?? analysis.ast.items[0]?.range;
  if (anchor === undefined) return [];
  const start = offsetToLspPosition(analysis.lines, anchor.start.offset);
  const range = { start, end: start };
  return [
    { range, command: { title: '$(play) Run', command: RUN_SCENARIO_COMMAND, arguments: [uri] } },
    { range, command: { title: '$(debug-alt) Debug', command: DEBUG_SCENARIO_COMMAND, arguments: [uri] } },
  ];
}

/** Boot capability slots of declarations and of first uses that grant one; names of positional syscall arguments. */
export function inlayHints(analysis: Analysis, start: number, end: number): InlayHint[] {
  const hints: { offset: number; hint: InlayHint }[] = [];
  const inRange = (offset: number): boolean => offset >= start && offset <= end;
  for (const declaration of analysis.symbols.declarations) {
    if (declaration.bootSlot === undefined || !inRange(declaration.nameRange.end.offset)) continue;
    hints.push({
      offset: declaration.nameRange.end.offset,
      hint: {
        position: toLspRange(declaration.nameRange).end,
        label: `slot ${declaration.bootSlot}`,
        paddingLeft: true,
        tooltip: `Boot capability slot ${declaration.bootSlot} in ${declaration.container ?? 'the process'}'s table`,
      },
    });
  }
  for (const [processName, slots] of analysis.symbols.bootSlots) {
    for (const slot of slots) {
      if (slot.origin !== 'grant' || !inRange(slot.range.end.offset)) continue;
      hints.push({
        offset: slot.range.end.offset,
        hint: {
          position: toLspRange(slot.range).end,
          label: `slot ${slot.slot}`,
          paddingLeft: true,
          tooltip: `First use of ${slot.name} in ${processName}: the boot table gets a capability for it in slot ${slot.slot}`,
        },
      });
    }
  }
  for (const site of analysis.symbols.calls) {
    if (site.callee?.kind !== 'syscall') continue;
    const call = site.call;
    if (call.range.end.offset < start || call.range.start.offset > end) continue;
    call.args.forEach((arg, index) => {
      const parameterIndex = site.argumentParameters[index] ?? -1;
      const parameter = site.callee!.spec.params[parameterIndex];
      if (arg.name !== undefined || parameter === undefined || !inRange(arg.range.start.offset)) return;
      hints.push({
        offset: arg.range.start.offset,
        hint: { position: toLspRange(arg.range).start, label: `${parameter.name}:`, kind: InlayHintKind.Parameter, paddingRight: true },
      });
    });
  }
  return hints.sort((a, b) => a.offset - b.offset).map((h) => h.hint);
}
