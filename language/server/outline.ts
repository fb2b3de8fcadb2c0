// Document symbols (the outline), folding ranges and workspace symbols.

import {
  FoldingRangeKind, SymbolKind as LspSymbolKind, type CancellationToken, type DocumentSymbol, type FoldingRange,
  type SymbolInformation,
} from 'vscode-languageserver';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  parse, type Analysis, type Block, type FileNode, type ProcessItem, type Range, type Statement, type SymbolKind,
} from '../core/index';
import { toLspRange } from './positions';

const LSP_KIND: Record<SymbolKind, LspSymbolKind> = {
  machine: LspSymbolKind.Struct,
  process: LspSymbolKind.Module,
  pmo: LspSymbolKind.Object,
  thread: LspSymbolKind.Class,
  routine: LspSymbolKind.Method,
  cap: LspSymbolKind.Field,
  local: LspSymbolKind.Variable,
  param: LspSymbolKind.Variable,
};

/** The outline: machines and processes, with each process's pmos, threads, routines and caps; links and faults. */
export function documentSymbols(analysis: Analysis): DocumentSymbol[] {
  const result: DocumentSymbol[] = [];
  const text = analysis.text;
  const slice = (range: Range): string => text.slice(range.start.offset, range.end.offset).replace(/\s+/g, ' ');
  const extra: { offset: number; symbol: DocumentSymbol }[] = [];
  for (const link of analysis.ast.links) {
    if (link.a.name === '' || link.b.name === '') continue;
    const selection: Range = { start: link.a.range.start, end: link.b.range.end };
    const latency = link.latency?.kind === 'number' ? link.latency.value : undefined;
    extra.push({
      offset: link.range.start.offset,
      symbol: outlineSymbol(`${link.a.name} <-> ${link.b.name}`, LspSymbolKind.Interface, link.range, selection, `link, latency ${latency ?? 1000} cycles`),
    });
  }
  for (const fault of analysis.ast.faults) {
    if (fault.trigger.kind === 'error') continue;
    const name = fault.action.kind === 'error' ? slice(fault.trigger.range) : `${slice(fault.trigger.range)}: ${slice(fault.action.range)}`;
    extra.push({ offset: fault.range.start.offset, symbol: outlineSymbol(`fault ${name}`, LspSymbolKind.Event, fault.range, fault.trigger.range, 'fault injection') });
  }
  const details = new Map<string, string>();
  for (const declaration of analysis.symbols.declarations) {
    if (declaration.kind !== 'local' && declaration.kind !== 'param') details.set(`${declaration.container ?? ''}/${declaration.name}/${declaration.nameRange.start.offset}`, declaration.detail);
  }
  const detailOf = (container: string | undefined, name: string, range: Range): string | undefined => details.get(`${container ?? ''}/${name}/${range.start.offset}`);
  const offsets: number[] = [];
  for (const item of analysis.ast.items) {
    if (item.name.name === '') continue;
    offsets.push(item.range.start.offset);
    if (item.kind === 'machine') {
      result.push(symbol(item.name.name, 'machine', item.range, item.name.range, detailOf(undefined, item.name.name, item.name.range)));
      continue;
    }
    const children: DocumentSymbol[] = [];
    for (const child of item.items) {
      if (child.name.name === '') continue;
      children.push(symbol(child.name.name, child.kind, child.range, child.name.range, detailOf(item.name.name, child.name.name, child.name.range)));
    }
    result.push(symbol(item.name.name, 'process', item.range, item.name.range, detailOf(undefined, item.name.name, item.name.range), children));
  }
  if (extra.length === 0) return result;
  // Links and faults among the machines and processes, in source order.
  return [...result.map((symbol, index) => ({ offset: offsets[index]!, symbol })), ...extra]
    .sort((a, b) => a.offset - b.offset)
    .map((entry) => entry.symbol);
}

function symbol(name: string, kind: SymbolKind, range: Range, selection: Range, detail: string | undefined, children?: DocumentSymbol[]): DocumentSymbol {
  return outlineSymbol(name, LSP_KIND[kind], range, selection, detail, children);
}

function outlineSymbol(name: string, kind: LspSymbolKind, range: Range, selection: Range, detail: string | undefined, children?: DocumentSymbol[]): DocumentSymbol {
  const full = toLspRange(range);
  const selectionRange = toLspRange(selection);
  // The selection must lie inside the full range, whatever error recovery produced.
  const contains =
    (full.start.line < selectionRange.start.line || (full.start.line === selectionRange.start.line && full.start.character <= selectionRange.start.character)) &&
    (full.end.line > selectionRange.end.line || (full.end.line === selectionRange.end.line && full.end.character >= selectionRange.end.character));
  return {
    name,
    kind,
    range: contains ? full : selectionRange,
    selectionRange,
    ...(detail !== undefined ? { detail } : {}),
    ...(children !== undefined ? { children } : {}),
  };
}

/** Folding: every multi-line block and declaration body, and runs of two or more comment lines. */
export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const add = (range: Range): void => {
    const { start: { line: startLine }, end: { line: endLine } } = toLspRange(range);
    // Keep the closing brace's line visible.
    if (endLine - 1 > startLine) ranges.push({ startLine, endLine: endLine - 1 });
  };
  for (const item of analysis.ast.items) {
    add(item.range);
    if (item.kind === 'process') for (const child of item.items) foldItem(child, add);
  }
  let runStart = -1;
  let runEnd = -1;
  for (const comment of analysis.ast.comments) {
    const line = toLspRange(comment.range).start.line;
    const lineStart = analysis.lines.lineStarts[line] ?? 0;
    const onlyComment = analysis.text.slice(lineStart, comment.range.start.offset).trim() === '';
    if (onlyComment && line === runEnd + 1 && runStart >= 0) {
      runEnd = line;
      continue;
    }
    if (runStart >= 0 && runEnd > runStart) ranges.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
    runStart = onlyComment ? line : -1;
    runEnd = onlyComment ? line : -1;
  }
  if (runStart >= 0 && runEnd > runStart) ranges.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
  return ranges;
}

function foldItem(item: ProcessItem, add: (range: Range) => void): void {
  if (item.kind === 'thread' && item.body !== undefined) foldBlock(item.body, add);
  if (item.kind === 'routine') foldBlock(item.body, add);
}

function foldBlock(block: Block, add: (range: Range) => void, depth = 0): void {
  add(block.range);
  if (depth > 64) return;
  for (const statement of block.statements) foldStatement(statement, add, depth);
}

function foldStatement(statement: Statement, add: (range: Range) => void, depth: number): void {
  if (statement.kind === 'repeat') foldBlock(statement.body, add, depth + 1);
  if (statement.kind === 'if') {
    foldBlock(statement.then, add, depth + 1);
    if (statement.else?.kind === 'block') foldBlock(statement.else, add, depth + 1);
    else if (statement.else !== undefined) foldStatement(statement.else, add, depth + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Workspace symbols

/** The top-level and process-level declarations of a syntax tree, as flat symbols. */
export function fileSymbols(ast: FileNode, uri: string): SymbolInformation[] {
  const result: SymbolInformation[] = [];
  for (const item of ast.items) {
    if (item.name.name === '') continue;
    result.push({ name: item.name.name, kind: LSP_KIND[item.kind], location: { uri, range: toLspRange(item.name.range) } });
    if (item.kind !== 'process') continue;
    for (const child of item.items) {
      if (child.name.name === '') continue;
      result.push({ name: child.name.name, kind: LSP_KIND[child.kind], containerName: item.name.name, location: { uri, range: toLspRange(child.name.range) } });
    }
  }
  return result;
}

/** Whether a symbol name matches a query: its characters in order, case-insensitively. */
export function matchesQuery(name: string, query: string): boolean {
  if (query === '') return true;
  const lowerName = name.toLowerCase();
  let index = 0;
  for (const char of query.toLowerCase()) {
    index = lowerName.indexOf(char, index);
    if (index < 0) return false;
    index++;
  }
  return true;
}

const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'out', '.vscode-test']);
const MAX_SCANNED_FILES = 5000;
const MAX_SCANNED_FILE_BYTES = 2 * 1024 * 1024;

/** Finds `.kscn` files under the workspace folders and caches their symbols by modification time. */
export class WorkspaceScanner {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; symbols: SymbolInformation[] }>();

  constructor(private folders: string[] = []) {}

  setFolders(folders: string[]): void {
    this.folders = folders;
  }

  /** Symbols of the `.kscn` files on disk, skipping `openUris` (the open documents' text wins). */
  async symbols(query: string, openUris: ReadonlySet<string>, token?: CancellationToken): Promise<SymbolInformation[] | undefined> {
    const files: string[] = [];
    for (const folder of this.folders) {
      await this.walk(folder, files, token, 0);
      if (token?.isCancellationRequested === true) return undefined;
    }
    const result: SymbolInformation[] = [];
    for (const file of files) {
      if (token?.isCancellationRequested === true) return undefined;
      const uri = pathToFileURL(file).toString();
      if (openUris.has(uri)) continue;
      const symbols = await this.fileSymbols(file, uri);
      for (const s of symbols) if (matchesQuery(s.name, query)) result.push(s);
    }
    return result;
  }

  private async fileSymbols(file: string, uri: string): Promise<SymbolInformation[]> {
    try {
      const stat = await fs.stat(file);
      const cached = this.cache.get(file);
      if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.symbols;
      if (stat.size > MAX_SCANNED_FILE_BYTES) return [];
      const text = await fs.readFile(file, 'utf8');
      const symbols = fileSymbols(parse(text, file).ast, uri);
      this.cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, symbols });
      return symbols;
    } catch {
      return [];
    }
  }

  private async walk(directory: string, files: string[], token: CancellationToken | undefined, depth: number): Promise<void> {
    if (depth > 20 || files.length >= MAX_SCANNED_FILES || token?.isCancellationRequested === true) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= MAX_SCANNED_FILES) return;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.')) await this.walk(full, files, token, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.kscn')) {
        files.push(full);
      }
    }
  }
}
