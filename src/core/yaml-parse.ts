/** The YAML parser alone, for a dynamic import: the create path loads it only for a YAML answers file. */
export { parse } from 'yaml';
