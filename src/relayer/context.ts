/**
 * What the relayer's workers share (the scanner, the vote path, the signed path, the batch submitter, the run loop):
 * each side of the pair connected (provider, bridge, domain, signature exchange), the store, the settings, the
 * logger, the clock, the RPC retry and the crash hook. `Relayer.create` builds it once; the workers only read it.
 */
import { getAddress } from "ethers";
import type { Provider, TypedDataDomain } from "ethers";

import { Bridge__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { HANDLE_SIGNED_TRANSFERS_SELECTOR } from "../protocol/batch.js";
import { bridgeDomain } from "../protocol/eip712.js";
import { CounterpartTokens } from "../protocol/requests.js";
import { describeError, withRetry } from "./errors.js";
import type { BatchSignature, SignatureExchange } from "./exchange.js";
import type { ExchangeWiring } from "./exchange.js";
import type { InsufficientFundsAlarm } from "./funds.js";
import type { RelayerLogger } from "./log.js";
import type { AfterSend, RelayerOptions, RelayerSettings } from "./options.js";
import type { DeploymentIdentity } from "./store-binding.js";
import type { RelayerStore } from "./store.js";
import { storedRequests } from "./board-exchange.js";
import { otherSide } from "./types.js";
import type { ChainEndpoint, Side } from "./types.js";

/** One side of the pair, connected. */
export interface SideContext {
  side: Side;
  endpoint: ChainEndpoint;
  provider: Provider;
  bridge: Bridge;
  bridgeAddress: string;
  chainId: bigint;
  confirmations: number;
  tokens: CounterpartTokens;
  domain: TypedDataDomain;
  /** The signature exchange of this side's bridge, when the signed path is on. */
  signatures?: SignatureExchange<BatchSignature>;
  signedPath: boolean;
}

/** What every worker of one relayer reads. */
export interface RelayerContext {
  readonly operator: string;
  readonly store: RelayerStore;
  readonly sides: Record<Side, SideContext>;
  readonly settings: RelayerSettings;
  readonly log: RelayerLogger;
  readonly now: () => number;
  readonly afterSend?: AfterSend;
  readonly funds: InsufficientFundsAlarm;
  /** Logs each refused signature file once. */
  readonly badFile: (file: string, reason: string) => void;
  /** Runs a chain call, retrying transient RPC failures (`settings.retry`), each retry logged. */
  readonly rpc: <T>(operation: () => Promise<T>) => Promise<T>;
}

/** The RPC retry of a relayer: `withRetry` with its settings, each retry logged as `rpc-retry`. */
export function rpcWithRetry(settings: RelayerSettings, log: RelayerLogger): <T>(operation: () => Promise<T>) => Promise<T> {
  return (operation) =>
    withRetry(operation, {
      ...settings.retry,
      onRetry: (error, attempt, delayMs) => log.log("warn", "rpc-retry", { attempt, delayMs, error: describeError(error) }),
    });
}

/**
 * Both sides of the pair connected: the bridge at each endpoint (an error when there is no contract there), its
 * EIP-712 domain, and whether the signed path is on towards it (`exchange` given and the bridge has the signed path;
 * its batch exchange is set once the store is open, see `withBatchExchanges`).
 */
export async function connectSides(options: RelayerOptions, exchange?: ExchangeWiring): Promise<Record<Side, SideContext>> {
  const connect = async (side: Side): Promise<SideContext> => {
    const endpoint = options[side];
    const provider = endpoint.signer.provider;
    if (provider === null || provider === undefined) throw new Error(`the ${side} signer has no provider`);
    const bridgeAddress = getAddress(endpoint.bridge);
    const bridge = Bridge__factory.connect(bridgeAddress, endpoint.signer);
    const { chainId } = await provider.getNetwork();
    const code = await provider.getCode(bridgeAddress);
    if (code === "0x") throw new Error(`no contract at the ${side} bridge ${bridgeAddress} (chain ${chainId})`);
    const domain = bridgeDomain(chainId, bridgeAddress);
    return {
      side,
      endpoint,
      provider,
      bridge,
      bridgeAddress,
      chainId,
      confirmations: endpoint.confirmations ?? 0,
      tokens: new CounterpartTokens(bridge),
      domain,
      signedPath: exchange !== undefined && code.includes(HANDLE_SIGNED_TRANSFERS_SELECTOR),
    };
  };
  return { parent: await connect("parent"), child: await connect("child") };
}

/** Gives each side with the signed path its batch exchange from `exchange`, whose readers rebuild batches from `store`. */
export function withBatchExchanges(sides: Record<Side, SideContext>, exchange: ExchangeWiring | undefined, store: RelayerStore): void {
  for (const side of ["parent", "child"] as const) {
    if (exchange === undefined || !sides[side].signedPath) continue;
    const source = otherSide(side);
    sides[side].signatures = exchange.batches({ source, domain: sides[side].domain, requests: storedRequests(store, source) });
  }
}

/** The deployment the sides belong to, as the store records it (the deployed blocks' hashes tell a redeployed chain). */
export async function deploymentOf(sides: Record<Side, SideContext>, options: RelayerOptions): Promise<DeploymentIdentity> {
  const blockHash = async (side: Side) => {
    const block = await sides[side].provider.getBlock(options[side].deployedBlock);
    return block?.hash ?? "none";
  };
  return {
    parent: {
      chainId: sides.parent.chainId,
      bridge: sides.parent.bridgeAddress,
      deployedBlock: options.parent.deployedBlock,
      deployedBlockHash: await blockHash("parent"),
      anchoringReceiver: options.parent.anchoringReceiver,
    },
    child: {
      chainId: sides.child.chainId,
      bridge: sides.child.bridgeAddress,
      deployedBlock: options.child.deployedBlock,
      deployedBlockHash: await blockHash("child"),
    },
  };
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The batch exchange of the destination of `source`'s transfers; an error when the signed path is off there. */
export function batchExchange(context: RelayerContext, source: Side): SignatureExchange<BatchSignature> {
  const exchange = context.sides[otherSide(source)].signatures;
  if (exchange === undefined) throw new Error(`no signed path towards the ${otherSide(source)} bridge`);
  return exchange;
}
