import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { clearSnapshots, loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import fc from "fast-check";
import { Interface, getAddress, keccak256, toUtf8Bytes, type Contract, type ContractTransactionResponse } from "ethers";
import { installParsPrecompiles } from "../../src/precompiles/install";
import { PRECOMPILES } from "../../src/networks";
import {
  LXBOOK_ABI,
  LXBookError,
  LXBookModel,
  MAX_AMOUNT,
  MAX_FILLS_PER_CALL,
  MAX_PRICE,
  MAX_PRICE_LEVELS,
  OrderStatus,
  Side,
  encodeSide,
  lxBook,
  pairId,
  parsePrice,
  scaledPrice,
  withSlippage,
} from "../../src/dex";
import type { ILXBook, LXBook__Mock } from "../../typechain-types";
import {
  decodeLogs,
  decodeRevert,
  evmRevert,
  evmSnapshot,
  expectEqual,
  norm,
  normNamed,
  readMany,
  type Named,
} from "../helpers/dex";

const ONE = 10n ** 18n;
const PARS = getAddress("0x" + "a1".repeat(20));
const USDC = getAddress("0x" + "c2".repeat(20));
const WETH = getAddress("0x" + "e3".repeat(20));
const ASSETS = [PARS, USDC, WETH];
const PAIR = pairId("PARS/USDC");
const PAIR2 = pairId("WETH/USDC");
const UNLISTED = pairId("DOGE/USDC");
const FUNDS = 10n ** 24n;
const BUY = Side.Buy;
const SELL = Side.Sell;

async function bookFixture() {
  await installParsPrecompiles(hre);
  const [admin, alice, bob, carol] = await ethers.getSigners();
  const book = (await ethers.getContractAt("ILXBook", PRECOMPILES.lxBook)) as unknown as ILXBook;
  const mock = (await ethers.getContractAt("LXBook__Mock", PRECOMPILES.lxBook)) as unknown as LXBook__Mock;
  await mock.mock__listPair(PAIR, PARS, USDC);
  await mock.mock__listPair(PAIR2, WETH, USDC);
  // alice and bob are funded; carol has nothing.
  for (const who of [alice, bob]) for (const asset of ASSETS) await mock.mock__credit(who.address, asset, FUNDS);
  return { book, mock, admin, alice, bob, carol };
}

/** Everything observable about the book for the accounts and assets of these tests. */
async function observe(book: ILXBook, accounts: HardhatEthersSigner[]) {
  const calls: [string, unknown[]][] = [["lastOrderId", []]];
  for (const a of accounts) for (const asset of ASSETS) calls.push(["balanceOf", [a.address, asset]]);
  for (const asset of ASSETS) calls.push(["accruedFees", [asset]]);
  for (const pair of [PAIR, PAIR2]) {
    calls.push(["getBBO", [pair]], ["getDepth", [pair, BUY]], ["getDepth", [pair, SELL]]);
  }
  return readMany(book.interface as unknown as Interface, PRECOMPILES.lxBook, calls);
}

async function orderOf(book: ILXBook, id: bigint) {
  const o = await book.getOrder(id);
  return {
    pair: o.pair,
    owner: o.owner,
    side: Number(o.side),
    status: Number(o.status),
    price: o.price,
    amount: o.amount,
    remaining: o.remaining,
  };
}

/** The id the next `placeOrder` will get. */
async function nextId(book: ILXBook): Promise<bigint> {
  return (await book.lastOrderId()) + 1n;
}

describe("LXBook precompile mock", function () {
  describe("installation and constants", function () {
    it("is installed at the LXBook address with the PIP-0008 fee schedule and documented limits", async function () {
      const { book } = await loadFixture(bookFixture);
      expect(await ethers.provider.getCode(PRECOMPILES.lxBook)).to.not.equal("0x");
      expect(await book.MAKER_FEE_BPS()).to.equal(1n);
      expect(await book.TAKER_FEE_BPS()).to.equal(5n);
      expect(await book.MAX_FILLS_PER_CALL()).to.equal(BigInt(MAX_FILLS_PER_CALL));
      expect(await book.MAX_PRICE_LEVELS()).to.equal(BigInt(MAX_PRICE_LEVELS));
      expect(await book.MAX_PRICE()).to.equal(MAX_PRICE);
      expect(await book.MAX_AMOUNT()).to.equal(MAX_AMOUNT);
      expect(await book.lastOrderId()).to.equal(0n);
    });

    it("the human-readable ABI in src/dex matches ILXBook exactly", async function () {
      const artifact = await hre.artifacts.readArtifact("ILXBook");
      const fromArtifact = new Interface(artifact.abi).format().slice().sort();
      const fromSrc = new Interface(LXBOOK_ABI as unknown as string[]).format().slice().sort();
      expect(fromSrc).to.deep.equal(fromArtifact);
    });

    it("lxBook() gives a working handle at the precompile address", async function () {
      const { alice } = await loadFixture(bookFixture);
      const handle = lxBook(alice);
      expect(await handle.getAddress()).to.equal(PRECOMPILES.lxBook);
      expect(await handle.getPair(PAIR)).to.deep.equal([PARS, USDC]);
      expect(await handle.balanceOf(alice.address, PARS)).to.equal(FUNDS);
    });
  });

  describe("dApp helpers", function () {
    it("derive pair ids, sides, prices and slippage bounds", function () {
      expect(pairId("PARS/USDC")).to.equal(keccak256(toUtf8Bytes("PARS/USDC")));
      expect(pairId("PARS", "USDC")).to.equal(PAIR);
      expect(() => pairId("PARSUSDC")).to.throw(/BASE\/QUOTE/);
      expect(encodeSide("buy")).to.equal(0);
      expect(encodeSide("sell")).to.equal(1);
      expect(encodeSide(1)).to.equal(1);
      expect(() => encodeSide(2)).to.throw(/side/);
      expect(parsePrice("1.25")).to.equal(1_250_000_000_000_000_000n);
      // 2.5 USDC (6 decimals) per PARS (18 decimals): 2.5e6 units per 1e18 units, scaled by 1e18.
      expect(scaledPrice("2.5", 18, 6)).to.equal(2_500_000n);
      expect(withSlippage(10_000n, 50n)).to.equal(9_950n);
      expect(withSlippage(999n, 50n)).to.equal(994n);
    });
  });

  describe("mock control", function () {
    it("mock__listPair lists a pair once, with two different assets", async function () {
      const { book, mock } = await loadFixture(bookFixture);
      await expect(book.getPair(UNLISTED)).to.be.revertedWithCustomError(book, "PairNotListed").withArgs(UNLISTED);
      await expect(mock.mock__listPair(UNLISTED, WETH, PARS))
        .to.emit(mock, "PairListed")
        .withArgs(UNLISTED, WETH, PARS);
      expect(await book.getPair(UNLISTED)).to.deep.equal([WETH, PARS]);
      await expect(mock.mock__listPair(PAIR, WETH, PARS))
        .to.be.revertedWithCustomError(mock, "PairAlreadyListed")
        .withArgs(PAIR);
      const other = pairId("A/A");
      await expect(mock.mock__listPair(other, USDC, USDC))
        .to.be.revertedWithCustomError(mock, "IdenticalAssets")
        .withArgs(USDC);
      await expect(book.getPair(other)).to.be.revertedWithCustomError(book, "PairNotListed").withArgs(other);
    });

    it("mock__credit and mock__debit move available balances and reject bad amounts", async function () {
      const { book, mock, carol } = await loadFixture(bookFixture);
      await expect(mock.mock__credit(carol.address, USDC, 500n))
        .to.emit(mock, "Credited")
        .withArgs(carol.address, USDC, 500n);
      expect(await book.balanceOf(carol.address, USDC)).to.equal(500n);
      await expect(mock.mock__debit(carol.address, USDC, 200n))
        .to.emit(mock, "Debited")
        .withArgs(carol.address, USDC, 200n);
      expect(await book.balanceOf(carol.address, USDC)).to.equal(300n);
      await expect(mock.mock__debit(carol.address, USDC, 301n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, USDC, 300n, 301n);
      await expect(mock.mock__credit(carol.address, USDC, 0n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(0n);
      await expect(mock.mock__credit(carol.address, USDC, MAX_AMOUNT + 1n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(MAX_AMOUNT + 1n);
      await expect(mock.mock__debit(carol.address, USDC, 0n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(0n);
      expect(await book.balanceOf(carol.address, USDC)).to.equal(300n);
    });
  });

  describe("placeOrder: resting orders and locks", function () {
    it("a resting buy locks ceil(amount * price / 1e18) quote and shows in BBO, depth and getOrder", async function () {
      const { book, alice } = await loadFixture(bookFixture);
      const price = 1_500_000_000_000_000_001n; // 1000 base cost 1500.000000000000001 quote: lock 1501
      await expect(book.connect(alice).placeOrder(PAIR, BUY, price, 1000n))
        .to.emit(book, "OrderPlaced")
        .withArgs(1n, PAIR, alice.address, BUY, price, 1000n);
      expect(await book.lastOrderId()).to.equal(1n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 1501n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS);
      expect(await book.getBBO(PAIR)).to.deep.equal([price, 1000n, 0n, 0n]);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([[price], [1000n]]);
      expect(await orderOf(book, 1n)).to.deep.equal({
        pair: PAIR,
        owner: alice.address,
        side: BUY,
        status: OrderStatus.Open,
        price,
        amount: 1000n,
        remaining: 1000n,
      });
      // The other pair is untouched.
      expect(await book.getBBO(PAIR2)).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("a resting sell locks its base amount", async function () {
      const { book, bob } = await loadFixture(bookFixture);
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 700n);
      expect(await book.balanceOf(bob.address, PARS)).to.equal(FUNDS - 700n);
      expect(await book.balanceOf(bob.address, USDC)).to.equal(FUNDS);
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, 2n * ONE, 700n]);
    });

    it("keeps each side sorted best first, with sizes summed per price", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      for (const p of [5n, 3n, 4n, 7n, 1n, 4n]) await book.connect(alice).placeOrder(PAIR, BUY, p * ONE, 10n * p);
      for (const p of [15n, 13n, 14n, 13n]) await book.connect(bob).placeOrder(PAIR, SELL, p * ONE, 100n);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([
        [7n * ONE, 5n * ONE, 4n * ONE, 3n * ONE, 1n * ONE],
        [70n, 50n, 80n, 30n, 10n],
      ]);
      expect(await book.getDepth(PAIR, SELL)).to.deep.equal([
        [13n * ONE, 14n * ONE, 15n * ONE],
        [200n, 100n, 100n],
      ]);
      expect(await book.getBBO(PAIR)).to.deep.equal([7n * ONE, 70n, 13n * ONE, 200n]);
    });

    it("rejects bad input with named errors and changes nothing", async function () {
      const { book, alice, bob, carol } = await loadFixture(bookFixture);
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 50n);
      const before = await observe(book, [alice, bob, carol]);
      const a = book.connect(alice);
      await expect(a.placeOrder(UNLISTED, BUY, ONE, 1n))
        .to.be.revertedWithCustomError(book, "PairNotListed")
        .withArgs(UNLISTED);
      await expect(a.placeOrder(PAIR, 2, ONE, 1n))
        .to.be.revertedWithCustomError(book, "InvalidSide")
        .withArgs(2);
      await expect(a.placeOrder(PAIR, 255, ONE, 1n))
        .to.be.revertedWithCustomError(book, "InvalidSide")
        .withArgs(255);
      await expect(a.placeOrder(PAIR, BUY, 0n, 1n))
        .to.be.revertedWithCustomError(book, "InvalidPrice")
        .withArgs(0n);
      await expect(a.placeOrder(PAIR, BUY, MAX_PRICE + 1n, 1n))
        .to.be.revertedWithCustomError(book, "InvalidPrice")
        .withArgs(MAX_PRICE + 1n);
      await expect(a.placeOrder(PAIR, BUY, ONE, 0n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(0n);
      await expect(a.placeOrder(PAIR, SELL, ONE, MAX_AMOUNT + 1n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(MAX_AMOUNT + 1n);
      // carol has no funds: a resting buy needs its lock, a sell its base.
      await expect(book.connect(carol).placeOrder(PAIR, BUY, 1_500_000_000_000_000_001n, 10n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, USDC, 0n, 16n);
      await expect(book.connect(carol).placeOrder(PAIR, SELL, 3n * ONE, 10n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, PARS, 0n, 10n);
      // A crossing buy needs the fills' quote (rounded up) plus the remainder's lock: 50 * 2 + ceil(5 * 2.5).
      await expect(book.connect(carol).placeOrder(PAIR, BUY, 2_500_000_000_000_000_000n, 55n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, USDC, 0n, 50n * 2n + 13n);
      expect(await observe(book, [alice, bob, carol])).to.deep.equal(before);
    });
  });

  describe("placeOrder: matching", function () {
    it("a crossing buy fills at the maker's price; taker pays 0.05% in base, maker 0.01% in quote, to the wei", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      const ask = 1_500_000_000_000_000_001n;
      await book.connect(bob).placeOrder(PAIR, SELL, ask, 1000n); // order 1
      // 600 base at the ask cost 900.0000000000000006 quote: the buyer pays 901, the seller is credited 900.
      await expect(book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE, 600n))
        .to.emit(book, "OrderFilled")
        .withArgs(1n, 2n, alice.address, ask, 600n, 900n, 1n, 1n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 901n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 600n - 1n); // taker fee ceil(0.3) = 1
      expect(await book.balanceOf(bob.address, USDC)).to.equal(FUNDS + 900n - 1n); // maker fee ceil(0.09) = 1
      expect(await book.balanceOf(bob.address, PARS)).to.equal(FUNDS - 1000n);
      expect(await book.accruedFees(PARS)).to.equal(1n);
      expect(await book.accruedFees(USDC)).to.equal(1n + 1n); // maker fee + the rounding difference
      expect((await orderOf(book, 1n)).remaining).to.equal(400n);
      expect(await orderOf(book, 2n)).to.include({ status: OrderStatus.Filled, remaining: 0n });
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, ask, 400n]);
    });

    it("fees on larger fills are exactly 1 and 5 basis points, rounded up", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      await book.connect(bob).placeOrder(PAIR, SELL, 3n * ONE, 1_000_001n);
      await book.connect(alice).placeOrder(PAIR, BUY, 3n * ONE, 1_000_001n);
      // taker: ceil(1_000_001 * 5 / 10_000) = 501 base; maker: ceil(3_000_003 / 10_000) = 301 quote.
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 1_000_001n - 501n);
      expect(await book.balanceOf(bob.address, USDC)).to.equal(FUNDS + 3_000_003n - 301n);
      expect(await book.accruedFees(PARS)).to.equal(501n);
      expect(await book.accruedFees(USDC)).to.equal(301n);
    });

    it("a crossing sell is paid from the resting buy's lock, which adds up to exactly the lock", async function () {
      const { book, mock, alice, bob, carol } = await loadFixture(bookFixture);
      const price = ONE + 1n;
      await book.connect(alice).placeOrder(PAIR, BUY, price, 2_000_000n); // lock ceil(2_000_000.000000000002) = 2_000_001
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 2_000_001n);
      await mock.mock__credit(carol.address, PARS, 500_000n);

      // bob sells 1.5M: credited floor(1_500_000.0000000000015) = 1_500_000 less 750; the lock drops to 500_001.
      await expect(book.connect(bob).placeOrder(PAIR, SELL, ONE, 1_500_000n))
        .to.emit(book, "OrderFilled")
        .withArgs(1n, 2n, bob.address, price, 1_500_000n, 1_500_000n, 150n, 750n);
      expect(await book.balanceOf(bob.address, USDC)).to.equal(FUNDS + 1_500_000n - 750n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 1_500_000n - 150n);
      expect(await book.accruedFees(USDC)).to.equal(750n);

      // carol sells the last 500k: credited 500_000 less 250, but the lock releases 500_001; 1 wei accrues.
      await expect(book.connect(carol).placeOrder(PAIR, SELL, ONE, 500_000n))
        .to.emit(book, "OrderFilled")
        .withArgs(1n, 3n, carol.address, price, 500_000n, 500_000n, 50n, 250n);
      expect(await book.balanceOf(carol.address, USDC)).to.equal(499_750n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 2_000_000n - 200n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 2_000_001n);
      expect(await book.accruedFees(USDC)).to.equal(750n + 250n + 1n);
      expect(await book.accruedFees(PARS)).to.equal(200n);
      expect(await orderOf(book, 1n)).to.include({ status: OrderStatus.Filled, remaining: 0n });
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("matches best price first, then oldest first, and rests the remainder at its limit", async function () {
      const { book, alice, bob, carol, mock } = await loadFixture(bookFixture);
      await mock.mock__credit(carol.address, PARS, 1000n);
      await book.connect(bob).placeOrder(PAIR, SELL, 3n * ONE, 100n); // 1: worse price, oldest
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 100n); // 2: best price, older
      await book.connect(carol).placeOrder(PAIR, SELL, 2n * ONE, 100n); // 3: best price, younger
      const tx = book.connect(alice).placeOrder(PAIR, BUY, 3n * ONE, 350n); // 4
      const receipt = await (await tx).wait();
      const fills = decodeLogs(book.interface as unknown as Interface, PRECOMPILES.lxBook, receipt!).filter(
        (e) => e.name === "OrderFilled",
      );
      expect(fills.map((f) => f.args.slice(0, 5))).to.deep.equal([
        [2n, 4n, alice.address.toLowerCase(), 2n * ONE, 100n],
        [3n, 4n, alice.address.toLowerCase(), 2n * ONE, 100n],
        [1n, 4n, alice.address.toLowerCase(), 3n * ONE, 100n],
      ]);
      // 50 left rests as a bid at 3: lock 150; paid 200 + 200 + 300 for the fills.
      expect(await orderOf(book, 4n)).to.include({ status: OrderStatus.Open, remaining: 50n });
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 700n - 150n);
      expect(await book.getBBO(PAIR)).to.deep.equal([3n * ONE, 50n, 0n, 0n]);
    });

    it("a non-crossing order rests even when the other side is not empty", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 100n);
      await expect(book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE - 1n, 100n)).to.not.emit(book, "OrderFilled");
      expect(await book.getBBO(PAIR)).to.deep.equal([2n * ONE - 1n, 100n, 2n * ONE, 100n]);
    });

    it("self-trades match like any other and pay both fees", async function () {
      const { book, alice } = await loadFixture(bookFixture);
      await book.connect(alice).placeOrder(PAIR, SELL, ONE, 10_000n);
      await book.connect(alice).placeOrder(PAIR, BUY, ONE, 10_000n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS - 5n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 1n);
      expect(await book.accruedFees(PARS)).to.equal(5n);
      expect(await book.accruedFees(USDC)).to.equal(1n);
    });

    it(`matches at most ${MAX_FILLS_PER_CALL} orders; a remainder that still crosses is cancelled, not rested`, async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      for (let i = 0; i < MAX_FILLS_PER_CALL + 1; i++) await book.connect(bob).placeOrder(PAIR, SELL, ONE, 10n);
      const id = await nextId(book);
      const tx = await book.connect(alice).placeOrder(PAIR, BUY, ONE, 100n);
      await expect(tx).to.emit(book, "OrderCancelled").withArgs(id, alice.address, 20n, 0n);
      const receipt = await tx.wait();
      const names = decodeLogs(book.interface as unknown as Interface, PRECOMPILES.lxBook, receipt!).map((e) => e.name);
      expect(names.filter((n) => n === "OrderFilled")).to.have.length(MAX_FILLS_PER_CALL);
      expect(await orderOf(book, id)).to.include({ status: OrderStatus.Cancelled, remaining: 20n });
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 80n);
      // The book is not crossed: one ask is left and no bid rests.
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, ONE, 10n]);
      await expect(book.connect(alice).cancelOrder(id))
        .to.be.revertedWithCustomError(book, "OrderNotOpen")
        .withArgs(id, OrderStatus.Cancelled);
    });

    it(`after ${MAX_FILLS_PER_CALL} fills a remainder that no longer crosses rests`, async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      for (let i = 0; i < MAX_FILLS_PER_CALL; i++) await book.connect(bob).placeOrder(PAIR, SELL, ONE, 10n);
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 10n);
      const id = await nextId(book);
      await book.connect(alice).placeOrder(PAIR, BUY, ONE, 100n);
      expect(await orderOf(book, id)).to.include({ status: OrderStatus.Open, remaining: 20n });
      expect(await book.getBBO(PAIR)).to.deep.equal([ONE, 20n, 2n * ONE, 10n]);
    });

    it(`holds at most ${MAX_PRICE_LEVELS} prices per side: PriceLevelsFull, and nothing changes`, async function () {
      const { book, alice, bob, carol } = await loadFixture(bookFixture);
      for (let i = 1; i <= MAX_PRICE_LEVELS; i++) await book.connect(alice).placeOrder(PAIR, BUY, BigInt(i) * ONE, 1n);
      for (let i = 1; i <= MAX_PRICE_LEVELS; i++)
        await book.connect(bob).placeOrder(PAIR, SELL, BigInt(100 + i) * ONE, 1n);
      const before = await observe(book, [alice, bob, carol]);
      await expect(book.connect(alice).placeOrder(PAIR, BUY, ONE / 2n, 1n))
        .to.be.revertedWithCustomError(book, "PriceLevelsFull")
        .withArgs(PAIR, BUY, MAX_PRICE_LEVELS);
      await expect(book.connect(bob).placeOrder(PAIR, SELL, 50n * ONE, 1n))
        .to.be.revertedWithCustomError(book, "PriceLevelsFull")
        .withArgs(PAIR, SELL, MAX_PRICE_LEVELS);
      // A sell that fills the best bid but would rest its remainder at a new ask price reverts as a whole.
      await expect(book.connect(bob).placeOrder(PAIR, SELL, 16n * ONE, 2n))
        .to.be.revertedWithCustomError(book, "PriceLevelsFull")
        .withArgs(PAIR, SELL, MAX_PRICE_LEVELS);
      expect(await observe(book, [alice, bob, carol])).to.deep.equal(before);
      // An existing price still takes orders; once a level empties, a new price fits.
      await book.connect(alice).placeOrder(PAIR, BUY, 3n * ONE, 1n);
      await book.connect(bob).placeOrder(PAIR, SELL, 16n * ONE, 1n); // fills the only bid at 16
      await book.connect(alice).placeOrder(PAIR, BUY, ONE / 2n, 1n);
      expect((await book.getDepth(PAIR, BUY)).prices).to.have.length(MAX_PRICE_LEVELS);
      expect((await book.getDepth(PAIR, BUY)).prices.at(-1)).to.equal(ONE / 2n);
    });
  });

  describe("cancelOrder", function () {
    it("refunds a buy's quote lock and a sell's base, and unlinks them", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      const price = 1_500_000_000_000_000_001n;
      await book.connect(alice).placeOrder(PAIR, BUY, price, 1000n); // 1, lock 1501
      await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 70n); // 2
      expect(await book.connect(alice).cancelOrder.staticCall(1n)).to.equal(true);
      await expect(book.connect(alice).cancelOrder(1n))
        .to.emit(book, "OrderCancelled")
        .withArgs(1n, alice.address, 1000n, 1501n);
      await expect(book.connect(bob).cancelOrder(2n))
        .to.emit(book, "OrderCancelled")
        .withArgs(2n, bob.address, 70n, 70n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS);
      expect(await book.balanceOf(bob.address, PARS)).to.equal(FUNDS);
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, 0n, 0n]);
      expect(await orderOf(book, 1n)).to.include({ status: OrderStatus.Cancelled, remaining: 1000n });
    });

    it("refunds the rest of a partly filled buy: fills plus refund equal the original lock", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      const price = 333_333_333_333_333_334n;
      await book.connect(alice).placeOrder(PAIR, BUY, price, 100_000n); // lock ceil(33_333.3333333333334) = 33_334
      await book.connect(bob).placeOrder(PAIR, SELL, price, 40_000n);
      // The fill released ceil(100_000 p) - ceil(60_000 p) = 33_334 - 20_001 = 13_333.
      await expect(book.connect(alice).cancelOrder(1n))
        .to.emit(book, "OrderCancelled")
        .withArgs(1n, alice.address, 60_000n, 20_001n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(FUNDS - 13_333n);
    });

    it("keeps FIFO order and the level list intact when orders in the middle go", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      await book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE, 10n); // 1
      await book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE, 20n); // 2
      await book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE, 30n); // 3
      await book.connect(alice).placeOrder(PAIR, BUY, 3n * ONE, 5n); // 4
      await book.connect(alice).placeOrder(PAIR, BUY, ONE, 5n); // 5
      await book.connect(alice).cancelOrder(2n);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([
        [3n * ONE, 2n * ONE, ONE],
        [5n, 40n, 5n],
      ]);
      await book.connect(alice).cancelOrder(4n);
      await book.connect(alice).cancelOrder(3n);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([
        [2n * ONE, ONE],
        [10n, 5n],
      ]);
      await book.connect(alice).placeOrder(PAIR, BUY, 2n * ONE, 7n); // 6, behind order 1
      await book.connect(alice).placeOrder(PAIR, BUY, ONE + ONE / 2n, 1n); // 7, a new middle level
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([
        [2n * ONE, ONE + ONE / 2n, ONE],
        [17n, 1n, 5n],
      ]);
      const receipt = await (await book.connect(bob).placeOrder(PAIR, SELL, 2n * ONE, 17n)).wait();
      const makers = decodeLogs(book.interface as unknown as Interface, PRECOMPILES.lxBook, receipt!)
        .filter((e) => e.name === "OrderFilled")
        .map((e) => e.args[0]);
      expect(makers).to.deep.equal([1n, 6n]);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([
        [ONE + ONE / 2n, ONE],
        [1n, 5n],
      ]);
    });

    it("rejects unknown ids, other owners and closed orders, changing nothing", async function () {
      const { book, alice, bob, carol } = await loadFixture(bookFixture);
      await book.connect(alice).placeOrder(PAIR, BUY, ONE, 10n); // 1
      await book.connect(alice).placeOrder(PAIR, SELL, 5n * ONE, 10n); // 2
      await book.connect(bob).placeOrder(PAIR, SELL, ONE, 10n); // 3: fills 1
      await book.connect(alice).cancelOrder(2n);
      const before = await observe(book, [alice, bob, carol]);
      await expect(book.connect(alice).cancelOrder(0n))
        .to.be.revertedWithCustomError(book, "OrderNotFound")
        .withArgs(0n);
      await expect(book.connect(alice).cancelOrder(4n))
        .to.be.revertedWithCustomError(book, "OrderNotFound")
        .withArgs(4n);
      await expect(book.connect(bob).cancelOrder(1n))
        .to.be.revertedWithCustomError(book, "NotOrderOwner")
        .withArgs(1n, alice.address, bob.address);
      await expect(book.connect(alice).cancelOrder(1n))
        .to.be.revertedWithCustomError(book, "OrderNotOpen")
        .withArgs(1n, OrderStatus.Filled);
      await expect(book.connect(alice).cancelOrder(2n))
        .to.be.revertedWithCustomError(book, "OrderNotOpen")
        .withArgs(2n, OrderStatus.Cancelled);
      await expect(book.getOrder(4n)).to.be.revertedWithCustomError(book, "OrderNotFound").withArgs(4n);
      expect(await observe(book, [alice, bob, carol])).to.deep.equal(before);
    });
  });

  describe("swap", function () {
    async function twoAsks() {
      const f = await loadFixture(bookFixture);
      await f.book.connect(f.bob).placeOrder(PAIR, SELL, 2n * ONE, 1000n); // 1
      await f.book.connect(f.bob).placeOrder(PAIR, SELL, 3n * ONE, 1000n); // 2
      await f.book.connect(f.alice).placeOrder(PAIR, BUY, ONE, 1000n); // 3
      await f.book.connect(f.alice).placeOrder(PAIR, BUY, ONE / 2n, 1000n); // 4
      return f;
    }

    it("buys with a quote budget across levels, after the taker fee, and reports it", async function () {
      const { book, alice, bob } = await twoAsks();
      const usdc = await book.balanceOf(alice.address, USDC);
      // 3500 quote: 1000 at 2 (2000), then 500 at 3 (1500). Taker fees ceil(0.5) + ceil(0.25) = 2 base.
      expect(await book.connect(alice).swap.staticCall(PAIR, BUY, 3500n, 1498n)).to.equal(1498n);
      await expect(book.connect(alice).swap(PAIR, BUY, 3500n, 1498n))
        .to.emit(book, "Swapped")
        .withArgs(PAIR, alice.address, BUY, 3500n, 1498n)
        .and.to.emit(book, "OrderFilled")
        .withArgs(2n, 0n, alice.address, 3n * ONE, 500n, 1500n, 1n, 1n);
      expect(await book.balanceOf(alice.address, USDC)).to.equal(usdc - 3500n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 1498n);
      expect(await book.balanceOf(bob.address, USDC)).to.equal(FUNDS + 1999n + 1499n);
      expect(await book.getBBO(PAIR)).to.deep.equal([ONE, 1000n, 3n * ONE, 500n]);
    });

    it("sells base into the bids; an unspent budget stays available", async function () {
      const { book, alice, bob } = await twoAsks();
      const pars = await book.balanceOf(bob.address, PARS);
      // 1000 at 1 (1000 quote) then 1000 at 0.5 (500 quote); 500 of the 2500 base find no bid.
      await expect(book.connect(bob).swap(PAIR, SELL, 2500n, 0n))
        .to.emit(book, "Swapped")
        .withArgs(PAIR, bob.address, SELL, 2000n, 1000n - 1n + 500n - 1n);
      expect(await book.balanceOf(bob.address, PARS)).to.equal(pars - 2000n);
      expect(await book.balanceOf(alice.address, PARS)).to.equal(FUNDS + 2000n - 2n);
      expect(await book.getDepth(PAIR, BUY)).to.deep.equal([[], []]);
    });

    it("delivers at least minReceived or reverts with InsufficientOutput and changes nothing", async function () {
      const { book, alice, bob, carol } = await twoAsks();
      const before = await observe(book, [alice, bob, carol]);
      await expect(book.connect(alice).swap(PAIR, BUY, 3500n, 1499n))
        .to.be.revertedWithCustomError(book, "InsufficientOutput")
        .withArgs(1498n, 1499n);
      await expect(book.connect(bob).swap(PAIR, SELL, 2500n, 1499n))
        .to.be.revertedWithCustomError(book, "InsufficientOutput")
        .withArgs(1498n, 1499n);
      expect(await observe(book, [alice, bob, carol])).to.deep.equal(before);
    });

    it("returns 0 on an empty side or a budget too small for one unit", async function () {
      const { book, alice } = await loadFixture(bookFixture);
      await expect(book.connect(alice).swap(PAIR, BUY, 100n, 0n))
        .to.emit(book, "Swapped")
        .withArgs(PAIR, alice.address, BUY, 0n, 0n);
      await book.connect(alice).placeOrder(PAIR, SELL, 2n * ONE, 10n);
      expect(await book.connect(alice).swap.staticCall(PAIR, BUY, 1n, 0n)).to.equal(0n);
      await expect(book.connect(alice).swap(PAIR, BUY, 1n, 1n))
        .to.be.revertedWithCustomError(book, "InsufficientOutput")
        .withArgs(0n, 1n);
    });

    it(`takes at most ${MAX_FILLS_PER_CALL} orders per call`, async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      for (let i = 0; i < MAX_FILLS_PER_CALL + 2; i++) await book.connect(bob).placeOrder(PAIR, SELL, ONE, 10_000n);
      await expect(book.connect(alice).swap(PAIR, BUY, 1_000_000n, 0n))
        .to.emit(book, "Swapped")
        .withArgs(
          PAIR,
          alice.address,
          BUY,
          BigInt(MAX_FILLS_PER_CALL) * 10_000n,
          BigInt(MAX_FILLS_PER_CALL) * (10_000n - 5n),
        );
      expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, ONE, 20_000n]);
    });

    it("rejects bad input and unfunded swaps with named errors, changing nothing", async function () {
      const { book, alice, bob, carol } = await twoAsks();
      const before = await observe(book, [alice, bob, carol]);
      const c = book.connect(carol);
      await expect(c.swap(UNLISTED, BUY, 1n, 0n))
        .to.be.revertedWithCustomError(book, "PairNotListed")
        .withArgs(UNLISTED);
      await expect(c.swap(PAIR, 7, 1n, 0n))
        .to.be.revertedWithCustomError(book, "InvalidSide")
        .withArgs(7);
      await expect(c.swap(PAIR, BUY, 0n, 0n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(0n);
      await expect(c.swap(PAIR, SELL, MAX_AMOUNT + 1n, 0n))
        .to.be.revertedWithCustomError(book, "InvalidAmount")
        .withArgs(MAX_AMOUNT + 1n);
      await expect(c.swap(PAIR, BUY, 3500n, 0n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, USDC, 0n, 3500n);
      await expect(c.swap(PAIR, SELL, 1500n, 0n))
        .to.be.revertedWithCustomError(book, "InsufficientBalance")
        .withArgs(carol.address, PARS, 0n, 1500n);
      expect(await observe(book, [alice, bob, carol])).to.deep.equal(before);
    });
  });

  describe("views", function () {
    it("getOrders and balancesOf batch reads, up to MAX_BATCH items", async function () {
      const { book, alice, bob } = await loadFixture(bookFixture);
      await book.connect(alice).placeOrder(PAIR, BUY, ONE, 10n);
      await book.connect(bob).placeOrder(PAIR2, SELL, 2n * ONE, 20n);
      const orders = await book.getOrders([2n, 7n, 1n]);
      expect(orders.map((o) => [o.owner, o.status, o.remaining])).to.deep.equal([
        [bob.address, BigInt(OrderStatus.Open), 20n],
        [ethers.ZeroAddress, BigInt(OrderStatus.None), 0n],
        [alice.address, BigInt(OrderStatus.Open), 10n],
      ]);
      expect(await book.balancesOf(alice.address, [USDC, PARS, WETH])).to.deep.equal([FUNDS - 10n, FUNDS, FUNDS]);
      expect(await book.MAX_BATCH()).to.equal(64n);
      const tooMany = Array.from({ length: 65 }, (_, i) => BigInt(i));
      await expect(book.getOrders(tooMany)).to.be.revertedWithCustomError(book, "BatchTooLarge").withArgs(65n, 64n);
      await expect(
        book.balancesOf(
          alice.address,
          tooMany.map(() => USDC),
        ),
      )
        .to.be.revertedWithCustomError(book, "BatchTooLarge")
        .withArgs(65n, 64n);
      expect(await book.getOrders(tooMany.slice(1))).to.have.length(64);
    });

    it("reject unlisted pairs and bad sides", async function () {
      const { book } = await loadFixture(bookFixture);
      await expect(book.getBBO(UNLISTED)).to.be.revertedWithCustomError(book, "PairNotListed").withArgs(UNLISTED);
      await expect(book.getDepth(UNLISTED, BUY))
        .to.be.revertedWithCustomError(book, "PairNotListed")
        .withArgs(UNLISTED);
      await expect(book.getDepth(PAIR, 2)).to.be.revertedWithCustomError(book, "InvalidSide").withArgs(2);
      await expect(book.getOrder(0n)).to.be.revertedWithCustomError(book, "OrderNotFound").withArgs(0n);
    });
  });
});

// ------------------------------------------------------------------------------------------ property

type Action =
  | { kind: "credit"; who: number; asset: number; amount: bigint }
  | { kind: "debit"; who: number; asset: number; amount: bigint }
  | { kind: "place"; who: number; pair: number; side: number; price: bigint; amount: bigint }
  | { kind: "cancel"; who: number; pick: number; byOwner: boolean }
  | {
      kind: "swap";
      who: number;
      pair: number;
      side: number;
      amount: bigint;
      slip: "zero" | "exact" | "above" | "half";
    };

const PAIRS = [PAIR, PAIR2, UNLISTED];
const TICK = 37_037_037_037_037_037n; // prices ONE + k * TICK: fractional, so every fill rounds
const TRADER_FUNDS = 200_000n;

const whoArb = fc.integer({ min: 0, max: 2 });
const pairArb = fc.oneof(
  { weight: 14, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.constant(2) },
);
const sideArb = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.constant(2) });
const priceArb = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: -4, max: 4 }).map((k) => ONE + BigInt(k) * TICK) },
  { weight: 1, arbitrary: fc.constantFrom(0n, MAX_PRICE, MAX_PRICE + 1n) },
);
const amountArb = fc.oneof(
  { weight: 12, arbitrary: fc.bigInt(1n, 3_000n) },
  { weight: 6, arbitrary: fc.bigInt(1n, 300_000n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, MAX_AMOUNT + 1n) },
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("credit" as const),
      who: whoArb,
      asset: fc.integer({ min: 0, max: 2 }),
      amount: fc.bigInt(1n, 1_000_000n),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("debit" as const),
      who: whoArb,
      asset: fc.integer({ min: 0, max: 2 }),
      amount: fc.bigInt(1n, 300_000n),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      who: whoArb,
      pair: pairArb,
      side: sideArb,
      price: priceArb,
      amount: amountArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      who: whoArb,
      pick: fc.nat(40),
      byOwner: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("swap" as const),
      who: whoArb,
      pair: pairArb,
      side: sideArb,
      amount: amountArb,
      slip: fc.constantFrom("zero" as const, "exact" as const, "above" as const, "half" as const),
    }),
  },
);

/**
 * The book fixture (two pairs listed, no orders) plus funded traders and a seeded book, applied to the
 * chain and to a fresh model alike.
 */
async function propertyFixture() {
  const { mock } = await loadFixture(bookFixture);
  const signers = await ethers.getSigners();
  const traders = signers.slice(5, 8);
  const model = new LXBookModel();
  model.listPair(PAIR, PARS, USDC);
  model.listPair(PAIR2, WETH, USDC);
  for (const t of traders) {
    for (const asset of ASSETS) {
      await mock.mock__credit(t.address, asset, TRADER_FUNDS);
      model.credit(t.address, asset, TRADER_FUNDS);
    }
  }
  // Twelve resting orders on each side of PAIR over three prices, two on each side of PAIR2: enough for a
  // large order to hit the fill limit.
  const seeds: [number, string, number, bigint, bigint][] = [];
  for (let i = 0; i < 12; i++) {
    seeds.push([i % 3, PAIR, SELL, ONE + BigInt(1 + (i % 3)) * TICK, BigInt(200 + 37 * i)]);
    seeds.push([(i + 1) % 3, PAIR, BUY, ONE - BigInt(1 + (i % 3)) * TICK, BigInt(300 + 41 * i)]);
  }
  seeds.push([0, PAIR2, SELL, ONE + TICK, 500n], [1, PAIR2, SELL, ONE + 2n * TICK, 700n]);
  seeds.push([2, PAIR2, BUY, ONE - TICK, 600n], [0, PAIR2, BUY, ONE - 2n * TICK, 800n]);
  for (const [who, pair, side, price, amount] of seeds) {
    await mock.connect(traders[who]).placeOrder(pair, side, price, amount);
    model.placeOrder(traders[who].address, pair, side, price, amount);
  }
  return { mock, model, traders };
}

/** Random sequences of the LXBook property: 100 in `npm test`; PARS_LXBOOK_RUNS=1000 for a deeper run. */
const LXBOOK_RUNS = Number(process.env.PARS_LXBOOK_RUNS ?? 100);

describe("LXBook mock against the TypeScript model (property)", function () {
  it(`agrees on every return value, event, error, balance, fee, BBO, depth and order over ${LXBOOK_RUNS} random sequences`, async function () {
    const { mock, model: seededModel, traders } = await loadFixture(propertyFixture);
    const iface = mock.interface as unknown as Interface;
    const started = Date.now();
    let steps = 0;
    let reverted = 0;

    /** Balances, fees, BBO, depth, the last id and the given orders: chain and model, compared. */
    const expectSameState = async (model: LXBookModel, orderIds: bigint[]) => {
      const calls: [string, unknown[]][] = [["lastOrderId", []]];
      const expected: unknown[] = [[model.lastOrderId()]];
      for (const t of traders) {
        calls.push(["balancesOf", [t.address, ASSETS]]);
        expected.push([model.balancesOf(t.address, ASSETS)]);
      }
      for (const asset of ASSETS) {
        calls.push(["accruedFees", [asset]]);
        expected.push([model.accruedFees(asset)]);
      }
      for (const pair of [PAIR, PAIR2]) {
        const bbo = model.getBBO(pair);
        calls.push(["getBBO", [pair]]);
        expected.push([bbo.bestBid, bbo.bestBidSize, bbo.bestAsk, bbo.bestAskSize]);
        for (const side of [BUY, SELL]) {
          const d = model.getDepth(pair, side);
          calls.push(["getDepth", [pair, side]]);
          expected.push([d.prices, d.sizes]);
        }
        // The book is never crossed.
        if (bbo.bestBid !== 0n && bbo.bestAsk !== 0n) expect(bbo.bestBid < bbo.bestAsk, "crossed book").to.equal(true);
      }
      calls.push(["getOrders", [orderIds]]);
      expected.push([
        model.getOrders(orderIds).map((o) => [o.pair, o.owner, o.side, o.status, o.price, o.amount, o.remaining]),
      ]);
      expectEqual(await readMany(iface, PRECOMPILES.lxBook, calls), norm(expected));
    };

    /** Assets are conserved: what was credited and not debited is available, locked, or a fee. */
    const expectConserved = (model: LXBookModel, net: Map<string, bigint>) => {
      for (const asset of ASSETS) {
        const available = traders.reduce((sum, t) => sum + model.balanceOf(t.address, asset), 0n);
        expect(available + model.lockedTotal(asset) + model.accruedFees(asset), `conservation of ${asset}`).to.equal(
          net.get(asset),
        );
      }
    };

    /** Runs one action on the model and on the chain and compares outcome and state. */
    const runStep = async (model: LXBookModel, action: Action, net: Map<string, bigint>) => {
      let sender = traders[action.who];
      let fn: string;
      let args: unknown[];
      let onModel: () => { ret?: unknown; events: { name: string; args: unknown[] }[] };
      switch (action.kind) {
        case "credit":
        case "debit": {
          const asset = ASSETS[action.asset];
          const account = sender.address;
          fn = `mock__${action.kind}`;
          args = [account, asset, action.amount];
          onModel = () => {
            const credit = action.kind === "credit";
            const events = credit
              ? model.credit(account, asset, action.amount)
              : model.debit(account, asset, action.amount);
            net.set(asset, net.get(asset)! + (credit ? action.amount : -action.amount));
            return { events };
          };
          break;
        }
        case "place": {
          const a = action;
          fn = "placeOrder";
          args = [PAIRS[a.pair], a.side, a.price, a.amount];
          onModel = () => {
            const r = model.placeOrder(sender.address, PAIRS[a.pair], a.side, a.price, a.amount);
            return { ret: r.orderId, events: r.events };
          };
          break;
        }
        case "cancel": {
          // Ids 0 .. last + 1: unknown ids both ends; usually sent by the order's owner.
          const id = BigInt(action.pick) % (model.lastOrderId() + 2n);
          if (action.byOwner && id >= 1n && id <= model.lastOrderId()) {
            const owner = model.getOrder(id).owner;
            sender = traders.find((t) => t.address === owner)!;
          }
          fn = "cancelOrder";
          args = [id];
          onModel = () => {
            const r = model.cancelOrder(sender.address, id);
            return { ret: r.cancelled, events: r.events };
          };
          break;
        }
        case "swap": {
          const a = action;
          let minReceived = 0n;
          try {
            const preview = model.previewSwap(PAIRS[a.pair], a.side, a.amount).received;
            minReceived = { zero: 0n, exact: preview, above: preview + 1n, half: preview / 2n }[a.slip];
          } catch {
            // invalid input: the swap itself reports it
          }
          fn = "swap";
          args = [PAIRS[a.pair], a.side, a.amount, minReceived];
          onModel = () => {
            const r = model.swap(sender.address, PAIRS[a.pair], a.side, a.amount, minReceived);
            return { ret: r.received, events: r.events };
          };
          break;
        }
      }

      let expected: { ok: true; ret?: unknown; events: Named[] } | { ok: false; error: Named };
      try {
        const r = onModel();
        expected = { ok: true, ret: r.ret, events: r.events.map(normNamed) };
      } catch (e) {
        if (!(e instanceof LXBookError)) throw e;
        expected = { ok: false, error: normNamed({ name: e.errorName, args: e.args }) };
      }

      const method = (mock.connect(sender) as unknown as Contract).getFunction(fn);
      const label = JSON.stringify(action, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      let actualRet: unknown;
      let actualErr: Named | undefined;
      try {
        actualRet = await method.staticCall(...args);
      } catch (e) {
        actualErr = decodeRevert(iface, e);
      }
      if (expected.ok) {
        expect(actualErr, `${label}: unexpected revert`).to.equal(undefined);
        if (expected.ret !== undefined) expectEqual(norm(actualRet), norm(expected.ret), `${label}: return value`);
        const tx = (await method.send(...args, { gasLimit: 5_000_000 })) as ContractTransactionResponse;
        const receipt = await tx.wait();
        expectEqual(decodeLogs(iface, PRECOMPILES.lxBook, receipt!), expected.events, `${label}: events`);
      } else {
        reverted++;
        expectEqual(actualErr, expected.error, `${label}: error`);
      }
      steps++;
      expectConserved(model, net);

      // The orders this step placed, filled or cancelled, or tried to cancel, are compared now; every
      // order at the end of the sequence.
      const touched = new Set<bigint>();
      if (expected.ok) {
        for (const e of expected.events) {
          if (e.name === "OrderPlaced" || e.name === "OrderCancelled" || e.name === "OrderFilled")
            touched.add(e.args[0] as bigint);
        }
      }
      if (action.kind === "cancel") touched.add(args[0] as bigint);
      await expectSameState(model, [...touched]);
    };

    const netFunds = new Map<string, bigint>(ASSETS.map((a) => [a, TRADER_FUNDS * BigInt(traders.length)]));
    let snapshot = await evmSnapshot();
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 8 }), async (actions) => {
        await evmRevert(snapshot);
        snapshot = await evmSnapshot();
        const model = seededModel.clone();
        const net = new Map(netFunds);
        for (const action of actions) await runStep(model, action, net);
        await expectSameState(
          model,
          Array.from({ length: Number(model.lastOrderId()) }, (_, i) => BigInt(i + 1)),
        );
      }),
      { numRuns: LXBOOK_RUNS },
    );
    await evmRevert(snapshot);
    // The generator exercises both outcomes.
    expect(reverted).to.be.greaterThan(0);
    expect(steps - reverted).to.be.greaterThan(reverted);
    console.log(`      ${steps} steps (${reverted} reverted) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

// ------------------------------------------------------------------------------------------ reset

describe("LXBook and LXFeed after hardhat_reset", function () {
  it("are installed again automatically and work on the fresh chain", async function () {
    await loadFixture(bookFixture);
    await hre.network.provider.request({ method: "hardhat_reset", params: [] });
    await clearSnapshots(); // the fixtures' snapshots belonged to the chain that was reset
    expect(await ethers.provider.getCode(PRECOMPILES.lxBook)).to.not.equal("0x");
    expect(await ethers.provider.getCode(PRECOMPILES.lxFeed)).to.not.equal("0x");
    const [, alice, bob] = await ethers.getSigners();
    const book = (await ethers.getContractAt("ILXBook", PRECOMPILES.lxBook)) as unknown as ILXBook;
    const mock = (await ethers.getContractAt("LXBook__Mock", PRECOMPILES.lxBook)) as unknown as LXBook__Mock;
    // Fresh storage: nothing listed, no orders.
    expect(await book.lastOrderId()).to.equal(0n);
    await expect(book.getBBO(PAIR)).to.be.revertedWithCustomError(book, "PairNotListed");
    await mock.mock__listPair(PAIR, PARS, USDC);
    await mock.mock__credit(alice.address, USDC, 1000n);
    await mock.mock__credit(bob.address, PARS, 1000n);
    await book.connect(bob).placeOrder(PAIR, SELL, ONE, 100n);
    await book.connect(alice).placeOrder(PAIR, BUY, ONE, 40n);
    expect(await book.getBBO(PAIR)).to.deep.equal([0n, 0n, ONE, 60n]);
    const feed = await ethers.getContractAt("LXFeed__Mock", PRECOMPILES.lxFeed);
    await feed.mock__setPrice(PAIR, 2n * ONE, 90);
    expect((await feed.getPrice(PAIR))[0]).to.equal(2n * ONE);
  });

  after(async function () {
    // Later test files start from a fresh chain, not from this test's state.
    await hre.network.provider.request({ method: "hardhat_reset", params: [] });
    await clearSnapshots();
  });
});
