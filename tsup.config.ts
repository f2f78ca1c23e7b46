import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One bundle, no runtime dependencies: `npm create` installs a single package.
// Prompts, plop and execa sit in chunks of their own, loaded only when used.
export default defineConfig({
  entry: {
    create: 'src/cli/create.ts',
    'mlops-project': 'src/cli/mlops-project.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node20',
  splitting: true,
  clean: true,
  minify: true,
  noExternal: [/.*/],
  define: { __VERSION__: JSON.stringify(version) },
  banner: {
    // Bundled CommonJS dependencies may call require(); give them one.
    js: "import { createRequire as __cmpCreateRequire } from 'node:module'; const require = __cmpCreateRequire(import.meta.url);",
  },
});
