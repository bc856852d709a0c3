import hre, { ethers } from "hardhat";
import { usePrecompiles } from "../test/helpers/precompiles";
import { REQUIREMENT, buildRegistration, currentEpoch, deploySuite, nodeKeys } from "../test/helpers/suite";

/** Gas of each collaborator call a registration makes, sent directly from the registry's address. */
async function main() {
  await usePrecompiles();
  const s = await deploySuite();
  const ops = s.operators;
  for (let i = 0; i < 11; i++) {
    const keys = nodeKeys(`p-${i}`, await currentEpoch());
    const reg = await buildRegistration(s.registry, ops[i].address, keys);
    await (await s.registry.connect(ops[i]).register(reg, { value: REQUIREMENT, gasLimit: 3_000_000 })).wait();
  }
  const regAddr = await s.registry.getAddress();
  await hre.network.provider.request({ method: "hardhat_impersonateAccount", params: [regAddr] });
  await hre.network.provider.request({ method: "hardhat_setBalance", params: [regAddr, "0x1000000000000000000000"] });
  const asReg = await ethers.getSigner(regAddr);
  const keys = nodeKeys("p-extra", await currentEpoch());
  const id = 100n;
  const m = async (name: string, p: Promise<any>) => {
    const r = await (await p).wait();
    console.log(name.padEnd(40), r.gasUsed - 21000n, "(incl. calldata)");
  };
  // A fully staked registration: one call stores the compressed key and adds it to the aggregate.
  await m("attestations.storeKey (activateNow)", s.attestations.connect(asReg).storeKey(id, keys.bls.publicKey, true));
  // A registration that waits for contributions: store now, activate later (decompresses the key).
  const later = nodeKeys("p-later", await currentEpoch());
  await m("attestations.storeKey (later)", s.attestations.connect(asReg).storeKey(id + 50n, later.bls.publicKey, false));
  await m("attestations.activate (delayed)", s.attestations.connect(asReg).activate(id + 50n));
  await m("attestations.deactivate (exit)", s.attestations.connect(asReg).deactivate(id + 50n));
  await m("swarms.addNode (12th, no new swarm)", s.swarms.connect(asReg).addNode(id));
  await m("swarms.addNode (13th)", s.swarms.connect(asReg).addNode(id + 1n));
  await m("swarms.addNode (14th)", s.swarms.connect(asReg).addNode(id + 2n));
  await m("swarms.addNode (15th)", s.swarms.connect(asReg).addNode(id + 3n));
  await m("swarms.addNode (16th, new swarm)", s.swarms.connect(asReg).addNode(id + 4n));
  await m("rewards.onNodeActivated", s.rewards.connect(asReg).onNodeActivated(1n, REQUIREMENT));
  const digest = ethers.id("x");
  const { proofOfPossession } = await import("../src/bls");
  const gas = await s.attestations.verifyProofOfPossession.estimateGas(keys.bls.publicKey, digest, proofOfPossession(keys.bls.secretKey, digest));
  console.log("attestations.verifyProofOfPossession (estimate)".padEnd(40), gas - 21000n);
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
