import { describe, expect, it } from 'vitest';
import { mlopsProjectCommand } from '../../src/io/template-source.js';

describe('mlopsProjectCommand: how the next steps and recovery lines name mlops-project', () => {
  it.each([
    ['installed from npm', '/home/me/.npm/_npx/1a2b/node_modules/create-mlops-project', 'npx -p create-mlops-project@1.2.3 mlops-project'],
    ['a global install', '/usr/lib/node_modules/create-mlops-project', 'npx -p create-mlops-project@1.2.3 mlops-project'],
    ['a clone', '/home/me/src/create-mlops-project', 'node /home/me/src/create-mlops-project/bin/mlops-project.js'],
    ['a clone under a path with a space and a quote', "/home/me/my tools/it's", "node '/home/me/my tools/it'\\''s/bin/mlops-project.js'"],
  ])('%s', (_, root, command) => {
    expect(mlopsProjectCommand(root, '1.2.3')).toBe(command);
  });
});
