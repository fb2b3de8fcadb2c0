// The kernel objects view: a tree in the Run and Debug side bar over the adapter's
// `kscn/kernelObjects` (objectsModel.ts), refreshed on each stop of the active kscn session.
// Items that know the scenario line that created them offer "Reveal Creating Line".

import * as vscode from 'vscode';
import type { KernelObjectsBody } from '../../debug-adapter/views';
import { DEBUG_TYPE } from '../debugConfiguration';
import { KERNEL_OBJECTS_REQUEST, ObjectsModel, REVEAL_CREATING_LINE_COMMAND, treeItemOf } from './objectsModel';
import { revealLocation } from './reveal';

export const OBJECTS_VIEW_ID = 'kscn.kernelObjects';

export class ObjectsTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  readonly model = new ObjectsModel();
  private session: vscode.DebugSession | undefined;
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private view: vscode.TreeView<string> | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  attach(view: vscode.TreeView<string>): void {
    this.view = view;
    view.message = 'Start debugging a scenario to see its kernel objects.';
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(id: string): vscode.TreeItem {
    const node = this.model.get(id);
    if (!node) return new vscode.TreeItem(id);
    const data = treeItemOf(node);
    const item = new vscode.TreeItem(
      data.label,
      data.collapsible === 'none' ? vscode.TreeItemCollapsibleState.None : data.collapsible === 'expanded' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = data.id;
    if (data.description !== undefined) item.description = data.description;
    item.tooltip = data.tooltip;
    item.iconPath = new vscode.ThemeIcon(data.icon);
    item.contextValue = data.contextValue;
    // A click on a leaf reveals its creating line; parents keep the click for expanding.
    if (data.loc && data.collapsible === 'none') item.command = { command: REVEAL_CREATING_LINE_COMMAND, title: 'Reveal Creating Line', arguments: [data.id] };
    return item;
  }

  getChildren(id?: string): string[] {
    return this.model.children(id).map((node) => node.id);
  }

  getParent(id: string): string | undefined {
    return this.model.parentOf(id)?.id;
  }

  setSession(session: vscode.DebugSession | undefined): void {
    if (session !== undefined && session.type !== DEBUG_TYPE) return;
    if (session?.id === this.session?.id) return;
    this.session = session;
    if (session) this.refresh();
  }

  sessionEnded(session: vscode.DebugSession): void {
    if (session.id !== this.session?.id) return;
    this.session = undefined;
    if (this.view) this.view.message = 'The session ended; this is its last state.';
  }

  onCustomEvent(event: vscode.DebugSessionCustomEvent): void {
    if (event.session.type !== DEBUG_TYPE || event.event !== 'kscn/ipcEventsChanged') return;
    if (this.session?.id !== event.session.id) this.session = event.session;
    this.refresh();
  }

  refresh(): void {
    if (!this.session) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.fetch().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refresh();
      }
    });
  }

  private async fetch(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const body = (await session.customRequest(KERNEL_OBJECTS_REQUEST)) as KernelObjectsBody;
      if (session !== this.session) return;
      this.model.apply(body);
      if (this.view) this.view.message = undefined;
      this.changed.fire(undefined);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`${KERNEL_OBJECTS_REQUEST}: ${message}`);
      if (this.view) this.view.message = `The kernel objects are not available: ${message}`;
    }
  }

  /** The command: an item id (inline action, click) or none (the selection). */
  async revealCreatingLine(id?: string): Promise<void> {
    const target = id ?? this.view?.selection[0];
    const node = target !== undefined ? this.model.get(target) : undefined;
    if (!node) return;
    if (!node.loc) {
      void vscode.window.showInformationMessage(`kscn: the scenario line that created ${node.label} is not known.`);
      return;
    }
    await revealLocation(node.loc);
  }
}
