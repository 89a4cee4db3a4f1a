// `bridge relay`: runs the relayer of one operator of a recorded pair (src/relayer/).
import { getAddress, isAddress } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { createPairRelayer, lineLogger } from "../src/relayer/index.js";
import { readDeployment } from "./relay-pair.js";

interface RelayArgs {
  pair?: string;
  operator?: string;
  once: boolean;
  confirmations?: string;
  anchorEvery?: string;
  signatureWait?: string;
  votes: boolean;
  json: boolean;
}

class RelayTaskError extends Error {}

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new RelayTaskError(`--${option} must be a whole number >= 0 (got "${value}")`);
  return Number(value);
}

/** The blocks the relayer waits after a request on `network`: its configured confirmations, less the mined block. */
function defaultConfirmations(hre: HardhatRuntimeEnvironment, network: string): number {
  const configured = (hre.userConfig.networks?.[network] as { confirmations?: number } | undefined)?.confirmations;
  return configured === undefined ? 0 : Math.max(0, configured - 1);
}

async function signerOf(hre: HardhatRuntimeEnvironment, network: string, operator: string | undefined) {
  const connection = await hre.network.getOrCreate(network);
  let signers: HardhatEthersSigner[];
  try {
    signers = await connection.ethers.getSigners();
  } catch (error) {
    throw new RelayTaskError(`cannot reach network "${network}" (is the node running?)`, { cause: error });
  }
  if (signers.length === 0) throw new RelayTaskError(`network "${network}" has no account to sign with`);
  if (operator === undefined) return signers[0];
  const signer = signers.find((candidate) => candidate.address === operator);
  if (signer === undefined) {
    throw new RelayTaskError(`operator ${operator} has no account on network "${network}" (add its key to the network's accounts)`);
  }
  return signer;
}

export default async function relay(args: RelayArgs, hre: HardhatRuntimeEnvironment) {
  try {
    if (args.pair === undefined || !/^[A-Za-z0-9_-]+$/.test(args.pair)) {
      throw new RelayTaskError("--pair must name a pair (letters, digits, - and _)");
    }
    if (args.operator !== undefined && !isAddress(args.operator)) {
      throw new RelayTaskError(`--operator must be an address (got "${args.operator}")`);
    }
    const confirmations = wholeNumber(args.confirmations, "confirmations");
    const anchorEvery = wholeNumber(args.anchorEvery, "anchor-every") ?? 0;
    const signatureWait = wholeNumber(args.signatureWait, "signature-wait") ?? (args.once ? 5 : 30);
    const deployment = await readDeployment(args.pair);
    if (anchorEvery > 0 && deployment.parent.anchoringReceiver === undefined) {
      throw new RelayTaskError(`pair "${deployment.name}" records no anchoring receiver: --anchor-every cannot be used`);
    }
    const operator = args.operator === undefined ? undefined : getAddress(args.operator);
    const parentSigner = await signerOf(hre, deployment.parent.network, operator);
    const childSigner = await signerOf(hre, deployment.child.network, parentSigner.address);
    const relayer = await createPairRelayer(deployment, {
      signers: { parent: parentSigner, child: childSigner },
      confirmations: {
        parent: confirmations ?? defaultConfirmations(hre, deployment.parent.network),
        child: confirmations ?? defaultConfirmations(hre, deployment.child.network),
      },
      anchorEvery,
      signatures: !args.votes,
      signatureWaitMs: signatureWait * 1000,
      logger: lineLogger({ json: args.json }),
    });
    try {
      if (args.once) {
        await relayer.runOnce();
        return;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await relayer.run(controller.signal);
    } finally {
      relayer.close();
    }
  } catch (error) {
    if (!(error instanceof RelayTaskError) && !(error instanceof Error && /^unknown pair|^no contract|must be the same operator/.test(error.message))) throw error;
    console.error(`Error: ${error.message}`);
    process.exitCode = 1;
  }
}
