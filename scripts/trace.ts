/**
 * Where the gas of a benchmarked operation goes: builds the gas script's network of TRACE_NODES active
 * nodes (default 10), runs the benchmark that holds TRACE_OP (a `gas-snapshot.json` name without the
 * scale suffix) and breaks that transaction down by contract and opcode from a step trace.
 * TRACE_DETAIL=1 also lists every SSTORE, cold SLOAD, log and call. Local profiling aid:
 *
 *   TRACE_NODES=1000 TRACE_OP=registry.contributeAndActivate npx hardhat run scripts/trace.ts
 */
import hre, { ethers } from "hardhat";
import { usePrecompiles } from "../test/helpers/precompiles";
import { buildNetwork } from "./gas/network";
import { GasMeter } from "./gas/meter";
import { attestationBench, registryBench, rewardsBench } from "./gas/registry.bench";
import { bridgeBench } from "./gas/bridge.bench";
import { storageBench } from "./gas/storage.bench";
import type { ContractTransactionResponse, TransactionResponse } from "ethers";

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

/** Answers encapsulate(key) with (bytes ct, bytes ss): a 32-byte ciphertext and secret, the shape mlkemValidate accepts. */
const ML_KEM_STAND_IN = "0x" + "60405f52" + "6080602052" + "6020604052" + "6020608052" + "60c05ff3";

/** A meter that also keeps the hash of the transaction measured under `op`. */
class HashMeter extends GasMeter {
  hash: string | undefined;
  op = "";
  override async measureAs(fullName: string, send: () => Promise<ContractTransactionResponse | TransactionResponse>) {
    let sent: ContractTransactionResponse | TransactionResponse | undefined;
    const m = await super.measureAs(fullName, async () => (sent = await send()));
    if (fullName === this.op + this.suffix) this.hash = sent!.hash;
    return m;
  }
}

async function main() {
  const size = Number(process.env.TRACE_NODES ?? "10");
  const op = process.env.TRACE_OP ?? "registry.register";
  const bench = [registryBench, attestationBench, rewardsBench, storageBench, bridgeBench].find((b) => op.startsWith(b.name));
  if (!bench) throw new Error(`no benchmark measures ${op}`);
  const meter = new HashMeter(await usePrecompiles());
  meter.op = op;
  meter.suffix = size === 10 ? "" : `@${size}`;
  const net = await buildNetwork(size);
  // The step trace re-executes without the call-override hook: stand-ins at the PQ addresses answer
  // "valid" there (the hook still serves the real transactions).
  const { PRECOMPILES } = await import("../src/networks");
  await hre.network.provider.request({ method: "hardhat_setCode", params: [PRECOMPILES.mldsa, "0x60015f5260205ff3"] });
  await hre.network.provider.request({ method: "hardhat_setCode", params: [PRECOMPILES.mlkem, ML_KEM_STAND_IN] });
  await bench.run(meter, net);
  if (!meter.hash) throw new Error(`${bench.name} did not measure ${op}`);
  const names = new Map<string, string>();
  for (const [name, c] of Object.entries(net.suite)) {
    if (c && typeof c === "object" && "getAddress" in c && "interface" in c) names.set((await (c as any).getAddress()).toLowerCase(), name);
  }
  await traceTx(meter.hash, names, `${op} @${size}`);
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
