// Open documents: their text under incremental sync, and one analysis per document version,
// computed lazily on first use and shared by every feature that asks for that version.

import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { analyze, lex, LineIndex, reanalyze, type Analysis, type Comment, type Token } from '../core/index';

/**
 * Documents longer than this (in UTF-16 code units) are not analysed: the parser would build
 * millions of nodes for a multi-megabyte file, and no scenario is that long. Such a document gets
 * one diagnostic saying so and no other language features.
 */
export const MAX_ANALYZED_LENGTH = 2 * 1024 * 1024;

/** The lexer's view of a document, for semantic tokens and completion contexts. */
export interface LexedText {
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
}

/** One open document at one version, with its derived data computed on demand. */
export class ScenarioDocument {
  private cachedAnalysis: Analysis | undefined;
  private cachedLexed: LexedText | undefined;
  private cachedLines: LineIndex | undefined;

  /**
   * An earlier version whose analysis this version's can be derived from incrementally (always an
   * analysed version, so the chain is one long). Dropped once used.
   */
  private base: ScenarioDocument | undefined;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
    previous?: ScenarioDocument,
  ) {
    this.base = previous === undefined ? undefined : previous.isAnalyzed ? previous : previous.base;
  }

  /** The file name the core reports, derived from the URI. */
  get fileName(): string {
    return uriToFileName(this.uri);
  }

  get tooLarge(): boolean {
    return this.text.length > MAX_ANALYZED_LENGTH;
  }

  /** The analysis of this version (parsed and checked once, then cached). */
  get analysis(): Analysis {
    if (this.cachedAnalysis === undefined) {
      const base = this.base?.takeAnalysis();
      this.base = undefined;
      if (base !== undefined && !this.tooLarge && base.text.length <= MAX_ANALYZED_LENGTH) {
        this.cachedAnalysis = safeReanalyze(base, this.text, this.fileName);
      } else {
        this.cachedAnalysis = safeAnalyze(this.tooLarge ? '' : this.text, this.fileName);
        if (this.tooLarge) this.cachedAnalysis = { ...this.cachedAnalysis, text: this.text, lines: this.lines };
      }
    }
    return this.cachedAnalysis;
  }

  /**
   * Hands this (superseded) version's analysis over to a later version, which updates it in place
   * (see `reanalyze`); this version forgets it and would analyse afresh if asked again.
   */
  private takeAnalysis(): Analysis | undefined {
    const analysis = this.cachedAnalysis;
    if (analysis !== undefined && analysis.text !== this.text) return undefined; // the too-large placeholder
    this.cachedAnalysis = undefined;
    this.cachedLines = undefined;
    return analysis;
  }

  /** Whether the analysis of this version has been computed already. */
  get isAnalyzed(): boolean {
    return this.cachedAnalysis !== undefined;
  }

  get lines(): LineIndex {
    if (this.cachedLines === undefined) this.cachedLines = this.cachedAnalysis?.lines ?? new LineIndex(this.text);
    return this.cachedLines;
  }

  /** The tokens and comments of this version. */
  get lexed(): LexedText {
    if (this.cachedLexed === undefined) {
      if (this.tooLarge) this.cachedLexed = { tokens: [], comments: [] };
      else {
        try {
          const result = lex(this.text, this.lines);
          this.cachedLexed = { tokens: result.tokens, comments: result.comments };
        } catch {
          this.cachedLexed = { tokens: [], comments: [] };
        }
      }
    }
    return this.cachedLexed;
  }
}

/** The open documents, keyed by URI. */
export class DocumentStore {
  private readonly documents = new Map<string, { text: TextDocument; current: ScenarioDocument }>();

  open(uri: string, version: number, text: string): ScenarioDocument {
    const document = TextDocument.create(uri, 'kscenario', version, text);
    const current = new ScenarioDocument(uri, version, text);
    this.documents.set(uri, { text: document, current });
    return current;
  }

  /** Applies incremental or full changes; an unknown URI is ignored (returns undefined). */
  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): ScenarioDocument | undefined {
    const entry = this.documents.get(uri);
    if (entry === undefined) return undefined;
    const text = TextDocument.update(entry.text, [...changes], version);
    const current = new ScenarioDocument(uri, version, text.getText(), entry.current);
    this.documents.set(uri, { text, current });
    return current;
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  get(uri: string | undefined): ScenarioDocument | undefined {
    if (typeof uri !== 'string') return undefined;
    return this.documents.get(uri)?.current;
  }

  all(): ScenarioDocument[] {
    return [...this.documents.values()].map((entry) => entry.current);
  }
}

/** The analysis of a text; the core never throws, but a server must not die if it ever does. */
export function safeAnalyze(text: string, fileName: string): Analysis {
  try {
    return analyze(text, fileName);
  } catch (error) {
    const analysis = analyze('', fileName);
    const message = `internal error while analysing this file: ${error instanceof Error ? error.message : String(error)}`;
    const range = analysis.lines.range(0, 0);
    return { ...analysis, text, lines: new LineIndex(text), diagnostics: [{ severity: 'error', message, range, code: 'internal-error' }] };
  }
}

/** The analysis of a new version from the previous version's (consumed); never throws. */
export function safeReanalyze(previous: Analysis, text: string, fileName: string): Analysis {
  try {
    return reanalyze(previous, text);
  } catch {
    return safeAnalyze(text, fileName);
  }
}

/** A file system path for `file:` URIs, the URI itself otherwise. */
export function uriToFileName(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      return uri;
    }
  }
  return uri;
}
