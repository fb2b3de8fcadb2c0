// Connects the language services to an LSP connection: document sync, diagnostics scheduling and
// one handler per feature. The services are plain functions over an analysis; this file only
// finds the document, converts positions (through ./positions) and guards against bad requests.

import {
  CodeActionKind, ErrorCodes, LSPErrorCodes, ResponseError, TextDocumentSyncKind,
  type CancellationToken, type Connection, type InitializeResult, type Position, type ServerCapabilities,
} from 'vscode-languageserver';
import { fileURLToPath } from 'node:url';
import { codeActions, codeLenses, formattingEdits, inlayHints } from './actions';
import { completions } from './completion';
import { evaluatableExpressionAt, inlineValueLookups, inlineVariables } from './debugSupport';
import { DiagnosticsScheduler, DIAGNOSTICS_DELAY_MS } from './diagnostics';
import { DocumentStore, type ScenarioDocument } from './documents';
import { hoverAt } from './hover';
import { definitionAt, highlightsAt, prepareRenameAt, referencesAt, RenameRefusal, renameAt, signatureHelpAt } from './navigation';
import { documentSymbols, fileSymbols, foldingRanges, matchesQuery, WorkspaceScanner } from './outline';
import { lspPositionToOffset, lspRangeToOffsets } from './positions';
import {
  EVALUATABLE_EXPRESSION_METHOD, INLINE_VALUES_METHOD, type EvaluatableExpressionParams, type EvaluatableExpressionResult,
  type InlineValuesParams, type InlineValuesResult,
} from './protocol';
import { SEMANTIC_TOKENS_LEGEND, semanticTokens } from './semanticTokens';

export const SERVER_CAPABILITIES: ServerCapabilities = {
  textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
  completionProvider: { triggerCharacters: ['.', '(', ',', ':', '-', '['], resolveProvider: false },
  hoverProvider: true,
  signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [':'] },
  definitionProvider: true,
  referencesProvider: true,
  documentHighlightProvider: true,
  renameProvider: { prepareProvider: true },
  documentSymbolProvider: { label: 'kscn' },
  workspaceSymbolProvider: true,
  semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true, range: true },
  foldingRangeProvider: true,
  documentFormattingProvider: true,
  codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
  codeLensProvider: { resolveProvider: false },
  inlayHintProvider: true,
  inlineValueProvider: true,
};

export interface ServerOptions {
  /** Diagnostics coalescing delay in ms. */
  readonly diagnosticsDelay?: number;
}

type TextDocumentParams = { readonly textDocument?: { readonly uri?: string } } | null | undefined;

const cancelled = (): ResponseError<void> => new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');

/** Registers every feature on a connection and starts listening. */
export function startLanguageServer(connection: Connection, options: ServerOptions = {}): { documents: DocumentStore } {
  const documents = new DocumentStore();
  const scanner = new WorkspaceScanner();
  const diagnostics = new DiagnosticsScheduler(
    documents,
    (publication) => void connection.sendDiagnostics({ uri: publication.uri, ...(publication.version !== undefined ? { version: publication.version } : {}), diagnostics: publication.diagnostics }),
    options.diagnosticsDelay ?? DIAGNOSTICS_DELAY_MS,
  );

  const log = (message: string): void => {
    try {
      connection.console.error(message);
    } catch {
      // The connection may be gone; nothing else to do.
    }
  };

  /** Runs a handler for the document the params name; unknown documents and failures give `fallback`. */
  function handle<P extends TextDocumentParams, R>(fallback: R, handler: (document: ScenarioDocument, params: NonNullable<P>, token?: CancellationToken) => R) {
    return (params: P, token?: CancellationToken): R | ResponseError<void> => {
      try {
        if (token?.isCancellationRequested === true) return cancelled();
        const document = documents.get(params?.textDocument?.uri);
        if (document === undefined || document.tooLarge) return fallback;
        return handler(document, params as NonNullable<P>, token);
      } catch (error) {
        if (error instanceof RenameRefusal) return new ResponseError(ErrorCodes.InvalidRequest, error.message);
        log(`kscn language server: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        return fallback;
      }
    };
  }

  const offsetOf = (document: ScenarioDocument, position: Position | undefined): number =>
    lspPositionToOffset(document.text, document.analysis.lines, position);

  connection.onInitialize((params): InitializeResult => {
    const folders: string[] = [];
    for (const folder of params.workspaceFolders ?? []) {
      if (folder.uri.startsWith('file:')) folders.push(fileURLToPath(folder.uri));
    }
    if (folders.length === 0 && typeof params.rootUri === 'string' && params.rootUri.startsWith('file:')) folders.push(fileURLToPath(params.rootUri));
    scanner.setFolders(folders);
    return { capabilities: SERVER_CAPABILITIES, serverInfo: { name: 'kscn-language-server', version: '0.1.0' } };
  });

  connection.onDidOpenTextDocument((params) => {
    const { uri, version, text } = params.textDocument;
    if (typeof uri !== 'string' || typeof text !== 'string') return;
    documents.open(uri, version, text);
    diagnostics.schedule(uri, 0);
  });
  connection.onDidChangeTextDocument((params) => {
    const uri = params.textDocument.uri;
    try {
      if (documents.change(uri, params.textDocument.version ?? 0, params.contentChanges ?? []) !== undefined) diagnostics.schedule(uri);
    } catch (error) {
      log(`kscn language server: could not apply a change to ${uri}: ${String(error)}`);
    }
  });
  connection.onDidCloseTextDocument((params) => {
    documents.close(params.textDocument.uri);
    diagnostics.clear(params.textDocument.uri);
  });

  connection.onCompletion(handle(null, (document, params) => completions(document.analysis, offsetOf(document, params.position))));
  connection.onHover(handle(null, (document, params) => hoverAt(document.analysis, offsetOf(document, params.position))));
  connection.onSignatureHelp(handle(null, (document, params) => signatureHelpAt(document.analysis, offsetOf(document, params.position))));
  connection.onDefinition(handle(null, (document, params) => definitionAt(document.analysis, document.uri, offsetOf(document, params.position))));
  connection.onReferences(handle([], (document, params, token) => {
    const result = referencesAt(document.analysis, document.uri, offsetOf(document, params.position), params.context?.includeDeclaration === true);
    return token?.isCancellationRequested === true ? cancelled() : result;
  }));
  connection.onDocumentHighlight(handle([], (document, params) => highlightsAt(document.analysis, offsetOf(document, params.position))));
  connection.onPrepareRename(handle(null, (document, params) => prepareRenameAt(document.analysis, offsetOf(document, params.position))));
  connection.onRenameRequest(handle(null, (document, params) => {
    if (typeof params.newName !== 'string') throw new RenameRefusal('no new name given');
    return renameAt(document.analysis, document.uri, offsetOf(document, params.position), params.newName);
  }));
  connection.onDocumentSymbol(handle([], (document) => documentSymbols(document.analysis)));
  connection.onWorkspaceSymbol(async (params, token) => {
    try {
      const query = typeof params?.query === 'string' ? params.query : '';
      const result = [];
      const open = new Set<string>();
      for (const document of documents.all()) {
        if (token.isCancellationRequested) return cancelled();
        open.add(document.uri);
        if (document.tooLarge) continue;
        for (const symbol of fileSymbols(document.analysis.ast, document.uri)) if (matchesQuery(symbol.name, query)) result.push(symbol);
      }
      const fromDisk = await scanner.symbols(query, open, token);
      if (fromDisk === undefined || token.isCancellationRequested) return cancelled();
      return [...result, ...fromDisk];
    } catch (error) {
      log(`kscn language server: workspace symbols: ${String(error)}`);
      return [];
    }
  });
  connection.languages.semanticTokens.on(handle({ data: [] }, (document) => semanticTokens(document.analysis, document.lexed)));
  connection.languages.semanticTokens.onRange(handle({ data: [] }, (document, params) => {
    const { start, end } = lspRangeToOffsets(document.text, document.analysis.lines, params.range);
    return semanticTokens(document.analysis, document.lexed, start, end);
  }));
  connection.onFoldingRanges(handle([], (document) => foldingRanges(document.analysis)));
  connection.onDocumentFormatting(handle(null, (document, _params, token) => {
    const edits = formattingEdits(document.analysis);
    return token?.isCancellationRequested === true ? cancelled() : edits;
  }));
  connection.onCodeAction(handle([], (document, params) => codeActions(document.analysis, document.uri, Array.isArray(params.context?.diagnostics) ? params.context.diagnostics : [])));
  connection.onCodeLens(handle([], (document) => codeLenses(document.analysis, document.uri)));
  connection.languages.inlayHint.on(handle([], (document, params) => {
    const { start, end } = lspRangeToOffsets(document.text, document.analysis.lines, params.range);
    return inlayHints(document.analysis, start, end);
  }));
  connection.languages.inlineValue.on(handle([], (document, params) => {
    const range = lspRangeToOffsets(document.text, document.analysis.lines, params.range);
    const stopped = params.context?.stoppedLocation !== undefined ? lspRangeToOffsets(document.text, document.analysis.lines, params.context.stoppedLocation) : undefined;
    return inlineValueLookups(document.analysis, range.start, stopped !== undefined ? Math.min(range.end, stopped.end) : range.end);
  }));
  connection.onRequest(EVALUATABLE_EXPRESSION_METHOD, handle<EvaluatableExpressionParams | null, EvaluatableExpressionResult>(null, (document, params) =>
    evaluatableExpressionAt(document.analysis, offsetOf(document, params.position))));
  connection.onRequest(INLINE_VALUES_METHOD, handle<InlineValuesParams | null, InlineValuesResult>([], (document, params) => {
    const { start, end } = lspRangeToOffsets(document.text, document.analysis.lines, params.range);
    return inlineVariables(document.analysis, start, end);
  }));

  connection.onShutdown(() => diagnostics.dispose());
  connection.listen();
  return { documents };
}
