/**
 * Economic attacks: who profits from making a flow of value fail. Each `it` replays an attack by an
 * adversarial operator, a swarm coalition, a small network's few keys, a node racing its exit against
 * a penalty, governance at its bounds, or a relayer's front-runner, and asserts the exact outcome.
 *
 * The rules (DESIGN §12) and where the code keeps them:
 * - nobody profits from a fault they cause: the challenger's share of a storage penalty
 *   (MAX_CHALLENGER_SHARE_BPS, 20%) is below the operator's smallest share of its node's stake (25%);
 * - a storage challenge cites the node's own signed root (LeafNotCommitted otherwise), so a swarm's
 *   majority cannot frame its minority;
 * - one storage penalty per node and epoch, and every penalty counts toward one cap (PENALTY_CAP_BPS);
 * - a deregistration needs ceil(2n/3) signers, the target counted (TooManyNonSigners, TooFewSigners);
 * - an attestation issued before an exit, or a challenge opened before it, reaches the locked stake;
 * - governance floors: lock ≥ MIN_LOCK_PERIOD, staking requirement ≥ MIN_STAKING_REQUIREMENT;
 * - a relayed heartbeat batch skips a node that a front-run `penalize` took out of the active set.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys, registerActive, type NodeKeys } from "../helpers/suite";
import { HONEST, commitTree, message, nextEpoch, type StorageNode } from "../storage/helpers";
import { StorageTree, messageHash } from "../../src/storage";
import { NodeStatus, operatorMinimum } from "../../src/registry";
import { buildDeregistration } from "../../src/attestations";
import type { BLSKeyPair } from "../../src/bls";
import { act, activeKeys, adversarialNet, type AdversarialNet } from "./fixture";

const BPS = 10_000n;
const BOND = ethers.parseEther("10");
const LOCK = 30n * 24n * 3600n;
const RESPONSE_WINDOW = 3600;

/** A tree of `count` invented messages only its maker holds. */
function inventedTree(label: string, count: number): StorageTree {
  return StorageTree.fromMessages(Array.from({ length: count }, (_, i) => message(`${label} ${i}`, 100 + i)));
}

/** Opens challenges of `node` for `epoch` on the first `count` leaves of `tree`, from `challenger`. */
async function challengeLeaves(f: AdversarialNet, challenger: HardhatEthersSigner, nodeId: bigint, epoch: number, tree: StorageTree, count: number) {
  const ids: string[] = [];
  for (const [hash, size] of tree.leaves().slice(0, count)) {
    await (await f.storage.connect(challenger).challenge(nodeId, epoch, hash, size, tree.proof(hash), { value: BOND })).wait();
    ids.push(await f.storage.challengeId(nodeId, epoch, hash, size));
  }
  return ids;
}

/** A deregistration of `target` signed by every key of `keys` but `absent`, issued now. */
async function attestation(f: AdversarialNet, keys: Map<bigint, BLSKeyPair>, target: bigint, absent: bigint[] = [], issuedAt?: bigint) {
  return buildDeregistration({
    keys,
    nodeId: target,
    issuedAt: issuedAt ?? BigInt(await time.latest()),
    chainId: f.chainId,
    verifier: await f.attestations.getAddress(),
    absent,
  });
}

describe("adversarial: economic attacks", () => {
  it("an operator challenging its own node collects less than it loses; its contributor loses only the node's own faults, capped at 50%", async () => {
    const f = await loadFixture(adversarialNet);
    // The operator stakes the 25% minimum, a contributor the other 75%; the penalty is set to its 10% bound.
    await (await f.storage.connect(f.admin).setFailedChallengePenaltyBps(1_000)).wait();
    const operator = f.operators[5];
    const accomplice = f.others[6];
    const contributor = f.others[7];
    const keys = nodeKeys("self-challenger", await currentEpoch());
    const reg = await buildRegistration(f.registry, operator.address, keys);
    const own = operatorMinimum(REQUIREMENT);
    await (await f.registry.connect(operator).register(reg, { value: own })).wait();
    const nodeId = await f.registry.lastNodeId();
    await (await f.registry.connect(contributor).contribute(nodeId, { value: REQUIREMENT - own })).wait();
    const node: StorageNode = { nodeId, keys, operator };

    // Every epoch the node proves liveness and commits a junk root of its own; its operator's accomplice
    // challenges the previous epoch on ten leaves and, an epoch later, resolves them all unanswered.
    const junk = inventedTree("junk", 10);
    const suite = { storage: f.storage, swarms: f.swarms, chainId: f.chainId };
    const first = (await currentEpoch()) + 1;
    let open: string[] = [];
    let opened = 0;
    for (let r = 0; r < 8; r++) {
      const epoch = first + r;
      await time.increaseTo(epoch * 3600 + 1);
      if ((await f.registry.getNode(nodeId)).status === BigInt(NodeStatus.Active)) {
        await (await f.registry.heartbeat(nodeId, keys.chain.valueForEpoch(epoch))).wait();
        await (await commitTree(suite, node, junk, epoch)).wait();
      }
      await time.increaseTo(epoch * 3600 + 60);
      const fresh = (await f.storage.commitmentOf(nodeId, epoch - 1)).committed
        ? await challengeLeaves(f, accomplice, nodeId, epoch - 1, junk, 10)
        : [];
      opened += fresh.length;
      await time.increaseTo(epoch * 3600 + 600);
      for (const id of open) await (await f.storage.resolve(id)).wait();
      open = fresh;
    }
    await time.increase(RESPONSE_WINDOW);
    for (const id of open) await (await f.storage.resolve(id)).wait();

    // 70 unanswered challenges of 7 epochs: one penalty per epoch, and five of 10% reach the 50% cap,
    // which decommissioned the node; the two later epochs' defaults take nothing more.
    const n = await f.registry.getNode(nodeId);
    expect(opened).to.equal(70);
    expect([n.status, n.penaltyBps]).to.deep.equal([BigInt(NodeStatus.Decommissioning), 5_000n]);
    const slashed = (REQUIREMENT * 5_000n) / BPS;
    const share = ((REQUIREMENT * 1_000n) / BPS) * 2_000n / BPS; // 20% of each 1,500 PARS penalty
    expect(await f.registry.creditOf(accomplice.address)).to.equal(5n * share);
    // The accomplice's bonds all come back: it risked them, it gets them, no more.
    expect(await f.storage.creditOf(accomplice.address)).to.equal(70n * BOND);

    await time.increase(Number(LOCK));
    const opOut = await f.registry.connect(operator).withdraw.staticCall(nodeId);
    const cOut = await f.registry.connect(contributor).withdraw.staticCall(nodeId);
    expect(opOut).to.equal(own / 2n);
    expect(cOut).to.equal((REQUIREMENT - own) / 2n);
    // Operator and accomplice together: 1,500 PARS of shares against 1,875 PARS of the operator's stake.
    const gained = 5n * share;
    const lost = own - opOut;
    expect(lost - gained).to.equal(ethers.parseEther("375"));
    // The contributor lost exactly its share of the node's own penalties, and the cap holds.
    expect(REQUIREMENT - own - cOut).to.equal((slashed * (REQUIREMENT - own)) / REQUIREMENT);
  });

  it("a swarm's colluding majority cannot frame its honest minority: challenges cite the node's own root", async () => {
    const f = await loadFixture(adversarialNet);
    const epoch = await nextEpoch();
    const suite = { storage: f.storage, swarms: f.swarms, chainId: f.chainId };
    // Three colluders (honest[2], honest[3] and the hostile node) commit a root of 100 invented leaves.
    const theirs = inventedTree("colluders", 100);
    const colluders: StorageNode[] = [f.honest[2], f.honest[3], { ...f.hostile, operator: f.others[0] }];
    for (const c of colluders) await (await commitTree(suite, c, theirs, epoch)).wait();
    // The honest two commit the swarm's real store: their roots differ from the leading one and say so.
    for (const h of f.honest.slice(0, 2)) {
      await expect(commitTree(suite, h, HONEST, epoch))
        .to.emit(f.storage, "StorageRootMismatch")
        .withArgs(h.nodeId, 0, epoch, HONEST.root, f.honest[2].nodeId);
    }
    await nextEpoch();
    const root = await f.storage.swarmRoot(0, epoch);
    expect([root.agreed, root.leadCount, root.commitments]).to.deep.equal([true, 3n, 5n]);

    // The colluders' leaves are not in an honest node's own root: no challenge opens, no bond is taken.
    const before = await Promise.all(f.honest.slice(0, 2).map((h) => f.registry.getNode(h.nodeId)));
    for (const h of f.honest.slice(0, 2)) {
      const [hash, size] = theirs.leaves()[0];
      const leaf = await f.storage.storageLeaf(hash, size);
      await expect(f.storage.connect(f.others[1]).challenge(h.nodeId, epoch, hash, size, theirs.proof(hash), { value: BOND }))
        .to.be.revertedWithCustomError(f.storage, "LeafNotCommitted")
        .withArgs(h.nodeId, epoch, leaf);
    }
    const after = await Promise.all(f.honest.slice(0, 2).map((h) => f.registry.getNode(h.nodeId)));
    expect(after.map(String)).to.deep.equal(before.map(String));
    expect(after.map((n) => n.penaltyBps)).to.deep.equal([0n, 0n]);
  });

  it("a deregistration needs ceil(2n/3) signers with the target counted: one key of three deregisters nobody", async () => {
    const f = await loadFixture(adversarialNet);
    const keys = activeKeys(f);
    const [a, b, c, d] = f.honest.map((h) => h.nodeId);
    const e = f.hostile.nodeId;
    // n = 5: 4 of the 4 others must sign; 3 of 5 (one absent) is short of ceil(10/3) = 4.
    expect(await f.attestations.nonSignerLimit()).to.equal(0n);
    const short = await attestation(f, keys, e, [d]);
    await expect(f.attestations.deregister(...short.args)).to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners").withArgs(1n, 0n);
    // With every other node signing, two deregistrations bring the network to three nodes.
    for (const target of [e, d]) {
      await (await f.attestations.deregister(...(await attestation(f, keys, target)).args)).wait();
      keys.delete(target);
    }
    expect(await f.registry.activeNodes()).to.equal(3n);
    // n = 3: one key (of a, b, c) cannot deregister a second node; two can.
    const one = await attestation(f, keys, c, [b]);
    await expect(f.attestations.deregister(...one.args)).to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners").withArgs(1n, 0n);
    await (await f.attestations.deregister(...(await attestation(f, keys, c)).args)).wait();
    keys.delete(c);
    // n = 2: the only other node is one signer, short of ceil(4/3) = 2: nobody can be deregistered.
    expect(await f.attestations.nonSignerLimit()).to.equal(0n);
    await expect(f.attestations.deregister(...(await attestation(f, keys, b)).args))
      .to.be.revertedWithCustomError(f.attestations, "TooFewSigners")
      .withArgs(1n, 2n);
    expect((await f.registry.getNode(a)).status).to.equal(BigInt(NodeStatus.Active));
    expect((await f.registry.getNode(b)).status).to.equal(BigInt(NodeStatus.Active));
  });

  it("three incumbents: three keys activated in one block cannot deregister an incumbent", async () => {
    const f = await loadFixture(adversarialNet);
    const keys = activeKeys(f);
    for (const target of [f.hostile.nodeId, f.honest[3].nodeId]) {
      await (await f.attestations.deregister(...(await attestation(f, keys, target)).args)).wait();
      keys.delete(target);
    }
    expect(await f.registry.activeNodes()).to.equal(3n);
    // Three registrations (the block's cap with three incumbents) and the attestation, mined together.
    await ethers.provider.send("evm_setAutomine", [false]);
    const fresh = new Map<bigint, BLSKeyPair>();
    let next = (await f.registry.lastNodeId()) + 1n;
    const sent = [];
    let attest!: Awaited<ReturnType<typeof attestation>>;
    try {
      for (let i = 0; i < 3; i++) {
        const k: NodeKeys = nodeKeys(`newcomer ${i}`, await currentEpoch());
        const reg = await buildRegistration(f.registry, f.operators[5 + i].address, k);
        sent.push(await f.registry.connect(f.operators[5 + i]).register(reg, { value: REQUIREMENT, gasLimit: 2_000_000 }));
        fresh.set(next++, k.bls);
      }
      const issuedAt = BigInt(await time.latest()) + 1n;
      const incumbents = [...keys.keys()];
      attest = await attestation(f, new Map([...keys, ...fresh]), incumbents[0], incumbents.slice(1), issuedAt);
      sent.push(await f.attestations.connect(f.others[0]).deregister(...attest.args, { gasLimit: 3_000_000 }));
      await ethers.provider.send("evm_mine", []);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    // The block holds the three activations and the failed attestation; replayed on its state, the
    // attestation says why: n = 6 needs 4 signers, so the two other incumbents are 2 non-signers above 1.
    const receipts = await Promise.all(sent.map((t) => ethers.provider.getTransactionReceipt(t.hash)));
    expect(receipts.map((r) => [r!.status, r!.blockNumber])).to.deep.equal([1, 1, 1, 0].map((st) => [st, receipts[0]!.blockNumber]));
    await expect(f.attestations.deregister.staticCall(...attest.args)).to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners").withArgs(2n, 1n);
    expect(await f.registry.activeNodes()).to.equal(6n);
    expect((await f.registry.getNode([...keys.keys()][0])).status).to.equal(BigInt(NodeStatus.Active));
  });

  it("exiting does not escape an attestation issued before the exit: the penalty reaches the locked stake", async () => {
    const f = await loadFixture(adversarialNet);
    const keys = activeKeys(f);
    const target = f.honest[1];
    await time.increase(2 * 3600); // past the minimum exit age
    const issuedAt = BigInt(await time.latest());
    const d = await attestation(f, keys, target.nodeId, [], issuedAt);
    // The target sees the attestation coming and requests its exit first.
    await (await f.registry.connect(target.operator).requestExit(target.nodeId)).wait();
    expect(await f.registry.activeNodes()).to.equal(4n);
    // The exit settled the epochs the node missed since the fixture; the deregistration adds its 10%.
    const missed = (await f.registry.getNode(target.nodeId)).penaltyBps;
    const penalty = (REQUIREMENT * (missed + 1_000n)) / BPS - (REQUIREMENT * missed) / BPS;
    await expect(f.attestations.deregister(...d.args))
      .to.emit(f.attestations, "NodeDeregistered")
      .withArgs(target.nodeId, issuedAt, 0)
      .and.to.emit(f.registry, "NodeSlashed")
      .withArgs(target.nodeId, 1_000, penalty, ethers.ZeroAddress, 0);
    expect(await f.attestations.isDeregistered(target.nodeId)).to.equal(true);
    await time.increase(Number(LOCK));
    expect((await f.registry.getNode(target.nodeId)).penaltyBps).to.equal(missed + 1_000n);
    const out = (REQUIREMENT * (BPS - missed - 1_000n)) / BPS;
    await expect(f.registry.connect(target.operator).withdraw(target.nodeId)).to.changeEtherBalance(target.operator, out);

    // An attestation issued after a node left is refused: it is simply not active.
    const other = f.honest[2];
    await (await f.registry.connect(other.operator).requestExit(other.nodeId)).wait();
    await time.increase(5);
    const late = await attestation(f, keys, other.nodeId);
    await expect(f.attestations.deregister(...late.args)).to.be.revertedWithCustomError(f.attestations, "NodeNotActive").withArgs(other.nodeId);
  });

  it("exiting does not escape a storage challenge opened before the exit; the lock cannot be set below a day", async () => {
    const f = await loadFixture(adversarialNet);
    await expect(f.registry.connect(f.admin).setLockPeriod(0))
      .to.be.revertedWithCustomError(f.registry, "InvalidParameter")
      .withArgs(ethers.encodeBytes32String("lockPeriod"), 0);
    await expect(f.registry.connect(f.admin).setLockPeriod(86_399))
      .to.be.revertedWithCustomError(f.registry, "InvalidParameter")
      .withArgs(ethers.encodeBytes32String("lockPeriod"), 86_399);
    await (await f.registry.connect(f.admin).setLockPeriod(86_400)).wait();

    // A challenge of the hostile node's committed epoch; the node exits instead of answering.
    const [hash, size] = HONEST.leaves()[0];
    await (await f.storage.connect(f.others[1]).challenge(f.hostile.nodeId, f.commitEpoch, hash, size, HONEST.proof(hash), { value: BOND })).wait();
    const id = await f.storage.challengeId(f.hostile.nodeId, f.commitEpoch, hash, size);
    await time.increase(2 * 3600); // the response window passes, and the minimum exit age
    await (await act(f.attacker, f.registry, "requestExit", [f.hostile.nodeId])).wait();
    // The exit settled the epochs the node missed since the fixture; the default adds its 1%.
    const missed = (await f.registry.getNode(f.hostile.nodeId)).penaltyBps;
    const penalty = (REQUIREMENT * (missed + 100n)) / BPS - (REQUIREMENT * missed) / BPS;
    await expect(f.storage.resolve(id))
      .to.emit(f.registry, "NodeSlashed")
      .withArgs(f.hostile.nodeId, 100, penalty, f.others[1].address, (penalty * 2_000n) / BPS);
    await time.increase(86_400);
    const out = (REQUIREMENT * (BPS - missed - 100n)) / BPS;
    await expect(act(f.attacker, f.registry, "withdraw", [f.hostile.nodeId])).to.changeEtherBalance(f.attacker, out);
    expect(messageHash(HONEST.message(hash)!)).to.equal(hash);
  });

  it("the staking requirement cannot go below the floor the rewards accumulator is safe for", async () => {
    const f = await loadFixture(adversarialNet);
    for (const value of [1_000_000n, ethers.parseEther("1") - 1n]) {
      await expect(f.registry.connect(f.admin).setStakingRequirement(value))
        .to.be.revertedWithCustomError(f.registry, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("stakingRequirement"), value);
    }
    expect(await f.registry.MIN_STAKING_REQUIREMENT()).to.equal(ethers.parseEther("1"));
    // At the floor, a node of 1 PARS earns and claims exactly what was allocated to it.
    await (await f.registry.connect(f.admin).setStakingRequirement(ethers.parseEther("1"))).wait();
    const keys = nodeKeys("one-pars", await currentEpoch());
    const reg = await buildRegistration(f.registry, f.operators[5].address, keys);
    await (await f.registry.connect(f.operators[5]).register(reg, { value: ethers.parseEther("1") })).wait();
    const nodeId = await f.registry.lastNodeId();
    const swarm = await f.swarms.swarmOf(nodeId);
    await (await f.rewards.connect(f.others[0]).depositFees(swarm, { value: ethers.parseEther("1000000") })).wait();
    // Its share of the fees (it holds 1 PARS of the swarm's stake), plus a second of emission at most.
    const owed = await f.rewards.claimable(nodeId, f.operators[5].address);
    const swarmStake = await f.rewards.swarmStake(swarm);
    expect(owed).to.be.greaterThan(0n);
    expect(owed).to.be.at.most((ethers.parseEther("800000") * ethers.parseEther("1")) / swarmStake + 10n ** 13n);
    const before = await ethers.provider.getBalance(f.rewards);
    const receipt = await (await f.rewards.connect(f.operators[5]).claim(nodeId)).wait();
    const [event] = await f.rewards.queryFilter(f.rewards.filters.RewardsClaimed(nodeId), receipt!.blockNumber);
    const paid = event.args.amount;
    expect(paid - owed).to.be.lessThan(10n ** 13n);
    expect(before - (await ethers.provider.getBalance(f.rewards))).to.equal(paid);
  });

  it("a relayed heartbeat batch skips a node a front-run penalize took out, and accepts the rest", async () => {
    const f = await loadFixture(adversarialNet);
    await (await f.registry.connect(f.admin).setMissedEpochPenaltyBps(1_000)).wait();
    const live = f.honest.slice(0, 3);
    const lagging = f.honest[3];
    // Four epochs: the live nodes prove each one, the lagging node none (40% of missed-epoch penalties due).
    for (let i = 0; i < 5; i++) {
      const epoch = await nextEpoch();
      const batch = live.map((h) => h.nodeId);
      await (await f.registry.heartbeatBatch(batch, live.map((h) => h.keys.chain.valueForEpoch(epoch)))).wait();
    }
    const epoch = await nextEpoch();
    const ids = [...live.map((h) => h.nodeId), lagging.nodeId];
    const values = [...live, lagging].map((h) => h.keys.chain.valueForEpoch(epoch));
    // The front-runner settles the lagging node to the cap first: it leaves the active set.
    await expect(f.registry.connect(f.others[2]).penalize(lagging.nodeId)).to.emit(f.registry, "NodeDecommissioned");
    expect(await f.registry.heartbeatBatch.staticCall(ids, values)).to.equal(3n);
    await expect(f.registry.heartbeatBatch(ids, values)).to.emit(f.registry, "HeartbeatAccepted");
    for (const h of live) expect((await f.registry.getNode(h.nodeId)).lastHeartbeatEpoch).to.equal(BigInt(epoch));
    expect((await f.registry.getNode(lagging.nodeId)).status).to.equal(BigInt(NodeStatus.Decommissioning));
  });
});
