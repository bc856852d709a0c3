/**
 * NodeDirectory: who a node is and how to reach it. Keys published and checkable against state, the
 * endpoint's shape, transport key rotation with its grace period, the owner / manager / beneficiary
 * roles (an owner that is a contract wallet included), fee changes with notice, and claims paid where
 * the claimer says.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys, type Suite } from "../helpers/suite";
import { KeyKind, operatorMinimum } from "../../src/registry";
import { mlkemKeyGen } from "../../src/pq";
import type { Reentrancy__Attacker } from "../../typechain-types";

const DAY = 24 * 3600;
const BPS = 10_000n;

/** Binary multiaddrs (multicodec varints): /ip4/203.0.113.7/udp/22025/quic-v1 and /dns4/n1.example/tcp/443/wss. */
const QUIC = "0x04cb007107" + "91025609" + "cd03";
const WSS = "0x36" + "0a" + Buffer.from("n1.example").toString("hex") + "06" + "01bb" + "de03";

async function withNodes(): Promise<Suite & { nodeId: bigint; manager: string; wallet: Reentrancy__Attacker; walletNode: bigint }> {
  const s = await deploySuite();
  const op = s.operators[0];
  const keys = nodeKeys("directory-owner", await currentEpoch());
  const reg = await buildRegistration(s.registry, op.address, keys);
  await (await s.registry.connect(op).register(reg, { value: operatorMinimum(REQUIREMENT), gasLimit: 3_000_000 })).wait();
  const nodeId = await s.registry.lastNodeId();
  await (await s.registry.connect(s.others[0]).contribute(nodeId, { value: REQUIREMENT - operatorMinimum(REQUIREMENT) })).wait();
  // A contract wallet registers a node of its own: the proofs are made for its address.
  const wallet = (await ethers.deployContract("Reentrancy__Attacker")) as unknown as Reentrancy__Attacker;
  const walletKeys = nodeKeys("directory-wallet", await currentEpoch());
  const walletReg = await buildRegistration(s.registry, await wallet.getAddress(), walletKeys);
  const data = s.registry.interface.encodeFunctionData("register", [walletReg]);
  await (await wallet.act(await s.registry.getAddress(), REQUIREMENT, data, { value: REQUIREMENT, gasLimit: 3_000_000 })).wait();
  const walletNode = await s.registry.lastNodeId();
  return { ...s, nodeId, manager: s.others[5].address, wallet, walletNode };
}

describe("NodeDirectory", () => {
  describe("keys", () => {
    it("publishes the PQ keys in full at registration, checkable against the hashes it keeps; the BLS key is in the verifier's state", async () => {
      const s = await loadFixture(deploySuite);
      const keys = nodeKeys("published", await currentEpoch());
      const reg = await buildRegistration(s.registry, s.operators[0].address, keys);
      const tx = s.registry.connect(s.operators[0]).register(reg, { value: REQUIREMENT });
      await expect(tx)
        .to.emit(s.directory, "NodeKeysPublished")
        .withArgs(1n, ethers.hexlify(keys.mldsa.publicKey), ethers.hexlify(keys.mlkem.publicKey));
      expect(await s.directory.nodeIdByMldsaKey(ethers.keccak256(keys.mldsa.publicKey))).to.equal(1n);
      const t = await s.directory.transportKeys(1n);
      expect([t.current, t.previous, t.previousValidUntil]).to.deep.equal([ethers.keccak256(keys.mlkem.publicKey), ethers.ZeroHash, 0n]);
      expect(await s.directory.isTransportKey(1n, ethers.keccak256(keys.mlkem.publicKey))).to.equal(true);
      const bls = await s.attestations.blsPublicKeyOf(1n);
      expect([bls.xIm, bls.xRe, bls.yIm, bls.yRe]).to.deep.equal([keys.bls.publicKey.xIm, keys.bls.publicKey.xRe, keys.bls.publicKey.yIm, keys.bls.publicKey.yRe]);
      // Only the registry records keys; only the deployer sets the registry, once.
      await expect(s.directory.connect(s.operators[0]).registerKeys(2n, s.operators[0].address, reg))
        .to.be.revertedWithCustomError(s.directory, "NotRegistry")
        .withArgs(s.operators[0].address);
      await expect(s.directory.connect(s.admin).setRegistry(s.operators[0].address)).to.be.revertedWithCustomError(s.directory, "RegistryAlreadySet");
      await expect(s.directory.connect(s.operators[0]).setRegistry(s.operators[0].address))
        .to.be.revertedWithCustomError(s.directory, "NotDeployer")
        .withArgs(s.operators[0].address);
    });
  });

  describe("roles", () => {
    it("the owner names a manager and a beneficiary; the manager sets the endpoint and rotates the transport key, and nothing else", async () => {
      const s = await loadFixture(withNodes);
      const [owner, manager, stranger] = [s.operators[0], s.others[5], s.others[6]];
      await expect(s.directory.connect(manager).setManager(s.nodeId, manager.address))
        .to.be.revertedWithCustomError(s.directory, "NotOwner")
        .withArgs(s.nodeId, manager.address);
      await expect(s.directory.connect(owner).setManager(s.nodeId, manager.address)).to.emit(s.directory, "ManagerSet").withArgs(s.nodeId, manager.address);
      expect(await s.directory.managerOf(s.nodeId)).to.equal(manager.address);

      await expect(s.directory.connect(manager).setEndpoint(s.nodeId, QUIC)).to.emit(s.directory, "EndpointSet").withArgs(s.nodeId, QUIC);
      expect(await s.directory.endpointOf(s.nodeId)).to.equal(QUIC);
      await expect(s.directory.connect(stranger).setEndpoint(s.nodeId, WSS))
        .to.be.revertedWithCustomError(s.directory, "NotOwnerOrManager")
        .withArgs(s.nodeId, stranger.address);

      // The manager touches no stake, exit, fee or role.
      for (const call of [
        () => s.directory.connect(manager).setOperatorFee(s.nodeId, 0),
        () => s.directory.connect(manager).setBeneficiary(s.nodeId, manager.address),
        () => s.directory.connect(manager).setManager(s.nodeId, stranger.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(s.directory, "NotOwner").withArgs(s.nodeId, manager.address);
      }
      await time.increase(2 * 3600);
      await expect(s.registry.connect(manager).requestExit(s.nodeId)).to.be.revertedWithCustomError(s.registry, "NotContributor").withArgs(s.nodeId, manager.address);
      await expect(s.registry.connect(manager).withdraw(s.nodeId)).to.be.revertedWithCustomError(s.registry, "InvalidNodeStatus");
      // Nodes that do not exist have no owner.
      await expect(s.directory.connect(owner).setManager(99n, manager.address)).to.be.revertedWithCustomError(s.directory, "NotOwner");
      // Removing the manager takes its powers away.
      await (await s.directory.connect(owner).setManager(s.nodeId, ethers.ZeroAddress)).wait();
      await expect(s.directory.connect(manager).setEndpoint(s.nodeId, WSS)).to.be.revertedWithCustomError(s.directory, "NotOwnerOrManager");
    });

    it("an owner that is a contract wallet does everything: roles, endpoint, fee, exit and withdrawal", async () => {
      const s = await loadFixture(withNodes);
      const w = s.wallet;
      const wAddr = await w.getAddress();
      const dir = await s.directory.getAddress();
      const reg = await s.registry.getAddress();
      const call = (to: string, data: string) => w.act(to, 0, data);
      await expect(call(dir, s.directory.interface.encodeFunctionData("setManager", [s.walletNode, s.manager]))).to.emit(s.directory, "ManagerSet");
      await expect(call(dir, s.directory.interface.encodeFunctionData("setBeneficiary", [s.walletNode, s.others[7].address]))).to.emit(s.directory, "BeneficiarySet");
      await expect(call(dir, s.directory.interface.encodeFunctionData("setEndpoint", [s.walletNode, WSS]))).to.emit(s.directory, "EndpointSet");
      await expect(call(dir, s.directory.interface.encodeFunctionData("setOperatorFee", [s.walletNode, 100])))
        .to.emit(s.registry, "OperatorFeeChanged")
        .withArgs(s.walletNode, 100);
      expect(await s.directory.beneficiaryOf(s.walletNode)).to.equal(s.others[7].address);
      await time.increase(2 * 3600);
      await expect(call(reg, s.registry.interface.encodeFunctionData("requestExit", [s.walletNode]))).to.emit(s.registry, "NodeDecommissioned");
      await time.increase(30 * DAY);
      // Its stake less the epochs it missed while it waited for the exit age.
      const penalty = (await s.registry.getNode(s.walletNode)).penaltyBps;
      await expect(call(reg, s.registry.interface.encodeFunctionData("withdraw", [s.walletNode]))).to.changeEtherBalance(wAddr, (REQUIREMENT * (BPS - penalty)) / BPS);
    });
  });

  describe("endpoints", () => {
    it("accepts the multiaddr shapes of the grammar, refuses every other with the failing offset, and clears with empty bytes", async () => {
      const s = await loadFixture(withNodes);
      const owner = s.operators[0];
      const ok = [
        QUIC,
        WSS,
        "0x04cb0071070601bb", // /ip4/…/tcp/443
        "0x04cb0071070601bbc003de03", // /ip4/…/tcp/443/tls/wss
        "0x29" + "20010db8000000000000000000000001" + "91025609" + "cc03", // /ip6/2001:db8::1/udp/22025/quic
        "0x3503" + Buffer.from("a-b").toString("hex") + "0601bbdd03", // /dns/a-b/tcp/443/ws
      ];
      for (const e of ok) await expect(s.directory.connect(owner).setEndpoint(s.nodeId, e)).to.emit(s.directory, "EndpointSet");
      const bad: [string, number][] = [
        ["0x05cb007107", 0], // unknown host code
        ["0x04cb00", 0], // truncated ip4
        ["0x04cb0071070601", 5], // truncated port
        ["0x04cb007107910256", 5], // udp without its whole port
        ["0x04cb00710791025609cd0300", 11], // trailing byte
        ["0x04cb0071070601bbcd03", 8], // quic-v1 after tcp
        ["0x3600", 1], // empty name
        ["0x3603" + Buffer.from("a_b").toString("hex") + "0601bb", 3], // '_' in a name
        ["0x04cb00710708", 5], // neither tcp nor udp
      ];
      for (const [e, offset] of bad) {
        await expect(s.directory.connect(owner).setEndpoint(s.nodeId, e), e).to.be.revertedWithCustomError(s.directory, "InvalidEndpoint").withArgs(offset);
      }
      const long = "0x36" + "3f" + "61".repeat(63) + "0601bb";
      await expect(s.directory.connect(owner).setEndpoint(s.nodeId, long)).to.be.revertedWithCustomError(s.directory, "EndpointTooLong").withArgs(68, 64);
      await expect(s.directory.connect(owner).setEndpoint(s.nodeId, "0x")).to.emit(s.directory, "EndpointSet").withArgs(s.nodeId, "0x");
      expect(await s.directory.endpointOf(s.nodeId)).to.equal("0x");
    });
  });

  describe("transport keys", () => {
    it("rotates through the precompile, keeps the previous key valid for a day, and refuses bad or unchanged keys", async () => {
      const s = await loadFixture(withNodes);
      const owner = s.operators[0];
      const current = (await s.directory.transportKeys(s.nodeId)).current;
      const fresh = mlkemKeyGen(1, ethers.getBytes(ethers.id("fresh transport key") + ethers.id("z").slice(2)));
      const freshHash = ethers.keccak256(fresh.publicKey);
      await expect(s.directory.connect(owner).rotateTransportKey(s.nodeId, fresh.publicKey.slice(1)))
        .to.be.revertedWithCustomError(s.registry, "InvalidKeyLength")
        .withArgs(KeyKind.MlKem, 1183, 1184);
      const tx = s.directory.connect(owner).rotateTransportKey(s.nodeId, fresh.publicKey);
      const at = BigInt(await time.latest()) + 1n;
      await expect(tx)
        .to.emit(s.directory, "TransportKeyRotated")
        .withArgs(s.nodeId, ethers.hexlify(fresh.publicKey), freshHash, current, at + BigInt(DAY));
      expect(current).to.not.equal(ethers.ZeroHash);
      const t = await s.directory.transportKeys(s.nodeId);
      expect([t.current, t.previous, t.previousValidUntil]).to.deep.equal([freshHash, current, at + BigInt(DAY)]);
      expect(await s.directory.isTransportKey(s.nodeId, current)).to.equal(true);
      expect(await s.directory.isTransportKey(s.nodeId, freshHash)).to.equal(true);
      await expect(s.directory.connect(owner).rotateTransportKey(s.nodeId, fresh.publicKey)).to.be.revertedWithCustomError(s.directory, "SameTransportKey");
      await time.increaseTo(at + BigInt(DAY));
      expect(await s.directory.isTransportKey(s.nodeId, current)).to.equal(false);
      expect(await s.directory.isTransportKey(s.nodeId, freshHash)).to.equal(true);
      expect(await s.directory.isTransportKey(s.nodeId, ethers.ZeroHash)).to.equal(false);
      // A key the precompile refuses (all 0xff: coefficients out of range).
      const invalid = new Uint8Array(1184).fill(0xff);
      await expect(s.directory.connect(owner).rotateTransportKey(s.nodeId, invalid)).to.be.revertedWithCustomError(s.registry, "InvalidMlkemKey");
    });
  });

  describe("fees and income", () => {
    it("a decrease applies at once, an increase after 30 days' notice; income up to a change is settled at the old fee", async () => {
      const s = await loadFixture(withNodes);
      const [owner, contributor] = [s.operators[0], s.others[0]];
      const swarm = await s.swarms.swarmOf(s.nodeId);
      const deposit = async (v: bigint) => (await s.rewards.connect(s.others[9]).depositFees(swarm, { value: v })).wait();
      const share = async () => s.rewards.claimable(s.nodeId, contributor.address);
      await deposit(ethers.parseEther("100"));
      const before = await share();
      // 500 bps → 100 bps: at once, and what was earned stays at 500.
      await expect(s.directory.connect(owner).setOperatorFee(s.nodeId, 100))
        .to.emit(s.directory, "FeeChangeScheduled")
        .and.to.emit(s.registry, "OperatorFeeChanged")
        .withArgs(s.nodeId, 100);
      expect(await share()).to.equal(before);
      expect((await s.registry.nodeTerms(s.nodeId)).operatorFeeBps).to.equal(100n);
      // 100 → 2,000 bps: scheduled, refused before its time, applied by anyone after it.
      const tx = s.directory.connect(owner).setOperatorFee(s.nodeId, 2_000);
      const effectiveAt = BigInt(await time.latest()) + 1n + 30n * BigInt(DAY);
      await expect(tx).to.emit(s.directory, "FeeChangeScheduled").withArgs(s.nodeId, 2_000, effectiveAt);
      await expect(s.directory.applyFeeChange(s.nodeId)).to.be.revertedWithCustomError(s.directory, "FeeChangeNotDue").withArgs(s.nodeId, effectiveAt);
      expect((await s.registry.nodeTerms(s.nodeId)).operatorFeeBps).to.equal(100n);
      await time.increaseTo(effectiveAt);
      await deposit(ethers.parseEther("100"));
      const mid = await share();
      await expect(s.directory.connect(s.others[8]).applyFeeChange(s.nodeId)).to.emit(s.registry, "OperatorFeeChanged").withArgs(s.nodeId, 2_000);
      expect(await share()).to.equal(mid);
      await expect(s.directory.applyFeeChange(s.nodeId)).to.be.revertedWithCustomError(s.directory, "NoFeeChange").withArgs(s.nodeId);
      await expect(s.directory.connect(owner).setOperatorFee(s.nodeId, 10_001)).to.be.revertedWithCustomError(s.directory, "InvalidOperatorFee").withArgs(10_001);
      // The income deposited after the change pays the contributor 80% of its share, not 99%.
      await deposit(ethers.parseEther("100"));
      const gained = (await share()) - mid;
      const swarmStake = await s.rewards.swarmStake(swarm);
      const income = (ethers.parseEther("80") * REQUIREMENT) / swarmStake;
      const expected = ((income * (BPS - 2_000n)) / BPS) * (REQUIREMENT - operatorMinimum(REQUIREMENT)) / REQUIREMENT;
      expect(gained).to.be.closeTo(expected, 10n);
    });

    it("an increase needs an active node: announced before activation it would bind contributors who cannot leave in time", async () => {
      const s = await loadFixture(withNodes);
      const op = s.operators[1];
      const reg = await buildRegistration(s.registry, op.address, nodeKeys("directory-partial", await currentEpoch()));
      await (await s.registry.connect(op).register(reg, { value: operatorMinimum(REQUIREMENT) })).wait();
      const partial = await s.registry.lastNodeId();
      await expect(s.directory.connect(op).setOperatorFee(partial, 2_000))
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeStatus")
        .withArgs(partial, 1); // AwaitingContributions
      await expect(s.directory.connect(op).setOperatorFee(partial, 100)).to.emit(s.registry, "OperatorFeeChanged").withArgs(partial, 100);
      // Node 0 has no key: no signature passes for it, whatever key signed.
      const keys = nodeKeys("directory-owner", 0);
      await expect(s.directory.checkNodeSignature(0n, keys.mldsa.publicKey, ethers.ZeroHash, new Uint8Array(3309)))
        .to.be.revertedWithCustomError(s.registry, "InvalidNodeSignature")
        .withArgs(0n);
    });

    it("payOperator pays the operator's income to its beneficiary, anyone calling; claims and credits go where the claimer says", async () => {
      const s = await loadFixture(withNodes);
      const [owner, contributor, beneficiary, keeper] = [s.operators[0], s.others[0], s.others[7], s.others[8]];
      await (await s.rewards.connect(s.others[9]).depositFees(await s.swarms.swarmOf(s.nodeId), { value: ethers.parseEther("100") })).wait();
      await (await s.directory.connect(owner).setBeneficiary(s.nodeId, beneficiary.address)).wait();
      const owed = await s.rewards.claimable(s.nodeId, owner.address);
      expect(owed).to.be.greaterThan(0n);
      await expect(s.rewards.connect(keeper).payOperator(s.nodeId)).to.changeEtherBalances([beneficiary, owner, keeper], [owed, 0n, 0n]);
      await expect(s.rewards.connect(keeper).payOperator(s.nodeId)).to.be.revertedWithCustomError(s.rewards, "NothingToClaim").withArgs(s.nodeId, owner.address);
      const mine = await s.rewards.claimable(s.nodeId, contributor.address);
      await expect(s.rewards.connect(contributor).claimTo(s.nodeId, keeper.address)).to.changeEtherBalances([keeper, contributor], [mine, 0n]);
      await expect(s.rewards.connect(contributor).claimTo(s.nodeId, ethers.ZeroAddress)).to.be.revertedWithCustomError(s.rewards, "ZeroAddress");
      // A slash credit, claimed to another address.
      await (await s.registry.connect(s.slasher).slash(s.nodeId, 100, keeper.address, 10_000)).wait();
      const credit = await s.registry.creditOf(keeper.address);
      await expect(s.registry.connect(keeper).claimCreditTo(ethers.ZeroAddress)).to.be.revertedWithCustomError(s.registry, "ZeroAddress");
      await expect(s.registry.connect(keeper).claimCreditTo(beneficiary.address)).to.changeEtherBalance(beneficiary, credit);
      // Without a beneficiary, the owner is paid.
      await (await s.directory.connect(owner).setBeneficiary(s.nodeId, ethers.ZeroAddress)).wait();
      expect(await s.directory.beneficiaryOf(s.nodeId)).to.equal(owner.address);
    });
  });
});
