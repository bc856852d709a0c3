/**
 * `rewards:claim`: claims a node's rewards for the sender (operator fee and/or contributor share).
 * `fees:quote`: what fees cost now and where they go. Session quotes (create a session, create a
 * channel at the pool's current occupancy, store a message) are the SessionBridge's; without it in the
 * deployment the quote says so.
 */
import { task, types } from "hardhat/config";
import { formatEther, isHexString, id as keccakId } from "ethers";
import { storageUtilisationPercent } from "../src/swarm";
import { ParsTaskError } from "./lib/io";
import { executeTx } from "./lib/tx";
import { keystorePath, resolveNodeId, senderFor, suiteAction, withSending, type SendingArgs } from "./lib/operator";

interface ClaimArgs extends SendingArgs {
  nodeId?: string;
}

withSending(task("rewards:claim", "Claims the sender's rewards from a node (from --keystore, or the network's account)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: ClaimArgs, { out, chain, suite }) => {
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const sender = await senderFor(chain, args);
      const claimable = await suite.rewards.claimable(nodeId, sender.address);
      out.line(`claimable by ${sender.address} from node ${nodeId}: ${formatEther(claimable)} PARS`);
      // A claim pays at most what is left of the contract-wide allowance of the current cycle; the rest
      // stays claimable for later cycles.
      const [threshold, cycle, cycleStart, claimedInCycle, latest] = await Promise.all([
        suite.rewards.claimThreshold(),
        suite.rewards.claimCycle(),
        suite.rewards.cycleStart(),
        suite.rewards.claimedInCycle(),
        chain.provider.getBlock("latest"),
      ]);
      const claimed = BigInt(latest?.timestamp ?? 0) >= cycleStart + cycle ? 0n : claimedInCycle;
      const allowance = claimed >= threshold ? 0n : threshold - claimed;
      if (allowance < claimable) {
        out.line(`this cycle's claim allowance has ${formatEther(allowance)} PARS left: the claim pays that much and the rest stays claimable`);
      }
      const result = await executeTx(
        chain,
        sender,
        { description: `claim ${formatEther(claimable)} PARS of rewards from node ${nodeId}`, to: await suite.rewards.getAddress(), data: suite.rewards.interface.encodeFunctionData("claim", [nodeId]) },
        args,
        out,
        suite.decoder,
      );
      const tx = result.dryRun ? { dryRun: true, unsignedTransaction: result.transaction } : { dryRun: false, transaction: result.transaction };
      return out.result({ ...tx, nodeId: nodeId.toString(), claimable: claimable.toString() });
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
        rows.push(["create session", `${formatEther(BigInt(sessions.createSession!))} PARS`]);
        const ch = sessions.createChannel!;
        const slots = `${ch.slotsTaken} of ${ch.maxChannels} channel slots taken`;
        rows.push(["create channel", ch.full ? `pool full (${slots})` : `${formatEther(BigInt(ch.fee!))} PARS (${slots})`]);
        rows.push([`message (${args.messageBytes} B)`, `${formatEther(BigInt(sessions.message!.fee))} PARS`]);
        rows.push(["multiplier", `×${sessions.feeMultiplier}`]);
        if (inbox && sessions.pendingFeesOfInboxSwarm !== undefined) {
          rows.push([`swarm ${inbox.swarmId} fees to flush`, `${formatEther(BigInt(sessions.pendingFeesOfInboxSwarm))} PARS`]);
        }
      } else {
        rows.push(["sessions", sessions.reason]);
      }
      out.table(rows);
      return out.result(result);
    }),
  );
