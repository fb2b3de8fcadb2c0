// The extension's debug-configuration logic: F5 without launch.json, filling in `program`, and
// checking launch arguments after variable substitution.
import { describe, expect, it } from 'vitest';
import {
  configurationForFile,
  initialConfiguration,
  launchArgumentProblems,
  resolveConfiguration,
} from '../../extension/debugConfiguration';

const scenario = { languageId: 'kscenario', fileName: '/work/examples/echo.kscn' };
const markdown = { languageId: 'markdown', fileName: '/work/README.md' };

describe('resolveConfiguration', () => {
  it('debugs the active scenario when there is no launch.json', () => {
    expect(resolveConfiguration({}, scenario)).toEqual({
      configuration: { type: 'kscn', request: 'launch', name: 'Debug echo.kscn', program: '${file}', stopOnEntry: false },
    });
  });

  it('refuses when there is no launch.json and no scenario is open', () => {
    expect(resolveConfiguration({}, markdown)).toHaveProperty('error');
    expect(resolveConfiguration({}, undefined)).toHaveProperty('error');
  });

  it('keeps a complete configuration as written', () => {
    const configuration = { type: 'kscn', request: 'launch', name: 'mine', program: '/x/y.kscn', seed: 3 };
    expect(resolveConfiguration(configuration, undefined)).toEqual({ configuration });
  });

  it('fills in a missing program from the active scenario only', () => {
    const configuration = { type: 'kscn', request: 'launch', name: 'mine' };
    expect(resolveConfiguration(configuration, scenario)).toEqual({ configuration: { ...configuration, program: '${file}' } });
    expect(resolveConfiguration(configuration, markdown)).toHaveProperty('error');
  });
});

describe('launchArgumentProblems', () => {
  it('accepts the configurations the extension itself makes', () => {
    expect(launchArgumentProblems({ ...initialConfiguration(), program: '/a/b.kscn' })).toEqual([]);
    expect(launchArgumentProblems(configurationForFile('/a/echo.kscn', true))).toEqual([]);
    expect(launchArgumentProblems({ request: 'launch', program: '/a/b.KSCN', seed: 0, maxSteps: 1 })).toEqual([]);
  });

  it.each([
    [{ request: 'launch' }, '"program" is required'],
    [{ request: 'launch', program: '' }, '"program" must be a non-empty string'],
    [{ request: 'launch', program: '/a/b.txt' }, '"program" must be a .kscn scenario'],
    [{ request: 'attach', program: '/a/b.kscn' }, '"request" must be "launch"'],
    [{ request: 'launch', program: '/a/b.kscn', stopOnEntry: 'yes' }, '"stopOnEntry" must be true or false'],
    [{ request: 'launch', program: '/a/b.kscn', seed: -1 }, '"seed" must be an integer ≥ 0'],
    [{ request: 'launch', program: '/a/b.kscn', seed: 1.5 }, '"seed" must be an integer ≥ 0'],
    [{ request: 'launch', program: '/a/b.kscn', maxSteps: 0 }, '"maxSteps" must be an integer ≥ 1'],
    [{ request: 'launch', program: '/a/b.kscn', maxSteps: '10' }, '"maxSteps" must be an integer ≥ 1'],
  ])('rejects %j', (configuration, problem) => {
    const problems = launchArgumentProblems(configuration);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });
});
