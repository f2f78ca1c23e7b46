/**
 * Pipelines through the yaml Document API: parsing (with GitLab's
 * `!reference` tag), and composing the template pipeline (onprem + kaniko)
 * with the overlays of another platform or builder, keeping comments and order.
 */
import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from 'yaml';

export const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false } as const;

export function parsePipeline(text: string, where: string): Document.Parsed {
  const doc = parseDocument(text, { merge: true, customTags: [referenceTag] });
  if (doc.errors.length > 0) {
    const [first] = doc.errors;
    throw new PipelineError(`${where} does not parse as YAML: ${first?.message.split('\n')[0] ?? 'unknown error'}`);
  }
  if (!isMap(doc.contents)) throw new PipelineError(`${where} is not a map of jobs and settings`);
  return doc;
}

export class PipelineError extends Error {
  override name = 'PipelineError';
}

/** GitLab's `!reference [job, key]` tag: kept as a sequence so documents round-trip. */
export const referenceTag = {
  tag: '!reference',
  collection: 'seq' as const,
  identify: () => false,
};

/**
 * Apply an overlay (docs/templates.md): each top-level key's second-level
 * keys replace or add the same key of the pipeline's entry; null removes it.
 */
export function applyOverlay(doc: Document.Parsed, overlayText: string, overlayName: string): void {
  const overlay = parsePipeline(overlayText, overlayName);
  const root = doc.contents as YAMLMap;
  for (const pair of (overlay.contents as YAMLMap).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const target = root.get(key, true);
    if (!isMap(target)) throw new Error(`overlay ${overlayName}: "${key}" is not a map in the pipeline`);
    if (!isMap(pair.value)) throw new Error(`overlay ${overlayName}: "${key}" must be a map`);
    for (const inner of pair.value.items) {
      const innerKey = isScalar(inner.key) ? inner.key.value : inner.key;
      const value = inner.value;
      if (isScalar(value) && value.value === null) target.delete(innerKey);
      else target.set(innerKey, value);
    }
  }
}

/**
 * The pipeline of one platform + builder: the template with its overlays
 * applied; the template's sample runner tag and registry stay. Run at
 * build time (scripts/compose-pipelines.ts), so creating a repo needs no
 * YAML parser; setPipelineSettings then puts the answers in.
 */
export function composeVariant(base: string, overlays: { name: string; text: string }[]): string {
  const doc = parsePipeline(base, 'template pipeline');
  for (const overlay of overlays) applyOverlay(doc, overlay.text, overlay.name);
  return doc.toString(STRINGIFY);
}

