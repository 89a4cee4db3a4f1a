/**
 * The relayer library: `Relayer.create(options)` for one operator of a pair, its step API (`poll`, `ingest`,
 * `processPending`, `recover`, `anchor`, `runOnce`, `run`), the store, the signature exchange and the loggers.
 */
// first: on a Node.js without node:sqlite, the import fails here with one line that says so
import "./runtime.js";

export { Relayer } from "./relayer.js";
export type {
  AnchorExchange,
  AnchorExchangeContext,
  BatchExchangeContext,
  BatchSignature,
  ExchangeWiring,
  OnInvalid,
  RecoveryExchange,
  RecoveryExchangeContext,
  RecoverySignature,
  SignatureExchange,
  SignedEntry,
} from "./exchange.js";
export { directoryWiring } from "./exchanges.js";
export { BoardFeed } from "./board-feed.js";
export type { BoardFeedOptions, BoardPost } from "./board-feed.js";
export { BoardBatchExchange, boardWiring } from "./board-exchange.js";
export type { AfterSend, RelayerOptions, ProcessReport, SentTransaction } from "./relayer.js";
export { RelayerStore } from "./store.js";
export type { StoredTransfer, RecoveryRecord, RecoveryState } from "./store.js";
export {
  ParkedStatus,
  RECOVERY_SIGNATURE_FORMAT,
  RecoverySignatureDirectory,
  TransferRecoveryWorker,
  refundTransferOf,
  transferContentHash,
} from "./recovery.js";
export type { RecoveryReport } from "./recovery.js";
export {
  SignatureDirectory,
  SIGNATURE_FILE_FORMAT,
  HANDLE_BATCH_TYPES,
  batchDigest,
  bridgeDomain,
  encodeHandleSignedTransfers,
  packSignatures,
  signBatch,
  recoverBatchSigner,
} from "./signatures.js";
export { decodeTokenURI, readRequests, readRequestsOfTx, CounterpartTokens } from "../protocol/requests.js";
export {
  AnchorSignatureDirectory,
  ANCHOR_TYPES,
  anchorDigest,
  anchoringDomain,
  dueAnchorBlocks,
  readAnchor,
} from "./anchoring.js";
export type { AnchorData, AnchorSignature } from "./anchoring.js";
export { lineLogger, memoryLogger, silentLogger } from "./log.js";
export type { RelayerLogger, LogLevel, LogFields } from "./log.js";
export { decodeRevert, isAlreadyHandled, isInsufficientFunds, isNonceCollision, isTransientRpcError, withRetry } from "./errors.js";
export { TokenType, otherSide, toSignedTransfer, sameTransfer } from "./types.js";
export type { ChainEndpoint, Side, TransferRequest, TransferState, SignedTransfer } from "./types.js";
export { chooseExchange, createPairRelayer, relayerDirectory, relayerStorePath, signatureDirectory } from "./pair.js";
export type { ExchangeKind, PairRecord, PairRelayerOptions } from "./pair.js";
