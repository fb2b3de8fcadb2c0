// Time travel in the editor: the reverse commands (kscn/reverseNext, kscn/reverseStepOut,
// kscn/backToPreviousIpc, kscn/goToMoment) and what shows that the debugger is in the past — a
// decoration on the stopped line ("⟲ past") and a status-bar item ("⟲ Step 1234 / 5000") whose
// tooltip reports the history's memory. The debug adapter announces every stop's place on the
// timeline with the custom event `kscn/timeTravel`. The history bounds come from the settings
// `kscn.history.maxSteps` and `kscn.history.checkpointInterval` unless launch.json sets them.
import * as vscode from 'vscode';
import type { TimeTravelEventBody } from '../debug-adapter/timeTravelInfo';
import { DEBUG_TYPE } from './debugConfiguration';

/** Requests after which the program runs: the "past" line decoration no longer applies. */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restart', 'kscn/reverseNext', 'kscn/reverseStepOut', 'kscn/backToPreviousIpc', 'kscn/goToMoment']);

const IN_PAST_CONTEXT = 'kscn.inPast';

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** The status-bar tooltip: where the stop is on the timeline and what the history costs. */
export function timeTravelTooltip(body: TimeTravelEventBody): string {
  if (!body.enabled) return 'Time travel is off for this session ("historySize": 0).';
  const lines = [
    body.inPast ? `Stopped in the past: step ${body.step} of ${body.totalSteps}.` : `At the present: step ${body.step}.`,
    `Reachable: steps ${body.oldestStep}–${body.totalSteps} (at most ${body.maxSteps} steps are kept).`,
    `Virtual time ${body.virtualTime} cycles; ${body.eventCount} kernel events so far.`,
    `History: ${formatBytes(body.historyBytes)} (${body.checkpoints} checkpoints, one every ${body.checkpointInterval} steps).`,
  ];
  if (body.inPast) lines.push('Continuing re-runs the same future; editing a variable or memory here discards it.');
  return lines.join('\n');
}

export function registerTimeTravel(context: vscode.ExtensionContext): void {
  const status = vscode.window.createStatusBarItem('kscn.timeTravel', vscode.StatusBarAlignment.Left, 50);
  status.name = 'kscn Time Travel';
  status.command = 'kscn.goToStep';
  const pastLine = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: 'rgba(130, 100, 220, 0.18)',
    overviewRulerColor: 'rgba(130, 100, 220, 0.8)',
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  /** Where the past decoration is: a file and a 0-based line, with the step it shows. */
  let decorated: { path: string; line: number; step: number } | undefined;
  let lastEvent: { session: vscode.DebugSession; body: TimeTravelEventBody } | undefined;

  const applyDecoration = (): void => {
    for (const editor of vscode.window.visibleTextEditors) {
      const here = decorated !== undefined && editor.document.uri.scheme === 'file' && editor.document.uri.fsPath === decorated.path;
      const options: vscode.DecorationOptions[] = here
        ? [{
            range: new vscode.Range(decorated!.line, 0, decorated!.line, 0),
            renderOptions: { after: { contentText: `  ⟲ past · step ${decorated!.step}`, fontStyle: 'italic', color: new vscode.ThemeColor('editorCodeLens.foreground') } },
          }]
        : [];
      editor.setDecorations(pastLine, options);
    }
  };
  const clearPast = (): void => {
    decorated = undefined;
    applyDecoration();
  };
  const clearAll = (): void => {
    clearPast();
    lastEvent = undefined;
    status.hide();
    void vscode.commands.executeCommand('setContext', IN_PAST_CONTEXT, false);
  };

  const onTimeTravel = async (session: vscode.DebugSession, body: TimeTravelEventBody): Promise<void> => {
    lastEvent = { session, body };
    void vscode.commands.executeCommand('setContext', IN_PAST_CONTEXT, body.inPast);
    status.text = body.inPast ? `⟲ Step ${body.step} / ${body.totalSteps}` : `$(history) Step ${body.step}`;
    status.tooltip = timeTravelTooltip(body);
    status.backgroundColor = body.inPast ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (body.enabled) status.show();
    else status.hide();
    if (!body.inPast) {
      clearPast();
      return;
    }
    try {
      const stack = (await session.customRequest('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 })) as { stackFrames?: { line: number; source?: { path?: string } }[] };
      const frame = stack.stackFrames?.[0];
      if (lastEvent?.body !== body) return;
      decorated = frame?.source?.path && frame.line > 0 ? { path: frame.source.path, line: frame.line - 1, step: body.step } : undefined;
    } catch {
      decorated = undefined;
    }
    applyDecoration();
  };

  /** The thread a reverse command acts on: the one selected in the Call Stack view, else the last stop's. */
  const target = (): { session: vscode.DebugSession; threadId: number } | undefined => {
    const item = vscode.debug.activeStackItem;
    if (item && item.session.type === DEBUG_TYPE) return { session: item.session, threadId: item.threadId };
    const session = vscode.debug.activeDebugSession;
    if (session?.type === DEBUG_TYPE && lastEvent?.session === session) return { session, threadId: lastEvent.body.threadId };
    return undefined;
  };

  const send = async (session: vscode.DebugSession, command: string, args: Record<string, unknown>): Promise<void> => {
    try {
      await session.customRequest(command, args);
    } catch (error) {
      void vscode.window.showInformationMessage(`kscn: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const reverse = async (request: string): Promise<void> => {
    const where = target();
    if (!where) {
      void vscode.window.showInformationMessage('kscn: time travel needs a stopped kscn debug session.');
      return;
    }
    await send(where.session, request, { threadId: where.threadId });
  };

  context.subscriptions.push(
    status,
    pastLine,
    vscode.commands.registerCommand('kscn.reverseNext', () => reverse('kscn/reverseNext')),
    vscode.commands.registerCommand('kscn.reverseStepOut', () => reverse('kscn/reverseStepOut')),
    vscode.commands.registerCommand('kscn.backToPreviousIpc', () => reverse('kscn/backToPreviousIpc')),
    vscode.commands.registerCommand('kscn.goToStep', async () => {
      const session = vscode.debug.activeDebugSession;
      if (session?.type !== DEBUG_TYPE) {
        void vscode.window.showInformationMessage('kscn: time travel needs a stopped kscn debug session.');
        return;
      }
      const body = lastEvent?.session === session ? lastEvent.body : undefined;
      const range = body ? ` (${body.oldestStep}–${body.totalSteps})` : '';
      const answer = await vscode.window.showInputBox({
        title: 'kscn: Go to Step',
        prompt: `The kernel step to travel to${range}`,
        value: body ? String(body.step) : '',
        validateInput: (text) => (/^\d+$/.test(text.trim()) ? undefined : 'a step number (0 is the start of the run)'),
      });
      if (answer === undefined) return;
      await send(session, 'kscn/goToMoment', { step: Number(answer.trim()) });
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((event) => {
      if (event.session.type !== DEBUG_TYPE || event.event !== 'kscn/timeTravel') return;
      void onTimeTravel(event.session, event.body as TimeTravelEventBody);
    }),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: () => ({
        onWillReceiveMessage: (message: { type?: string; command?: string }) => {
          if (message.type === 'request' && message.command !== undefined && RESUMING.has(message.command)) clearPast();
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.type === DEBUG_TYPE && (lastEvent === undefined || lastEvent.session === session)) clearAll();
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => applyDecoration()),
    // The history bounds from the settings, unless the launch configuration sets them (after the
    // main provider has completed the configuration, so nothing here is replaced).
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      resolveDebugConfigurationWithSubstitutedVariables(folder, configuration) {
        const settings = vscode.workspace.getConfiguration('kscn.history', folder);
        const maxSteps = settings.get<number>('maxSteps');
        const interval = settings.get<number>('checkpointInterval');
        if (configuration.historySize === undefined && typeof maxSteps === 'number' && Number.isSafeInteger(maxSteps) && maxSteps >= 0) configuration.historySize = maxSteps;
        if (configuration.checkpointInterval === undefined && typeof interval === 'number' && Number.isSafeInteger(interval) && interval >= 1) configuration.checkpointInterval = interval;
        return configuration;
      },
    }),
  );
}
