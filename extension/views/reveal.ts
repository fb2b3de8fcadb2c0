// Opens the scenario at a location of the language core (1-based lines and columns).
import * as vscode from 'vscode';
import type { SourceLocation } from '../../kernel/program';

export async function revealLocation(loc: SourceLocation): Promise<void> {
  const start = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
  const end = loc.endLine >= loc.line ? new vscode.Position(Math.max(0, loc.endLine - 1), Math.max(0, loc.endColumn - 1)) : start;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(loc.file));
  const editor = await vscode.window.showTextDocument(document, { selection: new vscode.Range(start, end), preserveFocus: false, preview: true });
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
