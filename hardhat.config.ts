import "@nomicfoundation/hardhat-toolbox";
import { subtask } from "hardhat/config";
import {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_NODE_GET_PROVIDER,
} from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, HttpNetworkUserConfig } from "hardhat/types";
import { NETWORKS } from "./src/networks";
// Deployment and node-operator tasks (deploy-suite, keys:*, node:*, rewards:claim, fees:quote).
import "./tasks";

/** The one compiler version every pragma in the project resolves to (solcjs, no download). */
const COVERAGE = process.env.PARS_COVERAGE === "1";
const SOLC_VERSION = "0.8.30";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  const solcPackage = require("solc/package.json") as { version: string };
  const solc = require("solc") as { version(): string };
  if (solcPackage.version !== SOLC_VERSION) {
    throw new Error(`solc package is ${solcPackage.version}, config expects ${SOLC_VERSION}`);
  }
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

// `npx hardhat node` serves the Pars precompiles from TypeScript, exactly like the in-process network,
// and takes a call's calldata as `input` too (cast sends both `input` and `data`).
subtask(TASK_NODE_GET_PROVIDER, async (args, hre, runSuper) => {
  const provider = await runSuper(args);
  const { installParsPrecompiles } = await import("./src/precompiles/install");
  await installParsPrecompiles(provider);
  const { acceptInputField } = await import("./src/rpc-compat");
  return acceptInputField(provider);
});

/** A remote network reads its RPC URL and deployer key from the environment. */
function remote(name: "parsDevnet" | "parsTestnet" | "parsMainnet"): HttpNetworkUserConfig {
  const net = NETWORKS[name];
  const key = process.env[`${net.envPrefix}_PRIVATE_KEY`] ?? process.env.PARS_PRIVATE_KEY;
  return {
    url: process.env[`${net.envPrefix}_RPC_URL`] ?? net.defaultRpcUrl,
    chainId: net.chainId,
    accounts: key ? [key] : [],
  };
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 200 },
      viaIR: false,
    },
  },
  networks: {
    hardhat: {
      chainId: NETWORKS.hardhat.chainId,
      hardfork: "cancun",
      allowUnlimitedContractSize: false,
      // 1,000-node gas benchmarks and fixtures need large test balances.
      accounts: { count: 40, accountsBalance: (10n ** 30n).toString() },
    },
    // LOCALHOST_RPC_URL points `--network localhost` at a node on another port (tests start one per run).
    localhost: { url: process.env.LOCALHOST_RPC_URL ?? NETWORKS.localhost.defaultRpcUrl, chainId: NETWORKS.localhost.chainId },
    parsDevnet: remote("parsDevnet"),
    parsTestnet: remote("parsTestnet"),
    parsMainnet: remote("parsMainnet"),
  },
  // `npm run coverage` compiles the instrumented contracts into their own folders, so the plain
  // artifacts stay in place for what runs beside it (the test command runs both at once).
  ...(COVERAGE ? { paths: { artifacts: ".coverage_artifacts", cache: ".coverage_cache" } } : {}),
  typechain: { outDir: "typechain-types", target: "ethers-v6", dontOverrideCompile: COVERAGE },
  gasReporter: { enabled: false },
  mocha: {
    timeout: COVERAGE ? 600_000 : 120_000,
    // Property tests replay: one seed for every fast-check run (PARS_FC_SEED explores another).
    rootHooks: {
      async beforeAll() {
        const fc = await import("fast-check");
        fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.PARS_FC_SEED ?? 20261207) });
      },
    },
  },
};

export default config;
