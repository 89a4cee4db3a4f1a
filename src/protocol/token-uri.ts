/**
 * The token URI a KIP17 request carries, in Klaytn's double encoding: `RequestValueTransferEncoded.encodedData =
 * abi.encode(string(R))`, where R is the raw ABI-encoded return of the collection's `tokenURI` (version 2).
 */
import { AbiCoder, Utf8ErrorFuncs, toUtf8String } from "ethers";

const abi = AbiCoder.defaultAbiCoder();

/**
 * The token URI of a KIP17 request: `encodedData = abi.encode(string(R))` where R is the raw ABI-encoded return of
 * `tokenURI`. Decoded as bytes at both levels so that any byte sequence is accepted; an empty R is an empty URI. The
 * URI is a collection's own data, so nothing in it may stop the relayer: R that is not an ABI string (a
 * collection's `tokenURI` may return anything) is taken as no URI, and bytes that are not UTF-8 are decoded with
 * U+FFFD in place of each bad sequence. Every operator decodes the same way, so all sign the same transfer; `lossy`
 * says when the URI differs from the collection's bytes.
 */
export function decodeTokenURIDetailed(encodedData: string): { uri: string; lossy: boolean } {
  if (encodedData === "0x" || encodedData.length <= 2) return { uri: "", lossy: false };
  let raw: string;
  try {
    raw = String(abi.decode(["bytes"], encodedData)[0]);
  } catch {
    return { uri: "", lossy: true };
  }
  if (raw === "0x") return { uri: "", lossy: false };
  let bytes: string;
  try {
    bytes = String(abi.decode(["bytes"], raw)[0]);
  } catch {
    return { uri: "", lossy: true };
  }
  const strict = (() => {
    try {
      return toUtf8String(bytes);
    } catch {
      return undefined;
    }
  })();
  if (strict !== undefined) return { uri: strict, lossy: false };
  return { uri: toUtf8String(bytes, Utf8ErrorFuncs.replace), lossy: true };
}

/** The token URI of a KIP17 request (see `decodeTokenURIDetailed`); never throws. */
export function decodeTokenURI(encodedData: string): string {
  return decodeTokenURIDetailed(encodedData).uri;
}
