// solidity-coverage: production contracts only. Mocks and test harnesses are test code.
module.exports = {
  skipFiles: ["mocks/"],
  // Instrumentation compiles without the optimizer; the Yul stack allocator keeps the BN254 assembly
  // within the stack limit there.
  configureYulOptimizer: true,
  istanbulReporter: ["text-summary", "json-summary", "json", "html"],
};
