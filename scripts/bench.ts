/**
 * Gas and throughput benchmark: `npm run bench`.
 *
 * Deploys on an in-process chain (lock mode on the destination), measures every path from the second of two
 * identical transfers to the same recipient after a warm-up (how SPEC.md's Klaytn column was measured), writes
 * bench/results.json and prints a markdown table beside Klaytn's figures.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import {
  gasTable,
  missedGasTargets,
  missedRelayerTargets,
  relayerTable,
  sizeLine,
  spread,
  withGasTable,
  type RelayerFigures,
} from "../src/bench/gas-table.js";
import { measureReceiptProof } from "./bench-proof.js";
import { measureBoard, type BoardRun } from "./bench-board.js";
import { measureRelayer, type RelayerRun } from "./bench-relayer.js";
import {
  anchoringDomain,
  bridgeDomain,
  packSignatures,
  signAnchor,
  signBatch,
  type Anchor,
  type SignedTransfer,
} from "../src/signatures.js";

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was dropped");
  return Number(receipt.gasUsed);
}

/** Runs `once` twice (warm-up, then the measured run) and returns the second figure. */
async function secondOf(once: (round: number) => Promise<number>): Promise<number> {
  await once(0);
  return once(1);
}

async function measureRequests(ethers: Ethers, gas: Record<string, number>) {
  const [deployer, user] = await ethers.getSigners();
  const bridge = await ethers.deployContract("Bridge", [false]);
  const kip7 = await ethers.deployContract("KIP7Token", ["Parent KIP7", "PK7", 18, 10n ** 27n]);
  const kip17 = await ethers.deployContract("KIP17Token", ["Parent KIP17", "PK17"]);
  const scKip7 = await ethers.deployContract("ServiceChainKIP7", ["Service KIP7", "SK7", bridge]);
  const scKip17 = await ethers.deployContract("ServiceChainKIP17", ["Service KIP17", "SK17", bridge]);
  const counterpart = ethers.Wallet.createRandom().address;
  for (const token of [kip7, kip17, scKip7, scKip17]) await (await bridge.registerToken(token, counterpart)).wait();
  await (await scKip7.mint(deployer, 10n ** 24n)).wait();
  for (let id = 1; id <= 4; id++) {
    await (await kip17.mintWithTokenURI(deployer, id, `ipfs://parent/${id}`)).wait();
    await (await scKip17.mintWithTokenURI(deployer, id, `ipfs://service/${id}`)).wait();
  }
  const amount = 10n ** 18n;

  gas["request.klay"] = await secondOf(() =>
    gasOf(bridge.requestKLAYTransfer(user, amount, "0x", { value: amount })),
  );
  gas["request.kip7"] = await secondOf(async () => {
    await (await kip7.approve(bridge, amount)).wait();
    return gasOf(bridge.requestERC20Transfer(kip7, user, amount, 0, "0x"));
  });
  gas["request.kip7.oneStep"] = await secondOf(() => gasOf(scKip7.requestValueTransfer(amount, user, 0, "0x")));
  const safeTransferData = ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes"], [user.address, "0x"]);
  gas["request.kip7.safeTransfer"] = await secondOf(() =>
    gasOf(kip7.getFunction("safeTransfer(address,uint256,bytes)")(bridge, amount, safeTransferData)),
  );
  gas["request.kip17"] = await secondOf(async (round) => {
    await (await kip17.approve(bridge, round + 1)).wait();
    return gasOf(bridge.requestERC721Transfer(kip17, user, round + 1, "0x"));
  });
  gas["request.kip17.oneStep"] = await secondOf((round) => gasOf(scKip17.requestValueTransfer(round + 1, user, "0x")));
}

/** A destination bridge in lock mode with `operatorCount` operators and a value-transfer threshold, funded. */
async function destination(ethers: Ethers, operatorCount: number, threshold: number) {
  const signers = await ethers.getSigners();
  const [deployer] = signers;
  const operators = signers.slice(0, operatorCount);
  const bridge = await ethers.deployContract("Bridge", [false], { value: ethers.parseEther("1000") });
  for (const operator of operators.slice(1)) await (await bridge.registerOperator(operator)).wait();
  await (await bridge.setOperatorThreshold(0, threshold)).wait();
  const kip7 = await ethers.deployContract("KIP7Token", ["Child KIP7", "CK7", 18, 10n ** 27n]);
  const kip17 = await ethers.deployContract("KIP17Token", ["Child KIP17", "CK17"]);
  const counterpart = ethers.Wallet.createRandom().address;
  await (await bridge.registerToken(kip7, counterpart)).wait();
  await (await bridge.registerToken(kip17, ethers.Wallet.createRandom().address)).wait();
  // the bridge's tokens come in by requests, as in a running pair (a lock-mode payout lowers what it accounts for)
  await (await kip7.approve(bridge, 10n ** 26n)).wait();
  await (await bridge.requestERC20Transfer(kip7, deployer, 10n ** 26n, 0, "0x")).wait();
  for (let id = 1; id <= 8; id++) await (await kip17.mintWithTokenURI(bridge, id, `ipfs://child/${id}`)).wait();
  const { chainId } = await ethers.provider.getNetwork();
  return { bridge, kip7, kip17, operators, deployer, domain: bridgeDomain(chainId, await bridge.getAddress()) };
}

async function measureHandles(ethers: Ethers, gas: Record<string, number>) {
  const signers = await ethers.getSigners();
  const user = signers[15];
  const submitter = signers[16];
  const amount = 10n ** 18n;

  const sign = async (domain: Awaited<ReturnType<typeof destination>>["domain"], transfers: SignedTransfer[], by: HardhatEthersSigner[]) =>
    packSignatures(
      await Promise.all(by.map(async (s) => ({ signer: s.address, signature: await signBatch(s, domain, transfers) }))),
    );

  // Per-operator votes, 2 of 3: the sum of both operators' transactions.
  {
    const d = await destination(ethers, 3, 2);
    let nonce = 0n;
    const vote = async (send: (operator: HardhatEthersSigner) => Promise<number>) => {
      let total = 0;
      for (const operator of d.operators.slice(0, 2)) total += await send(operator);
      nonce += 1n;
      return total;
    };
    gas["handle.vote.klay.2of3"] = await secondOf(() =>
      vote((op) => gasOf(d.bridge.connect(op).handleKLAYTransfer(ethers.id(`tx${nonce}`), d.deployer, user, amount, nonce, 100n + nonce, "0x"))),
    );
    gas["handle.vote.kip7.2of3"] = await secondOf(() =>
      vote((op) => gasOf(d.bridge.connect(op).handleERC20Transfer(ethers.id(`tx${nonce}`), d.deployer, user, d.kip7, amount, nonce, 100n + nonce, "0x"))),
    );
    gas["handle.vote.kip17.2of3"] = await secondOf((round) =>
      vote((op) => gasOf(d.bridge.connect(op).handleERC721Transfer(ethers.id(`tx${nonce}`), d.deployer, user, d.kip17, round + 1, nonce, 100n + nonce, `ipfs://child/${round + 1}`, "0x"))),
    );
  }

  // Signed batches, submitted by a non-operator.
  const signedRun = async (operatorCount: number, threshold: number, batchSize: number, kind: 0 | 1 | 2) => {
    const d = await destination(ethers, operatorCount, threshold);
    const token = kind === 0 ? ethers.ZeroAddress : kind === 1 ? await d.kip7.getAddress() : await d.kip17.getAddress();
    let nonce = 0n;
    let nextNftId = 1n;
    return secondOf(async () => {
      const transfers: SignedTransfer[] = [];
      for (let i = 0; i < batchSize; i++) {
        const valueOrTokenId = kind === 2 ? nextNftId++ : amount;
        transfers.push({
          requestTxHash: ethers.id(`tx${nonce}`),
          tokenType: kind,
          from: d.deployer.address,
          to: user.address,
          tokenAddress: token,
          valueOrTokenId,
          requestNonce: nonce,
          requestBlockNumber: 100n + nonce,
          tokenURI: kind === 2 ? `ipfs://child/${valueOrTokenId}` : "",
          extraData: "0x",
        });
        nonce += 1n;
      }
      const signatures = await sign(d.domain, transfers, d.operators.slice(0, threshold));
      return gasOf(d.bridge.connect(submitter).handleSignedTransfers(transfers, signatures));
    });
  };
  gas["handle.signed.klay.2of3"] = await signedRun(3, 2, 1, 0);
  gas["handle.signed.kip7.2of3"] = await signedRun(3, 2, 1, 1);
  gas["handle.signed.kip17.2of3"] = await signedRun(3, 2, 1, 2);
  gas["handle.signed.kip7.5of9"] = await signedRun(9, 5, 1, 1);
  gas["handle.signed.kip7.2of3.batch20.perTransfer"] = Math.round((await signedRun(3, 2, 20, 1)) / 20);
}

async function measureAnchors(ethers: Ethers, gas: Record<string, number>) {
  const [owner, op2, op3, submitter] = await ethers.getSigners();
  const deploy = async () => {
    const receiver = await ethers.deployContract("AnchoringReceiver");
    await (await receiver.registerOperator(op2)).wait();
    await (await receiver.registerOperator(op3)).wait();
    await (await receiver.setOperatorThreshold(0, 2)).wait();
    return receiver;
  };
  const anchorOf = (blockNumber: bigint): Anchor => ({
    blockHash: ethers.id(`block ${blockNumber}`),
    parentHash: ethers.id(`block ${blockNumber - 1n}`),
    transactionsRoot: ethers.id(`transactions ${blockNumber}`),
    receiptsRoot: ethers.id(`receipts ${blockNumber}`),
    stateRoot: ethers.id(`state ${blockNumber}`),
    blocksRoot: ethers.id(`blocks ${blockNumber}`),
    blockNumber,
    blockCount: 10n,
    txCount: 25n,
  });
  const fields = (a: Anchor) =>
    [a.blockNumber, a.blockHash, a.parentHash, a.transactionsRoot, a.receiptsRoot, a.stateRoot, a.blocksRoot, a.blockCount, a.txCount] as const;

  const voted = await deploy();
  gas["anchor.vote.2of3"] = await secondOf(async (round) => {
    const anchor = anchorOf(BigInt(10 * (round + 1)));
    return (await gasOf(voted.connect(owner).submitAnchor(...fields(anchor)))) +
      (await gasOf(voted.connect(op2).submitAnchor(...fields(anchor))));
  });

  const signed = await deploy();
  const { chainId } = await ethers.provider.getNetwork();
  const domain = anchoringDomain(chainId, await signed.getAddress());
  gas["anchor.signed.2of3"] = await secondOf(async (round) => {
    const anchor = anchorOf(BigInt(10 * (round + 1)));
    const signatures = packSignatures(
      await Promise.all([owner, op2].map(async (s) => ({ signer: s.address, signature: await signAnchor(s, domain, anchor) }))),
    );
    return gasOf(signed.connect(submitter).submitSignedAnchors([anchor], [signatures]));
  });
}

/** The deployed size of each contract the README states one of, from the artifacts this run deployed. */
async function measureSizes(): Promise<Record<string, number>> {
  const artifact = JSON.parse(
    await readFile(path.join(import.meta.dirname, "..", "artifacts", "contracts", "bridge", "Bridge.sol", "Bridge.json"), "utf8"),
  ) as { deployedBytecode: string };
  return { Bridge: (artifact.deployedBytecode.length - 2) / 2 };
}

/** The relayer's figures over `runs` runs: medians and ranges. */
async function measureRelayerRuns(runs: number): Promise<RelayerFigures> {
  const results: RelayerRun[] = [];
  for (let run = 0; run < runs; run++) results.push(await measureRelayer());
  const of = (key: keyof Omit<RelayerRun, "transfers" | "batchSize">) => spread(results.map((result) => result[key]));
  return {
    runs,
    transfersPerSecond: of("transfersPerSecond"),
    overheadRatio: of("overheadRatio"),
    relayedMs: of("relayedMs"),
    requestMs: of("requestMs"),
    directMs: of("directMs"),
    transfers: results[0].transfers,
    batchSize: results[0].batchSize,
    board: await measureBoardRuns(runs),
  };
}

/** The board figures over `runs` runs: medians and ranges. */
async function measureBoardRuns(runs: number): Promise<NonNullable<RelayerFigures["board"]>> {
  const results: BoardRun[] = [];
  for (let run = 0; run < runs; run++) results.push(await measureBoard());
  const of = (key: keyof Omit<BoardRun, "transfers" | "batchSize">) => spread(results.map((result) => result[key]));
  return {
    runs,
    transfersPerSecond: of("transfersPerSecond"),
    p95LatencyMs: of("p95LatencyMs"),
    boardGasPerOperatorPerBatch: of("boardGasPerOperatorPerBatch"),
    relayedMs: of("relayedMs"),
    requestMs: of("requestMs"),
    transfers: results[0].transfers,
    batchSize: results[0].batchSize,
  };
}

const connection = await network.create({ network: "bench" });
const gas: Record<string, number> = {};
await measureRequests(connection.ethers, gas);
await measureHandles(connection.ethers, gas);
await measureAnchors(connection.ethers, gas);
await measureReceiptProof(connection.ethers, gas);
await connection.close();
const sizes = await measureSizes();
if (process.env.BENCH_GAS_ONLY === "1") {
  // the gas figures alone, printed and not written: a quick look while changing the contracts
  console.log(gasTable(gas));
  console.log(`\n${sizeLine(sizes)}`);
  process.exit(0);
}
// five runs: on two shared cores one run of the relayers can take half as long again as the next
const relayer = await measureRelayerRuns(5);

const results = { gas, sizes, relayer };
const file = path.join(import.meta.dirname, "..", "bench", "results.json");
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
const readmeFile = path.join(import.meta.dirname, "..", "README.md");
await writeFile(readmeFile, withGasTable(await readFile(readmeFile, "utf8"), gas, relayer, sizes));
console.log(gasTable(gas));
console.log(`\n${sizeLine(sizes)}`);
console.log(`\n${relayerTable(relayer)}`);
const missed = [...missedGasTargets(gas), ...missedRelayerTargets(relayer)];
console.log(missed.length === 0 ? "\nevery target met" : `\ntargets missed (${missed.length}):\n${missed.map((line) => `  ${line}`).join("\n")}`);
console.log(`\nwritten ${path.relative(process.cwd(), file)} and the benchmark section of README.md`);
