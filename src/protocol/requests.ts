/**
 * Reading value transfer requests from a source bridge: `RequestValueTransfer` (KLAY, KIP7) and
 * `RequestValueTransferEncoded` (KIP17, with the token URI in Klaytn's double encoding), turned into the exact
 * fields the destination bridge's handle takes.
 */
import { ZeroAddress, getAddress, toQuantity } from "ethers";
import type { Log, Provider } from "ethers";

import { Bridge__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { decodeTokenURIDetailed } from "./token-uri.js";
import { checksumAddress } from "./transfer.js";

export { decodeTokenURI, decodeTokenURIDetailed } from "./token-uri.js";
import type { Side, TokenTypeValue, TransferRequest } from "./transfer.js";

/**
 * Something about a request log the relayer must report: a log it cannot read as a request (`relayed` false: it is
 * skipped, the scan goes on) or a request relayed with a change (`relayed` true: a token URI that is not UTF-8).
 */
export interface RequestProblem {
  source: Side;
  txHash: string;
  blockNumber: number;
  requestNonce?: bigint;
  reason: string;
  relayed: boolean;
}

export type OnRequestProblem = (problem: RequestProblem) => void;

/** Looks up destination tokens (`registeredTokens` of the source bridge), caching what it read. */
export class CounterpartTokens {
  readonly #cache = new Map<string, string>();

  constructor(readonly bridge: Bridge) {}

  async of(sourceToken: string): Promise<string> {
    if (sourceToken === ZeroAddress) return ZeroAddress;
    const key = sourceToken.toLowerCase();
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const counterpart = getAddress(await this.bridge.registeredTokens(sourceToken));
    if (counterpart !== ZeroAddress) this.#cache.set(key, counterpart);
    return counterpart;
  }
}

const bridgeInterface = Bridge__factory.createInterface();
const PLAIN_TOPIC = bridgeInterface.getEvent("RequestValueTransfer").topicHash;
const ENCODED_TOPIC = bridgeInterface.getEvent("RequestValueTransferEncoded").topicHash;
const UINT8 = (1n << 8n) - 1n;
const UINT64 = (1n << 64n) - 1n;

/**
 * The fields of a request event that are not indexed (from, to and the token are the three topics), from its data
 * in the ABI encoding: `tokenType (uint8), valueOrTokenId (uint256), requestNonce (uint64), fee (uint256),
 * extraData (bytes)`, then for the encoded event `encodingVer (uint8), encodedData (bytes)`. Numbers are masked to
 * their width as the ABI decoder does; undefined when the data is too short or a bytes field runs out of it.
 */
function decodeRequestData(
  data: string,
  encoded: boolean,
): { tokenType: bigint; valueOrTokenId: bigint; requestNonce: bigint; extraData: string; encodedData: string } | undefined {
  if (typeof data !== "string" || !/^0x[0-9a-fA-F]*$/.test(data)) return undefined;
  const hex = data.slice(2);
  const words = hex.length / 64;
  const word = (index: number) => BigInt(`0x${hex.slice(index * 64, index * 64 + 64)}`);
  const bytesAt = (headIndex: number): string | undefined => {
    const offset = word(headIndex);
    if (offset % 32n !== 0n || offset / 32n >= BigInt(words)) return undefined;
    const at = Number(offset / 32n);
    const length = word(at);
    if (length > BigInt(hex.length)) return undefined;
    const start = (at + 1) * 64;
    const end = start + Number(length) * 2;
    return end > hex.length ? undefined : `0x${hex.slice(start, end)}`;
  };
  if (!Number.isInteger(words) || words < (encoded ? 7 : 5)) return undefined;
  const extraData = bytesAt(4);
  const encodedData = encoded ? bytesAt(6) : "0x";
  if (extraData === undefined || encodedData === undefined) return undefined;
  return { tokenType: word(0) & UINT8, valueOrTokenId: word(1), requestNonce: word(2) & UINT64, extraData, encodedData };
}

/** The address in an indexed address topic, or undefined when the topic is not one. */
function topicAddress(topic: string | undefined): string | undefined {
  if (typeof topic !== "string" || !/^0x0{24}[0-9a-fA-F]{40}$/.test(topic)) return undefined;
  return checksumAddress(`0x${topic.slice(26)}`);
}

/**
 * Turns one request log of the source bridge into a TransferRequest, or undefined when it is not a request. The log
 * is decoded by hand (the events' layout is fixed): a burst of requests is read by every relayer, and the generic
 * event decoder spends most of its time checksumming the same few addresses.
 */
export async function decodeRequestLog(
  source: Side,
  bridge: Bridge,
  tokens: CounterpartTokens,
  log: Pick<Log, "topics" | "data" | "transactionHash" | "blockNumber">,
  onProblem?: OnRequestProblem,
): Promise<TransferRequest | undefined> {
  const encoded = log.topics[0] === ENCODED_TOPIC;
  if (!encoded && log.topics[0] !== PLAIN_TOPIC) return undefined;
  const refuse = (reason: string) => {
    onProblem?.({ source, txHash: log.transactionHash, blockNumber: Number(log.blockNumber), reason, relayed: false });
    return undefined;
  };
  if (log.topics.length !== 4) return refuse(`${log.topics.length} topics, not 4`);
  const from = topicAddress(log.topics[1]);
  const to = topicAddress(log.topics[2]);
  const sourceToken = topicAddress(log.topics[3]);
  if (from === undefined || to === undefined || sourceToken === undefined) return refuse("a topic is not an address");
  const fields = decodeRequestData(log.data, encoded);
  if (fields === undefined) return refuse("its data is not a request's");
  const { tokenType, valueOrTokenId, requestNonce, extraData } = fields;
  const uri = encoded ? decodeTokenURIDetailed(fields.encodedData) : { uri: "", lossy: false };
  if (uri.lossy) {
    onProblem?.({
      source,
      txHash: log.transactionHash,
      blockNumber: Number(log.blockNumber),
      requestNonce,
      reason: "its token URI is not a UTF-8 string: relayed with U+FFFD in place of the bad bytes",
      relayed: true,
    });
  }
  return {
    source,
    requestTxHash: log.transactionHash,
    tokenType: Number(tokenType) as TokenTypeValue,
    from,
    to,
    sourceToken,
    tokenAddress: await tokens.of(sourceToken),
    valueOrTokenId,
    requestNonce,
    requestBlockNumber: BigInt(log.blockNumber),
    tokenURI: uri.uri,
    extraData,
  };
}

/** The topics of the two request events, for a getLogs filter matching either. */
export function requestTopics(bridge: Bridge): string[] {
  return [
    bridge.interface.getEvent("RequestValueTransfer").topicHash,
    bridge.interface.getEvent("RequestValueTransferEncoded").topicHash,
  ];
}

type RequestLog = Pick<Log, "topics" | "data" | "transactionHash" | "blockNumber">;

/**
 * `eth_getLogs`, through the provider's own JSON-RPC `send` when it has one (ethers' and Hardhat's providers): the
 * few fields a request needs are read from the node's answer, without the Log objects `getLogs` builds (a burst of a
 * thousand requests costs each relayer tens of milliseconds there). Other providers: `getLogs`.
 */
async function getLogs(
  provider: Provider,
  filter: { address: string; topics: string[][]; fromBlock: number; toBlock: number },
): Promise<RequestLog[]> {
  const send = (provider as { send?: unknown }).send;
  if (typeof send !== "function") return provider.getLogs(filter);
  const raw = (await send.call(provider, "eth_getLogs", [
    { ...filter, fromBlock: toQuantity(filter.fromBlock), toBlock: toQuantity(filter.toBlock) },
  ])) as { topics: string[]; data: string; transactionHash: string; blockNumber: string; removed?: boolean }[];
  return raw
    .filter((log) => log.removed !== true)
    .map((log) => ({
      topics: log.topics,
      data: log.data,
      transactionHash: log.transactionHash,
      blockNumber: Number(log.blockNumber),
    }));
}

/** Every request of `bridge` in blocks `fromBlock..toBlock` (inclusive), in log order, read in chunks of `maxRange`. */
export async function readRequests(
  source: Side,
  bridge: Bridge,
  tokens: CounterpartTokens,
  provider: Provider,
  fromBlock: number,
  toBlock: number,
  maxRange: number,
  onProblem?: OnRequestProblem,
): Promise<TransferRequest[]> {
  const address = await bridge.getAddress();
  const topics = requestTopics(bridge);
  const requests: TransferRequest[] = [];
  for (let start = fromBlock; start <= toBlock; start += maxRange) {
    const end = Math.min(toBlock, start + maxRange - 1);
    const logs = await getLogs(provider, { address, topics: [topics], fromBlock: start, toBlock: end });
    for (const log of logs) {
      const request = await decodeRequestLog(source, bridge, tokens, log, onProblem);
      if (request !== undefined) requests.push(request);
    }
  }
  return requests;
}

/** The requests that transaction `txHash` made on `bridge` (none when it made none or is unknown). */
export async function readRequestsOfTx(
  source: Side,
  bridge: Bridge,
  tokens: CounterpartTokens,
  provider: Provider,
  txHash: string,
  onProblem?: OnRequestProblem,
): Promise<TransferRequest[]> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null || receipt.status !== 1) return [];
  const address = (await bridge.getAddress()).toLowerCase();
  const requests: TransferRequest[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const request = await decodeRequestLog(source, bridge, tokens, log, onProblem);
    if (request !== undefined) requests.push(request);
  }
  return requests;
}
