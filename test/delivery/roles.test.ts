import { expect } from "chai";
import { ethers } from "ethers";
import type { Log } from "ethers";
import { getLogsInRanges, holdersFromEvents, ROLE_GRANTED, ROLE_REVOKED } from "../../deploy/roles";

const CONTRACT = "0x00000000000000000000000000000000000000C0";
const ROLE = ethers.id("SLASHER_ROLE");
const topic = (a: string) => ethers.zeroPadValue(a, 32);
const A = "0x00000000000000000000000000000000000000A1";
const B = "0x00000000000000000000000000000000000000B2";

/** A node that refuses any eth_getLogs over more than `maxRange` blocks, as public RPCs do. */
function limitedNode(logs: Log[], maxRange: number) {
  const requests: [number, number][] = [];
  return {
    requests,
    async getLogs(f: { fromBlock: number; toBlock: number }): Promise<Log[]> {
      const from = Number(f.fromBlock);
      const to = Number(f.toBlock);
      requests.push([from, to]);
      if (to - from + 1 > maxRange) throw new Error(`block range too large: ${to - from + 1} > ${maxRange}`);
      return logs.filter((l) => l.blockNumber >= from && l.blockNumber <= to);
    },
  };
}

function roleLog(kind: string, account: string, blockNumber: number, index: number, address = CONTRACT): Log {
  return { address, topics: [kind, ROLE, topic(account), topic(A)], blockNumber, index, data: "0x" } as unknown as Log;
}

describe("delivery: role history read in bounded eth_getLogs ranges", () => {
  it("halves the range while the node refuses it, keeps the range that worked, and misses no block", async () => {
    const logs = [roleLog(ROLE_GRANTED, A, 1, 0), roleLog(ROLE_GRANTED, B, 4_000, 0), roleLog(ROLE_REVOKED, A, 9_999, 3)];
    const node = limitedNode(logs, 2_048);
    const got = await getLogsInRanges(node, { address: CONTRACT, topics: [] }, 1, 10_000);
    expect(got).to.deep.equal(logs);
    const served = node.requests.filter(([f, t]) => t - f + 1 <= 2_048);
    expect(served[0][0]).to.equal(1);
    expect(served.at(-1)![1]).to.equal(10_000);
    for (let i = 1; i < served.length; i++) expect(served[i][0]).to.equal(served[i - 1][1] + 1);
    expect(node.requests.filter(([f, t]) => t - f + 1 > 2_048).length).to.equal(3); // 10,000 → 5,000 → 2,500 → 1,250
  });

  it("gives up with the node's error when even one block is refused", async () => {
    const node = { getLogs: async () => Promise.reject(new Error("rate limited")) };
    let err: Error | undefined;
    await getLogsInRanges(node, { address: CONTRACT, topics: [] }, 5, 6).catch((e: Error) => (err = e));
    expect(err?.message).to.equal("eth_getLogs refused even a single block (5): rate limited");
  });

  it("rebuilds holders in block and log order across ranges, ignoring events older than the creation block", async () => {
    const logs = [
      roleLog(ROLE_GRANTED, B, 2, 0), // before the creation block: not this contract's
      roleLog(ROLE_GRANTED, A, 10, 1),
      roleLog(ROLE_REVOKED, A, 10, 2),
      roleLog(ROLE_GRANTED, A, 30, 0),
      roleLog(ROLE_GRANTED, B, 31, 0),
      roleLog(ROLE_REVOKED, B, 45, 0),
    ];
    const node = limitedNode(logs, 7);
    const holders = await holdersFromEvents(node, [{ name: "X", address: CONTRACT, fromBlock: 5, abi: [] }], 50);
    expect([...holders.get(ethers.getAddress(CONTRACT))!.get(ROLE)!]).to.deep.equal([ethers.getAddress(A)]);
  });
});
