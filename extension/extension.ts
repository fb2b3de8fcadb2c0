// The VS Code client of kscn: starts the language server, registers the `kscn` debug adapter and
// its configuration provider, and the "Run Scenario" / "Debug Scenario" commands. Everything
// here is wiring; the decisions about configurations live in debugConfiguration.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  DEBUG_TYPE,
  LANGUAGE_ID,
  configurationForFile,
  initialConfiguration,
  launchArgumentProblems,
  resolveConfiguration,
  type LaunchConfiguration,
} from './debugConfiguration';
import { registerTimeTravel } from './timeTravel';
import { registerTools } from './tools';
import { registerDebugEditorSupport } from './debugEditor';
import { registerViews } from './views/index';

/** The bundles next to this one, relative to the extension's root. */
const LANGUAGE_SERVER_BUNDLE = 'dist/language-server.js';
const DEBUG_ADAPTER_BUNDLE = 'dist/debug-adapter.js';
const CLI_BUNDLE = 'dist/cli.js';

const RESTRICTED_MODE_MESSAGE =
  'kscn: running and debugging scenarios is disabled in Restricted Mode. Trust this workspace to enable them.';

let languageClient: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Kernel Scenario Debugger', { log: true });
  context.subscriptions.push(log);
  log.info(`activating kscn ${String(context.extension.packageJSON.version)} from ${context.extensionPath}`);

  registerDebugging(context, log);
  registerCommands(context, log);
  registerTimeTravel(context);
  registerTools(context, log, scenarioFile);
  registerViews(context, log);
  registerDebugEditorSupport(context, () => languageClient);
  await startLanguageClient(context, log);
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  await client?.stop();
}

/** Starts the language client; a missing or failing server is logged, never fatal. */
async function startLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
  const serverModule = context.asAbsolutePath(LANGUAGE_SERVER_BUNDLE);
  if (!existsSync(serverModule)) {
    log.warn(`${LANGUAGE_SERVER_BUNDLE} is missing: language features (diagnostics, completion, hover) are off`);
    return;
  }
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    outputChannel: log,
  };
  const client = new LanguageClient('kscn', 'kscn Language Server', serverOptions, clientOptions);
  try {
    await client.start();
    languageClient = client;
    context.subscriptions.push(client);
    log.info(`language server started from ${LANGUAGE_SERVER_BUNDLE}`);
  } catch (error) {
    log.error(`the language server did not start: ${describe(error)}`);
  }
}

function registerDebugging(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const adapterFactory: vscode.DebugAdapterDescriptorFactory = {
    createDebugAdapterDescriptor() {
      const adapter = context.asAbsolutePath(DEBUG_ADAPTER_BUNDLE);
      if (!existsSync(adapter)) {
        log.error(`${DEBUG_ADAPTER_BUNDLE} is missing: cannot debug`);
        throw new Error(`kscn: the debug adapter (${DEBUG_ADAPTER_BUNDLE}) is missing from the extension.`);
      }
      log.info(`starting the debug adapter ${DEBUG_ADAPTER_BUNDLE}`);
      // The Node.js that runs the extension host: plain Node under code-server, Electron in
      // desktop VS Code, where ELECTRON_RUN_AS_NODE makes it behave as Node. Does not depend on
      // a `node` on the user's PATH.
      return new vscode.DebugAdapterExecutable(process.execPath, [adapter], {
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
    },
  };

  const configurationProvider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations() {
      return [initialConfiguration()];
    },
    resolveDebugConfiguration(_folder, configuration) {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage(RESTRICTED_MODE_MESSAGE);
        return undefined;
      }
      const editor = vscode.window.activeTextEditor;
      const active = editor && { languageId: editor.document.languageId, fileName: editor.document.fileName };
      const result = resolveConfiguration(configuration as LaunchConfiguration, active);
      if ('error' in result) {
        // Returning undefined aborts the launch; null would open launch.json instead.
        void vscode.window.showInformationMessage(`kscn: ${result.error}`);
        return undefined;
      }
      return result.configuration as vscode.DebugConfiguration;
    },
    resolveDebugConfigurationWithSubstitutedVariables(folder, configuration) {
      const program = configuration.program;
      if (typeof program === 'string' && program !== '' && !path.isAbsolute(program) && folder) {
        configuration.program = path.join(folder.uri.fsPath, program);
      }
      const problems = launchArgumentProblems(configuration);
      if (problems.length > 0) {
        void vscode.window.showErrorMessage(`kscn: invalid launch configuration: ${problems.join('; ')}`);
        return undefined;
      }
      return configuration;
    },
  };

  // Offered in the Run and Debug view's "Select and Start Debugging" list: one entry per open scenario.
  const dynamicProvider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations() {
      return vscode.workspace.textDocuments
        .filter((document) => document.languageId === LANGUAGE_ID && document.uri.scheme === 'file')
        .map((document) => configurationForFile(document.uri.fsPath));
    },
  };

  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, adapterFactory),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, configurationProvider),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      dynamicProvider,
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
  );
}

function registerCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const runOutput = vscode.window.createOutputChannel('kscn run');
  context.subscriptions.push(
    runOutput,
    vscode.commands.registerCommand('kscn.runScenario', async (resource?: vscode.Uri | string) => {
      const file = await scenarioFile(resource);
      if (file === undefined) return;
      const cli = context.asAbsolutePath(CLI_BUNDLE);
      if (!existsSync(cli)) {
        void vscode.window.showErrorMessage(`kscn: the command-line bundle (${CLI_BUNDLE}) is missing from the extension.`);
        return;
      }
      runScenario(cli, file, runOutput, log);
    }),
    vscode.commands.registerCommand('kscn.debugScenario', async (resource?: vscode.Uri | string) => {
      const file = await scenarioFile(resource);
      if (file === undefined) return;
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
      const started = await vscode.debug.startDebugging(folder, configurationForFile(file));
      if (!started) log.warn(`the debug session for ${file} did not start`);
    }),
  );
}

/**
 * The scenario a command acts on: the resource it was invoked on (a Uri from the editor title or
 * the explorer, a URI string from the language server's Run/Debug code lenses) or the active
 * editor's document, saved first. Undefined, after telling the user why, when the workspace is
 * untrusted or there is no saved `.kscn` file.
 */
async function scenarioFile(resource: vscode.Uri | string | undefined): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    const manage = 'Manage Workspace Trust';
    void vscode.window.showWarningMessage(RESTRICTED_MODE_MESSAGE, manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return undefined;
  }
  const uri =
    resource instanceof vscode.Uri
      ? resource
      : typeof resource === 'string'
        ? vscode.Uri.parse(resource)
        : vscode.window.activeTextEditor?.document.uri;
  if (uri === undefined) {
    void vscode.window.showInformationMessage('kscn: open a .kscn scenario first.');
    return undefined;
  }
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
  if (document !== undefined && document.languageId !== LANGUAGE_ID) {
    void vscode.window.showInformationMessage(`kscn: ${path.basename(uri.fsPath)} is not a .kscn scenario.`);
    return undefined;
  }
  if (uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('kscn: save the scenario to a file first.');
    return undefined;
  }
  if (document?.isDirty && !(await document.save())) return undefined;
  return uri.fsPath;
}

/** Runs `kscn run FILE` with the bundled CLI and shows its trace in the "kscn run" channel. */
function runScenario(cli: string, file: string, output: vscode.OutputChannel, log: vscode.LogOutputChannel): void {
  output.clear();
  output.show(true);
  output.appendLine(`$ kscn run ${file}`);
  const child = spawn(process.execPath, [cli, 'run', file], {
    cwd: path.dirname(file),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  child.stdout.setEncoding('utf8').on('data', (text: string) => output.append(text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => output.append(text));
  child.on('error', (error) => {
    output.appendLine(`kscn run: could not start: ${describe(error)}`);
    log.error(`kscn run ${file}: ${describe(error)}`);
  });
  child.on('close', (code) => {
    const outcome =
      code === 0 ? 'every expectation held' : code === 1 ? 'an expectation failed or the run did not finish' : 'usage or parse error';
    output.appendLine(`kscn run: exit ${String(code)} (${outcome})`);
    if (code !== 0) {
      void vscode.window.showWarningMessage(`kscn: ${path.basename(file)}: ${outcome}.`);
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
