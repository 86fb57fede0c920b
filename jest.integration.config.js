// Integration tests: `*.integration-spec.ts` against the real Kafka, FerretDB and Redis, one file at a time.
/** @type {import('jest').Config} */
module.exports = {
  ...require('./jest.preset'),
  testMatch: ['**/*.integration-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
