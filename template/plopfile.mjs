// `npx plop image` adds a Docker image to this repo (run `npm install` once first).
// Non-interactive: npx plop image -- --name serving --base-image python:3.12-slim
// The generator itself is tools/plop/add-image.mjs, written by create-mlops-project.
export default async function plopfile(plop) {
  let generator;
  try {
    ({ default: generator } = await import('./tools/plop/add-image.mjs'));
  } catch (error) {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec(error.message)?.[1] : undefined;
    if (missing === undefined) {
      // Not a missing package: plop prints the error, and would still exit 0.
      process.exitCode = 1;
      throw error;
    }
    // Before `npm install` the generator's packages are missing. plop would print
    // a stack and exit 0: say what to do in one line, and exit 1.
    process.stderr.write(`error npx plop image needs this repo's npm packages (${missing} is not installed): run npm install first; see docs/images.md.\n`);
    process.exit(1);
  }
  return generator(plop);
}
