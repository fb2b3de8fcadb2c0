// The VS Code manifest (package.json) against the code: the debugger's launch schema against the
// canonical list in extension/launchSchema.ts, contributed files that must exist, commands that
// the extension registers, and the ids shared with extension/debugConfiguration.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { KscnLaunchArguments as AdapterLaunchArguments } from '../../debug-adapter/launchArguments';
import { launchAttributes, type KscnLaunchArguments } from '../../extension/launchSchema';
import { DEBUG_TYPE, LANGUAGE_ID, initialConfiguration } from '../../extension/debugConfiguration';

const root = path.resolve(__dirname, '../..');

// Compile-time (checked by `npm run typecheck`): the debug adapter's own launch-argument type has
// exactly the attributes of the canonical list, with the same optionality and types, besides
// DAP's generic ones (noDebug, __restart).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type AdapterOwn = Omit<AdapterLaunchArguments, keyof DebugProtocol.LaunchRequestArguments>;
type RequiredKeysOf<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
export type AdapterLaunchArgumentChecks = [
  Assert<Same<keyof AdapterOwn, keyof KscnLaunchArguments>>,
  Assert<Same<RequiredKeysOf<AdapterOwn>, RequiredKeysOf<KscnLaunchArguments>>>,
  Assert<Same<Required<AdapterOwn>, Required<KscnLaunchArguments>>>,
];

interface JsonSchemaProperty {
  type?: string;
  minimum?: number;
  default?: unknown;
  description?: string;
}
interface DebuggerContribution {
  type: string;
  label: string;
  languages: string[];
  when?: string;
  configurationAttributes: { launch: { required: string[]; properties: Record<string, JsonSchemaProperty> } };
  initialConfigurations: Record<string, unknown>[];
  configurationSnippets: { label: string; body: Record<string, unknown> }[];
}
interface Manifest {
  main: string;
  icon: string;
  publisher: string;
  repository: { url: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description?: string } };
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    snippets: { language: string; path: string }[];
    breakpoints: { language: string }[];
    debuggers: DebuggerContribution[];
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const kscnDebugger = manifest.contributes.debuggers.find((contribution) => contribution.type === DEBUG_TYPE)!;
const launchSchema = kscnDebugger.configurationAttributes.launch;

describe('launch schema', () => {
  it('has exactly the properties of KscnLaunchArguments', () => {
    expect(Object.keys(launchSchema.properties).sort()).toEqual(Object.keys(launchAttributes).sort());
  });

  it('requires exactly the required properties', () => {
    const required = Object.entries(launchAttributes)
      .filter(([, attribute]) => attribute.required)
      .map(([name]) => name);
    expect([...launchSchema.required].sort()).toEqual(required.sort());
  });

  it.each(Object.entries(launchAttributes))('describes %s with the canonical type, minimum and default', (name, attribute) => {
    const property = launchSchema.properties[name]!;
    expect(property.type).toBe(attribute.type);
    expect(property.minimum).toBe('minimum' in attribute ? attribute.minimum : undefined);
    expect(property.default).toEqual(attribute.default);
    expect(property.description, `${name} needs a description for IntelliSense in launch.json`).toBeTruthy();
  });

  it('offers initial configurations and snippets that the schema accepts', () => {
    expect(kscnDebugger.initialConfigurations).toEqual([initialConfiguration()]);
    for (const configuration of [...kscnDebugger.initialConfigurations, ...kscnDebugger.configurationSnippets.map((snippet) => snippet.body)]) {
      expect(configuration.type).toBe(DEBUG_TYPE);
      expect(configuration.request).toBe('launch');
      for (const key of Object.keys(configuration)) {
        if (['type', 'request', 'name'].includes(key)) continue;
        expect(launchSchema.properties, `unknown attribute ${key}`).toHaveProperty(key);
      }
      for (const key of launchSchema.required) expect(configuration).toHaveProperty(key);
    }
  });
});

describe('contributions', () => {
  it('contribute files that exist', () => {
    const paths = [
      manifest.main,
      manifest.icon,
      ...manifest.contributes.languages.map((language) => language.configuration),
      ...manifest.contributes.grammars.map((grammar) => grammar.path),
      ...manifest.contributes.snippets.map((snippet) => snippet.path),
      'LICENSE',
      'README.md',
    ];
    const missing = paths.filter((relative) => !existsSync(path.join(root, relative)));
    expect(missing).toEqual([]);
  });

  it('use one language id and one debug type everywhere', () => {
    expect(manifest.contributes.languages.map((language) => language.id)).toEqual([LANGUAGE_ID]);
    expect(manifest.contributes.languages[0]!.extensions).toEqual(['.kscn']);
    expect(manifest.contributes.grammars.map((grammar) => grammar.language)).toEqual([LANGUAGE_ID]);
    expect(manifest.contributes.snippets.map((snippet) => snippet.language)).toEqual([LANGUAGE_ID]);
    expect(manifest.contributes.breakpoints).toEqual([{ language: LANGUAGE_ID }]);
    expect(kscnDebugger.languages).toEqual([LANGUAGE_ID]);
  });

  it('name the grammar by the scope the grammar file declares', () => {
    const grammar = manifest.contributes.grammars[0]!;
    const declared = JSON.parse(readFileSync(path.join(root, grammar.path), 'utf8')) as { scopeName: string };
    expect(grammar.scopeName).toBe('source.kscn');
    expect(declared.scopeName).toBe(grammar.scopeName);
  });

  it('contribute exactly the commands the extension registers, and menus only name those', () => {
    // extension.ts and the modules it registers (extension/timeTravel.ts, extension/views/...).
    const files = readdirSync(path.join(root, 'extension'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const source = files.map((file) => readFileSync(path.join(root, 'extension', file), 'utf8')).join('\n');
    const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((match) => match[1]);
    const contributed = manifest.contributes.commands.map((command) => command.command);
    expect(contributed.sort()).toEqual(registered.sort());
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) expect(contributed, `${menu} names ${item.command}`).toContain(item.command);
    }
  });

  it('activate on the language, the debug type, the commands and scenario workspaces', () => {
    expect(manifest.activationEvents).toEqual(
      expect.arrayContaining([
        `onLanguage:${LANGUAGE_ID}`,
        `onDebugResolve:${DEBUG_TYPE}`,
        `onDebugDynamicConfigurations:${DEBUG_TYPE}`,
        'workspaceContains:**/*.kscn',
        ...manifest.contributes.commands.map((command) => `onCommand:${command.command}`),
      ]),
    );
  });

  it('keep running and debugging out of Restricted Mode', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.capabilities.untrustedWorkspaces.description).toBeTruthy();
    expect(kscnDebugger.when).toBe('isWorkspaceTrusted');
    const source = readFileSync(path.join(root, 'extension/extension.ts'), 'utf8');
    expect(source).toContain('vscode.workspace.isTrusted');
  });

  it('carry what vsce needs to package', () => {
    expect(manifest.publisher).toBe('kscn');
    expect(manifest.repository.url).toMatch(/^https:\/\//);
    expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/MIT License[\s\S]*kscn contributors/);
  });
});
