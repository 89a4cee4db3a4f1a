/**
 * `proveTransaction`: builds the portable proof of a child-chain transaction from a child RPC and the parent's
 * AnchoringReceiver: the transaction and its receipt against their block's roots (trie proofs from `@ethereumjs/mpt`,
 * or every item in concat mode), the block header (ethereum encoding), and the block's Merkle proof against the
 * accepted anchor whose range holds it.
 */
import { Transaction, toBeHex } from "ethers";
import type { Provider } from "ethers";

import { BridgeTaskError } from "../errors.js";
import { anchoredBlockProof, anchoredBlocksTree, readAnchoredBlocks } from "../protocol/anchor.js";
import { anchorOfBlock, readReceiver } from "./anchors.js";
import { encodeReceipt, ethereumHeader, type ChainEncoding, type RpcBlock, type RpcReceipt } from "./encoding.js";
import { modeOf, trieProof } from "./roots.js";
import { TRANSACTION_PROOF_FORMAT, stringify, type TransactionProofJson } from "./types.js";

type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

export interface ProveOptions {
  child: Provider;
  parent: Provider;
  /** The parent's AnchoringReceiver, and the parent block it was deployed at (where its events start). */
  receiver: string;
  receiverDeployedBlock: number;
  /** The child chain the proof must come from (the pair's child); refused when the RPC serves another one. */
  childChainId?: bigint;
  /** The child's encodings; detected when not given (a node that answers `kaia_blockNumber` is Kaia). */
  encoding?: ChainEncoding;
}

async function detectEncoding(child: RpcProvider): Promise<ChainEncoding> {
  try {
    await child.send("kaia_blockNumber", []);
    return "kaia";
  } catch {
    return "ethereum";
  }
}

async function transactionItem(child: RpcProvider, encoding: ChainEncoding, hash: string): Promise<string> {
  if (encoding === "kaia") return String(await child.send("kaia_getRawTransactionByHash", [hash]));
  const tx = await child.getTransaction(hash);
  if (tx === null) throw new BridgeTaskError(`transaction ${hash} is not on the child chain`);
  return Transaction.from(tx).serialized;
}

/** The portable proof of child transaction `txHash` against the anchors on the parent. */
export async function proveTransaction(txHash: string, options: ProveOptions): Promise<TransactionProofJson> {
  const child = options.child as RpcProvider;
  const childChainId = (await child.getNetwork()).chainId;
  if (options.childChainId !== undefined && childChainId !== options.childChainId) {
    throw new BridgeTaskError(`the child RPC serves chain ${childChainId}, not the pair's child chain ${options.childChainId}`);
  }
  const parentChainId = (await options.parent.getNetwork()).chainId;
  const found = await child.getTransactionReceipt(txHash);
  if (found === null) throw new BridgeTaskError(`transaction ${txHash} is not on child chain ${childChainId}`);
  const blockNumber = BigInt(found.blockNumber);
  const receiver = readReceiver(options.receiver, options.parent);
  const accepted = await anchorOfBlock(receiver, options.receiverDeployedBlock, blockNumber);
  const anchor = accepted.anchor;

  const block = (await child.send("eth_getBlockByNumber", [toBeHex(blockNumber), false])) as RpcBlock;
  const encoding = options.encoding ?? (await detectEncoding(child));
  const transactions = await Promise.all(block.transactions.map((hash) => transactionItem(child, encoding, hash)));
  const receiptMethod = encoding === "kaia" ? "kaia_getTransactionReceipt" : "eth_getTransactionReceipt";
  const receipts = await Promise.all(
    block.transactions.map(async (hash) => encodeReceipt(encoding, (await child.send(receiptMethod, [hash])) as RpcReceipt)),
  );
  const mode = await modeOf(block.transactionsRoot, transactions);
  if (mode === undefined) throw new BridgeTaskError(`child block ${blockNumber}: its transactions do not build its transactions root`);
  if ((await modeOf(block.receiptsRoot, receipts)) !== mode) {
    throw new BridgeTaskError(`child block ${blockNumber}: its receipts do not build its receipts root`);
  }
  const index = found.index;
  const anchoredBlocks = await readAnchoredBlocks(child, anchor.blockNumber, anchor.blockCount);
  const tree = anchoredBlocksTree(anchoredBlocks);
  if (tree.root !== anchor.blocksRoot) {
    throw new BridgeTaskError(`child block ${blockNumber}: the child chain no longer matches the anchor of block ${anchor.blockNumber}`);
  }
  const leaf = anchoredBlocks.find((entry) => entry.number === blockNumber)!;
  const proof: TransactionProofJson = {
    format: TRANSACTION_PROOF_FORMAT,
    parentChainId: String(parentChainId),
    receiver: options.receiver,
    parentFromBlock: options.receiverDeployedBlock,
    childChainId: String(childChainId),
    encoding,
    mode,
    anchor: stringify(anchor),
    anchorTransaction: accepted.transactionHash,
    block: stringify(leaf),
    blockProof: anchoredBlockProof(tree, leaf),
    transactionHash: found.hash,
    transactionIndex: index,
    transaction: transactions[index],
    receipt: receipts[index],
  };
  if (encoding === "ethereum") proof.header = ethereumHeader(block);
  if (mode === "trie") {
    proof.transactionProof = await trieProof(transactions, index);
    proof.receiptProof = await trieProof(receipts, index);
  } else {
    proof.transactions = transactions;
    proof.receipts = receipts;
  }
  return proof;
}
