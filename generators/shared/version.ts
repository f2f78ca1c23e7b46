/** The generator's version, injected at build time (tsup `define`), read from package.json in tests. */
declare const __VERSION__: string | undefined;

export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
