/**
 * A node's roles and directory entry (DESIGN §13):
 *
 * - owner actions, printable unsigned for a Safe or a hardware wallet (`--unsigned`):
 *   `node:set-manager`, `node:set-beneficiary`, `node:set-fee`;
 * - manager actions, signed by the node's keystore when its account is the manager (or the owner):
 *   `node:set-endpoint`, `node:rotate-transport-key`;
 * - anyone: `node:apply-fee` once a fee increase's notice has passed.
 */
import * as fs from "fs";
import { randomBytes } from "crypto";
import { task, types } from "hardhat/config";
import { ZeroAddress, getAddress, hexlify, isAddress, keccak256 } from "ethers";
import { ParsTaskError, keystorePassword } from "./lib/io";
import { walletSender } from "./lib/chain";
import { eventsOf, executeTx } from "../src/cli/tx";
import { keystoreModule, keystorePath, resolveNodeId, senderFor, suiteAction, unlock, withSending, type SendingArgs } from "./lib/operator";
import { nodeRoles, outcomeOf, ownerAction, printUnsigned, requireOwnerOrManager, withOwnerSending, type OwnerSendArgs } from "./lib/roles";

const BPS = 10_000;

async function chainTime(provider: { getBlock(tag: "latest"): Promise<{ timestamp: number } | null> }): Promise<number> {
  return (await provider.getBlock("latest"))?.timestamp ?? Math.floor(Date.now() / 1000);
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function addressArg(name: string, v: string | undefined, allowZero: boolean): string {
  if (v === undefined || !isAddress(v)) throw new ParsTaskError(`--${name}: "${v ?? ""}" is not an address`);
  const a = getAddress(v);
  if (!allowZero && a === ZeroAddress) throw new ParsTaskError(`--${name}: the zero address`);
  return a;
}

// ---------------------------------------------------------------------------------------------------
// node:set-manager, node:set-beneficiary (owner)
// ---------------------------------------------------------------------------------------------------

interface SetManagerArgs extends OwnerSendArgs {
  nodeId?: string;
  manager?: string;
  none: boolean;
}

withOwnerSending(task("node:set-manager", "Names the node's manager, the hot account that sets the endpoint and rotates the transport key (owner only)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("manager", "The manager's address (e.g. the address of the node's keystore, keys:show)")
  .addFlag("none", "Remove the manager")
  .setAction(
    suiteAction(async (args: SetManagerArgs, ctx) => {
      const { out, suite } = ctx;
      if ((args.manager === undefined) === !args.none) throw new ParsTaskError("pass exactly one of --manager <address> and --none");
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const manager = args.none ? ZeroAddress : addressArg("manager", args.manager, false);
      const roles = await nodeRoles(suite, nodeId);
      const description = args.none ? `remove the manager of node ${nodeId} (now ${roles.manager ?? "none"})` : `name ${manager} the manager of node ${nodeId} (now ${roles.manager ?? "none"})`;
      const { result } = await ownerAction(ctx, args, roles, {
        description,
        to: await suite.directory.getAddress(),
        data: suite.directory.interface.encodeFunctionData("setManager", [nodeId, manager]),
      });
      return out.result({ ...result, nodeId: nodeId.toString(), manager: args.none ? null : manager, previousManager: roles.manager });
    }),
  );

interface SetBeneficiaryArgs extends OwnerSendArgs {
  nodeId?: string;
  beneficiary?: string;
  owner: boolean;
}

withOwnerSending(task("node:set-beneficiary", "Names where the operator's income is paid (owner only); rewards:pay-operator pays it there"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("beneficiary", "The beneficiary's address")
  .addFlag("owner", "Pay the owner again (remove the beneficiary)")
  .setAction(
    suiteAction(async (args: SetBeneficiaryArgs, ctx) => {
      const { out, suite } = ctx;
      if ((args.beneficiary === undefined) === !args.owner) throw new ParsTaskError("pass exactly one of --beneficiary <address> and --owner");
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const beneficiary = args.owner ? ZeroAddress : addressArg("beneficiary", args.beneficiary, false);
      const roles = await nodeRoles(suite, nodeId);
      const { result } = await ownerAction(ctx, args, roles, {
        description: `pay the operator income of node ${nodeId} to ${args.owner ? `its owner ${roles.owner}` : beneficiary} (now ${roles.beneficiary})`,
        to: await suite.directory.getAddress(),
        data: suite.directory.interface.encodeFunctionData("setBeneficiary", [nodeId, beneficiary]),
      });
      return out.result({ ...result, nodeId: nodeId.toString(), beneficiary: args.owner ? roles.owner : beneficiary, previousBeneficiary: roles.beneficiary });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:set-fee (owner), node:apply-fee (anyone)
// ---------------------------------------------------------------------------------------------------

interface SetFeeArgs extends OwnerSendArgs {
  nodeId?: string;
  feeBps: number;
}

withOwnerSending(task("node:set-fee", "Changes the operator fee (owner only): a decrease applies at once, an increase after the notice period (node:apply-fee)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addParam("feeBps", "The new operator fee, basis points of the node's income (0..10000)", undefined, types.int)
  .setAction(
    suiteAction(async (args: SetFeeArgs, ctx) => {
      const { out, chain, suite } = ctx;
      if (!Number.isInteger(args.feeBps) || args.feeBps < 0 || args.feeBps > BPS) throw new ParsTaskError(`--fee-bps: ${args.feeBps} is not between 0 and ${BPS}`);
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const roles = await nodeRoles(suite, nodeId);
      const increase = args.feeBps > roles.feeBps;
      const notice = Number(await suite.directory.FEE_INCREASE_NOTICE());
      const effectiveAt = increase ? (await chainTime(chain.provider)) + notice : undefined;
      const description = increase
        ? `raise the operator fee of node ${nodeId} from ${roles.feeBps} to ${args.feeBps} bps, from ${iso(effectiveAt!)} on (${notice / 86400} days' notice; then node:apply-fee)`
        : `lower the operator fee of node ${nodeId} from ${roles.feeBps} to ${args.feeBps} bps, at once`;
      const pending = await suite.directory.pendingFee(nodeId);
      if (Number(pending.effectiveAt) !== 0) {
        out.progress(`note: this replaces the scheduled change to ${pending.feeBps} bps (due ${iso(Number(pending.effectiveAt))})`);
      }
      const { result } = await ownerAction(ctx, args, roles, {
        description,
        to: await suite.directory.getAddress(),
        data: suite.directory.interface.encodeFunctionData("setOperatorFee", [nodeId, args.feeBps]),
      });
      return out.result({
        ...result,
        nodeId: nodeId.toString(),
        currentFeeBps: roles.feeBps,
        feeBps: args.feeBps,
        kind: increase ? "scheduled" : "immediate",
        // For an increase: the earliest time it applies (the chain's clock when it is mined, plus the notice).
        ...(increase ? { effectiveAt: effectiveAt!, noticeSeconds: notice } : {}),
      });
    }),
  );

interface NodeArgs extends SendingArgs {
  nodeId?: string;
}

withSending(task("node:apply-fee", "Applies a node's scheduled fee increase once its notice has passed (anyone)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: NodeArgs, { out, chain, suite }) => {
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const roles = await nodeRoles(suite, nodeId);
      const pending = await suite.directory.pendingFee(nodeId);
      const effectiveAt = Number(pending.effectiveAt);
      if (effectiveAt === 0) throw new ParsTaskError(`node ${nodeId} has no scheduled fee change (its fee is ${roles.feeBps} bps)`, { nodeId: nodeId.toString() });
      const now = await chainTime(chain.provider);
      if (now < effectiveAt) {
        throw new ParsTaskError(`the fee change of node ${nodeId} to ${pending.feeBps} bps applies from ${iso(effectiveAt)} on; the chain's time is ${iso(now)}`, {
          nodeId: nodeId.toString(),
          feeBps: Number(pending.feeBps),
          effectiveAt,
        });
      }
      const result = await executeTx(
        chain,
        await senderFor(chain, args),
        {
          description: `apply the operator fee of node ${nodeId}: ${roles.feeBps} → ${pending.feeBps} bps`,
          to: await suite.directory.getAddress(),
          data: suite.directory.interface.encodeFunctionData("applyFeeChange", [nodeId]),
        },
        args,
        out,
        suite.decoder,
      );
      return out.result({ ...outcomeOf(result), nodeId: nodeId.toString(), previousFeeBps: roles.feeBps, feeBps: Number(pending.feeBps) });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:set-endpoint (manager or owner)
// ---------------------------------------------------------------------------------------------------

interface SetEndpointArgs extends OwnerSendArgs {
  nodeId?: string;
  endpoint?: string;
  clear: boolean;
}

withOwnerSending(task("node:set-endpoint", "Publishes the node's endpoint, a multiaddr such as /dns4/n1.example/tcp/443/wss (the manager or the owner)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("endpoint", "The endpoint as a text multiaddr: /ip4|ip6|dns|dns4|dns6/<host>/tcp|udp/<port>[/quic-v1|/quic|/tls|/ws|/wss]")
  .addFlag("clear", "Remove the endpoint")
  .setAction(
    suiteAction(async (args: SetEndpointArgs, { out, chain, suite }) => {
      if ((args.endpoint === undefined) === !args.clear) throw new ParsTaskError("pass exactly one of --endpoint <multiaddr> and --clear");
      const { encodeMultiaddr, decodeMultiaddr } = await import("../src/multiaddr");
      let bytes = "0x";
      if (!args.clear) {
        try {
          bytes = encodeMultiaddr(args.endpoint!);
        } catch (e) {
          throw new ParsTaskError(`--endpoint: ${(e as Error).message}`);
        }
        if (bytes === "0x") throw new ParsTaskError("--endpoint: empty; pass --clear to remove the endpoint");
      }
      const text = args.clear ? "" : decodeMultiaddr(bytes);
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const roles = await nodeRoles(suite, nodeId);
      const intent = {
        description: args.clear ? `remove the endpoint of node ${nodeId}` : `set the endpoint of node ${nodeId} to ${text}`,
        to: await suite.directory.getAddress(),
        data: suite.directory.interface.encodeFunctionData("setEndpoint", [nodeId, bytes]),
      };
      const base = { nodeId: nodeId.toString(), endpoint: text || null, endpointBytes: bytes };
      if (args.unsigned) return out.result({ ...(await printUnsigned(chain, suite, out, intent, roles.owner)), ...base });
      requireOwnerOrManager(roles, (await senderFor(chain, { ...args, dryRun: true })).address, intent.description);
      const result = await executeTx(chain, await senderFor(chain, args), intent, args, out, suite.decoder);
      return out.result({ ...outcomeOf(result), ...base });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:rotate-transport-key (manager or owner)
// ---------------------------------------------------------------------------------------------------

withSending(
  task(
    "node:rotate-transport-key",
    "Replaces the node's ML-KEM-768 transport key with a fresh one, kept in the keystore with the replaced key for its grace period (the manager or the owner)",
  ),
)
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: NodeArgs, { out, chain, suite }) => {
      const file = keystorePath(args, true);
      const nodeId = await resolveNodeId(suite, args.nodeId, file);
      const roles = await nodeRoles(suite, nodeId);
      // The role is checked before the password is asked: the keystore's address is in clear.
      const { readKeystore, encryptKeystore, writeKeystore } = await keystoreModule();
      const current = readKeystore(file);
      requireOwnerOrManager(roles, current.public.address, `rotate the transport key of node ${nodeId}`);
      const onChain = await suite.directory.transportKeys(nodeId);
      if (onChain.current.toLowerCase() !== current.public.mlkem.keyHash.toLowerCase()) {
        out.progress(
          `note: the keystore's transport key ${current.public.mlkem.keyHash} is not the node's current one (${onChain.current}); ` +
            "the keystore keeps it as the replaced key all the same",
        );
      }
      const password = await keystorePassword();
      const keys = await unlock(file, password);
      const { mlkemKeyGen } = await import("../src/pq");
      const { rotateTransportSecrets } = await import("./lib/transport");
      const seed = new Uint8Array(randomBytes(64));
      const fresh = mlkemKeyGen(1, seed);
      const keyHash = keccak256(fresh.publicKey);
      const grace = Number(await suite.directory.TRANSPORT_KEY_GRACE());
      const intent = {
        description: `rotate the transport key of node ${nodeId} to ${keyHash} (the replaced key stays valid ${grace / 3600} hours)`,
        to: await suite.directory.getAddress(),
        data: suite.directory.interface.encodeFunctionData("rotateTransportKey", [nodeId, hexlify(fresh.publicKey)]),
      };
      const sender = walletSender(keys.wallet, chain);
      if (args.dryRun) {
        const r = await executeTx(chain, sender, intent, args, out, suite.decoder);
        return out.result({ ...outcomeOf(r), nodeId: nodeId.toString(), keyHash });
      }
      // The new key is written before sending, so a mined rotation never loses its key.
      const next = encryptKeystore(rotateTransportSecrets(keys.secrets, seed, await chainTime(chain.provider), grace), password, {
        scryptLogN: current.crypto.kdfparams.logN,
      });
      const pending = `${file}.rotating`;
      writeKeystore(pending, next, { overwrite: true });
      try {
        const r = await executeTx(chain, sender, intent, args, out, suite.decoder);
        fs.copyFileSync(file, `${file}.previous`);
        fs.renameSync(pending, file);
        const event = eventsOf(suite.directory.interface, intent.to, r.sent!.logs).find((e) => e.name === "TransportKeyRotated");
        const previousValidUntil = Number(event?.args.previousValidUntil ?? 0);
        out.line(`keystore updated (the replaced key kept for decryption until ${iso(previousValidUntil)}); the previous file is ${file}.previous`);
        return out.result({
          ...outcomeOf(r),
          nodeId: nodeId.toString(),
          keyHash,
          previousKeyHash: event?.args.previousKeyHash as string,
          previousValidUntil,
        });
      } catch (e) {
        fs.rmSync(pending, { force: true });
        throw e;
      }
    }),
  );
