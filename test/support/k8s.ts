/**
 * Checks of Kubernetes manifests against Kubernetes' own API definitions, as
 * shipped by the `kubernetes-models` package (generated from Kubernetes'
 * OpenAPI spec):
 *
 * - `schemaProblems`: the model's `.validate()`, the OpenAPI schema as JSON
 *   schema (types, enums, required fields, quantity formats). Kubernetes'
 *   schemas do not forbid unknown properties, so on its own it passes a
 *   misspelt field (`ttlSecondsAfterFinish`), which the API server refuses
 *   (kubectl's default `--validate=strict`);
 * - `unknownFields`: every field of the object must be a property of the
 *   same package's type for that kind (its `.d.ts`, generated from the same
 *   spec), read with the TypeScript compiler's checker;
 * - `nameProblems`: the rules the API server applies that the OpenAPI spec
 *   does not carry (apimachinery's validation: DNS-1123 names, label keys and
 *   values of at most 63 characters, port names of at most 15).
 *
 * `kustomizeBuild` runs `kubectl kustomize` (kubectl 1.32, kustomize v5.5 on
 * this machine), offline.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/** `kubectl kustomize DIR`, parsed; throws with kubectl's message when the build fails. */
export async function kustomizeBuild(dir: string): Promise<Manifest[]> {
  const result = await execa('kubectl', ['kustomize', dir], { reject: false, stdin: 'ignore', env: { KUBECONFIG: '/dev/null' } });
  if (result.exitCode !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${String(result.exitCode)}):\n${String(result.stderr)}`);
  return parseAllDocuments(String(result.stdout)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir} printed invalid YAML: ${doc.errors[0]?.message ?? ''}`);
    return doc.toJS() as Manifest;
  });
}

const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve('kubernetes-models/package.json'));

/** `batch/v1` -> `batch/v1`, `v1` (the core group) -> `v1`: the package's folder for an apiVersion. */
const folderOf = (apiVersion: string): string => apiVersion;

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** The JSON-schema validation of the model for the object's apiVersion and kind. */
export async function schemaProblems(object: Manifest): Promise<string[]> {
  // The package's exports map resolves it (`kubernetes-models/batch/v1/Job`); not a path for the bundler to guess.
  const module = (await import(/* @vite-ignore */ `kubernetes-models/${folderOf(object.apiVersion)}/${object.kind}`)) as Record<string, ModelClass | undefined>;
  const Model = module[object.kind];
  if (Model === undefined) return [`${object.apiVersion} ${object.kind}: no such model in kubernetes-models`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${describe(object)}: ${(error as Error).message}`];
  }
}

const describe = (object: Manifest): string => `${object.kind}/${object.metadata.name}`;

let program: { checker: ts.TypeChecker; files: Map<string, ts.SourceFile> } | undefined;

/** The kinds k8s/ holds, read into the first program at once (another kind makes the program again, with it). */
const COMMON_KINDS = ['v1/PersistentVolumeClaim', 'v1/ServiceAccount', 'v1/Service', 'v1/Secret', 'v1/Namespace', 'apps/v1/Deployment', 'batch/v1/Job'];
const declarationOf = (apiVersionAndKind: string): string => join(PACKAGE_DIR, `${apiVersionAndKind}.d.ts`);

/** One TypeScript program over the `.d.ts` of the kinds asked for so far. */
function typeOfKind(apiVersion: string, kind: string): { checker: ts.TypeChecker; type: ts.Type } | undefined {
  const file = declarationOf(`${folderOf(apiVersion)}/${kind}`);
  if (program?.files.get(file) === undefined) {
    const roots = [...new Set([...(program?.files.keys() ?? COMMON_KINDS.map(declarationOf)), file])];
    const made = ts.createProgram(roots, { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] });
    const files = new Map<string, ts.SourceFile>();
    for (const root of roots) {
      const source = made.getSourceFile(root);
      if (source !== undefined) files.set(root, source);
    }
    program = { checker: made.getTypeChecker(), files };
  }
  const { checker, files } = program;
  const source = files.get(file);
  if (source === undefined) return undefined;
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const exported = moduleSymbol === undefined ? undefined : checker.getExportsOfModule(moduleSymbol).find((s) => s.name === `I${kind}`);
  return exported === undefined ? undefined : { checker, type: checker.getDeclaredTypeOfSymbol(exported) };
}

/** The object-like members of a type (a union's, an intersection's or its own). */
function objectTypes(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const t = checker.getNonNullableType(type);
  if (t.isUnion()) return t.types.flatMap((member) => objectTypes(checker, member));
  return t.flags & ts.TypeFlags.Object ? [t] : [];
}

function walk(checker: ts.TypeChecker, value: unknown, type: ts.Type, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const candidates = objectTypes(checker, type);
  if (candidates.length === 0) return; // a primitive type: the schema check reports a wrong type
  if (Array.isArray(value)) {
    const arrayType = candidates.find((c) => checker.isArrayType(c));
    const element = arrayType === undefined ? undefined : checker.getTypeArguments(arrayType as ts.TypeReference)[0];
    if (element !== undefined) value.forEach((item, i) => walk(checker, item, element, `${path}[${i}]`, out));
    return;
  }
  const shape = candidates.find((c) => !checker.isArrayType(c));
  if (shape === undefined) return;
  const index = checker.getIndexInfoOfType(shape, ts.IndexKind.String);
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const property = shape.getProperty(key);
    if (property !== undefined) walk(checker, child, checker.getTypeOfSymbol(property), `${path}.${key}`, out);
    else if (index !== undefined) walk(checker, child, index.type, `${path}.${key}`, out);
    else out.push(`${path}.${key}: unknown field`);
  }
}

/** Every field that the kind's type (from Kubernetes' OpenAPI spec) does not have. */
export function unknownFields(object: Manifest): string[] {
  const found = typeOfKind(object.apiVersion, object.kind);
  if (found === undefined) return [`${object.apiVersion} ${object.kind}: no type in kubernetes-models`];
  const out: string[] = [];
  walk(found.checker, object, found.type, describe(object), out);
  return out;
}

// apimachinery's validation (k8s.io/apimachinery/pkg/util/validation).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const label = (v: string): boolean => v.length <= 63 && DNS1123_LABEL.test(v);
const subdomain = (v: string): boolean => v.length <= 253 && DNS1123_SUBDOMAIN.test(v);

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !subdomain(prefix)) return 'its prefix is not a DNS-1123 subdomain';
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) return 'its name is not a qualified name of at most 63 characters';
  return undefined;
}

const labelValueOk = (v: string): boolean => v === '' || (v.length <= 63 && QUALIFIED_NAME.test(v));

/** The object's name by its kind's rule (a Service: DNS-1035; a Job: at most 63, it becomes a label value). */
function objectNameProblem(kind: string, name: string): string | undefined {
  if (kind === 'Service') return name.length <= 63 && DNS1035_LABEL.test(name) ? undefined : 'a Service name must be a DNS-1035 label (a-z first, at most 63)';
  if (kind === 'Namespace') return label(name) ? undefined : 'a namespace name must be a DNS-1123 label (at most 63)';
  if (!subdomain(name)) return 'a name must be a DNS-1123 subdomain';
  if (kind === 'Job' && name.length > 63) return 'a Job name must be at most 63 characters (it is the job-name label of its pods)';
  return undefined;
}

/** Names, namespaces, labels, selectors, container, volume and port names, by the API server's rules. */
export function nameProblems(object: Manifest): string[] {
  const out: string[] = [];
  const at = describe(object);
  const nameProblem = objectNameProblem(object.kind, object.metadata.name);
  if (nameProblem !== undefined) out.push(`${at}: name ${JSON.stringify(object.metadata.name)}: ${nameProblem}`);
  const ns = object.metadata.namespace;
  if (ns !== undefined && !label(ns)) out.push(`${at}: namespace ${JSON.stringify(ns)} is not a DNS-1123 label of at most 63 characters`);
  const visit = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const here = `${path}.${key}`;
      if ((key === 'labels' || key === 'matchLabels' || (key === 'selector' && object.kind === 'Service')) && child !== null && typeof child === 'object') {
        for (const [k, v] of Object.entries(child as Record<string, unknown>)) {
          const keyProblem = labelKeyProblem(k);
          if (keyProblem !== undefined) out.push(`${here}: label key ${JSON.stringify(k)}: ${keyProblem}`);
          if (typeof v !== 'string' || !labelValueOk(v)) out.push(`${here}: label value ${JSON.stringify(v)} of ${k} is not a label value (at most 63 characters)`);
        }
        continue;
      }
      if ((key === 'containers' || key === 'initContainers' || key === 'volumes' || key === 'volumeMounts') && Array.isArray(child)) {
        for (const [i, item] of child.entries()) {
          const name = (item as { name?: unknown }).name;
          if (typeof name !== 'string' || !label(name)) out.push(`${here}[${i}].name ${JSON.stringify(name)} is not a DNS-1123 label`);
        }
      }
      if (key === 'ports' && Array.isArray(child)) {
        for (const [i, item] of child.entries()) {
          const name = (item as { name?: unknown }).name;
          if (name !== undefined && (typeof name !== 'string' || name.length > 15 || !IANA_SVC_NAME.test(name) || !/[a-z]/.test(name) || name.includes('--')))
            out.push(`${here}[${i}].name ${JSON.stringify(name)} is not a port name (IANA service name, at most 15)`);
        }
      }
      visit(child, here);
    }
  };
  visit(object, at);
  return out;
}

/** Every problem of one object: schema, unknown fields, names. */
export async function manifestProblems(object: Manifest): Promise<string[]> {
  return [...(await schemaProblems(object)), ...unknownFields(object), ...nameProblems(object)];
}

/** `kubectl apply -l KEY=VALUE`: the objects whose own labels hold every pair. */
export function selectByLabels(objects: readonly Manifest[], selector: Record<string, string>): Manifest[] {
  return objects.filter((o) => Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v));
}
