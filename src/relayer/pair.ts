/**
 * A relayer for a recorded pair (deployments/PAIR.json): where its store and the shared signature directory live,
 * and the endpoints built from the record's addresses and deployed blocks.
 */
import type { Signer } from "ethers";

import { DEFAULT_ANCHOR_PERIOD } from "../protocol/anchor.js";
import { relayerStorePath, signatureDirectory } from "../state-paths.js";
import { BoardFeed } from "./board-feed.js";
import { boardWiring } from "./board-exchange.js";
import { silentLogger } from "./log.js";
import { Relayer } from "./relayer.js";
import type { RelayerOptions } from "./relayer.js";
import { directoryWiring } from "./exchanges.js";

/** The part of a deployments record the relayer reads. */
export interface PairRecord {
  name: string;
  parent: { bridge: string; deployedBlock: number; anchoringReceiver?: string };
  child: { bridge: string; deployedBlock: number; signatureBoard?: string; signatureBoardDeployedBlock?: number };
  /** Child blocks per anchor (default `DEFAULT_ANCHOR_PERIOD`). */
  anchorPeriod?: number;
}

export { relayerDirectory, relayerStorePath, signatureDirectory } from "../state-paths.js";

export interface PairRelayerOptions
  extends Omit<RelayerOptions, "parent" | "child" | "store" | "signatureDir" | "exchange"> {
  /** The operator's signer on each chain. */
  signers: { parent: Signer; child: Signer };
  confirmations?: { parent?: number; child?: number };
  /** Root of the relayer state (default `.relayer/`). */
  root?: string;
  /** false: per-operator votes only, no signature exchange. */
  signatures?: boolean;
  /**
   * How signatures are exchanged: `board` (the pair's signature board on the child chain: operators on different
   * machines), `dir` (a directory under `root` shared by relayers on one machine). Default: the board when the pair
   * records one, else the directory.
   */
  exchange?: ExchangeKind;
  /** The shortest pause between two reads of the signature board (default 200 ms, see `BoardFeedOptions`). */
  boardSyncIntervalMs?: number;
}

export type ExchangeKind = "board" | "dir";

/** Which exchange a relayer of `record` uses when `asked` (see `PairRelayerOptions.exchange`); throws when it cannot. */
export function chooseExchange(record: PairRecord, asked?: ExchangeKind): ExchangeKind {
  if (asked === "board" && record.child.signatureBoard === undefined) {
    throw new Error(
      `pair "${record.name}" records no signature board; hint: add one with \`npx hardhat bridge board deploy --pair ${record.name}\`, or relay with --exchange dir (relayers on one machine)`,
    );
  }
  return asked ?? (record.child.signatureBoard === undefined ? "dir" : "board");
}

/** Creates the relayer of one operator for the recorded pair `record`. */
export async function createPairRelayer(record: PairRecord, options: PairRelayerOptions): Promise<Relayer> {
  const { signers, confirmations, root, signatures, exchange: asked, boardSyncIntervalMs, ...rest } = options;
  const operator = await signers.parent.getAddress();
  const kind = signatures === false ? undefined : chooseExchange(record, asked);
  const log = rest.logger ?? silentLogger;
  if (kind === "dir") {
    // the directory reaches only relayers of this machine: said whenever it is used, and why
    const why = asked === undefined ? `pair "${record.name}" records no signature board` : "asked for (--exchange dir)";
    const board = record.child.signatureBoard === undefined ? "" : `; the pair's signature board (the default) reaches operators on other machines`;
    log.log("info", "exchange", {
      exchange: "dir",
      reason: `${why}: signatures through ${signatureDirectory(record.name, root)}, for relayers on this machine only${board}`,
    });
  }
  const board =
    kind === "board"
      ? await BoardFeed.open({
          board: record.child.signatureBoard as string,
          signer: signers.child,
          deployedBlock: record.child.signatureBoardDeployedBlock ?? record.child.deployedBlock,
          maxBlockRange: rest.maxBlockRange,
          minSyncIntervalMs: boardSyncIntervalMs,
          log,
        })
      : undefined;
  return Relayer.create({
    ...rest,
    parent: {
      signer: signers.parent,
      bridge: record.parent.bridge,
      deployedBlock: record.parent.deployedBlock,
      confirmations: confirmations?.parent,
      anchoringReceiver: record.parent.anchoringReceiver,
    },
    child: {
      signer: signers.child,
      bridge: record.child.bridge,
      deployedBlock: record.child.deployedBlock,
      confirmations: confirmations?.child,
    },
    anchorPeriod: record.anchorPeriod ?? DEFAULT_ANCHOR_PERIOD,
    store: relayerStorePath(record.name, operator, root),
    // with the board, every signed action goes through it and nothing is shared on disk
    signatureDir: kind === "dir" ? signatureDirectory(record.name, root) : undefined,
    exchange: board !== undefined ? boardWiring(board) : kind === "dir" ? directoryWiring(signatureDirectory(record.name, root)) : undefined,
  });
}
