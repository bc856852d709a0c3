/**
 * `explorer`: the network page (src/explorer/) for a recorded deployment, served on 127.0.0.1 until
 * stopped. It reads the chain of `--network` through Hardhat's provider (JSON-RPC for a remote node),
 * follows its new blocks, and states the block every view shows.
 *
 *   npx hardhat explorer --network parsTestnet [--port 4173] [--deployments-dir dir] [--poll-ms 2000]
 */
import { task, types } from "hardhat/config";
import { getDeployment, deploymentPath, deploymentsDir } from "../src/deployments";
import { DEFAULT_EXPLORER_PORT, explorerAddressesOf, startExplorer } from "../src/explorer/server";
import { connect } from "./lib/chain";
import { Output, ParsTaskError, runTask } from "./lib/io";

interface ExplorerArgs {
  port: number;
  deploymentsDir?: string;
  pollMs?: number;
}

task("explorer", "Serves the network page for the network's recorded deployment on http://127.0.0.1:<port> until stopped")
  .addOptionalParam("port", "TCP port on 127.0.0.1 (0: any free port)", DEFAULT_EXPLORER_PORT, types.int)
  .addOptionalParam("deploymentsDir", "Where deployments/<chainId>.json is kept (default: PARS_DEPLOYMENTS_DIR or ./deployments)")
  .addOptionalParam("pollMs", "How often to ask the node for a new block, ms (default: 500 on local chains, 2000 elsewhere)", undefined, types.int)
  .setAction(async (args: ExplorerArgs, hre) => {
    const out = new Output(false);
    return runTask(out, async () => {
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new ParsTaskError(`--port: ${args.port} is not a TCP port`);
      const chain = await connect(hre);
      const dir = args.deploymentsDir ?? deploymentsDir();
      const deployment = getDeployment(chain.chainId, dir);
      if (!deployment) {
        throw new ParsTaskError(
          `no deployment recorded for chain ${chain.chainId} (${deploymentPath(chain.chainId, dir)}); ` +
            "deploy with `npx hardhat deploy-suite`, or pass --deployments-dir",
        );
      }
      let addresses;
      try {
        addresses = explorerAddressesOf(deployment.contracts);
      } catch (e) {
        throw new ParsTaskError(`${(e as Error).message} (chain ${chain.chainId}); redeploy with \`npx hardhat deploy-suite\` to add it`);
      }
      const explorer = await startExplorer({
        provider: chain.provider,
        addresses,
        fromBlock: Math.min(...Object.values(deployment.contracts).map((c) => c.blockNumber)),
        port: args.port,
        pollMs: args.pollMs ?? (chain.local ? 500 : 2_000),
        networkName: hre.network.name,
      });
      console.log(`The network page of ${hre.network.name} (chain ${chain.chainId}) is served until you stop it (Ctrl-C).`);
      console.log(`explorer: ${explorer.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => void explorer.close().finally(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
  });
