/** One Jest config for every tier: unit specs beside the code, e2e specs in test/, strategy specs in strategies/. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/strategies', '<rootDir>/test', '<rootDir>/bench'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  testTimeout: 30000,
  // Finds the test PostgreSQL server (or says clearly that its tests are skipped): test/helpers/postgres.ts.
  globalSetup: '<rootDir>/test/helpers/postgres-probe.js',
};
