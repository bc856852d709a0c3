import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

/**
 * The commitment and tally word types alone (contracts/storage/StorageWords.sol), against models
 * written from their layout tables.
 */
const U32 = (1n << 32n) - 1n;
const runs = { numRuns: 30 };

/** A tally as fields, and its word per the layout table. */
interface TallyModel {
  epoch: bigint;
  commitments: bigint;
  tag: bigint;
  leaders: bigint[];
  counts: bigint[];
}
const encode = (m: TallyModel) =>
  m.epoch |
  (m.commitments << 32n) |
  (m.tag << 40n) |
  m.leaders.reduce(
    (w, l, i) =>
      w |
      (l << (112n + 48n * BigInt(i))) |
      (m.counts[i] << (152n + 48n * BigInt(i))),
    0n,
  );
const lead = (counts: bigint[]) => {
  const [c0, c1, c2] = counts;
  if (c0 >= c1 && c0 >= c2) return c0 === 0n ? 3n : 0n;
  return c1 >= c2 ? 1n : 2n;
};
const tally = fc.record({
  epoch: fc.bigInt({ min: 1n, max: U32 }),
  commitments: fc.bigInt({ min: 0n, max: 255n }),
  tag: fc.bigInt({ min: 0n, max: (1n << 72n) - 1n }),
  leaders: fc.array(fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }), {
    minLength: 3,
    maxLength: 3,
  }),
  counts: fc.array(fc.bigInt({ min: 0n, max: 255n }), {
    minLength: 3,
    maxLength: 3,
  }),
});

describe("CommitmentWord and Tally (the types alone)", function () {
  async function deploy() {
    return ethers.deployContract("StorageWords__Harness");
  }

  it("keeps a commitment's epoch, swarm and root bits where the layout says", async function () {
    const h = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: U32 }),
        fc.bigInt({ min: 0n, max: U32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        async (e, swarm, root) => {
          const r = ethers.hexlify(root);
          const bits = BigInt(r) >> 64n;
          const w = await h.make(e, swarm, r);
          expect(w).to.equal(e | (swarm << 32n) | (bits << 64n));
          const c = await h.commitment(w, e);
          expect([
            c.epoch,
            c.isOf,
            c.swarmId,
            c.rootBits,
            c.rootPrefix,
          ]).to.deep.equal([e, e !== 0n, swarm, bits, r.slice(0, 50)]);
          expect((await h.commitment(w, (e + 1n) & U32)).isOf).to.equal(false);
        },
      ),
      runs,
    );
  });

  it("reads every tally field and the lead (ties to the lower group, none when all counts are zero)", async function () {
    const h = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(tally, async (m) => {
        const t = await h.tally(encode(m));
        expect([t.epoch, t.commitments, t.lead]).to.deep.equal([
          m.epoch,
          m.commitments,
          lead(m.counts),
        ]);
        expect([...t.leaders]).to.deep.equal(m.leaders);
        expect([...t.counts]).to.deep.equal(m.counts);
        expect(await h.leadTagIs(encode(m), m.tag)).to.equal(true);
        expect(await h.leadTagIs(encode(m), m.tag ^ 1n)).to.equal(false);
      }),
      runs,
    );
  });

  it("updates one field at a time: counting, joining, founding, the Misra–Gries step and the tag", async function () {
    const h = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(
        tally,
        fc.nat(2),
        fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
        async (m, i, node) => {
          const w = encode(m);
          const c = m.commitments === 255n ? 255n : m.commitments + 1n;
          expect(await h.counting(w, m.epoch)).to.equal(
            encode({ ...m, commitments: c }),
          );
          const other = m.epoch === U32 ? 1n : m.epoch + 1n;
          expect(await h.counting(w, other)).to.equal(other | (1n << 32n));
          const counts = [...m.counts];
          counts[i] = counts[i] === 255n ? 255n : counts[i] + 1n;
          expect(await h.joined(w, i)).to.equal(encode({ ...m, counts }));
          const leaders = [...m.leaders];
          leaders[i] = node;
          const founded = [...m.counts];
          founded[i] = 1n;
          expect(await h.founded(w, i, node)).to.equal(
            encode({ ...m, leaders, counts: founded }),
          );
          if (m.counts.every((x) => x > 0n)) {
            expect(await h.decremented(w)).to.equal(
              encode({ ...m, counts: m.counts.map((x) => x - 1n) }),
            );
          }
          const tag = (m.tag * 3n + 1n) & ((1n << 72n) - 1n);
          expect(await h.withLeadTag(w, tag)).to.equal(encode({ ...m, tag }));
          expect(await h.tagOf((m.tag << 120n) | 12345n)).to.equal(m.tag);
        },
      ),
      runs,
    );
  });
});
