/** The secrets use case: what the stack needs, generating it, and describing it without values. */
export * from './catalogue.js';
export * from './generate.js';
export * from './secret-store.js';
export * from './self-signed.js';
