// The network page: renders the JSON of /api/* (src/explorer/server.ts) into views selected by the
// location hash, and re-renders the open view at every new block the server announces (Server-Sent
// Events on /api/events). Everything shown is at one block, stated in the header.
"use strict";

(function () {
  const view = document.getElementById("view");
  const loading = document.getElementById("loading");
  const blockEl = document.getElementById("block");
  const blockTime = document.getElementById("block-time");
  const jsonLinks = document.getElementById("json-links");
  let head = null; // latest block announced by the server
  let rendering = Promise.resolve();
  let inboxQuery = ""; // the inbox id looked up
  let inboxDraft = ""; // what is typed in the box (kept across re-renders at new blocks)
  let chart = null;

  // ------------------------------------------------------------------ formatting

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  /** wei (decimal string) → "15,000 PARS" / "0.0012 PARS" (up to 4 decimals, rounded down). */
  function pars(wei) {
    const v = BigInt(wei);
    const neg = v < 0n;
    const a = neg ? -v : v;
    const whole = a / 10n ** 18n;
    const frac = ((a % 10n ** 18n) / 10n ** 14n).toString().padStart(4, "0").replace(/0+$/, "");
    const w = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return `${neg ? "-" : ""}${w}${frac ? "." + frac : ""} PARS`;
  }
  const bps = (b) => `${(Number(b) / 100).toFixed(2)} %`;
  const when = (t) => (t ? new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z") : "—");
  const short = (a) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "—");
  const addr = (a) => (a ? `<span class="mono" title="${esc(a)}">${esc(a)}</span>` : "—");
  const bytes = (n) => {
    const v = Number(n);
    if (v >= 2 ** 30) return `${(v / 2 ** 30).toFixed(2)} GiB`;
    if (v >= 2 ** 20) return `${(v / 2 ** 20).toFixed(2)} MiB`;
    if (v >= 2 ** 10) return `${(v / 2 ** 10).toFixed(1)} KiB`;
    return `${v} B`;
  };
  const yes = (b, t, f) => `<span class="${b ? "ok" : "bad"}">${b ? t : f}</span>`;
  const status = (s) => `<span class="status status-${esc(s)}">${esc(s === "AwaitingContributions" ? "Awaiting" : s)}</span>`;
  const figure = (field, label, valueHtml, extra = "") => `<div class="figure"><dt>${esc(label)}</dt><dd data-field="${field}"${extra}>${valueHtml}</dd></div>`;
  const weiFigure = (field, label, wei) => figure(field, label, esc(pars(wei)), ` data-wei="${esc(wei)}"`);
  const nodeLink = (id) => `<a href="#/node/${id}">node ${id}</a>`;
  function table(headers, rows, caption) {
    if (rows.length === 0) return `<p>None${caption ? ` (${esc(caption)})` : ""}.</p>`;
    return `<div class="scroll"><table>${caption ? `<caption class="skip">${esc(caption)}</caption>` : ""}<thead><tr>${headers
      .map((h) => `<th scope="col">${esc(h)}</th>`)
      .join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`;
  }

  async function getJson(url) {
    const res = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
    return body;
  }

  // ------------------------------------------------------------------ views

  const STATUS_ORDER = ["Active", "AwaitingContributions", "Decommissioning", "Retired", "Cancelled"];
  const DASH = { Active: "", AwaitingContributions: "4 2", Decommissioning: "2 2", Retired: "1 3", Cancelled: "1 3" };

  function legend() {
    return `<p class="legend" aria-hidden="true">${STATUS_ORDER.map(
      (s) => `<span><svg width="14" height="14" viewBox="0 0 14 14"><circle cx="7" cy="7" r="5" class="status-${s}" fill="currentColor" fill-opacity=".25" stroke="currentColor" stroke-width="2" stroke-dasharray="${DASH[s]}"/></svg> ${esc(s)}</span>`,
    ).join("")} · circle area ∝ stake</p>`;
  }

  /** One swarm drawn: its nodes on a ring, sized by stake, coloured and dashed by status, each a link. */
  function swarmSvg(s) {
    const n = s.nodes.length;
    const maxStake = Math.max(1, ...s.nodes.map((m) => Number(BigInt(m.stake) / 10n ** 18n)));
    const items = s.nodes
      .map((m, i) => {
        const angle = (2 * Math.PI * i) / Math.max(n, 1) - Math.PI / 2;
        const cx = 100 + (n > 1 ? 62 * Math.cos(angle) : 0);
        const cy = 90 + (n > 1 ? 62 * Math.sin(angle) : 0);
        const r = 8 + 14 * Math.sqrt(Number(BigInt(m.stake) / 10n ** 18n) / maxStake);
        return `<a href="#/node/${m.nodeId}" aria-label="node ${m.nodeId}, ${esc(m.status)}, stake ${esc(pars(m.stake))}">
          <circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" class="status-${esc(m.status)}" fill="currentColor" fill-opacity=".22" stroke="currentColor" stroke-width="2.5" stroke-dasharray="${DASH[m.status] || ""}"/>
          <text x="${cx.toFixed(1)}" y="${(cy + 4).toFixed(1)}" text-anchor="middle" font-size="12" fill="#1b1f24">${m.nodeId}</text></a>`;
      })
      .join("");
    return `<svg viewBox="0 0 200 180" role="group" aria-label="swarm ${s.swarmId}: ${n} nodes">${items}</svg>`;
  }

  function swarmCard(s, highlighted) {
    return `<section class="swarm${highlighted ? " highlight" : ""}" data-swarm="${s.swarmId}" data-members="${s.nodes.map((m) => m.nodeId).join(",")}" aria-labelledby="swarm-h-${s.swarmId}">
      <h3 id="swarm-h-${s.swarmId}">Swarm ${s.swarmId}${highlighted ? " — serves the inbox" : ""}</h3>
      <p>${s.size} nodes · stake ${esc(pars(s.stake))}</p>
      ${swarmSvg(s)}
      <ul>${s.nodes.map((m) => `<li data-node="${m.nodeId}">${nodeLink(m.nodeId)} ${status(m.status)} <span>${esc(pars(m.stake))}</span> <span>uptime ${bps(m.uptimeBps)}</span></li>`).join("")}</ul>
    </section>`;
  }

  async function renderHealth(block) {
    const h = await getJson(`/api/health?block=${block}`);
    view.innerHTML = `<h2 id="health-h">Network health</h2>
      <dl class="grid" aria-labelledby="health-h">
        ${figure("isHealthy", "Healthy (isHealthy)", yes(h.isHealthy, "healthy", "not healthy"), ` data-value="${h.isHealthy}"`)}
        ${figure("totalNodes", "Nodes total", h.totalNodes)}
        ${figure("activeNodes", "Nodes active", h.activeNodes)}
        ${figure("swarmCount", "Swarms", h.swarmCount)}
        ${figure("averageSwarmSize", "Average swarm size", h.averageSwarmSize.toFixed(2), ` data-wad="${h.averageSwarmSizeWad}"`)}
        ${figure("minSwarmSize", "Smallest swarm", h.minSwarmSize)}
        ${figure("maxSwarmSize", "Largest swarm", h.maxSwarmSize)}
        ${figure("storageCapacity", "Storage capacity", esc(bytes(h.storageCapacity)), ` data-bytes="${h.storageCapacity}"`)}
        ${figure("storageUsed", "Storage used", esc(bytes(h.storageUsed)), ` data-bytes="${h.storageUsed}"`)}
        ${figure("storageUtilisation", "Utilisation", bps(h.storageUtilisationBps))}
        ${figure("replicationOk", "Replication (replicationOk)", yes(h.replicationOk, "ok", "not ok"), ` data-value="${h.replicationOk}"`)}
        ${figure("feeMultiplier", "Fee multiplier", `×${h.feeMultiplier}`, ` data-value="${h.feeMultiplier}"`)}
        ${weiFigure("totalActiveStake", "Active stake", h.totalActiveStake)}
      </dl>
      ${h.pendingPlacements.length ? `<p>Placements not yet settled (each node sits in a provisional swarm until a later block hash draws its place): ${h.pendingPlacements.map(nodeLink).join(", ")}.</p>` : ""}`;
    return { block: h.block, timestamp: h.timestamp, json: ["/api/health"] };
  }

  async function renderSwarms(block) {
    const data = await getJson(`/api/swarms?block=${block}`);
    let inbox = null;
    let inboxError = "";
    if (inboxQuery) {
      try {
        inbox = await getJson(`/api/inbox/${encodeURIComponent(inboxQuery)}?block=${data.block}`);
      } catch (e) {
        inboxError = e.message;
      }
    }
    view.innerHTML = `<h2>Swarms <small>(${data.swarmCount})</small></h2>
      <form class="inbox" role="search" aria-label="Find an inbox's swarm">
        <label for="inbox-id">Inbox or session id (32 bytes, 0x…)</label>
        <input id="inbox-id" name="inbox" autocomplete="off" spellcheck="false" placeholder="0x…" value="${esc(inboxDraft)}">
        <button type="submit">Find its swarm</button>
      </form>
      <div id="inbox-answer" aria-live="polite">${
        inboxError
          ? `<p class="error" role="alert">${esc(inboxError)}</p>`
          : inbox
            ? `<p>Inbox <code>${esc(inbox.inboxId)}</code> is served by <strong data-field="inboxSwarm">swarm ${inbox.swarmId}</strong>. Its nodes (keys verified against the chain):</p>
              ${table(
                ["node", "status", "endpoint", "transport key (ML-KEM-768)", "identity key (ML-DSA-65)"],
                inbox.nodes.map((n) => [nodeLink(n.nodeId), status(n.status), `<code>${esc(n.endpoint || "—")}</code>`, `<code title="${esc(n.transportKeyHash)}">${esc(n.transportKeyFingerprint)}</code>`, `<code title="${esc(n.identityKeyHash)}">${esc(n.identityKeyFingerprint)}</code>`]),
                "inbox nodes",
              )}`
            : ""
      }</div>
      ${legend()}
      <div class="swarms">${data.swarms.map((s) => swarmCard(s, inbox && inbox.swarmId === s.swarmId)).join("")}</div>
      <h3>Latest changes of the layout</h3>
      ${table(
        ["block", "change"],
        data.recentChanges.map((c) => [
          c.block,
          c.event === "NodeJoinedSwarm"
            ? `${nodeLink(c.nodeId)} joined swarm ${c.swarmId}`
            : c.event === "NodeLeftSwarm"
              ? `${nodeLink(c.nodeId)} left swarm ${c.swarmId}`
              : c.event === "NodeMovedSwarm"
                ? `${nodeLink(c.nodeId)} moved from swarm ${c.fromSwarm} to swarm ${c.toSwarm}`
                : `swarm ${c.swarmId} ${c.event === "SwarmCreated" ? "formed" : "removed"}`,
        ]),
        "layout changes",
      )}`;
    view.querySelector("#inbox-id").addEventListener("input", (ev) => {
      inboxDraft = ev.target.value;
    });
    view.querySelector("form.inbox").addEventListener("submit", (ev) => {
      ev.preventDefault();
      inboxDraft = view.querySelector("#inbox-id").value.trim();
      inboxQuery = inboxDraft;
      render(false);
      rendering.then(() => {
        const answer = document.getElementById("inbox-answer");
        if (answer) answer.scrollIntoView({ block: "nearest" });
      });
    });
    const json = ["/api/swarms"];
    if (inbox) json.push(`/api/inbox/${inbox.inboxId}`);
    return { block: data.block, timestamp: data.timestamp, json };
  }

  async function renderNodes(block) {
    const data = await getJson(`/api/nodes?block=${block}`);
    view.innerHTML = `<h2>Nodes</h2>${table(
      ["node", "status", "swarm", "stake", "penalty", "uptime", "fee", "endpoint"],
      data.nodes.map((n) => [nodeLink(n.nodeId), status(n.status), n.swarmId === null ? "—" : `swarm ${n.swarmId}`, esc(pars(n.stake)), bps(n.penaltyBps), bps(n.uptimeBps), bps(n.operatorFeeBps), `<code>${esc(n.endpoint || "—")}</code>`]),
      "nodes",
    )}`;
    return { block: data.block, timestamp: data.timestamp, json: ["/api/nodes"] };
  }

  async function renderNode(id, block) {
    const n = await getJson(`/api/nodes/${id}?block=${block}`);
    const pending = n.pendingFee ? `${bps(n.pendingFee.feeBps)} from ${when(n.pendingFee.effectiveAt)}` : "none";
    view.innerHTML = `<h2>Node ${n.nodeId} ${status(n.status)}</h2>
      <dl class="grid">
        ${figure("status", "Status", esc(n.status))}
        ${figure("swarm", "Swarm", n.swarmId === null ? "none" : `<a href="#/swarms">swarm ${n.swarmId}</a>`)}
        ${weiFigure("stake", "Stake", n.stake)}
        ${weiFigure("requirement", "Requirement", n.requirement)}
        ${figure("penalty", "Penalties", bps(n.penaltyBps), ` data-bps="${n.penaltyBps}"`)}
        ${figure("uptime", "Uptime", bps(n.uptimeBps), ` data-bps="${n.uptimeBps}"`)}
        ${figure("operatorFee", "Operator fee", bps(n.operatorFeeBps), ` data-bps="${n.operatorFeeBps}"`)}
        ${figure("pendingFee", "Fee change pending", esc(pending))}
        ${figure("heartbeats", "Heartbeats", n.heartbeats.length, ` data-value="${n.heartbeats.length}"`)}
        ${figure("lastHeartbeatEpoch", "Last proven epoch", n.lastHeartbeatEpoch)}
        ${weiFigure("claimableOperator", "Claimable by the operator", n.claimable.operator)}
        ${figure("endpoint", "Endpoint", `<code>${esc(n.endpoint || "none")}</code>`)}
      </dl>
      <h3>Roles</h3>
      ${table(["role", "address"], [["owner", addr(n.owner)], ["manager", addr(n.manager)], ["beneficiary", addr(n.beneficiary)]], "roles")}
      <h3>Keys</h3>
      ${table(
        ["key", "fingerprint (keccak256)"],
        [
          ["identity (ML-DSA-65)", `<code title="${esc(n.identityKeyHash || "")}">${esc(n.identityKeyFingerprint || "—")}</code>`],
          ["transport (ML-KEM-768), current", `<code title="${esc(n.transportKeyHash)}">${esc(n.transportKeyFingerprint || "—")}</code>`],
          ...(n.previousTransportKey ? [["transport, previous", `<code>${esc(n.previousTransportKey.fingerprint)}</code> valid until ${when(n.previousTransportKey.validUntil)}`]] : []),
          ["BLS (BN254 G2)", `<code>${esc(n.blsKeyHash.slice(0, 18))}…</code>`],
        ],
        "keys",
      )}
      <h3>Stake and contributors</h3>
      ${table(
        ["contributor", "amount", "claimable"],
        n.contributors.map((c) => [addr(c.address) + (c.isOperator ? " (operator)" : "") + (c.reserved !== null && BigInt(c.amount) === 0n ? ` (slot of ${esc(pars(c.reserved))} reserved, not yet paid)` : ""), `<span data-wei="${esc(c.amount)}">${esc(pars(c.amount))}</span>`, esc(pars(c.claimable))]),
        "contributors",
      )}
      <p>${n.openSlots} of 10 contributor slots open.</p>
      <h3>Reserved slots</h3>
      ${table(["reserved for", "amount", "filled"], n.reservedSlots.map((r) => [addr(r.contributor), esc(pars(r.amount)), yes(r.filled, "filled", "open")]), "reserved slots")}
      <h3>Uptime and penalties over time</h3>
      <div class="chart" id="chart" role="img" aria-label="uptime and penalties of node ${n.nodeId} over time; the same figures are in the table below"></div>
      <details><summary>The figures behind the chart</summary>
      ${table(["block", "time", "uptime", "penalties", "stake"], n.history.map((p) => [p.block, when(p.timestamp), bps(p.uptimeBps), bps(p.penaltyBps), esc(pars(p.stake))]), "history")}
      </details>
      <h3>Penalties</h3>
      ${table(["block", "kind", "penalty", "amount", "missed epochs"], n.penalties.map((p) => [p.block, esc(p.kind), bps(p.bps), esc(pars(p.amount)), p.missedEpochs]), "penalties")}
      <h3>Heartbeats</h3>
      <p>${n.heartbeats.length ? `Epochs proven: ${n.heartbeats.slice(-24).map((h) => h.epoch).join(", ")}${n.heartbeats.length > 24 ? " (last 24)" : ""}.` : "None yet."} Current epoch ${n.epoch}.</p>
      <h3>Storage</h3>
      <p>Storage used (latest commitment): ${esc(bytes(n.storage.storageUsed))}.</p>
      ${table(["epoch", "swarm", "root", "messages", "bytes"], n.storage.commitments.map((c) => [c.epoch, c.swarmId, `<code>${esc(c.merkleRoot.slice(0, 18))}…</code>`, c.messageCount, esc(bytes(c.usedBytes))]), "commitments")}
      <h3>Storage challenges</h3>
      ${table(["epoch", "challenger", "bond", "deadline", "status"], n.storage.challenges.map((c) => [c.epoch, addr(c.challenger), esc(pars(c.bond)), when(c.deadline), esc(c.status)]), "challenges")}
      <h3>Endpoint history</h3>
      ${table(["block", "endpoint"], n.endpointHistory.map((e) => [e.block, `<code>${esc(e.endpoint || "(cleared)")}</code>`]), "endpoints")}
      <h3>Transport key history</h3>
      ${table(["block", "event", "fingerprint"], n.transportKeyHistory.map((k) => [k.block, esc(k.kind), `<code title="${esc(k.hash)}">${esc(k.fingerprint)}</code>`]), "transport keys")}
      <h3>Fee changes</h3>
      ${table(["block", "change", "fee", "effective"], n.feeHistory.map((f) => [f.block, esc(f.kind), bps(f.feeBps), when(f.effectiveAt)]), "fee changes")}
      <h3>Life</h3>
      ${table(["block", "event", "detail"], n.lifecycle.map((l) => [l.block, esc(l.event), esc(l.detail)]), "lifecycle")}`;
    drawChart(n);
    return { block: n.block, timestamp: n.timestamp, json: [`/api/nodes/${n.nodeId}`] };
  }

  function drawChart(n) {
    const el = document.getElementById("chart");
    if (chart) {
      chart.destroy();
      chart = null;
    }
    if (n.history.length === 0) {
      el.textContent = "No history yet.";
      return;
    }
    if (!window.uPlot) {
      el.textContent = "The chart could not be drawn here; its figures are in the table below.";
      return;
    }
    const xs = n.history.map((p) => p.timestamp);
    const data = [xs, n.history.map((p) => p.uptimeBps / 100), n.history.map((p) => p.penaltyBps / 100)];
    const width = Math.max(280, Math.min(el.clientWidth - 12, 1000));
    chart = new window.uPlot(
      {
        width,
        height: 220,
        // Uptime on the left (0–100 %), penalties on the right (0–50 %: the missed-epoch cap).
        scales: { pct: { range: [0, 100] }, pen: { range: [0, 50] } },
        axes: [
          {},
          { scale: "pct", values: (_u, v) => v.map((x) => `${x} %`), label: "uptime" },
          { scale: "pen", side: 1, grid: { show: false }, values: (_u, v) => v.map((x) => `${x} %`), label: "penalties" },
        ],
        series: [
          { label: "time" },
          { label: "uptime %", scale: "pct", stroke: "#1a7f37", width: 2 },
          { label: "penalties %", scale: "pen", stroke: "#cf222e", width: 2, dash: [6, 4] },
        ],
      },
      data,
      el,
    );
  }

  async function renderFees(block) {
    const f = await getJson(`/api/fees?block=${block}`);
    const s = f.sessions;
    view.innerHTML = `<h2>Fees and sessions</h2>
      <dl class="grid">
        ${figure("storageUtilisation", "Storage utilisation", bps(f.storageUtilisationBps))}
        ${figure("feeMultiplier", "Fee multiplier", `×${f.feeMultiplier}`, ` data-value="${f.feeMultiplier}"`)}
        ${weiFigure("treasuryFees", "Treasury owed (fees)", f.treasuryOwed.fees)}
        ${weiFigure("treasuryPenalties", "Treasury owed (penalties)", f.treasuryOwed.penalties)}
        ${weiFigure("totalPaidToSwarms", "Fees paid to swarms (80 %)", f.totalPaidToSwarms)}
        ${weiFigure("totalPaidToTreasury", "Fees paid to the treasury (20 %)", f.totalPaidToTreasury)}
        ${weiFigure("emissionUnallocated", "Emission pool left", f.emissionUnallocated)}
        ${s ? figure("activeSessions", "Active sessions", s.activeSessions) + figure("activeChannels", "Active channels", `${s.activeChannels} of ${s.maxChannels}`, ` data-value="${s.activeChannels}"`) + weiFigure("quoteCreateSession", "Create a session", s.quoteCreateSession) + weiFigure("quoteMessage1KiB", "Send 1 KiB", s.quoteMessage1KiB) : ""}
      </dl>
      <p>Treasury: ${addr(f.treasury)}</p>
      <h3>Swarm fee pools</h3>
      ${table(
        ["swarm", "stake", "collected, not yet paid in", "paid to the swarm", "paid to the treasury"],
        f.pools.map((p) => [`swarm ${p.swarmId}`, esc(pars(p.stake)), `<span data-wei="${esc(p.pendingFees)}">${esc(pars(p.pendingFees))}</span>`, `<span data-wei="${esc(p.paidToSwarm)}">${esc(pars(p.paidToSwarm))}</span>`, esc(pars(p.paidToTreasury))]),
        "fee pools",
      )}
      <h3>Sessions</h3>
      ${s ? table(["session", "swarm", "participants", "status", "messages", "fees paid", "expires"], s.recent.map((x) => [`<code>${esc(x.sessionId.slice(0, 18))}…</code>`, x.swarmId, x.participants + (x.channel ? " (channel)" : ""), esc(x.status), x.messageCount, esc(pars(x.feesPaid)), when(x.expiresAt)]), "sessions") : "<p>No session bridge in this deployment.</p>"}`;
    return { block: f.block, timestamp: f.timestamp, json: ["/api/fees"] };
  }

  // ------------------------------------------------------------------ routing

  function route() {
    const h = location.hash.replace(/^#\/?/, "");
    const [name, arg] = h.split("/");
    if (name === "node" && /^\d+$/.test(arg || "")) return { name: "node", arg: Number(arg) };
    if (["health", "swarms", "fees", "nodes"].includes(name)) return { name };
    return { name: "health" };
  }

  async function draw(block) {
    const r = route();
    for (const a of document.querySelectorAll("nav a")) {
      if (a.getAttribute("href") === `#/${r.name}`) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    try {
      const shown =
        r.name === "node" ? await renderNode(r.arg, block) : r.name === "swarms" ? await renderSwarms(block) : r.name === "fees" ? await renderFees(block) : r.name === "nodes" ? await renderNodes(block) : await renderHealth(block);
      blockEl.textContent = String(shown.block);
      blockEl.dataset.block = String(shown.block);
      blockTime.textContent = `(${when(shown.timestamp)})`;
      view.dataset.view = r.name;
      view.dataset.block = String(shown.block);
      jsonLinks.innerHTML = shown.json.map((u) => `<a href="${esc(u)}?block=${shown.block}">${esc(u)}</a>`).join(", ");
    } catch (e) {
      view.innerHTML = `<p class="error" role="alert">${esc(e.message)}</p>`;
    }
    loading.hidden = true;
  }

  /** Renders the open view at the latest block (one render at a time; a focused input keeps its text). */
  function render(focusMain) {
    rendering = rendering.then(async () => {
      if (head === null) head = (await getJson("/api/block")).block;
      const active = document.activeElement && document.activeElement.id;
      await draw(head);
      if (focusMain) document.getElementById("main").focus();
      else if (active) {
        const el = document.getElementById(active);
        if (el) el.focus();
      }
    });
    return rendering;
  }

  window.addEventListener("hashchange", () => render(true));
  const events = new EventSource("/api/events");
  events.addEventListener("block", (ev) => {
    const b = JSON.parse(ev.data).block;
    if (head === null || b > head) {
      head = b;
      render(false);
    }
  });
  getJson("/api/block").then((b) => {
    if (b.network) document.getElementById("network-name").textContent = `· ${b.network}, chain ${b.chainId}`;
  }, () => undefined);
  render(false);
})();
