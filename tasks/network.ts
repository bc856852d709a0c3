/**
 * Read tasks on the network as a whole: its health, the swarm layout, an inbox's swarm and nodes, a
 * session. The same code as the package's `pars-node health | swarms | inbox | session`.
 */
import { task } from "hardhat/config";
import { Contract } from "ethers";
import { health, inbox, session, swarmLayout, type Connected } from "../src/cli/pars-node";
import { ParsTaskError } from "./lib/io";
import { suiteAction, type CommonArgs, type SuiteContext } from "./lib/operator";

function connected({ chain, suite }: SuiteContext): Connected {
  return {
    chain,
    deployment: suite.deployment,
    at(name: string): Contract {
      const rec = suite.deployment.contracts[name];
      if (!rec || !suite.abis[name]) throw new ParsTaskError(`${name} is not in the deployment of chain ${chain.chainId}`);
      return new Contract(rec.address, suite.abis[name], chain.provider);
    },
  };
}

task("network:health", "Shows the network's health: active nodes, swarms and their sizes, replication, storage")
  .addFlag("json", "Print the result as JSON")
  .setAction(suiteAction(async (_args: CommonArgs, ctx) => ctx.out.result(await health(connected(ctx), ctx.out))));

task("network:swarms", "Shows the swarm layout: each swarm's nodes")
  .addFlag("json", "Print the result as JSON")
  .setAction(suiteAction(async (_args: CommonArgs, ctx) => ctx.out.result(await swarmLayout(connected(ctx), ctx.out))));

task("network:inbox", "Shows the swarm an inbox maps to, and its nodes")
  .addPositionalParam("inbox", "The inbox: a name (hashed with keccak256) or 0x + 64 hex digits")
  .addFlag("json", "Print the result as JSON")
  .setAction(suiteAction(async (args: CommonArgs & { inbox: string }, ctx) => ctx.out.result(await inbox(connected(ctx), [args.inbox], ctx.out))));

task("network:session", "Shows a session of the SessionBridge")
  .addPositionalParam("session", "The session id (0x + 64 hex digits)")
  .addFlag("json", "Print the result as JSON")
  .setAction(suiteAction(async (args: CommonArgs & { session: string }, ctx) => ctx.out.result(await session(connected(ctx), [args.session], ctx.out))));
