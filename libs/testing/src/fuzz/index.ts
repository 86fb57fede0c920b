export * from './random';
export * from './openapi';
export * from './fuzz-cases';
export * from './fuzz-runner';
export * from './database-fingerprint';
