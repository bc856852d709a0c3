/**
 * A flash-stake attempt on the signing majority: in ONE transaction (so it could be funded by a flash
 * loan) the attacker contract registers fully staked nodes, which activate at once and join the BLS
 * aggregate, then submits a deregistration of an incumbent signed by the new keys alone, listing the
 * incumbents as non-signers.
 *
 * Defences in the code:
 * - ServiceNodeRegistry._activate: a block adds at most as many nodes as were active before it
 *   (max(2% of them, min(20, them), 1); ActivationLimitReached), so one block's new keys are at most
 *   half of the active set and never the two thirds an attestation needs;
 * - NetworkAttestations.deregister: at least ceil(2n/3) of the n active nodes sign, the target counted
 *   (it never signs), so at most n - 1 - ceil(2n/3) non-signers (TooManyNonSigners);
 * - the stake cannot leave in the same transaction (requestExit: ExitTooEarly before MIN_EXIT_AGE, then
 *   the lock period), so a loan cannot be repaid from it.
 * Keys count from the block they activate in; the cap is what keeps one block's keys below the
 * ceil(2n/3) signers at every network size.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys, registerActive } from "../helpers/suite";
import { buildDeregistration } from "../../src/attestations";
import type { BLSKeyPair } from "../../src/bls";
import { actBatch, activeKeys, adversarialNet, systemState, type AdversarialNet, type PlannedCall } from "./fixture";

const BLOCK_GAS = 29_000_000;

/** Most non-signers of a deregistration among `n` active nodes, the target counted: n - 1 - ceil(2n/3). */
const limitOf = (n: bigint) => n - 1n - (2n * n + 2n) / 3n;

/** `count` fully staked registrations for the attacker contract, and the ids and BLS keys they will get. */
async function flashRegistrations(f: AdversarialNet, count: number, tag: string) {
  const me = await f.attacker.getAddress();
  const first = (await f.registry.lastNodeId()) + 1n;
  const calls: PlannedCall[] = [];
  const keys = new Map<bigint, BLSKeyPair>();
  for (let i = 0; i < count; i++) {
    const k = nodeKeys(`flash ${tag} ${i}`, await currentEpoch());
    calls.push({ target: f.registry, fn: "register", args: [await buildRegistration(f.registry, me, k)], value: REQUIREMENT });
    keys.set(first + BigInt(i), k.bls);
  }
  return { calls, keys };
}

/** The deregistration of incumbent `target`, signed only by `attackerKeys`, every other incumbent listed as a non-signer. */
async function attackerAttestation(f: AdversarialNet, incumbents: Map<bigint, BLSKeyPair>, attackerKeys: Map<bigint, BLSKeyPair>, target: bigint) {
  const issuedAt = BigInt(await time.latest()) + 1n;
  await time.setNextBlockTimestamp(issuedAt);
  const d = buildDeregistration({
    keys: new Map([...incumbents, ...attackerKeys]),
    nodeId: target,
    issuedAt,
    chainId: f.chainId,
    verifier: await f.attestations.getAddress(),
    absent: [...incumbents.keys()].filter((id) => id !== target),
  });
  return { target: f.attestations, fn: "deregister", args: [...d.args] } satisfies PlannedCall;
}

describe("adversarial: flash-stake majority in one block", () => {
  it("with 12 incumbents: a 13th activation in the block is refused, the 12 allowed cannot sign for two thirds, and the stake cannot leave", async () => {
    const f = await loadFixture(adversarialNet);
    const incumbents = activeKeys(f);
    for (let i = 0; i < 7; i++) {
      const { nodeId, keys } = await registerActive(f, f.operators[5 + i], `flash incumbent ${i}`);
      incumbents.set(nodeId, keys.bls);
    }
    expect(await f.registry.activeNodes()).to.equal(12n);
    const before = await systemState(f);

    // 24 registrations and the attestation in one transaction: without the cap, 24 signers of 36 nodes
    // would be ceil(72/3) and the 11 non-signers within 36 - 1 - 24, so the incumbent would be
    // deregistered; the 13th activation is refused.
    expect(limitOf(36n)).to.equal(11n);
    const { calls, keys } = await flashRegistrations(f, 24, "majority");
    const target = f.honest[0].nodeId;
    const all = await attackerAttestation(f, incumbents, keys, target);
    await expect(actBatch(f.attacker, [...calls, all], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.registry, "ActivationLimitReached")
      .withArgs(12n);

    // The 12 the cap allows do not make ceil(2n/3) of 24 (16): 11 non-signers > 24 - 1 - 16 = 7.
    const twelve = calls.slice(0, 12);
    const attest = await attackerAttestation(f, incumbents, new Map([...keys].slice(0, 12)), target);
    await expect(actBatch(f.attacker, [...twelve, attest], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners")
      .withArgs(11n, 7n);

    // The borrowed stake cannot be returned in the same transaction: exits wait MIN_EXIT_AGE, then the lock.
    const firstId = [...keys.keys()][0];
    const exit = { target: f.registry, fn: "requestExit", args: [firstId] };
    await expect(actBatch(f.attacker, [twelve[0], exit], { gasLimit: BLOCK_GAS })).to.be.revertedWithCustomError(f.registry, "ExitTooEarly");
    expect(await systemState(f)).to.deep.equal(before);
  });

  // In a young network (5 incumbents) the floor of 20 activations per block would let 20 new keys sign
  // a deregistration with the other incumbents as non-signers in one transaction (20 of 25 nodes, at
  // least ceil(50/3) = 17); the cap at the incumbents' count refuses the sixth activation, and five new
  // keys are not ceil(2n/3) of ten.
  it("in a young network, one block's keys never make two thirds: the activations beyond the incumbents' count are refused", async () => {
    const f = await loadFixture(adversarialNet);
    const incumbents = activeKeys(f);
    const h = BigInt(incumbents.size);
    expect(await f.registry.activeNodes()).to.equal(h);
    const before = await systemState(f);
    const { calls, keys } = await flashRegistrations(f, 20, "takeover");
    const attest = await attackerAttestation(f, incumbents, keys, f.honest[0].nodeId);
    await expect(actBatch(f.attacker, [...calls, attest], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.registry, "ActivationLimitReached")
      .withArgs(h);
    expect(limitOf(h + 20n)).to.equal(7n); // 4 non-signers would have been allowed without the cap
    // As many new keys as incumbents: h - 1 non-signers exceed 2h - 1 - ceil(4h/3) (4 > 2 for h = 5).
    const allowed = Number(h);
    const few = await attackerAttestation(f, incumbents, new Map([...keys].slice(0, allowed)), f.honest[0].nodeId);
    await expect(actBatch(f.attacker, [...calls.slice(0, allowed), few], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners")
      .withArgs(h - 1n, limitOf(2n * h));
    expect(limitOf(2n * h)).to.equal(2n);
    expect(await systemState(f)).to.deep.equal(before);
  });
});
