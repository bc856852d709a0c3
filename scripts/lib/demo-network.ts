/**
 * The demo's network, populated step by step on the in-process Hardhat network: `npm run demo` runs it
 * and prints its checks and gas table, `npm run explorer` runs it and then shows the result on the
 * network page.
 *
 * Deploys the suite through the project's own `deploy-suite` task (timelock governance included),
 * registers 16 nodes with real ML-DSA-65 / ML-KEM-768 / BLS keys (some with contributors), forms
 * swarms, runs heartbeats across epochs with one node going silent and being penalised, has a swarm
 * commit its storage and answer a storage challenge, opens a session whose messages pay fees into the
 * serving swarm's pool, deregisters a node by a BLS attestation of the others, pays emission and fee
 * claims, and ends with an exit and a withdrawal; printing network health and the swarm layout.
 * Every step checks its result and throws if any is wrong.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import hre, { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { usePrecompiles } from "../../test/helpers/precompiles";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys, type NodeKeys } from "../../test/helpers/suite";
import { getDeployment, type Deployment } from "../../src/deployments";
import { answerChallenge, messageHash, StorageTree, signStorageProof, storageProofOf } from "../../src/storage";
import { mlkemKeyGen } from "../../src/pq";
import { pqProfileOf } from "../../src/networks";
import type {
  NetworkAttestations,
  NodeDirectory,
  ServiceNodeRegistry,
  ServiceNodeRewards,
  SessionBridge,
  StorageCommitment,
  SwarmCoordinator,
} from "../../typechain-types";
import { NodeStatus, operatorMinimum } from "../../src/registry";
import { type BLSKeyPair } from "../../src/bls";
import { buildDeregistration } from "../../src/attestations";
import { mlkemDecapsulate } from "../../src/pq";
import { luxEncapsulateInput } from "../../src/precompiles/lux";

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Gas of every transaction the population sent, in order. */
export const gasTable: { step: string; gas: bigint }[] = [];

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`demo check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

function section(title: string): void {
  console.log(`\n== ${title}`);
}

async function send(step: string, tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${step}: transaction failed`);
  gasTable.push({ step, gas: receipt.gasUsed });
  return receipt;
}

export interface Deployed {
  registry: ServiceNodeRegistry;
  directory: NodeDirectory;
  swarms: SwarmCoordinator;
  attestations: NetworkAttestations;
  rewards: ServiceNodeRewards;
  storage: StorageCommitment;
  bridge: SessionBridge;
  treasury: string;
  operators: HardhatEthersSigner[];
  others: HardhatEthersSigner[];
}

/** Deploys the whole suite with `deploy-suite` (the deployer's path) into a throw-away record folder. */
async function deploy(): Promise<Deployed & { record: Deployment; deploymentsDir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pars-demo-"));
  await hre.run("deploy-suite", { yes: true, deploymentsDir: dir, confirmations: 1 });
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const record = getDeployment(chainId, dir);
  if (!record || !record.governance.handedOver) throw new Error("deploy-suite did not complete the hand-over to the timelock");
  const at = (name: string) => {
    const c = record.contracts[name];
    if (!c) throw new Error(`${name} missing from the deployment record`);
    return c.address;
  };
  const signers = await ethers.getSigners();
  const rewards = await ethers.getContractAt("ServiceNodeRewards", at("ServiceNodeRewards"));
  return {
    registry: await ethers.getContractAt("ServiceNodeRegistry", at("ServiceNodeRegistry")),
    directory: await ethers.getContractAt("NodeDirectory", at("NodeDirectory")),
    swarms: await ethers.getContractAt("SwarmCoordinator", at("SwarmCoordinator")),
    attestations: await ethers.getContractAt("NetworkAttestations", at("NetworkAttestations")),
    rewards,
    storage: await ethers.getContractAt("StorageCommitment", at("StorageCommitment")),
    bridge: await ethers.getContractAt("SessionBridge", at("SessionBridge")),
    treasury: await rewards.treasury(),
    operators: signers.slice(4, 24),
    others: signers.slice(24),
    record,
    deploymentsDir: dir,
  };
}

export interface DemoNode {
  nodeId: bigint;
  keys: NodeKeys;
  operator: HardhatEthersSigner;
  contributors: HardhatEthersSigner[];
}

/** What the population leaves behind: the suite, its recorded deployment, and the nodes with their keys. */
export interface DemoNetwork {
  suite: Deployed;
  /** The deployment record `deploy-suite` wrote (addresses of every contract, NodeLens included). */
  record: Deployment;
  /** The throw-away folder the record is in. */
  deploymentsDir: string;
  nodes: DemoNode[];
}

/** Populates the in-process network as the demo does, checking every step (throws on the first failure). */
export async function populateDemoNetwork(): Promise<DemoNetwork> {
  section("Precompiles and deployment");
  const pc = await usePrecompiles();
  console.log(`  ML-DSA at ${pc.addresses.mldsa}, ML-KEM at ${pc.addresses.mlkem} (served from TypeScript, mode ${pc.mode})`);
  const s = await deploy();
  check((await s.rewards.startTime()) > 0n, "the suite is deployed, wired and handed to the timelock; emission has started");

  section("Registering 16 nodes with real post-quantum and BLS keys");
  const nodes: DemoNode[] = [];
  // Start at the beginning of an epoch: the steps below count epochs from here, and the chain's clock
  // also follows the wall clock, so an hour boundary crossed while they run would add a missed epoch.
  await time.increaseTo((await currentEpoch() + 1) * HOUR + 1);
  const epoch0 = await currentEpoch();
  for (let i = 0; i < 16; i++) {
    const operator = s.operators[i];
    const keys = nodeKeys(`demo-node-${i}`, epoch0);
    const reg = await buildRegistration(s.registry, operator.address, keys, { feeBps: 500 + 100 * (i % 5) });
    const shared = i >= 13; // the last three take contributions
    const value = shared ? operatorMinimum(REQUIREMENT) : REQUIREMENT;
    await send(shared ? "register (partial stake)" : "register (full stake)", s.registry.connect(operator).register(reg, { value }));
    const nodeId = await s.registry.lastNodeId();
    const contributors: HardhatEthersSigner[] = [];
    if (shared) {
      const a = s.others[(i - 13) * 2];
      const b = s.others[(i - 13) * 2 + 1];
      const min = await s.registry.minimumContribution(nodeId);
      await send("contribute", s.registry.connect(a).contribute(nodeId, { value: min }));
      const rest = REQUIREMENT - operatorMinimum(REQUIREMENT) - min;
      await send("contribute (activates)", s.registry.connect(b).contribute(nodeId, { value: rest }));
      contributors.push(a, b);
    }
    const info = await s.registry.getNode(nodeId);
    nodes.push({ nodeId, keys: { ...keys, chain: keys.chain.withAnchorEpoch(Number(info.lastHeartbeatEpoch)) }, operator, contributors });
  }
  check((await s.registry.activeNodes()) === 16n, "16 nodes are active");
  check((await s.registry.totalActiveStake()) === 16n * REQUIREMENT, "16 × 15,000 PARS are staked");
  const shared = nodes[13];
  check((await s.registry.getContributors(shared.nodeId)).length === 3, "a shared node has its operator and two contributors");

  // A node's transport key works: anyone can encapsulate to it through the chain's lux precompile
  // (ciphertext ‖ shared secret), only the node decapsulates.
  const encapsulation = ethers.getBytes(
    await ethers.provider.call({ to: pc.addresses.mlkem, data: ethers.hexlify(luxEncapsulateInput(nodes[0].keys.mlkem.publicKey)) }),
  );
  const [ct, ss] = [ethers.hexlify(encapsulation.slice(0, 1088)), ethers.hexlify(encapsulation.slice(1088))];
  check(
    ethers.hexlify(mlkemDecapsulate(nodes[0].keys.mlkem.secretKey, ethers.getBytes(ct))) === ss,
    "an ML-KEM-768 encapsulation to node 1 decapsulates with its secret key",
  );

  section("Swarms");
  await printSwarms(s.swarms);
  const count = Number(await s.swarms.swarmCount());
  check(count === 4, "16 active nodes form ceil(16/5) = 4 swarms");
  await printHealth(s.swarms);

  section("Emission");
  await send("rewards.fund", s.rewards.connect(s.others[12]).fund({ value: ethers.parseEther("5000000") }));
  console.log(`  pool funded with 5,000,000 PARS; emission base ${ethers.formatEther(await s.rewards.emissionBase())} PARS`);

  section("Heartbeats across three epochs; node 16 goes silent");
  const silent = nodes[15];
  for (let round = 1; round <= 3; round++) {
    await time.increaseTo((epoch0 + round) * HOUR + 60);
    const e = await currentEpoch();
    const live = nodes.filter((n) => n !== silent);
    await send(
      `heartbeatBatch (${live.length} nodes)`,
      s.registry.connect(s.others[10]).heartbeatBatch(
        live.map((n) => n.nodeId),
        live.map((n) => n.keys.chain.valueForEpoch(e)),
      ),
    );
    console.log(`  epoch ${e}: ${live.length} heartbeats relayed in one transaction`);
  }
  // Epochs +1, +2 and +3 are over: the silent node missed all three.
  await time.increaseTo((epoch0 + 4) * HOUR + 60);
  await send("penalize", s.registry.connect(s.others[10]).penalize(silent.nodeId));
  const silentInfo = await s.registry.getNode(silent.nodeId);
  check(silentInfo.penaltyBps === 150n, "the silent node lost 3 × 0.5% of its stake");
  check(silentInfo.uptimeBps < 10_000n, `its uptime score fell to ${Number(silentInfo.uptimeBps) / 100}%`);
  check((await s.registry.treasuryOwed()) === (REQUIREMENT * 150n) / 10_000n, "the penalty is owed to the treasury");
  check((await s.registry.getNode(nodes[0].nodeId)).uptimeBps === 10_000n, "a live node keeps 100% uptime");

  section("Storage commitments and a storage challenge");
  const swarm0 = (await s.swarms.swarmMembers(0)).map((id) => nodes.find((n) => n.nodeId === id)!);
  const messages = Array.from({ length: 24 }, (_, i) => ethers.toUtf8Bytes(`encrypted message ${i} `.repeat(20 + i)));
  const tree = StorageTree.fromMessages(messages);
  const storageAddress = await s.storage.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const commitEpoch = await currentEpoch();
  for (const n of swarm0) {
    const proof = storageProofOf(tree, n.nodeId, 0, commitEpoch);
    const sig = signStorageProof(n.keys.mldsa.secretKey, chainId, storageAddress, proof, await pqProfileOf(s.storage));
    await send("storage.commit", s.storage.connect(s.others[13]).commit(proof, n.keys.mldsa.publicKey, sig));
  }
  console.log(`  swarm 0's ${swarm0.length} nodes committed root ${tree.root.slice(0, 18)}… (${tree.messageCount} messages, ${tree.usedBytes} bytes)`);
  await time.increaseTo((commitEpoch + 1) * HOUR + 60); // the epoch is final: its swarm root can be challenged
  const root = await s.storage.swarmRoot(0, commitEpoch);
  check(root.isFinal && root.agreed && root.commitments === BigInt(swarm0.length), "the swarm agreed on one root for the epoch");
  const challenged = swarm0[0];
  const leaf = messages[5];
  const hash = messageHash(leaf);
  const bond = await s.storage.challengeBond();
  const challenger = s.others[14];
  await send(
    "storage.challenge",
    s.storage.connect(challenger).challenge(challenged.nodeId, commitEpoch, hash, leaf.length, tree.proof(hash), { value: bond }),
  );
  const id = await s.storage.challengeId(challenged.nodeId, commitEpoch, hash, leaf.length);
  const answer = answerChallenge(tree, { messageHash: hash, size: leaf.length })!;
  await send("storage.respond", s.storage.connect(challenged.operator).respond(id, answer.message, answer.proof));
  check((await s.storage.creditOf(challenged.operator.address)) === bond, "the node answered with the message bytes; the challenger's bond is its operator's");
  await send("storage.withdraw", s.storage.connect(challenged.operator).withdraw());
  await printHealth(s.swarms);

  section("A session whose messages pay fees into the serving swarm's pool");
  const [alice, bob] = [s.others[6], s.others[7]];
  const salt = ethers.id("demo session");
  const participants = [alice.address, bob.address];
  const sessionId = await s.bridge.deriveSessionId(alice.address, salt, participants);
  check(sessionId.startsWith("0x07"), `session id ${sessionId.slice(0, 18)}… has the post-quantum session prefix 0x07`);
  const servingSwarm = await s.swarms.swarmForInbox(sessionId);
  const kemKeys = [mlkemKeyGen(1).publicKey, mlkemKeyGen(1).publicKey];
  const createFee = await s.bridge.quoteCreateSession();
  await send("bridge.createSession (2)", s.bridge.connect(alice)["createSession(address[],bytes[],bytes32)"](participants, kemKeys, salt, { value: createFee }));
  let feesPaid = createFee;
  for (let seq = 0; seq < 4; seq++) {
    const sender = seq % 2 === 0 ? alice : bob;
    const ciphertext = ethers.randomBytes(1024);
    const fee = await s.bridge.quoteMessage(ciphertext.length);
    await send("bridge.sendMessage (1 KiB)", s.bridge.connect(sender)["sendMessage(bytes32,uint64,bytes)"](sessionId, seq, ciphertext, { value: fee }));
    feesPaid += fee;
  }
  check((await s.bridge.pendingFees(servingSwarm)) === feesPaid, `${ethers.formatEther(feesPaid)} PARS of fees are collected for swarm ${servingSwarm}`);
  const perStakeBefore = await s.rewards.feePerStake(servingSwarm);
  await send("bridge.flushFees", s.bridge.connect(s.others[13]).flushFees(servingSwarm));
  check((await s.rewards.feePerStake(servingSwarm)) > perStakeBefore, "and paid into its pool: 80% to its nodes, 20% to the treasury");

  section("Deregistration by a BLS aggregate attestation of the active set");
  const target = nodes[14];
  const issuedAt = BigInt(await time.latest());
  const keys = new Map<bigint, BLSKeyPair>(nodes.map((n) => [n.nodeId, n.keys.bls]));
  // Everyone but the target signs (the contract subtracts the target's key itself); the silent node
  // does not sign either, and is listed as the one non-signer, with its key.
  const d = buildDeregistration({
    keys,
    nodeId: target.nodeId,
    issuedAt,
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifier: await s.attestations.getAddress(),
    absent: [silent.nodeId],
  });
  check(d.message === (await s.attestations.deregistrationMessage(target.nodeId, issuedAt)), "the message built in TypeScript is the contract's");
  await send("attestations.deregister (1 non-signer)", s.attestations.connect(s.others[11]).deregister(...d.args));
  check((await s.registry.getNode(target.nodeId)).status === BigInt(NodeStatus.Decommissioning), "the attested node is decommissioned");
  check((await s.swarms.swarmOf(target.nodeId)) === (await s.swarms.NO_SWARM()), "and left its swarm");
  await printSwarms(s.swarms);

  section("Claims");
  await time.increase(DAY);
  const op = nodes[0];
  const expected = await s.rewards.claimable(op.nodeId, op.operator.address);
  const before = await ethers.provider.getBalance(op.operator.address);
  const r = await send("rewards.claim", s.rewards.connect(op.operator).claim(op.nodeId));
  const paid = (await ethers.provider.getBalance(op.operator.address)) - before + r.gasUsed * r.gasPrice;
  check(paid >= expected && paid - expected < ethers.parseEther("1"), `node 1's operator claimed ${ethers.formatEther(paid)} PARS of emission and fees`);
  const c = shared.contributors[1];
  const cExpected = await s.rewards.claimable(shared.nodeId, c.address);
  await send("rewards.claim (contributor)", s.rewards.connect(c).claim(shared.nodeId));
  check(cExpected > 0n, `a contributor of node 14 claimed its share (${ethers.formatEther(cExpected)} PARS)`);

  section("Exit and withdrawal");
  const leaving = nodes[1];
  await send("requestExit", s.registry.connect(leaving.operator).requestExit(leaving.nodeId));
  await time.increase(30 * DAY + 1);
  const stakeBack = await ethers.provider.getBalance(leaving.operator.address);
  const w = await send("withdraw", s.registry.connect(leaving.operator).withdraw(leaving.nodeId));
  const got = (await ethers.provider.getBalance(leaving.operator.address)) - stakeBack + w.gasUsed * w.gasPrice;
  // The exit settled the epochs the node had not proven since the demo's last heartbeats.
  const exitPenalty = (REQUIREMENT * (await s.registry.getNode(leaving.nodeId)).penaltyBps) / 10_000n;
  check(
    got === REQUIREMENT - exitPenalty,
    `the exited operator withdrew its 15,000 PARS less ${ethers.formatEther(exitPenalty)} PARS for the epochs it missed before the exit`,
  );
  check((await s.registry.getNode(leaving.nodeId)).status === BigInt(NodeStatus.Retired), "the node is retired");
  await send("payTreasury", s.registry.payTreasury());
  const registryBalance = await ethers.provider.getBalance(await s.registry.getAddress());
  check(
    registryBalance === (await stakeStillHeld(s, nodes)) + (await s.registry.treasuryOwed()),
    `the registry holds exactly the stake still owed (${ethers.formatEther(registryBalance)} PARS)`,
  );
  await printHealth(s.swarms);

  return { suite: s, record: s.record, deploymentsDir: s.deploymentsDir, nodes };
}

/** Stake less penalties of every node not yet withdrawn (none of the demo's decommissioned nodes has withdrawn). */
async function stakeStillHeld(s: Deployed, nodes: DemoNode[]): Promise<bigint> {
  let held = 0n;
  for (const n of nodes) {
    const v = await s.registry.getNode(n.nodeId);
    if (v.status === BigInt(NodeStatus.Active) || v.status === BigInt(NodeStatus.Decommissioning)) {
      held += v.stake - (v.stake * v.penaltyBps) / 10_000n;
    }
  }
  return held;
}

async function printSwarms(swarms: SwarmCoordinator): Promise<void> {
  const count = Number(await swarms.swarmCount());
  for (let w = 0; w < count; w++) {
    const members = await swarms.swarmMembers(w);
    console.log(`  swarm ${w}: nodes ${members.join(", ")}`);
  }
}

async function printHealth(swarms: SwarmCoordinator): Promise<void> {
  const h = await swarms.networkHealth();
  console.log(
    `  health: ${await swarms.isHealthy() ? "healthy" : "NOT healthy"}; active ${h.activeNodes} of ${h.totalNodes} nodes, ` +
      `${h.swarmCount} swarms (min size ${h.minSwarmSize}), storage ${h.storageUsed} of ${h.storageCapacity} bytes`,
  );
}
