/**
 * Reading value transfer requests from a source bridge: `RequestValueTransfer` (KLAY, KIP7) and
 * `RequestValueTransferEncoded` (KIP17, with the token URI in Klaytn's double encoding), turned into the exact
 * fields the destination bridge's handle takes.
 */
import { AbiCoder, ZeroAddress, getAddress } from "ethers";
import type { Log, Provider, Result } from "ethers";

import type { Bridge } from "../../types/ethers-contracts/index.js";
import type { Side, TokenTypeValue, TransferRequest } from "./types.js";

const abi = AbiCoder.defaultAbiCoder();

/**
 * The token URI of a KIP17 request: `encodedData = abi.encode(string(R))` where R is the raw ABI-encoded return of
 * `tokenURI`. Decoded as bytes at both levels so that any byte sequence is accepted; an empty R is an empty URI.
 */
export function decodeTokenURI(encodedData: string): string {
  if (encodedData === "0x" || encodedData.length <= 2) return "";
  const [raw] = abi.decode(["bytes"], encodedData) as unknown as [string];
  if (raw === "0x") return "";
  const [uri] = abi.decode(["string"], raw) as unknown as [string];
  return uri;
}

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

/** Turns one request log of the source bridge into a TransferRequest, or undefined when it is not a request. */
export async function decodeRequestLog(
  source: Side,
  bridge: Bridge,
  tokens: CounterpartTokens,
  log: Log,
): Promise<TransferRequest | undefined> {
  const plain = bridge.interface.getEvent("RequestValueTransfer");
  const encoded = bridge.interface.getEvent("RequestValueTransferEncoded");
  const fragment = log.topics[0] === plain.topicHash ? plain : log.topics[0] === encoded.topicHash ? encoded : undefined;
  if (fragment === undefined) return undefined;
  let args: Result;
  try {
    args = bridge.interface.decodeEventLog(fragment, log.data, log.topics);
  } catch {
    return undefined;
  }
  const sourceToken = getAddress(args.tokenAddress as string);
  const tokenURI = fragment === encoded ? decodeTokenURI(args.encodedData as string) : "";
  return {
    source,
    requestTxHash: log.transactionHash,
    tokenType: Number(args.tokenType) as TokenTypeValue,
    from: getAddress(args.from as string),
    to: getAddress(args.to as string),
    sourceToken,
    tokenAddress: await tokens.of(sourceToken),
    valueOrTokenId: args.valueOrTokenId as bigint,
    requestNonce: args.requestNonce as bigint,
    requestBlockNumber: BigInt(log.blockNumber),
    tokenURI,
    extraData: args.extraData as string,
  };
}

/** The topics of the two request events, for a getLogs filter matching either. */
export function requestTopics(bridge: Bridge): string[] {
  return [
    bridge.interface.getEvent("RequestValueTransfer").topicHash,
    bridge.interface.getEvent("RequestValueTransferEncoded").topicHash,
  ];
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
): Promise<TransferRequest[]> {
  const address = await bridge.getAddress();
  const topics = requestTopics(bridge);
  const requests: TransferRequest[] = [];
  for (let start = fromBlock; start <= toBlock; start += maxRange) {
    const end = Math.min(toBlock, start + maxRange - 1);
    const logs = await provider.getLogs({ address, topics: [topics], fromBlock: start, toBlock: end });
    for (const log of logs) {
      const request = await decodeRequestLog(source, bridge, tokens, log);
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
): Promise<TransferRequest[]> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null || receipt.status !== 1) return [];
  const address = (await bridge.getAddress()).toLowerCase();
  const requests: TransferRequest[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const request = await decodeRequestLog(source, bridge, tokens, log);
    if (request !== undefined) requests.push(request);
  }
  return requests;
}
