import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overwriteRefusal } from '../../src/fs/guard.js';
import { tempDir } from '../support/generator.js';

describe('--overwrite refuses dangerous targets', () => {
  it('home, root, the working folder, its ancestors and the package; allows the rest', async () => {
    const root = await tempDir();
    const home = path.join(root, 'home');
    const cwd = path.join(home, 'work/here');
    const packageRoot = path.join(root, 'opt/pkg');
    await mkdir(cwd, { recursive: true });
    await mkdir(packageRoot, { recursive: true });
    await mkdir(path.join(root, 'other'));
    await symlink(home, path.join(root, 'home-link'));
    const context = { cwd, homes: [home, ''], packageRoot };
    expect(overwriteRefusal('/', context)).toMatch(/^refusing to --overwrite \/: it is the file-system root; to do it by hand, /);
    expect(overwriteRefusal(home, context)).toMatch(/it is your home directory/);
    expect(overwriteRefusal(path.join(root, 'home-link'), context)).toMatch(/it is your home directory/); // links resolved
    expect(overwriteRefusal(cwd, context)).toMatch(/it is the current directory/);
    expect(overwriteRefusal(path.join(home, 'work'), context)).toMatch(/it contains the current directory/);
    expect(overwriteRefusal(packageRoot, context)).toMatch(/it contains create-cloudrun-app itself/);
    expect(overwriteRefusal(path.join(root, 'opt'), context)).toMatch(/it contains create-cloudrun-app itself/);
    expect(overwriteRefusal(path.join(root, 'other'), context)).toBeUndefined();
    expect(overwriteRefusal(path.join(cwd, 'app'), context)).toBeUndefined(); // below the working folder is fine
    expect(overwriteRefusal(path.join(root, 'home-sibling'), context)).toBeUndefined(); // a prefix is not an ancestor
  });
});
