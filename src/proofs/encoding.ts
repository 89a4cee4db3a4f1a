/**
 * How a child chain encodes what its blocks commit to: the block header (whose keccak is the block hash), the
 * transactions and the receipts (the items of the transactions and receipts roots). Two families:
 * - `ethereum` (Hardhat/EDR and other Ethereum clients): the header is the RLP list of its fields in the order of the
 *   yellow paper and the EIPs that appended to it; a receipt is `[status, cumulativeGasUsed, logsBloom, logs]`,
 *   prefixed with its type byte when typed (EIP-2718); a transaction is its signed serialization.
 * - `kaia`: a receipt is `[status, gasUsed, logsBloom, logs]` (Kaia's `receiptRLP`, `blockchain/types/receipt.go`),
 *   never typed, `status` an unsigned integer (1 success, 0 and Kaia's error codes otherwise); a transaction is its
 *   raw encoding as the node returns it (`kaia_getRawTransactionByHash`); its RPC receipt
 *   (`kaia_getTransactionReceipt`) reports a failure as status 0 with the code in `txError`. A Kaia block hash is not a hash of the
 *   header fields that the RPC returns, so no header is checked: the anchored leaf carries the roots.
 */
import { decodeRlp, encodeRlp, getBytes, hexlify, keccak256, toBeArray, zeroPadValue } from "ethers";

export type ChainEncoding = "ethereum" | "kaia";

/** A block as `eth_getBlockByNumber` returns it (the header fields; optional ones per hardfork). */
export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  sha3Uncles: string;
  miner: string;
  stateRoot: string;
  transactionsRoot: string;
  receiptsRoot: string;
  logsBloom: string;
  difficulty: string;
  gasLimit: string;
  gasUsed: string;
  timestamp: string;
  extraData: string;
  mixHash: string;
  nonce: string;
  baseFeePerGas?: string;
  withdrawalsRoot?: string;
  blobGasUsed?: string;
  excessBlobGas?: string;
  parentBeaconBlockRoot?: string;
  requestsHash?: string;
  transactions: string[];
}

/** A log as the RPC returns it. */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
}

/** A receipt as `eth_getTransactionReceipt` returns it. */
export interface RpcReceipt {
  type?: string;
  status: string;
  /** Kaia: a failed receipt's status code (its RPC says status 0 and puts the code here). */
  txError?: string;
  cumulativeGasUsed?: string;
  gasUsed: string;
  logsBloom: string;
  logs: RpcLog[];
}

/** The RLP of an unsigned integer: big-endian, no leading zero (zero is the empty string). */
const quantity = (value: string | bigint | number) => toBeArray(BigInt(value));

/** The header fields of an Ethereum block, RLP-encoded: its keccak is the block hash. */
export function ethereumHeader(block: RpcBlock): string {
  const fields: (string | Uint8Array)[] = [
    block.parentHash,
    block.sha3Uncles,
    block.miner,
    block.stateRoot,
    block.transactionsRoot,
    block.receiptsRoot,
    block.logsBloom,
    quantity(block.difficulty),
    quantity(block.number),
    quantity(block.gasLimit),
    quantity(block.gasUsed),
    quantity(block.timestamp),
    block.extraData,
    block.mixHash,
    zeroPadValue(block.nonce, 8),
  ];
  // the fields later hardforks appended, in order: present from their fork on
  const optional: [keyof RpcBlock, boolean][] = [
    ["baseFeePerGas", true],
    ["withdrawalsRoot", false],
    ["blobGasUsed", true],
    ["excessBlobGas", true],
    ["parentBeaconBlockRoot", false],
    ["requestsHash", false],
  ];
  for (const [name, isQuantity] of optional) {
    const value = block[name] as string | undefined;
    if (value === undefined || value === null) break;
    fields.push(isQuantity ? quantity(value) : value);
  }
  return encodeRlp(fields);
}

/** The fields of an Ethereum header the proof relies on, decoded from its RLP. */
export function decodeEthereumHeader(header: string): { number: bigint; transactionsRoot: string; receiptsRoot: string } {
  const fields = decodeRlp(header);
  if (!Array.isArray(fields) || fields.length < 15) throw new Error("the header is not an RLP list of header fields");
  return {
    transactionsRoot: String(fields[4]),
    receiptsRoot: String(fields[5]),
    number: BigInt(fields[8] === "0x" ? 0 : String(fields[8])),
  };
}

const encodeLogs = (logs: RpcLog[]) => logs.map((log) => [log.address, log.topics, log.data]);

/** A receipt as its block's receipts root commits to it. */
export function encodeReceipt(encoding: ChainEncoding, receipt: RpcReceipt): string {
  if (encoding === "kaia") {
    const status = BigInt(receipt.status) === 1n ? receipt.status : (receipt.txError ?? receipt.status);
    return encodeRlp([quantity(status), quantity(receipt.gasUsed), receipt.logsBloom, encodeLogs(receipt.logs)]);
  }
  const body = encodeRlp([
    BigInt(receipt.status) === 1n ? "0x01" : "0x",
    quantity(receipt.cumulativeGasUsed ?? "0x0"),
    receipt.logsBloom,
    encodeLogs(receipt.logs),
  ]);
  const type = BigInt(receipt.type ?? "0x0");
  return type === 0n ? body : hexlify(new Uint8Array([Number(type), ...getBytes(body)]));
}

/** What a proven receipt says. */
export interface ProvenReceipt {
  /** Whether the transaction succeeded (status 1). */
  success: boolean;
  /** The status code (Kaia's error codes are above 1). */
  status: number;
  /** The gas the transaction used (`kaia`) or the block's gas used up to it (`ethereum`). */
  gas: bigint;
  logs: RpcLog[];
}

const asList = (value: unknown, what: string): unknown[] => {
  if (!Array.isArray(value)) throw new Error(`${what} is not an RLP list`);
  return value;
};

const asInteger = (value: unknown): bigint => (value === "0x" ? 0n : BigInt(String(value)));

/** Decodes a receipt item (the inverse of `encodeReceipt`). */
export function decodeReceipt(encoding: ChainEncoding, item: string): ProvenReceipt {
  let bytes = getBytes(item);
  if (encoding === "ethereum" && bytes.length > 0 && bytes[0] < 0x7f) bytes = bytes.subarray(1);
  const fields = asList(decodeRlp(bytes), "the receipt");
  if (fields.length !== 4) throw new Error(`the receipt has ${fields.length} fields, not 4`);
  const logs = asList(fields[3], "the receipt's logs").map((entry) => {
    const [address, topics, data] = asList(entry, "a log");
    return {
      address: String(address),
      topics: asList(topics, "a log's topics").map((topic) => zeroPadValue(String(topic), 32)),
      data: String(data),
    };
  });
  const status = Number(asInteger(fields[0]));
  return { success: status === 1, status, gas: asInteger(fields[1]), logs };
}

/** The hash of a transaction item: keccak of its encoding, on both families. */
export function transactionHash(item: string): string {
  return keccak256(item);
}

/** The key of item `index` in a transactions or receipts trie: the RLP of the index. */
export function trieKey(index: number): string {
  return encodeRlp(quantity(index));
}

