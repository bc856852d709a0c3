/**
 * The rewards calculator: a TypeScript mirror of ServiceNodeRewards, integer for integer. Feed it the
 * same events the contract sees (funding, fees, emission updates, stake and swarm changes) and it
 * predicts every claim to the wei, including the contract-wide claim limit per cycle (a claim pays what
 * the cycle has left, at most; the rest stays owed). Use it to show operators and contributors what
 * they will receive.
 */
export const REWARDS_SCALE = 10n ** 36n;
export const BPS = 10_000n;
export const YEAR = 365n * 24n * 3600n;
export const RATE_YEAR1_BPS = 800n;
export const RATE_YEAR2_BPS = 600n;
export const RATE_LATER_BPS = 400n;
export const SWARM_FEE_BPS = 8_000n;
export const NO_SWARM = 0xffffffffn;
/** The contract's initial claim limit per cycle and cycle length. */
export const DEFAULT_CLAIM_THRESHOLD = 1_000_000n * 10n ** 18n;
export const DEFAULT_CLAIM_CYCLE = 12n * 3600n;

/** Cumulative emission `elapsed` seconds after start, rounded down once (as the contract). */
export function cumulativeEmission(base: bigint, elapsed: bigint): bigint {
  const y1 = elapsed < YEAR ? elapsed : YEAR;
  const y2 = elapsed <= YEAR ? 0n : elapsed < 2n * YEAR ? elapsed - YEAR : YEAR;
  const later = elapsed <= 2n * YEAR ? 0n : elapsed - 2n * YEAR;
  return (base * (RATE_YEAR1_BPS * y1 + RATE_YEAR2_BPS * y2 + RATE_LATER_BPS * later)) / (BPS * YEAR);
}

export interface NodeAccount {
  stake: bigint;
  swarm: bigint;
  feeBps: bigint;
  contributed: bigint;
  emissionCheckpoint: bigint;
  feeCheckpoint: bigint;
  incomePerContribution: bigint;
  operatorAccrued: bigint;
}

export class RewardsCalculator {
  emissionBase: bigint;
  startTime = 0n;
  lastUpdate = 0n;
  totalStake = 0n;
  emissionPerStake = 0n;
  emissionFunded = 0n;
  emissionAllocated = 0n;
  treasuryOwed = 0n;
  swarmStake = new Map<bigint, bigint>();
  feePerStake = new Map<bigint, bigint>();
  accounts = new Map<bigint, NodeAccount>();
  /** incomePerContribution already claimed, by `${nodeId}:${account}`. */
  claimed = new Map<string, bigint>();
  /** Owed but not yet paid for the claim limit, by `${nodeId}:${account}` (the contract keeps it next to the checkpoint). */
  carried = new Map<string, bigint>();
  /** The contract-wide claim limit per cycle (`claimThreshold`) and cycle length (`claimCycle`). */
  claimThreshold = DEFAULT_CLAIM_THRESHOLD;
  claimCycle = DEFAULT_CLAIM_CYCLE;
  /** The current claim cycle: its start and what was claimed in it. */
  cycleStart = 0n;
  claimedInCycle = 0n;

  constructor(emissionBase: bigint) {
    this.emissionBase = emissionBase;
  }

  start(t: bigint): void {
    this.startTime = t;
    this.lastUpdate = t;
  }

  private pending(t: bigint): bigint {
    if (this.startTime === 0n || t <= this.lastUpdate) return 0n;
    let due =
      cumulativeEmission(this.emissionBase, t - this.startTime) -
      cumulativeEmission(this.emissionBase, this.lastUpdate - this.startTime);
    const available = this.emissionFunded - this.emissionAllocated;
    if (due > available) due = available;
    return due;
  }

  /** The contract's `_updateEmission` at time `t`. */
  update(t: bigint): void {
    if (this.startTime === 0n) return;
    if (this.totalStake !== 0n) {
      const due = this.pending(t);
      if (due !== 0n) {
        // The whole of `due` is booked; the accumulator's rounding keeps back dust.
        this.emissionPerStake += (due * REWARDS_SCALE) / this.totalStake;
        this.emissionAllocated += due;
      }
    }
    this.lastUpdate = t;
  }

  fund(t: bigint, amount: bigint): void {
    this.update(t);
    this.emissionFunded += amount;
  }

  depositFees(swarm: bigint, amount: bigint): void {
    const stake = this.swarmStake.get(swarm) ?? 0n;
    const toSwarm = stake === 0n ? 0n : (amount * SWARM_FEE_BPS) / BPS;
    if (toSwarm !== 0n) this.feePerStake.set(swarm, (this.feePerStake.get(swarm) ?? 0n) + (toSwarm * REWARDS_SCALE) / stake);
    this.treasuryOwed += amount - toSwarm;
  }

  private account(id: bigint): NodeAccount {
    let a = this.accounts.get(id);
    if (!a) {
      a = {
        stake: 0n,
        swarm: 0n,
        feeBps: 0n,
        contributed: 0n,
        emissionCheckpoint: 0n,
        feeCheckpoint: 0n,
        incomePerContribution: 0n,
        operatorAccrued: 0n,
      };
      this.accounts.set(id, a);
    }
    return a;
  }

  private income(a: NodeAccount, globalPerStake: bigint): [bigint, bigint] {
    if (a.stake === 0n) return [0n, 0n];
    let income = (a.stake * (globalPerStake - a.emissionCheckpoint)) / REWARDS_SCALE;
    if (a.swarm !== NO_SWARM) income += (a.stake * ((this.feePerStake.get(a.swarm) ?? 0n) - a.feeCheckpoint)) / REWARDS_SCALE;
    return [income, (income * a.feeBps) / BPS];
  }

  private settle(a: NodeAccount): void {
    const [income, operatorPart] = this.income(a, this.emissionPerStake);
    a.emissionCheckpoint = this.emissionPerStake;
    if (a.swarm !== NO_SWARM) a.feeCheckpoint = this.feePerStake.get(a.swarm) ?? 0n;
    if (income === 0n) return;
    a.operatorAccrued += operatorPart;
    a.incomePerContribution += ((income - operatorPart) * REWARDS_SCALE) / a.contributed;
  }

  private setStake(a: NodeAccount, stake: bigint): void {
    this.totalStake = this.totalStake - a.stake + stake;
    if (a.swarm !== NO_SWARM) this.swarmStake.set(a.swarm, (this.swarmStake.get(a.swarm) ?? 0n) - a.stake + stake);
    a.stake = stake;
  }

  /** A node joined the network: `onSwarmMove(join)` then `onNodeActivated`. */
  activate(id: bigint, swarm: bigint, stake: bigint, feeBps: bigint, contributed: bigint): void {
    const a = this.account(id);
    a.swarm = swarm;
    a.feeCheckpoint = swarm === NO_SWARM ? 0n : this.feePerStake.get(swarm) ?? 0n;
    a.feeBps = feeBps;
    a.contributed = contributed;
    a.emissionCheckpoint = this.emissionPerStake;
    this.setStake(a, stake);
  }

  /** The earning stake of an active node changed (a penalty), or it left (stake 0). */
  setNodeStake(id: bigint, stake: bigint): void {
    const a = this.account(id);
    this.settle(a);
    this.setStake(a, stake);
  }

  /** A node moved between swarms (NO_SWARM when it left). */
  move(id: bigint, to: bigint): void {
    const a = this.account(id);
    if (a.stake !== 0n) {
      this.settle(a);
      if (a.swarm !== NO_SWARM) this.swarmStake.set(a.swarm, (this.swarmStake.get(a.swarm) ?? 0n) - a.stake);
      if (to !== NO_SWARM) this.swarmStake.set(to, (this.swarmStake.get(to) ?? 0n) + a.stake);
    }
    a.swarm = to;
    a.feeCheckpoint = to === NO_SWARM ? 0n : this.feePerStake.get(to) ?? 0n;
  }

  /** The emission accumulator as an update at `t` would leave it (claims settle against this). */
  currentEmissionPerStake(t: bigint): bigint {
    let perStake = this.emissionPerStake;
    if (this.totalStake !== 0n) perStake += (this.pending(t) * REWARDS_SCALE) / this.totalStake;
    return perStake;
  }

  /** What is left of the contract-wide claim allowance for a claim at time `t`. */
  allowance(t: bigint): bigint {
    const claimed = t >= this.cycleStart + this.claimCycle ? 0n : this.claimedInCycle;
    return claimed >= this.claimThreshold ? 0n : this.claimThreshold - claimed;
  }

  /**
   * What `claim(nodeId)` at time `t` pays `account` (with `contribution` and operator flag from the
   * registry), applied: everything owed, or what is left of the cycle's allowance if that is less (the
   * rest stays owed). Like the contract, it settles the node against the current accumulator without
   * advancing the stored one. Returns 0n, changing nothing, where the contract reverts: nothing owed
   * (`NothingToClaim`) or nothing left in the cycle (`ClaimLimitExceeded`; see `allowance`).
   */
  claim(t: bigint, id: bigint, who: string, contribution: bigint, isOperator: boolean): bigint {
    const owed = this.claimable(t, id, who, contribution, isOperator);
    const left = this.allowance(t);
    if (owed === 0n || left === 0n) return 0n;
    const a = this.account(id);
    const perStake = this.currentEmissionPerStake(t);
    const [income, operatorPart] = this.income(a, perStake);
    a.emissionCheckpoint = perStake;
    if (a.swarm !== NO_SWARM) a.feeCheckpoint = this.feePerStake.get(a.swarm) ?? 0n;
    if (income !== 0n) a.incomePerContribution += ((income - operatorPart) * REWARDS_SCALE) / a.contributed;
    if (isOperator) a.operatorAccrued = 0n;
    else a.operatorAccrued += operatorPart;
    const key = `${id}:${who.toLowerCase()}`;
    const amount = owed < left ? owed : left;
    this.claimed.set(key, a.incomePerContribution);
    this.carried.set(key, owed - amount);
    if (t >= this.cycleStart + this.claimCycle) {
      this.cycleStart = t;
      this.claimedInCycle = 0n;
    }
    this.claimedInCycle += amount;
    return amount;
  }

  /** The contract's `claimable` view: what `account` is owed at time `t` (a claim pays it up to `allowance(t)`). */
  claimable(t: bigint, id: bigint, who: string, contribution: bigint, isOperator: boolean): bigint {
    const a = this.account(id);
    const [income, operatorPart] = this.income(a, this.currentEmissionPerStake(t));
    let perContribution = a.incomePerContribution;
    if (a.contributed !== 0n) perContribution += ((income - operatorPart) * REWARDS_SCALE) / a.contributed;
    const key = `${id}:${who.toLowerCase()}`;
    let amount = (this.carried.get(key) ?? 0n) + (contribution * (perContribution - (this.claimed.get(key) ?? 0n))) / REWARDS_SCALE;
    if (isOperator) amount += a.operatorAccrued + operatorPart;
    return amount;
  }
}
