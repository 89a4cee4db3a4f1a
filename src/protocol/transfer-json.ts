/**
 * The transfer's JSON form, one codec for every file and row that holds one (signature files, the relayer's store):
 * numbers as decimal strings, addresses checksummed when read back. Reading checks every field, since what it reads
 * was written by another process or another operator: a field missing, of the wrong type or out of its range is an
 * error that names it, never a transfer with a hole in it.
 */
import { TokenType, checksumAddress } from "./transfer.js";
import type { Side, SignedTransfer, TokenTypeValue, TransferRequest } from "./transfer.js";

/** A transfer as JSON: the struct's fields, big numbers as decimal strings. */
export type TransferJson = Record<keyof SignedTransfer, string | number>;

/** A transfer as written in a signature file or a store row (big numbers as decimal strings). */
export function transferToJson(transfer: SignedTransfer): TransferJson {
  return {
    requestTxHash: transfer.requestTxHash,
    tokenType: transfer.tokenType,
    from: transfer.from,
    to: transfer.to,
    tokenAddress: transfer.tokenAddress,
    valueOrTokenId: transfer.valueOrTokenId.toString(),
    requestNonce: transfer.requestNonce.toString(),
    requestBlockNumber: transfer.requestBlockNumber.toString(),
    tokenURI: transfer.tokenURI,
    extraData: transfer.extraData,
  };
}

/** A JSON object's fields, or an error saying what was found instead. */
function fieldsOf(json: unknown, what: string): Record<string, unknown> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new TypeError(`${what} is not an object`);
  return json as Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== "string") throw new TypeError(`${name} is not a string`);
  return value;
}

function hex(fields: Record<string, unknown>, name: string, bytes?: number): string {
  const value = text(fields, name);
  const pattern = bytes === undefined ? /^0x([0-9a-fA-F]{2})*$/ : new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);
  if (!pattern.test(value)) throw new TypeError(`${name} is not ${bytes === undefined ? "hex bytes" : `${bytes} bytes of hex`}`);
  return value;
}

function unsigned(fields: Record<string, unknown>, name: string, bits: number): bigint {
  const value = fields[name];
  if (!(typeof value === "string" && /^[0-9]{1,78}$/.test(value)) && !(typeof value === "number" && Number.isSafeInteger(value))) {
    throw new TypeError(`${name} is not a decimal number`);
  }
  const number = BigInt(value);
  if (number < 0n || number >= 1n << BigInt(bits)) throw new RangeError(`${name} out of range for uint${bits}`);
  return number;
}

function address(fields: Record<string, unknown>, name: string): string {
  try {
    return checksumAddress(text(fields, name));
  } catch (error) {
    throw new TypeError(`${name} is not an address`, { cause: error });
  }
}

function tokenType(fields: Record<string, unknown>): TokenTypeValue {
  const value = Number(unsigned(fields, "tokenType", 8));
  if (value !== TokenType.KLAY && value !== TokenType.KIP7 && value !== TokenType.KIP17) {
    throw new RangeError(`tokenType ${value} is not a token type`);
  }
  return value;
}

/** A transfer read back from JSON, every field checked, addresses checksummed; throws naming the field at fault. */
export function transferFromJson(json: unknown): SignedTransfer {
  const fields = fieldsOf(json, "the transfer");
  return {
    requestTxHash: hex(fields, "requestTxHash", 32),
    tokenType: tokenType(fields),
    from: address(fields, "from"),
    to: address(fields, "to"),
    tokenAddress: address(fields, "tokenAddress"),
    valueOrTokenId: unsigned(fields, "valueOrTokenId", 256),
    requestNonce: unsigned(fields, "requestNonce", 64),
    requestBlockNumber: unsigned(fields, "requestBlockNumber", 64),
    tokenURI: text(fields, "tokenURI"),
    extraData: hex(fields, "extraData"),
  };
}

/** A request as JSON: its transfer, the source side and the source token. */
export function requestToJson(request: TransferRequest): TransferJson & { source: Side; sourceToken: string } {
  return { ...transferToJson(request), source: request.source, sourceToken: request.sourceToken };
}

/** A request read back from JSON, every field checked (see `transferFromJson`). */
export function requestFromJson(json: unknown): TransferRequest {
  const fields = fieldsOf(json, "the request");
  const source = fields.source;
  if (source !== "parent" && source !== "child") throw new TypeError("source is not parent or child");
  return { ...transferFromJson(fields), tokenType: tokenType(fields), source, sourceToken: address(fields, "sourceToken") };
}
