/**
 * `hardhat coverage` runs the contract tests on instrumented contracts: every statement costs extra
 * gas and time there. Gas assertions are skipped in that run (the gas gate, `npm run gas:check`,
 * measures the uninstrumented contracts), and property tests run a fifth of their sequences (the
 * test command runs them in full on the plain contracts at the same time).
 */
import hre from "hardhat";

/** True while solidity-coverage runs the tests. */
export const UNDER_COVERAGE = Boolean(
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING,
);

/** `it` for a gas assertion: skipped under coverage. */
export const itGas: Mocha.TestFunction = UNDER_COVERAGE ? (it.skip as unknown as Mocha.TestFunction) : it;

/**
 * `it` for a test whose point is its full size (a whole channel pool filled): skipped under coverage,
 * whose instrumented run reaches the same lines through the smaller tests beside it.
 */
export const itFullSize: Mocha.TestFunction = UNDER_COVERAGE ? (it.skip as unknown as Mocha.TestFunction) : it;

/** The number of property-test runs: `n`, or a fifth of it (at least 2) under coverage. */
export function propertyRuns(n: number): number {
  return UNDER_COVERAGE ? Math.max(2, Math.round(n / 5)) : n;
}

/** `full`, or the smaller `instrumented` size under coverage (for long deterministic sweeps). */
export function sweepSize(full: number, instrumented: number): number {
  return UNDER_COVERAGE ? instrumented : full;
}
