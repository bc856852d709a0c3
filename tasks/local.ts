/**
 * Local rehearsal helpers, for a `hardhat node` (chain 31337) only: `local:fund` gives an account
 * PARS or funds the rewards' emission pool, `local:advance` moves the clock (heartbeat epochs, lock
 * periods). Both refuse any other chain.
 */
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { isAddress, toQuantity } from "ethers";
import { formatPars } from "../src/units";
import { EPOCH_SECONDS, epochOf } from "../src/heartbeat";
import { NETWORKS } from "../src/networks";
import { Output, ParsTaskError, runTask } from "./lib/io";
import { connect } from "./lib/chain";
import { loadSuite } from "./lib/suite";
import { waitForReceipt } from "../src/cli/tx";
import { keystorePath, openKeystore, parsAmount, withCommon, type CommonArgs } from "./lib/operator";

/** The local node's EIP-1193 provider, after checking that the network is one. */
export async function localProvider(hre: HardhatRuntimeEnvironment): Promise<HardhatRuntimeEnvironment["network"]["provider"]> {
  const provider = hre.network.provider;
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  if (chainId !== NETWORKS.localhost.chainId) {
    throw new ParsTaskError(`network ${hre.network.name} is chain ${chainId}: local:* tasks run only on a local node (chain ${NETWORKS.localhost.chainId})`);
  }
  return provider;
}

interface FundArgs extends CommonArgs {
  to?: string;
  amount: string;
  pool: boolean;
}

withCommon(task("local:fund", "Local node only: adds PARS to an account (default: the keystore's address), or funds the emission pool"))
  .addOptionalParam("to", "Account to fund (default: the keystore's address)")
  .addOptionalParam("amount", "PARS to add", "16000")
  .addFlag("pool", "Fund the rewards' emission pool (ServiceNodeRewards.fund) from the node's first account instead")
  .setAction(async (args: FundArgs, hre) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      const provider = await localProvider(hre);
      const amount = parsAmount("amount", args.amount);
      if (args.pool) {
        if (args.to !== undefined) throw new ParsTaskError("pass --to or --pool, not both");
        const chain = await connect(hre);
        const { rewards } = await loadSuite(hre, chain);
        const [from] = (await provider.request({ method: "eth_accounts" })) as string[];
        const to = await rewards.getAddress();
        const data = rewards.interface.encodeFunctionData("fund");
        const hash = (await provider.request({ method: "eth_sendTransaction", params: [{ from, to, data, value: toQuantity(amount) }] })) as string;
        const receipt = await waitForReceipt(chain, hash, out);
        if (BigInt(receipt.status) !== 1n) throw new ParsTaskError(`ServiceNodeRewards.fund reverted (${hash})`);
        const unallocated = await rewards.emissionUnallocated();
        out.line(`emission pool funded with ${formatPars(amount)} from ${from}: ${formatPars(unallocated)} unallocated`);
        return out.result({ pool: to, amount: amount.toString(), unallocated: unallocated.toString(), transaction: hash });
      }
      const to = args.to ?? (await openKeystore(keystorePath(args, true))).public.address;
      if (!isAddress(to)) throw new ParsTaskError(`--to: ${to} is not an address`);
      const before = BigInt((await provider.request({ method: "eth_getBalance", params: [to, "latest"] })) as string);
      await provider.request({ method: "hardhat_setBalance", params: [to, toQuantity(before + amount)] });
      out.line(`${to}: ${formatPars(before)} → ${formatPars(before + amount)}`);
      return out.result({ account: to, balance: (before + amount).toString() });
    });
  });

interface AdvanceArgs {
  hours: number;
  json: boolean;
}

task("local:advance", "Local node only: moves the clock forward by whole hours (heartbeat epochs) and mines a block")
  .addOptionalParam("hours", "Hours to move forward (720 = the 30-day lock period)", 1, types.int)
  .addFlag("json", "Print the result as JSON")
  .setAction(async (args: AdvanceArgs, hre) => {
    const out = new Output(args.json);
    return runTask(out, async () => {
      if (!Number.isInteger(args.hours) || args.hours < 1) throw new ParsTaskError("--hours: a positive whole number");
      const provider = await localProvider(hre);
      await provider.request({ method: "evm_increaseTime", params: [args.hours * EPOCH_SECONDS] });
      await provider.request({ method: "evm_mine", params: [] });
      const block = (await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string };
      const epoch = epochOf(BigInt(block.timestamp));
      out.line(`now ${new Date(Number(block.timestamp) * 1000).toISOString()}, epoch ${epoch}`);
      return out.result({ timestamp: Number(block.timestamp), epoch });
    });
  });
