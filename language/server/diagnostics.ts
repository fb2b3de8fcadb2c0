// Diagnostics: the core's diagnostics as LSP diagnostics, and the scheduler that coalesces edits
// so that a burst of keystrokes is analysed once, for its latest version.

import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic } from '../core/index';
import { MAX_ANALYZED_LENGTH, type DocumentStore, type ScenarioDocument } from './documents';
import { toLspRange } from './positions';

export const DIAGNOSTIC_SOURCE = 'kscn';
/** How long a document must stay unchanged before it is analysed and its diagnostics published. */
export const DIAGNOSTICS_DELAY_MS = 150;

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The LSP diagnostics of a document version; the core's quick-fix data rides along in `data`. */
export function documentDiagnostics(document: ScenarioDocument): LspDiagnostic[] {
  if (document.tooLarge) {
    return [{
      severity: DiagnosticSeverity.Warning,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: `this file is ${(document.text.length / 1048576).toFixed(1)} MiB long; files over ${MAX_ANALYZED_LENGTH / 1048576} MiB are not analysed`,
      source: DIAGNOSTIC_SOURCE,
      code: 'file-too-large',
    }];
  }
  return document.analysis.diagnostics.map((diagnostic) => toLspDiagnostic(diagnostic, document.uri));
}

export function toLspDiagnostic(diagnostic: Diagnostic, uri: string): LspDiagnostic {
  const result: LspDiagnostic = {
    severity: SEVERITY[diagnostic.severity] ?? DiagnosticSeverity.Error,
    range: toLspRange(diagnostic.range),
    message: diagnostic.message,
    source: DIAGNOSTIC_SOURCE,
  };
  if (diagnostic.code !== undefined) result.code = diagnostic.code;
  if (diagnostic.related !== undefined && diagnostic.related.length > 0) {
    result.relatedInformation = diagnostic.related.map(
      (related): DiagnosticRelatedInformation => ({ message: related.message, location: { uri, range: toLspRange(related.range) } }),
    );
  }
  if (diagnostic.data !== undefined) result.data = diagnostic.data;
  return result;
}

export interface DiagnosticsPublication {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: LspDiagnostic[];
}

/**
 * Publishes each document's diagnostics once its text has been still for `delay` ms. Every edit
 * restarts the document's timer, so a burst of edits is analysed once, for the latest version.
 */
export class DiagnosticsScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly documents: DocumentStore,
    private readonly publish: (publication: DiagnosticsPublication) => void,
    private readonly delay = DIAGNOSTICS_DELAY_MS,
  ) {}

  /** Schedules (or re-schedules) the analysis of a document. */
  schedule(uri: string, delay = this.delay): void {
    this.cancel(uri);
    const timer = setTimeout(() => {
      this.timers.delete(uri);
      this.publishNow(uri);
    }, delay);
    this.timers.set(uri, timer);
  }

  /** Analyses the document's current version and publishes its diagnostics. */
  publishNow(uri: string): void {
    const document = this.documents.get(uri);
    if (document === undefined) return;
    let diagnostics: LspDiagnostic[];
    try {
      diagnostics = documentDiagnostics(document);
    } catch (error) {
      diagnostics = [{
        severity: DiagnosticSeverity.Error,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
        source: DIAGNOSTIC_SOURCE,
      }];
    }
    // An edit may have arrived while analysing (it cannot, synchronously, but stay safe): only the
    // latest version's diagnostics are ever published.
    if (this.documents.get(uri)?.version !== document.version) return;
    this.publish({ uri, version: document.version, diagnostics });
  }

  /** Forgets a closed document and clears its diagnostics. */
  clear(uri: string): void {
    this.cancel(uri);
    this.publish({ uri, diagnostics: [] });
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(uri);
  }
}
