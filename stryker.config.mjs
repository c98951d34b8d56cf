// Mutation testing (StrykerJS + its Jest runner) over the modules whose bugs cost money. `npm run test:mutation`;
// scores per file in README ("Mutation testing"). Only the fast unit specs of these modules run, and with per-test
// coverage each mutant runs only the tests that reach it, so a run takes minutes, not the e2e suite.

/** The modules, and the unit specs that guard them. */
const modules = {
  checksum: {
    mutate: ['src/common/kite-checksum.ts', 'src/common/secrets-equal.ts', 'src/postback/checksum.guard.ts'],
    specs: ['src/common/kite-checksum.spec.ts', 'src/common/secrets-equal.spec.ts', 'src/postback/checksum.guard.spec.ts'],
  },
  // One spec per scenario family (order-state.machine.modify.spec.ts, pnl.unpriced-exit.spec.ts, …); never the
  // database-backed order-state.service.spec.ts.
  'order state and fill math': { mutate: ['src/orders/order-state.machine.ts'], specs: ['src/orders/order-state.machine*.spec.ts'] },
  'leg state machine': { mutate: ['src/broker/leg-state*.ts', '!src/broker/**/*.spec.ts'], specs: ['src/broker/leg-state*.spec.ts'] },
  'rails decisions': {
    mutate: ['src/rails/rails-auth.guard.ts', 'src/rails/rate-limits.ts', 'src/rails/kill-switch.rule.ts'],
    specs: ['src/rails/rails-auth.guard.spec.ts', 'src/rails/rate-limits.spec.ts', 'src/rails/kill-switch.rule.spec.ts'],
  },
  'P&L': { mutate: ['src/trade-log/pnl.ts'], specs: ['src/trade-log/pnl*.spec.ts'] },
};
const all = Object.values(modules);
/** Jest's testRegex for exactly these specs (the project's config runs every tier). */
const specRegex = `^.*/(${all
  .flatMap((m) => m.specs)
  .map((spec) => spec.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*'))
  .join('|')})$`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  plugins: ['@stryker-mutator/*', './scripts/stryker-ignore-config-infer.mjs'],
  ignorers: ['config-infer'],
  mutate: all.flatMap((m) => m.mutate),
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Only these specs, whatever the e2e suite holds.
    config: { testRegex: specRegex },
    enableFindRelatedTests: false,
  },
  ignorePatterns: ['dist', 'data', 'coverage', 'artifacts', 'bench/results', 'reports', '*.sqlite*'],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  // A mutant that loops forever is cut off this long after the tests' normal time (it counts as detected).
  timeoutMS: 3_000,
  // Used only with the TypeScript checker (npm run test:mutation:typed), which drops mutants TypeScript would refuse.
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
