import { expect } from "chai";
import { Interface, parseEther } from "ethers";
import { formatBytes, formatDuration, formatPars, formatTimestamp } from "../../src/units";
import { RevertDecoder, formatRevert } from "../../src/revert";
import { Declined, Output } from "../../src/cli/io";
import { mlkemKeyGen } from "../../src/pq";
import { SUITE_ERRORS_FILE, renderSuiteErrors, suiteErrorsFromArtifacts } from "../../scripts/package/errors";
import * as fs from "fs";
import { runTask } from "../../tasks/lib/io";
import { captured } from "./helpers";

describe("delivery: human units and output", () => {
  it("one PARS format (exact, grouped, no trailing zeros), byte sizes, dates with the time left", () => {
    expect(formatPars(parseEther("5000000"))).to.equal("5,000,000 PARS");
    expect(formatPars(parseEther("100000000"))).to.equal("100,000,000 PARS");
    expect(formatPars(parseEther("1702.47822487161483835"))).to.equal("1,702.47822487161483835 PARS");
    expect(formatPars(parseEther("937.5"))).to.equal("937.5 PARS");
    expect(formatPars(0n)).to.equal("0 PARS");
    expect(formatBytes(1024)).to.equal("1,024 bytes");
    expect(formatBytes(171798691840n)).to.equal("160 GiB (171,798,691,840 bytes)");
    expect(formatDuration(30 * 86400 - 5)).to.equal("29 d 23 h");
    expect(formatTimestamp(1799283033, 1799283033 - 3 * 3600 - 60)).to.equal("2027-01-07 00:50:33 UTC (in 3 h 1 min)");
    expect(formatTimestamp(1000, 4600)).to.match(/\(1 h ago\)$/);
  });

  it("decoded custom errors read in those units; the raw values stay in the decoded arguments", () => {
    const iface = new Interface([
      "error ContributionTooLow(uint256 sent, uint256 minimum)",
      "error StakeLocked(uint64 nodeId, uint256 unlockAt)",
      "error UsedBytesAboveLimit(uint64 usedBytes, uint256 limit)",
      "error InvalidBatchSize(uint256 size, uint256 maxSize)",
    ]);
    const decoder = new RevertDecoder().add("ServiceNodeRegistry", iface);
    const low = decoder.decode(iface.encodeErrorResult("ContributionTooLow", [parseEther("1"), parseEther("937.5")]))!;
    expect(formatRevert(low)).to.equal("ServiceNodeRegistry: ContributionTooLow(sent: 1 PARS, minimum: 937.5 PARS)");
    expect(low.args).to.deep.equal({ sent: "1000000000000000000", minimum: "937500000000000000000" });
    expect(formatRevert(low, { human: false })).to.equal("ServiceNodeRegistry: ContributionTooLow(sent: 1000000000000000000, minimum: 937500000000000000000)");
    const locked = decoder.decode(iface.encodeErrorResult("StakeLocked", [1, 1799283033]))!;
    expect(formatRevert(locked, { now: 1799283033 - 86400 })).to.equal("ServiceNodeRegistry: StakeLocked(nodeId: 1, unlockAt: 2027-01-07 00:50:33 UTC (in 1 d))");
    const used = decoder.decode(iface.encodeErrorResult("UsedBytesAboveLimit", [171798691841n, 171798691840n]))!;
    expect(formatRevert(used)).to.match(/usedBytes: 160 GiB \(171,798,691,841 bytes\), limit: 160 GiB/);
    const batch = decoder.decode(iface.encodeErrorResult("InvalidBatchSize", [300, 256]))!;
    expect(formatRevert(batch)).to.equal("ServiceNodeRegistry: InvalidBatchSize(size: 300, maxSize: 256)");
  });

  it("declining at the prompt is not an error: the task ends normally with a plain message", async () => {
    const text = await captured(() => runTask(new Output(false), async () => { throw new Declined('"register node"'); }));
    expect(text.result).to.deep.include({ sent: false, declined: true });
    expect(text.stdout).to.equal('not sent: "register node" declined at the prompt\n');
    const json = await captured(() => runTask(new Output(true), async () => { throw new Declined('"register node"'); }));
    expect(JSON.parse(json.stdout)).to.deep.include({ ok: true, sent: false, declined: true });
  });

  it("a RevertDecoder knows the suite's errors without an ABI (src/suite-errors.ts matches the artifacts); mlkemKeyGen takes 768", () => {
    expect(fs.readFileSync(SUITE_ERRORS_FILE, "utf8")).to.equal(renderSuiteErrors(suiteErrorsFromArtifacts()));
    const iface = new Interface(["error StakeLocked(uint64 nodeId, uint256 unlockAt)", "error NothingToClaim(uint64 nodeId, address account)"]);
    const decoded = new RevertDecoder().decode(iface.encodeErrorResult("NothingToClaim", [1, "0x000000000000000000000000000000000000dEaD"]))!;
    expect(decoded).to.include({ contract: "ServiceNodeRewards", name: "NothingToClaim" });
    expect(new RevertDecoder({ suite: false }).decode(iface.encodeErrorResult("StakeLocked", [1, 2]))).to.equal(undefined);
    expect(mlkemKeyGen(768).publicKey.length).to.equal(1184);
    expect(mlkemKeyGen(1).publicKey.length).to.equal(1184);
    expect(mlkemKeyGen(1024).publicKey.length).to.equal(1568);
    expect(() => mlkemKeyGen(65 as never)).to.throw("mlkemKeyGen: 65 is not an ML-KEM parameter set (512, 768 or 1024; or the indexes 0, 1, 2)");
  });
});
