/**
 * Where the gas of a registration goes: registers a network of TRACE_NODES nodes (default 10), then a
 * registration that forms a swarm and a common one, and breaks the common one down by contract and
 * opcode from a step trace. Local profiling aid: `TRACE_NODES=10 npx hardhat run scripts/trace-register.ts`.
 */
import hre, { ethers } from "hardhat";
import { buildNetwork } from "./gas/network";
import { REQUIREMENT, buildRegistration, currentEpoch, nodeKeys } from "../test/helpers/suite";

interface Step { pc: number; op: string; gas: number; gasCost: number; depth: number; stack?: string[] }

async function traceTx(hash: string, names: Map<string, string>, label: string) {
  const receipt = (await ethers.provider.getTransactionReceipt(hash))!;
  const tx = (await ethers.provider.getTransaction(hash))!;
  const trace: any = await hre.network.provider.request({
    method: "debug_traceTransaction",
    params: [hash, { disableMemory: true, disableStorage: true }],
  });
  const steps: Step[] = trace.structLogs;
  console.log("steps", steps.length, "failed", trace.failed, "gas", trace.gas, steps.slice(-3).map((s) => `${s.depth}:${s.op}`));
  const data = ethers.getBytes(tx.data);
  const zeros = data.filter((b) => b === 0).length;
  const calldataGas = zeros * 4 + (data.length - zeros) * 16;
  const byContract = new Map<string, number>();
  const byOp = new Map<string, number>();
  const addrStack: string[] = [names.get(tx.to!.toLowerCase()) ?? tx.to!];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const who = addrStack[s.depth - 1];
    let cost = s.gasCost;
    const next = steps[i + 1];
    if (["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"].includes(s.op) && next && next.depth > s.depth) {
      const stack = s.stack!;
      const to = "0x" + stack[stack.length - 2].replace(/^0x/, "").padStart(40, "0").slice(-40);
      addrStack[s.depth] = names.get(to.toLowerCase()) ?? to;
      let j = i + 1;
      while (steps[j].depth > s.depth) j++;
      const childFirst = steps[i + 1];
      let k = j - 1;
      while (steps[k].depth !== s.depth + 1) k--;
      const childUsed = childFirst.gas - (steps[k].gas - steps[k].gasCost);
      cost = s.gas - steps[j].gas - childUsed;
    } else if (["CALL", "STATICCALL"].includes(s.op) && next && next.depth === s.depth) {
      cost = s.gas - next.gas; // precompile or empty-code call
    }
    if (process.env.TRACE_DETAIL && (s.op === "SSTORE" || s.op.startsWith("LOG") || s.op.endsWith("CALL") || (s.op === "SLOAD" && cost > 100))) {
      const st = s.stack ?? [];
      const top = st.length ? st[st.length - 1].replace(/^0x/, "").slice(-12) : "";
      console.log(`      ${who.padEnd(14)} ${s.op.padEnd(10)} ${String(cost).padStart(6)}  pc ${s.pc} ${top}`);
    }
    const key = `${who}`;
    byContract.set(key, (byContract.get(key) ?? 0) + cost);
    const opKey = `${who}:${s.op}`;
    byOp.set(opKey, (byOp.get(opKey) ?? 0) + cost);
  }
  console.log(`\n== ${label}: gasUsed ${receipt.gasUsed}  (21000 base, calldata ${calldataGas}, ${data.length} bytes)`);
  for (const [k, v] of [...byContract].sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(20)} ${v}`);
  const ops = [...byOp].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TRACE_TOP ?? "40"));
  for (const [k, v] of ops) console.log(`    ${k.padEnd(36)} ${v}`);
}

async function main() {
  const size = Number(process.env.TRACE_NODES ?? "10");
  const net = await buildNetwork(size);
  const { registry, swarms, attestations, rewards } = net.suite;
  const names = new Map<string, string>([
    [(await registry.getAddress()).toLowerCase(), "registry"],
    [(await swarms.getAddress()).toLowerCase(), "swarms"],
    [(await attestations.getAddress()).toLowerCase(), "attestations"],
    [(await rewards.getAddress()).toLowerCase(), "rewards"],
  ]);
  // The step trace re-executes without the call-override hook: stand-ins at the PQ addresses answer
  // "valid" there (the hook still serves the real transactions).
  const { PRECOMPILES } = await import("../src/networks");
  await hre.network.provider.request({ method: "hardhat_setCode", params: [PRECOMPILES.mldsa, "0x60015f5260205ff3"] });
  await hre.network.provider.request({ method: "hardhat_setCode", params: [PRECOMPILES.mlkem, "0x60405f526080602052610100" + "5ff3"] });
  const op = net.suite.operators[0];
  const TX = { gasLimit: 14_000_000n };
  const hashes: [string, string][] = [];
  for (const label of ["formsSwarm", "common"]) {
    const keys = nodeKeys(`trace-${label}`, await currentEpoch());
    const reg = await buildRegistration(registry, op.address, keys);
    const tx = await registry.connect(op).register(reg, { ...TX, value: REQUIREMENT });
    await tx.wait();
    hashes.push([label, tx.hash]);
  }
  const only = process.env.TRACE_ONLY;
  for (const [label, hash] of hashes) if (!only || only === label) await traceTx(hash, names, `${label} @${size}`);
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
