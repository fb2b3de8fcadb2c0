// The "Explore Interleavings" (with "Debug This Seed") and "Export Chrome Trace" commands. Both
// run the bundled CLI in a child process, so a long exploration never blocks the extension host.
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  chromeTraceArguments,
  configurationForSeed,
  defaultTracePath,
  describeFailingSeed,
  exploreArguments,
  parseExploreJson,
  summarizeExploration,
  validateRuns,
  type FailingSeed,
} from './toolsModel';

const CLI_BUNDLE = 'dist/cli.js';

/** Resolves the scenario a command acts on (the extension's shared rules: trust, saved file). */
export type ScenarioResolver = (resource: vscode.Uri | string | undefined) => Promise<string | undefined>;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(cli: string, args: readonly string[], cwd: string, token?: vscode.CancellationToken): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    token?.onCancellationRequested(() => child.kill());
  });
}

/** The seed of the active kscn debug session on this file, if any: its trace is that run. */
function sessionSeed(file: string): number | undefined {
  const session = vscode.debug.activeDebugSession;
  if (session?.type !== 'kscn') return undefined;
  const configuration = session.configuration as { program?: unknown; seed?: unknown };
  if (typeof configuration.program !== 'string' || path.resolve(configuration.program) !== path.resolve(file)) return undefined;
  return typeof configuration.seed === 'number' ? configuration.seed : undefined;
}

export function registerTools(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, scenarioFile: ScenarioResolver): void {
  const output = vscode.window.createOutputChannel('kscn explore');
  const cliPath = (): string | undefined => {
    const cli = context.asAbsolutePath(CLI_BUNDLE);
    if (existsSync(cli)) return cli;
    void vscode.window.showErrorMessage(`kscn: the command-line bundle (${CLI_BUNDLE}) is missing from the extension.`);
    return undefined;
  };

  const debugSeed = async (file: string, seed: number): Promise<void> => {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    const started = await vscode.debug.startDebugging(folder, configurationForSeed(file, seed));
    if (!started) log.warn(`the debug session for ${file} with seed ${seed} did not start`);
  };

  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('kscn.exploreInterleavings', async (resource?: vscode.Uri | string) => {
      const file = await scenarioFile(resource);
      const cli = file === undefined ? undefined : cliPath();
      if (file === undefined || cli === undefined) return;
      const runsText = await vscode.window.showInputBox({
        title: 'Explore interleavings',
        prompt: 'How many deterministic interleavings (seeds) to run',
        value: '50',
        validateInput: validateRuns,
      });
      if (runsText === undefined) return;
      const runs = Number(runsText.trim());
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `kscn: exploring ${runs} interleavings of ${path.basename(file)}`, cancellable: true },
        (_progress, token) => runCli(cli, exploreArguments(file, runs, 1), path.dirname(file), token),
      );
      const summary = parseExploreJson(result.stdout);
      if (summary === undefined) {
        output.clear();
        output.append(result.stderr || result.stdout);
        output.show(true);
        void vscode.window.showErrorMessage(`kscn: exploration of ${path.basename(file)} did not complete (exit ${String(result.code)}); see the "kscn explore" output.`);
        return;
      }
      output.clear();
      output.appendLine(summarizeExploration(summary, file));
      for (const failure of summary.failures) output.appendLine(`  seed ${failure.seed}: ${failure.outcome}: ${failure.message}\n    replay: ${failure.replay}`);
      if (summary.failures.length === 0) {
        void vscode.window.showInformationMessage(summarizeExploration(summary, file));
        return;
      }
      output.show(true);
      const picked = await vscode.window.showQuickPick(
        summary.failures.map((failure) => ({ ...describeFailingSeed(failure), failure })),
        { title: `${summarizeExploration(summary, file)} Debug this seed:`, matchOnDescription: true, matchOnDetail: true },
      );
      if (picked) await debugSeed(file, (picked.failure as FailingSeed).seed);
    }),
    vscode.commands.registerCommand('kscn.debugSeed', async (resource?: vscode.Uri | string, seed?: number) => {
      const file = await scenarioFile(resource);
      if (file === undefined) return;
      let chosen = seed;
      if (chosen === undefined) {
        const text = await vscode.window.showInputBox({ title: 'Debug this seed', prompt: 'Seed', value: '1', validateInput: (t) => (/^\d+$/.test(t.trim()) ? undefined : 'Enter a seed (a whole number).') });
        if (text === undefined) return;
        chosen = Number(text.trim());
      }
      await debugSeed(file, chosen);
    }),
    vscode.commands.registerCommand('kscn.exportChromeTrace', async (resource?: vscode.Uri | string) => {
      const file = await scenarioFile(resource);
      const cli = file === undefined ? undefined : cliPath();
      if (file === undefined || cli === undefined) return;
      const target = await vscode.window.showSaveDialog({
        title: 'Export Chrome trace (opens in Perfetto or chrome://tracing)',
        defaultUri: vscode.Uri.file(defaultTracePath(file)),
        filters: { 'Chrome trace': ['json'] },
      });
      if (target === undefined) return;
      const seed = sessionSeed(file);
      const result = await runCli(cli, chromeTraceArguments(file, target.fsPath, seed), path.dirname(file));
      if (result.code === 2 || !existsSync(target.fsPath)) {
        void vscode.window.showErrorMessage(`kscn: could not export a trace of ${path.basename(file)}: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? ''}`);
        return;
      }
      const seedNote = seed === undefined ? '' : ` (seed ${seed}, as in the debug session)`;
      void vscode.window.showInformationMessage(`kscn: wrote ${path.basename(target.fsPath)}${seedNote}.`);
    }),
  );
}
