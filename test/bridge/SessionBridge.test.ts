import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BUCKET_COUNT,
  CREATE_FEE,
  DEFAULT_SESSION_TTL,
  MESSAGE_FEE_PER_KIB,
  SessionStatus,
  WarpKind,
  ZERO_HEAD,
  autoSalt,
  decodeWarpPayload,
  deriveSessionId,
  encodeWarpPayload,
  messageId,
  nextMessageHead,
  participantFingerprint,
} from "../../src/sessions";
import { inboxToSwarm } from "../../src/swarm";
import {
  bridgeState,
  bytes,
  createFee,
  deployBridgeSuite,
  keyOf,
  messageFee,
  openSession,
  send,
  type BridgeSuite, flushAll } from "./fixture";

const CREATE = "createSession(address[],bytes[],bytes32)";
const CREATE_VM = "createSession(address[])";
const SEND = "sendMessage(bytes32,uint64,bytes)";
const SEND_VM = "sendMessage(bytes32,bytes)";

async function withWarp(): Promise<BridgeSuite> {
  const f = await loadFixture(deployBridgeSuite);
  await f.bridge.connect(f.admin).setMessenger(await f.warp.getAddress());
  return f;
}

describe("SessionBridge", () => {
  describe("deployment", () => {
    it("starts with the LP-042 defaults, no messenger and the fee constants of PIP-0008", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const b = f.bridge;
      expect(await b.sessionTTL()).to.equal(86_400n);
      expect(await b.maxMessages()).to.equal(10_000n);
      expect(await b.maxChannels()).to.equal(1_000n);
      expect(await b.messenger()).to.equal(ethers.ZeroAddress);
      expect(await b.paused()).to.equal(false);
      expect(await b.SESSION_ID_PREFIX()).to.equal("0x07");
      expect(await b.MAX_PARTICIPANTS()).to.equal(100n);
      expect(await b.MAX_MESSAGE_BYTES()).to.equal(16_384n);
      expect(await b.MLKEM768_PUBLIC_KEY_BYTES()).to.equal(1_184n);
      expect(await b.CREATE_FEE()).to.equal(CREATE_FEE).and.to.equal(ethers.parseEther("0.001"));
      expect(await b.MESSAGE_FEE_PER_KIB()).to.equal(MESSAGE_FEE_PER_KIB).and.to.equal(ethers.parseEther("0.0001"));
      expect(await b.WARP_PAYLOAD_VERSION()).to.equal(1n);
      expect(await b.BUCKET_SECONDS()).to.equal(3_600n);
      expect(await b.BUCKET_COUNT()).to.equal(BigInt(BUCKET_COUNT));
      expect(await b.hasRole(await b.DEFAULT_ADMIN_ROLE(), f.admin.address)).to.equal(true);
      expect(await b.hasRole(await b.GUARDIAN_ROLE(), f.guardian.address)).to.equal(true);
      expect(await b.health()).to.deep.equal([true, 0n, 0n]);
    });

    it("refuses zero addresses and a session TTL outside 1 hour .. 30 days", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const Bridge = await ethers.getContractFactory("SessionBridge");
      const swarms = await f.swarms.getAddress();
      const rewards = await f.rewards.getAddress();
      const a = f.admin.address;
      const z = ethers.ZeroAddress;
      await expect(Bridge.deploy(z, z, swarms, rewards, z, 86_400)).to.be.revertedWithCustomError(Bridge, "ZeroAddress");
      await expect(Bridge.deploy(a, z, z, rewards, z, 86_400)).to.be.revertedWithCustomError(Bridge, "ZeroAddress");
      await expect(Bridge.deploy(a, z, swarms, z, z, 86_400)).to.be.revertedWithCustomError(Bridge, "ZeroAddress");
      await expect(Bridge.deploy(a, z, swarms, rewards, z, 3_599))
        .to.be.revertedWithCustomError(Bridge, "InvalidSessionTTL")
        .withArgs(3_599);
      await expect(Bridge.deploy(a, z, swarms, rewards, z, 30 * 86_400 + 1))
        .to.be.revertedWithCustomError(Bridge, "InvalidSessionTTL")
        .withArgs(30 * 86_400 + 1);
      // A coordinator that does not answer the views: a paid action cannot price or route its fee.
      const mute = await Bridge.deploy(a, z, f.users[9].address, rewards, z, 86_400);
      await expect(mute.quoteCreateSession()).to.be.revertedWithCustomError(Bridge, "InvalidCoordinatorAnswer");
      const wrong = await Bridge.deploy(a, z, rewards, rewards, z, 86_400);
      await expect(wrong.quoteCreateSession()).to.be.reverted;
      await expect(wrong.connect(f.users[0])["createSession(address[])"]([f.users[0].address, f.users[1].address], { value: CREATE_FEE })).to.be.reverted;
      const short = await Bridge.deploy(a, z, swarms, rewards, f.warp.getAddress(), 3_601);
      expect(await short.BUCKET_SECONDS()).to.equal(151n); // ceil(3601 / 24)
      expect(await short.messenger()).to.equal(await f.warp.getAddress());
    });
  });

  describe("creation", () => {
    it("creates an active session when every key is given; the id is the TS derivation with prefix 0x07", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [creator, other] = f.users;
      const stranger = f.users[5];
      const salt = ethers.id("first session");
      const participants = [creator.address, other.address];
      const keys = [keyOf(creator), keyOf(other)];
      const id = deriveSessionId({ chainId: f.chainId, bridge: await f.bridge.getAddress(), creator: creator.address, salt, participants });
      expect(id.slice(0, 4)).to.equal("0x07");
      expect(await f.bridge.deriveSessionId(creator.address, salt, participants)).to.equal(id);
      const fee = await createFee(f);
      const swarmId = inboxToSwarm(id, Number(await f.swarms.swarmCount()));

      const tx = await f.bridge.connect(creator)[CREATE](participants, keys, salt, { value: fee });
      // The timestamp of the block the creation was mined in.
      const created = (await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp;
      await expect(tx)
        .to.emit(f.bridge, "SessionCreated")
        .withArgs(id, creator.address, swarmId, BigInt(created + DEFAULT_SESSION_TTL), participants, keys.map((k) => ethers.hexlify(k)), fee);
      await expect(tx).not.to.emit(f.bridge, "SessionActivated");

      const info = await f.bridge.getSession(id);
      expect(info.status).to.equal(SessionStatus.Active);
      expect(info.createdAt).to.equal(BigInt(created));
      expect(info.expiresAt).to.equal(BigInt(created + DEFAULT_SESSION_TTL));
      expect(info.participantCount).to.equal(2n);
      expect(info.pendingKeys).to.equal(0n);
      expect(info.messageCount).to.equal(0n);
      expect(info.channel).to.equal(false);
      expect(info.messageHead).to.equal(ZERO_HEAD);
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Active);
      expect(await f.bridge.participantStatus(id, creator.address)).to.deep.equal([true, true]);
      expect(await f.bridge.participantStatus(id, other.address)).to.deep.equal([true, true]);
      expect(await f.bridge.participantStatus(id, stranger.address)).to.deep.equal([false, false]);
      expect(await f.bridge.participantStatus(ethers.id("no session"), creator.address)).to.deep.equal([false, false]);
      for (const p of [creator, other, stranger]) {
        expect(await f.bridge.participantFingerprint(id, p.address)).to.equal(participantFingerprint(id, p.address));
      }
      expect(await f.bridge.health()).to.deep.equal([true, 1n, 0n]);
    });

    it("keeps a session pending until every participant without a key has joined", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b, c], { withKeys: [0] });
      let info = await f.bridge.getSession(id);
      expect(info.status).to.equal(SessionStatus.Pending);
      expect(info.pendingKeys).to.equal(2n);
      expect(info.channel).to.equal(true);
      expect(await f.bridge.participantStatus(id, b.address)).to.deep.equal([true, false]);

      await expect(f.bridge.connect(b).joinSession(id, keyOf(b)))
        .to.emit(f.bridge, "ParticipantJoined")
        .withArgs(id, b.address, ethers.hexlify(keyOf(b)))
        .and.not.to.emit(f.bridge, "SessionActivated");
      info = await f.bridge.getSession(id);
      expect(info.status).to.equal(SessionStatus.Pending);
      expect(info.pendingKeys).to.equal(1n);
      expect(await f.bridge.participantStatus(id, b.address)).to.deep.equal([true, true]);

      await expect(f.bridge.connect(c).joinSession(id, keyOf(c))).to.emit(f.bridge, "SessionActivated").withArgs(id);
      info = await f.bridge.getSession(id);
      expect(info.status).to.equal(SessionStatus.Active);
      expect(info.pendingKeys).to.equal(0n);
    });

    it("a two-party session keeps its participants as fingerprints: joins, sends and closes by either side only", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, stranger] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b], { withKeys: [] });
      let info = await f.bridge.getSession(id);
      expect([info.status, info.pendingKeys, info.participantCount, info.channel]).to.deep.equal([BigInt(SessionStatus.Pending), 2n, 2n, false]);
      expect(await f.bridge.participantStatus(id, a.address)).to.deep.equal([true, false]);
      expect(await f.bridge.participantStatus(id, b.address)).to.deep.equal([true, false]);
      const before = await bridgeState(f, id);
      await expect(f.bridge.connect(stranger).joinSession(id, keyOf(stranger)))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      await expect(f.bridge.connect(stranger).closeSession(id))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      expect(await bridgeState(f, id)).to.deep.equal(before);

      // The second participant joins first: the sides are independent.
      await expect(f.bridge.connect(b).joinSession(id, keyOf(b))).not.to.emit(f.bridge, "SessionActivated");
      expect(await f.bridge.participantStatus(id, b.address)).to.deep.equal([true, true]);
      expect(await f.bridge.participantStatus(id, a.address)).to.deep.equal([true, false]);
      await expect(f.bridge.connect(b).joinSession(id, keyOf(b)))
        .to.be.revertedWithCustomError(f.bridge, "AlreadyJoined")
        .withArgs(id, b.address);
      info = await f.bridge.getSession(id);
      expect([info.status, info.pendingKeys]).to.deep.equal([BigInt(SessionStatus.Pending), 1n]);
      await expect(f.bridge.connect(a).joinSession(id, keyOf(a))).to.emit(f.bridge, "SessionActivated").withArgs(id);
      info = await f.bridge.getSession(id);
      expect([info.status, info.pendingKeys]).to.deep.equal([BigInt(SessionStatus.Active), 0n]);

      await expect(f.bridge.connect(stranger)[SEND](id, 0, bytes(10), { value: await messageFee(f, 10) }))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      await expect(send(f, b, id, bytes(10))).to.emit(f.bridge, "MessageSent");
      await expect(send(f, a, id, bytes(10))).to.emit(f.bridge, "MessageSent");
      await expect(f.bridge.connect(a).closeSession(id)).to.emit(f.bridge, "SessionClosed").withArgs(id, a.address);
    });

    it("PIP-0007 createSession(address[]) opens a pending session whose id follows the creator's nonce", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const bridge = await f.bridge.getAddress();
      const participants = [a.address, b.address];
      const fee = await createFee(f);
      for (const nonce of [0n, 1n]) {
        expect(await f.bridge.autoSessionNonce(a.address)).to.equal(nonce);
        expect(await f.bridge.nextAutoSalt(a.address)).to.equal(autoSalt(nonce));
        const id = deriveSessionId({ chainId: f.chainId, bridge, creator: a.address, salt: autoSalt(nonce), participants });
        expect(await f.bridge.connect(a)[CREATE_VM].staticCall(participants, { value: fee })).to.equal(id);
        await expect(f.bridge.connect(a)[CREATE_VM](participants, { value: fee }))
          .to.emit(f.bridge, "SessionCreated")
          .withArgs(id, a.address, inboxToSwarm(id, 3), (v: bigint) => v > 0n, participants, ["0x", "0x"], fee);
        expect((await f.bridge.getSession(id)).status).to.equal(SessionStatus.Pending);
        expect((await f.bridge.getSession(id)).pendingKeys).to.equal(2n);
      }
    });

    it("refuses bad participant lists and keys, and leaves nothing behind", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c] = f.users;
      const fee = await createFee(f);
      const salt = ethers.id("bad");
      const before = await bridgeState(f);
      const many = Array.from({ length: 101 }, (_, i) => ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(i + 1), 20)));
      const k = (u: { address: string }) => keyOf(u);
      const cases: [string[], (Uint8Array | string)[], string, unknown[]][] = [
        [[a.address], [k(a)], "InvalidParticipantCount", [1, 100]],
        [many, many.map(() => "0x"), "InvalidParticipantCount", [101, 100]],
        [[a.address, b.address], [k(a)], "LengthMismatch", [2, 1]],
        [[a.address, ethers.ZeroAddress], [k(a), "0x"], "ZeroParticipant", [1]],
        [[a.address, b.address, a.address], [k(a), k(b), "0x"], "DuplicateParticipant", [a.address]],
        [[a.address, b.address], [k(a), k(b).slice(1)], "InvalidKeyLength", [1, 1183]],
        [[a.address, b.address, c.address], [k(a), k(b), new Uint8Array(1185)], "InvalidKeyLength", [2, 1185]],
      ];
      for (const [participants, keys, error, args] of cases) {
        await expect(f.bridge.connect(a)[CREATE](participants, keys, salt, { value: fee }))
          .to.be.revertedWithCustomError(f.bridge, error)
          .withArgs(...args);
      }
      await expect(f.bridge.connect(a)[CREATE_VM]([a.address], { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidParticipantCount")
        .withArgs(1, 100);
      await expect(f.bridge.connect(a)[CREATE_VM]([a.address, a.address], { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "DuplicateParticipant")
        .withArgs(a.address);
      expect(await bridgeState(f)).to.deep.equal(before);
      expect(await f.bridge.autoSessionNonce(a.address)).to.equal(0n);
    });

    it("refuses a second session with the same creator, salt and participants", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const salt = ethers.id("same");
      const { sessionId } = await openSession(f, a, [a, b], { salt });
      const before = await bridgeState(f, sessionId);
      await expect(f.bridge.connect(a)[CREATE]([a.address, b.address], [keyOf(a), keyOf(b)], salt, { value: await createFee(f) }))
        .to.be.revertedWithCustomError(f.bridge, "SessionExists")
        .withArgs(sessionId);
      expect(await bridgeState(f, sessionId)).to.deep.equal(before);
      // Another creator, or another participant order, is another session.
      const other = await openSession(f, b, [a, b], { salt });
      const swapped = await openSession(f, a, [b, a], { salt });
      expect(new Set([sessionId, other.sessionId, swapped.sessionId]).size).to.equal(3);
    });

    it("takes up to MAX_PARTICIPANTS (100) participants with every key in under half a 15M block", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a] = f.users;
      const hundred = [a.address, ...Array.from({ length: 99 }, (_, i) => ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(i + 1), 20)))];
      const salt = ethers.id("group");
      const keys = hundred.map((p) => keyOf({ address: p }));
      const tx = await f.bridge.connect(a)[CREATE](hundred, keys, salt, { value: await createFee(f), gasLimit: 14_000_000 });
      const receipt = (await tx.wait())!;
      const id = await f.bridge.deriveSessionId(a.address, salt, hundred);
      const info = await f.bridge.getSession(id);
      expect(info.participantCount).to.equal(100n);
      expect(info.status).to.equal(SessionStatus.Active);
      expect(info.channel).to.equal(true);
      expect(receipt.gasUsed).to.be.lessThan(7_500_000n);
      expect(await f.bridge.participantStatus(id, hundred[99])).to.deep.equal([true, true]);
      expect(await f.bridge.participantStatus(id, f.users[1].address)).to.deep.equal([false, false]);
    });

    it("reads an unknown session as None and refuses to return it", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const id = "0x07" + "11".repeat(31);
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.None);
      await expect(f.bridge.getSession(id)).to.be.revertedWithCustomError(f.bridge, "UnknownSession").withArgs(id);
      await expect(f.bridge.connect(f.users[0]).joinSession(id, keyOf(f.users[0])))
        .to.be.revertedWithCustomError(f.bridge, "UnknownSession")
        .withArgs(id);
      await expect(f.bridge.connect(f.users[0]).closeSession(id)).to.be.revertedWithCustomError(f.bridge, "UnknownSession").withArgs(id);
      await expect(f.bridge.connect(f.users[0])[SEND](id, 0, "0x01", { value: ethers.parseEther("1") }))
        .to.be.revertedWithCustomError(f.bridge, "UnknownSession")
        .withArgs(id);
    });
  });

  describe("joining", () => {
    it("refuses non-participants, second keys, wrong key lengths, and sessions that are not pending", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c, stranger] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b, c], { withKeys: [0] });
      const before = await bridgeState(f, id);
      await expect(f.bridge.connect(stranger).joinSession(id, keyOf(stranger)))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      await expect(f.bridge.connect(a).joinSession(id, keyOf(a)))
        .to.be.revertedWithCustomError(f.bridge, "AlreadyJoined")
        .withArgs(id, a.address);
      await expect(f.bridge.connect(b).joinSession(id, keyOf(b).slice(0, 1000)))
        .to.be.revertedWithCustomError(f.bridge, "InvalidKeyLength")
        .withArgs(0, 1000);
      await expect(f.bridge.connect(b).joinSession(id, "0x")).to.be.revertedWithCustomError(f.bridge, "InvalidKeyLength").withArgs(0, 0);
      expect(await bridgeState(f, id)).to.deep.equal(before);

      await f.bridge.connect(b).joinSession(id, keyOf(b));
      await expect(f.bridge.connect(b).joinSession(id, keyOf(b)))
        .to.be.revertedWithCustomError(f.bridge, "AlreadyJoined")
        .withArgs(id, b.address);
      // Closed and expired sessions take no keys.
      await f.bridge.connect(a).closeSession(id);
      await expect(f.bridge.connect(c).joinSession(id, keyOf(c)))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(id, SessionStatus.Closed);
      const { sessionId: late, expiresAt } = await openSession(f, a, [a, c], { withKeys: [0] });
      await time.setNextBlockTimestamp(expiresAt);
      await expect(f.bridge.connect(c).joinSession(late, keyOf(c)))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(late, SessionStatus.Expired);
    });
  });

  describe("messages", () => {
    it("takes messages from participants in sequence; ids, the head and the event match the TS mirror", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b]);
      const swarmId = inboxToSwarm(id, Number(await f.swarms.swarmCount()));
      let head = ZERO_HEAD;
      const msgs: [typeof a, Uint8Array][] = [
        [a, bytes(1, 1)],
        [b, bytes(1024, 2)],
        [a, bytes(1025, 3)],
      ];
      for (const [i, [sender, ct]] of msgs.entries()) {
        const fee = await messageFee(f, ct.length);
        const mid = messageId(id, i, sender.address, ct);
        expect(await f.bridge.connect(sender)[SEND].staticCall(id, i, ct, { value: fee })).to.deep.equal([mid, BigInt(i)]);
        await expect(f.bridge.connect(sender)[SEND](id, i, ct, { value: fee }))
          .to.emit(f.bridge, "MessageSent")
          .withArgs(id, swarmId, sender.address, i, mid, ethers.hexlify(ct), fee);
        head = nextMessageHead(head, mid);
        const info = await f.bridge.getSession(id);
        expect(info.messageCount).to.equal(BigInt(i + 1));
        expect(info.messageHead).to.equal(head);
      }
    });

    it("only participants send", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, stranger] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b]);
      const before = await bridgeState(f, id);
      const fee = await messageFee(f, 10);
      await expect(f.bridge.connect(stranger)[SEND](id, 0, bytes(10), { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      await expect(f.bridge.connect(stranger)[SEND_VM](id, bytes(10), { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, stranger.address);
      expect(await bridgeState(f, id)).to.deep.equal(before);
    });

    it("refuses a replayed or skipped sequence number", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b]);
      const ct = bytes(100);
      await send(f, a, id, ct);
      const before = await bridgeState(f, id);
      const fee = await messageFee(f, ct.length);
      // The same message again (same sender, sequence and bytes): a replay.
      await expect(f.bridge.connect(a)[SEND](id, 0, ct, { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSequence")
        .withArgs(id, 0, 1);
      await expect(f.bridge.connect(b)[SEND](id, 2, ct, { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSequence")
        .withArgs(id, 2, 1);
      expect(await bridgeState(f, id)).to.deep.equal(before);
    });

    it("refuses empty messages and messages over 16 KiB, and takes exactly 16 KiB", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b]);
      const before = await bridgeState(f, id);
      const big = ethers.parseEther("1");
      await expect(f.bridge.connect(a)[SEND](id, 0, "0x", { value: big })).to.be.revertedWithCustomError(f.bridge, "EmptyMessage");
      await expect(f.bridge.connect(a)[SEND](id, 0, bytes(16_385), { value: big }))
        .to.be.revertedWithCustomError(f.bridge, "MessageTooLarge")
        .withArgs(16_385, 16_384);
      await expect(f.bridge.connect(a)[SEND_VM](id, bytes(16_385), { value: big }))
        .to.be.revertedWithCustomError(f.bridge, "MessageTooLarge")
        .withArgs(16_385, 16_384);
      await expect(f.bridge.quoteMessage(0)).to.be.revertedWithCustomError(f.bridge, "EmptyMessage");
      await expect(f.bridge.quoteMessage(16_385)).to.be.revertedWithCustomError(f.bridge, "MessageTooLarge").withArgs(16_385, 16_384);
      expect(await bridgeState(f, id)).to.deep.equal(before);
      await expect(send(f, a, id, bytes(16_384))).to.emit(f.bridge, "MessageSent");
    });

    it("a pending session carries no messages", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b], { withKeys: [0] });
      await expect(f.bridge.connect(a)[SEND](id, 0, bytes(10), { value: await messageFee(f, 10) }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(id, SessionStatus.Pending);
    });

    it("PIP-0007 sendMessage(bytes32, bytes) takes the next sequence number", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id } = await openSession(f, a, [a, b]);
      await send(f, a, id, bytes(5, 5));
      const ct = bytes(2000, 6);
      const fee = await messageFee(f, ct.length);
      await expect(f.bridge.connect(b)[SEND_VM](id, ct, { value: fee }))
        .to.emit(f.bridge, "MessageSent")
        .withArgs(id, inboxToSwarm(id, 3), b.address, 1, messageId(id, 1, b.address, ct), ethers.hexlify(ct), fee);
      expect((await f.bridge.getSession(id)).messageCount).to.equal(2n);
    });

    it("stops a session at maxMessages (default 10,000, settable by the admin only)", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      expect(await f.bridge.maxMessages()).to.equal(10_000n);
      await expect(f.bridge.connect(a).setMaxMessages(3))
        .to.be.revertedWithCustomError(f.bridge, "AccessControlUnauthorizedAccount")
        .withArgs(a.address, await f.bridge.DEFAULT_ADMIN_ROLE());
      await expect(f.bridge.connect(f.admin).setMaxMessages(0))
        .to.be.revertedWithCustomError(f.bridge, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("maxMessages"), 0);
      await expect(f.bridge.connect(f.admin).setMaxMessages(1_000_001))
        .to.be.revertedWithCustomError(f.bridge, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("maxMessages"), 1_000_001);
      await expect(f.bridge.connect(f.admin).setMaxMessages(3))
        .to.emit(f.bridge, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("maxMessages"), 3);

      const { sessionId: id } = await openSession(f, a, [a, b]);
      for (let i = 0; i < 3; i++) await send(f, i % 2 ? b : a, id, bytes(32, i + 1));
      const before = await bridgeState(f, id);
      const fee = await messageFee(f, 32);
      await expect(f.bridge.connect(a)[SEND](id, 3, bytes(32), { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "MessageLimitReached")
        .withArgs(id, 3);
      await expect(f.bridge.connect(a)[SEND_VM](id, bytes(32), { value: fee }))
        .to.be.revertedWithCustomError(f.bridge, "MessageLimitReached")
        .withArgs(id, 3);
      expect(await bridgeState(f, id)).to.deep.equal(before);
      await f.bridge.connect(f.admin).setMaxMessages(4);
      await expect(send(f, a, id, bytes(32))).to.emit(f.bridge, "MessageSent");
    });
  });

  describe("expiry and closing", () => {
    it("a session expires sessionTTL after creation, by time alone", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id, expiresAt } = await openSession(f, a, [a, b]);
      await time.setNextBlockTimestamp(expiresAt - 1n);
      await expect(send(f, a, id, bytes(10))).to.emit(f.bridge, "MessageSent");
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Active);
      await time.setNextBlockTimestamp(expiresAt);
      await expect(f.bridge.connect(b)[SEND](id, 1, bytes(10), { value: await messageFee(f, 10) }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(id, SessionStatus.Expired);
      // The refused send was mined at expiresAt: views at the latest block see the session expired.
      expect(await time.latest()).to.equal(Number(expiresAt));
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Expired);
      expect((await f.bridge.getSession(id)).status).to.equal(SessionStatus.Expired);
      await expect(f.bridge.connect(a).closeSession(id))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(id, SessionStatus.Expired);
    });

    it("a pending session expires as well", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const { sessionId: id, expiresAt } = await openSession(f, a, [a, b], { withKeys: [] });
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Pending);
      await time.increaseTo(expiresAt);
      expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Expired);
    });

    it("a participant closes a pending or active session; it takes nothing more", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c, stranger] = f.users;
      const { sessionId: active } = await openSession(f, a, [a, b]);
      const { sessionId: pending } = await openSession(f, a, [a, b, c], { withKeys: [0] });
      await expect(f.bridge.connect(stranger).closeSession(active))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(active, stranger.address);

      await expect(f.bridge.connect(b).closeSession(active)).to.emit(f.bridge, "SessionClosed").withArgs(active, b.address);
      // A participant that has not supplied its key may close too.
      await expect(f.bridge.connect(c).closeSession(pending)).to.emit(f.bridge, "SessionClosed").withArgs(pending, c.address);
      for (const id of [active, pending]) {
        expect(await f.bridge.sessionStatus(id)).to.equal(SessionStatus.Closed);
        await expect(f.bridge.connect(a).closeSession(id))
          .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
          .withArgs(id, SessionStatus.Closed);
      }
      await expect(f.bridge.connect(a)[SEND](active, 0, bytes(10), { value: await messageFee(f, 10) }))
        .to.be.revertedWithCustomError(f.bridge, "InvalidSessionStatus")
        .withArgs(active, SessionStatus.Closed);
      // Closing stays closed after the expiry time.
      await time.increase(2 * DEFAULT_SESSION_TTL);
      expect(await f.bridge.sessionStatus(active)).to.equal(SessionStatus.Closed);
      expect(await f.bridge.health()).to.deep.equal([true, 0n, 0n]);
    });
  });

  describe("channels", () => {
    async function withTwoChannels() {
      const f = await loadFixture(deployBridgeSuite);
      await f.bridge.connect(f.admin).setMaxChannels(2);
      return f;
    }

    it("sessions of more than two participants count against maxChannels; two-party sessions do not", async () => {
      const f = await loadFixture(withTwoChannels);
      const [a, b, c, d] = f.users;
      await openSession(f, a, [a, b, c]);
      await openSession(f, a, [a, b, c, d]);
      expect(await f.bridge.channelSlotsUsed()).to.equal(2n);
      const before = await bridgeState(f);
      await expect(f.bridge.connect(a)[CREATE]([a.address, b.address, d.address], [keyOf(a), keyOf(b), keyOf(d)], ethers.id("3rd"), { value: await createFee(f) }))
        .to.be.revertedWithCustomError(f.bridge, "TooManyChannels")
        .withArgs(2, 2);
      await expect(f.bridge.connect(a)[CREATE_VM]([a.address, b.address, d.address], { value: await createFee(f) }))
        .to.be.revertedWithCustomError(f.bridge, "TooManyChannels")
        .withArgs(2, 2);
      expect(await bridgeState(f)).to.deep.equal(before);
      await openSession(f, a, [a, b]);
      expect(await f.bridge.health()).to.deep.equal([true, 3n, 2n]);
    });

    it("closing a channel frees its slot at once", async () => {
      const f = await loadFixture(withTwoChannels);
      const [a, b, c] = f.users;
      const first = await openSession(f, a, [a, b, c]);
      await openSession(f, a, [a, b, c]);
      await f.bridge.connect(c).closeSession(first.sessionId);
      expect(await f.bridge.channelSlotsUsed()).to.equal(1n);
      await expect(openSession(f, b, [a, b, c])).not.to.be.reverted;
      expect(await f.bridge.channelSlotsUsed()).to.equal(2n);
    });

    it("an expired channel's slot goes to the next channel, oldest first", async () => {
      const f = await loadFixture(withTwoChannels);
      const [a, b, c] = f.users;
      const first = await openSession(f, a, [a, b, c]);
      await time.increase(100);
      const second = await openSession(f, a, [a, b, c]);
      // At the first one's expiry the second is still open: the first slot is released, not the second.
      await time.setNextBlockTimestamp(first.expiresAt);
      const third = openSession(f, b, [a, b, c]);
      await expect(third).not.to.be.reverted;
      const receipt = (await third).receipt;
      const released = receipt.logs
        .map((l) => f.bridge.interface.parseLog(l))
        .filter((p) => p?.name === "ChannelReleased")
        .map((p) => p!.args.channelNumber);
      expect(released).to.deep.equal([1n]);
      expect(await f.bridge.channelSlotsUsed()).to.equal(2n);
      expect(await f.bridge.sessionStatus(second.sessionId)).to.equal(SessionStatus.Active);
      await expect(f.bridge.connect(a)[CREATE]([a.address, b.address, c.address], [keyOf(a), keyOf(b), keyOf(c)], ethers.id("4th"), { value: await createFee(f) }))
        .to.be.revertedWithCustomError(f.bridge, "TooManyChannels")
        .withArgs(2, 2);
    });

    it("keeps the queue in order when channels in the middle close, and drains expired ones on request", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c] = f.users;
      const opened = [];
      for (let i = 0; i < 5; i++) opened.push(await openSession(f, a, [a, b, c]));
      await f.bridge.connect(b).closeSession(opened[2].sessionId); // middle
      await f.bridge.connect(b).closeSession(opened[0].sessionId); // front
      await f.bridge.connect(b).closeSession(opened[4].sessionId); // back
      expect(await f.bridge.channelSlotsUsed()).to.equal(2n);
      // Lowering the limit keeps open channels; nothing has expired yet, so nothing is released.
      await f.bridge.connect(f.admin).setMaxChannels(1);
      expect(await f.bridge.releaseExpiredChannels.staticCall(10)).to.equal(0n);
      await time.increaseTo(opened[3].expiresAt);
      const tx = f.bridge.connect(c).releaseExpiredChannels(10);
      await expect(tx).to.emit(f.bridge, "ChannelReleased").withArgs(2n);
      await expect(tx).to.emit(f.bridge, "ChannelReleased").withArgs(4n);
      expect(await f.bridge.channelSlotsUsed()).to.equal(0n);
      await openSession(f, a, [a, b, c]);
      expect(await f.bridge.channelSlotsUsed()).to.equal(1n);
      await expect(f.bridge.connect(f.admin).setMaxChannels(100_001))
        .to.be.revertedWithCustomError(f.bridge, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("maxChannels"), 100_001);
    });
  });

  describe("health", () => {
    it("counts open sessions and channels; a close counts at once, an expiry by the end of its bucket", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c] = f.users;
      const two = await openSession(f, a, [a, b]);
      const three = await openSession(f, a, [a, b, c]);
      await openSession(f, b, [a, c], { withKeys: [] });
      expect(await f.bridge.health()).to.deep.equal([true, 3n, 1n]);
      await f.bridge.connect(a).closeSession(two.sessionId);
      expect(await f.bridge.health()).to.deep.equal([true, 2n, 1n]);

      const bucket = 3600n;
      const end = (three.expiresAt / bucket + 1n) * bucket; // the end of the bucket the last expiry falls in
      await time.increaseTo(end - 1n);
      expect(await f.bridge.sessionStatus(three.sessionId)).to.equal(SessionStatus.Expired);
      expect((await f.bridge.health())[1]).to.equal(2n); // still within the bucket: counted (never early)
      await time.increaseTo(end);
      expect(await f.bridge.health()).to.deep.equal([true, 0n, 0n]);
    });

    it("reports healthy only while the swarm network is healthy and the bridge is not paused", async () => {
      const f = await loadFixture(deployBridgeSuite);
      expect((await f.bridge.health())[0]).to.equal(true);
      await f.bridge.connect(f.guardian).pause();
      expect((await f.bridge.health())[0]).to.equal(false);
      await f.bridge.connect(f.guardian).unpause();
      const capacity = await f.swarms.storageCapacity();
      await f.swarms.connect(f.reporter).reportStorageUsed(f.nodeIds[0], (capacity * 9n) / 10n);
      expect(await f.swarms.isHealthy()).to.equal(false);
      expect((await f.bridge.health())[0]).to.equal(false);
    });
  });

  describe("pause", () => {
    it("the guardian stops creates and sends, never joins or closes", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b, c] = f.users;
      const { sessionId: active } = await openSession(f, a, [a, b]);
      const { sessionId: pending } = await openSession(f, a, [a, b, c], { withKeys: [0, 1] });
      await expect(f.bridge.connect(a).pause())
        .to.be.revertedWithCustomError(f.bridge, "AccessControlUnauthorizedAccount")
        .withArgs(a.address, await f.bridge.GUARDIAN_ROLE());
      await expect(f.bridge.connect(f.guardian).pause()).to.emit(f.bridge, "Paused").withArgs(f.guardian.address);
      await expect(f.bridge.connect(f.guardian).pause()).to.be.revertedWithCustomError(f.bridge, "EnforcedPause");

      const big = ethers.parseEther("1");
      await expect(f.bridge.connect(a)[CREATE]([a.address, b.address], [keyOf(a), keyOf(b)], ethers.id("p"), { value: big })).to.be.revertedWithCustomError(f.bridge, "EnforcedPause");
      await expect(f.bridge.connect(a)[CREATE_VM]([a.address, b.address], { value: big })).to.be.revertedWithCustomError(f.bridge, "EnforcedPause");
      await expect(f.bridge.connect(a)[SEND](active, 0, bytes(10), { value: big })).to.be.revertedWithCustomError(f.bridge, "EnforcedPause");
      await expect(f.bridge.connect(a)[SEND_VM](active, bytes(10), { value: big })).to.be.revertedWithCustomError(f.bridge, "EnforcedPause");

      await expect(f.bridge.connect(c).joinSession(pending, keyOf(c))).to.emit(f.bridge, "SessionActivated");
      await expect(f.bridge.connect(b).closeSession(active)).to.emit(f.bridge, "SessionClosed");
      // Collected fees still reach the pools while paused.
      await flushAll(f);
      expect(await ethers.provider.getBalance(await f.bridge.getAddress())).to.equal(0n);

      await expect(f.bridge.connect(a).unpause())
        .to.be.revertedWithCustomError(f.bridge, "AccessControlUnauthorizedAccount")
        .withArgs(a.address, await f.bridge.GUARDIAN_ROLE());
      await expect(f.bridge.connect(f.guardian).unpause()).to.emit(f.bridge, "Unpaused").withArgs(f.guardian.address);
      await expect(f.bridge.connect(f.guardian).unpause()).to.be.revertedWithCustomError(f.bridge, "ExpectedPause");
      await expect(send(f, c, pending, bytes(10))).to.emit(f.bridge, "MessageSent");
    });
  });

  describe("Warp forwarding", () => {
    it("forwards create, join, send and close in the version 1 payload, recorded by the messenger", async () => {
      const f = await loadFixture(withWarp);
      const bridgeAddress = await f.bridge.getAddress();
      const [a, b, c] = f.users;
      const opened = await openSession(f, a, [a, b, c], { withKeys: [0, 2] });
      const id = opened.sessionId;
      await f.bridge.connect(b).joinSession(id, keyOf(b));
      const ct = bytes(700, 9);
      const sendTx = send(f, c, id, ct);
      await expect(sendTx).to.emit(f.warp, "SendWarpMessage");
      await f.bridge.connect(a).closeSession(id);

      const expected = [
        {
          kind: WarpKind.SessionCreated as const,
          sessionId: id,
          creator: a.address,
          expiresAt: opened.expiresAt,
          participants: [a.address, b.address, c.address],
          mlkemPublicKeys: [ethers.hexlify(keyOf(a)), "0x", ethers.hexlify(keyOf(c))],
        },
        { kind: WarpKind.ParticipantJoined as const, sessionId: id, participant: b.address, mlkemPublicKey: ethers.hexlify(keyOf(b)) },
        { kind: WarpKind.MessageSent as const, sessionId: id, sender: c.address, sequence: 0n, messageId: messageId(id, 0, c.address, ct), ciphertext: ethers.hexlify(ct) },
        { kind: WarpKind.SessionClosed as const, sessionId: id, by: a.address },
      ];
      expect(await f.warp.mock__count()).to.equal(BigInt(expected.length));
      for (const [i, want] of expected.entries()) {
        const [sender, payload] = await f.warp.mock__message(i);
        expect(sender).to.equal(bridgeAddress);
        expect(payload).to.equal(encodeWarpPayload(want));
        expect(decodeWarpPayload(payload)).to.deep.equal(want);
      }
    });

    it("forwards PIP-0007 sessions with empty keys, and nothing once the messenger is unset", async () => {
      const f = await loadFixture(withWarp);
      const [a, b] = f.users;
      const fee = await createFee(f);
      await f.bridge.connect(a)[CREATE_VM]([a.address, b.address], { value: fee });
      const [, payload] = await f.warp.mock__message(0);
      const decoded = decodeWarpPayload(payload);
      expect(decoded.kind).to.equal(WarpKind.SessionCreated);
      if (decoded.kind === WarpKind.SessionCreated) expect(decoded.mlkemPublicKeys).to.deep.equal(["0x", "0x"]);

      await expect(f.bridge.connect(a).setMessenger(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.bridge, "AccessControlUnauthorizedAccount")
        .withArgs(a.address, await f.bridge.DEFAULT_ADMIN_ROLE());
      await expect(f.bridge.connect(f.admin).setMessenger(ethers.ZeroAddress))
        .to.emit(f.bridge, "MessengerSet")
        .withArgs(await f.warp.getAddress(), ethers.ZeroAddress);
      const { sessionId } = await openSession(f, a, [a, b]);
      await send(f, a, sessionId, bytes(10));
      await f.bridge.connect(b).closeSession(sessionId);
      expect(await f.warp.mock__count()).to.equal(1n);
    });

    it("a failing messenger reverts the whole action", async () => {
      const f = await loadFixture(withWarp);
      const [a, b] = f.users;
      await f.warp.mock__setReverts(true);
      const before = await bridgeState(f);
      await expect(f.bridge.connect(a)[CREATE]([a.address, b.address], [keyOf(a), keyOf(b)], ethers.id("w"), { value: await createFee(f) })).to.be.revertedWithCustomError(f.warp, "WarpMessengerReverted");
      expect(await bridgeState(f)).to.deep.equal(before);
    });
  });

  describe("PIP-0007 from a contract", () => {
    it("a contract opens sessions for its users; refunds reach it, or the call reverts if it refuses them", async () => {
      const f = await loadFixture(deployBridgeSuite);
      const [a, b] = f.users;
      const client = await ethers.deployContract("SessionVMUser__Mock");
      const clientAddress = await client.getAddress();
      const fee = await createFee(f);
      const extra = 777n;
      const tx = client.createEncryptedChannel(await f.bridge.getAddress(), [a.address, b.address], { value: fee + extra });
      await expect(tx).to.changeEtherBalances([clientAddress, await f.bridge.getAddress()], [extra, fee]);
      const id = await client.lastSessionId();
      expect(id).to.equal(
        deriveSessionId({ chainId: f.chainId, bridge: await f.bridge.getAddress(), creator: clientAddress, salt: autoSalt(0), participants: [a.address, b.address] }),
      );
      // The contract is not a participant: it may open the session but not send into it.
      await f.bridge.connect(a).joinSession(id, keyOf(a));
      await f.bridge.connect(b).joinSession(id, keyOf(b));
      await expect(client.post(await f.bridge.getAddress(), id, bytes(10), { value: await messageFee(f, 10) }))
        .to.be.revertedWithCustomError(f.bridge, "NotParticipant")
        .withArgs(id, clientAddress);

      await client.mock__setRefuseRefunds(true);
      await expect(client.createEncryptedChannel(await f.bridge.getAddress(), [a.address, b.address], { value: fee + extra }))
        .to.be.revertedWithCustomError(f.bridge, "RefundFailed")
        .withArgs(clientAddress, extra);
      // Paying the exact fee needs no refund.
      await expect(client.createEncryptedChannel(await f.bridge.getAddress(), [a.address, b.address], { value: fee })).not.to.be.reverted;
    });
  });
});
