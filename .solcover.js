// solidity-coverage: production contracts only. Mocks and test harnesses are test code.
module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["text-summary", "json-summary", "json", "html"],
  // The registry's size margin is small; instrumented contracts are deployed without the size limit.
  mocha: { timeout: 300_000 },
};
