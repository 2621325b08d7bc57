import { describe, expect, it } from 'vitest';
import { resolveOptions, resolvePackageManager, UsageError } from '../../src/options.js';
import { detectPackageManager } from '../../src/package-manager.js';
import { renderContext } from '../../src/render/plan.js';
import type { Template } from '../../src/templates/registry.js';
import { rawArgs } from '../support/generator.js';

const fake = (id: string, language: string): Template => ({
  dir: `/templates/${id}`,
  manifest: { id, name: id, language, framework: id.split('-')[1]!, types: ['service', 'job'], variables: {}, executable: [], routes: [], nextSteps: [], install: [], default: false },
});
const node = fake('node-express', 'node');
const go = fake('go-net-http', 'go');

describe('package manager from npm_config_user_agent', () => {
  it.each([
    ['pnpm/10.4.1 npm/? node/v24.1.0 linux x64', 'pnpm'],
    ['npm/11.6.2 node/v24.11.0 linux x64 workspaces/false', 'npm'],
    ['PNPM/9.0.0 npm/? node/v20.11.0 darwin arm64', 'pnpm'],
  ])('%j -> %s, no note', (agent, expected) => {
    expect(detectPackageManager(agent)).toEqual({ packageManager: expected });
  });
  it.each([undefined, '', '   ', 'garbage', '/1.0'])('%j (not run by a package manager) -> npm, no note', (agent) => {
    expect(detectPackageManager(agent)).toEqual({ packageManager: 'npm' });
  });
  it.each([
    ['yarn/1.22.22 npm/? node/v22.0.0 linux x64', 'yarn'],
    ['bun/1.2.0 npm/? node/v24.3.0 linux x64', 'bun'],
  ])('%j -> npm with a one-line note naming %s', (agent, tool) => {
    const detected = detectPackageManager(agent);
    expect(detected.packageManager).toBe('npm');
    expect(detected.note).toMatch(new RegExp(`^${tool} is not supported .*uses npm .*--package-manager npm\\|pnpm\\)$`));
    expect(detected.note).not.toContain('\n');
  });
});

describe('--package-manager', () => {
  it('the flag wins over the detected one', () => {
    expect(resolvePackageManager('npm', node, 'pnpm')).toBe('npm');
    expect(resolvePackageManager('pnpm', node, 'npm')).toBe('pnpm');
  });
  it('without the flag, the detected one (npm when nothing was detected)', () => {
    expect(resolvePackageManager(undefined, node, 'pnpm')).toBe('pnpm');
    expect(resolvePackageManager(undefined, node)).toBe('npm');
  });
  it('an unknown name is an error listing the choices', () => {
    expect(() => resolvePackageManager('yarn', node)).toThrow(new UsageError('unknown --package-manager "yarn" (choose from: npm, pnpm)'));
  });
  it('on a template of another language the flag is an error, a detected one is ignored', () => {
    expect(() => resolvePackageManager('pnpm', go)).toThrow(/applies to Node.js templates only; template "go-net-http" is go/);
    expect(resolvePackageManager(undefined, go, 'pnpm')).toBe('npm');
  });
  it('reaches Options and the render context (npm by default)', () => {
    const pnpm = resolveOptions(rawArgs({ template: 'node-express', packageManager: 'pnpm' }), {}, [node, go], '/tmp');
    expect(pnpm.packageManager).toBe('pnpm');
    expect(renderContext(pnpm)).toMatchObject({ packageManager: 'pnpm', usesPnpm: true });
    const npm = resolveOptions(rawArgs({ template: 'node-express' }), {}, [node, go], '/tmp');
    expect(renderContext(npm)).toMatchObject({ packageManager: 'npm', usesPnpm: false });
    const { packageManager: _omitted, ...withoutField } = npm;
    expect(renderContext(withoutField)).toMatchObject({ packageManager: 'npm', usesPnpm: false });
  });
});
