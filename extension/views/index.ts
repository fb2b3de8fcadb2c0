// Registers the debug views: the IPC sequence webview and the kernel objects tree in the Run and
// Debug side bar, the "Reveal Creating Line" command, and their updates from kscn debug sessions.
import * as vscode from 'vscode';
import { OBJECTS_VIEW_ID, ObjectsTreeProvider } from './objectsView';
import { SEQUENCE_VIEW_ID, SequenceViewProvider } from './sequenceView';

export function registerViews(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const sequence = new SequenceViewProvider(context.extensionUri, log);
  const objects = new ObjectsTreeProvider(log);
  const tree = vscode.window.createTreeView(OBJECTS_VIEW_ID, { treeDataProvider: objects, showCollapseAll: true });
  objects.attach(tree);
  const follow = (session: vscode.DebugSession | undefined) => {
    sequence.setSession(session);
    objects.setSession(session);
  };
  context.subscriptions.push(
    sequence,
    objects,
    tree,
    vscode.window.registerWebviewViewProvider(SEQUENCE_VIEW_ID, sequence, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand('kscn.objects.revealCreatingLine', (id?: string) => objects.revealCreatingLine(typeof id === 'string' ? id : undefined)),
    vscode.debug.onDidStartDebugSession(follow),
    vscode.debug.onDidChangeActiveDebugSession(follow),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      sequence.onCustomEvent(event);
      objects.onCustomEvent(event);
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      sequence.sessionEnded(session);
      objects.sessionEnded(session);
    }),
  );
  follow(vscode.debug.activeDebugSession);
}

/** The command's id, as registered above (the manifest test reads the literal). */
export { REVEAL_CREATING_LINE_COMMAND } from './objectsModel';
