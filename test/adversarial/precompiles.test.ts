/**
 * Precompile failure modes are never counted as success. Defence: PQPrecompiles (contracts/precompiles/
 * PQPrecompiles.sol) forwards capped gas, copies back one word, and accepts an ML-DSA answer only if the
 * call succeeded with exactly 32 bytes equal to ABI `true`, and an ML-KEM answer only if it succeeded
 * with a well-formed (bytes, bytes) head.
 *
 * Two routes: (1) the second deployment, whose registry and storage contract call FaultyPQPrecompile__Mock
 * stand-ins, put through every fault on the production contracts' own calls (registration, anchor
 * rotation, storage commitment), each after a control showing the same call succeeds with the honest
 * answer; (2) the main deployment at the real precompile address, with the test host's EDR call-override
 * handler replaced by a misbehaving one for the duration of a test.
 */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../helpers/suite";
import { usePrecompiles } from "../helpers/precompiles";
import { HONEST, signedCommitment } from "../storage/helpers";
import { findEdrWrapper } from "../../src/precompiles/install";
import type { CallOverrideResult } from "../../src/precompiles/host";
import { Fault, adversarialNet, rotationSignature, systemState, type AdversarialNet } from "./fixture";

const TX = { gasLimit: 5_000_000 };
const ABI_TRUE = ethers.AbiCoder.defaultAbiCoder().encode(["bool"], [true]);

/** The three ML-DSA-checked calls of the second deployment, correctly signed for it, and one ML-KEM-checked. */
async function twinCalls(f: AdversarialNet) {
  // The twin's nodes registered in this epoch; an anchor is rotated at most once an epoch.
  await time.increase(3600);
  const epoch = await currentEpoch();
  const node = f.honest[0];
  const op = f.others[7];
  const reg = await buildRegistration(f.twin.registry, op.address, nodeKeys("precompile faults", epoch));
  const anchor = ethers.id("fault anchor");
  const rotationSig = rotationSignature(node.keys, f.chainId, await f.twin.registry.getAddress(), node.nodeId, anchor, epoch);
  const c = await signedCommitment({ storage: f.twinStorage, swarms: f.swarms, chainId: f.chainId }, node, HONEST, epoch);
  return {
    register: () => f.twin.registry.connect(op).register(reg, { value: REQUIREMENT, ...TX }),
    registerStatic: () => f.twin.registry.connect(op).register.staticCall(reg, { value: REQUIREMENT, ...TX }),
    rotate: () => f.twin.registry.rotateHeartbeatAnchor(node.nodeId, anchor, node.keys.mldsa.publicKey, rotationSig, TX),
    rotateStatic: () => f.twin.registry.rotateHeartbeatAnchor.staticCall(node.nodeId, anchor, node.keys.mldsa.publicKey, rotationSig, TX),
    commit: () => f.twinStorage.commit(c.proof, c.publicKey, c.signature, TX),
    commitStatic: () => f.twinStorage.commit.staticCall(c.proof, c.publicKey, c.signature, TX),
    nodeId: node.nodeId,
  };
}

const DSA_FAULTS = [
  Fault.Revert,
  Fault.RevertWithAnswer,
  Fault.Empty,
  Fault.Truncated,
  Fault.Padded,
  Fault.Huge,
  Fault.WordTwo,
  Fault.HighByteTrue,
  Fault.False,
  Fault.OutOfGas,
];
const KEM_FAULTS = [Fault.Revert, Fault.RevertWithAnswer, Fault.Empty, Fault.WordTwo, Fault.HighByteTrue, Fault.False, Fault.OutOfGas];

describe("adversarial: precompile failure modes never count as success", () => {
  it("ML-DSA: revert, revert carrying `true`, empty, short, long, huge, non-boolean, misplaced true, false, out of gas", async () => {
    const f = await loadFixture(adversarialNet);
    const calls = await twinCalls(f);
    // Control: with the honest answer every call goes through.
    await calls.registerStatic();
    await calls.rotateStatic();
    await calls.commitStatic();
    const before = await systemState(f);
    for (const fault of DSA_FAULTS) {
      await (await f.faultyDsa.mock__setMode(fault)).wait();
      const name = Fault[fault];
      await expect(calls.register(), name).to.be.revertedWithCustomError(f.twin.registry, "InvalidMldsaProof");
      await expect(calls.rotate(), name).to.be.revertedWithCustomError(f.twin.registry, "InvalidNodeSignature").withArgs(calls.nodeId);
      await expect(calls.commit(), name).to.be.revertedWithCustomError(f.twinStorage, "InvalidSignature").withArgs(calls.nodeId);
    }
    expect(await systemState(f)).to.deep.equal(before);
  });

  it("ML-KEM: revert, revert carrying the answer, empty, a single word, false, out of gas", async () => {
    const f = await loadFixture(adversarialNet);
    const calls = await twinCalls(f);
    await calls.registerStatic();
    const before = await systemState(f);
    for (const fault of KEM_FAULTS) {
      await (await f.faultyKem.mock__setMode(fault)).wait();
      await expect(calls.register(), Fault[fault]).to.be.revertedWithCustomError(f.twin.registry, "InvalidMlkemKey");
    }
    expect(await systemState(f)).to.deep.equal(before);
  });

  // PQPrecompiles.mlkemValidate takes an answer only when it is exactly as long as its heads and lengths
  // declare (a non-empty ciphertext, a 32-byte secret): an answer cut short by a byte is refused.
  it("ML-KEM: an answer shorter than its own encoding declares is not counted as success", async () => {
    const f = await loadFixture(adversarialNet);
    const calls = await twinCalls(f);
    await (await f.faultyKem.mock__setMode(Fault.Truncated)).wait();
    await expect(calls.register()).to.be.revertedWithCustomError(f.twin.registry, "InvalidMlkemKey");
  });

  it("at the real precompile address (the production wiring): a misbehaving host handler is never taken for a valid proof", async () => {
    const f = await loadFixture(adversarialNet);
    const pc = await usePrecompiles();
    const wrapper = findEdrWrapper(hre.network.provider)!;
    expect(wrapper, "EDR call-override hook").not.to.equal(undefined);
    const mldsa = pc.addresses.mldsa.slice(2).toLowerCase();
    const op = f.others[8];
    const reg = await buildRegistration(f.registry, op.address, nodeKeys("hooked faults", await currentEpoch()));
    await f.registry.connect(op).register.staticCall(reg, { value: REQUIREMENT });
    const before = await systemState(f);

    const distortions: [string, (honest: CallOverrideResult) => CallOverrideResult][] = [
      ["revert carrying ABI true", () => ({ result: Buffer.from(ethers.getBytes(ABI_TRUE)), shouldRevert: true })],
      ["true and a trailing word", (h) => ({ result: Buffer.concat([h.result, Buffer.alloc(32)]), shouldRevert: false })],
      ["31 bytes of true", (h) => ({ result: h.result.subarray(0, 31), shouldRevert: false })],
      ["the word 2", () => ({ result: Buffer.from(ethers.getBytes(ethers.toBeHex(2, 32))), shouldRevert: false })],
      ["empty success", () => ({ result: Buffer.alloc(0), shouldRevert: false })],
    ];
    try {
      for (const [name, distort] of distortions) {
        await wrapper._setCallOverrideCallback(async (address: Buffer, data: Buffer) => {
          const honest = await pc.host.callback(address, data);
          return honest && address.toString("hex") === mldsa ? distort(honest) : honest;
        });
        await expect(f.registry.connect(op).register(reg, { value: REQUIREMENT, ...TX }), name).to.be.revertedWithCustomError(f.registry, "InvalidMldsaProof");
      }
    } finally {
      await wrapper._setCallOverrideCallback(pc.host.callback);
    }
    expect(await systemState(f)).to.deep.equal(before);
    await expect(f.registry.connect(op).register(reg, { value: REQUIREMENT })).to.emit(f.registry, "NodeActivated");
  });
});
