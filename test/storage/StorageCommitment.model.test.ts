import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { SwarmTallyModel, rootPrefix, SWARM_QUORUM } from "../../src/storage";
import { HONEST, fiveNodes, nextEpoch, signedCommitment } from "./helpers";
import { propertyRuns } from "../helpers/coverage";

/**
 * Model-based test of the swarm tally: random orders of commitments of five nodes of one swarm, each
 * with one of six roots (two of them share a prefix with others, see ROOTS),
 * go through the contract, with real ML-DSA-65 signatures, and through SwarmTallyModel; after every
 * commitment the `swarmRoot` view and the mismatch event must match the model, and the invariants hold.
 */
describe("StorageCommitment swarm tally against the reference model", () => {
  const base = [1, 2, 3, 4].map((i) => ethers.id(`root ${i}`));
  const ROOTS = [
    ...base,
    // Same first 24 bytes as root 1: the contract keeps 192 bits, so the two are one root.
    ethers.concat([ethers.dataSlice(base[0], 0, 24), "0x0102030405060708"]),
    // Same first 9 bytes (the lead tag) as root 2 only: one root while root 2 leads, another otherwise.
    ethers.concat([ethers.dataSlice(base[1], 0, 9), ethers.dataSlice(ethers.id("other"), 0, 23)]),
  ];

  it("random commitment sequences: same views and events as the model; never a false swarm root", async () => {
    let checked = 0;
    const epochArb = fc.record({
      order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 1 }),
      picks: fc.array(fc.integer({ min: 0, max: ROOTS.length - 1 }), { minLength: 5, maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(epochArb, { minLength: 1, maxLength: 2 }), async (epochs) => {
        const s = await loadFixture(fiveNodes);
        const event = s.storage.interface.getEvent("StorageRootMismatch");
        for (const { order, picks } of epochs) {
          const epoch = await nextEpoch();
          const model = new SwarmTallyModel();
          const truth = new Map<string, number>();
          const forged = order.some((i) => picks[i] === ROOTS.length - 1);
          for (const i of order) {
            const node = s.nodes[i];
            const root = ROOTS[picks[i]];
            const expectedLead = model.commit(node.nodeId, root);
            const c = await signedCommitment(s, node, HONEST, epoch, { merkleRoot: root });
            const receipt = await (await s.storage.commit(c.proof, c.publicKey, c.signature)).wait();
            const mismatches = receipt!.logs
              .filter((l) => l.topics[0] === event.topicHash)
              .map((l) => s.storage.interface.parseLog(l)!.args);
            if (expectedLead === 0n) expect(mismatches).to.have.length(0);
            else {
              expect(mismatches).to.have.length(1);
              expect(mismatches[0].leadNodeId).to.equal(expectedLead);
              expect(mismatches[0].merkleRoot).to.equal(root);
            }

            const prefix = rootPrefix(root);
            truth.set(prefix, (truth.get(prefix) ?? 0) + 1);
            const view = await s.storage.swarmRoot(0, epoch);
            const want = model.view();
            expect({
              rootPrefix: view.rootPrefix,
              leadNodeId: view.leadNodeId,
              leadCount: Number(view.leadCount),
              commitments: Number(view.commitments),
              agreed: view.agreed,
            }).to.deep.equal(want);

            // Counts never exceed the truth, so a swarm root always has a real quorum and majority
            // (unless a root was forged to carry the leading root's tag, which the last of ROOTS is).
            if (forged) continue;
            const real = truth.get(view.rootPrefix) ?? 0;
            expect(Number(view.leadCount)).to.be.at.most(real);
            if (view.agreed) {
              expect(real).to.be.at.least(SWARM_QUORUM);
              expect(2 * real).to.be.above(Number(view.commitments));
            }
            // With at most three distinct roots the tally is exact.
            if (truth.size <= 3) expect(Number(view.leadCount)).to.equal(Math.max(...truth.values()));
          }
          checked += order.length;
        }
      }),
      { numRuns: propertyRuns(30) },
    );
    console.log(`      (${checked} commitments checked)`);
    expect(checked).to.be.greaterThan(propertyRuns(30) / 2);
  });
});
