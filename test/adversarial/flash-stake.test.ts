/**
 * A flash-stake attempt on the signing majority: in ONE transaction (so it could be funded by a flash
 * loan) the attacker contract registers fully staked nodes, which activate at once and join the BLS
 * aggregate, then submits a deregistration of an incumbent signed by the new keys alone, listing the
 * incumbents as non-signers.
 *
 * Defences in the code:
 * - ServiceNodeRegistry._activate: at most max(ACTIVATION_CAP_MIN = 20, 2% of active) activations per
 *   block (ActivationLimitReached);
 * - NetworkAttestations._verify: non-signers at most a third of the active set (TooManyNonSigners), so
 *   signing needs two thirds of the active keys;
 * - the stake cannot leave in the same transaction (requestExit: ExitTooEarly before MIN_EXIT_AGE, then
 *   the lock period), so a loan cannot be repaid from it.
 * There is no activation delay or key-set snapshot: keys count from the block they activate in. Below
 * 12 incumbents one block's 20 activations are a two-thirds majority (see the FINDING below).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys, registerActive } from "../helpers/suite";
import { buildDeregistration } from "../../src/attestations";
import type { BLSKeyPair } from "../../src/bls";
import { actBatch, activeKeys, adversarialNet, systemState, type AdversarialNet, type PlannedCall } from "./fixture";

const BLOCK_GAS = 29_000_000;

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
  it("with 12 incumbents: a 21st activation in the block is refused, the 20 allowed cannot sign for two thirds, and the stake cannot leave", async () => {
    const f = await loadFixture(adversarialNet);
    const incumbents = activeKeys(f);
    for (let i = 0; i < 7; i++) {
      const { nodeId, keys } = await registerActive(f, f.operators[5 + i], `flash incumbent ${i}`);
      incumbents.set(nodeId, keys.bls);
    }
    expect(await f.registry.activeNodes()).to.equal(12n);
    const before = await systemState(f);

    // 23 registrations and the attestation in one transaction: without the cap, 11 non-signers would be
    // within (12 + 23) / 3 and the incumbent would be deregistered; the 21st activation is refused.
    const { calls, keys } = await flashRegistrations(f, 23, "majority");
    const target = f.honest[0].nodeId;
    const all = await attackerAttestation(f, incumbents, keys, target);
    await expect(actBatch(f.attacker, [...calls, all], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.registry, "ActivationLimitReached")
      .withArgs(20n);

    // The 20 the cap allows do not sign for two thirds: 11 non-signers > (12 + 20) / 3.
    const twenty = calls.slice(0, 20);
    const attest = await attackerAttestation(f, incumbents, new Map([...keys].slice(0, 20)), target);
    await expect(actBatch(f.attacker, [...twenty, attest], { gasLimit: BLOCK_GAS }))
      .to.be.revertedWithCustomError(f.attestations, "TooManyNonSigners")
      .withArgs(11n, 10n);

    // The borrowed stake cannot be returned in the same transaction: exits wait MIN_EXIT_AGE, then the lock.
    const firstId = [...keys.keys()][0];
    const exit = { target: f.registry, fn: "requestExit", args: [firstId] };
    await expect(actBatch(f.attacker, [twenty[0], exit], { gasLimit: BLOCK_GAS })).to.be.revertedWithCustomError(f.registry, "ExitTooEarly");
    expect(await systemState(f)).to.deep.equal(before);
  });

  // FINDING (not fixed here: contracts/ is out of scope for this suite). Keys count toward an
  // attestation from the block they activate in, and ACTIVATION_CAP_MIN lets 20 nodes activate in one
  // block whatever the size of the network. With h incumbents, 20 new keys sign a deregistration with
  // the other h - 1 incumbents as non-signers whenever h - 1 <= (h + 20) / 3, i.e. h <= 11: in a young
  // network (or a testnet) 300,000 PARS take over the signing majority in one transaction and can
  // deregister (decommission and slash 10% of) honest nodes at once. The stake stays locked (no flash
  // loan can be repaid from it), so this is a capital-bounded takeover, not a free one. Fix options:
  // count a key only from the epoch after its activation (keep a per-epoch snapshot of the aggregate, or
  // reject attestations while the aggregate has changed in the current epoch), or cap activations per
  // epoch relative to the active set with a small floor.
  it.skip("FINDING: keys activated in the same transaction do not count toward a deregistration, whatever the network size", async () => {
    const f = await loadFixture(adversarialNet);
    const incumbents = activeKeys(f);
    const { calls, keys } = await flashRegistrations(f, 20, "takeover");
    const attest = await attackerAttestation(f, incumbents, keys, f.honest[0].nodeId);
    await expect(actBatch(f.attacker, [...calls, attest], { gasLimit: BLOCK_GAS })).to.be.reverted;
  });
});
