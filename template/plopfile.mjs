// `npx plop image` adds a Docker image to this repo (run `npm install` once first).
// Non-interactive: npx plop image -- --name serving --baseImage python:3.12-slim
// The generator itself is tools/plop/add-image.mjs, written by create-mlops-project.
export { default } from './tools/plop/add-image.mjs';
