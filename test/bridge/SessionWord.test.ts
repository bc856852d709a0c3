import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  FINGERPRINT_BITS,
  ZERO_HEAD,
  nextMessageHead,
} from "../../src/sessions";

/**
 * The session and message word types alone (contracts/bridge/SessionWord.sol), against a model written
 * from the layout table: every field lands on its bits, reads back, and the updates touch nothing else.
 */
const U40 = (1n << 40n) - 1n;
const FP = (1n << BigInt(FINGERPRINT_BITS)) - 1n;
const FIRST = 1n << 42n;
const SECOND = 1n << 43n;
const CLOSED = 1n << 40n;
const CHANNEL = 1n << 41n;

const modelPair = (e: bigint, a: bigint, b: bigint, ka: boolean, kb: boolean) =>
  e | (a << 48n) | (b << 152n) | (ka ? 0n : FIRST) | (kb ? 0n : SECOND);
const modelChannel = (e: bigint, n: number, pending: number, number: bigint) =>
  e | CHANNEL | (BigInt(n) << 48n) | (BigInt(pending) << 56n) | (number << 64n);

const expiry = fc.bigInt({ min: 1n, max: U40 });
const fingerprint = fc.bigInt({ min: 0n, max: FP });
const runs = { numRuns: 40 };

describe("SessionWord and MessageWord (the types alone)", function () {
  async function deploy() {
    return ethers.deployContract("SessionWord__Harness");
  }

  it("names the two sides by their pending bits", async function () {
    const h = await loadFixture(deploy);
    expect(await h.sides()).to.deep.equal([FIRST, SECOND]);
  });

  it("lays out a two-party session as the table says and reads every field back", async function () {
    const h = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(
        expiry,
        fingerprint,
        fingerprint,
        fingerprint,
        fc.boolean(),
        fc.boolean(),
        async (e, a, b, o, ka, kb) => {
          fc.pre(a !== b && o !== a && o !== b);
          const w = await h.pair(e, a, b, ka, kb);
          expect(w).to.equal(modelPair(e, a, b, ka, kb));
          const f = await h.fields(w);
          expect(f.isEmpty).to.equal(false);
          expect(f.expiresAt).to.equal(e);
          expect(f.isClosed).to.equal(false);
          expect(f.isChannel).to.equal(false);
          expect(f.participantCount).to.equal(2n);
          expect(f.pendingKeys).to.equal(BigInt((ka ? 0 : 1) + (kb ? 0 : 1)));
          expect(f.hasPending).to.equal(!ka || !kb);
          expect(f.channelNumber).to.equal(0n);
          expect(await h.sideOf(w, a)).to.equal(FIRST);
          expect(await h.sideOf(w, b)).to.equal(SECOND);
          expect(await h.sideOf(w, o)).to.equal(0n);
          expect(await h.isPending(w, FIRST)).to.equal(!ka);
          expect(await h.isPending(w, SECOND)).to.equal(!kb);
        },
      ),
      runs,
    );
  });

  it("gives a key on one side without touching the other, and closes without touching anything", async function () {
    const h = await loadFixture(deploy);
    await fc.assert(
      fc.asyncProperty(
        expiry,
        fingerprint,
        fingerprint,
        fc.boolean(),
        async (e, a, b, firstSide) => {
          fc.pre(a !== b);
          const w = await h.pair(e, a, b, false, false);
          const side = firstSide ? FIRST : SECOND;
          const keyed = await h.withKeyGiven(w, side);
          expect(keyed).to.equal(w & ~side);
          expect(await h.isPending(keyed, side)).to.equal(false);
          expect(await h.isPending(keyed, firstSide ? SECOND : FIRST)).to.equal(
            true,
          );
          expect((await h.fields(keyed)).pendingKeys).to.equal(1n);
          const both = await h.withKeyGiven(keyed, firstSide ? SECOND : FIRST);
          expect((await h.fields(both)).hasPending).to.equal(false);
          const closed = await h.closed(both);
          expect(closed).to.equal(both | CLOSED);
          const f = await h.fields(closed);
          expect([f.isClosed, f.expiresAt, f.isChannel]).to.deep.equal([
            true,
            e,
            false,
          ]);
          expect([
            await h.sideOf(closed, a),
            await h.sideOf(closed, b),
          ]).to.deep.equal([FIRST, SECOND]);
        },
      ),
      runs,
    );
  });

  it("lays out a channel as the table says; a key given lowers its pending count by one", async function () {
    const h = await loadFixture(deploy);
    const n = fc.integer({ min: 3, max: 100 });
    await fc.assert(
      fc.asyncProperty(
        expiry,
        n,
        fc.nat(100),
        fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
        async (e, count, p, num) => {
          const pending = p % (count + 1);
          const w = await h.channel(e, count, pending, num);
          expect(w).to.equal(modelChannel(e, count, pending, num));
          const f = await h.fields(w);
          expect([
            f.isEmpty,
            f.expiresAt,
            f.isClosed,
            f.isChannel,
          ]).to.deep.equal([false, e, false, true]);
          expect([
            f.participantCount,
            f.pendingKeys,
            f.hasPending,
            f.channelNumber,
          ]).to.deep.equal([BigInt(count), BigInt(pending), pending > 0, num]);
          if (pending > 0) {
            const after = await h.fields(await h.withKeyGiven(w, 0n));
            expect([
              after.pendingKeys,
              after.participantCount,
              after.channelNumber,
              after.expiresAt,
            ]).to.deep.equal([BigInt(pending - 1), BigInt(count), num, e]);
          }
          const c = await h.fields(await h.closed(w));
          expect([c.isClosed, c.channelNumber, c.pendingKeys]).to.deep.equal([
            true,
            num,
            BigInt(pending),
          ]);
        },
      ),
      runs,
    );
  });

  it("reads the zero word as no session", async function () {
    const h = await loadFixture(deploy);
    const f = await h.fields(0n);
    expect([f.isEmpty, f.expiresAt, f.hasPending]).to.deep.equal([
      true,
      0n,
      false,
    ]);
  });

  it("chains message heads as the package does and counts messages in the low 32 bits", async function () {
    const h = await loadFixture(deploy);
    let word = 0n;
    let head = ZERO_HEAD;
    for (let i = 1; i <= 5; i++) {
      const id = ethers.keccak256(ethers.toUtf8Bytes(`message ${i}`));
      word = await h.nextMessage(word, id);
      head = nextMessageHead(head, id);
      const [count, onChainHead] = await h.message(word);
      expect(count).to.equal(BigInt(i));
      expect(onChainHead).to.equal(head);
      expect(word & 0xffffffffn).to.equal(BigInt(i));
    }
  });
});
