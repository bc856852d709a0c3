/**
 * The network page end to end: `npm run explorer` is started once (an in-process network populated
 * as the demo populates it, the page and its JSON on a free loopback port, the chain on another), a
 * headless Chromium (playwright-core driving @sparticuz/chromium) opens every view, and what the page
 * shows is compared with what this test reads from the contracts itself over the explorer's JSON-RPC
 * port, at the block the page states. Screenshots of each view go to artifacts-test/explorer/.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { JsonRpcProvider, id as keccakId } from "ethers";
import type { Browser, Page } from "playwright-core";
import {
  NodeLens__factory,
  ServiceNodeRegistry__factory,
  ServiceNodeRewards__factory,
  SessionBridge__factory,
  SwarmCoordinator__factory,
  NodeDirectory__factory,
  type NodeLens,
  type ServiceNodeRegistry,
  type ServiceNodeRewards,
  type SessionBridge,
  type SwarmCoordinator,
  type NodeDirectory,
} from "../../typechain-types";
import { REQUIREMENT, buildRegistration, nodeKeys } from "../helpers/suite";
import { epochOf } from "../../src/heartbeat";
import { decodeMultiaddr } from "../../src/multiaddr";

const ROOT = path.resolve(__dirname, "..", "..");
const SHOTS = path.join(ROOT, "artifacts-test", "explorer");

/** The page's PARS format: thousands grouped, at most 4 decimals, rounded down. */
function pars(wei: bigint): string {
  const whole = (wei / 10n ** 18n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = ((wei % 10n ** 18n) / 10n ** 14n).toString().padStart(4, "0").replace(/0+$/, "");
  return `${whole}${frac ? "." + frac : ""} PARS`;
}
const pct = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)} %`;

interface Explorer {
  child: ChildProcess;
  url: string;
  rpc: string;
  deployments: string;
  output: () => string;
}

async function startExplorer(timeoutMs: number): Promise<Explorer> {
  const child = spawn("npm", ["run", "explorer"], {
    cwd: ROOT,
    env: { ...process.env, PARS_EXPLORER_PORT: "0", PARS_EXPLORER_RPC_PORT: "0", HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: npm, hardhat and anything under them stop together
  });
  let out = "";
  const urls = await new Promise<{ url: string; rpc: string; deployments: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run explorer did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /^explorer: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      const rpc = /^rpc: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      const deployments = /^deployments: (.+)$/m.exec(out)?.[1];
      if (url && rpc && deployments) {
        clearTimeout(timer);
        resolve({ url, rpc, deployments });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run explorer exited with ${code}:\n${out}`));
    });
  });
  return { child, ...urls, output: () => out };
}

function stopExplorer(e: Explorer | undefined): void {
  if (!e || e.child.exitCode !== null || e.child.pid === undefined) return;
  try {
    process.kill(-e.child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/**
 * `npx hardhat explorer` for the explorer's recorded deployment, reading its chain as a remote node
 * (`--network localhost` pointed at the explorer's JSON-RPC port).
 */
function startTask(e: Explorer): { child: ChildProcess; ready: Promise<string> } {
  const cli = require.resolve("hardhat/internal/cli/cli.js");
  const child = spawn(process.execPath, [cli, "explorer", "--network", "localhost", "--port", "0", "--deployments-dir", e.deployments], {
    cwd: ROOT,
    env: { ...process.env, LOCALHOST_RPC_URL: e.rpc, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hardhat explorer did not start:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /^explorer: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`hardhat explorer exited with ${code}:\n${out}`));
    });
  });
  ready.catch(() => undefined); // reported by the test that awaits it
  return { child, ready };
}

async function launchBrowser(): Promise<Browser> {
  const chromium = (await import("@sparticuz/chromium")).default;
  const { chromium: pw } = await import("playwright-core");
  return pw.launch({
    executablePath: await chromium.executablePath(),
    args: [
      ...chromium.args,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // playwright gives every launch a fresh, temporary profile (its own --user-data-dir).
  });
}

describe("the network page (npm run explorer, headless Chromium)", function () {
  this.timeout(300_000);

  let explorer: Explorer | undefined;
  let browser: Browser;
  let page: Page;
  let provider: JsonRpcProvider;
  let registry: ServiceNodeRegistry;
  let swarms: SwarmCoordinator;
  let lens: NodeLens;
  let rewards: ServiceNodeRewards;
  let bridge: SessionBridge;
  let directory: NodeDirectory;
  const requests: string[] = [];
  const pageErrors: string[] = [];
  let task: { child: ChildProcess; ready: Promise<string> } | undefined;

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const [started, launched] = await Promise.allSettled([startExplorer(280_000), launchBrowser()]);
    if (started.status === "fulfilled") explorer = started.value;
    // Should mocha be stopped before `after` runs, the explorer's processes stop with it.
    process.once("exit", () => stopExplorer(explorer));
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
    const e = started.value;
    task = startTask(e); // starts while the views are checked; its own test waits for it
    provider = new JsonRpcProvider(e.rpc, undefined, { staticNetwork: true, pollingInterval: 100 });
    const info = (await (await fetch(`${e.url}/api/block`)).json()) as { addresses: Record<string, string> };
    const a = info.addresses;
    lens = NodeLens__factory.connect(a.NodeLens, provider);
    // The lens's own wiring, read from the chain, names the contracts the server claims.
    expect(await lens.REGISTRY()).to.equal(a.ServiceNodeRegistry);
    expect(await lens.SWARMS()).to.equal(a.SwarmCoordinator);
    expect(await lens.DIRECTORY()).to.equal(a.NodeDirectory);
    registry = ServiceNodeRegistry__factory.connect(a.ServiceNodeRegistry, provider);
    swarms = SwarmCoordinator__factory.connect(a.SwarmCoordinator, provider);
    rewards = ServiceNodeRewards__factory.connect(a.ServiceNodeRewards, provider);
    bridge = SessionBridge__factory.connect(a.SessionBridge!, provider);
    directory = NodeDirectory__factory.connect(a.NodeDirectory, provider);
    expect(await registry.getAddress()).to.equal(await rewards.REGISTRY());
    // An explicit locale: the environment's (such as "en-US@posix") is not a valid BCP 47 tag for Intl.
    page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: "en-US" });
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    stopExplorer(explorer);
    if (task && task.child.exitCode === null) task.child.kill("SIGTERM");
    provider?.destroy();
  });

  /** Opens a view and returns the block the page states it shows. */
  async function open(hash: string, viewName: string): Promise<number> {
    await page.goto(`${explorer!.url}/#${hash}`);
    await page.waitForSelector(`#view[data-view="${viewName}"][data-block]`);
    const shown = Number(await page.getAttribute("#block", "data-block"));
    expect(Number(await page.getAttribute("#view", "data-block"))).to.equal(shown);
    return shown;
  }
  const field = (name: string) => page.locator(`[data-field="${name}"]`).first();

  it("shows the network health of the block it states", async () => {
    const block = await open("/health", "health");
    expect(await page.textContent("#block")).to.equal(String(block));
    const h = await swarms.networkHealth({ blockTag: block });
    expect(await field("totalNodes").textContent()).to.equal(h.totalNodes.toString());
    expect(await field("activeNodes").textContent()).to.equal(h.activeNodes.toString());
    expect(await field("swarmCount").textContent()).to.equal(h.swarmCount.toString());
    expect(await field("minSwarmSize").textContent()).to.equal(h.minSwarmSize.toString());
    expect(await field("maxSwarmSize").textContent()).to.equal(h.maxSwarmSize.toString());
    expect(await field("averageSwarmSize").getAttribute("data-wad")).to.equal(h.averageSwarmSizeWad.toString());
    expect(await field("storageCapacity").getAttribute("data-bytes")).to.equal(h.storageCapacity.toString());
    expect(await field("storageUsed").getAttribute("data-bytes")).to.equal(h.storageUsed.toString());
    expect(await field("replicationOk").getAttribute("data-value")).to.equal(String(h.replicationOk));
    expect(await field("isHealthy").getAttribute("data-value")).to.equal(String(await swarms.isHealthy({ blockTag: block })));
    expect(await field("isHealthy").textContent()).to.match(h.healthy ? /^healthy$/ : /not healthy/);
    expect(await field("feeMultiplier").getAttribute("data-value")).to.equal((await bridge.feeMultiplier({ blockTag: block })).toString());
    expect(await field("totalActiveStake").textContent()).to.equal(pars(await registry.totalActiveStake({ blockTag: block })));
    await page.screenshot({ path: path.join(SHOTS, "health.png"), fullPage: true });
  });

  it("draws every swarm with its members", async () => {
    const block = await open("/swarms", "swarms");
    const count = Number(await swarms.swarmCount({ blockTag: block }));
    expect(count).to.be.greaterThan(1);
    expect(await page.locator("section.swarm").count()).to.equal(count);
    for (let w = 0; w < count; w++) {
      const members = (await swarms.swarmMembers(w, { blockTag: block })).map(String);
      const card = page.locator(`section.swarm[data-swarm="${w}"]`);
      expect((await card.getAttribute("data-members"))!.split(",")).to.deep.equal(members);
      // Drawn (one linked circle per node) and listed with status in words, not colour alone.
      expect(await card.locator("svg a circle").count()).to.equal(members.length);
      for (const m of members) {
        const status = Number((await registry.getNode(m, { blockTag: block })).status);
        expect(await card.locator(`li[data-node="${m}"] .status`).textContent()).to.equal(["None", "Awaiting", "Active", "Decommissioning", "Retired", "Cancelled"][status]);
      }
    }
    await page.screenshot({ path: path.join(SHOTS, "swarms.png"), fullPage: true });
  });

  it("finds the swarm of a typed inbox id, with its nodes' endpoints and key fingerprints", async () => {
    await open("/swarms", "swarms");
    const inbox = keccakId("an inbox the page is asked about");
    await page.fill("#inbox-id", inbox);
    await page.press("#inbox-id", "Enter");
    await page.waitForSelector('[data-field="inboxSwarm"]');
    const block = Number(await page.getAttribute("#block", "data-block"));
    const expected = await swarms.swarmForInbox(inbox, { blockTag: block });
    expect(await field("inboxSwarm").textContent()).to.equal(`swarm ${expected}`);
    expect(await page.getAttribute("section.swarm.highlight", "data-swarm")).to.equal(expected.toString());
    const [, members] = await lens.swarmForInbox(inbox, { blockTag: block });
    const rows = page.locator("#inbox-answer tbody tr");
    expect(await rows.count()).to.equal(members.length);
    for (const [i, m] of members.entries()) {
      const cells = rows.nth(i).locator("td");
      expect(await cells.nth(0).textContent()).to.equal(`node ${m.nodeId}`);
      expect(await cells.nth(2).textContent()).to.equal(decodeMultiaddr(await directory.endpointOf(m.nodeId, { blockTag: block })) || "—");
      expect(await cells.nth(3).locator("code").getAttribute("title")).to.equal(m.transportKeys.current);
    }
    await page.screenshot({ path: path.join(SHOTS, "inbox.png"), fullPage: true });
    // The JSON beside it is the directory's answer, the same swarm.
    const json = (await (await fetch(`${explorer!.url}/api/inbox/${inbox}?block=${block}`)).json()) as { swarmId: number; nodes: { nodeId: number }[] };
    expect(json.swarmId).to.equal(Number(expected));
    expect(json.nodes.map((n) => n.nodeId)).to.deep.equal(members.map((m) => Number(m.nodeId)));
  });

  it("shows a node's stake, penalty, uptime, contributors and history equal to the contract's views", async () => {
    const last = Number(await registry.lastNodeId());
    let penalised = 0;
    for (let i = 1; i <= last && penalised === 0; i++) {
      const v = await registry.getNode(i);
      if (v.status === 2n && v.penaltyBps > 0n) penalised = i;
    }
    expect(penalised, "the demo leaves an active, penalised node").to.be.greaterThan(0);
    const block = await open(`/node/${penalised}`, "node");
    const v = await registry.getNode(penalised, { blockTag: block });
    expect(await field("stake").getAttribute("data-wei")).to.equal(v.stake.toString());
    expect(await field("stake").textContent()).to.equal(pars(v.stake));
    expect(await field("penalty").getAttribute("data-bps")).to.equal(v.penaltyBps.toString());
    expect(await field("penalty").textContent()).to.equal(pct(v.penaltyBps));
    expect(await field("uptime").getAttribute("data-bps")).to.equal((await registry.uptimeScore(penalised, { blockTag: block })).toString());
    expect(await field("uptime").textContent()).to.equal(pct(v.uptimeBps));
    expect(await field("operatorFee").getAttribute("data-bps")).to.equal(v.operatorFeeBps.toString());
    expect(await field("claimableOperator").getAttribute("data-wei")).to.equal((await rewards.claimable(penalised, v.operator, { blockTag: block })).toString());
    const contributors = await registry.getContributors(penalised, { blockTag: block });
    const amounts = await page.locator("td span[data-wei]").evaluateAll((els) => els.map((e) => e.getAttribute("data-wei")));
    expect(amounts).to.deep.equal(contributors.map((c) => c.amount.toString()));
    // The chart is drawn (uPlot, served from this origin) and its figures are in a table too.
    await page.waitForSelector("#chart canvas");
    expect(await page.locator("details table tbody tr").count()).to.be.greaterThan(1);
    await page.screenshot({ path: path.join(SHOTS, "node.png"), fullPage: true });

    // The JSON of a node with a rotated transport key and a manager; one awaiting contributions with a reserved slot.
    const n1 = (await (await fetch(`${explorer!.url}/api/nodes/1?block=${block}`)).json()) as { manager: string; transportKeyHistory: unknown[]; previousTransportKey: unknown; pendingFee: unknown };
    expect(n1.manager).to.equal(await directory.managerOf(1, { blockTag: block }));
    expect(n1.transportKeyHistory).to.have.length(2);
    expect(n1.previousTransportKey).to.not.equal(null);
    const awaiting = (await (await fetch(`${explorer!.url}/api/nodes/${last}?block=${block}`)).json()) as { status: string; reservedSlots: { amount: string; filled: boolean }[] };
    expect(awaiting.status).to.equal("AwaitingContributions");
    expect(awaiting.reservedSlots).to.have.length(1);
    expect(awaiting.reservedSlots[0].filled).to.equal(false);
    const pending = await directory.pendingFee(3, { blockTag: block });
    const n3 = (await (await fetch(`${explorer!.url}/api/nodes/3?block=${block}`)).json()) as { pendingFee: { feeBps: number; effectiveAt: number } };
    expect(n3.pendingFee).to.deep.equal({ feeBps: Number(pending.feeBps), effectiveAt: Number(pending.effectiveAt) });
  });

  it("shows fee pools, the treasury's share and sessions", async () => {
    const block = await open("/fees", "fees");
    const [, sessions, channels] = await bridge.health({ blockTag: block });
    expect(await field("activeSessions").textContent()).to.equal(sessions.toString());
    expect(await field("activeChannels").getAttribute("data-value")).to.equal(channels.toString());
    expect(await field("treasuryFees").getAttribute("data-wei")).to.equal((await rewards.treasuryOwed({ blockTag: block })).toString());
    expect(await field("treasuryPenalties").getAttribute("data-wei")).to.equal((await registry.treasuryOwed({ blockTag: block })).toString());
    expect(await field("quoteCreateSession").getAttribute("data-wei")).to.equal((await bridge.quoteCreateSession({ blockTag: block })).toString());
    const paid = await field("totalPaidToSwarms").getAttribute("data-wei");
    expect(BigInt(paid!)).to.be.greaterThan(0n); // the demo's session paid fees into a swarm's pool
    await page.screenshot({ path: path.join(SHOTS, "fees.png"), fullPage: true });
  });

  it("serves the JSON behind the views, equal to the contracts' views", async () => {
    const get = async (p: string) => {
      const res = await fetch(`${explorer!.url}${p}`);
      return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const block = await provider.getBlockNumber();
    const health = (await get(`/api/health?block=${block}`)).body;
    const h = await swarms.networkHealth({ blockTag: block });
    expect(health.block).to.equal(block);
    expect([health.totalNodes, health.activeNodes, health.swarmCount, health.minSwarmSize]).to.deep.equal([h.totalNodes, h.activeNodes, h.swarmCount, h.minSwarmSize].map(Number));
    expect([health.storageCapacity, health.storageUsed, health.averageSwarmSizeWad]).to.deep.equal([h.storageCapacity, h.storageUsed, h.averageSwarmSizeWad].map(String));
    expect([health.replicationOk, health.isHealthy]).to.deep.equal([h.replicationOk, h.healthy]);
    const all = (await get(`/api/swarms?block=${block}`)).body;
    expect(all.swarms).to.have.length(Number(h.swarmCount));
    for (const s of all.swarms) {
      expect(s.nodes.map((n: { nodeId: number }) => String(n.nodeId))).to.deep.equal((await swarms.swarmMembers(s.swarmId, { blockTag: block })).map(String));
      expect(s.stake).to.equal((await rewards.swarmStake(s.swarmId, { blockTag: block })).toString());
      expect(s.pendingFees).to.equal((await bridge.pendingFees(s.swarmId, { blockTag: block })).toString());
    }
    const one = (await get(`/api/swarms/1?block=${block}`)).body;
    expect(one.nodes.map((n: { nodeId: number }) => String(n.nodeId))).to.deep.equal((await swarms.swarmMembers(1, { blockTag: block })).map(String));
    for (const id of [1, 16]) {
      const node = (await get(`/api/nodes/${id}?block=${block}`)).body;
      const v = await registry.getNode(id, { blockTag: block });
      expect([node.stake, node.penaltyBps, node.uptimeBps, node.operatorFeeBps]).to.deep.equal([v.stake.toString(), Number(v.penaltyBps), Number(v.uptimeBps), Number(v.operatorFeeBps)]);
      expect(node.heartbeats.length).to.equal((await registry.queryFilter(registry.filters.HeartbeatAccepted(id), 0, block)).length);
    }
    const list = (await get(`/api/nodes?from=1&count=5&block=${block}`)).body;
    expect(list.nodes.map((n: { nodeId: number }) => n.nodeId)).to.deep.equal([1, 2, 3, 4, 5]);
    const inbox = keccakId("a script's inbox");
    const answer = (await get(`/api/inbox/${inbox}?block=${block}`)).body;
    expect(answer.swarmId).to.equal(Number(await swarms.swarmForInbox(inbox, { blockTag: block })));
    for (const n of answer.nodes) {
      expect(n.transportKeyHash).to.equal((await directory.transportKeys(n.nodeId, { blockTag: block })).current);
      expect(await directory.nodeIdByMldsaKey(n.identityKeyHash, { blockTag: block })).to.equal(BigInt(n.nodeId));
    }
    const fees = (await get(`/api/fees?block=${block}`)).body;
    expect(fees.treasuryOwed.fees).to.equal((await rewards.treasuryOwed({ blockTag: block })).toString());
    expect(fees.sessions.activeSessions).to.equal(Number((await bridge.health({ blockTag: block }))[1]));
    expect((await get("/api/nodes/9999")).status).to.equal(404);
    expect((await get("/api/inbox/not-an-id")).status).to.equal(400);
    expect((await get("/api/swarms/999")).status).to.equal(404);
  });

  it("shows a node joining on the open page, without a reload", async () => {
    const before = await open("/swarms", "swarms");
    await page.evaluate("window.__stillThisPage = true");
    const chainId = (await provider.getNetwork()).chainId;
    const accounts = (await provider.send("eth_accounts", [])) as string[];
    const operator = await provider.getSigner(accounts[21]);
    const latest = await provider.getBlock("latest");
    const keys = nodeKeys("explorer-test-joiner", epochOf(latest!.timestamp));
    const reg = await buildRegistration(registry, operator.address, keys, { chainId, registryAddress: await registry.getAddress() });
    await (await registry.connect(operator).register(reg, { value: REQUIREMENT })).wait();
    const joined = await registry.lastNodeId();
    await page.waitForSelector(`section.swarm li[data-node="${joined}"]`, { timeout: 20_000 });
    const shown = Number(await page.getAttribute("#block", "data-block"));
    expect(shown).to.be.greaterThan(before);
    expect(await page.evaluate("window.__stillThisPage")).to.equal(true);
    const where = await swarms.swarmOf(joined, { blockTag: shown });
    expect((await page.getAttribute(`section.swarm[data-swarm="${where}"]`, "data-members"))!.split(",")).to.include(joined.toString());
    // The layout's latest changes list the join, as the coordinator's event has it.
    const [joinEvent] = await swarms.queryFilter(swarms.filters.NodeJoinedSwarm(joined), 0, shown);
    expect(await page.locator("main table").last().textContent()).to.include(`node ${joined} joined swarm ${joinEvent.args.swarmId}`);
    await page.screenshot({ path: path.join(SHOTS, "joined.png"), fullPage: true });
  });

  it("is served for a recorded deployment by `npx hardhat explorer --network <name> --port <n>`", async () => {
    const url = await task!.ready;
    const block = await provider.getBlockNumber();
    for (const p of [`/api/health?block=${block}`, `/api/swarms?block=${block}`, `/api/nodes/3?block=${block}`]) {
      const [mine, theirs] = await Promise.all([fetch(`${url}${p}`).then((r) => r.json()), fetch(`${explorer!.url}${p}`).then((r) => r.json())]);
      expect(mine, p).to.deep.equal(theirs);
    }
    await page.goto(`${url}/#/health`);
    await page.waitForSelector('#view[data-view="health"][data-block]');
    expect(await field("activeNodes").textContent()).to.equal((await swarms.activeNodes()).toString());
  });

  it("fits a phone's width, is keyboard-navigable and loads nothing from beyond loopback", async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 }, locale: "en-US" });
    phone.on("request", (r) => requests.push(r.url()));
    await phone.goto(`${explorer!.url}/#/swarms`);
    await phone.waitForSelector('#view[data-view="swarms"]');
    const overflow = (await phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
    expect(overflow).to.be.at.most(0);
    // Tab reaches the skip link, then the views' links; Enter on one opens it.
    await phone.keyboard.press("Tab");
    expect(await phone.evaluate("document.activeElement && document.activeElement.textContent")).to.equal("Skip to content");
    await phone.keyboard.press("Tab");
    expect(await phone.evaluate("document.activeElement && document.activeElement.getAttribute('href')")).to.equal("#/health");
    await phone.keyboard.press("Enter");
    await phone.waitForSelector('#view[data-view="health"]');
    await phone.screenshot({ path: path.join(SHOTS, "phone-health.png"), fullPage: true });
    expect(requests.filter((u) => !u.startsWith("http://127.0.0.1:"))).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });
});
