/**
 * Node operator tasks: register, contribute, status, heartbeat (one-shot or every epoch), heartbeat
 * chain rotation, exit, withdraw, and storage commitments when the deployment has StorageCommitment.
 * Every sending task shares the flow of src/cli/tx.ts (gas and cost, --dry-run, --yes, --json,
 * chain-id guard, progress, custom-error explanations).
 */
import { task, types } from "hardhat/config";
import { ZeroHash, getAddress, getBytes, isAddress, isHexString, keccak256 } from "ethers";
import { registrationDigest, anchorRotationDigest, NodeStatus, operatorMinimum, pendingPenalty } from "../src/registry";
import { formatBps, formatPars, formatTimestamp } from "../src/units";
import { pqProfileOf } from "../src/networks";
import { HeartbeatChain, EPOCH_SECONDS } from "../src/heartbeat";
import type { NodeKeyMaterial } from "../src/keystore";
import { keystorePassword, ParsTaskError, confirm, Declined, type Output } from "./lib/io";
import { walletSender, type Chain } from "./lib/chain";
import type { LoadedSuite } from "./lib/suite";
import { eventsOf, executeTx, type TxOutcome } from "../src/cli/tx";
import { keystoreModule, keystorePath, openKeystore, parsAmount, resolveNodeId, senderFor, suiteAction, unlock, withSending, type SendingArgs } from "./lib/operator";
import { planHeartbeat } from "../src/cli/heartbeat";
import { hasSigner, signerAddress } from "../src/cli/signers";
import { adoptPendingRotation, pendingRotationPath, settlePendingRotation } from "../src/cli/rotation";
import { nodeRoles, ownerAction, printUnsigned, roleOf, withOwnerSending, withStakeSending, type OwnerSendArgs } from "./lib/roles";

const statusName = (s: bigint | number) => NodeStatus[Number(s)] ?? `Unknown(${s})`;

/** Signing code, loaded on first use (the PQ and curve libraries take a moment to load). */
const signing = async () => ({ ...(await import("../src/pq")), ...(await import("../src/bls")) });

function outcome(o: TxOutcome): Record<string, unknown> {
  return o.dryRun ? { dryRun: true, unsignedTransaction: o.transaction } : { dryRun: false, transaction: o.transaction };
}

// ---------------------------------------------------------------------------------------------------
// node:register
// ---------------------------------------------------------------------------------------------------

interface RegisterArgs extends OwnerSendArgs {
  owner?: string;
  feeBps: number;
  stake?: string;
  reserve?: string;
}

function parseReserved(spec: string | undefined): { contributor: string; amount: bigint }[] {
  if (!spec) return [];
  return spec.split(",").map((raw) => {
    const entry = raw.trim();
    const [who, amount] = entry.split(":").map((x) => x.trim());
    if (!who || !amount || !/^0x[0-9a-fA-F]{40}$/.test(who)) throw new ParsTaskError(`--reserve: "${entry}" is not <address>:<PARS> (entries separated by commas)`);
    return { contributor: who, amount: parsAmount("reserve", amount) };
  });
}

withOwnerSending(
  task("node:register", "Registers the keystore's node: ML-DSA-65, ML-KEM-768 and BLS keys with both proofs of possession, the heartbeat anchor and the stake"),
)
  .addOptionalParam("owner", "The node's owner, who sends the registration and the stake (default: the keystore's account); another address needs --unsigned")
  .addOptionalParam("feeBps", "Operator fee, basis points of the node's income", 0, types.int)
  .addOptionalParam("stake", "Operator stake in PARS (default: the whole staking requirement)")
  .addOptionalParam("reserve", "Reserved contributor slots: <address>:<PARS>[,<address>:<PARS>…]")
  .setAction(
    suiteAction(async (args: RegisterArgs, { out, chain, suite }) => {
      const keys = await unlock(keystorePath(args, true));
      if (args.owner !== undefined && !isAddress(args.owner)) throw new ParsTaskError(`--owner: "${args.owner}" is not an address`);
      // The proofs of possession bind the owner: the keystore signs them, the owner sends them.
      const owner = getAddress(args.owner ?? keys.wallet.address);
      const ownerSigns = hasSigner(args) && signerAddress(args) === owner;
      if (hasSigner(args) && !ownerSigns) throw new ParsTaskError(`--wallet / --private-key-env sign for ${signerAddress(args)}, not the owner ${owner} (--owner)`);
      if (owner !== keys.wallet.address && !args.unsigned && !ownerSigns) {
        throw new ParsTaskError(
          `the owner ${owner} sends the registration and the stake: sign with its key (--wallet <JSON wallet> or --private-key-env <VAR>), or pass --unsigned to print the transaction for its wallet (a Safe, a hardware wallet) to sign`,
        );
      }
      const { mldsaSign, proofOfPossession } = await signing();
      const registryAddress = await suite.registry.getAddress();
      const existing = await suite.directory.nodeIdByMldsaKey(keccak256(keys.mldsa.publicKey));
      if (existing !== 0n) throw new ParsTaskError(`this keystore's ML-DSA key is already registered, as node ${existing}`);
      const requirement = await suite.registry.stakingRequirement();
      const stake = args.stake === undefined ? requirement : parsAmount("stake", args.stake);
      const minimum = operatorMinimum(requirement);
      if (stake < minimum) throw new ParsTaskError(`--stake: ${formatPars(stake)} is below the operator minimum of ${formatPars(minimum)} (25%)`);
      const bls = keys.bls.publicKey;
      const blsWords = [bls.xIm, bls.xRe, bls.yIm, bls.yRe] as const;
      const digest = registrationDigest({
        chainId: chain.chainId,
        registry: registryAddress,
        operator: owner,
        mldsaPublicKey: keys.mldsa.publicKey,
        mlkemPublicKey: keys.mlkem.publicKey,
        blsPublicKey: blsWords,
        heartbeatAnchor: keys.heartbeat.anchor,
      });
      const onChain = await suite.directory.registrationDigest(owner, keys.mldsa.publicKey, keys.mlkem.publicKey, bls, keys.heartbeat.anchor);
      if (onChain !== digest) throw new ParsTaskError(`registration digest mismatch: computed ${digest}, the directory says ${onChain}`);
      const registration = {
        mldsaPublicKey: keys.mldsa.publicKey,
        // The context of the deployment's precompile profile, read from the directory itself.
        mldsaSignature: mldsaSign(keys.mldsa.secretKey, getBytes(digest), { profile: await pqProfileOf(suite.directory) }),
        mlkemPublicKey: keys.mlkem.publicKey,
        blsPublicKey: bls,
        blsSignature: proofOfPossession(keys.bls.secretKey, digest),
        heartbeatAnchor: keys.heartbeat.anchor,
        operatorFeeBps: args.feeBps,
        reserved: parseReserved(args.reserve),
      };
      const intent = {
        description: `register node for owner ${owner} (stake ${formatPars(stake)} of ${formatPars(requirement)}, fee ${args.feeBps} bps)`,
        to: registryAddress,
        data: suite.registry.interface.encodeFunctionData("register", [registration]),
        value: stake,
      };
      if (args.unsigned) return out.result({ ...(await printUnsigned(chain, suite, out, intent, owner)), owner, digest });
      const sender = ownerSigns ? await senderFor(chain, args) : walletSender(keys.wallet, chain);
      const result = await executeTx(chain, sender, intent, args, out, suite.decoder);
      if (result.dryRun) return out.result({ ...outcome(result), digest });
      const events = eventsOf(suite.registry.interface, registryAddress, result.sent!.logs);
      const nodeId = events.find((e) => e.name === "NodeRegistered")?.args.nodeId as bigint;
      const activated = events.some((e) => e.name === "NodeActivated");
      out.line(`registered node ${nodeId}${activated ? " (active)" : " (awaiting contributions)"}`);
      return out.result({ ...outcome(result), nodeId: nodeId.toString(), activated, digest });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:contribute
// ---------------------------------------------------------------------------------------------------

interface ContributeArgs extends OwnerSendArgs {
  nodeId?: string;
  amount?: string;
  minimum: boolean;
}

withStakeSending(task("node:contribute", "Contributes stake to a node awaiting contributions (from --keystore, or the network's account; --unsigned for another wallet)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("amount", "PARS to contribute")
  .addFlag("minimum", "Contribute the node's current minimum for a new contributor")
  .setAction(
    suiteAction(async (args: ContributeArgs, { out, chain, suite }) => {
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      if ((args.amount === undefined) === !args.minimum) throw new ParsTaskError("pass exactly one of --amount <PARS> and --minimum");
      const given = args.minimum ? undefined : parsAmount("amount", args.amount!);
      if (given === 0n) throw new ParsTaskError("--amount: a contribution must be more than 0 PARS");
      const n = await suite.registry.getNode(nodeId);
      if (Number(n.status) === NodeStatus.None) throw new ParsTaskError(`no node ${nodeId} on chain ${chain.chainId} (node:status --node-id <id> shows a node)`);
      if (Number(n.status) !== NodeStatus.AwaitingContributions) {
        throw new ParsTaskError(`node ${nodeId} is ${statusName(n.status)}: it takes contributions only while it awaits them (before activation)`);
      }
      const contributors = await suite.registry.getContributors(nodeId);
      const reservations = await reservedSlots(suite, nodeId, contributors);
      // Who contributes: the --unsigned signer, else the keystore's or the network's account.
      const contributor = args.unsigned ? (args.from ?? (await nodeRoles(suite, nodeId)).owner) : (await senderFor(chain, { ...args, dryRun: true })).address;
      const reservedAmount = reservations.get(contributor.toLowerCase());
      const already = contributors.some((c) => c.addr.toLowerCase() === contributor.toLowerCase() && c.amount > 0n);
      let amount: bigint;
      if (given !== undefined) amount = given;
      else if (reservedAmount !== undefined && !already) amount = reservedAmount;
      else {
        amount = await suite.registry.minimumContribution(nodeId);
        if (amount === 0n) {
          const open = n.requirement - n.stake;
          const full = contributors.length >= 10;
          throw new ParsTaskError(
            full
              ? `node ${nodeId} has all 10 contributor slots taken: only its contributors can add stake (--amount)`
              : `node ${nodeId} has no stake left for a new contributor: the ${formatPars(open)} still open ${reservations.size ? `is reserved for ${[...reservations.keys()].join(", ")}, who each send exactly their reserved amount` : "is reserved"}; activation waits for them`,
          );
        }
      }
      const intent = { description: `contribute ${formatPars(amount)} to node ${nodeId}`, to: await suite.registry.getAddress(), data: suite.registry.interface.encodeFunctionData("contribute", [nodeId]), value: amount };
      if (args.unsigned) {
        const from = args.from ?? (await nodeRoles(suite, nodeId)).owner;
        if (!isAddress(from)) throw new ParsTaskError(`--from: "${from}" is not an address`);
        return out.result({ ...(await printUnsigned(chain, suite, out, intent, from)), nodeId: nodeId.toString(), amount: amount.toString() });
      }
      // Anyone may contribute: no role to check.
      const result = await executeTx(chain, await senderFor(chain, args), intent, args, out, suite.decoder);
      return out.result({ ...outcome(result), nodeId: nodeId.toString(), amount: amount.toString() });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:status
// ---------------------------------------------------------------------------------------------------

interface StatusArgs {
  nodeId?: string;
  keystore?: string;
  json: boolean;
}

/**
 * The amounts reserved for contributors who have not paid yet (address, lower case → wei), from the
 * registry's SlotReserved events. Empty when every slot is paid or the node's RPC cannot say.
 */
async function reservedSlots(suite: LoadedSuite, nodeId: bigint, contributors: readonly { addr: string; amount: bigint }[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (!contributors.slice(1).some((c) => c.amount === 0n)) return out;
  try {
    const registered = suite.deployment.contracts.ServiceNodeRegistry?.blockNumber ?? 0;
    const logs = await suite.registry.queryFilter(suite.registry.filters.SlotReserved(nodeId), registered);
    for (const l of logs) {
      const args = (l as unknown as { args: { contributor: string; amount: bigint } }).args;
      out.set(args.contributor.toLowerCase(), args.amount);
    }
  } catch {
    // A node that limits log queries: the slot shows as reserved, amount unknown.
  }
  return out;
}

export async function nodeStatus(suite: LoadedSuite, nodeId: bigint, keystoreAddress?: string): Promise<Record<string, unknown>> {
  const { registry, swarms, rewards, directory } = suite;
  const n = await registry.getNode(nodeId);
  if (Number(n.status) === NodeStatus.None) throw new ParsTaskError(`no node ${nodeId} on chain ${suite.deployment.chainId}`);
  const epoch = Number(await registry.currentEpoch());
  const contributors = await registry.getContributors(nodeId);
  const swarm = await swarms.swarmOf(nodeId);
  const inSwarm = swarm !== (await swarms.NO_SWARM());
  const active = Number(n.status) === NodeStatus.Active;
  // A contribution stays recorded after its withdrawal (rewards are claimed against it); bit i of
  // withdrawnMask marks contributor i's.
  // Reserved slots (contributors recorded at registration, nothing paid yet), from their events.
  const reservations = await reservedSlots(suite, nodeId, contributors);
  const reservedFor = (addr: string, amount: bigint) => (amount === 0n ? (reservations.get(addr.toLowerCase())?.toString() ?? "unknown") : null);
  const claimable = await Promise.all(
    contributors.map(async (c, i) => ({
      account: c.addr,
      contributed: c.amount.toString(),
      withdrawn: ((Number(n.withdrawnMask) >> i) & 1) === 1,
      reserved: reservedFor(c.addr, c.amount),
      claimable: (await rewards.claimable(nodeId, c.addr)).toString(),
    })),
  );
  const roles = await nodeRoles(suite, nodeId);
  const now = (await registry.runner!.provider!.getBlock("latest"))?.timestamp ?? 0;
  const [endpointBytes, keys, pending] = await Promise.all([directory.endpointOf(nodeId), directory.transportKeys(nodeId), directory.pendingFee(nodeId)]);
  const { decodeMultiaddr } = await import("../src/multiaddr");
  let endpoint: string | null = null;
  try {
    endpoint = endpointBytes === "0x" ? null : decodeMultiaddr(endpointBytes);
  } catch {
    endpoint = `(not a multiaddr this tool reads: ${endpointBytes})`;
  }
  const previousValidUntil = Number(keys.previousValidUntil);
  const pendingAt = Number(pending.effectiveAt);
  const owed = pendingPenalty(n, epoch, await registry.missedEpochPenaltyBps());
  const penaltyAmount = (n.stake * BigInt(n.penaltyBps)) / 10_000n;
  return {
    nodeId: nodeId.toString(),
    status: statusName(n.status),
    operator: n.operator,
    owner: roles.owner,
    manager: roles.manager,
    beneficiary: roles.beneficiary,
    ...(keystoreAddress ? { keystore: { address: keystoreAddress, role: roleOf(roles, keystoreAddress) } } : {}),
    endpoint,
    endpointBytes,
    transportKeys: {
      current: keys.current,
      previous: keys.previous === ZeroHash ? null : keys.previous,
      previousValidUntil: previousValidUntil || null,
      previousValid: keys.previous !== ZeroHash && now < previousValidUntil,
    },
    stake: n.stake.toString(),
    requirement: n.requirement.toString(),
    effectiveStake: (await registry.effectiveStake(nodeId)).toString(),
    operatorFeeBps: Number(n.operatorFeeBps),
    pendingFee: pendingAt === 0 ? null : { feeBps: Number(pending.feeBps), effectiveAt: pendingAt, due: now >= pendingAt },
    penaltyBps: Number(n.penaltyBps),
    penaltyAmount: penaltyAmount.toString(),
    pendingPenalty: owed.missedEpochs === 0 ? null : { ...owed, amount: owed.amount.toString() },
    uptimeBps: n.uptimeBps.toString(),
    chainTime: now,
    currentEpoch: epoch,
    lastHeartbeatEpoch: Number(n.lastHeartbeatEpoch),
    heartbeatDue: active && Number(n.lastHeartbeatEpoch) < epoch,
    activatedAt: Number(n.activatedAt),
    unlockAt: Number(n.unlockAt),
    swarmId: inSwarm ? Number(swarm) : null,
    swarmSize: inSwarm ? Number(await swarms.swarmSize(swarm)) : null,
    minimumContribution: Number(n.status) === NodeStatus.AwaitingContributions ? (await registry.minimumContribution(nodeId)).toString() : null,
    contributors: claimable,
  };
}

/** The penalty lines of a node, as status, heartbeat, exit and withdraw print them. */
export function penaltyLines(s: Record<string, unknown>): [string, unknown][] {
  const pending = s.pendingPenalty as { missedEpochs: number; penaltyBps: number; addedBps: number; amount: string; reachesCap: boolean } | null;
  const rows: [string, unknown][] = [["penalty", Number(s.penaltyBps) === 0 ? "none" : `${formatBps(Number(s.penaltyBps))} of the stake (${formatPars(s.penaltyAmount as string)})`]];
  if (pending) {
    rows.push([
      "pending penalty",
      `${pending.missedEpochs} epoch${pending.missedEpochs === 1 ? "" : "s"} without a heartbeat: +${formatBps(pending.addedBps)} (${formatPars(pending.amount)}) at the next heartbeat` +
        (pending.reachesCap ? ", which reaches the cap and decommissions the node" : ""),
    ]);
  }
  return rows;
}

task("node:status", "Shows a node's state: roles, endpoint, transport keys, lifecycle, stake, fee, contributors, heartbeat, swarm and claimable rewards")
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("keystore", "Keystore file (default: $PARS_KEYSTORE); no password needed")
  .addFlag("json", "Print the result as JSON")
  .setAction(
    suiteAction(async (args: StatusArgs, { out, suite }) => {
      const file = keystorePath(args, false);
      const nodeId = await resolveNodeId(suite, args.nodeId, file);
      const keystoreAddress = file ? (await openKeystore(file)).public.address : undefined;
      const s = await nodeStatus(suite, nodeId, keystoreAddress);
      const pars = (v: unknown) => formatPars(v as string);
      const now = Number(s.chainTime);
      const when = (t: number) => formatTimestamp(t, now);
      const tk = s.transportKeys as { current: string; previous: string | null; previousValidUntil: number | null; previousValid: boolean };
      const fee = s.pendingFee as { feeBps: number; effectiveAt: number; due: boolean } | null;
      const ks = s.keystore as { address: string; role: string | null } | undefined;
      const contributors = s.contributors as { account: string; contributed: string; withdrawn: boolean; claimable: string; reserved: string | null }[];
      const waiting = contributors.filter((c) => c.reserved !== null);
      out.line(`node ${s.nodeId} on chain ${suite.deployment.chainId}`);
      out.table([
        ["status", s.status],
        ["owner", s.owner],
        ["manager", s.manager ?? "none"],
        ["beneficiary", s.beneficiary === s.owner ? `${s.beneficiary} (the owner)` : s.beneficiary],
        ...(ks ? ([["keystore account", `${ks.address} (${ks.role ?? "no role: it may relay heartbeats only"})`]] as [string, unknown][]) : []),
        ["endpoint", s.endpoint ?? "none"],
        ["transport key", tk.current],
        ...(tk.previous
          ? ([["previous key", `${tk.previous} (${tk.previousValid ? "valid" : "expired"} until ${when(tk.previousValidUntil!)})`]] as [string, unknown][])
          : []),
        ["stake", `${pars(s.stake)} of ${pars(s.requirement)} (effective ${pars(s.effectiveStake)})`],
        ["operator fee", `${formatBps(s.operatorFeeBps as number)}`],
        ...(fee ? ([["pending fee", `${formatBps(fee.feeBps)} from ${when(fee.effectiveAt)}${fee.due ? " (due: node:apply-fee)" : ""}`]] as [string, unknown][]) : []),
        ...penaltyLines(s),
        ["uptime", `${Number(s.uptimeBps) / 100}%`],
        ["heartbeat", `last epoch ${s.lastHeartbeatEpoch}, now ${s.currentEpoch}${s.heartbeatDue ? " (due: node:heartbeat)" : ""}`],
        ["swarm", s.swarmId === null ? "none" : `${s.swarmId} (${s.swarmSize} nodes)`],
        ...(s.unlockAt ? ([["unlocks at", when(Number(s.unlockAt))]] as [string, unknown][]) : []),
        ...(s.minimumContribution ? ([["min. contribution", pars(s.minimumContribution)]] as [string, unknown][]) : []),
        ...(s.status === "AwaitingContributions" && waiting.length > 0
          ? ([["activation waits for", `${waiting.length} reserved slot${waiting.length === 1 ? "" : "s"} to be paid (each reserved contributor sends exactly its amount with node:contribute)`]] as [string, unknown][])
          : []),
      ]);
      for (const c of contributors) {
        const withdrawn = Number(s.penaltyBps) > 0 ? ` (withdrawn, less the ${formatBps(Number(s.penaltyBps))} penalty)` : " (withdrawn)";
        const state = c.reserved !== null ? ` (reserved: ${c.reserved === "unknown" ? "amount not readable here" : pars(c.reserved)} not paid yet)` : c.withdrawn ? withdrawn : "";
        out.line(`  contributor ${c.account}: ${pars(c.contributed)}${state}, claimable ${pars(c.claimable)}`);
      }
      return out.result(s);
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:heartbeat
// ---------------------------------------------------------------------------------------------------

interface HeartbeatArgs extends SendingArgs {
  nodeId?: string;
  loop: boolean;
  maxIterations?: number;
  pollSeconds: number;
}

/** The node's keystore as a heartbeat sender holds it: replaced when a pending rotation is adopted. */
interface HeartbeatKeys {
  file: string;
  password: string;
  keys: NodeKeyMaterial;
}

/**
 * Settles `<keystore>.rotating` (left by a rotation whose outcome its task could not see) against
 * the registry, and says what happened.
 */
function settleRotation(hk: HeartbeatKeys, lastRevealed: string, currentEpoch: number, out: Output): void {
  const pending = settlePendingRotation(hk.file, hk.password, { lastRevealed, currentEpoch });
  if (pending.state === "adopted") {
    hk.keys = pending.keys;
    out.progress(`the registry holds the anchor of the rotation in ${pendingRotationPath(hk.file)}: it is now the keystore (the previous one is ${pending.previous})`);
  } else if (pending.state === "dropped") {
    out.progress(`removed ${pendingRotationPath(hk.file)}: its rotation (epoch ${pending.epoch}) was not mined and can no longer be`);
  }
}

/** One epoch's heartbeat: sends it, or reports why not (already sent, rotation needed). */
async function heartbeatOnce(
  chain: Chain,
  suite: LoadedSuite,
  hk: HeartbeatKeys,
  nodeId: bigint,
  args: HeartbeatArgs,
  out: Output,
): Promise<{ sent: boolean; epoch: number; reason?: string; result?: Record<string, unknown> }> {
  const n = await suite.registry.getNode(nodeId);
  if (Number(n.status) !== NodeStatus.Active) throw new ParsTaskError(`node ${nodeId} is ${statusName(n.status)}: only active nodes send heartbeats`);
  const epoch = Number(await suite.registry.currentEpoch());
  settleRotation(hk, n.lastRevealed, epoch, out);
  const keys = hk.keys;
  const last = Number(n.lastHeartbeatEpoch);
  if (last === epoch) return { sent: false, epoch, reason: `already proven for epoch ${epoch}` };
  const maxGap = Number(await suite.registry.MAX_HEARTBEAT_GAP());
  if (epoch - last > maxGap) {
    throw new ParsTaskError(`node ${nodeId} missed ${epoch - last} epochs (more than ${maxGap}): start a fresh chain with node:rotate-anchor`);
  }
  const plan = planHeartbeat(keys.heartbeat, n.lastRevealed, last, epoch);
  if (plan.kind === "unknown-chain") throw new ParsTaskError(
      `the registry's last revealed value of node ${nodeId} is not on the heartbeat chain of ${hk.file} (nor of a pending rotation): ` +
        `use the keystore whose chain it is (${hk.file}.previous holds the one before the last rotation), or start a fresh chain with node:rotate-anchor`,
    );
  if (plan.kind === "exhausted") throw new ParsTaskError(`the heartbeat chain is used up: run node:rotate-anchor`);
  // Missed epochs cost stake: say so before sending, and what was applied after.
  const owed = pendingPenalty(n, epoch, await suite.registry.missedEpochPenaltyBps());
  if (owed.missedEpochs > 0 && owed.addedBps > 0) {
    out.progress(
      `node ${nodeId} missed ${owed.missedEpochs} epoch${owed.missedEpochs === 1 ? "" : "s"}: this heartbeat applies a penalty of +${formatBps(owed.addedBps)} ` +
        `(${formatPars(owed.amount)}; ${formatBps(owed.penaltyBps)} in all)${owed.reachesCap ? ", which reaches the cap and decommissions the node" : ""}`,
    );
  }
  const registryAddress = await suite.registry.getAddress();
  const result = await executeTx(
    chain,
    walletSender(keys.wallet, chain),
    { description: `heartbeat of node ${nodeId} for epoch ${epoch}`, to: registryAddress, data: suite.registry.interface.encodeFunctionData("heartbeat", [nodeId, plan.value]) },
    args,
    out,
    suite.decoder,
  );
  let penalty: { missedEpochs: number; penaltyBps: number; amount: string } | undefined;
  if (result.sent) {
    const e = eventsOf(suite.registry.interface, registryAddress, result.sent.logs).find((x) => x.name === "NodePenalized");
    if (e) {
      penalty = { missedEpochs: Number(e.args.missedEpochs as bigint), penaltyBps: Number(e.args.penaltyBps as bigint), amount: String(e.args.amount as bigint) };
      out.line(`penalty applied: ${penalty.missedEpochs} missed epoch${penalty.missedEpochs === 1 ? "" : "s"}, ${formatPars(penalty.amount)} of the stake; the node's penalty is now ${formatBps(penalty.penaltyBps)}`);
    }
  }
  return { sent: !result.dryRun, epoch, result: { ...outcome(result), ...(owed.missedEpochs > 0 ? { pendingPenalty: { ...owed, amount: owed.amount.toString() } } : {}), ...(penalty ? { penalty } : {}) } };
}

withSending(task("node:heartbeat", "Proves the node's liveness for this epoch; --loop sends one every epoch until stopped"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addFlag("loop", "Keep running: one heartbeat per epoch")
  .addOptionalParam("maxIterations", "With --loop: stop after this many heartbeats", undefined, types.int)
  .addOptionalParam("pollSeconds", "With --loop: how often to look at the chain", 60, types.float)
  .setAction(
    suiteAction(async (args: HeartbeatArgs, { out, chain, suite }) => {
      const file = keystorePath(args, true);
      const nodeId = await resolveNodeId(suite, args.nodeId, file);
      const password = await keystorePassword();
      const keys: HeartbeatKeys = { file, password, keys: await unlock(file, password) };
      if (!args.loop || args.dryRun) {
        const r = await heartbeatOnce(chain, suite, keys, nodeId, args, out);
        if (r.reason) out.line(`node ${nodeId}: ${r.reason}; nothing sent`);
        return out.result({ nodeId: nodeId.toString(), epoch: r.epoch, sent: r.sent, reason: r.reason, ...r.result });
      }
      if (!args.yes && !(await confirm(`Send a heartbeat for node ${nodeId} every epoch until stopped`))) throw new Declined("the heartbeat loop");
      const max = args.maxIterations ?? Infinity;
      const sent: { epoch: number; transaction: unknown }[] = [];
      let stopped = false;
      const stop = () => {
        stopped = true;
        out.progress("stopping after the current step…");
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        let waitingFor = -1;
        while (!stopped && sent.length < max) {
          let r: Awaited<ReturnType<typeof heartbeatOnce>>;
          try {
            r = await heartbeatOnce(chain, suite, keys, nodeId, { ...args, yes: true }, out);
          } catch (e) {
            // A revert (an epoch that ended between reading and mining, a heartbeat relayed by
            // someone else) is retried at the next poll; anything else stops the loop.
            if (!(e instanceof ParsTaskError) || !e.details.revert) throw e;
            out.progress(`${e.message}; retrying`);
            await new Promise((res) => setTimeout(res, Math.max(50, args.pollSeconds * 1000)));
            continue;
          }
          if (r.sent) {
            sent.push({ epoch: r.epoch, transaction: r.result?.transaction });
            out.line(`epoch ${r.epoch}: heartbeat sent (${sent.length}${Number.isFinite(max) ? `/${max}` : ""})`);
            continue;
          }
          if (waitingFor !== r.epoch) {
            out.progress(`node ${nodeId}: ${r.reason}; next heartbeat in epoch ${r.epoch + 1} (from ${new Date((r.epoch + 1) * EPOCH_SECONDS * 1000).toISOString()} chain time)`);
            waitingFor = r.epoch;
          }
          await new Promise((res) => setTimeout(res, Math.max(50, args.pollSeconds * 1000)));
        }
      } finally {
        process.removeListener("SIGINT", stop);
        process.removeListener("SIGTERM", stop);
      }
      return out.result({ nodeId: nodeId.toString(), loop: true, heartbeats: sent });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:rotate-anchor
// ---------------------------------------------------------------------------------------------------

interface RotateArgs extends SendingArgs {
  nodeId?: string;
  heartbeatEpochs: number;
}

withSending(task("node:rotate-anchor", "Starts a fresh heartbeat chain (signed with the node's ML-DSA key) and stores it in the keystore"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addOptionalParam("heartbeatEpochs", "Length of the new chain, in epochs", 24 * 365 * 2, types.int)
  .setAction(
    suiteAction(async (args: RotateArgs, { out, chain, suite }) => {
      const file = keystorePath(args, true);
      const nodeId = await resolveNodeId(suite, args.nodeId, file);
      // Asked once: it decrypts the keystore and encrypts the one with the new chain.
      const password = await keystorePassword();
      const { mldsaSign } = await signing();
      const { encryptKeystore, readKeystore, writeKeystore } = await keystoreModule();
      const epoch = Number(await suite.registry.currentEpoch());
      const hk: HeartbeatKeys = { file, password, keys: await unlock(file, password) };
      const lastRevealed = async () => (await suite.registry.getNode(nodeId)).lastRevealed;
      // An earlier rotation whose outcome its task could not see: adopted if it was mined, else
      // kept while it still can be (a second rotation in that epoch would be refused anyway).
      const earlier = settlePendingRotation(file, password, { lastRevealed: await lastRevealed(), currentEpoch: epoch });
      if (earlier.state === "adopted") {
        out.line(`the registry holds the anchor of the earlier rotation in ${pendingRotationPath(file)}: it is now the keystore (the previous one is ${earlier.previous}); no new rotation sent`);
        return out.result({ nodeId: nodeId.toString(), dryRun: args.dryRun, adopted: true, anchor: earlier.keys.heartbeat.anchor });
      }
      if (earlier.state === "kept") {
        throw new ParsTaskError(
          `${earlier.file} holds a rotation sent in this epoch (${earlier.epoch}) that may still be mined: wait for it (node:heartbeat adopts it once the registry holds its anchor), or rotate again in the next epoch`,
          { pending: earlier.file },
        );
      }
      const keys = hk.keys;
      const fresh = HeartbeatChain.create({ length: args.heartbeatEpochs, anchorEpoch: epoch });
      const registryAddress = await suite.registry.getAddress();
      const digest = anchorRotationDigest(chain.chainId, registryAddress, nodeId, fresh.anchor, epoch);
      if ((await suite.registry.anchorRotationDigest(nodeId, fresh.anchor, epoch)) !== digest) throw new ParsTaskError("anchor rotation digest mismatch with the registry");
      const intent = {
        description: `rotate the heartbeat chain of node ${nodeId} (epoch ${epoch})`,
        to: registryAddress,
        data: suite.registry.interface.encodeFunctionData("rotateHeartbeatAnchor", [nodeId, fresh.anchor, keys.mldsa.publicKey, mldsaSign(keys.mldsa.secretKey, getBytes(digest), { profile: await pqProfileOf(suite.registry) })]),
      };
      // The new chain is written right before the rotation is broadcast, so a mined rotation never
      // loses its chain; after that, only the chain decides whether the file is still needed.
      const current = readKeystore(file);
      const next = encryptKeystore({ ...keys.secrets, heartbeat: fresh.toJSON() }, password, { scryptLogN: current.crypto.kdfparams.logN });
      const pending = pendingRotationPath(file);
      let written = false;
      const write = () => {
        writeKeystore(pending, next, { overwrite: true });
        written = true;
      };
      let r: TxOutcome;
      try {
        r = await executeTx(chain, walletSender(keys.wallet, chain), intent, args, out, suite.decoder, { beforeBroadcast: write });
      } catch (e) {
        // Nothing left: the pending file is not needed.
        if (!written) throw e;
        let revealed: string | undefined;
        try {
          revealed = await lastRevealed();
        } catch {
          // The chain cannot say: keep the file.
        }
        if (revealed?.toLowerCase() !== fresh.anchor.toLowerCase()) {
          const err = e instanceof ParsTaskError ? e : new ParsTaskError((e as Error).message, {}, e as Error);
          throw new ParsTaskError(
            `${err.message}. The rotation may have been broadcast: its heartbeat chain is kept in ${pending}. ` +
              `If it is mined (in epoch ${epoch}), node:heartbeat adopts it; if not, node:heartbeat removes it after epoch ${epoch}`,
            { ...err.details, pending },
            err,
          );
        }
        // Mined, whatever the error said (a receipt that could not be read, a timeout).
        out.progress(`${(e as Error).message}; the registry holds the new anchor all the same`);
        const previous = adoptPendingRotation(file);
        out.line(`keystore updated; the previous one is ${previous}`);
        return out.result({ nodeId: nodeId.toString(), dryRun: false, anchor: fresh.anchor, receiptError: (e as Error).message });
      }
      if (r.dryRun) return out.result({ ...outcome(r), nodeId: nodeId.toString(), anchor: fresh.anchor });
      const previous = adoptPendingRotation(file);
      out.line(`keystore updated; the previous one is ${previous}`);
      return out.result({ ...outcome(r), nodeId: nodeId.toString(), anchor: fresh.anchor });
    }),
  );

/** The penalty a node's stake has taken and will take at its next settlement, for exit and withdraw. */
function penaltySummary(stake: bigint, penaltyBps: number, owed: ReturnType<typeof pendingPenalty>): { text: string; json: Record<string, unknown> } | undefined {
  if (penaltyBps === 0 && owed.addedBps === 0) return undefined;
  const now = (stake * BigInt(penaltyBps)) / 10_000n;
  const parts = [];
  if (penaltyBps > 0) parts.push(`penalty so far ${formatBps(penaltyBps)} (${formatPars(now)})`);
  if (owed.addedBps > 0) parts.push(`${owed.missedEpochs} missed epoch${owed.missedEpochs === 1 ? "" : "s"} settled by this exit: +${formatBps(owed.addedBps)} (${formatPars(owed.amount)})`);
  const total = (stake * BigInt(owed.penaltyBps)) / 10_000n;
  return {
    text: `${parts.join("; ")}: the stake pays back ${formatPars(stake - total)} of ${formatPars(stake)}`,
    json: { penaltyBps, pendingPenalty: { ...owed, amount: owed.amount.toString() }, amount: total.toString() },
  };
}

// ---------------------------------------------------------------------------------------------------
// node:exit, node:withdraw
// ---------------------------------------------------------------------------------------------------

interface NodeArgs extends OwnerSendArgs {
  nodeId?: string;
}

withStakeSending(task("node:exit", "Requests the node's exit (the owner, or a contributor); stake unlocks after the lock period"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: NodeArgs, ctx) => {
      const { out, suite } = ctx;
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const lock = await suite.registry.lockPeriod();
      // The exit settles the epochs missed so far: show what the stake has lost and will lose.
      const n = await suite.registry.getNode(nodeId);
      const owed = pendingPenalty(n, Number(await suite.registry.currentEpoch()), await suite.registry.missedEpochPenaltyBps());
      const penalty = penaltySummary(n.stake, Number(n.penaltyBps), owed);
      if (penalty) out.line(penalty.text);
      const { result } = await ownerAction(
        ctx,
        args,
        await nodeRoles(suite, nodeId),
        { description: `request the exit of node ${nodeId} (stake unlocks ${Number(lock) / 86400} days later)`, to: await suite.registry.getAddress(), data: suite.registry.interface.encodeFunctionData("requestExit", [nodeId]) },
        { contributorsToo: true },
      );
      return out.result({ ...result, nodeId: nodeId.toString(), ...(penalty ? { penalty: penalty.json } : {}) });
    }),
  );

withStakeSending(task("node:withdraw", "Withdraws the sender's stake (the owner's, or a contributor's): a refund before activation, or stake minus penalties after the lock period"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .setAction(
    suiteAction(async (args: NodeArgs, ctx) => {
      const { out, chain, suite } = ctx;
      const nodeId = await resolveNodeId(suite, args.nodeId, keystorePath(args, false));
      const roles = await nodeRoles(suite, nodeId);
      // Who withdraws: the signer of --unsigned, else the keystore's (or network's) account.
      const from = args.unsigned ? (args.from ?? roles.owner) : (await senderFor(chain, { ...args, dryRun: true })).address;
      const registryAddress = await suite.registry.getAddress();
      const data = suite.registry.interface.encodeFunctionData("withdraw", [nodeId]);
      let expected: bigint | undefined;
      try {
        const ret = await chain.provider.call({ from, to: registryAddress, data });
        expected = suite.registry.interface.decodeFunctionResult("withdraw", ret)[0] as bigint;
        const n = await suite.registry.getNode(nodeId);
        const bps = Number(n.penaltyBps);
        out.line(`withdrawable now by ${from}: ${formatPars(expected)}${bps > 0 ? ` (its stake less the node's ${formatBps(bps)} penalty for missed heartbeats)` : ""}`);
      } catch {
        // The transaction's estimate (or simulation) explains the revert.
      }
      const { result } = await ownerAction(ctx, args, roles, { description: `withdraw ${from}'s stake from node ${nodeId}`, to: registryAddress, data }, { contributorsToo: true });
      return out.result({ ...result, nodeId: nodeId.toString(), amount: expected?.toString() });
    }),
  );

// ---------------------------------------------------------------------------------------------------
// node:commit-storage (only with StorageCommitment in the deployment)
// ---------------------------------------------------------------------------------------------------

interface CommitArgs extends SendingArgs {
  nodeId?: string;
  merkleRoot: string;
  messageCount: string;
  usedBytes: string;
}

withSending(task("node:commit-storage", "Signs and sends this epoch's storage commitment (needs StorageCommitment in the deployment)"))
  .addOptionalParam("nodeId", "Node id (default: the keystore's node)")
  .addParam("merkleRoot", "Root of the node's StandardMerkleTree of stored messages (0x + 64 hex)")
  .addParam("messageCount", "Messages stored")
  .addParam("usedBytes", "Bytes stored")
  .setAction(
    suiteAction(async (args: CommitArgs, { out, chain, suite }) => {
      const storage = suite.storage;
      if (!storage) {
        throw new ParsTaskError(
          `StorageCommitment is not in the deployment of chain ${chain.chainId}: there is nowhere to send storage commitments. ` +
            "Run deploy-suite to add it to the deployment (its roles on the registry and the coordinator then need the " +
            "timelock proposals it prints), then run this task again",
          { available: false },
        );
      }
      if (!isHexString(args.merkleRoot, 32)) throw new ParsTaskError("--merkle-root: 0x followed by 64 hex digits");
      for (const [k, v] of [["message-count", args.messageCount], ["used-bytes", args.usedBytes]]) {
        if (!/^\d+$/.test(v)) throw new ParsTaskError(`--${k}: a non-negative integer`);
      }
      const file = keystorePath(args, true);
      const nodeId = await resolveNodeId(suite, args.nodeId, file);
      const keys = await unlock(file);
      const { storageProofDigest, signStorageProof } = await import("../src/storage");
      const proof = {
        nodeId,
        swarmId: Number(await suite.swarms.swarmOf(nodeId)),
        epoch: Number(await suite.registry.currentEpoch()),
        merkleRoot: args.merkleRoot,
        messageCount: BigInt(args.messageCount),
        usedBytes: BigInt(args.usedBytes),
      };
      const storageAddress = await storage.getAddress();
      const digest = storageProofDigest(chain.chainId, storageAddress, proof);
      const onChain = await storage.storageProofDigest(proof);
      if (onChain !== digest) throw new ParsTaskError(`storage proof digest mismatch: computed ${digest}, the contract says ${onChain}`);
      const signature = signStorageProof(keys.mldsa.secretKey, chain.chainId, storageAddress, proof, await pqProfileOf(storage));
      const result = await executeTx(
        chain,
        walletSender(keys.wallet, chain),
        {
          description: `storage commitment of node ${nodeId} for epoch ${proof.epoch} (${args.messageCount} messages, ${args.usedBytes} bytes)`,
          to: storageAddress,
          data: storage.interface.encodeFunctionData("commit", [proof, keys.mldsa.publicKey, signature]),
        },
        args,
        out,
        suite.decoder,
      );
      return out.result({ ...outcome(result), nodeId: nodeId.toString(), epoch: proof.epoch, swarmId: proof.swarmId, digest });
    }),
  );
