// Debug-time editor help: the expression VS Code evaluates when the user hovers a name while
// stopped (a local, `server.main`, a register, an error code). The language server finds it
// (`kscn/evaluatableExpression`); inline values come from the server's standard inlineValue
// support, which the language client registers by itself.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EVALUATABLE_EXPRESSION_METHOD, type EvaluatableExpressionResult } from '../language/server/protocol';
import { LANGUAGE_ID } from './debugConfiguration';

export function registerDebugEditorSupport(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  context.subscriptions.push(
    vscode.languages.registerEvaluatableExpressionProvider(LANGUAGE_ID, {
      async provideEvaluatableExpression(document, position, token) {
        const languageClient = client();
        if (!languageClient) return undefined;
        const result = await languageClient.sendRequest<EvaluatableExpressionResult>(
          EVALUATABLE_EXPRESSION_METHOD,
          { textDocument: { uri: document.uri.toString() }, position: { line: position.line, character: position.character } },
          token,
        );
        if (!result) return undefined;
        const { start, end } = result.range;
        return new vscode.EvaluatableExpression(new vscode.Range(start.line, start.character, end.line, end.character), result.expression);
      },
    }),
  );
}
