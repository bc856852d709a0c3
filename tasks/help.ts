/**
 * `npx hardhat help` as an operator reads it: the toolbox's tasks this project does not use say so,
 * and the ones whose names sit beside the project's (`node` beside `node:*`, `check` beside
 * `deploy:check`) say what they are. Their actions are unchanged.
 */
import { task } from "hardhat/config";

const DESCRIPTIONS: Record<string, string> = {
  node: "Starts a local chain (a JSON-RPC server with the Pars precompiles), not a service node: the node:* tasks operate service nodes",
  check: "Toolbox placeholder, does nothing here: npm run lint checks the project, deploy:check a deployment",
  "gas-reporter:merge": "Toolbox: merges gas-reporter JSON outputs (this project's gas table: npm run gas)",
  "hhgas:merge": "Toolbox: alias of gas-reporter:merge",
  typechain: "Generates the TypeChain bindings of the compiled contracts (compile does it too)",
  verify: "Verifies a contract on an explorer (Etherscan or Sourcify)",
};

for (const [name, description] of Object.entries(DESCRIPTIONS)) task(name, description);
