/**
 * A TypeScript reference model of ServiceNodeRegistry's stake, lifecycle, liveness and penalty rules,
 * for the model-based property test. It follows the contract's integer arithmetic exactly.
 */
import { decayUptime, recordUptime, UPTIME_ONE } from "../../src/uptime";
import { NodeStatus } from "../../src/registry";

export const BPS = 10_000n;
export const PENALTY_CAP_BPS = 5_000n;
export const MAX_HEARTBEAT_GAP = 64;

export interface ModelContributor {
  addr: string;
  amount: bigint;
}

export interface ModelNode {
  id: number;
  operator: string;
  status: NodeStatus;
  requirement: bigint;
  stake: bigint;
  contributors: ModelContributor[];
  withdrawn: Set<string>;
  withdrawnSum: bigint;
  penaltyBps: bigint;
  activatedAt: bigint;
  unlockAt: bigint;
  /** When it left the active set (0 while it has not). */
  decommissionedAt: bigint;
  lastEpoch: number;
  settledEpoch: number;
  uptime: bigint;
}

export class RegistryModel {
  nodes = new Map<number, ModelNode>();
  treasuryOwed = 0n;
  paidOut = 0n;
  /** Slash shares credited to beneficiaries and not yet claimed (`creditOf`). */
  credits = new Map<string, bigint>();
  activeNodes = 0;
  totalNodes = 0;
  lastId = 0;

  constructor(
    public requirement: bigint,
    public penaltyPerEpochBps: bigint,
    public lockPeriod: bigint,
  ) {}

  register(operator: string, value: bigint, epoch: number, now: bigint): ModelNode {
    const node: ModelNode = {
      id: ++this.lastId,
      operator,
      status: NodeStatus.AwaitingContributions,
      requirement: this.requirement,
      stake: value,
      contributors: [{ addr: operator, amount: value }],
      withdrawn: new Set(),
      withdrawnSum: 0n,
      penaltyBps: 0n,
      activatedAt: 0n,
      unlockAt: 0n,
      decommissionedAt: 0n,
      lastEpoch: epoch,
      settledEpoch: 0,
      uptime: 0n,
    };
    this.nodes.set(node.id, node);
    this.totalNodes++;
    if (value === node.requirement) this.activate(node, epoch, now);
    return node;
  }

  contribute(node: ModelNode, addr: string, value: bigint, epoch: number, now: bigint): void {
    const c = node.contributors.find((x) => x.addr === addr);
    if (c) c.amount += value;
    else node.contributors.push({ addr, amount: value });
    node.stake += value;
    if (node.stake === node.requirement) this.activate(node, epoch, now);
  }

  protected activate(node: ModelNode, epoch: number, now: bigint): void {
    node.status = NodeStatus.Active;
    node.activatedAt = now;
    node.settledEpoch = epoch;
    node.uptime = UPTIME_ONE;
    this.activeNodes++;
  }

  effective(node: ModelNode): bigint {
    return node.stake - (node.stake * node.penaltyBps) / BPS;
  }

  protected penalty(node: ModelNode, next: bigint): bigint {
    const amount = (node.stake * next) / BPS - (node.stake * node.penaltyBps) / BPS;
    node.penaltyBps = next;
    this.treasuryOwed += amount;
    return amount;
  }

  decommission(node: ModelNode, now: bigint): void {
    node.status = NodeStatus.Decommissioning;
    node.unlockAt = now + this.lockPeriod;
    node.decommissionedAt = now;
    this.activeNodes--;
  }

  /** Mirrors `_settle`; returns false when the node was decommissioned by the penalty cap. */
  settle(node: ModelNode, epoch: number, proven: boolean, now: bigint): boolean {
    const missed = epoch - 1 > node.settledEpoch ? epoch - 1 - node.settledEpoch : 0;
    let uptime = decayUptime(node.uptime, BigInt(missed));
    if (proven) uptime = recordUptime(uptime);
    node.uptime = uptime;
    node.settledEpoch = proven ? epoch : epoch - 1;
    if (missed === 0 || node.penaltyBps >= PENALTY_CAP_BPS) return true;
    let next = node.penaltyBps + BigInt(missed) * this.penaltyPerEpochBps;
    if (next > PENALTY_CAP_BPS) next = PENALTY_CAP_BPS;
    this.penalty(node, next);
    if (next >= PENALTY_CAP_BPS) {
      this.decommission(node, now);
      return false;
    }
    this.stakeChanged(node, now);
    return true;
  }

  /** Mirrors `requestExit`: missed epochs are settled first, then the node is decommissioned. */
  requestExit(node: ModelNode, epoch: number, now: bigint): void {
    if (epoch !== 0 && epoch - 1 > node.settledEpoch && !this.settle(node, epoch, false, now)) return;
    this.decommission(node, now);
  }

  /** The registry told its lifecycle listener of a new effective stake (`_notifyStake`); a hook for subclasses. */
  protected stakeChanged(_node: ModelNode, _now: bigint): void {}

  /** Whether `slash` accepts the node now: active, or decommissioning and still locked. */
  slashable(node: ModelNode, now: bigint): boolean {
    return node.status === NodeStatus.Active || (node.status === NodeStatus.Decommissioning && now < node.unlockAt);
  }

  /**
   * Mirrors `slash`: the amount taken; `shareBps` of it is credited to `beneficiary` (if any). A slash
   * counts toward the same PENALTY_CAP_BPS as missed epochs and takes nothing beyond it.
   */
  slash(node: ModelNode, bps: bigint, beneficiary: string | undefined, shareBps: bigint, now: bigint): bigint {
    const wasActive = node.status === NodeStatus.Active;
    const next = node.penaltyBps + bps > PENALTY_CAP_BPS ? PENALTY_CAP_BPS : node.penaltyBps + bps;
    const amount = this.penalty(node, next);
    if (beneficiary !== undefined) {
      const share = (amount * shareBps) / BPS;
      this.credits.set(beneficiary, (this.credits.get(beneficiary) ?? 0n) + share);
      this.treasuryOwed -= share;
    }
    if (wasActive) {
      if (next >= PENALTY_CAP_BPS) this.decommission(node, now);
      else this.stakeChanged(node, now);
    }
    return amount;
  }

  /** Mirrors `claimCredit`: the amount paid (0: the call reverts with NothingToWithdraw). */
  claimCredit(addr: string): bigint {
    const amount = this.credits.get(addr) ?? 0n;
    this.credits.delete(addr);
    this.paidOut += amount;
    return amount;
  }

  /** Mirrors `shareOf`: the account's recorded contribution and whether it is the operator. */
  shareOf(node: ModelNode, addr: string): { contribution: bigint; isOperator: boolean } {
    if (addr === node.operator) return { contribution: node.contributors[0].amount, isOperator: true };
    return { contribution: node.contributors.find((c) => c.addr === addr)?.amount ?? 0n, isOperator: false };
  }

  heartbeat(node: ModelNode, epoch: number, now: bigint): void {
    if (!this.settle(node, epoch, true, now)) return;
    node.lastEpoch = epoch;
  }

  /** Mirrors `withdraw`: the amount paid. */
  withdraw(node: ModelNode, addr: string): bigint {
    if (node.status === NodeStatus.AwaitingContributions) {
      if (addr === node.operator) {
        const amount = node.contributors[0].amount;
        node.withdrawn.add(addr);
        node.status = NodeStatus.Cancelled;
        this.totalNodes--;
        this.paidOut += amount;
        return amount;
      }
      const i = node.contributors.findIndex((c) => c.addr === addr);
      const amount = node.contributors[i].amount;
      const last = node.contributors.length - 1;
      if (i !== last) node.contributors[i] = node.contributors[last];
      node.contributors.pop();
      node.stake -= amount;
      this.paidOut += amount;
      return amount;
    }
    const c = node.contributors.find((x) => x.addr === addr)!;
    const staked = c.amount;
    node.withdrawn.add(addr);
    if (node.status === NodeStatus.Cancelled) {
      this.paidOut += staked;
      return staked;
    }
    const amount = (staked * (BPS - node.penaltyBps)) / BPS;
    node.withdrawnSum += amount;
    if (node.withdrawn.size === node.contributors.length) {
      const held = node.stake - (node.stake * node.penaltyBps) / BPS;
      this.treasuryOwed += held - node.withdrawnSum;
      node.status = NodeStatus.Retired;
      this.totalNodes--;
    }
    this.paidOut += amount;
    return amount;
  }

  /** Wei the registry must hold for a node: its stake less penalties already owed and payouts made. */
  held(n: ModelNode): bigint {
    switch (n.status) {
      case NodeStatus.AwaitingContributions:
      case NodeStatus.Cancelled:
        return n.contributors.reduce((sum, c) => sum + (n.withdrawn.has(c.addr) ? 0n : c.amount), 0n);
      case NodeStatus.Active:
        return n.stake - (n.stake * n.penaltyBps) / BPS;
      case NodeStatus.Decommissioning:
        return n.stake - (n.stake * n.penaltyBps) / BPS - n.withdrawnSum;
      default:
        return 0n;
    }
  }

  /** Stake the registry still holds for all nodes (penalties excluded). */
  stakesHeld(): bigint {
    let held = 0n;
    for (const n of this.nodes.values()) held += this.held(n);
    return held;
  }

  /** Slash credits not yet claimed. */
  creditsOwed(): bigint {
    let sum = 0n;
    for (const c of this.credits.values()) sum += c;
    return sum;
  }

  /** PARS is conserved: the registry's balance is every node's held stake plus penalties owed. */
  expectedBalance(): bigint {
    return this.stakesHeld() + this.treasuryOwed + this.creditsOwed();
  }
}

export function nodeStatusName(s: number): string {
  return NodeStatus[s] ?? String(s);
}
