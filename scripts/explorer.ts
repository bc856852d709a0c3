/**
 * `npm run explorer`: the network page over an in-process network populated as the demo populates
 * it, served on http://127.0.0.1:4173 until stopped (Ctrl-C).
 *
 * After the demo's steps it gives the page a little more to show: every active node an endpoint, a
 * manager, one rotated transport key, one announced fee increase, and a registration still awaiting
 * contributions with a reserved slot. Then it serves
 *
 * - the page and its JSON (`src/explorer/server.ts`) on `PARS_EXPLORER_PORT` (default 4173), and
 * - the in-process chain itself as JSON-RPC on `PARS_EXPLORER_RPC_PORT` (default 4174), loopback only,
 *   so wallets, scripts (`cast`, ethers) and tests can read it and send transactions to it (its
 *   accounts are Hardhat's unlocked test accounts); the page follows every block they add.
 *
 * Port 0 picks a free port. Once both listen it prints `explorer: <url>`, `rpc: <url>` and
 * `deployments: <dir>` (the folder of the deployment record), one a line. With them the same page is
 * served by the task for any recorded deployment:
 * `LOCALHOST_RPC_URL=<rpc> npx hardhat explorer --network localhost --deployments-dir <dir> --port 0`.
 */
import hre, { ethers } from "hardhat";
import { BrowserProvider, Network } from "ethers";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import { populateDemoNetwork } from "./lib/demo-network";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../test/helpers/suite";
import { encodeMultiaddr } from "../src/multiaddr";
import { mlkemKeyGen } from "../src/pq";
import { NodeStatus, operatorMinimum } from "../src/registry";
import { DEFAULT_EXPLORER_PORT, explorerAddressesOf, startExplorer } from "../src/explorer/server";

function portFromEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`${name}: "${v}" is not a TCP port`);
  return Number(v);
}

async function main() {
  const port = portFromEnv("PARS_EXPLORER_PORT", DEFAULT_EXPLORER_PORT);
  const rpcPort = portFromEnv("PARS_EXPLORER_RPC_PORT", DEFAULT_EXPLORER_PORT + 1);

  const net = await populateDemoNetwork();
  const { suite: s, nodes } = net;

  console.log("\n== For the network page: endpoints, a manager, a key rotation, a fee increase, a reserved slot");
  for (const [i, n] of nodes.entries()) {
    const status = Number((await s.registry.getNode(n.nodeId)).status);
    if (status !== NodeStatus.Active) continue;
    const endpoint = i % 2 === 0 ? `/ip4/203.0.113.${10 + i}/udp/22025/quic-v1` : `/dns4/n${i + 1}.pars.example/tcp/443/wss`;
    await (await s.directory.connect(n.operator).setEndpoint(n.nodeId, encodeMultiaddr(endpoint))).wait();
  }
  const first = nodes[0];
  await (await s.directory.connect(first.operator).setManager(first.nodeId, s.others[15].address)).wait();
  await (await s.directory.connect(s.others[15]).rotateTransportKey(first.nodeId, mlkemKeyGen(1).publicKey)).wait();
  await (await s.directory.connect(nodes[2].operator).setOperatorFee(nodes[2].nodeId, 900)).wait();
  const operator = s.operators[16];
  const keys = nodeKeys("explorer-node-awaiting", await currentEpoch());
  const reserved = [{ contributor: s.others[8].address, amount: REQUIREMENT / 4n }];
  const reg = await buildRegistration(s.registry, operator.address, keys, { feeBps: 800, reserved });
  await (await s.registry.connect(operator).register(reg, { value: operatorMinimum(REQUIREMENT) })).wait();
  console.log(`  node ${await s.registry.lastNodeId()} awaits contributions (one slot reserved for ${reserved[0].contributor})`);

  // The chain over loopback JSON-RPC, for everyone else.
  const rpc = new JsonRpcServer({ hostname: "127.0.0.1", port: rpcPort, provider: hre.network.provider });
  const { port: rpcListening } = await rpc.listen();

  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const provider = new BrowserProvider(hre.network.provider, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
  const explorer = await startExplorer({
    provider,
    addresses: explorerAddressesOf(net.record.contracts),
    fromBlock: Math.min(...Object.values(net.record.contracts).map((c) => c.blockNumber)),
    port,
    networkName: "in-process demo network",
  });
  console.log(`\nThe network page is served until you stop it (Ctrl-C).`);
  console.log(`explorer: ${explorer.url}`);
  console.log(`rpc: http://127.0.0.1:${rpcListening}`);
  console.log(`deployments: ${net.deploymentsDir}`);
  const stop = () => {
    void Promise.all([explorer.close(), rpc.close()]).finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
