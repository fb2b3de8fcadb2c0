// The server's custom requests, for the extension's debug-time providers (inline values and
// evaluatable expressions are client-side APIs in VS Code; these requests give them the names).
// Plain method names and types, so that both the server and the client (which use different
// vscode-jsonrpc versions) can import them: `client.sendRequest(EVALUATABLE_EXPRESSION_METHOD, params)`.

import type { Position, Range, TextDocumentIdentifier } from 'vscode-languageserver';
import type { EvaluatableExpression, InlineVariable } from './debugSupport';

export type { EvaluatableExpression, InlineVariable } from './debugSupport';

/** `kscn/evaluatableExpression`: the name or `process.member` under a position, or null. */
export const EVALUATABLE_EXPRESSION_METHOD = 'kscn/evaluatableExpression';

export interface EvaluatableExpressionParams {
  readonly textDocument: TextDocumentIdentifier;
  readonly position: Position;
}

export type EvaluatableExpressionResult = EvaluatableExpression | null;

/** `kscn/inlineValues`: the locals and parameters named in a range, each with its range. */
export const INLINE_VALUES_METHOD = 'kscn/inlineValues';

export interface InlineValuesParams {
  readonly textDocument: TextDocumentIdentifier;
  /** The lines to decorate, usually from the top of the stopped frame's code to the stopped line. */
  readonly range: Range;
}

export type InlineValuesResult = InlineVariable[];
