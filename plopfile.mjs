// This repo's own `plop image`: add an image to a generated repo.
//   npm run build && npx plop image --dest ../my-project -- --name serving --base-image python:3.12-slim
// Generated repos carry the same generator as tools/plop/add-image.mjs.
export { default } from './dist/plop/add-image.mjs';
