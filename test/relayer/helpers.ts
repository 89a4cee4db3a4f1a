/**
 * Test fixtures of the relayer suites: a bridge pair deployed on two in-process chains (3 operators, threshold 2,
 * a KIP7 and a KIP17 token pair), relayers over it, requests in both directions, and the conservation invariant.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ZeroAddress } from "ethers";
import type { Signer } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { network } from "hardhat";

import {
  AnchoringReceiver__factory,
  Bridge__factory,
  KIP17Token__factory,
  KIP7Token__factory,
  ServiceChainKIP17__factory,
  ServiceChainKIP7__factory,
  TransferRecovery__factory,
} from "../../types/ethers-contracts/index.js";
import type {
  AnchoringReceiver,
  Bridge,
  KIP17Token,
  KIP7Token,
  ServiceChainKIP17,
  ServiceChainKIP7,
} from "../../types/ethers-contracts/index.js";
import { bindPair } from "../../src/pair.js";
import type { ConnectedPair } from "../../src/pair.js";
import type { PairDeployment, SideDeployment } from "../../src/deployments.js";
import { VoteType } from "../../src/protocol/constants.js";
import { Relayer, SignatureDirectory, batchDigest, bridgeDomain, signBatch } from "../../src/relayer/index.js";
import type { RelayerLogger, RelayerOptions, SignedTransfer, Side } from "../../src/relayer/index.js";

export type Connection = NetworkConnection;

export interface PairSide {
  connection: Connection;
  signers: HardhatEthersSigner[];
  bridge: Bridge;
  deployedBlock: number;
}

export interface Pair {
  parent: PairSide & { kip7: KIP7Token; kip17: KIP17Token; anchoringReceiver: AnchoringReceiver };
  child: PairSide & { kip7: ServiceChainKIP7; kip17: ServiceChainKIP17 };
  childMintBurn: boolean;
  operators: string[];
  /** KLAY given to each bridge with `chargeWithoutEvent` (liquidity, not transfers). */
  funding: Record<Side, bigint>;
  /** The user who requests transfers (the same address on both chains). */
  user: string;
}

export const ONE = 10n ** 18n;

/** Deploys and links a pair: parent in lock mode, child in mint/burn (default) or lock mode; 3 operators, 2 of 3. */
export async function deployPair(
  parentConnection: Connection,
  childConnection: Connection,
  options: { childMintBurn?: boolean; operators?: number; threshold?: number } = {},
): Promise<Pair> {
  const childMintBurn = options.childMintBurn ?? true;
  const operatorCount = options.operators ?? 3;
  const threshold = options.threshold ?? 2;
  const parentSigners = await parentConnection.ethers.getSigners();
  const childSigners = await childConnection.ethers.getSigners();
  const operators = parentSigners.slice(1, 1 + operatorCount).map((signer) => signer.address);
  const user = parentSigners[10].address;

  const deployBridge = async (signers: HardhatEthersSigner[], mintBurn: boolean) => {
    const bridge = await new Bridge__factory(signers[0]).deploy(mintBurn);
    const receipt = await bridge.deploymentTransaction()?.wait();
    return { bridge, deployedBlock: receipt?.blockNumber ?? 0 };
  };
  const parent = await deployBridge(parentSigners, false);
  const child = await deployBridge(childSigners, childMintBurn);

  for (const [side, other] of [
    [parent.bridge, child.bridge],
    [child.bridge, parent.bridge],
  ] as const) {
    await (await side.setCounterPartBridge(await other.getAddress())).wait();
    for (const operator of operators) await (await side.registerOperator(operator)).wait();
    await (await side.deregisterOperator(parentSigners[0].address)).wait();
    await (await side.setOperatorThreshold(0, threshold)).wait();
  }

  const anchoringReceiver = await new AnchoringReceiver__factory(parentSigners[0]).deploy();
  for (const operator of operators) await (await anchoringReceiver.registerOperator(operator)).wait();
  await (await anchoringReceiver.deregisterOperator(parentSigners[0].address)).wait();
  await (await anchoringReceiver.setOperatorThreshold(0, threshold)).wait();

  const parentKip7 = await new KIP7Token__factory(parentSigners[0]).deploy("Parent KIP7", "PK7", 18, 1_000_000n * ONE);
  const parentKip17 = await new KIP17Token__factory(parentSigners[0]).deploy("Parent KIP17", "PK17");
  const childKip7 = await new ServiceChainKIP7__factory(childSigners[0]).deploy("Child KIP7", "CK7", await child.bridge.getAddress());
  const childKip17 = await new ServiceChainKIP17__factory(childSigners[0]).deploy("Child KIP17", "CK17", await child.bridge.getAddress());
  for (const [bridge, own, counterpart] of [
    [parent.bridge, parentKip7, childKip7],
    [parent.bridge, parentKip17, childKip17],
    [child.bridge, childKip7, parentKip7],
    [child.bridge, childKip17, parentKip17],
  ] as const) {
    await (await bridge.registerToken(await own.getAddress(), await counterpart.getAddress())).wait();
  }

  // the user holds tokens and KLAY on the parent; a lock-mode child bridge needs liquidity of its own
  await (await parentKip7.transfer(user, 1000n * ONE)).wait();
  for (let tokenId = 1n; tokenId <= 4n; tokenId++) {
    await (await parentKip17.mintWithTokenURI(user, tokenId, `ipfs://token/${tokenId}`)).wait();
  }
  await (await child.bridge.chargeWithoutEvent({ value: 100n * ONE })).wait();
  await (await parent.bridge.chargeWithoutEvent({ value: 100n * ONE })).wait();
  if (!childMintBurn) {
    await (await childKip7.mint(await child.bridge.getAddress(), 1000n * ONE)).wait();
    for (let tokenId = 1n; tokenId <= 4n; tokenId++) {
      await (await childKip17.mintWithTokenURI(await child.bridge.getAddress(), tokenId, `ipfs://token/${tokenId}`)).wait();
    }
  }

  return {
    parent: {
      connection: parentConnection,
      signers: parentSigners,
      ...parent,
      kip7: parentKip7,
      kip17: parentKip17,
      anchoringReceiver,
    },
    child: { connection: childConnection, signers: childSigners, ...child, kip7: childKip7, kip17: childKip17 },
    childMintBurn,
    operators,
    user,
    funding: { parent: 100n * ONE, child: 100n * ONE },
  };
}

function signerOf(side: PairSide, address: string): HardhatEthersSigner {
  const signer = side.signers.find((candidate) => candidate.address === address);
  if (signer === undefined) throw new Error(`no signer ${address}`);
  return signer;
}

/** Adds KLAY liquidity to one bridge. */
export async function fundBridge(pair: Pair, side: Side, amount: bigint): Promise<void> {
  await (await pair[side].bridge.chargeWithoutEvent({ value: amount })).wait();
  pair.funding[side] += amount;
}

/** A fresh temporary directory, removed by `cleanup`. */
export function temporaryDirectory(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The relayer of operator `index` (0-based) of `pair`, its store in `directory`. The tests drive the relayers step
 * by step, each step reading every request there is: a batch that is not full is proposed at once (`batchWaitMs` 0)
 * unless the test says otherwise.
 */
export async function relayerFor(
  pair: Pair,
  index: number,
  directory: string,
  options: Partial<RelayerOptions> & {
    logger?: RelayerLogger;
    confirmations?: Partial<Record<Side, number>>;
    /** The operator's signers (default: the accounts of the in-process chains). */
    signers?: Record<Side, Signer>;
  } = {},
): Promise<Relayer> {
  const operator = pair.operators[index];
  const { confirmations, signers, ...rest } = options;
  return Relayer.create({
    parent: {
      signer: signers?.parent ?? signerOf(pair.parent, operator),
      bridge: await pair.parent.bridge.getAddress(),
      deployedBlock: pair.parent.deployedBlock,
      confirmations: confirmations?.parent,
      anchoringReceiver: await pair.parent.anchoringReceiver.getAddress(),
    },
    child: {
      signer: signers?.child ?? signerOf(pair.child, operator),
      bridge: await pair.child.bridge.getAddress(),
      deployedBlock: pair.child.deployedBlock,
      confirmations: confirmations?.child,
    },
    store: join(directory, `relayer-${operator}.sqlite`),
    batchWaitMs: 0,
    ...rest,
  });
}

/**
 * Operator `index` of `pair` proposes `transfers` as a batch for the child bridge, as its relayer would: signed with
 * its own key and posted in the signature directory `signatureDir`. Returns the batch's digest.
 */
export async function proposeChildBatch(pair: Pair, signatureDir: string, index: number, transfers: SignedTransfer[]): Promise<string> {
  const { chainId } = await pair.child.connection.ethers.provider.getNetwork();
  const domain = bridgeDomain(chainId, await pair.child.bridge.getAddress());
  const operator = signerOf(pair.child, pair.operators[index]);
  const digest = batchDigest(domain, transfers);
  const signature = await signBatch(operator, domain, transfers);
  await new SignatureDirectory(signatureDir, domain).post({ digest, signer: operator.address, signature, transfers });
  return digest;
}

/** A clock the test moves by hand, for a relayer's `now` option; it starts at 1,000,000 ms. */
export class ManualClock {
  #ms = 1_000_000;
  readonly now = (): number => this.#ms;

  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** Requests, as the user, one transfer of each asset kind from `side` to the user on the other side. */
export async function requestEachKind(pair: Pair, side: Side, tokenId: bigint, amount = 5n * ONE): Promise<void> {
  const user = pair.user;
  if (side === "parent") {
    const signer = signerOf(pair.parent, user);
    const bridge = pair.parent.bridge.connect(signer);
    const bridgeAddress = await bridge.getAddress();
    await (await bridge.requestKLAYTransfer(user, amount, "0x", { value: amount })).wait();
    await (await pair.parent.kip7.connect(signer).approve(bridgeAddress, amount)).wait();
    await (await bridge.requestERC20Transfer(await pair.parent.kip7.getAddress(), user, amount, 0, "0xbeef")).wait();
    await (await pair.parent.kip17.connect(signer).approve(bridgeAddress, tokenId)).wait();
    await (await bridge.requestERC721Transfer(await pair.parent.kip17.getAddress(), user, tokenId, "0x")).wait();
  } else {
    const signer = signerOf(pair.child, user);
    const bridge = pair.child.bridge.connect(signer);
    await (await bridge.requestKLAYTransfer(user, amount, "0x", { value: amount })).wait();
    await (await pair.child.kip7.connect(signer).requestValueTransfer(amount, user, 0, "0x")).wait();
    await (await pair.child.kip17.connect(signer).requestValueTransfer(tokenId, user, "0x")).wait();
  }
}

/** Mines `count` blocks on a chain. */
export async function mine(connection: Connection, count: number): Promise<void> {
  await connection.provider.request({ method: "hardhat_mine", params: [`0x${count.toString(16)}`] });
}

interface TransferEvent {
  nonce: bigint;
  tokenType: bigint;
  token: string;
  value: bigint;
}

/** A request, handle or refund event's nonce and asset. */
function transferEvent(nonce: bigint, args: { tokenType: bigint; tokenAddress: string; valueOrTokenId: bigint }): TransferEvent {
  return { nonce, tokenType: BigInt(args.tokenType), token: args.tokenAddress, value: args.valueOrTokenId };
}

async function requestsOf(bridge: Bridge): Promise<TransferEvent[]> {
  const plain = await bridge.queryFilter(bridge.filters.RequestValueTransfer(), 0, "latest");
  const encoded = await bridge.queryFilter(bridge.filters.RequestValueTransferEncoded(), 0, "latest");
  return [...plain, ...encoded].map((event) => transferEvent(event.args.requestNonce, event.args));
}

async function handlesOf(bridge: Bridge): Promise<TransferEvent[]> {
  const events = await bridge.queryFilter(bridge.filters.HandleValueTransfer(), 0, "latest");
  return events.map((event) => transferEvent(event.args.handleNonce, event.args));
}

/** The refunds of requests of `bridge` (its recovery ledger's `ValueTransferRefunded`). */
async function refundsOf(bridge: Bridge): Promise<TransferEvent[]> {
  const recovery = TransferRecovery__factory.connect(await bridge.transferRecovery(), bridge.runner);
  const events = await recovery.queryFilter(recovery.filters.ValueTransferRefunded(), 0, "latest");
  return events.map((event) => transferEvent(event.args.requestNonce, event.args));
}

/**
 * The invariant after every scenario: each request nonce paid exactly once on the other side with the same asset and
 * value, or refunded exactly once on its own side (after its cancellation), or still parked (failed, held or
 * cancelled) on the other side, never two of these; value locked or burnt on the source equals value released or
 * minted on the destination, plus what is parked, less what was refunded.
 */
export async function expectConservation(pair: Pair): Promise<void> {
  const parked: TransferEvent[] = [];
  for (const [source, destination] of [
    [pair.parent.bridge, pair.child.bridge],
    [pair.child.bridge, pair.parent.bridge],
  ] as const) {
    const requests = await requestsOf(source);
    const handles = await handlesOf(destination);
    const refunds = await refundsOf(source);
    const handledNonces = handles.map((handle) => handle.nonce);
    const refundedNonces = refunds.map((refund) => refund.nonce);
    expect(new Set(handledNonces).size, "a nonce handled twice").to.equal(handledNonces.length);
    expect(new Set(refundedNonces).size, "a nonce refunded twice").to.equal(refundedNonces.length);
    for (const nonce of refundedNonces) expect(handledNonces, `nonce ${nonce} paid and refunded`).not.to.include(nonce);
    const destinationRecovery = TransferRecovery__factory.connect(await destination.transferRecovery(), destination.runner);
    const counterpartOf = async (token: string) =>
      token === ZeroAddress ? ZeroAddress : await source.registeredTokens(token);
    for (const request of requests) {
      const handle = handles.find((candidate) => candidate.nonce === request.nonce);
      const refund = refunds.find((candidate) => candidate.nonce === request.nonce);
      if (handle !== undefined) {
        expect(handle.tokenType).to.equal(request.tokenType);
        expect(handle.value).to.equal(request.value);
        expect(handle.token).to.equal(await counterpartOf(request.token));
      } else if (refund !== undefined) {
        expect(refund.tokenType).to.equal(request.tokenType);
        expect(refund.value).to.equal(request.value);
        expect(refund.token).to.equal(request.token);
        const [status] = await destinationRecovery.parkedTransfer(request.nonce);
        expect(Number(status), `nonce ${request.nonce} refunded without its cancellation`).to.equal(3);
      } else {
        const [status] = await destinationRecovery.parkedTransfer(request.nonce);
        expect(Number(status), `nonce ${request.nonce} neither paid, refunded nor parked`).to.be.greaterThan(0);
        parked.push({ ...request, token: await counterpartOf(request.token) });
      }
    }
  }
  // balances: what the parent bridge locks equals what circulates on the child, plus what is parked on either side
  const parentBridge = await pair.parent.bridge.getAddress();
  const childBridge = await pair.child.bridge.getAddress();
  const childKip7 = (await pair.child.kip7.getAddress()).toLowerCase();
  const parentKip7 = (await pair.parent.kip7.getAddress()).toLowerCase();
  const parkedKip7 = parked
    .filter((entry) => entry.tokenType === 1n && [childKip7, parentKip7].includes(entry.token.toLowerCase()))
    .reduce((sum, entry) => sum + entry.value, 0n);
  const parkedNfts = new Set(parked.filter((entry) => entry.tokenType === 2n).map((entry) => entry.value));
  const childSupply = await pair.child.kip7.totalSupply();
  const lockedOnParent = await pair.parent.kip7.balanceOf(parentBridge);
  const heldByChildBridge = await pair.child.kip7.balanceOf(childBridge);
  if (pair.childMintBurn) expect(childSupply + parkedKip7).to.equal(lockedOnParent);
  else expect(childSupply - heldByChildBridge + parkedKip7).to.equal(lockedOnParent);
  for (let tokenId = 1n; tokenId <= 4n; tokenId++) {
    if (parkedNfts.has(tokenId)) continue;
    const onParent = (await pair.parent.kip17.ownerOf(tokenId)) === parentBridge;
    const childOwner = await pair.child.kip17.ownerOf(tokenId).catch(() => ZeroAddress);
    const circulatesOnChild = childOwner !== ZeroAddress && childOwner !== childBridge;
    expect(circulatesOnChild, `NFT ${tokenId} locked on the parent iff it circulates on the child`).to.equal(onParent);
  }
  // KLAY: a bridge holds its liquidity, plus what was locked in it, less what it released and refunded
  const klaySum = (events: TransferEvent[]) =>
    events.filter((event) => event.tokenType === 0n).reduce((sum, event) => sum + event.value, 0n);
  for (const side of ["parent", "child"] as const) {
    const bridge = pair[side].bridge;
    const balance = await pair[side].connection.ethers.provider.getBalance(await bridge.getAddress());
    const locked = klaySum(await requestsOf(bridge));
    const released = klaySum(await handlesOf(bridge));
    const refunded = klaySum(await refundsOf(bridge));
    expect(balance, `KLAY held by the ${side} bridge`).to.equal(pair.funding[side] + locked - released - refunded);
  }
}

/** Steps every relayer (poll then process) `rounds` times, in order. */
export async function stepAll(relayers: Relayer[], rounds = 1): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const relayer of relayers) {
      await relayer.poll();
      await relayer.processPending();
    }
  }
}

/** The chains, the temporary directory and the relayers of one test of a suite (see `useTwoChains`). */
export interface TwoChains {
  parent: Connection;
  child: Connection;
  directory: { path: string; cleanup: () => void };
  /** Relayers the test started: closed after it. */
  relayers: Relayer[];
}

/**
 * The common frame of a relayer suite: two in-process chains for the suite, a fresh temporary directory and relayer
 * list for each test, everything closed and removed afterwards.
 */
export function useTwoChains(prefix: string): TwoChains {
  const suite = { relayers: [] as Relayer[] } as TwoChains;
  before(async function () {
    suite.parent = await network.create("parent");
    suite.child = await network.create("child");
  });
  after(async function () {
    await suite.parent?.close();
    await suite.child?.close();
  });
  beforeEach(function () {
    suite.directory = temporaryDirectory(prefix);
    suite.relayers = [];
  });
  afterEach(function () {
    for (const relayer of suite.relayers) relayer.close();
    suite.directory.cleanup();
  });
  return suite;
}

/** The pair as the toolkit library connects it (what `bridge status` reads), the deployer sending on both sides. */
export async function connectedPair(pair: Pair, name = "test"): Promise<ConnectedPair> {
  const side = async (which: Side) => ({
    side: which,
    network: which,
    chainId: Number((await pair[which].connection.ethers.provider.getNetwork()).chainId),
    provider: pair[which].connection.ethers.provider,
    signer: pair[which].signers[0],
    confirmations: 1,
  });
  const record = async (which: Side): Promise<SideDeployment> => ({
    network: which,
    chainId: Number((await pair[which].connection.ethers.provider.getNetwork()).chainId),
    bridge: await pair[which].bridge.getAddress(),
    modeMintBurn: which === "child" && pair.childMintBurn,
    owner: pair[which].signers[0].address,
    deployedBlock: pair[which].deployedBlock,
    deployTx: pair[which].bridge.deploymentTransaction()?.hash ?? "",
  });
  const bridge = pair.parent.bridge;
  const deployment: PairDeployment = {
    format: 1,
    name,
    mode: pair.childMintBurn ? "mintburn" : "lock",
    operators: pair.operators,
    thresholds: {
      transfer: Number(await bridge.operatorThresholds(VoteType.ValueTransfer)),
      configuration: Number(await bridge.operatorThresholds(VoteType.Configuration)),
      anchoring: Number(await pair.parent.anchoringReceiver.operatorThresholds(VoteType.ValueTransfer)),
    },
    parent: { ...(await record("parent")), anchoringReceiver: await pair.parent.anchoringReceiver.getAddress() },
    child: await record("child"),
    tokens: [],
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  };
  return bindPair(deployment, { parent: await side("parent"), child: await side("child") });
}
