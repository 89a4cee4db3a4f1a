import { Contract, formatUnits, parseUnits } from "ethers";

import type { ChainSide, Log } from "./connect.js";
import { requireContract, sendTx } from "./connect.js";
import {
  KIP17Token__factory,
  KIP7Token__factory,
  ServiceChainKIP17__factory,
  ServiceChainKIP7__factory,
} from "./contracts.js";
import { writeDeployment, type TokenPairDeployment } from "./deployments.js";
import { ERC721_INTERFACE_ID } from "./protocol/constants.js";
import { BridgeTaskError } from "./errors.js";
import { requireOwner, type ConnectedPair } from "./pair.js";
import { parseAddress, sameAddress, type Side, type TokenType } from "./validate.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface TokenInfo {
  type: TokenType;
  name: string;
  symbol: string;
  /** KIP7 only. */
  decimals?: number;
}

/** Reads a token's kind and metadata, refusing an address that is not a token of the expected kind. */
export async function inspectToken(side: ChainSide, address: string, expected: TokenType | undefined, what: string): Promise<TokenInfo> {
  await requireContract(side, address, what);
  const probe = new Contract(
    address,
    [
      "function supportsInterface(bytes4) view returns (bool)",
      "function name() view returns (string)",
      "function symbol() view returns (string)",
      "function decimals() view returns (uint8)",
      "function totalSupply() view returns (uint256)",
    ],
    side.provider,
  );
  const isNft = await (probe.supportsInterface(ERC721_INTERFACE_ID) as Promise<boolean>).catch(() => false);
  const type: TokenType = isNft ? "kip17" : "kip7";
  const name = await (probe.name() as Promise<string>).catch(() => "");
  const symbol = await (probe.symbol() as Promise<string>).catch(() => "");
  if (type === "kip7") {
    let decimals: number;
    try {
      decimals = Number(await probe.decimals());
      await probe.totalSupply();
    } catch (error) {
      throw new BridgeTaskError(`${what}: ${address} on ${side.side} is neither a KIP7 nor a KIP17 token`, { cause: error });
    }
    if (expected === "kip17") throw new BridgeTaskError(`${what}: ${address} on ${side.side} is a KIP7 token, not KIP17`);
    return { type, name, symbol, decimals };
  }
  if (expected === "kip7") throw new BridgeTaskError(`${what}: ${address} on ${side.side} is a KIP17 token, not KIP7`);
  return { type, name, symbol };
}

/** In mint/burn mode the bridge must be able to mint the token on its side. */
async function requireBridgeCanMint(side: ChainSide, token: string, bridge: string, what: string): Promise<void> {
  const probe = new Contract(token, ["function isMinter(address) view returns (bool)"], side.provider);
  let canMint: boolean;
  try {
    canMint = (await probe.isMinter(bridge)) as boolean;
  } catch (error) {
    throw new BridgeTaskError(`${what}: ${token} has no isMinter(address); the ${side.side} bridge mints and burns, so it needs a mintable token`, { cause: error });
  }
  if (!canMint) throw new BridgeTaskError(`${what}: the ${side.side} bridge ${bridge} may not mint ${token} (make it the token's bridge or a minter)`);
}

export interface RegisterTokenOptions {
  type: TokenType;
  parentToken: string;
  childToken: string;
}

/** Checks a token pair against both bridges; returns the sides it still has to be registered on. */
async function planRegistration(pair: ConnectedPair, options: RegisterTokenOptions): Promise<{ sides: Side[]; parentInfo: TokenInfo }> {
  const parentInfo = await inspectToken(pair.parent, options.parentToken, options.type, "parent-token");
  const childInfo = await inspectToken(pair.child, options.childToken, options.type, "child-token");
  if (options.type === "kip7" && parentInfo.decimals !== childInfo.decimals) {
    throw new BridgeTaskError(
      `the parent token has ${parentInfo.decimals} decimals and the child token ${childInfo.decimals}: amounts would not match`,
    );
  }
  const sides: Side[] = [];
  for (const side of ["parent", "child"] as const) {
    const bridge = pair.bridges[side];
    const token = side === "parent" ? options.parentToken : options.childToken;
    const counterpart = side === "parent" ? options.childToken : options.parentToken;
    await requireOwner(pair[side], bridge, `${side} Bridge`);
    const registered = await bridge.registeredTokens(token);
    if (sameAddress(registered, counterpart)) continue;
    if (!sameAddress(registered, ZERO)) {
      throw new BridgeTaskError(`${token} is registered on the ${side} bridge with counterpart ${registered} already; deregister it first`);
    }
    if (pair.deployment[side].modeMintBurn) await requireBridgeCanMint(pair[side], token, await bridge.getAddress(), `${side}-token`);
    sides.push(side);
  }
  return { sides, parentInfo };
}

async function register(pair: ConnectedPair, options: RegisterTokenOptions, sides: Side[], info: TokenInfo, log: Log, dir?: string): Promise<TokenPairDeployment> {
  for (const side of sides) {
    const token = side === "parent" ? options.parentToken : options.childToken;
    const counterpart = side === "parent" ? options.childToken : options.parentToken;
    await sendTx(pair[side], `Bridge.registerToken(${token}, ${counterpart})`, log, () => pair.bridges[side].registerToken(token, counterpart));
  }
  const record: TokenPairDeployment = { type: options.type, parent: options.parentToken, child: options.childToken };
  if (info.symbol !== "") record.symbol = info.symbol;
  if (info.name !== "") record.name = info.name;
  const deployment = pair.deployment;
  deployment.tokens = deployment.tokens.filter(
    (token) => !(sameAddress(token.parent, record.parent) || sameAddress(token.child, record.child)),
  );
  deployment.tokens.push(record);
  await writeDeployment(deployment, dir);
  log(`Registered ${options.type.toUpperCase()} pair ${info.symbol || ""} parent ${options.parentToken} <-> child ${options.childToken}`.replace("  ", " "));
  return record;
}

/** Registers an existing token pair on both bridges (`bridge token register`). */
export async function registerTokenPair(pair: ConnectedPair, options: RegisterTokenOptions, log: Log, dir?: string): Promise<TokenPairDeployment> {
  const { sides, parentInfo } = await planRegistration(pair, options);
  if (sides.length === 0) throw new BridgeTaskError(`the pair ${options.parentToken} <-> ${options.childToken} is registered on both bridges already`);
  return register(pair, options, sides, parentInfo, log, dir);
}

export interface DeployTokenOptions {
  type: TokenType;
  /** Default: the parent token's name (with --parent-token). */
  name?: string;
  symbol?: string;
  /** Use this parent token instead of deploying one. */
  parentToken?: string;
  /** KIP7: whole tokens minted to the deployer on the parent (18 decimals). */
  supply?: string;
  /** KIP17: ids 1..mint minted to the deployer on the parent. */
  mint?: number;
  /** KIP17: token URI prefix; token `id` gets `${baseUri}${id}`. */
  baseUri?: string;
}

export interface DeployedTokenPair extends TokenPairDeployment {
  parentDeployed: boolean;
}

/**
 * Deploys a parent KIP7/KIP17 (or takes --parent-token) and its ServiceChainKIP7/KIP17 counterpart on the child
 * with the child bridge as its bridge, then registers the pair on both bridges (`bridge token deploy`).
 * With a lock-mode child bridge, the child bridge is given the same supply (or ids) as liquidity.
 */
export async function deployTokenPair(pair: ConnectedPair, options: DeployTokenOptions, log: Log, dir?: string): Promise<DeployedTokenPair> {
  const { parent, child } = pair;
  let name = options.name?.trim() ?? "";
  let symbol = options.symbol?.trim() ?? "";
  let parentInfo: TokenInfo | undefined;
  if (options.parentToken !== undefined) {
    parentInfo = await inspectToken(parent, options.parentToken, options.type, "parent-token");
    if (parentInfo.type === "kip7" && parentInfo.decimals !== 18) {
      throw new BridgeTaskError(`parent-token: it has ${parentInfo.decimals} decimals; ServiceChainKIP7 has 18, so amounts would not match`);
    }
    name ||= parentInfo.name;
    symbol ||= parentInfo.symbol;
  }
  if (name === "") throw new BridgeTaskError("--name is required");
  if (symbol === "") throw new BridgeTaskError("--symbol is required");
  const supply = parseUnits(options.supply ?? "1000000", 18);
  const mintCount = options.mint ?? 0;
  if (!Number.isInteger(mintCount) || mintCount < 0 || mintCount > 1000) throw new BridgeTaskError("mint: must be a whole number from 0 to 1000");
  const baseUri = options.baseUri ?? "";
  await requireOwner(parent, pair.bridges.parent, "parent Bridge");
  await requireOwner(child, pair.bridges.child, "child Bridge");
  if (pair.deployment.parent.modeMintBurn && options.parentToken === undefined) {
    throw new BridgeTaskError("the parent bridge mints and burns: pass --parent-token with a token it may mint");
  }

  let parentToken = options.parentToken;
  if (parentToken === undefined) {
    if (options.type === "kip7") {
      const factory = new KIP7Token__factory(parent.signer);
      const receipt = await sendTx(parent, `deploy KIP7Token ${symbol} (${formatUnits(supply, 18)} to ${parent.signer.address})`, log, async () =>
        (await factory.deploy(name, symbol, 18, supply)).deploymentTransaction()!,
      );
      parentToken = receipt.contractAddress!;
    } else {
      const factory = new KIP17Token__factory(parent.signer);
      const receipt = await sendTx(parent, `deploy KIP17Token ${symbol}`, log, async () => (await factory.deploy(name, symbol)).deploymentTransaction()!);
      parentToken = receipt.contractAddress!;
      const nft = KIP17Token__factory.connect(parentToken, parent.signer);
      for (let tokenId = 1; tokenId <= mintCount; tokenId++) {
        await sendTx(parent, `mint ${symbol} #${tokenId} to ${parent.signer.address}`, log, () =>
          nft.mintWithTokenURI(parent.signer.address, tokenId, `${baseUri}${tokenId}`),
        );
      }
    }
    log(`[parent] ${symbol} at ${parentToken}`);
  }

  const childBridge = pair.deployment.child.bridge;
  let childToken: string;
  if (options.type === "kip7") {
    const factory = new ServiceChainKIP7__factory(child.signer);
    const receipt = await sendTx(child, `deploy ServiceChainKIP7 ${symbol} (bridge ${childBridge})`, log, async () =>
      (await factory.deploy(name, symbol, childBridge)).deploymentTransaction()!,
    );
    childToken = receipt.contractAddress!;
    if (!pair.deployment.child.modeMintBurn) {
      const liquidity = parentInfo === undefined ? supply : await KIP7Token__factory.connect(parentToken, parent.provider).totalSupply();
      const token = ServiceChainKIP7__factory.connect(childToken, child.signer);
      await sendTx(child, `mint ${formatUnits(liquidity, 18)} ${symbol} to the lock-mode child bridge`, log, () => token.mint(childBridge, liquidity));
    }
  } else {
    const factory = new ServiceChainKIP17__factory(child.signer);
    const receipt = await sendTx(child, `deploy ServiceChainKIP17 ${symbol} (bridge ${childBridge})`, log, async () =>
      (await factory.deploy(name, symbol, childBridge)).deploymentTransaction()!,
    );
    childToken = receipt.contractAddress!;
    if (!pair.deployment.child.modeMintBurn) {
      if (parentInfo !== undefined) log(`note: the child bridge locks and releases; give it the NFTs it must release`);
      const nft = ServiceChainKIP17__factory.connect(childToken, child.signer);
      for (let tokenId = 1; parentInfo === undefined && tokenId <= mintCount; tokenId++) {
        await sendTx(child, `mint ${symbol} #${tokenId} to the lock-mode child bridge`, log, () =>
          nft.mintWithTokenURI(childBridge, tokenId, `${baseUri}${tokenId}`),
        );
      }
    }
  }
  log(`[child] ${symbol} at ${childToken}`);

  const registration: RegisterTokenOptions = { type: options.type, parentToken, childToken };
  const { sides } = await planRegistration(pair, registration);
  const record = await register(pair, registration, sides, { type: options.type, name, symbol }, log, dir);
  return { ...record, parentDeployed: options.parentToken === undefined };
}

/** Finds a recorded token pair by an address on either side, or by symbol. */
export function findTokenPair(pair: ConnectedPair, tokenOrSymbol: string): TokenPairDeployment | undefined {
  const key = tokenOrSymbol.trim().toLowerCase();
  return pair.deployment.tokens.find(
    (token) => token.parent.toLowerCase() === key || token.child.toLowerCase() === key || token.symbol?.toLowerCase() === key,
  );
}

/**
 * The token of pair `pair` on `side` named by `tokenOrSymbol` (`option` names the task option in errors): a recorded
 * symbol (any case), or an address, which may be the other side's token of a recorded pair only with a hint.
 */
export function tokenOnSide(
  pair: ConnectedPair,
  side: Side,
  tokenOrSymbol: string,
  option: string,
  orKlay = false,
): { address: string; type?: TokenType; symbol?: string } {
  const given = tokenOrSymbol.trim();
  const recorded = findTokenPair(pair, given);
  if (recorded !== undefined) {
    const address = recorded[side];
    if (!/^0x/i.test(given) || sameAddress(address, given)) return { address, type: recorded.type, symbol: recorded.symbol };
    throw new BridgeTaskError(`${option}: ${given} is the ${side === "parent" ? "child" : "parent"}-side token; on ${side} it is ${address}`);
  }
  if (!/^0x/i.test(given)) {
    const symbols = pair.deployment.tokens.map((token) => token.symbol).filter((symbol) => symbol !== undefined);
    const known = symbols.length === 0 ? "no token is recorded yet" : `known: ${symbols.join(", ")}`;
    const what = orKlay ? '"klay", a token address nor' : "a token address nor";
    throw new BridgeTaskError(`${option}: "${given}" is neither ${what} the symbol of a token of pair "${pair.deployment.name}" (${known})`);
  }
  return { address: parseAddress(given, option) };
}
