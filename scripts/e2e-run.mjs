// The real-VS-Code tier (`npm run test:e2e`): builds and packages dist/kscn.vsix, installs it into
// a fresh code-server, opens a workspace of example scenarios in headless Chromium and uses the
// extension as a person would (colours, a diagnostic, completion, breakpoint, variables, step
// into a call, Run Scenario, Restricted Mode). Prepare it once with `npm run e2e:setup`; see
// test/e2e/README.md.
//
// Every scenario is reported on its own line; screenshots go to test-artifacts/e2e/. Every wait
// is bounded and the whole run has a hard cap (KSCN_E2E_TIMEOUT_SECONDS, default 600). The last
// line is always `e2e: N passed, N failed`; the exit code is 0 only when nothing failed.
//
// Options: --no-build (reuse dist/kscn.vsix), --only=a-colours,b-diagnostic (scenario ids; the
// vsix check and start-up always run), --keep (keep the temp folder and print its path).
// Environment: KSCN_E2E_VSIX (test that vsix, no build), KSCN_E2E_CHROMIUM (browser binary),
// KSCN_E2E_TIMEOUT_SECONDS (the hard cap).
import { execFile, spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(root, '.e2e-cache/code-server');
const codeServerBin = path.join(cacheDir, 'node_modules/.bin/code-server');
const chromiumPath = process.env.KSCN_E2E_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = path.join(root, 'test-artifacts/e2e');
// KSCN_E2E_VSIX: test a vsix built elsewhere instead of building and packaging this checkout.
const vsixPath = process.env.KSCN_E2E_VSIX ? path.resolve(process.env.KSCN_E2E_VSIX) : path.join(root, 'dist/kscn.vsix');
const hardCapSeconds = Number(process.env.KSCN_E2E_TIMEOUT_SECONDS ?? 600);

const options = {
  build: !process.argv.includes('--no-build') && !process.env.KSCN_E2E_VSIX,
  keep: process.argv.includes('--keep'),
  only: process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(','),
};

// ---------------------------------------------------------------------------------------------
// Results, cleanup and the hard cap

/** @type {{ id: string, title: string, ok: boolean, detail: string, seconds: number }[]} */
const results = [];
/** @type {(() => Promise<void> | void)[]} */
const cleanups = [];
let finishing = false;

function log(message) {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function finish(exitCode) {
  if (finishing) return;
  finishing = true;
  // Freeze the results: a scenario still running when the cap struck only counts as not run.
  const final = [...results];
  for (const [id, title] of SCENARIOS) {
    if (options.only && !options.only.includes(id) && id !== 'start' && id !== 'vsix') continue;
    if (!final.some((result) => result.id === id)) final.push({ id, title, ok: false, detail: 'not run, or cut off by the hard cap', seconds: 0 });
  }
  for (const cleanup of cleanups.reverse()) {
    try {
      await withTimeout(Promise.resolve(cleanup()), 15_000, 'cleanup');
    } catch (error) {
      log(`cleanup: ${describe(error)}`);
    }
  }
  const passed = final.filter((result) => result.ok).length;
  const failed = final.length - passed;
  process.stdout.write('\n');
  for (const result of final) {
    process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'} ${result.id} ${result.title} (${result.seconds.toFixed(1)} s)${result.detail ? `: ${result.detail}` : ''}\n`);
  }
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
  process.exit(exitCode ?? (failed > 0 || passed === 0 ? 1 : 0));
}

const hardCap = setTimeout(() => {
  log(`hard cap of ${hardCapSeconds} s reached: stopping`);
  results.push({ id: 'cap', title: 'whole run within the hard cap', ok: false, detail: `over ${hardCapSeconds} s`, seconds: hardCapSeconds });
  void finish(1);
}, hardCapSeconds * 1000);
process.on('SIGINT', () => void finish(130));
process.on('SIGTERM', () => void finish(143));

function describe(error) {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

function withTimeout(promise, milliseconds, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${milliseconds / 1000} s`)), milliseconds);
    }),
  ]);
}

/** Runs a command to completion with a timeout; resolves with its output, rejects on failure. */
function run(command, args, { timeout = 120_000, env = process.env, cwd = root } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${error.killed ? 'timed out' : `exit ${error.code}`}):\n${tail}`));
      } else {
        resolve(`${stdout}${stderr}`);
      }
    });
  });
}

/** Runs one scenario under its own timeout, records the outcome and takes a screenshot. */
async function scenario(id, title, timeoutSeconds, body, page, { watchPopups = true } = {}) {
  if (finishing || (options.only && !options.only.includes(id) && id !== 'start' && id !== 'vsix')) return;
  const started = Date.now();
  log(`-- ${id}: ${title}`);
  /** @type {string[]} */
  const notes = [];
  let ok = false;
  let detail = '';
  const watching = { stop: false };
  try {
    const watched = page && watchPopups ? [body(notes), failOnErrorPopup(page, watching)] : [body(notes)];
    await withTimeout(Promise.race(watched), timeoutSeconds * 1000, title);
    ok = true;
  } catch (error) {
    detail = describe(error);
  } finally {
    watching.stop = true;
  }
  if (!ok) notes.push(...newExtensionLogProblems());
  if (page) {
    const shot = path.join(artifacts, `${id}-${ok ? 'pass' : 'fail'}.png`);
    try {
      await page.screenshot({ path: shot, timeout: 10_000 });
      notes.push(path.relative(root, shot));
    } catch (error) {
      notes.push(`no screenshot: ${describe(error)}`);
    }
  }
  if (page) await dismissPopups(page);
  detail = [detail, ...notes].filter(Boolean).join('; ');
  results.push({ id, title, ok, detail, seconds: (Date.now() - started) / 1000 });
  log(`${ok ? 'PASS' : 'FAIL'} ${id}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/**
 * Rejects as soon as a modal dialog or a kscn error/warning notification shows, with its text, so
 * a scenario fails with the reason the user would read instead of waiting for its timeout.
 */
async function failOnErrorPopup(page, watching) {
  while (!watching.stop) {
    const dialog = await page
      .locator('.monaco-dialog-box .dialog-message-text')
      .first()
      .innerText({ timeout: 200 })
      .catch(() => '');
    if (dialog) throw new Error(`dialog: ${dialog.replace(/\s+/g, ' ').trim()}`);
    const toasts = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts().catch(() => []);
    const kscn = toasts.find((text) => text.trim().startsWith('kscn:'));
    if (kscn) throw new Error(`notification: ${kscn.replace(/\s+/g, ' ').trim()}`);
    await sleep(500);
  }
  return new Promise(() => {});
}

/** Closes dialogs and notifications left by a scenario, so the next one starts clean. */
async function dismissPopups(page) {
  try {
    for (let attempt = 0; attempt < 3 && (await page.locator('.monaco-dialog-box').count()) > 0; attempt++) {
      await page.keyboard.press('Escape');
      await sleep(200);
    }
    if ((await page.locator('.notification-toast').count()) > 0) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('>Notifications: Clear All Notifications', { timeout: 5_000 });
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Clear All Notifications' }).first().click({ timeout: 5_000 });
    }
  } catch (error) {
    log(`dismissing popups: ${describe(error)}`);
  }
}

/** Warning and error lines of the extension's own log that no earlier scenario reported. */
const reportedLogLines = new Set();
let extensionLogsRoot;
function newExtensionLogProblems() {
  if (!extensionLogsRoot || !existsSync(extensionLogsRoot)) return [];
  const lines = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name === 'Kernel Scenario Debugger.log') lines.push(...readFileSync(full, 'utf8').split('\n'));
    }
  };
  visit(extensionLogsRoot);
  const fresh = lines.filter((line) => /\[(warning|error)\]/.test(line) && !reportedLogLines.has(line));
  for (const line of fresh) reportedLogLines.add(line);
  return fresh.slice(-3).map((line) => `extension log: ${line.replace(/^\S+ \S+ /, '')}`);
}

function failRemaining(ids, reason) {
  for (const [id, title] of ids) {
    if (options.only && !options.only.includes(id)) continue;
    results.push({ id, title, ok: false, detail: `not run: ${reason}`, seconds: 0 });
  }
}

// ---------------------------------------------------------------------------------------------
// The vsix: a zip file, listed from its central directory

function zipEntries(file) {
  const data = readFileSync(file);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a zip file`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const entries = [];
  for (let index = 0; index < count; index++) {
    if (data.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const method = data.readUInt16LE(offset + 10);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const localOffset = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    const read = () => {
      const start = localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
      const raw = data.subarray(start, start + compressedSize);
      return method === 0 ? raw : inflateRawSync(raw);
    };
    entries.push({ name, read });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function checkVsix(notes) {
  const entries = zipEntries(vsixPath);
  const names = entries.map((entry) => entry.name);
  const problems = [];
  const forbidden = [
    [/\.ts$/, 'TypeScript sources'],
    [/\.map$/, 'source maps'],
    [/(^|\/)node_modules\//, 'node_modules'],
    [/^extension\/(test|test-artifacts|\.e2e-cache|\.ci|bench|kernel|language|cli|debug-adapter|scripts|docs)\//, 'sources, tests or tooling'],
    [/\.vsix$/, 'an older vsix'],
  ];
  for (const [pattern, what] of forbidden) {
    const hits = names.filter((name) => pattern.test(name));
    if (hits.length > 0) problems.push(`${what}: ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ', ...' : ''}`);
  }
  const required = [
    'extension/dist/extension.js',
    'extension/dist/language-server.js',
    'extension/dist/debug-adapter.js',
    'extension/dist/cli.js',
    'extension/package.json',
    'extension/language-configuration.json',
    'extension/syntaxes/kscn.tmLanguage.json',
    'extension/snippets/kscn.json',
    'extension/readme.md',
    'extension/LICENSE.txt',
  ];
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  const manifest = JSON.parse(entries.find((entry) => entry.name === 'extension/package.json').read().toString('utf8'));
  if (manifest.main !== './dist/extension.js') problems.push(`main is ${manifest.main}`);
  notes.push(`${names.length} files`);
  if (problems.length > 0) throw new Error(problems.join('; '));
}

// ---------------------------------------------------------------------------------------------
// code-server

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, milliseconds, isAlive) {
  const deadline = Date.now() + milliseconds;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('code-server exited while starting');
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${milliseconds / 1000} s`);
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Settings of the fresh VS Code profile: nothing that pops up, and only the language server's completions. */
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.editor.enablePreview': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  // Completion is triggered explicitly, and only the language server may answer: without these
  // a word from the document or a snippet would make the completion check pass on its own.
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.snippetSuggestions': 'none',
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.parameterHints.enabled': false,
  'editor.hover.enabled': false,
};

// ---------------------------------------------------------------------------------------------
// The workbench, driven through the keyboard and the DOM

class Workbench {
  constructor(page, workspace) {
    this.page = page;
    this.workspace = workspace;
  }

  async runCommand(label) {
    const page = this.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${label}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await row.click({ timeout: 5_000 });
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
  }

  async openFile(name) {
    const page = this.page;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: 15_000 });
    await this.editor().locator('.view-lines .view-line').first().waitFor({ timeout: 15_000 });
    await this.focusEditor();
  }

  editor() {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** Focuses the (only) editor group's active editor, as Ctrl+1 does. */
  async focusEditor() {
    await this.page.keyboard.press('Control+1');
    await this.page.locator('.editor-group-container.active .monaco-editor.focused').first().waitFor({ timeout: 5_000 }).catch(() => {});
  }

  /** Moves the cursor to a 1-based line with Go to Line. */
  async goToLine(line, column) {
    const page = this.page;
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(column === undefined ? `:${line}` : `:${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
    await this.waitForCursorLine(line);
  }

  /** The editor's cursor line as the status bar shows it ("Ln 12, Col 5"), or undefined. */
  async cursorLine() {
    const text = await this.page
      .locator('#status\\.editor\\.selection')
      .innerText({ timeout: 2_000 })
      .catch(() => '');
    const match = /Ln (\d+)/.exec(text);
    return match ? Number(match[1]) : undefined;
  }

  async waitForCursorLine(line, milliseconds = 10_000) {
    const deadline = Date.now() + milliseconds;
    while (Date.now() < deadline) {
      if ((await this.cursorLine()) === line) return;
      await sleep(100);
    }
    throw new Error(`the cursor did not reach line ${line} (it is on ${await this.cursorLine()})`);
  }

  /** Reverts the active editor to its saved text. */
  async revert() {
    await this.page.keyboard.press('Escape');
    await this.runCommand('File: Revert File');
  }
}

/** 1-based line of the first line of `file` that contains `needle`. */
function lineOf(file, needle, from = 1) {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let index = from - 1; index < lines.length; index++) {
    if (lines[index].includes(needle)) return index + 1;
  }
  throw new Error(`${path.basename(file)} has no line with ${JSON.stringify(needle)}`);
}

/** The 1-based line range of a braced block whose opening line contains `header`. */
function blockRange(file, header) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = lineOf(file, header);
  let depth = 0;
  for (let index = first - 1; index < lines.length; index++) {
    const code = lines[index].replace(/(#|\/\/).*$/, '');
    for (const character of code) {
      if (character === '{') depth++;
      if (character === '}') depth--;
    }
    if (depth === 0 && index >= first - 1 && code.includes('}')) return { first, last: index + 1 };
  }
  throw new Error(`${path.basename(file)}: the block of ${JSON.stringify(header)} does not close`);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const SCENARIOS = [
  ['vsix', 'package: dist/kscn.vsix holds the four bundles and no sources, tests or node_modules'],
  ['start', 'code-server starts with the vsix installed and opens the workspace'],
  ['a-colours', '(a) echo.kscn is coloured by the source.kscn grammar'],
  ['b-diagnostic', '(b) a misspelled syscall gets a diagnostic'],
  ['c-completion', '(c) Ctrl+Space after ipc_ offers ipc_call'],
  ['d1-breakpoint', '(d) F9 on a line, F5 without launch.json, the debugger stops there'],
  ['d2-variables', '(d) the Variables view shows the "Capability group" scope'],
  ['d2-hover', '(d) hovering a local while stopped shows its value'],
  ['d3-step-into', '(d) F11 on ipc_call lands in the server\'s routine echo'],
  ['e-run', '(e) kscn: Run Scenario prints the trace and exit 0'],
  ['e2-run-lens', '(e) the "Run" code lens above the scenario runs it too'],
  ['f-restricted', '(f) Restricted Mode: diagnostics still work, Run Scenario refuses with a message'],
  ['g1-sequence-view', '(g) the IPC Sequence view draws echo.kscn\'s arrows; a click goes to that moment and its line'],
  ['g2-objects-view', '(g) the Kernel Objects view shows the connection; "Reveal Creating Line" opens its line'],
];
const title = (id) => SCENARIOS.find(([candidate]) => candidate === id)[1];

async function main() {
  mkdirSync(artifacts, { recursive: true });
  for (const file of readdirSync(artifacts)) if (file.endsWith('.png')) rmSync(path.join(artifacts, file));

  // Preconditions: `npm run e2e:setup` has been run.
  const setupMissing = [
    [codeServerBin, 'code-server'],
    [path.join(cacheDir, 'node_modules/playwright-core/package.json'), 'playwright-core'],
    [chromiumPath, 'chromium'],
  ].filter(([file]) => !existsSync(file));
  if (setupMissing.length > 0) {
    const reason = `missing ${setupMissing.map(([, what]) => what).join(', ')}: run \`npm run e2e:setup\` first`;
    log(reason);
    failRemaining(SCENARIOS, reason);
    return finish(1);
  }

  // Build and package. A bundle that does not build yet is reported by the vsix scenario; the
  // scenarios that do not need it still run against what did build.
  if (options.build) {
    log('building the production bundles and packaging dist/kscn.vsix');
    let buildError = '';
    try {
      await run(process.execPath, ['scripts/build.mjs', '--production'], { timeout: 180_000 });
    } catch (error) {
      buildError = `build failed: ${describe(error)}`;
      log(String(error instanceof Error ? error.message : error));
    }
    try {
      rmSync(vsixPath, { force: true });
      await run(path.join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '-o', vsixPath], { timeout: 180_000 });
    } catch (error) {
      log(String(error instanceof Error ? error.message : error));
      results.push({ id: 'vsix', title: title('vsix'), ok: false, detail: `vsce package failed: ${describe(error)}`, seconds: 0 });
      failRemaining(SCENARIOS.slice(1), 'no vsix');
      return finish(1);
    }
    await scenario('vsix', title('vsix'), 30, async (notes) => {
      if (buildError) notes.push(buildError);
      checkVsix(notes);
      if (buildError) throw new Error(buildError);
    });
  } else {
    await scenario('vsix', title('vsix'), 30, async (notes) => checkVsix(notes));
  }

  // A fresh home, profile, extensions folder and workspace.
  const temp = mkdtempSync(path.join(tmpdir(), 'kscn-e2e-'));
  if (!options.keep) cleanups.push(() => rmSync(temp, { recursive: true, force: true }));
  else log(`temp folder: ${temp}`);
  const home = path.join(temp, 'home');
  const userData = path.join(temp, 'user-data');
  const extensionsDir = path.join(temp, 'extensions');
  const workspace = path.join(temp, 'workspace');
  for (const dir of [home, userData, extensionsDir, workspace, path.join(userData, 'User')]) mkdirSync(dir, { recursive: true });
  cpSync(path.join(root, 'examples'), workspace, { recursive: true, filter: (source) => !source.endsWith('.expected') });
  writeFileSync(path.join(userData, 'User/settings.json'), JSON.stringify(userSettings, null, 2));
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    XDG_RUNTIME_DIR: path.join(temp, 'runtime'),
  };
  mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  const profileArgs = ['--user-data-dir', userData, '--extensions-dir', extensionsDir];
  extensionLogsRoot = path.join(userData, 'logs');

  const page = await startWorkbench({ env, profileArgs, workspace, temp });
  if (page === undefined) {
    failRemaining(SCENARIOS.filter(([id]) => !results.some((result) => result.id === id)), 'the workbench did not start');
    return finish(1);
  }
  const workbench = new Workbench(page, workspace);
  const echo = path.join(workspace, 'echo.kscn');

  await scenario('a-colours', title('a-colours'), 90, async (notes) => {
    await workbench.openFile('echo.kscn');
    const mode = page.locator('#status\\.editor\\.mode');
    await mode.waitFor({ timeout: 10_000 });
    const modeText = (await mode.innerText()).trim();
    if (modeText !== 'Kernel Scenario') throw new Error(`the language mode is "${modeText}", not "Kernel Scenario"`);
    // Colours: the tokens of a few lines, each span with its colour class and computed colour.
    await sleep(1_000); // tokenization is asynchronous: let the grammar colour the visible lines
    const colours = await page.evaluate(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      const spans = [...(editor?.querySelectorAll('.view-lines .view-line span span') ?? [])];
      return spans.map((span) => ({ text: span.textContent ?? '', className: span.className, color: getComputedStyle(span).color }));
    });
    const colourOf = (text) => colours.find((span) => span.text.trim() === text)?.color;
    const samples = {
      keyword: colourOf('process') ?? colourOf('thread'),
      name: colourOf('server') ?? colourOf('main'),
      number: colourOf('1') ?? colourOf('16MiB'),
      string: colourOf('"echo"'),
      comment: colours.find((span) => span.text.startsWith('#'))?.color,
    };
    notes.push(`colours ${JSON.stringify(samples)}`);
    const distinct = new Set(colours.map((span) => span.color));
    if (distinct.size < 4) throw new Error(`only ${distinct.size} distinct token colours in the editor`);
    const present = Object.entries(samples).filter(([, color]) => color !== undefined);
    if (present.length < 4) throw new Error(`not every token kind was found: ${JSON.stringify(samples)}`);
    if (new Set(present.map(([, color]) => color)).size < 4) throw new Error(`keywords, names, numbers, strings and comments share colours: ${JSON.stringify(samples)}`);
    // The grammar's scopes, as Developer: Inspect Editor Tokens and Scopes shows them.
    await workbench.goToLine(lineOf(echo, 'process server'), 1);
    await workbench.runCommand('Developer: Inspect Editor Tokens and Scopes');
    const inspector = page.locator('.token-inspect-widget');
    await inspector.waitFor({ timeout: 10_000 });
    // It shows "Loading..." until the grammar has answered.
    await page.locator('.token-inspect-widget', { hasText: 'source.kscn' }).waitFor({ timeout: 10_000 }).catch(() => {});
    const scopes = await inspector.innerText();
    if (!scopes.includes('source.kscn')) throw new Error(`the token inspector shows no source.kscn scope: ${scopes.replace(/\s+/g, ' ').slice(0, 200)}`);
    const keywordScope = /keyword[\w.-]*\.kscn/.exec(scopes)?.[0] ?? /storage[\w.-]*\.kscn/.exec(scopes)?.[0];
    if (!keywordScope) throw new Error(`"process" has no keyword scope: ${scopes.replace(/\s+/g, ' ').slice(0, 200)}`);
    notes.push(`"process" has scope ${keywordScope}`);
    await page.screenshot({ path: path.join(artifacts, 'a-colours-scopes.png'), timeout: 10_000 });
    await page.keyboard.press('Escape');
  }, page);

  await scenario('b-diagnostic', title('b-diagnostic'), 90, async (notes) => {
    await workbench.openFile('echo.kscn');
    await workbench.goToLine(lineOf(echo, 'print "echo done'));
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('let bad = ipc_cal(conn, data: [1]', { delay: 10 });
    await page.keyboard.press('Escape');
    const squiggle = workbench.editor().locator('.squiggly-error');
    await squiggle.first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+Shift+M');
    const marker = page.locator('.markers-panel .monaco-list-row', { hasText: 'ipc_cal' }).first();
    await marker.waitFor({ timeout: 15_000 });
    notes.push(`Problems: ${(await marker.innerText()).replace(/\s+/g, ' ').trim().slice(0, 160)}`);
  }, page);
  await workbench.revert().catch(() => {});

  await scenario('c-completion', title('c-completion'), 90, async (notes) => {
    await workbench.openFile('echo.kscn');
    await workbench.goToLine(lineOf(echo, 'print "echo done'));
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('let again = ipc_', { delay: 10 });
    // The language server may still be starting: ask again until it answers, within the timeout.
    const suggestion = page.locator('.suggest-widget.visible .monaco-list-row', { hasText: 'ipc_call' }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+Space');
      try {
        await suggestion.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 6) throw new Error('no ipc_call in the suggestions after Ctrl+Space');
        await page.keyboard.press('Escape');
      }
    }
    const rows = await page.locator('.suggest-widget.visible .monaco-list-row').allInnerTexts();
    notes.push(`offered: ${rows.map((row) => row.split('\n')[0]).slice(0, 6).join(', ')}`);
  }, page);
  await workbench.revert().catch(() => {});

  // (d) The debugger: a breakpoint on the first ipc_call, F5 with no launch.json.
  const callLine = lineOf(echo, 'ipc_call(conn, data: [41])');
  const handler = blockRange(echo, 'routine echo(');
  let stopped = false;
  await scenario('d1-breakpoint', title('d1-breakpoint'), 120, async (notes) => {
    await workbench.openFile('echo.kscn');
    await workbench.goToLine(callLine);
    await page.keyboard.press('F9');
    await workbench.editor().locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await startDebuggingWithF5(page, () => notes.push('F5 asked for the debugger; chose Kernel Scenario'));
    await workbench.waitForCursorLine(callLine, 15_000);
    notes.push(`stopped on line ${callLine}; frame: ${await selectedFrame(page)}`);
    stopped = true;
  }, page);

  await scenario('d2-variables', title('d2-variables'), 60, async (notes) => {
    if (!stopped) throw new Error('not run: the debugger did not stop');
    const rows = page.locator('.debug-variables .monaco-list-row');
    const scope = rows.filter({ hasText: 'Capability group' }).first();
    await scope.waitFor({ timeout: 20_000 });
    // Open it, as a person would, and see its slots.
    if ((await scope.getAttribute('aria-expanded')) !== 'true') await scope.click({ timeout: 5_000 });
    const deadline = Date.now() + 10_000;
    let texts = [];
    for (;;) {
      texts = (await rows.allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim());
      const after = texts.slice(texts.findIndex((text) => text.includes('Capability group')) + 1);
      if ((await scope.getAttribute('aria-expanded')) === 'true' && after.length > 0) break;
      if (Date.now() > deadline) throw new Error(`the Capability group scope shows no entries: ${texts.join(' | ')}`);
      await sleep(200);
    }
    notes.push(`Variables: ${texts.slice(0, 8).join(' | ')}`);
  }, page);

  await scenario('d2-hover', title('d2-hover'), 60, async (notes) => {
    if (!stopped) throw new Error('not run: the debugger did not stop');
    // `conn` on the stopped line is the connection capability register_client returned: slot 6.
    const line = workbench.editor().locator('.view-line').filter({ hasText: 'data: [41]' }).first();
    await line.waitFor({ timeout: 10_000 });
    const token = line.locator('span > span').filter({ hasText: /^conn$/ }).first();
    await token.hover({ timeout: 5_000 });
    const widget = page.locator('.debug-hover-widget');
    await widget.waitFor({ state: 'visible', timeout: 15_000 });
    const deadline = Date.now() + 10_000;
    let text = '';
    for (;;) {
      text = (await widget.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
      if (/\b6\b/.test(text)) break;
      if (Date.now() > deadline) throw new Error(`the debug hover over conn shows "${text}", not its value 6`);
      await sleep(200);
    }
    notes.push(`hover over conn: ${text}`);
    await page.keyboard.press('Escape').catch(() => {});
  }, page);

  await scenario('d3-step-into', title('d3-step-into'), 90, async (notes) => {
    if (!stopped) throw new Error('not run: the debugger did not stop');
    const continueAction = page.locator('.debug-toolbar .codicon-debug-continue');
    // A person presses F11 until they are in the server; the kernel's own steps inside the call
    // may take a few presses. Allow up to five.
    for (let press = 1; press <= 5; press++) {
      await workbench.focusEditor().catch(() => {});
      await page.keyboard.press('F11');
      await sleep(300);
      await continueAction.waitFor({ timeout: 20_000 });
      await sleep(300);
      const line = await workbench.cursorLine();
      const tab = await page.locator('.tabs-container .tab.active').getAttribute('aria-label', { timeout: 5_000 }).catch(() => '');
      notes.push(`F11 #${press}: ${tab?.split(',')[0]} line ${line}, frame ${await selectedFrame(page)}`);
      if (tab?.startsWith('echo.kscn') && line !== undefined && line > handler.first && line < handler.last) {
        notes.push(`inside routine echo (lines ${handler.first}-${handler.last})`);
        return;
      }
    }
    throw new Error(`F11 did not reach routine echo (lines ${handler.first}-${handler.last})`);
  }, page);
  await page.keyboard.press('Shift+F5').catch(() => {});
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});

  await scenario('e-run', title('e-run'), 60, async (notes) => {
    await workbench.openFile('echo.kscn');
    await workbench.runCommand('kscn: Run Scenario');
    const output = page.locator('.panel .output-view, .panel [id="workbench.panel.output"]').first();
    await output.waitFor({ timeout: 15_000 });
    // Monaco renders spaces as no-break spaces, which \s matches.
    const done = page.locator('.panel .view-lines', { hasText: /kscn\s+run:\s+exit\s+\S+/ }).first();
    await done.waitFor({ timeout: 30_000 });
    const text = (await done.innerText()).replace(/\s+/g, ' ');
    const exit = /kscn run: exit \S+/.exec(text)?.[0];
    notes.push(exit ?? '?');
    if (!text.includes('kscn run: exit 0')) throw new Error(`the run did not succeed: ${text.slice(-300)}`);
  }, page);

  await scenario('e2-run-lens', title('e2-run-lens'), 60, async (notes) => {
    await workbench.openFile('echo.kscn');
    // Hide the panel with the previous run's output, so the output seen below is the lens's.
    const panel = page.locator('.part.panel.bottom');
    if (await panel.isVisible()) {
      await workbench.focusEditor();
      await page.keyboard.press('Control+J');
      await panel.waitFor({ state: 'hidden', timeout: 10_000 });
    }
    await page.keyboard.press('Control+Home');
    const lens = workbench.editor().locator('.codelens-decoration a', { hasText: 'Run' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await lens.click({ timeout: 5_000 });
    const done = page.locator('.panel .view-lines', { hasText: /kscn\s+run:\s+exit\s+\S+/ }).first();
    await done.waitFor({ timeout: 30_000 });
    const text = (await done.innerText()).replace(/\s+/g, ' ');
    notes.push(/kscn run: exit \S+/.exec(text)?.[0] ?? '?');
    if (!text.includes('kscn run: exit 0')) throw new Error(`the run did not succeed: ${text.slice(-300)}`);
  }, page);

  // (g) The debug views: the IPC sequence webview and the kernel objects tree, while stopped at
  // the end of echo.kscn.
  let viewsStopped = false;
  await scenario('g1-sequence-view', title('g1-sequence-view'), 150, async (notes) => {
    await workbench.openFile('echo.kscn');
    await workbench.runCommand('Remove All Breakpoints');
    await workbench.openFile('echo.kscn');
    const printLine = lineOf(echo, 'print "echo done');
    await workbench.goToLine(printLine);
    await page.keyboard.press('F9');
    await workbench.editor().locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await startDebuggingWithF5(page);
    await workbench.waitForCursorLine(printLine, 15_000);
    viewsStopped = true;
    // Room for the views: fold the panes a person would not need here.
    await collapsePanes(page, ['Watch', 'Breakpoints', 'Variables', 'Call Stack']);
    await widenSideBar(page, 420);
    await workbench.runCommand('Focus on IPC Sequence View');
    const frame = await webviewFrame(page, '#root', 30_000);
    const view = frame.locator('#root');
    await frame.locator('#root[data-total="6"]').waitFor({ timeout: 20_000 });
    const drawn = Number(await view.getAttribute('data-drawn-rows'));
    const status = (await frame.locator('.status').innerText()).trim();
    notes.push(`webview: ${status}`);
    if (drawn < 3) throw new Error(`the view drew ${drawn} rows of the 6 arrows of echo.kscn (${status})`);
    await sleep(500);
    await page.screenshot({ path: path.join(artifacts, 'views-sequence.png'), timeout: 10_000 });
    notes.push(path.relative(root, path.join(artifacts, 'views-sequence.png')));
    // Click the third arrow (the first ipc_call): the debugger goes to that moment and the editor
    // shows the call's line.
    const callLine = lineOf(echo, 'ipc_call(conn, data: [41])');
    const scroller = frame.locator('.scroller');
    await scroller.click({ position: { x: 120, y: 44 + 2 * 26 + 13 }, timeout: 5_000 });
    await workbench.waitForCursorLine(callLine, 15_000);
    notes.push(`click on arrow #2: editor at line ${callLine}; frame: ${await selectedFrame(page)}`);
    await frame.locator('.status', { hasText: /now after #2 / }).waitFor({ timeout: 10_000 }).catch(() => notes.push('the current-moment marker did not move to #2'));
  }, page);

  await scenario('g2-objects-view', title('g2-objects-view'), 90, async (notes) => {
    if (!viewsStopped) throw new Error('not run: the debugger did not stop for the views');
    // Room for the tree: fold the sequence view above it.
    await collapsePanes(page, ['IPC Sequence']);
    await workbench.runCommand('Focus on Kernel Objects View');
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Kernel Objects' }) }).first();
    const row = pane.locator('.monaco-list-row', { hasText: 'connection #17: client → server' }).first();
    await row.waitFor({ timeout: 20_000 });
    // Open the connection: its two ends show.
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click({ timeout: 5_000 });
    await pane.locator('.monaco-list-row', { hasText: 'client end: client[6]' }).first().waitFor({ timeout: 10_000 });
    await pane.locator('.monaco-list-row', { hasText: 'server end: server[6]' }).first().waitFor({ timeout: 10_000 });
    const rows = (await pane.locator('.monaco-list-row').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
    notes.push(`tree: ${rows.slice(0, 8).join(' | ')}`);
    await page.screenshot({ path: path.join(artifacts, 'views-objects.png'), timeout: 10_000 });
    notes.push(path.relative(root, path.join(artifacts, 'views-objects.png')));
    // The inline action on the connection opens the line that created it (register_client).
    await row.hover();
    await row.locator('.action-label.codicon-go-to-file').first().click({ timeout: 5_000 });
    const registerLine = lineOf(echo, 'register_client(');
    await workbench.waitForCursorLine(registerLine, 10_000);
    notes.push(`Reveal Creating Line: line ${registerLine}`);
  }, page);
  await page.keyboard.press('Shift+F5').catch(() => {});
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => {});
  await workbench.runCommand('Remove All Breakpoints').catch(() => {});

  // (f) A second workspace whose authors the user does not trust.
  await scenario('f-restricted', title('f-restricted'), 120, async (notes) => {
    const untrusted = path.join(path.dirname(workspace), 'untrusted-workspace');
    cpSync(workspace, untrusted, { recursive: true });
    const restricted = await page.context().newPage();
    try {
      await restricted.goto(`${page.url().split('?')[0]}?folder=${encodeURIComponent(untrusted)}`, { timeout: 60_000 });
      await restricted.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await answerTrustPrompt(restricted, false);
      await restricted.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 15_000 });
      const bench = new Workbench(restricted, untrusted);
      await bench.openFile('echo.kscn');
      // Language features: the extension runs in Restricted Mode and the diagnostic still shows.
      await bench.goToLine(lineOf(echo, 'print "echo done'));
      await restricted.keyboard.press('End');
      await restricted.keyboard.press('Enter');
      await restricted.keyboard.type('let bad = ipc_cal(conn, data: [1]', { delay: 10 });
      await restricted.keyboard.press('Escape');
      await bench.editor().locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
      notes.push('diagnostic shown');
      await bench.revert();
      // Running is refused, with a message that says why.
      await bench.runCommand('kscn: Run Scenario');
      const refusal = restricted.locator('.notification-toast .notification-list-item-message', { hasText: 'Restricted Mode' }).first();
      await refusal.waitFor({ timeout: 15_000 });
      notes.push(`Run Scenario: ${(await refusal.innerText()).replace(/\s+/g, ' ').trim()}`);
      const ran = await restricted.locator('.panel .view-lines', { hasText: /kscn\s+run:\s+exit/ }).count();
      if (ran > 0) throw new Error('the scenario ran in Restricted Mode');
      await restricted.screenshot({ path: path.join(artifacts, 'f-restricted.png'), timeout: 10_000 });
      notes.push(path.relative(root, path.join(artifacts, 'f-restricted.png')));
    } catch (error) {
      await restricted.screenshot({ path: path.join(artifacts, 'f-restricted-fail.png'), timeout: 10_000 }).catch(() => {});
      notes.push(path.relative(root, path.join(artifacts, 'f-restricted-fail.png')));
      throw error;
    } finally {
      await restricted.close().catch(() => {});
    }
  }, undefined, { watchPopups: false });

  return finish();
}

/** Folds the side bar's panes with these titles (if open), to give the others room. */
async function collapsePanes(page, titles) {
  for (const title of titles) {
    const header = page.locator('.pane-header[aria-expanded="true"]', { hasText: title }).first();
    if ((await header.count()) > 0) await header.click({ timeout: 5_000 }).catch(() => {});
  }
}

/** Drags the side bar's edge so that it is about `width` pixels wide. */
async function widenSideBar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox().catch(() => null);
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  await sleep(300);
}

/** The frame of a webview whose document has `selector` (webviews are nested iframes). */
async function webviewFrame(page, selector, milliseconds) {
  const deadline = Date.now() + milliseconds;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    await sleep(250);
  }
  throw new Error(`no webview with ${selector} within ${milliseconds / 1000} s`);
}

/** The Call Stack view's selected frame, as text. */
/**
 * Presses F5 and waits until the debug toolbar shows Continue. Without launch.json VS Code either
 * starts the only debugger for the language or asks; when it asks, `onPicker` runs and Kernel
 * Scenario is chosen.
 */
async function startDebuggingWithF5(page, onPicker = () => {}) {
  await page.keyboard.press('F5');
  const continueAction = page.locator('.debug-toolbar .codicon-debug-continue');
  const picker = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Kernel Scenario' }).first();
  const first = await Promise.race([
    continueAction.waitFor({ timeout: 60_000 }).then(() => 'stopped'),
    picker.waitFor({ timeout: 60_000 }).then(() => 'picker'),
  ]);
  if (first === 'picker') {
    onPicker();
    await picker.click({ timeout: 5_000 });
    await continueAction.waitFor({ timeout: 60_000 });
  }
}

async function selectedFrame(page) {
  const row = page.locator('.debug-call-stack .monaco-list-row.selected').first();
  const text = await row.innerText({ timeout: 5_000 }).catch(() => '?');
  return text.replace(/\s+/g, ' ').trim();
}

/** Answers the workspace-trust dialog that a fresh profile shows when it opens a folder. */
async function answerTrustPrompt(page, trust) {
  const button = page
    .locator('.monaco-dialog-box .monaco-button', { hasText: trust ? 'Yes, I trust the authors' : "No, I don't trust the authors" })
    .first();
  await button.waitFor({ timeout: 30_000 });
  await button.click({ timeout: 5_000 });
  await page.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Installs the vsix, starts code-server and opens the workspace in Chromium; undefined on failure. */
async function startWorkbench({ env, profileArgs, workspace, temp }) {
  let page;
  await scenario('start', title('start'), 150, async (notes) => {
    const installed = await run(codeServerBin, [...profileArgs, '--install-extension', vsixPath], { env, timeout: 120_000 });
    if (!/successfully installed/i.test(installed)) throw new Error(`--install-extension: ${installed.trim().split('\n').pop()}`);
    const listed = await run(codeServerBin, [...profileArgs, '--list-extensions', '--show-versions'], { env, timeout: 60_000 });
    if (!listed.includes('kscn.kscn@')) throw new Error(`the extension is not listed: ${listed.trim()}`);
    notes.push(`installed ${listed.trim().split('\n').find((line) => line.startsWith('kscn.kscn@'))}`);

    const port = await freePort();
    const serverLog = path.join(temp, 'code-server.log');
    const logFd = openSync(serverLog, 'w');
    const server = spawn(
      codeServerBin,
      [
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        ...profileArgs,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        workspace,
      ],
      { env, stdio: ['ignore', logFd, logFd], detached: true },
    );
    closeSync(logFd);
    let alive = true;
    server.on('exit', () => {
      alive = false;
    });
    cleanups.push(async () => {
      if (alive) {
        try {
          process.kill(-server.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const deadline = Date.now() + 5_000;
        while (alive && Date.now() < deadline) await sleep(100);
        if (alive) {
          try {
            process.kill(-server.pid, 'SIGKILL');
          } catch {
            // gone in the meantime
          }
        }
      }
      // Keep the logs of the run next to the screenshots.
      const logs = path.join(artifacts, 'logs');
      rmSync(logs, { recursive: true, force: true });
      cpSync(serverLog, path.join(logs, 'code-server.log'));
      const vscodeLogs = path.join(profileArgs[1], 'logs');
      if (existsSync(vscodeLogs)) cpSync(vscodeLogs, path.join(logs, 'vscode'), { recursive: true });
    });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, () => alive);

    const require = createRequire(path.join(cacheDir, 'package.json'));
    const { chromium } = require('playwright-core');
    const context = await chromium.launchPersistentContext(path.join(temp, 'chromium'), {
      executablePath: chromiumPath,
      headless: true,
      timeout: 60_000,
      viewport: { width: 1440, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    cleanups.push(() => context.close());
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    const consoleErrors = [];
    page.on('pageerror', (error) => consoleErrors.push(describe(error)));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await answerTrustPrompt(page, true);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'echo.kscn' }).first().waitFor({ timeout: 60_000 });
    notes.push(`code-server on port ${port}`);
    await page.screenshot({ path: path.join(artifacts, 'start.png'), timeout: 10_000 });
    notes.push(path.relative(root, path.join(artifacts, 'start.png')));
  });
  return results.at(-1)?.ok ? page : undefined;
}

main().catch((error) => {
  log(`runner error: ${error instanceof Error ? error.stack : String(error)}`);
  results.push({ id: 'runner', title: 'the runner itself', ok: false, detail: describe(error), seconds: 0 });
  void finish(1);
});
