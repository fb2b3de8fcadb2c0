// The services without a connection: position conversion, diagnostics coalescing under fake
// timers, cancellation of the workspace scan, and the benchmark's shape.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancellationTokenSource, CompletionItemKind } from 'vscode-languageserver';
import { analyze, generateLargeScenario } from '../../language/core/index';
import { completions } from '../../language/server/completion';
import { benchLanguageServer } from '../../language/server/bench';
import { DiagnosticsScheduler, type DiagnosticsPublication } from '../../language/server/diagnostics';
import { DocumentStore } from '../../language/server/documents';
import { hoverAt } from '../../language/server/hover';
import { WorkspaceScanner } from '../../language/server/outline';
import { lspPositionToOffset, toLspRange } from '../../language/server/positions';

describe('positions', () => {
  it('converts 1-based core positions to 0-based LSP positions in UTF-16 units', () => {
    const text = 'process p {\r\n  thread t {\r\n    print "😀", 1 # é\r\n  }\r\n}\r\n';
    const analysis = analyze(text, 't.kscn');
    const declaration = analysis.symbols.declarations.find((d) => d.name === 't')!;
    expect(toLspRange(declaration.nameRange)).toEqual({ start: { line: 1, character: 9 }, end: { line: 1, character: 10 } });
    // After the surrogate pair, characters count two units for the emoji.
    const one = text.indexOf(', 1') + 2;
    expect(lspPositionToOffset(text, analysis.lines, { line: 2, character: 16 })).toBe(one);
  });

  it('clamps positions past the end of a line or of the text, and malformed ones', () => {
    const text = 'ab\r\ncd\nef';
    const lines = analyze(text, 'x').lines;
    expect(lspPositionToOffset(text, lines, { line: 0, character: 99 })).toBe(2);
    expect(lspPositionToOffset(text, lines, { line: 1, character: 99 })).toBe(6);
    expect(lspPositionToOffset(text, lines, { line: 9, character: 0 })).toBe(text.length);
    expect(lspPositionToOffset(text, lines, { line: -1, character: -5 })).toBe(0);
    expect(lspPositionToOffset(text, lines, { line: Number.NaN, character: 1 })).toBe(1);
  });

  it('hovers a name after a surrogate pair at the right column', () => {
    const text = 'process p {\n  thread t {\n    print "😀", x1\n  }\n}\n';
    const analysis = analyze(text, 't.kscn');
    expect(hoverAt(analysis, text.indexOf('x1') + 1)).toBeNull();
    const hover = hoverAt(analysis, text.indexOf('print') + 1)!;
    expect(hover.range).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 9 } });
  });
});

describe('diagnostics scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('analyses a burst of edits once, for the latest version', () => {
    vi.useFakeTimers();
    const documents = new DocumentStore();
    const published: DiagnosticsPublication[] = [];
    const scheduler = new DiagnosticsScheduler(documents, (p) => published.push(p), 150);
    const uri = 'file:///a.kscn';
    documents.open(uri, 1, 'process p {\n}\n');
    for (let version = 2; version <= 21; version++) {
      documents.change(uri, version, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: version === 21 ? '  thread t {\n    yeild()\n  }\n' : '' }]);
      scheduler.schedule(uri);
      vi.advanceTimersByTime(100);
    }
    expect(published).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(published).toHaveLength(1);
    expect(published[0]!.version).toBe(21);
    expect(published[0]!.diagnostics.map((d) => d.code)).toEqual(['unknown-call']);
    scheduler.clear(uri);
    expect(published[1]).toEqual({ uri, diagnostics: [] });
  });

  it('analyses each version once, however many features ask', () => {
    const documents = new DocumentStore();
    const document = documents.open('file:///b.kscn', 1, 'process p {\n}\n');
    expect(document.isAnalyzed).toBe(false);
    const first = document.analysis;
    expect(document.analysis).toBe(first);
    const next = documents.change('file:///b.kscn', 2, [{ text: 'process q {\n}\n' }])!;
    expect(next.analysis).not.toBe(first);
    expect(documents.get('file:///b.kscn')).toBe(next);
  });
});

describe('completion in a large scenario', () => {
  it('caps the list, filters it by the word being typed and marks it incomplete', () => {
    // More processes than the cap on scenario names (about 550).
    const text = generateLargeScenario(10_000);
    const analysis = analyze(text, 'large.kscn');
    const call = text.indexOf('expect conn >= 0') + 'expect '.length;
    const all = completions(analysis, call);
    expect(all.isIncomplete).toBe(true);
    // The scenario's own names are capped; the vocabulary (syscalls, builtins, ...) never is.
    expect(all.items.filter((item) => item.kind === CompletionItemKind.Module || item.kind === CompletionItemKind.Variable || item.kind === CompletionItemKind.Class).length).toBeLessThanOrEqual(200);
    expect(all.items.some((item) => item.label === 'msg_data')).toBe(true);
    expect(all.items.some((item) => item.label === 'EIPCRETRY' || item.label === '-EIPCRETRY')).toBe(true);
    const typed = `${text.slice(0, call)}server1 ${text.slice(call)}`;
    const filtered = completions(analyze(typed, 'large.kscn'), call + 'server1'.length);
    expect(filtered.items.length).toBeGreaterThan(0);
    // Every matching server process is offered once the word narrows the list below the cap.
    const servers = text.match(/^process server1\d*\b/gm)!.length;
    expect(servers).toBeGreaterThan(10);
    expect(servers).toBeLessThan(200);
    expect(filtered.items.filter((item) => /^server1\d*$/.test(item.label))).toHaveLength(servers);
  });
});

describe('cancellation', () => {
  it('stops the workspace scan when cancelled', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kscn-cancel-'));
    writeFileSync(path.join(folder, 'a.kscn'), 'process a {\n}\n');
    const scanner = new WorkspaceScanner([folder]);
    expect((await scanner.symbols('', new Set()))!.map((s) => s.name)).toEqual(['a']);
    const source = new CancellationTokenSource();
    source.cancel();
    expect(await scanner.symbols('', new Set(), source.token)).toBeUndefined();
  });
});

describe('benchmark', () => {
  it('drives a server and reports the three figures', async () => {
    const result = await benchLanguageServer({ lines: 400, edits: 2, requests: 10 });
    for (const key of ['diagnosticsMs', 'completionP95', 'hoverP95'] as const) expect(Number.isFinite(result[key])).toBe(true);
    expect(result.lines).toBeGreaterThanOrEqual(400);
  });
});
