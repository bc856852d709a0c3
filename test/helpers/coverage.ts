/**
 * `hardhat coverage` runs the contract tests on instrumented contracts: every statement costs extra
 * gas there. Gas assertions are skipped in that run; the gas gate (`npm run gas:check`) measures the
 * uninstrumented contracts instead.
 */
import hre from "hardhat";

/** True while solidity-coverage runs the tests. */
export const UNDER_COVERAGE = Boolean(
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING,
);

/** `it` for a gas assertion: skipped under coverage. */
export const itGas: Mocha.TestFunction = UNDER_COVERAGE ? (it.skip as unknown as Mocha.TestFunction) : it;
