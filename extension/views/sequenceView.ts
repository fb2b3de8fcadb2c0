// The IPC sequence view: a webview in the Run and Debug side bar. It follows the active kscn
// debug session: on each stop (the adapter's `kscn/ipcEventsChanged` event) it fetches the new
// IPC events page by page (`kscn/ipcEvents`), merges them (ipcModel.ts) and sends the webview only
// what changed. A click on an arrow moves the debugger to that moment (`kscn/goToMoment`) and
// reveals the scenario line behind the arrow.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { IpcEventsBody, IpcEventsChangedBody } from '../../debug-adapter/views';
import { DEBUG_TYPE } from '../debugConfiguration';
import { GO_TO_MOMENT_REQUEST, IPC_EVENTS_REQUEST, IpcModel, momentOf, type SequenceArrow } from './ipcModel';
import { revealLocation } from './reveal';

export const SEQUENCE_VIEW_ID = 'kscn.ipcSequence';

interface Posted {
  generation: number;
  count: number;
  lifelines: string;
}

export class SequenceViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private session: vscode.DebugSession | undefined;
  private readonly model = new IpcModel();
  private posted: Posted | undefined;
  private running: Promise<void> | undefined;
  private pending: IpcEventsChangedBody | undefined | null = null;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    this.posted = undefined;
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    const styles = vscode.Uri.joinPath(this.extensionUri, 'media', 'sequence');
    view.webview.options = { enableScripts: true, localResourceRoots: [media, styles] };
    view.webview.html = this.html(view.webview, vscode.Uri.joinPath(media, 'sequence.js'), vscode.Uri.joinPath(styles, 'sequence.css'));
    this.disposables.push(
      view.webview.onDidReceiveMessage((message: { type?: string; index?: number }) => {
        if (message.type === 'ready') {
          this.ready = true;
          this.posted = undefined;
          this.publish();
          this.refresh();
        } else if (message.type === 'select' && typeof message.index === 'number') {
          void this.goTo(message.index);
        }
      }),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.refresh();
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  /** The active session changed (or ended: undefined). */
  setSession(session: vscode.DebugSession | undefined): void {
    if (session !== undefined && session.type !== DEBUG_TYPE) return;
    if (session?.id === this.session?.id) return;
    this.session = session;
    if (session) {
      this.model.clear();
      this.posted = undefined;
      this.publish();
      this.refresh();
    }
  }

  sessionEnded(session: vscode.DebugSession): void {
    if (session.id !== this.session?.id) return;
    this.session = undefined;
    this.post({ type: 'message', text: `The session ended: ${this.model.arrows.length} IPC events.` });
  }

  /** The adapter announced new events (a stop). */
  onCustomEvent(event: vscode.DebugSessionCustomEvent): void {
    if (event.session.type !== DEBUG_TYPE || event.event !== 'kscn/ipcEventsChanged') return;
    if (this.session?.id !== event.session.id) this.setSession(event.session);
    this.refresh(event.body as IpcEventsChangedBody | undefined);
  }

  /** Fetches what is new; one fetch at a time, the latest request wins. */
  refresh(changed?: IpcEventsChangedBody): void {
    if (!this.session || !this.view) return;
    if (this.running) {
      this.pending = changed;
      return;
    }
    this.running = this.fetch(changed).finally(() => {
      this.running = undefined;
      if (this.pending !== null) {
        const next = this.pending;
        this.pending = null;
        this.refresh(next);
      }
    });
  }

  private async fetch(changed: IpcEventsChangedBody | undefined): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      let request = this.model.nextRequest(changed);
      // Refresh the current moment even when there is nothing new.
      if (!request) request = { start: this.model.arrows.length, count: 0 };
      for (let guard = 0; guard < 10_000; guard++) {
        const body = (await session.customRequest(IPC_EVENTS_REQUEST, request)) as IpcEventsBody;
        if (session !== this.session) return;
        this.model.apply(body);
        this.publish();
        if (this.model.complete) break;
        const next = this.model.nextRequest();
        if (!next || (body.events.length === 0 && next.start !== 0)) break;
        request = next;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`${IPC_EVENTS_REQUEST}: ${message}`);
      this.post({ type: 'message', text: `The IPC events are not available: ${message}` });
    }
  }

  /** Sends the webview what it does not have yet. */
  private publish(): void {
    if (!this.view || !this.ready) return;
    const model = this.model;
    const lifelines = model.lifelines.map((l) => `${l.id}:${l.name}`).join(',');
    const posted = this.posted;
    if (!this.session && model.arrows.length === 0) {
      this.post({ type: 'message', text: 'Start debugging a scenario to see its IPC.' });
      return;
    }
    if (!posted || posted.generation !== model.generation || posted.count > model.arrows.length) {
      this.post({ type: 'data', data: model.snapshot() });
    } else {
      const changedLifelines = posted.lifelines !== lifelines;
      this.post({
        type: 'append',
        arrows: model.arrows.slice(posted.count),
        currentStep: model.currentStep,
        ...(changedLifelines ? { lifelines: model.lifelines, groups: model.groups } : {}),
      });
    }
    this.posted = { generation: model.generation, count: model.arrows.length, lifelines };
  }

  private post(message: unknown): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  /** A click on an arrow: go to that moment, then show its scenario line. */
  private async goTo(index: number): Promise<void> {
    const arrow: SequenceArrow | undefined = this.model.arrows[index];
    if (!arrow) return;
    const session = this.session;
    if (session) {
      try {
        await session.customRequest(GO_TO_MOMENT_REQUEST, momentOf(arrow));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log.info(`${GO_TO_MOMENT_REQUEST} #${index}: ${message}`);
        this.post({ type: 'message', text: `Cannot go to event #${index}: ${message}` });
      }
    }
    if (arrow.loc) await revealLocation(arrow.loc);
  }

  private html(webview: vscode.Webview, script: vscode.Uri, style: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${webview.asWebviewUri(style).toString()}">
<title>IPC Sequence</title>
</head>
<body>
<div id="root" data-total="0" data-drawn-rows="0"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body>
</html>`;
  }
}
