/**
 * `rewards:claim`: claims a node's rewards for the sender (operator fee and/or contributor share),
 * paid to the sender or to `--to`. `rewards:pay-operator`: pays the operator's income to the node's
 * beneficiary; anyone may send it, so the income flows without the owner's key.
 * `fees:quote`: what fees cost now and where they go. Session quotes (create a session, create a
 * channel at the pool's current occupancy, store a message) are the SessionBridge's; without it in the
 * deployment the quote says so.
 */
import { task, types } from "hardhat/config";
import { getAddress, isAddress, isHexString, id as keccakId } from "ethers";
import { formatPars } from "../src/units";
import { storageUtilisationPercent } from "../src/swarm";
import { ParsTaskError, type Output } from "./lib/io";
import type { Chain } from "./lib/chain";
import type { LoadedSuite } from "./lib/suite";
import { eventsOf, executeTx, type TxOutcome } from "../src/cli/tx";
import { keystorePath, resolveNodeId, senderFor, suiteAction, withSending, type SendingArgs } from "./lib/operator";
import { nodeRoles, outcomeOf, printUnsigned, withStakeSending, type OwnerSendArgs } from "./lib/roles";

interface ClaimArgs extends OwnerSendArgs {
  nodeId?: string;
  to?: string;
}

/** What a claim pays at most now: the contract-wide allowance left in the current cycle. */
async function cycleAllowance(chain: Chain, suite: LoadedSuite): Promise<bigint> {
  const [threshold, cycle, cycleStart, claimedInCycle, latest] = await Promise.all([
    suite.rewards.claimThreshold(),
    suite.rewards.claimCycle(),
    suite.rewards.cycleStart(),
    suite.rewards.claimedInCycle(),
    chain.provider.getBlock("latest"),
  ]);
  const claimed = BigInt(latest?.timestamp ?? 0) >= cycleStart + cycle ? 0n : claimedInCycle;
  return claimed >= threshold ? 0n : threshold - claimed;
}

function noteAllowance(out: Output, allowance: bigint, claimable: bigint): void {
  // A claim pays at most what is left of the contract-wide allowance of the current cycle; the rest
  // stays claimable for later cycles.
  if (allowance < claimable) {
    out.line(`this cycle's claim allowance has ${formatPars(allowance)} left: the claim pays that much and the rest stays claimable`);
  }
}

/** The amount a RewardsClaimed event of the receipt reports. */
function paidOf(suite: LoadedSuite, to: string, sent: TxOutcome["sent"]): bigint | undefined {
  if (!sent) return undefined;
  return eventsOf(suite.rewards.interface, to, sent.logs).find((e) => e.name === "RewardsClaimed")?.args.amount as bigint | undefined;
}

withStakeSending(task("rewards:claim", "Claims the sender's rewards from a node (from --keystore, or the network's account), paid to the sender or to --to"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("to", "Pay the claim to this address instead of the claimer")
  .setAction(
    suiteAction(async (args: ClaimArgs, { out, chain, suite }) => {
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      if (args.to !== undefined && !isAddress(args.to)) throw new ParsTaskError(`--to: "${args.to}" is not an address`);
      if (args.from !== undefined && !isAddress(args.from)) throw new ParsTaskError(`--from: "${args.from}" is not an address`);
      const to = args.to === undefined ? undefined : getAddress(args.to);
      // With --unsigned the claimer is --from, or the node's owner; else the keystore's (or network's) account.
      const claimer = args.unsigned ? (args.from ?? (await nodeRoles(suite, nodeId)).owner) : (await senderFor(chain, { ...args, dryRun: true })).address;
      const claimable = await suite.rewards.claimable(nodeId, claimer);
      out.line(`claimable by ${claimer} from node ${nodeId}: ${formatPars(claimable)}${to ? `, paid to ${to}` : ""}`);
      noteAllowance(out, await cycleAllowance(chain, suite), claimable);
      if (claimable === 0n) {
        // The claim would revert with NothingToClaim: say why before anything is sent.
        const why =
          `nothing to claim for ${claimer} from node ${nodeId}: rewards accrue each epoch the node is active while the emission pool is funded` +
          (chain.local ? ` (on this local node: npx hardhat local:fund --network ${chain.name} --pool --amount 1000, then local:advance)` : "; try again after the next epoch");
        if (!args.dryRun || args.unsigned) throw new ParsTaskError(why, { claimable: "0" });
        out.progress(`warning: ${why}`);
      }
      const rewardsAddress = await suite.rewards.getAddress();
      const intent = {
        description: `claim ${formatPars(claimable)} of rewards from node ${nodeId}${to ? ` to ${to}` : ""}`,
        to: rewardsAddress,
        data: to ? suite.rewards.interface.encodeFunctionData("claimTo", [nodeId, to]) : suite.rewards.interface.encodeFunctionData("claim", [nodeId]),
      };
      const base = { nodeId: nodeId.toString(), claimer, to: to ?? claimer, claimable: claimable.toString() };
      if (args.unsigned) return out.result({ ...(await printUnsigned(chain, suite, out, intent, claimer)), ...base });
      const result = await executeTx(chain, await senderFor(chain, args), intent, args, out, suite.decoder);
      return out.result({ ...outcomeOf(result), ...base, paid: paidOf(suite, rewardsAddress, result.sent)?.toString() });
    }),
  );

interface PayOperatorArgs extends SendingArgs {
  nodeId?: string;
}

withSending(task("rewards:pay-operator", "Pays a node's operator income (fee and own share) to its beneficiary; anyone may send it (from --keystore, or the network's account)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: PayOperatorArgs, { out, chain, suite }) => {
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const roles = await nodeRoles(suite, nodeId);
      const claimable = await suite.rewards.claimable(nodeId, roles.owner);
      out.line(`operator income of node ${nodeId} (owner ${roles.owner}): ${formatPars(claimable)}, paid to ${roles.beneficiary}`);
      if (claimable === 0n) throw new ParsTaskError(`node ${nodeId} owes its operator nothing now`, { nodeId: nodeId.toString(), beneficiary: roles.beneficiary });
      noteAllowance(out, await cycleAllowance(chain, suite), claimable);
      const rewardsAddress = await suite.rewards.getAddress();
      const result = await executeTx(
        chain,
        await senderFor(chain, args),
        {
          description: `pay the operator income of node ${nodeId} (${formatPars(claimable)}) to ${roles.beneficiary}`,
          to: rewardsAddress,
          data: suite.rewards.interface.encodeFunctionData("payOperator", [nodeId]),
        },
        args,
        out,
        suite.decoder,
      );
      return out.result({
        ...outcomeOf(result),
        nodeId: nodeId.toString(),
        owner: roles.owner,
        beneficiary: roles.beneficiary,
        claimable: claimable.toString(),
        paid: paidOf(suite, rewardsAddress, result.sent)?.toString(),
      });
    }),
  );

interface QuoteArgs {
  inbox?: string;
  messageBytes: number;
  json: boolean;
}

task("fees:quote", "Quotes session fees (with the SessionBridge) and shows the fee split, storage utilisation and an inbox's swarm")
  .addOptionalParam("inbox", "Inbox or session id (0x + 64 hex, or any text, hashed with keccak256) to map to its swarm")
  .addOptionalParam("messageBytes", "Message size to quote, bytes", 1024, types.int)
  .addFlag("json", "Print the result as JSON")
  .setAction(
    suiteAction(async (args: QuoteArgs, { out, chain, suite }) => {
      if (!Number.isInteger(args.messageBytes) || args.messageBytes < 1) throw new ParsTaskError("--message-bytes: a positive integer");
      const health = await suite.swarms.networkHealth();
      const utilisation = storageUtilisationPercent({ storageUsed: health.storageUsed, storageCapacity: health.storageCapacity });
      const swarmShareBps = await suite.rewards.SWARM_FEE_BPS();
      const result: Record<string, unknown> = {
        chainId: chain.chainId,
        network: {
          activeNodes: health.activeNodes.toString(),
          swarmCount: health.swarmCount.toString(),
          storageUsed: health.storageUsed.toString(),
          storageCapacity: health.storageCapacity.toString(),
          storageUtilisationPercent: Number(utilisation),
          healthy: health.healthy,
        },
        split: { swarmBps: Number(swarmShareBps), treasuryBps: 10_000 - Number(swarmShareBps) },
      };
      if (args.inbox !== undefined) {
        const inboxId = isHexString(args.inbox, 32) ? args.inbox : keccakId(args.inbox);
        const swarm = await suite.swarms.swarmForInbox(inboxId);
        result.inbox = { id: inboxId, swarmId: Number(swarm), swarmSize: Number(await suite.swarms.swarmSize(swarm)) };
      }

      const bridge = suite.bridge;
      if (!bridge) {
        result.sessions = {
          available: false,
          reason: `SessionBridge is not in the deployment of chain ${chain.chainId}: create-session and message quotes come from the bridge, which is not deployed here`,
        };
      } else {
        const inboxSwarm = (result.inbox as { swarmId: number } | undefined)?.swarmId;
        // A channel's price rises with the taken slots of the shared pool; a full pool has no price.
        const channel = await bridge.quoteCreateChannel().then(
          (fee) => ({ fee: fee.toString() }),
          () => ({ full: true }),
        );
        result.sessions = {
          available: true,
          bridge: await bridge.getAddress(),
          feeMultiplier: (await bridge.feeMultiplier()).toString(),
          createSession: (await bridge.quoteCreateSession()).toString(),
          createChannel: { ...channel, slotsTaken: (await bridge.channelSlotsUsed()).toString(), maxChannels: (await bridge.maxChannels()).toString() },
          message: { bytes: args.messageBytes, fee: (await bridge.quoteMessage(args.messageBytes)).toString() },
          ...(inboxSwarm === undefined ? {} : { pendingFeesOfInboxSwarm: (await bridge.pendingFees(inboxSwarm)).toString() }),
        };
      }

      out.line(`fees on chain ${chain.chainId}`);
      const rows: [string, unknown][] = [
        ["network", `${health.activeNodes} active nodes in ${health.swarmCount} swarms, ${health.healthy ? "healthy" : "not healthy"}`],
        ["storage", `${Number(utilisation)}% of ${(health.storageCapacity / 2n ** 30n).toString()} GiB used`],
        ["fee split", `${Number(swarmShareBps) / 100}% to the serving swarm, ${(10_000 - Number(swarmShareBps)) / 100}% to the treasury`],
      ];
      const inbox = result.inbox as { id: string; swarmId: number; swarmSize: number } | undefined;
      if (inbox) rows.push(["inbox", `${inbox.id} → swarm ${inbox.swarmId} (${inbox.swarmSize} nodes)`]);
      const sessions = result.sessions as {
        available: boolean;
        reason?: string;
        createSession?: string;
        createChannel?: { fee?: string; full?: boolean; slotsTaken: string; maxChannels: string };
        message?: { bytes: number; fee: string };
        feeMultiplier?: string;
        pendingFeesOfInboxSwarm?: string;
      };
      if (sessions.available) {
        rows.push(["create session", `${formatPars(BigInt(sessions.createSession!))}`]);
        const ch = sessions.createChannel!;
        const slots = `${ch.slotsTaken} of ${ch.maxChannels} channel slots taken`;
        rows.push(["create channel", ch.full ? `pool full (${slots})` : `${formatPars(BigInt(ch.fee!))} (${slots})`]);
        rows.push([`message (${args.messageBytes} B)`, `${formatPars(BigInt(sessions.message!.fee))}`]);
        rows.push(["multiplier", `×${sessions.feeMultiplier}`]);
        if (inbox && sessions.pendingFeesOfInboxSwarm !== undefined) {
          rows.push([`swarm ${inbox.swarmId} fees to flush`, `${formatPars(BigInt(sessions.pendingFeesOfInboxSwarm))}`]);
        }
      } else {
        rows.push(["sessions", sessions.reason]);
      }
      out.table(rows);
      return out.result(result);
    }),
  );
