import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { getAddress, isAddress } from "ethers";

import { BridgeTaskError } from "./errors.js";
import { DEFAULT_ANCHOR_PERIOD } from "./protocol/anchor.js";
import { closest } from "./suggest.js";
import type { PairMode, TokenType } from "./validate.js";

/** One side of a pair as recorded in deployments/PAIR.json. */
export interface SideDeployment {
  /** Hardhat network name in hardhat.config.ts. */
  network: string;
  chainId: number;
  bridge: string;
  /** true: this bridge mints and burns tokens; false: it locks and releases them. KLAY is always locked. */
  modeMintBurn: boolean;
  owner: string;
  /** Block of the bridge's deployment: where a relayer starts scanning. */
  deployedBlock: number;
  deployTx: string;
  /** Child side only: the signature board the operators' relayers exchange their signatures through. */
  signatureBoard?: string;
  signatureBoardDeployedBlock?: number;
  signatureBoardDeployTx?: string;
  /** Parent side only. */
  anchoringReceiver?: string;
  anchoringReceiverDeployedBlock?: number;
  anchoringReceiverDeployTx?: string;
}

export interface TokenPairDeployment {
  type: TokenType;
  parent: string;
  child: string;
  symbol?: string;
  name?: string;
}

export interface Thresholds {
  /** Value-transfer votes on both bridges. */
  transfer: number;
  /** Configuration votes (fees) on both bridges. */
  configuration: number;
  /** Anchor votes on the AnchoringReceiver. */
  anchoring: number;
}

export interface PairDeployment {
  format: 1;
  name: string;
  mode: PairMode;
  operators: string[];
  thresholds: Thresholds;
  parent: SideDeployment;
  child: SideDeployment;
  tokens: TokenPairDeployment[];
  /** Child blocks per anchor: each anchor counts the period that ends at its block (see src/protocol/anchor.ts). */
  anchorPeriod?: number;
  createdAt: string;
  updatedAt: string;
}

/** The pair's anchor period: the recorded one, or the default for records written before it was recorded. */
export function anchorPeriodOf(deployment: Pick<PairDeployment, "anchorPeriod">): number {
  return deployment.anchorPeriod ?? DEFAULT_ANCHOR_PERIOD;
}

/** Where PAIR.json files live: `$BRIDGE_DEPLOYMENTS_DIR`, or `deployments/` under the working directory. */
export function deploymentsDir(dir?: string): string {
  return path.resolve(dir ?? process.env.BRIDGE_DEPLOYMENTS_DIR ?? path.join(process.cwd(), "deployments"));
}

export function deploymentPath(name: string, dir?: string): string {
  return path.join(deploymentsDir(dir), `${name}.json`);
}

export async function deploymentExists(name: string, dir?: string): Promise<boolean> {
  try {
    await readFile(deploymentPath(name, dir));
    return true;
  } catch {
    return false;
  }
}

/** The names of the pairs recorded in the deployments directory, sorted. */
export async function knownPairs(dir?: string): Promise<string[]> {
  try {
    const names = await readdir(deploymentsDir(dir));
    return names.filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -".json".length)).sort();
  } catch {
    return [];
  }
}

/** Reads and validates deployments/NAME.json; a missing or malformed file is a one-line BridgeTaskError. */
export async function readDeployment(name: string, dir?: string): Promise<PairDeployment> {
  const file = deploymentPath(name, dir);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const known = await knownPairs(dir);
    const guess = closest(name, known);
    const hint =
      guess !== undefined
        ? `did you mean "${guess}"?`
        : known.length > 0
          ? `known pairs: ${known.join(", ")}`
          : `deploy one first: \`npx hardhat bridge deploy --parent NET --child NET --name ${name}\``;
    throw new BridgeTaskError(`unknown pair "${name}": no ${file}; ${hint}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BridgeTaskError(`${file} is not valid JSON`, { cause: error });
  }
  return validateDeployment(data, file);
}

/** Writes deployments/NAME.json atomically (temporary file, then rename), with `updatedAt` set. */
export async function writeDeployment(deployment: PairDeployment, dir?: string): Promise<string> {
  const file = deploymentPath(deployment.name, dir);
  validateDeployment(deployment, file);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const record: PairDeployment = { ...deployment, updatedAt: new Date().toISOString() };
  try {
    await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, "utf8");
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  Object.assign(deployment, { updatedAt: record.updatedAt });
  return file;
}

/** Checks the shape of a parsed deployments file and returns it typed; addresses come back checksummed. */
export function validateDeployment(data: unknown, file = "deployment"): PairDeployment {
  const fail = (message: string): never => {
    throw new BridgeTaskError(`${file}: ${message}`);
  };
  const object = (value: unknown, where: string): Record<string, unknown> => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`${where} must be an object`);
    return value as Record<string, unknown>;
  };
  const address = (value: unknown, where: string): string => {
    if (typeof value !== "string" || !isAddress(value)) fail(`${where} must be an address`);
    return getAddress(value as string);
  };
  const integer = (value: unknown, where: string): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) fail(`${where} must be a non-negative integer`);
    return value as number;
  };
  const positive = (value: unknown, where: string): number => {
    if (integer(value, where) === 0) fail(`${where} must be at least 1`);
    return value as number;
  };
  const text = (value: unknown, where: string): string => {
    if (typeof value !== "string" || value === "") fail(`${where} must be a non-empty string`);
    return value as string;
  };
  const hash = (value: unknown, where: string): string => {
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) fail(`${where} must be a transaction hash`);
    return value as string;
  };

  const root = object(data, "the file");
  if (root.format !== 1) fail(`format must be 1 (got ${JSON.stringify(root.format)})`);
  const side = (value: unknown, where: string, isParent: boolean): SideDeployment => {
    const raw = object(value, where);
    if (typeof raw.modeMintBurn !== "boolean") fail(`${where}.modeMintBurn must be true or false`);
    const result: SideDeployment = {
      network: text(raw.network, `${where}.network`),
      chainId: integer(raw.chainId, `${where}.chainId`),
      bridge: address(raw.bridge, `${where}.bridge`),
      modeMintBurn: raw.modeMintBurn as boolean,
      owner: address(raw.owner, `${where}.owner`),
      deployedBlock: integer(raw.deployedBlock, `${where}.deployedBlock`),
      deployTx: hash(raw.deployTx, `${where}.deployTx`),
    };
    if (isParent) {
      result.anchoringReceiver = address(raw.anchoringReceiver, `${where}.anchoringReceiver`);
      result.anchoringReceiverDeployedBlock = integer(raw.anchoringReceiverDeployedBlock, `${where}.anchoringReceiverDeployedBlock`);
      result.anchoringReceiverDeployTx = hash(raw.anchoringReceiverDeployTx, `${where}.anchoringReceiverDeployTx`);
    } else if (raw.signatureBoard !== undefined) {
      result.signatureBoard = address(raw.signatureBoard, `${where}.signatureBoard`);
      result.signatureBoardDeployedBlock = integer(raw.signatureBoardDeployedBlock, `${where}.signatureBoardDeployedBlock`);
      result.signatureBoardDeployTx = hash(raw.signatureBoardDeployTx, `${where}.signatureBoardDeployTx`);
    }
    return result;
  };
  if (root.mode !== "mintburn" && root.mode !== "lock") fail(`mode must be "mintburn" or "lock"`);
  if (!Array.isArray(root.operators) || root.operators.length === 0) fail("operators must be a non-empty list");
  const thresholds = object(root.thresholds, "thresholds");
  if (!Array.isArray(root.tokens)) fail("tokens must be a list");
  const tokens = (root.tokens as unknown[]).map((value, index): TokenPairDeployment => {
    const raw = object(value, `tokens[${index}]`);
    if (raw.type !== "kip7" && raw.type !== "kip17") fail(`tokens[${index}].type must be "kip7" or "kip17"`);
    const token: TokenPairDeployment = {
      type: raw.type as TokenType,
      parent: address(raw.parent, `tokens[${index}].parent`),
      child: address(raw.child, `tokens[${index}].child`),
    };
    if (typeof raw.symbol === "string") token.symbol = raw.symbol;
    if (typeof raw.name === "string") token.name = raw.name;
    return token;
  });
  return {
    format: 1,
    name: text(root.name, "name"),
    mode: root.mode as PairMode,
    operators: (root.operators as unknown[]).map((value, index) => address(value, `operators[${index}]`)),
    thresholds: {
      transfer: integer(thresholds.transfer, "thresholds.transfer"),
      configuration: integer(thresholds.configuration, "thresholds.configuration"),
      anchoring: integer(thresholds.anchoring, "thresholds.anchoring"),
    },
    parent: side(root.parent, "parent", true),
    child: side(root.child, "child", false),
    tokens,
    ...(root.anchorPeriod === undefined ? {} : { anchorPeriod: positive(root.anchorPeriod, "anchorPeriod") }),
    createdAt: text(root.createdAt, "createdAt"),
    updatedAt: text(root.updatedAt, "updatedAt"),
  };
}
