// Signature help, go to definition, find references, document highlights and rename, over the
// symbol table's declarations and references.

import {
  DocumentHighlightKind, type DocumentHighlight, type Location, type Range as LspRange, type SignatureHelp,
  type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver';
import { KEYWORDS, RESERVED_WORDS, CONTEXTUAL_KEYWORDS, type Analysis, type SymbolDeclaration } from '../core/index';
import { builtinByName, syscallByName, type BuiltinSpec, type SyscallSpec } from '../../kernel/syscalls';
import { callContextAt } from './calls';
import { NAMED_CONSTANTS } from '../../kernel/constants';
import { toLspRange } from './positions';
import { wordAt } from './syntax';

export function signatureHelpAt(analysis: Analysis, offset: number): SignatureHelp | null {
  // The tokens before the cursor first (they see unfinished calls), the syntax tree's call sites second.
  let spec: SyscallSpec | BuiltinSpec | undefined;
  let parameterIndex = -1;
  const lexical = callContextAt(analysis, offset);
  if (lexical?.spec !== undefined) {
    spec = lexical.spec;
    parameterIndex = lexical.parameterIndex;
  } else {
    const call = analysis.symbols.callAt(offset);
    if (call === undefined || call.site.callee === undefined) return null;
    spec = call.site.callee.spec;
    parameterIndex = call.parameterIndex;
  }
  const parameterLabels = spec.params.map((p) => (p.optional === true ? `${p.name}?` : p.name));
  const prefix = `${spec.name}(`;
  let label = prefix;
  const parameters = spec.params.map((p, index) => {
    if (index > 0) label += ', ';
    const start = label.length;
    label += parameterLabels[index]!;
    return { label: [start, label.length] as [number, number], documentation: { kind: 'markdown' as const, value: `*${p.kind}${p.optional === true ? ', optional' : ''}* — ${p.doc}` } };
  });
  label += ')';
  const documentation = spec.summary;
  const active = parameterIndex >= 0 && parameterIndex < parameters.length ? parameterIndex : parameters.length;
  return {
    signatures: [{ label, documentation: { kind: 'markdown', value: documentation }, parameters, activeParameter: active }],
    activeSignature: 0,
    activeParameter: active,
  };
}

export function definitionAt(analysis: Analysis, uri: string, offset: number): Location | null {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol === undefined) return null;
  return { uri, range: toLspRange(symbol.declaration.nameRange) };
}

export function referencesAt(analysis: Analysis, uri: string, offset: number, includeDeclaration: boolean): Location[] {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol === undefined) return [];
  return analysis.symbols.referencesOf(symbol.declaration, includeDeclaration).map((range) => ({ uri, range: toLspRange(range) }));
}

export function highlightsAt(analysis: Analysis, offset: number): DocumentHighlight[] {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol === undefined) return [];
  const declaration = symbol.declaration;
  return analysis.symbols.referencesOf(declaration, true).map((range) => ({
    range: toLspRange(range),
    kind: range === declaration.nameRange ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
  }));
}

/** A refusal to rename, with the message the editor shows. */
export class RenameRefusal extends Error {}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The range of the name that would be renamed; throws RenameRefusal when nothing renamable is there. */
export function prepareRenameAt(analysis: Analysis, offset: number): { range: LspRange; placeholder: string } {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol !== undefined) {
    return { range: toLspRange(symbol.range), placeholder: symbol.declaration.name };
  }
  const word = wordAt(analysis.text, offset);
  if (word === undefined) throw new RenameRefusal('there is no name to rename here');
  if (RESERVED_WORDS.has(word.text) || KEYWORDS.has(word.text)) throw new RenameRefusal(`'${word.text}' is a keyword and cannot be renamed`);
  if (syscallByName(word.text) !== undefined) throw new RenameRefusal(`'${word.text}' is a syscall and cannot be renamed`);
  if (builtinByName(word.text) !== undefined) throw new RenameRefusal(`'${word.text}' is a builtin and cannot be renamed`);
  if (NAMED_CONSTANTS.has(word.text)) throw new RenameRefusal(`'${word.text}' is a kernel constant and cannot be renamed`);
  throw new RenameRefusal(`'${word.text}' is not declared in this file`);
}

/** Why a new name is not acceptable for a declaration, or undefined when it is. */
export function renameProblem(analysis: Analysis, declaration: SymbolDeclaration, newName: string): string | undefined {
  if (!IDENTIFIER.test(newName)) return `'${newName}' is not a valid name (letters, digits and '_', not starting with a digit)`;
  if (RESERVED_WORDS.has(newName) || (CONTEXTUAL_KEYWORDS.has(newName) && declaration.kind !== 'local' && declaration.kind !== 'param')) {
    return `'${newName}' is a keyword`;
  }
  if (syscallByName(newName) !== undefined || builtinByName(newName) !== undefined) return `'${newName}' is the name of a syscall or builtin`;
  if (NAMED_CONSTANTS.has(newName)) return `'${newName}' is the name of a kernel constant`;
  if (newName === declaration.name) return undefined;
  // The names that share a namespace with the declaration: the same container, the containers that
  // enclose it (a local would hide a process object) and those it encloses (the reverse).
  const container = declaration.container;
  const processName = container?.split('.')[0];
  const ownScope = declaration.kind === 'process' || declaration.kind === 'machine' ? undefined : container;
  for (const other of analysis.symbols.declarations) {
    if (other === declaration || other.name !== newName) continue;
    const otherContainer = other.container;
    let conflicts = false;
    if (ownScope === undefined) {
      conflicts = otherContainer === undefined;
    } else if (ownScope.includes('.')) {
      // A local or param: its routine, its process, the top level.
      conflicts = otherContainer === ownScope || otherContainer === processName || otherContainer === undefined;
    } else {
      // A process item: the process, its routines, the top level.
      conflicts = otherContainer === ownScope || otherContainer?.startsWith(`${ownScope}.`) === true || otherContainer === undefined;
    }
    if (conflicts) {
      const where = other.nameRange.start;
      return `'${newName}' is already declared (${other.kind} at line ${where.line}${otherContainer !== undefined ? ` in ${otherContainer}` : ''})`;
    }
  }
  return undefined;
}

export function renameAt(analysis: Analysis, uri: string, offset: number, newName: string): WorkspaceEdit {
  const symbol = analysis.symbols.symbolAt(offset);
  if (symbol === undefined) {
    prepareRenameAt(analysis, offset);
    throw new RenameRefusal('there is no name to rename here');
  }
  const problem = renameProblem(analysis, symbol.declaration, newName);
  if (problem !== undefined) throw new RenameRefusal(problem);
  const edits: TextEdit[] = analysis.symbols.referencesOf(symbol.declaration, true).map((range) => ({ range: toLspRange(range), newText: newName }));
  return { changes: { [uri]: edits } };
}
