import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { Interface } from "ethers";
import { installParsPrecompiles } from "../../src/precompiles/install";
import { PRECOMPILES } from "../../src/networks";
import {
  FEED_MAX_PRICE,
  LXFEED_ABI,
  LXFeedError,
  LXFeedModel,
  MAX_OBSERVATIONS,
  lxFeed,
  pairId,
  twapOf,
} from "../../src/dex";
import type { ILXFeed, LXFeed__Mock } from "../../typechain-types";
import { decodeRevert, evmRevert, evmSnapshot, expectEqual, norm, readMany, type Named } from "../helpers/dex";

const ONE = 10n ** 18n;
const PAIR = pairId("PARS/USDC");
const OTHER = pairId("WETH/USDC");

async function feedFixture() {
  await installParsPrecompiles(hre);
  const feed = (await ethers.getContractAt("ILXFeed", PRECOMPILES.lxFeed)) as unknown as ILXFeed;
  const mock = (await ethers.getContractAt("LXFeed__Mock", PRECOMPILES.lxFeed)) as unknown as LXFeed__Mock;
  return { feed, mock };
}

/** Sends `mock__setPrice` in a block with timestamp exactly `at`. */
async function setPriceAt(mock: LXFeed__Mock, at: bigint, price: bigint, confidence = 90) {
  await time.setNextBlockTimestamp(at);
  return mock.mock__setPrice(PAIR, price, confidence);
}

describe("LXFeed precompile mock", function () {
  describe("installation", function () {
    it("is installed at the LXFeed address and keeps MAX_OBSERVATIONS per pair", async function () {
      const { feed } = await loadFixture(feedFixture);
      expect(await ethers.provider.getCode(PRECOMPILES.lxFeed)).to.not.equal("0x");
      expect(await feed.MAX_OBSERVATIONS()).to.equal(BigInt(MAX_OBSERVATIONS));
    });

    it("the human-readable ABI in src/dex matches ILXFeed exactly", async function () {
      const artifact = await hre.artifacts.readArtifact("ILXFeed");
      const fromArtifact = new Interface(artifact.abi).format().slice().sort();
      const fromSrc = new Interface(LXFEED_ABI as unknown as string[]).format().slice().sort();
      expect(fromSrc).to.deep.equal(fromArtifact);
    });

    it("lxFeed() gives a working handle at the precompile address", async function () {
      const { mock } = await loadFixture(feedFixture);
      await mock.mock__setPrice(PAIR, 3n * ONE, 77);
      const handle = lxFeed(ethers.provider);
      const [price, , confidence] = await handle.getPrice(PAIR);
      expect([price, confidence]).to.deep.equal([3n * ONE, 77n]);
    });
  });

  describe("mock__setPrice and getPrice", function () {
    it("a pair without updates has no price, no TWAP and no observations", async function () {
      const { feed } = await loadFixture(feedFixture);
      await expect(feed.getPrice(PAIR)).to.be.revertedWithCustomError(feed, "NoPrice").withArgs(PAIR);
      await expect(feed.getTWAP(PAIR, 60n)).to.be.revertedWithCustomError(feed, "NoPrice").withArgs(PAIR);
      expect(await feed.observationCount(PAIR)).to.equal(0n);
      await expect(feed.getObservation(PAIR, 0n))
        .to.be.revertedWithCustomError(feed, "ObservationOutOfRange")
        .withArgs(PAIR, 0n, 0n);
    });

    it("stores the price at the block timestamp with its confidence and emits PriceUpdate", async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      const at = BigInt(await time.latest()) + 100n;
      await expect(setPriceAt(mock, at, 2_500_000_000_000_000_000n, 95))
        .to.emit(feed, "PriceUpdate")
        .withArgs(PAIR, 2_500_000_000_000_000_000n, at);
      expect(await feed.getPrice(PAIR)).to.deep.equal([2_500_000_000_000_000_000n, at, 95n]);
      expect(await feed.observationCount(PAIR)).to.equal(1n);
      expect(await feed.getObservation(PAIR, 0n)).to.deep.equal([2_500_000_000_000_000_000n, at, 95n]);
      // Pairs are independent.
      await expect(feed.getPrice(OTHER)).to.be.revertedWithCustomError(feed, "NoPrice").withArgs(OTHER);
      // Confidence 0 and 100 and the highest price are accepted.
      await mock.mock__setPrice(OTHER, FEED_MAX_PRICE, 0);
      await mock.mock__setPrice(OTHER, 1n, 100);
      expect((await feed.getPrice(OTHER))[0]).to.equal(1n);
    });

    it("rejects a zero or too high price and a confidence above 100, changing nothing", async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      await mock.mock__setPrice(PAIR, ONE, 50);
      const before = await feed.getPrice(PAIR);
      await expect(mock.mock__setPrice(PAIR, 0n, 50))
        .to.be.revertedWithCustomError(mock, "InvalidPrice")
        .withArgs(0n);
      await expect(mock.mock__setPrice(PAIR, FEED_MAX_PRICE + 1n, 50))
        .to.be.revertedWithCustomError(mock, "InvalidPrice")
        .withArgs(FEED_MAX_PRICE + 1n);
      await expect(mock.mock__setPrice(PAIR, ONE, 101))
        .to.be.revertedWithCustomError(mock, "InvalidConfidence")
        .withArgs(101);
      expect(await feed.getPrice(PAIR)).to.deep.equal(before);
      expect(await feed.observationCount(PAIR)).to.equal(1n);
    });

    it("a second update in the same second replaces the first", async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      await mock.mock__setPrice(PAIR, ONE, 50);
      const at = BigInt(await time.latest()) + 5n;
      await hre.network.provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        await mock.mock__setPrice(PAIR, 2n * ONE, 60, { gasLimit: 200_000 });
        await mock.mock__setPrice(PAIR, 3n * ONE, 70, { gasLimit: 200_000 });
        await hre.network.provider.request({ method: "evm_mine", params: [Number(at)] });
      } finally {
        await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      expect(await feed.observationCount(PAIR)).to.equal(2n);
      expect(await feed.getPrice(PAIR)).to.deep.equal([3n * ONE, at, 70n]);
    });

    it(`keeps the newest ${MAX_OBSERVATIONS} observations, newest first`, async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      const t0 = BigInt(await time.latest()) + 10n;
      const updates = MAX_OBSERVATIONS + 3;
      for (let i = 0; i < updates; i++) await setPriceAt(mock, t0 + 10n * BigInt(i), BigInt(i + 1) * ONE);
      expect(await feed.observationCount(PAIR)).to.equal(BigInt(MAX_OBSERVATIONS));
      expect((await feed.getObservation(PAIR, 0n)).price).to.equal(BigInt(updates) * ONE);
      const oldest = await feed.getObservation(PAIR, BigInt(MAX_OBSERVATIONS - 1));
      expect([oldest.price, oldest.timestamp]).to.deep.equal([4n * ONE, t0 + 30n]);
      await expect(feed.getObservation(PAIR, BigInt(MAX_OBSERVATIONS)))
        .to.be.revertedWithCustomError(feed, "ObservationOutOfRange")
        .withArgs(PAIR, MAX_OBSERVATIONS, MAX_OBSERVATIONS);
      // A window reaching past the stored history averages the covered part only: prices 4..35, 10 s each,
      // the newest one for 0 s.
      const now = t0 + 10n * BigInt(updates - 1);
      let weighted = 0n;
      for (let p = 4n; p < BigInt(updates); p++) weighted += p * ONE * 10n;
      expect(await feed.getTWAP(PAIR, 10_000n)).to.equal(weighted / (now - (t0 + 30n)));
    });
  });

  describe("getTWAP", function () {
    it("weights each price by the seconds it held in the window, rounded down", async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      const t0 = BigInt(await time.latest()) + 10n;
      await setPriceAt(mock, t0, 100n);
      await setPriceAt(mock, t0 + 10n, 200n);
      await setPriceAt(mock, t0 + 40n, 50n);
      await time.increaseTo(t0 + 50n); // views run at the latest block's timestamp
      expect(await feed.getTWAP(PAIR, 50n)).to.equal((100n * 10n + 200n * 30n + 50n * 10n) / 50n); // 150
      expect(await feed.getTWAP(PAIR, 20n)).to.equal((200n * 10n + 50n * 10n) / 20n); // 125
      expect(await feed.getTWAP(PAIR, 5n)).to.equal(50n);
      expect(await feed.getTWAP(PAIR, 45n)).to.equal(155n); // 7000 / 45 = 155.5...
      // Longer than the history: the average over [t0, now].
      expect(await feed.getTWAP(PAIR, 1000n)).to.equal(150n);
      expect(await feed.getTWAP(PAIR, 2n ** 255n)).to.equal(150n);
      await expect(feed.getTWAP(PAIR, 0n)).to.be.revertedWithCustomError(feed, "InvalidPeriod").withArgs(0n);
    });

    it("is the latest price when the only observation is from the current second", async function () {
      const { feed, mock } = await loadFixture(feedFixture);
      await mock.mock__setPrice(PAIR, 7n * ONE, 90);
      expect(await feed.getTWAP(PAIR, 60n)).to.equal(7n * ONE);
      await time.increase(30);
      expect(await feed.getTWAP(PAIR, 60n)).to.equal(7n * ONE);
    });

    it("twapOf (for dApps keeping their own history) matches the worked example", function () {
      const obs = [
        { price: 100n, timestamp: 1000n, confidence: 90 },
        { price: 200n, timestamp: 1010n, confidence: 90 },
        { price: 50n, timestamp: 1040n, confidence: 90 },
      ];
      expect(twapOf(obs, 1050n, 50n)).to.equal(150n);
      expect(twapOf(obs, 1050n, 45n)).to.equal(155n);
      expect(twapOf(obs, 1040n, 1n)).to.equal(200n);
      expect(twapOf(obs.slice(2), 1040n, 10n)).to.equal(50n);
    });
  });
});

// ------------------------------------------------------------------------------------------ property

type FeedStep =
  | { kind: "set"; gap: number; price: bigint; confidence: number }
  | { kind: "double"; gap: number; first: bigint; second: bigint }
  | { kind: "wait"; gap: number };

const priceArb = fc.oneof(
  { weight: 20, arbitrary: fc.bigInt(1n, 10n ** 24n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, FEED_MAX_PRICE, FEED_MAX_PRICE + 1n) },
);
const stepArb: fc.Arbitrary<FeedStep> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      gap: fc.integer({ min: 1, max: 60 }),
      price: priceArb,
      confidence: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: 0, max: 100 }) },
        { weight: 1, arbitrary: fc.integer({ min: 101, max: 255 }) },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("double" as const),
      gap: fc.integer({ min: 1, max: 60 }),
      first: fc.bigInt(1n, 10n ** 24n),
      second: fc.bigInt(1n, 10n ** 24n),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), gap: fc.integer({ min: 1, max: 300 }) }) },
);
const periodsArb = fc.array(fc.oneof(fc.bigInt(1n, 120n), fc.bigInt(1n, 3_000n), fc.constantFrom(0n, 1n, 10n ** 12n)), {
  minLength: 1,
  maxLength: 3,
});

describe("LXFeed mock against the TypeScript model (property)", function () {
  it("agrees on prices, observations and TWAPs over random price/time sequences", async function () {
    const { mock } = await loadFixture(feedFixture);
    const iface = mock.interface as unknown as Interface;
    const started = Date.now();
    let snapshot = await evmSnapshot();
    let steps = 0;
    let twaps = 0;
    let wrapped = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(stepArb, periodsArb), { minLength: 1, maxLength: 45, size: "max" }),
        async (sequence) => {
          await evmRevert(snapshot);
          snapshot = await evmSnapshot();
          const model = new LXFeedModel();
          let now = BigInt(await time.latest());
          for (const [step, periods] of sequence) {
            now += BigInt(step.gap);
            if (step.kind === "wait") {
              await time.increaseTo(now);
            } else if (step.kind === "double") {
              await hre.network.provider.request({ method: "evm_setAutomine", params: [false] });
              try {
                await mock.mock__setPrice(PAIR, step.first, 10, { gasLimit: 200_000 });
                await mock.mock__setPrice(PAIR, step.second, 20, { gasLimit: 200_000 });
                await hre.network.provider.request({ method: "evm_mine", params: [Number(now)] });
              } finally {
                await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
              }
              model.setPrice(PAIR, step.first, 10, now);
              model.setPrice(PAIR, step.second, 20, now);
            } else {
              let expected: { ok: true; event: unknown[] } | { ok: false; error: Named };
              try {
                const e = model.setPrice(PAIR, step.price, step.confidence, now);
                expected = { ok: true, event: norm([e.pair, e.price, e.timestamp]) as unknown[] };
              } catch (e) {
                if (!(e instanceof LXFeedError)) throw e;
                expected = { ok: false, error: { name: e.errorName, args: norm(e.args) as unknown[] } };
              }
              if (expected.ok) {
                await time.setNextBlockTimestamp(now);
                const receipt = await (
                  await mock.mock__setPrice(PAIR, step.price, step.confidence, { gasLimit: 200_000 })
                ).wait();
                const log = iface.parseLog(receipt!.logs[0])!;
                expectEqual(norm(log.args.toArray()), expected.event, "PriceUpdate");
              } else {
                let error: Named | undefined;
                try {
                  await mock.mock__setPrice.staticCall(PAIR, step.price, step.confidence);
                } catch (e) {
                  error = decodeRevert(iface, e);
                }
                expectEqual(error, expected.error, "setPrice error");
                now -= BigInt(step.gap); // no block was mined
              }
            }
            steps++;

            // Views run at the latest block's timestamp, which is `now`.
            const count = model.observationCount(PAIR);
            const calls: [string, unknown[]][] = [["observationCount", [PAIR]]];
            const expected: unknown[] = [[BigInt(count)]];
            if (count > 0) {
              const latest = model.getPrice(PAIR);
              const oldest = model.getObservation(PAIR, count - 1);
              calls.push(["getPrice", [PAIR]], ["getObservation", [PAIR, count - 1]]);
              expected.push(
                [latest.price, latest.timestamp, latest.confidence],
                [[oldest.price, oldest.timestamp, oldest.confidence]],
              );
              for (const period of periods.filter((p) => p > 0n)) {
                calls.push(["getTWAP", [PAIR, period]]);
                expected.push([model.getTWAP(PAIR, period, now)]);
                twaps++;
              }
            }
            expectEqual(await readMany(iface, PRECOMPILES.lxFeed, calls), norm(expected));
          }
          if (model.observationCount(PAIR) === MAX_OBSERVATIONS) wrapped++;
          // Errors of the views agree too.
          for (const [fn, args, modelCall] of [
            ["getTWAP", [PAIR, 0n], () => model.getTWAP(PAIR, 0n, now)],
            ["getTWAP", [OTHER, 5n], () => model.getTWAP(OTHER, 5n, now)],
            ["getObservation", [PAIR, MAX_OBSERVATIONS], () => model.getObservation(PAIR, MAX_OBSERVATIONS)],
          ] as [string, unknown[], () => unknown][]) {
            let expectedError: Named | undefined;
            try {
              modelCall();
            } catch (e) {
              if (!(e instanceof LXFeedError)) throw e;
              expectedError = { name: e.errorName, args: norm(e.args) as unknown[] };
            }
            let actualError: Named | undefined;
            try {
              await (mock as unknown as import("ethers").Contract).getFunction(fn).staticCall(...args);
            } catch (e) {
              actualError = decodeRevert(iface, e);
            }
            expectEqual(actualError, expectedError, `${fn} error`);
          }
        },
      ),
      {
        numRuns: 40,
        // Always one sequence that overwrites the ring buffer, besides the random ones.
        examples: [
          [
            Array.from({ length: MAX_OBSERVATIONS + 8 }, (_, i): [FeedStep, bigint[]] => [
              { kind: "set", gap: 7 + (i % 5), price: BigInt(i + 1) * 10n ** 17n, confidence: i % 101 },
              [60n, 250n, 10n ** 12n],
            ]),
          ],
        ],
      },
    );
    await evmRevert(snapshot);
    expect(wrapped, "sequences that filled the ring buffer").to.be.greaterThan(0);
    console.log(
      `      ${steps} steps, ${twaps} TWAPs compared (${wrapped} sequences filled the ring) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
