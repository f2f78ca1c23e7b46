/** The YAML parser alone, for a dynamic import: the create path loads it only for an answers file. */
export { parse } from 'yaml';
