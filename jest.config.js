// Unit tests: `*.spec.ts` beside the code, no network.
/** @type {import('jest').Config} */
module.exports = { ...require('./jest.preset'), testMatch: ['**/*.spec.ts'] };
